/**
 * v2 alerts: listing (`status` active or dismissed, filters, token pages of
 * up to 100), one alert, its events, counts by severity, and dismissal by
 * ids or by query.
 *
 * @since 0.2.0
 */
import { HttpClientRequest } from "@effect/platform"
import { Effect, type Option, Schema, Stream } from "effect"
import * as RecordDecoder from "../internal/RecordDecoder.js"
import { NullableTimestamp, Timestamp } from "../internal/Timestamp.js"
import { checkId, keepWithin, oneOf, orNone, timeQuery } from "../internal/V2Client.js"
import * as Resource from "../Resource.js"
import { InvalidArgument, type ThreatStackError } from "../ThreatStackError.js"
import * as TimeRange from "../TimeRange.js"
import type { Client } from "./Client.js"

/**
 * An alert as v2 sends it. `severity` is 1 (high) to 3 (low). The text of an
 * `OTHER` dismissal is `dismissReasonText` (the official CLI's name); the
 * API docs' prose says `dismissedReasonText` [conflict], so both are read.
 *
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const open = (alerts: ReadonlyArray<V2.Alerts.Alert>) => alerts.filter((a) => !a.isDismissed && a.severity === 1)
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const Alert = Schema.Struct({
  id: Schema.String,
  title: Schema.String,
  dataSource: Schema.optional(Schema.NullOr(Schema.String)),
  createdAt: Timestamp,
  /** 1 high, 2 medium, 3 low. */
  severity: Schema.Int,
  isDismissed: Schema.optional(Schema.Boolean),
  dismissedAt: Schema.optional(NullableTimestamp),
  dismissReason: Schema.optional(Schema.NullOr(Schema.String)),
  dismissReasonText: Schema.optional(Schema.NullOr(Schema.String)),
  dismissedReasonText: Schema.optional(Schema.NullOr(Schema.String)),
  dismissedBy: Schema.optional(Schema.NullOr(Schema.String)),
  agentId: Schema.optional(Schema.NullOr(Schema.String)),
  ruleId: Schema.optional(Schema.NullOr(Schema.String)),
  rulesetId: Schema.optional(Schema.NullOr(Schema.String)),
  aggregates: Schema.optional(Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
})

/**
 * @example
 * ```ts
 * import { DateTime } from "effect"
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const age = (alert: V2.Alerts.Alert, now: DateTime.Utc) => DateTime.distance(alert.createdAt, now)
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Alert extends Schema.Schema.Type<typeof Alert> {}

/**
 * An event behind an alert. Its shape depends on the event source and is
 * not pinned by any public source, so it stays a plain JSON object.
 *
 * @since 0.2.0
 * @category models
 */
export type Event = Readonly<Record<string, unknown>>

/**
 * How many alerts have each severity.
 *
 * @since 0.2.0
 * @category schemas
 */
export const SeverityCount = Schema.Struct({ severity: Schema.Int, count: Schema.Int })

/**
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const high = (counts: ReadonlyArray<V2.Alerts.SeverityCount>) => counts.find((c) => c.severity === 1)?.count ?? 0
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface SeverityCount extends Schema.Schema.Type<typeof SeverityCount> {}

/**
 * The v2 alerts resource as data.
 *
 * @since 0.2.0
 * @category specs
 */
export const spec = Resource.spec({
  name: "V2.Alerts",
  // Stryker disable next-line StringLiteral: data for users of the spec: no code here reads it (the command line's agents and alerts commands take v1's spec)
  key: "alerts",
  // Stryker disable next-line StringLiteral: data for users of the spec: no code here reads it (the command line's agents and alerts commands take v1's spec)
  singular: "alert",
  generation: 2,
  path: "alerts",
  paging: "token",
  collection: "alerts",
  schema: Alert,
  get: true
})

/**
 * Filters of `alerts.list`. `status` defaults to `"active"` (the API
 * requires one); the API honours `ruleId` and `rulesetId` only with
 * `status: "active"`.
 *
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const highThisMonth: V2.Alerts.ListOptions = { severity: 1, from: "2017-05-01", until: "2017-05-31" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface ListOptions {
  readonly status?: "active" | "dismissed" | undefined
  readonly severity?: 1 | 2 | 3 | undefined
  readonly agentId?: string | undefined
  readonly ruleId?: string | undefined
  readonly rulesetId?: string | undefined
  readonly from?: TimeRange.TimeInput | undefined
  readonly until?: TimeRange.TimeInput | undefined
}

/**
 * Why alerts are dismissed. `OTHER` needs a `text`; the others refuse one.
 *
 * @since 0.2.0
 * @category models
 */
