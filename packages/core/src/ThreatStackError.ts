/**
 * The errors of the Threat Stack SDK: four tagged classes an operation can
 * fail with, which a caller can handle by type (`Effect.catchTag("NotFound",
 * …)`), `ConfigurationError` for layers that read their settings from
 * `Config`, and the mapping from an HTTP status to an error reason.
 *
 * None of them ever holds the API key: they carry the method, the URL (which
 * never contains the key; the key travels in a header) and what the caller
 * needs to react.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStack } from "@effect-threatstack/core"
 *
 * const program = Effect.gen(function* () {
 *   const client = yield* ThreatStack.ThreatStack
 *   return yield* client.organizations.users("5a1b…")
 * }).pipe(
 *   Effect.catchTags({
 *     NotFound: () => Effect.succeed([]),
 *     ThreatStackAPIError: (error) =>
 *       error.reason === "RateLimited" ? Effect.succeed([]) : Effect.fail(error)
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 */
import { Data, Duration } from "effect"
import type { ConfigError } from "effect"

/**
 * Why the API call failed, so that a caller can branch without reading the
 * message:
 *
 * - `BadRequest` (400), `Unauthorized` (401), `Forbidden` (403),
 *   `Conflict` (409: v2, e.g. a ruleset name already taken), `RateLimited`
 *   (429), `ServerError` (5xx), `UnexpectedStatus` (any other non-2xx status)
 * - `OutcomeUnknown`: a write that creates (v2 `rulesets.create`, …) may
 *   have reached the server but no answer says whether it was applied (a
 *   timeout, a dropped connection, a 5xx). It is never retried, so nothing
 *   is created twice: look before you try again.
 * - `InvalidResponse`: the body is not JSON, is truncated, does not match
 *   the record schema (see `path`), or is larger than `maxResponseBytes`;
 *   or a listing would never end (the server repeated a page or a token, or
 *   the listing went past `maxPages`). Never retried. Its `detail` never
 *   quotes the body: only the server's JSON `message`/`errors`, a size, a
 *   content type or a JSON type.
 * - `Transport`: no HTTP answer at all (connection refused, reset, DNS…)
 *
 * @example
 * ```ts
 * import type { ThreatStackError } from "@effect-threatstack/core"
 *
 * const transient = (reason: ThreatStackError.Reason) =>
 *   reason === "RateLimited" || reason === "ServerError" || reason === "Transport"
 * ```
 *
 * @since 0.1.0
 */
export type Reason =
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "Conflict"
  | "RateLimited"
  | "ServerError"
  | "UnexpectedStatus"
  | "InvalidResponse"
  | "Transport"
  | "OutcomeUnknown"

/**
 * The API answered with an error, with a body we cannot use, or did not
 * answer at all.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStack } from "@effect-threatstack/core"
 *
 * Effect.gen(function* () {
 *   const client = yield* ThreatStack.ThreatStack
 *   return yield* client.alerts.get("abc")
 * }).pipe(
 *   Effect.catchTag("ThreatStackAPIError", (e) =>
 *     Effect.logError(`${e.reason} ${e.status ?? "-"} after ${e.attempts} attempt(s)`)
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ThreatStackAPIError extends Data.TaggedError("ThreatStackAPIError")<{
  /** What went wrong, for branching. */
  readonly reason: Reason
  /** HTTP method of the request. */
  readonly method: string
  /** The request URL, with its query string; it never holds the key. */
  readonly url: string
  /** The HTTP status, when the server answered. */
  readonly status?: number | undefined
  /** The server's own words (from its JSON error body), or what we found wrong. */
  readonly detail: string
  /** A request id header from the server, when it sent one. */
  readonly requestId?: string | undefined
  /** How many attempts were made, the failing one included. */
  readonly attempts: number
  /** For `RateLimited`: the wait the server asked for, if it said. */
  readonly retryAfter?: Duration.Duration | undefined
  /** For `InvalidResponse` on a schema mismatch: where in the body, e.g. `[3].severity`. */
  readonly path?: string | undefined
}> {
  override get message(): string {
    const status = this.status === undefined ? "" : ` ${this.status}`
    const wait = this.retryAfter === undefined ? "" : ` (retry after ${Duration.format(this.retryAfter)})`
    const at = this.path === undefined ? "" : ` at ${this.path}`
    return `${this.reason}${status}${wait}: ${this.detail}${at} [${this.method} ${this.url}, ${plural(this.attempts)}]`
  }
}

/**
 * A request attempt took longer than the configured `timeout`.
 *
 * @example
 * ```ts
 * import { Duration, Effect } from "effect"
 * import { ThreatStack } from "@effect-threatstack/core"
 *
 * Effect.gen(function* () {
 *   const client = yield* ThreatStack.ThreatStack
 *   return yield* client.policies.get("p1")
 * }).pipe(
 *   Effect.catchTag("Timeout", (e) => Effect.logWarning(`gave up after ${Duration.format(e.timeout)}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class Timeout extends Data.TaggedError("Timeout")<{
  readonly method: string
  readonly url: string
  /** The per-attempt limit that was exceeded. */
  readonly timeout: Duration.Duration
  readonly attempts: number
}> {
  override get message(): string {
    return `no answer within ${Duration.format(this.timeout)} [${this.method} ${this.url}, ${plural(this.attempts)}]`
  }
}

