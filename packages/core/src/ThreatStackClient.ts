/**
 * The one HTTP pipeline every resource goes through: base URL, auth headers,
 * query encoding, per-attempt timeout, retries with backoff and server wait
 * hints, status → error mapping, JSON parsing and Schema decoding.
 *
 * Resources only say which path, which parameters and which schema; nothing
 * here knows about alerts or agents.
 *
 * @since 0.1.0
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import type { HttpClientError, HttpClientResponse } from "@effect/platform"
import { Clock, Context, Duration, Effect, Either, Layer, Option, ParseResult, Random, Redacted, Schema } from "effect"
import * as RateLimit from "./internal/RateLimit.js"
import { fromSchema } from "./internal/RecordDecoder.js"
import type { Decoder } from "./internal/RecordDecoder.js"
import { ThreatStackConfig } from "./ThreatStackConfig.js"
import type { Settings } from "./ThreatStackConfig.js"
import { NotFound, reasonForStatus, ThreatStackAPIError, Timeout } from "./ThreatStackError.js"

/**
 * The SDK's version, sent in the `User-Agent` header.
 *
 * @example
 * ```ts
 * import { ThreatStackClient } from "@effect-threatstack/core"
 *
 * ThreatStackClient.version // "0.1.0", sent as User-Agent: effect-threatstack/0.1.0
 * ```
 *
 * @since 0.1.0
 */
export const version = "0.1.0"

/**
 * Query parameters: `undefined` values are left out, arrays are joined with
 * commas (the API's form for `fields`).
 *
 * @example
 * ```ts
 * import type { ThreatStackClient } from "@effect-threatstack/core"
 *
 * const query: ThreatStackClient.Query = { page: 0, count: 100, fields: ["id", "title"] } // fields=id,title
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Query = Readonly<Record<string, string | number | ReadonlyArray<string> | undefined>>

/**
 * The errors a request can end with.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { ThreatStackClient } from "@effect-threatstack/core"
 *
 * const describe = (error: ThreatStackClient.RequestError) => `${error._tag} after ${error.attempts} attempt(s)`
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type RequestError = ThreatStackAPIError | Timeout | NotFound

/**
 * What the pipeline offers resources.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { ThreatStackClient } from "@effect-threatstack/core"
 *
 * const raw = Effect.flatMap(ThreatStackClient.ThreatStackClient, (client: ThreatStackClient.Service) =>
 *   client.get("organizations", {}, Schema.Array(Schema.Unknown))
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly settings: Settings
  /**
   * `GET` a path (relative to the base URL), decode the JSON body with a
   * Schema or a `RecordDecoder`. Fields the schema does not name are kept
   * on the result.
   */
  readonly get: <A, I>(
    path: string,
    query: Query,
    decode: Schema.Schema<A, I> | Decoder<A>
  ) => Effect.Effect<A, RequestError>
}

/**
 * The pipeline as a service.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { ThreatStackClient } from "@effect-threatstack/core"
 *
 * // a call the SDK has no method for yet, through the same pipeline
 * Effect.gen(function* () {
 *   const client = yield* ThreatStackClient.ThreatStackClient
 *   return yield* client.get("agents", { count: 5 }, Schema.Array(Schema.Unknown))
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class ThreatStackClient extends Context.Tag("@effect-threatstack/core/ThreatStackClient")<
  ThreatStackClient,
  Service
>() {}

/** Method and URL (with its query, never the key) as errors report them. */
interface Target {
  readonly method: string
  readonly url: string
}