export type DismissReason = "BUSINESS_OP" | "COMPANY_POLICY" | "MAINTENANCE" | "OTHER"

/**
 * The most ids one dismissal request carries (the official CLI's limit,
 * [unconfirmed]); `dismiss` sends more in batches of this size.
 *
 * @since 0.2.0
 */
export const dismissBatchSize = 512

/**
 * The v2 alerts operations.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { ThreatStackV2 } from "@effect-threatstack/core"
 *
 * // dismiss every active low-severity alert of one agent, with a reason
 * const tidy = (agentId: string) =>
 *   Effect.gen(function* () {
 *     const ts = yield* ThreatStackV2.ThreatStackV2
 *     const ids = yield* ts.alerts.list({ agentId, severity: 3 }).pipe(
 *       Stream.map((alert) => alert.id),
 *       Stream.runCollect
 *     )
 *     yield* ts.alerts.dismiss({ ids, reason: "MAINTENANCE" })
 *   })
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /**
   * `GET /v2/alerts`, every page. With a range that does not fall on whole
   * seconds, alerts created outside it are dropped (see `TimeRange.filterV2`).
   */
  readonly list: (options?: ListOptions) => Stream.Stream<Alert, ThreatStackError>
  /** `GET /v2/alerts/{id}`: `None` when the API answers 404. */
  readonly get: (id: string) => Effect.Effect<Option.Option<Alert>, ThreatStackError>
  /** `GET /v2/alerts/{id}/events`: the events that raised the alert (a 404 is `NotFound`). */
  readonly events: (id: string) => Effect.Effect<ReadonlyArray<Event>, ThreatStackError>
  /** `GET /v2/alerts/severity-counts`: a bare array or a `{ severityCounts }` envelope is accepted. */
  readonly severityCounts: (options?: {
    readonly from?: TimeRange.TimeInput | undefined
    readonly until?: TimeRange.TimeInput | undefined
  }) => Effect.Effect<ReadonlyArray<SeverityCount>, ThreatStackError>
  /**
   * `POST /v2/alerts/dismiss` with these ids, in batches of
   * {@link dismissBatchSize}. Dismissing is idempotent, so it is retried like
   * a read.
   */
  readonly dismiss: (options: {
    readonly ids: Iterable<string>
    readonly reason: DismissReason
    readonly text?: string | undefined
  }) => Effect.Effect<void, ThreatStackError>
  /**
   * `POST /v2/alerts/dismiss` by query: every alert created between `from`
   * and `until` that matches at least one of `severity`, `ruleId`, `agentId`
   * (the official CLI requires one, so nobody dismisses a whole month by a
   * slip). Sent as `ruleID`/`agentID`, the official CLI's keys
   * [unconfirmed]. `from`/`until` must fall on whole seconds (the API's
   * unit; `until`'s second is included): an edge with milliseconds is
   * refused rather than widened.
   */
  readonly dismissWhere: (options: {
    readonly from: TimeRange.TimeInput
    readonly until: TimeRange.TimeInput
    readonly severity?: 1 | 2 | 3 | undefined
    readonly ruleId?: string | undefined
    readonly agentId?: string | undefined
    readonly reason: DismissReason
    readonly text?: string | undefined
  }) => Effect.Effect<void, ThreatStackError>
}

const REASONS: ReadonlyArray<DismissReason> = ["BUSINESS_OP", "COMPANY_POLICY", "MAINTENANCE", "OTHER"]

/** The reason and its text, checked: text is required with OTHER and refused otherwise. */
const reasonBody = (reason: unknown, text: unknown) =>
  Effect.gen(function* () {
    yield* oneOf("reason", reason, REASONS, true)
    if (reason === "OTHER" && (typeof text !== "string" || text.trim() === "")) {
      return yield* new InvalidArgument({ argument: "text", detail: "a dismissal with reason OTHER needs a text" })
    }
    if (reason !== "OTHER" && text !== undefined) {
      return yield* new InvalidArgument({
        argument: "text",
        detail: `a text is only sent with reason OTHER, not ${String(reason)}`
      })
    }
    // Stryker disable next-line ConditionalExpression: a key given as undefined is left out of the JSON body anyway; the spread keeps the object free of it
    return text === undefined ? { dismissReason: reason } : { dismissReason: reason, dismissReasonText: text }
  })

const Ok = Schema.Unknown
const Events = Schema.Union(
  Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  Schema.Struct({ events: Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })) })
)
const Counts = Schema.Union(Schema.Array(SeverityCount), Schema.Struct({ severityCounts: Schema.Array(SeverityCount) }))

