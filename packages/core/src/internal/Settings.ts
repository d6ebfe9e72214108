/**
 * The settings both API generations share, validated in one place: explicit
 * options and the environment both end in {@link validate}, so each default
 * and each rule is written once. `ThreatStackConfig` (v1) and
 * `ThreatStackV2` add their own fields on top.
 *
 * @internal
 */
import type { HttpClient } from "@effect/platform"
import { Config, ConfigError, Duration, Either, Option, Predicate, Redacted, Schedule } from "effect"
import { ConfigurationError, InvalidArgument } from "../ThreatStackError.js"
import type { ConfigProblem } from "../ThreatStackError.js"
import type { NotFound, ThreatStackAPIError, Timeout } from "../ThreatStackError.js"
import { type Limit, splitLimit } from "./RateLimit.js"

/** The failures a request can end with: what a retry schedule is stepped with. */
export type RetryInput = ThreatStackAPIError | Timeout | NotFound

/** Options both generations take. */
export interface CommonOptions {
  /**
   * The API key. A plain string is accepted and redacted at once. Surrounding
   * whitespace is trimmed; what is left must be at least 8
   * characters a header can carry (visible ASCII).
   */
  readonly apiKey: Redacted.Redacted<string> | string
  /** Per-attempt request timeout. Default 120 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * The full versioned base URL: absolute `http(s)://`, without query,
   * fragment or credentials (`user:pass@`); surrounding whitespace and
   * trailing slashes are trimmed.
   */
  readonly baseUrl?: string | undefined
  /** How many times a transient failure (408, 429, 5xx, transport, timeout) is retried. Default 3. */
  readonly maxRetries?: number | undefined
  /** The first backoff delay; it doubles each retry, with jitter. Default 500 ms. */
  readonly retryBaseDelay?: Duration.DurationInput | undefined
  /** The longest single wait between attempts, server hints included. Default 30 seconds. */
  readonly maxRetryWait?: Duration.DurationInput | undefined
  /**
   * The timing of retries, replacing the default exponential backoff (with
   * `maxRetries` and `retryBaseDelay`). Which failures are retried stays
   * with the SDK; a server's `Retry-After` is still a floor and
   * `maxRetryWait` still the cap.
   */
  readonly retrySchedule?: Schedule.Schedule<unknown, RetryInput> | undefined
  /** A client-side budget shared by every fiber, e.g. `{ limit: 200, interval: "1 minute" }`. Default none. */
  readonly rateLimit?: { readonly limit: number; readonly interval: Duration.DurationInput } | undefined
  /** Allow sending the key over plain `http://` to a host that is not loopback. Default false. */
  readonly allowInsecureHttp?: boolean | undefined
  /**
   * Changes the `HttpClient` the SDK sends through (add a header, a proxy,
   * your own tracing). It runs before authentication, so whatever it
   * changes is what gets signed.
   */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
  /**
   * The largest response body read, in bytes. A body over it (by its
   * `Content-Length`, or once that many bytes have arrived) is not read
   * further and fails as `InvalidResponse`, not retried. Default 64 MiB.
   */
  readonly maxResponseBytes?: number | undefined
  /**
   * Send the current span's trace context (`traceparent` and `b3` headers)
   * to the API, so that a tracing backend shared with Threat Stack links
   * the calls. Off by default: trace ids are not sent to a third party.
   */
  readonly tracePropagation?: boolean | undefined
}

/** Validated settings both generations share. */
export interface CommonSettings {
  readonly apiKey: Redacted.Redacted<string>
  readonly timeout: Duration.Duration
  readonly baseUrl: string
  readonly maxRetries: number
  readonly retryBaseDelay: Duration.Duration
  readonly maxRetryWait: Duration.Duration
  readonly retrySchedule: Option.Option<Schedule.Schedule<unknown, RetryInput>>
  readonly rateLimit: Option.Option<Limit>
  readonly allowInsecureHttp: boolean
  readonly transformClient: Option.Option<(client: HttpClient.HttpClient) => HttpClient.HttpClient>
  readonly maxResponseBytes: number
  readonly tracePropagation: boolean
}

