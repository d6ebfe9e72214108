/**
 * The client pipeline as a service: every request of the v1 resources goes
 * through `execute` (any method, optional JSON body) or its `get`
 * convenience. Resources only say which method, path, parameters and schema;
 * the pipeline adds the base URL, headers, auth on every attempt, the
 * per-attempt timeout, the rate gate, retries, status → error mapping and
 * decoding (see `internal/Pipeline.ts`).
 *
 * @since 0.1.0
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Context, Effect, Layer, type Schema } from "effect"
import * as Auth from "./internal/Auth.js"
import * as Pipeline from "./internal/Pipeline.js"
import type { Decoder as RecordDecoder } from "./internal/RecordDecoder.js"
import { ThreatStackConfig } from "./ThreatStackConfig.js"
import type { Settings } from "./ThreatStackConfig.js"
import type { NotFound, ThreatStackAPIError, Timeout } from "./ThreatStackError.js"

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
export const version: string = Pipeline.version

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
 * A decoder of a JSON body: any function from the parsed JSON to an
 * `Either` (a `Schema` is accepted wherever a decoder is).
 *
 * @example
 * ```ts
 * import { Either, ParseResult, Schema } from "effect"
 * import type { ThreatStackClient } from "@effect-threatstack/core"
 *
 * const ids: ThreatStackClient.Decoder<ReadonlyArray<string>> = (json) =>
 *   Schema.decodeUnknownEither(Schema.Array(Schema.Struct({ id: Schema.String })))(json).pipe(
 *     Either.map((records) => records.map((r) => r.id))
 *   )
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type Decoder<A> = RecordDecoder<A>

/**
 * How `execute` sends a request: `safety: "create"` (the default for POST)
 * retries only failures where the request cannot have reached the server
 * (refused connection, 429, 503 with `Retry-After`) and ends others in
 * `OutcomeUnknown`; `"idempotent"` (the default for GET, PUT, DELETE)
 * retries every transient failure.
 *
 * @example
 * ```ts
 * import type { ThreatStackClient } from "@effect-threatstack/core"
 *
 * // a POST that is safe to repeat (it sets state rather than adding)
 * const options: ThreatStackClient.ExecuteOptions = { safety: "idempotent" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type ExecuteOptions = Pipeline.ExecuteOptions

/** Query values as the API takes them: arrays joined with commas, numbers as text. */
const urlParams = (query: Query): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue
    out[key] = typeof value === "string" ? value : typeof value === "number" ? String(value) : value.join(",")
  }
  return out
}

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
   * Send any request (its URL relative to the base URL, e.g.
   * `HttpClientRequest.post("widgets")` with a JSON body) through the
   * pipeline and decode the JSON answer (a `204` decodes `undefined`).
   */
  readonly execute: <A, I>(
    request: HttpClientRequest.HttpClientRequest,
    decode: Schema.Schema<A, I> | Decoder<A>,
    options?: ExecuteOptions
  ) => Effect.Effect<A, RequestError>
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
export class ThreatStackClient extends Context.Tag(
  // Stryker disable next-line StringLiteral: the key only has to be unique among services
  "@effect-threatstack/core/ThreatStackClient"
)<ThreatStackClient, Service>() {}

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
 *   Effect.provide(ThreatStackConfig.layer({ apiKey: "my-api-key" })),
 *   Effect.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, HttpClient.HttpClient | ThreatStackConfig> = Effect.gen(function* () {
  const settings = yield* ThreatStackConfig
  const pipeline = yield* Pipeline.make({
    http: yield* HttpClient.HttpClient,
    settings,
    auth: Auth.apiKey(settings.apiKey, settings.orgId),
    headers: { accept: "application/json", "user-agent": `effect-threatstack/${Pipeline.version}` },
    name: "ThreatStack"
  })
  const execute = <A, I>(
    request: HttpClientRequest.HttpClientRequest,
    decode: Schema.Schema<A, I> | Decoder<A>,
    options?: ExecuteOptions
  ) => pipeline.execute(request, Pipeline.toDecoder(decode), options)
  return {
    settings,
    execute,
    get: (path, query, decode) => execute(HttpClientRequest.get(path, { urlParams: urlParams(query) }), decode)
  }
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
 *   Layer.provide(ThreatStackConfig.layer({ apiKey: "my-api-key" })),
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