/** Formats a parse issue path the way a reader of JSON expects: `[3].severity`. */
const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path
    .map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`))
    .join("")
    .replace(/^\./, "") || "(root)"

/** The server's own words from an error body: `{"message": …}` or `{"errors": […]}`. */
const detailOf = (body: string, status: number): string => {
  try {
    const json: unknown = JSON.parse(body)
    if (typeof json === "object" && json !== null) {
      if ("message" in json && typeof json.message === "string") return json.message
      if ("errors" in json && Array.isArray(json.errors)) return json.errors.map(String).join("; ")
      if ("error" in json && typeof json.error === "string") return json.error
    }
  } catch {
    // not JSON: fall through to a neutral description
  }
  const text = body.trim()
  return text === "" ? `HTTP ${status} with an empty body` : `HTTP ${status} with a non-JSON body`
}

/** `Retry-After` (seconds or an HTTP date) or `x-rate-limit-reset` (milliseconds). */
const waitHint = (headers: Readonly<Record<string, string>>, now: number): Duration.Duration | undefined => {
  const retryAfter = headers["retry-after"]
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter)
    if (retryAfter.trim() !== "" && Number.isFinite(seconds) && seconds >= 0) return Duration.seconds(seconds)
    const date = Date.parse(retryAfter)
    if (Number.isFinite(date)) return Duration.millis(Math.max(0, date - now))
  }
  const reset = headers["x-rate-limit-reset"]
  if (reset !== undefined) {
    const ms = Number(reset)
    if (reset.trim() !== "" && Number.isFinite(ms) && ms >= 0) return Duration.millis(ms)
  }
  return undefined
}

/** The innermost message of a transport failure, e.g. `connect ECONNREFUSED 127.0.0.1:9`. */
const causeText = (cause: unknown): string | undefined => {
  if (!(cause instanceof Error)) return undefined
  const inner = causeText(cause.cause)
  return inner === undefined ? cause.message : `${cause.message}: ${inner}`
}

const isRetriable = (error: RequestError): boolean =>
  error._tag === "Timeout" ||
  (error._tag === "ThreatStackAPIError" &&
    (error.reason === "RateLimited" || error.reason === "ServerError" || error.reason === "Transport"))

const withAttempts = (error: RequestError, attempts: number): RequestError => {
  switch (error._tag) {
    case "ThreatStackAPIError":
      return new ThreatStackAPIError({ ...error, attempts })
    case "Timeout":
      return new Timeout({ ...error, attempts })
    case "NotFound":
      return new NotFound({ ...error, attempts })
  }
}

/**
 * Builds the pipeline over an `HttpClient` and settings.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import { ThreatStackClient, ThreatStackConfig } from "@effect-threatstack/core"
 *
 * const client = ThreatStackClient.make.pipe(
 *   Effect.provide(ThreatStackConfig.layer({ apiKey: "k" })),
 *   Effect.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, HttpClient.HttpClient | ThreatStackConfig> = Effect.gen(function* () {
  const settings = yield* ThreatStackConfig
  const http = yield* HttpClient.HttpClient
  const gate = yield* RateLimit.make(settings.rateLimit)
  const headers: Record<string, string> = {
    accept: "application/json",
    "user-agent": `effect-threatstack/${version}`
  }
  if (Option.isSome(settings.orgId)) headers.organization = settings.orgId.value

  const failure = (
    target: Target,
    fields: Omit<ConstructorParameters<typeof ThreatStackAPIError>[0], "method" | "url" | "attempts">
  ) => new ThreatStackAPIError({ ...target, attempts: 1, ...fields, detail: scrub(fields.detail) })

  /** A transport's own message may quote a header value: never let it carry the key. */
  const scrub = (text: string) => {
    const key = Redacted.value(settings.apiKey)
    return text.includes(key) ? text.split(key).join("<redacted>") : text
  }

  const transport = (target: Target) => (error: HttpClientError.HttpClientError) =>
    failure(target, {
      reason: "Transport",
      detail:
        error._tag === "RequestError"
          ? `no answer (${causeText(error.cause) ?? error.description ?? error.reason})`
          : `the response body could not be read (${causeText(error.cause) ?? error.description ?? error.reason})`
    })

  const decode = <A>(
    target: Target,
    response: HttpClientResponse.HttpClientResponse,
    body: string,
    decoder: Decoder<A>
  ): Either.Either<A, ThreatStackAPIError> => {
    const invalid = (detail: string, path?: string) =>
      failure(target, {
        reason: "InvalidResponse",
        status: response.status,
        detail,
        requestId: response.headers["x-request-id"],
        path
      })
    let json: unknown
    try {
      json = JSON.parse(body)
    } catch (e) {
      const what = body.trim() === "" ? "an empty body" : `a body that is not JSON (${(e as Error).message})`
      return Either.left(invalid(`expected JSON, got ${what}`))
    }
    return Either.mapLeft(decoder(json), (error) => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
      return invalid(
        `the body does not match the expected shape: ${issue?.message ?? error.message}`,
        formatPath(issue?.path ?? [])
      )
    })
  }

  const attempt = <A>(
    request: HttpClientRequest.HttpClientRequest,
    target: Target,
    decoder: Decoder<A>
  ): Effect.Effect<A, RequestError> =>
    Effect.gen(function* () {
      const response = yield* Effect.mapError(http.execute(request), transport(target))
      const body = yield* Effect.mapError(response.text, transport(target))
      if (response.status >= 200 && response.status < 300) {
        return yield* decode(target, response, body, decoder)
      }
      if (response.status === 404) {
        return yield* new NotFound({
          ...target,
          status: 404,
          detail: scrub(detailOf(body, 404)),
          attempts: 1
        })
      }
      const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
      const retryAfter = waitHint(response.headers, now)
      if (response.status === 429 && retryAfter !== undefined) {
        // every request of this client waits, not just this one
        yield* gate.pause(Duration.min(retryAfter, settings.maxRetryWait))
      }
      return yield* failure(target, {
        reason: reasonForStatus(response.status),
        status: response.status,
        detail: detailOf(body, response.status),
        requestId: response.headers["x-request-id"],
        retryAfter
      })
    }).pipe(
      Effect.timeoutFail({
        duration: settings.timeout,
        onTimeout: () => new Timeout({ ...target, timeout: settings.timeout, attempts: 1 })
      }),
      // waiting at the gate is not part of the attempt's timeout
      (timed) => Effect.zipRight(gate.enter, timed)
    )

  const backoff = (retry: number, error: RequestError) =>
    Effect.gen(function* () {
      const exp = Duration.times(settings.retryBaseDelay, 2 ** (retry - 1))
      const jitter = 0.5 + (yield* Random.next) / 2
      const computed = Duration.millis(Math.round(Duration.toMillis(exp) * jitter))
      const hint = error._tag === "ThreatStackAPIError" ? error.retryAfter : undefined
      const wanted = hint === undefined ? computed : Duration.max(hint, computed)
      return Duration.min(wanted, settings.maxRetryWait)
    })

  const withRetries = <A>(target: Target, run: Effect.Effect<A, RequestError>): Effect.Effect<A, RequestError> => {
    const loop = (attempts: number): Effect.Effect<A, RequestError> =>
      Effect.catchAll(run, (error) => {
        if (!isRetriable(error) || attempts > settings.maxRetries) {
          return Effect.fail(withAttempts(error, attempts))
        }
        return backoff(attempts, error).pipe(
          Effect.tap((delay) =>
            Effect.logDebug("Threat Stack request retried").pipe(
              Effect.annotateLogs({
                cause: error._tag === "ThreatStackAPIError" ? error.reason : error._tag,
                attempt: attempts,
                delay: Duration.format(delay),
                url: target.url
              })
            )
          ),
          Effect.tap((delay) =>
            Effect.all([Effect.currentSpan, Clock.currentTimeNanos]).pipe(
              Effect.tap(([span, now]) =>
                span.event("threatstack.retry", now, {
                  "threatstack.retry.cause": error._tag === "ThreatStackAPIError" ? error.reason : error._tag,
                  "threatstack.retry.attempt": attempts,
                  "threatstack.retry.delay_ms": Duration.toMillis(delay)
                })
              ),
              Effect.ignore
            )
          ),
          Effect.flatMap(Effect.sleep),
          Effect.zipRight(Effect.suspend(() => loop(attempts + 1)))
        )
      })
    return loop(1)
  }

  const get = <A, I>(
    path: string,
    query: Query,
    schemaOrDecoder: Schema.Schema<A, I> | Decoder<A>
  ): Effect.Effect<A, RequestError> => {
    // a Schema is itself callable, so tell the two apart by the Schema's marker
    const decoder: Decoder<A> = Schema.isSchema(schemaOrDecoder)
      ? fromSchema(schemaOrDecoder as Schema.Schema<A, I>)
      : (schemaOrDecoder as Decoder<A>)
    const urlParams: Record<string, string> = {}
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue
      urlParams[key] = typeof value === "string" ? value : typeof value === "number" ? String(value) : value.join(",")
    }
    const url = `${settings.baseUrl}/${path}`
    const search = new URLSearchParams(urlParams).toString()
    const target: Target = { method: "GET", url: search === "" ? url : `${url}?${search}` }
    const request = HttpClientRequest.get(url, { urlParams, headers }).pipe(
      HttpClientRequest.setHeader("authorization", Redacted.value(settings.apiKey))
    )
    return withRetries(target, attempt(request, target, decoder))
  }

  return { settings, get }
})

/**
 * The pipeline as a layer.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 * import { ThreatStackClient, ThreatStackConfig } from "@effect-threatstack/core"
 *
 * const ClientLive = ThreatStackClient.layer.pipe(
 *   Layer.provide(ThreatStackConfig.layer({ apiKey: "k" })),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<ThreatStackClient, never, HttpClient.HttpClient | ThreatStackConfig> = Layer.effect(
  ThreatStackClient,
  make
)