/** The defaults, written once. */
export const defaults = {
  timeout: Duration.seconds(120),
  maxRetries: 3,
  retryBaseDelay: Duration.millis(500),
  maxRetryWait: Duration.seconds(30),
  maxResponseBytes: 64 * 1024 * 1024
} as const

/** The shortest API key accepted: shorter ones are typing mistakes, and could not be scrubbed from messages. */
export const minimumKeyLength = 8

/** A check's result: the value, or what is wrong with it. */
export type Check<A> = Either.Either<A, string>

const show = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : String(value))

/** A finite duration above zero. */
export const checkDuration = (input: unknown): Check<Duration.Duration> =>
  Option.match(Duration.decodeUnknown(input), {
    onNone: () => Either.left(`expected a duration such as 30 seconds, got ${show(input)}`),
    onSome: (duration) =>
      Duration.greaterThan(duration, Duration.zero) && Duration.isFinite(duration)
        ? Either.right(duration)
        : Either.left(`expected a finite duration above zero, got ${Duration.format(duration)}`)
  })

/** A whole number ≥ `min`. */
export const checkWhole = (input: unknown, min: number): Check<number> =>
  typeof input === "number" && Number.isSafeInteger(input) && input >= min
    ? Either.right(input)
    : Either.left(`expected a whole number ≥ ${min}, got ${show(input)}`)

const hasSpaceOrControl = (text: string): boolean => {
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0
    if (code <= 0x20 || code === 0x7f || /\s/u.test(char)) return true
  }
  return false
}

