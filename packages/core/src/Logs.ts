/**
 * Logs: the organization's audit log. `GET logs` (paged); there is no `get`.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Schema } from "effect"
import * as Resource from "./Resource.js"
import { ThreatStackClient } from "./ThreatStackClient.js"
import { Timestamp } from "./internal/Timestamp.js"

/**
 * What a log entry was about.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Logs } from "@effect-threatstack/core"
 *
 * const context = Schema.decodeUnknownSync(Logs.LogContext)({ id: "a1", type: "agent", name: "web-1" })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const LogContext = Schema.Struct({
  id: Schema.String,
  type: Schema.String,
  name: Schema.String,
  agent: Schema.optional(
    Schema.Struct({ name: Schema.String, policy_id: Schema.NullOr(Schema.String), id: Schema.String })
  )
})

/**
 * An audit log entry. `timestamp` arrives as epoch milliseconds.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Logs } from "@effect-threatstack/core"
 *
 * const decode = Schema.decodeUnknownSync(Logs.Log, { onExcessProperty: "preserve" })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Log = Schema.Struct({
  timestamp: Timestamp,
  user: Schema.NullOr(Schema.String),
  type: Schema.String,
  action: Schema.String,
  description: Schema.String,
  source: Schema.String,
  user_id: Schema.NullOr(Schema.String),
  organization_id: Schema.String,
  context: Schema.Array(LogContext)
})

/**
 * @example
 * ```ts
 * import type { Logs } from "@effect-threatstack/core"
 *
 * const describe = (log: Logs.Log) => `${log.user ?? "system"}: ${log.description}`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Log extends Schema.Schema.Type<typeof Log> {}

/**
 * The logs resource as data (path, schemas, paging, operations):
 * what the service, the fake API and the command line are built from.
 *
 * @example
 * ```ts
 * import { Logs } from "@effect-threatstack/core"
 *
 * Logs.spec.path // "logs"
 * ```
 *
 * @since 0.2.0
 * @category specs
 */
export const spec = Resource.spec({
  name: "Logs",
  key: "logs",
  // Stryker disable next-line StringLiteral: data for users of the spec: no code here reads it (no get, so no 'not found' names it)
  singular: "log",
  generation: 1,
  path: "logs",
  paging: "pages",
  schema: Log,
  get: false
})

/**
 * The logs operations: only `list` (the API has no single-log endpoint).
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Logs } from "@effect-threatstack/core"
 *
 * const logins = Effect.flatMap(Logs.Logs, (logs: Logs.Service) =>
 *   Stream.runCollect(logs.list().pipe(Stream.filter((log) => log.action === "login")))
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `GET logs`, every page until an empty one (or exactly `page`). */
  readonly list: Resource.List<Log, Resource.PagedListOptions>
}

/**
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Logs } from "@effect-threatstack/core"
 *
 * const recent = Effect.gen(function* () {
 *   const logs = yield* Logs.Logs
 *   return yield* Stream.runCollect(logs.list({ start: "2017-05-01 08:00:00" }).pipe(Stream.take(50)))
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Logs extends Context.Tag(
  // Stryker disable next-line StringLiteral: the key only has to be unique among services
  "@effect-threatstack/core/Logs"
)<Logs, Service>() {}

/**
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Logs } from "@effect-threatstack/core"
 *
 * const logs = Logs.make // Effect<Logs.Service, never, ThreatStackClient>
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, ThreatStackClient> = Effect.map(ThreatStackClient, (client) => ({
  ...Resource.make(client, spec)
}))

/**
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Logs, ThreatStackClient } from "@effect-threatstack/core"
 *
 * const LogsOnly = Logs.layer.pipe(Layer.provide(ThreatStackClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Logs, never, ThreatStackClient> = Layer.effect(Logs, make)