/**
 * The API answered 404 where a miss is an error (for example the users of an
 * unknown organization). `get` never fails with it: a miss there is
 * `Option.none()`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStack } from "@effect-threatstack/core"
 *
 * Effect.gen(function* () {
 *   const client = yield* ThreatStack.ThreatStack
 *   return yield* client.organizations.users("unknown")
 * }).pipe(Effect.catchTag("NotFound", () => Effect.succeed([])))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Data.TaggedError("NotFound")<{
  readonly method: string
  readonly url: string
  /** The server's own words, if it gave any. */
  readonly detail: string
  readonly status: 404
  readonly attempts: number
}> {
  override get message(): string {
    return `not found: ${this.detail} [${this.method} ${this.url}, ${plural(this.attempts)}]`
  }
}

/**
 * An argument was refused before any request was sent: a malformed date,
 * `count: 0`, `start` after `end`, an empty id…
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { ThreatStack } from "@effect-threatstack/core"
 *
 * Effect.gen(function* () {
 *   const client = yield* ThreatStack.ThreatStack
 *   return yield* Stream.runCollect(client.alerts.list({ start: "2017-13-01" }))
 * }).pipe(Effect.catchTag("InvalidArgument", (e) => Effect.logError(e.message)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidArgument extends Data.TaggedError("InvalidArgument")<{
  /** The argument's name, e.g. `start` or `count`. */
  readonly argument: string
  /** What is wrong and what is accepted. */
  readonly detail: string
}> {
  override get message(): string {
    return `invalid ${this.argument}: ${this.detail}`
  }
}

/**
 * One setting that could not be read from `Config`: the variable as the
 * environment names it (`THREATSTACK_API_KEY`, or `MYAPP_THREATSTACK_API_KEY`
 * under `Config.nested`), whether it is missing (unset or empty) or present
 * but wrong, and what is wrong with it.
 *
 * @since 0.2.0
 * @category errors
 */
export interface ConfigProblem {
  /** The variable, path segments joined with `_` as the environment provider joins them. */
  readonly variable: string
  /** `true` when the variable is unset or empty; `false` when its value is wrong. */
  readonly missing: boolean
  /** What is wrong and what is accepted (for a missing variable, what it is for). */
  readonly detail: string
}

/**
 * The settings could not be read from `Config` (`ThreatStack.layerConfig`,
 * `ThreatStackV2.layerConfig`, `ThreatStackConfig.layerConfig` and the
 * `NodeThreatStack` ones). Effect's `ConfigError` is kept as `cause`; the
 * message is one readable line per problem, e.g. `THREATSTACK_API_KEY is
 * not set: the Threat Stack API key (Settings, Application Keys)`.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 * import { ThreatStack } from "@effect-threatstack/core"
 *
 * const Live = ThreatStack.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 *
 * const program = Effect.flatMap(ThreatStack.ThreatStack, (ts) => ts.alerts.get("a1")).pipe(
 *   Effect.provide(Live),
 *   Effect.catchTag("ConfigurationError", (error) =>
 *     Effect.logError(`fix the environment: ${error.problems.map((p) => p.variable).join(", ")}`)
 *   )
 * )
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export class ConfigurationError extends Data.TaggedError("ConfigurationError")<{
  /** Every setting that failed: wrong values first, then missing ones. */
  readonly problems: ReadonlyArray<ConfigProblem>
  /** Effect's own error, for code that inspects it. */
  readonly cause: ConfigError.ConfigError
}> {
  override get message(): string {
    return this.problems
      .map((p) => (p.missing ? `${p.variable} is not set: ${p.detail}` : `${p.variable} is invalid: ${p.detail}`))
      .join("; ")
  }
}

/**
 * Every error a Threat Stack operation can fail with.
 *
 * @example
 * ```ts
 * import { Match } from "effect"
 * import type { ThreatStackError } from "@effect-threatstack/core"
 *
 * const exitCode = Match.type<ThreatStackError.ThreatStackError>().pipe(
 *   Match.tag("InvalidArgument", () => 2),
 *   Match.tag("NotFound", () => 3),
 *   Match.tag("Timeout", () => 6),
 *   Match.tag("ThreatStackAPIError", () => 7),
 *   Match.exhaustive
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export type ThreatStackError = ThreatStackAPIError | Timeout | NotFound | InvalidArgument

/**
 * The reason for a non-2xx status other than 404.
 *
 * @example
 * ```ts
 * import { ThreatStackError } from "@effect-threatstack/core"
 *
 * ThreatStackError.reasonForStatus(429) // "RateLimited"
 * ```
 *
 * @since 0.1.0
 */
export const reasonForStatus = (status: number): Reason => {
  switch (status) {
    case 400:
      return "BadRequest"
    case 401:
      return "Unauthorized"
    case 403:
      return "Forbidden"
    case 409:
      return "Conflict"
    case 429:
      return "RateLimited"
    default:
      return status >= 500 && status <= 599 ? "ServerError" : "UnexpectedStatus"
  }
}

const plural = (attempts: number) => (attempts === 1 ? "1 attempt" : `${attempts} attempts`)