const checkBaseUrl = (url: unknown, example: string): Check<string> => {
  if (typeof url !== "string") return Either.left(`expected an absolute URL such as ${example}, got ${show(url)}`)
  const text = url.trim()
  if (!/^https?:\/\//i.test(text)) {
    return Either.left(`expected an absolute http(s) URL such as ${example}, got ${JSON.stringify(url)}`)
  }
  // the URL parser drops tabs and newlines inside a URL and encodes spaces: refuse them rather than guess
  if (hasSpaceOrControl(text)) return Either.left("the URL holds a space or a control character")
  if (text.includes("?")) return Either.left("the URL has a query (?…): give the base URL alone")
  if (text.includes("#")) return Either.left("the URL has a fragment (#…): give the base URL alone")
  let parsed: URL
  try {
    parsed = new URL(text)
  } catch {
    return Either.left(`expected an absolute URL such as ${example}, got ${JSON.stringify(url)}`)
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return Either.left(
      "the URL holds credentials (a user name or password before @): the API key is the only credential sent"
    )
  }
  // Stryker disable next-line StringLiteral: defensive: an http(s) URL the parser accepts always has a host
  if (parsed.hostname === "") return Either.left(`expected a host in the URL, got ${JSON.stringify(url)}`)
  return Either.right(text.replace(/\/+$/, ""))
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i

/** The key travels in a header: refuse clear text to anything but this machine. */
const checkTransport = (baseUrl: string, allowInsecureHttp: boolean): Check<string> => {
  const url = new URL(baseUrl)
  return url.protocol === "http:" && !LOOPBACK.test(url.hostname) && !allowInsecureHttp
    ? Either.left(
        `refusing to send the API key in clear text to ${url.host}: use https, or set allowInsecureHttp ` +
          "(THREATSTACK_ALLOW_INSECURE_HTTP=true) if you really mean it"
      )
    : Either.right(baseUrl)
}

const checkLimit = (limit: unknown): Check<Limit> => {
  if (typeof limit !== "object" || limit === null || !("limit" in limit) || !("interval" in limit)) {
    return Either.left(`expected { limit, interval }, got ${show(limit)}`)
  }
  return Either.flatMap(
    Either.mapLeft(
      checkWhole(limit.limit, 1),
      () => `expected a whole number of requests ≥ 1, got ${show(limit.limit)}`
    ),
    (n) => Either.map(checkDuration(limit.interval), (interval) => ({ limit: n, interval }))
  )
}

/** Characters a header value can carry without escaping: visible ASCII, no spaces or controls. */
const HEADER_SAFE = /^[\x21-\x7e]+$/

const checkKey = (key: unknown): Check<Redacted.Redacted<string>> => {
  const value = typeof key === "string" ? key : Redacted.isRedacted(key) ? Redacted.value(key) : undefined
  if (typeof value !== "string") return Either.left("expected the API key as a string or a Redacted string")
  const trimmed = value.trim()
  if (trimmed === "") return Either.left("the API key is empty")
  // never quote the key: it is a secret even when it is wrong
  if (!HEADER_SAFE.test(trimmed)) {
    return Either.left(
      "the API key holds a character a header cannot carry (a space, a line break, a control or non-ASCII)"
    )
  }
  if (trimmed.length < minimumKeyLength) {
    return Either.left(`the API key is ${trimmed.length} characters long: expected at least ${minimumKeyLength}`)
  }
  return Either.right(
    trimmed === value && Redacted.isRedacted(key) ? (key as Redacted.Redacted<string>) : Redacted.make(trimmed)
  )
}

/**
 * A text that travels in a header (an organization id): trimmed, and only
 * visible ASCII. `undefined` when blank.
 */
export const checkHeaderValue = (value: unknown, what: string): Check<string | undefined> => {
  if (typeof value !== "string") return Either.left(`expected ${what} as a string, got ${show(value)}`)
  const trimmed = value.trim()
  if (trimmed === "") return Either.right(undefined)
  return HEADER_SAFE.test(trimmed)
    ? Either.right(trimmed)
    : Either.left(`${what} holds a character a header cannot carry (a space, a line break, a control or non-ASCII)`)
}

const checkBoolean = (value: unknown): Check<boolean> =>
  typeof value === "boolean" ? Either.right(value) : Either.left(`expected true or false, got ${show(value)}`)

const checkFunction = <F>(value: unknown, what: string): Check<Option.Option<F>> =>
  value === undefined
    ? Either.right(Option.none())
    : typeof value === "function"
      ? Either.right(Option.some(value as F))
      : Either.left(`expected ${what}, got ${show(value)}`)

const checkSchedule = (value: unknown): Check<Option.Option<Schedule.Schedule<unknown, RetryInput>>> =>
  value === undefined
    ? Either.right(Option.none())
    : Schedule.isSchedule(value)
      ? Either.right(Option.some(value as Schedule.Schedule<unknown, RetryInput>))
      : Either.left(`expected a Schedule, got ${show(value)}`)

/** Fails with `InvalidArgument` naming `argument` when the check fails. */
export const field = <A>(argument: string, result: Check<A>): Either.Either<A, InvalidArgument> =>
  Either.mapLeft(result, (detail) => new InvalidArgument({ argument, detail }))

/**
 * Validates the shared options, filling in the defaults. `baseUrl` defaults
 * to the generation's own.
 */
export const validate = (
  options: CommonOptions,
  defaultBaseUrl: string
): Either.Either<CommonSettings, InvalidArgument> =>
  Either.gen(function* () {
    // JavaScript callers can pass anything: check the shape before reading it
    if (!Predicate.isRecord(options)) {
      return yield* field("options", Either.left(`expected an options object, got ${show(options)}`))
    }
    const allowInsecureHttp = yield* field("allowInsecureHttp", checkBoolean(options.allowInsecureHttp ?? false))
    return {
      apiKey: yield* field("apiKey", checkKey(options.apiKey)),
      timeout: yield* field("timeout", checkDuration(options.timeout ?? defaults.timeout)),
      baseUrl: yield* field(
        "baseUrl",
        Either.flatMap(checkBaseUrl(options.baseUrl ?? defaultBaseUrl, defaultBaseUrl), (url) =>
          checkTransport(url, allowInsecureHttp)
        )
      ),
      maxRetries: yield* field("maxRetries", checkWhole(options.maxRetries ?? defaults.maxRetries, 0)),
      retryBaseDelay: yield* field("retryBaseDelay", checkDuration(options.retryBaseDelay ?? defaults.retryBaseDelay)),
      maxRetryWait: yield* field("maxRetryWait", checkDuration(options.maxRetryWait ?? defaults.maxRetryWait)),
      retrySchedule: yield* field("retrySchedule", checkSchedule(options.retrySchedule)),
      rateLimit:
        options.rateLimit === undefined
          ? Option.none()
          : Option.some(yield* field("rateLimit", checkLimit(options.rateLimit))),
      allowInsecureHttp,
      transformClient: yield* field(
        "transformClient",
        checkFunction<(client: HttpClient.HttpClient) => HttpClient.HttpClient>(
          options.transformClient,
          "a function from HttpClient to HttpClient"
        )
      ),
      maxResponseBytes: yield* field(
        "maxResponseBytes",
        checkWhole(options.maxResponseBytes ?? defaults.maxResponseBytes, 1)
      ),
      tracePropagation: yield* field("tracePropagation", checkBoolean(options.tracePropagation ?? false))
    }
  })

/** `200/1 minute`, `200 per minute`, `50/10 seconds`. */
const parseLimit = (text: string): Check<{ readonly limit: number; readonly interval: Duration.DurationInput }> => {
  const parts = splitLimit(text)
  if (parts === undefined) return Either.left(`expected e.g. "200/1 minute", got ${JSON.stringify(text)}`)
  // checked as a duration by validate, which names the variable when it is not one
  return Either.right({ limit: Number(parts.count), interval: parts.interval as Duration.DurationInput })
}

/** A duration variable: a bare number is seconds, else a duration such as `30 seconds`. */
const duration = (raw: string): Duration.DurationInput =>
  /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Duration.seconds(Number(raw)) : (raw as Duration.DurationInput)

/**
 * A whole-number variable: digits become a number; anything else is handed
 * on as it is, to be refused by {@link validate} as a JavaScript caller's
 * wrong value would be, with the variable's name.
 */
const whole = (raw: string): number => (/^\s*\d+\s*$/.test(raw) ? Number(raw) : (raw as unknown as number))

/**
 * A required text variable. Empty or blank counts as missing, so that
 * `THREATSTACK_API_KEY=` reads the same as an unset key. (The error's path is
 * empty: the provider prefixes it with the variable's own path.)
 */
export const requiredText = (name: string): Config.Config<string> =>
  Config.string(name).pipe(
    Config.mapOrFail((value) =>
      // Stryker disable next-line StringLiteral: wording of Effect's own MissingData; layerConfig reads the variable's purpose instead, and the path names the variable
      value.trim() === "" ? Either.left(ConfigError.MissingData([], "empty")) : Either.right(value)
    )
  )

const optional = (name: string) => Config.option(Config.string(name)).pipe(Config.map(Option.getOrUndefined))

/** The shared options as the environment gives them (still unvalidated). */
export const commonFromEnv = (baseUrlVariable: string): Config.Config<CommonOptions> =>
  Config.all({
    apiKey: requiredText("THREATSTACK_API_KEY").pipe(Config.map(Redacted.make)),
    timeout: optional("THREATSTACK_TIMEOUT").pipe(Config.map((raw) => (raw === undefined ? undefined : duration(raw)))),
    baseUrl: optional(baseUrlVariable),
    maxRetries: optional("THREATSTACK_MAX_RETRIES").pipe(
      Config.map((raw) => (raw === undefined ? undefined : whole(raw)))
    ),
    retryBaseDelay: optional("THREATSTACK_RETRY_BASE_DELAY").pipe(
      Config.map((raw) => (raw === undefined ? undefined : duration(raw)))
    ),
    maxRetryWait: optional("THREATSTACK_MAX_RETRY_WAIT").pipe(
      Config.map((raw) => (raw === undefined ? undefined : duration(raw)))
    ),
    rateLimit: optional("THREATSTACK_RATE_LIMIT").pipe(
      Config.mapOrFail((raw) =>
        raw === undefined
          ? Either.right(undefined)
          : Either.mapLeft(parseLimit(raw), (message) => ConfigError.InvalidData(["THREATSTACK_RATE_LIMIT"], message))
      )
    ),
    allowInsecureHttp: Config.option(Config.boolean("THREATSTACK_ALLOW_INSECURE_HTTP")).pipe(
      Config.map(Option.getOrUndefined)
    ),
    maxResponseBytes: optional("THREATSTACK_MAX_RESPONSE_BYTES").pipe(
      Config.map((raw) => (raw === undefined ? undefined : whole(raw)))
    ),
    tracePropagation: Config.option(Config.boolean("THREATSTACK_TRACE_PROPAGATION")).pipe(
      Config.map(Option.getOrUndefined)
    )
  })

/** The variable each shared option comes from. */
export const commonVariables = (baseUrlVariable: string): Readonly<Record<string, string>> => ({
  apiKey: "THREATSTACK_API_KEY",
  timeout: "THREATSTACK_TIMEOUT",
  baseUrl: baseUrlVariable,
  maxRetries: "THREATSTACK_MAX_RETRIES",
  retryBaseDelay: "THREATSTACK_RETRY_BASE_DELAY",
  maxRetryWait: "THREATSTACK_MAX_RETRY_WAIT",
  rateLimit: "THREATSTACK_RATE_LIMIT",
  // Stryker disable next-line StringLiteral: Config.boolean refuses a wrong value before validate runs, so validate never names this option
  allowInsecureHttp: "THREATSTACK_ALLOW_INSECURE_HTTP",
  maxResponseBytes: "THREATSTACK_MAX_RESPONSE_BYTES",
  // Stryker disable next-line StringLiteral: Config.boolean refuses a wrong value before validate runs, so validate never names this option
  tracePropagation: "THREATSTACK_TRACE_PROPAGATION"
})

/**
 * Validates options read from `Config` with the same function as explicit
 * options, turning its `InvalidArgument` into a `ConfigError` that names the
 * variable the value came from.
 */
export const fromConfig = <O, S>(
  raw: Config.Config<O>,
  validateOptions: (options: O) => Either.Either<S, InvalidArgument>,
  variables: Readonly<Record<string, string>>
): Config.Config<S> =>
  Config.mapOrFail(raw, (options) =>
    Either.mapLeft(validateOptions(options), (error) =>
      ConfigError.InvalidData([variables[error.argument] ?? error.argument], error.detail)
    )
  )

/** What each required variable is for, said when it is missing. */
const purposes: Readonly<Record<string, string>> = {
  THREATSTACK_API_KEY: "the Threat Stack API key (in Threat Stack: Settings, Application Keys)",
  THREATSTACK_USER_ID: "the Threat Stack user id that goes with the API key (v2 signs requests with both)",
  THREATSTACK_ORG_ID: "the Threat Stack organization id (v2 needs it on every request)"
}

/** The variable a path names, joined as the environment provider joins it. */
const variableOf = (path: ReadonlyArray<string>): string => path.join("_")

/** The leaves of a `ConfigError`: for an `Or`, the side that says a value is wrong wins over "missing". */
const leaves = (error: ConfigError.ConfigError): ReadonlyArray<ConfigProblem> => {
  switch (error._op) {
    case "And":
      return [...leaves(error.left), ...leaves(error.right)]
    case "Or": {
      const both = [...leaves(error.left), ...leaves(error.right)]
      const wrong = both.filter((p) => !p.missing)
      return wrong.length > 0 ? wrong : both
    }
    case "MissingData": {
      const variable = variableOf(error.path)
      const name = error.path.at(-1) ?? variable
      return [{ variable, missing: true, detail: purposes[name] ?? "required" }]
    }
    default:
      return [{ variable: variableOf(error.path), missing: false, detail: error.message }]
  }
}

/**
 * Turns Effect's `ConfigError` into ours: one problem per variable, wrong
 * values before missing ones, each variable once.
 */
export const configurationError = (error: ConfigError.ConfigError): ConfigurationError => {
  const seen = new Set<string>()
  const problems = [...leaves(error)]
    .sort((a, b) => Number(a.missing) - Number(b.missing))
    .filter((p) => !seen.has(p.variable) && seen.add(p.variable) !== undefined)
  return new ConfigurationError({ problems, cause: error })
}
