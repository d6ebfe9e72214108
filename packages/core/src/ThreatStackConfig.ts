/**
 * The SDK's settings: the mirror of the Python client's
 * `ThreatStack(api_key=…, org_id=…, api_version=1, timeout=120)`, plus the
 * base URL and the retry policy. Build them explicitly with {@link layer} or
 * from the environment with {@link layerConfig}.
 *
 * @since 0.1.0
 */
import { Config, ConfigError, Context, Duration, Effect, Either, Layer, Option, Redacted } from "effect"
import type { Limit } from "./internal/RateLimit.js"
import { InvalidArgument } from "./ThreatStackError.js"

/**
 * The v1 base URL of the live service.
 *
 * @example
 * ```ts
 * import { ThreatStackConfig } from "@effect-threatstack/core"
 *
 * ThreatStackConfig.defaultBaseUrl // "https://app.threatstack.com/api/v1"
 * ```
 *
 * @since 0.1.0
 */
export const defaultBaseUrl = "https://app.threatstack.com/api/v1"

/**
 * The default per-attempt request timeout: 120 seconds, as the Python client.
 *
 * @example
 * ```ts
 * import { Duration } from "effect"
 * import { ThreatStackConfig } from "@effect-threatstack/core"
 *
 * Duration.toSeconds(ThreatStackConfig.defaultTimeout) // 120
 * ```
 *
 * @since 0.1.0
 */
export const defaultTimeout: Duration.Duration = Duration.seconds(120)

/**
 * What a user passes to {@link layer} (and what {@link fromEnv} reads).
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import type { ThreatStackConfig } from "@effect-threatstack/core"
 *
 * const options: ThreatStackConfig.Options = {
 *   apiKey: Redacted.make("my-key"),
 *   orgId: "5a1b2c",
 *   timeout: "30 seconds"
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The API key. A plain string is accepted and redacted at once. */
  readonly apiKey: Redacted.Redacted<string> | string
  /** Which of the key's organizations to act on (the `Organization` header). */
  readonly orgId?: string | undefined
  /** The API generation; only 1 exists in this release. Default 1. */
  readonly apiVersion?: number | undefined
  /** Per-attempt request timeout. Default 120 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** The full versioned base URL. Default `https://app.threatstack.com/api/v1`. */
  readonly baseUrl?: string | undefined
  /** How many times a transient failure (429, 5xx, transport, timeout) is retried. Default 3. */
  readonly maxRetries?: number | undefined
  /** The first backoff delay; it doubles each retry, with jitter. Default 500 ms. */
  readonly retryBaseDelay?: Duration.DurationInput | undefined
  /** The longest single wait between attempts, server hints included. Default 30 seconds. */
  readonly maxRetryWait?: Duration.DurationInput | undefined
  /** A client-side budget shared by every fiber, e.g. `{ limit: 200, interval: "1 minute" }`. Default none. */
  readonly rateLimit?: { readonly limit: number; readonly interval: Duration.DurationInput } | undefined
  /** Allow sending the key over plain `http://` to a host that is not loopback. Default false. */
  readonly allowInsecureHttp?: boolean | undefined
}