/**
 * Builds the operations over a v2 client.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStackV2, V2 } from "@effect-threatstack/core"
 *
 * const alerts = Effect.map(ThreatStackV2.ThreatStackV2, (ts) => V2.Alerts.make(ts.client))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (client: Client): Service => {
  const records = RecordDecoder.array(Alert, RecordDecoder.parsed)
  const one = RecordDecoder.record(Alert, RecordDecoder.parsed)
  const post = (body: object) =>
    client.execute(HttpClientRequest.post("alerts/dismiss").pipe(HttpClientRequest.bodyUnsafeJson(body)), Ok, {
      safety: "idempotent"
    })
  return {
    list: (options = {}) =>
      Stream.unwrap(
        Effect.gen(function* () {
          yield* oneOf("status", options.status, ["active", "dismissed"])
          yield* oneOf("severity", options.severity, [1, 2, 3])
          const time = yield* timeQuery(options)
          const query = {
            status: options.status ?? "active",
            severity: options.severity,
            agentId: options.agentId,
            ruleId: options.ruleId,
            rulesetId: options.rulesetId,
            ...time
          }
          // a range that does not fall on whole seconds: drop what the server's whole seconds add
          const keep = yield* keepWithin(options, (alert: Alert) => alert.createdAt)
          return client.list(spec.name, spec.path, query, "alerts", records, { keep })
        })
      ),
    get: Effect.fn("V2.Alerts.get")(function* (id: string) {
      const safe = yield* checkId("id", id)
      return yield* orNone(client.execute(HttpClientRequest.get(`alerts/${safe}`), one))
    }),
    events: Effect.fn("V2.Alerts.events")(function* (id: string) {
      const safe = yield* checkId("id", id)
      const body = yield* client.execute(HttpClientRequest.get(`alerts/${safe}/events`), Events)
      return "events" in body ? body.events : body
    }),
    severityCounts: Effect.fn("V2.Alerts.severityCounts")(function* (options = {}) {
      const time = yield* timeQuery(options)
      const body = yield* client.execute(HttpClientRequest.get("alerts/severity-counts", { urlParams: time }), Counts)
      return "severityCounts" in body ? body.severityCounts : body
    }),
    dismiss: Effect.fn("V2.Alerts.dismiss")(function* (options) {
      const reason = yield* reasonBody(options.reason, options.text)
      const ids = Array.from(options.ids)
      for (const [i, id] of ids.entries()) yield* checkId(`ids[${i}]`, id)
      for (let start = 0; start < ids.length; start += dismissBatchSize) {
        yield* post({ ids: ids.slice(start, start + dismissBatchSize), ...reason })
      }
    }),
    dismissWhere: Effect.fn("V2.Alerts.dismissWhere")(function* (options) {
      const reason = yield* reasonBody(options.reason, options.text)
      if (options.from === undefined || options.until === undefined) {
        return yield* new InvalidArgument({ argument: "from", detail: "dismissing by query needs both from and until" })
      }
      yield* oneOf("severity", options.severity, [1, 2, 3])
      // the API takes whole seconds: rounding a sub-second edge outward would dismiss alerts outside the range
      const from = yield* Effect.mapError(
        TimeRange.parse("start", options.from),
        (e) => new InvalidArgument({ argument: "from", detail: e.detail })
      )
      const until = yield* Effect.mapError(
        TimeRange.parse("end", options.until),
        (e) => new InvalidArgument({ argument: "until", detail: e.detail })
      )
      if (from.from % 1000 !== 0 || (until.to % 1000 !== 0 && (until.to + 1) % 1000 !== 0)) {
        return yield* new InvalidArgument({
          argument: "from",
          detail:
            "dismissing by query takes whole seconds (the API's unit); a range with milliseconds would dismiss alerts outside it"
        })
      }
      if (options.severity === undefined && options.ruleId === undefined && options.agentId === undefined) {
        return yield* new InvalidArgument({
          argument: "severity",
          detail: "dismissing by query needs at least one of severity, ruleId, agentId"
        })
      }
      const time = yield* timeQuery(options)
      yield* post({
        ...time,
        // Stryker disable next-line ConditionalExpression: a key given as undefined is left out of the JSON body anyway; the spread keeps the object free of it
        ...(options.severity === undefined ? {} : { severity: options.severity }),
        // Stryker disable next-line ConditionalExpression: a key given as undefined is left out of the JSON body anyway; the spread keeps the object free of it
        ...(options.ruleId === undefined ? {} : { ruleID: options.ruleId }),
        // Stryker disable next-line ConditionalExpression: a key given as undefined is left out of the JSON body anyway; the spread keeps the object free of it
        ...(options.agentId === undefined ? {} : { agentID: options.agentId }),
        ...reason
      })
    })
  }
}
