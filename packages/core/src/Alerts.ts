/**
 * Alerts: what the organization's rules raised. `GET alerts` (paged) and
 * `GET alerts/{id}`, whose body adds `latest_events` and `rule`.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Schema } from "effect"
import * as Resource from "./Resource.js"
import { ThreatStackClient } from "./ThreatStackClient.js"
import { NullableTimestamp, Timestamp } from "./internal/Timestamp.js"

/**
 * An alert as listed. `created_at` and `expires_at` arrive as epoch
 * milliseconds and decode to `DateTime.Utc` like every other timestamp.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Alerts } from "@effect-threatstack/core"
 *
 * const decode = Schema.decodeUnknownSync(Alerts.Alert, { onExcessProperty: "preserve" })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Alert = Schema.Struct({
  id: Schema.String,
  title: Schema.String,
  type: Schema.String,
  /** 1 high, 2 medium, 3 low. */
  severity: Schema.Int,
  count: Schema.Int,
  active: Schema.Boolean,
  dismissed: Schema.Boolean,
  unread: Schema.Boolean,
  key: Schema.String,
  agent_id: Schema.NullOr(Schema.String),
  rule_id: Schema.NullOr(Schema.String),
  alert_policy_id: Schema.NullOr(Schema.String),
  created_at: Timestamp,
  expires_at: NullableTimestamp,
  last_notified_at: NullableTimestamp,
  last_updated_at: NullableTimestamp
})

/**
 * @example
 * ```ts
 * import { DateTime } from "effect"
 * import type { Alerts } from "@effect-threatstack/core"
 *
 * const newestFirst = (a: Alerts.Alert, b: Alerts.Alert) => DateTime.distance(a.created_at, b.created_at)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Alert extends Schema.Schema.Type<typeof Alert> {}

/**
 * The rule that raised an alert, as `GET alerts/{id}` returns it.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Alerts } from "@effect-threatstack/core"
 *
 * Schema.decodeUnknownSync(Alerts.AlertRule)({ original_rule: { name: "Crontab Modified" } })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const AlertRule = Schema.Struct({
  original_rule: Schema.Struct({ name: Schema.String })
})

/**
 * An alert with its details: the latest events (their shape varies by
 * source, so they stay plain JSON objects) and the rule.
 *
 * @example
 * ```ts
 * import type { Alerts } from "@effect-threatstack/core"
 *
 * const ruleName = (alert: Alerts.AlertDetail) => alert.rule.original_rule.name
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const AlertDetail = Schema.Struct({
  ...Alert.fields,
  latest_events: Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  rule: AlertRule
})

/**
 * An alert with its latest events and rule, as `alerts.get` returns it.
 *
 * @since 0.1.0
 * @category models
 */
export interface AlertDetail extends Schema.Schema.Type<typeof AlertDetail> {}

/**
 * The alerts resource as data (path, schemas, paging, operations):
 * what the service, the fake API and the command line are built from.
 *
 * @example
 * ```ts
 * import { Alerts } from "@effect-threatstack/core"
 *
 * Alerts.spec.path // "alerts"
 * ```
 *
 * @since 0.2.0
 * @category specs
 */
export const spec = Resource.spec({
  name: "Alerts",
  key: "alerts",
  singular: "alert",
  generation: 1,
  path: "alerts",
  paging: "pages",
  schema: Alert,
  get: true,
  detail: AlertDetail
})

/**
 * The alerts operations.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Alerts } from "@effect-threatstack/core"
 *
 * const details = (ids: ReadonlyArray<string>) =>
 *   Effect.flatMap(Alerts.Alerts, (alerts: Alerts.Service) => alerts.getMany(ids, { concurrency: 8 }))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `GET alerts`, every page until an empty one (or exactly `page`). */
  readonly list: Resource.List<Alert, Resource.PagedListOptions>
  /** `GET alerts/{id}` with events and rule: `None` when the API answers 404. */
  readonly get: Resource.Get<AlertDetail>
  /** Many `get`s, bounded concurrency (default 8), in input order. */
  readonly getMany: Resource.GetMany<AlertDetail>
}

/**
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Alerts } from "@effect-threatstack/core"
 *
 * const highSeverity = Effect.gen(function* () {
 *   const alerts = yield* Alerts.Alerts
 *   return yield* alerts.list({ start: "2017-05-01", end: "2017-05-31" }).pipe(
 *     Stream.filter((alert) => alert.severity === 1),
 *     Stream.runCollect
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Alerts extends Context.Tag(
  // Stryker disable next-line StringLiteral: the key only has to be unique among services
  "@effect-threatstack/core/Alerts"
)<Alerts, Service>() {}

/**
 * @example
 * ```ts
 * import { Alerts } from "@effect-threatstack/core"
 *
 * const alerts = Alerts.make // Effect<Alerts.Service, never, ThreatStackClient>
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, ThreatStackClient> = Effect.map(ThreatStackClient, (client) =>
  Resource.make(client, spec)
)

/**
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Alerts, ThreatStackClient } from "@effect-threatstack/core"
 *
 * const AlertsOnly = Alerts.layer.pipe(Layer.provide(ThreatStackClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Alerts, never, ThreatStackClient> = Layer.effect(Alerts, make)