/**
 * Validated settings, as the client pipeline reads them.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStackConfig } from "@effect-threatstack/core"
 *
 * const timeout = Effect.map(ThreatStackConfig.ThreatStackConfig, (settings: ThreatStackConfig.Settings) => settings.timeout)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  readonly apiKey: Redacted.Redacted<string>
  readonly orgId: Option.Option<string>
  readonly apiVersion: 1
  readonly timeout: Duration.Duration
  readonly baseUrl: string
  readonly maxRetries: number
  readonly retryBaseDelay: Duration.Duration
  readonly maxRetryWait: Duration.Duration
  readonly rateLimit: Option.Option<Limit>
  readonly allowInsecureHttp: boolean
}

/**
 * The settings as a service.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStackConfig } from "@effect-threatstack/core"
 *
 * Effect.gen(function* () {
 *   const settings = yield* ThreatStackConfig.ThreatStackConfig
 *   yield* Effect.log(settings.baseUrl)
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class ThreatStackConfig extends Context.Tag("@effect-threatstack/core/ThreatStackConfig")<
  ThreatStackConfig,
  Settings
>() {}

type Check<A> = Either.Either<A, string>

const checkApiVersion = (version: number): Check<1> =>
  version === 1
    ? Either.right(1)
    : version === 2
      ? Either.left("API v2 is not supported yet (it is a later release of this SDK); use 1")
      : Either.left(`unknown API version ${version}; supported: 1`)

const checkPositive = (duration: Duration.Duration): Check<Duration.Duration> =>
  Duration.greaterThan(duration, Duration.zero) && Duration.isFinite(duration)
    ? Either.right(duration)
    : Either.left(`expected a finite duration above zero, got ${Duration.format(duration)}`)

const checkDuration = (input: unknown): Check<Duration.Duration> =>
  Option.match(Duration.decodeUnknown(input), {
    onNone: () => Either.left(`expected a duration such as 30 seconds, got ${JSON.stringify(input)}`),
    onSome: checkPositive
  })

const checkBaseUrl = (url: string): Check<string> => {
  try {
    const parsed = new URL(url)
    return parsed.protocol === "https:" || parsed.protocol === "http:"
      ? Either.right(url.replace(/\/+$/, ""))
      : Either.left(`expected an http(s) URL, got ${url}`)
  } catch {
    return Either.left(`expected an absolute URL such as ${defaultBaseUrl}, got ${JSON.stringify(url)}`)
  }
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

const checkLimit = (limit: { readonly limit: number; readonly interval: unknown }): Check<Limit> =>
  !Number.isInteger(limit.limit) || limit.limit < 1
    ? Either.left(`expected a whole number of requests ≥ 1, got ${limit.limit}`)
    : Either.map(checkDuration(limit.interval), (interval) => ({ limit: limit.limit, interval }))

/** `200/1 minute`, `200 per minute`, `50/10 seconds`. */
const parseLimit = (text: string): Check<Limit> => {
  const match = /^\s*(\d+)\s*(?:\/|per)\s*(.+?)\s*$/.exec(text)
  if (!match) return Either.left(`expected e.g. "200/1 minute", got ${JSON.stringify(text)}`)
  const [, limit = "", every = ""] = match
  return checkLimit({ limit: Number(limit), interval: /^\d/.test(every) ? every : `1 ${every}` })
}

const checkRetries = (n: number): Check<number> =>
  Number.isInteger(n) && n >= 0 ? Either.right(n) : Either.left(`expected a whole number ≥ 0, got ${n}`)

const checkKey = (key: Redacted.Redacted<string>): Check<Redacted.Redacted<string>> =>
  Redacted.value(key).trim() === "" ? Either.left("the API key is empty") : Either.right(key)

/**
 * Validates options into settings, filling in the defaults.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStackConfig } from "@effect-threatstack/core"
 *
 * const settings = Effect.runSync(ThreatStackConfig.make({ apiKey: "k" }))
 * // settings.timeout is 120 seconds
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Settings, InvalidArgument> =>
  Effect.gen(function* () {
    const check = <A>(argument: string, result: Check<A>) =>
      Either.match(result, {
        onLeft: (detail) => Effect.fail(new InvalidArgument({ argument, detail })),
        onRight: Effect.succeed
      })
    const key = typeof options.apiKey === "string" ? Redacted.make(options.apiKey) : options.apiKey
    return {
      apiKey: yield* check("apiKey", checkKey(key)),
      orgId: Option.fromNullable(options.orgId).pipe(Option.filter((id) => id !== "")),
      apiVersion: yield* check("apiVersion", checkApiVersion(options.apiVersion ?? 1)),
      timeout: yield* check("timeout", checkDuration(options.timeout ?? defaultTimeout)),
      baseUrl: yield* check(
        "baseUrl",
        Either.flatMap(checkBaseUrl(options.baseUrl ?? defaultBaseUrl), (url) =>
          checkTransport(url, options.allowInsecureHttp ?? false)
        )
      ),
      maxRetries: yield* check("maxRetries", checkRetries(options.maxRetries ?? 3)),
      retryBaseDelay: yield* check("retryBaseDelay", checkDuration(options.retryBaseDelay ?? "500 millis")),
      maxRetryWait: yield* check("maxRetryWait", checkDuration(options.maxRetryWait ?? "30 seconds")),
      rateLimit:
        options.rateLimit === undefined
          ? Option.none()
          : Option.some(yield* check("rateLimit", checkLimit(options.rateLimit))),
      allowInsecureHttp: options.allowInsecureHttp ?? false
    }
  })

/** One variable: read with `config` (unnamed), checked, errors naming the variable. */
const variable = <A, B>(name: string, config: Config.Config<A>, check: (a: A) => Check<B>) =>
  Config.nested(
    Config.mapOrFail(config, (a) => Either.mapLeft(check(a), (message) => ConfigError.InvalidData([], message))),
    name
  )

/** A duration: a bare number is seconds, else a duration such as `30 seconds`. */
const durationVariable = (name: string, fallback: string) =>
  variable(name, Config.string().pipe(Config.withDefault(fallback)), (raw) =>
    checkDuration(/^\s*\d+(\.\d+)?\s*$/.test(raw) ? Duration.seconds(Number(raw)) : raw)
  )

/**
 * The settings read from the environment (or any `ConfigProvider`):
 *
 * | variable | default |
 * |---|---|
 * | `THREATSTACK_API_KEY` | required |
 * | `THREATSTACK_ORG_ID` | none |
 * | `THREATSTACK_API_VERSION` | 1 |
 * | `THREATSTACK_TIMEOUT` | 120 (seconds, or `30 seconds`) |
 * | `THREATSTACK_BASE_URL` | `https://app.threatstack.com/api/v1` |
 * | `THREATSTACK_MAX_RETRIES` | 3 |
 * | `THREATSTACK_RETRY_BASE_DELAY` | `500 millis` |
 * | `THREATSTACK_MAX_RETRY_WAIT` | 30 (seconds) |
 * | `THREATSTACK_RATE_LIMIT` | none (e.g. `200/1 minute`) |
 * | `THREATSTACK_ALLOW_INSECURE_HTTP` | false |
 *
 * A missing key or a bad value is a `ConfigError` naming the variable.
 *
 * @example
 * ```ts
 * import { Config, Effect } from "effect"
 * import { ThreatStackConfig } from "@effect-threatstack/core"
 *
 * // read the same settings under a prefix: MYAPP_THREATSTACK_API_KEY, …
 * const prefixed = Config.nested(ThreatStackConfig.fromEnv, "MYAPP")
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const fromEnv: Config.Config<Settings> = Config.all({
  apiKey: variable("THREATSTACK_API_KEY", Config.redacted(), checkKey),
  orgId: Config.option(Config.string("THREATSTACK_ORG_ID")).pipe(Config.map(Option.filter((id) => id.trim() !== ""))),
  apiVersion: variable("THREATSTACK_API_VERSION", Config.integer().pipe(Config.withDefault(1)), checkApiVersion),
  timeout: durationVariable("THREATSTACK_TIMEOUT", "120"),
  baseUrl: variable("THREATSTACK_BASE_URL", Config.string().pipe(Config.withDefault(defaultBaseUrl)), checkBaseUrl),
  maxRetries: variable("THREATSTACK_MAX_RETRIES", Config.integer().pipe(Config.withDefault(3)), checkRetries),
  retryBaseDelay: durationVariable("THREATSTACK_RETRY_BASE_DELAY", "500 millis"),
  maxRetryWait: durationVariable("THREATSTACK_MAX_RETRY_WAIT", "30"),
  rateLimit: Config.option(variable("THREATSTACK_RATE_LIMIT", Config.string(), parseLimit)),
  allowInsecureHttp: Config.boolean("THREATSTACK_ALLOW_INSECURE_HTTP").pipe(Config.withDefault(false))
}).pipe(
  Config.mapOrFail((settings) =>
    Either.mapLeft(checkTransport(settings.baseUrl, settings.allowInsecureHttp), (message) =>
      ConfigError.InvalidData(["THREATSTACK_BASE_URL"], message)
    ).pipe(Either.map(() => settings))
  )
)

/**
 * The settings from explicit options.
 *
 * @example
 * ```ts
 * import { ThreatStackConfig } from "@effect-threatstack/core"
 *
 * const ConfigLive = ThreatStackConfig.layer({ apiKey: "k", timeout: "10 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<ThreatStackConfig, InvalidArgument> =>
  Layer.effect(ThreatStackConfig, make(options))

/**
 * The settings from `Config` ({@link fromEnv} unless you pass another).
 *
 * @example
 * ```ts
 * import { ThreatStackConfig } from "@effect-threatstack/core"
 *
 * const ConfigLive = ThreatStackConfig.layerConfig()
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Settings> = fromEnv
): Layer.Layer<ThreatStackConfig, ConfigError.ConfigError> => Layer.effect(ThreatStackConfig, config)
