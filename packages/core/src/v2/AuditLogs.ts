/**
 * v2 audit logs: `GET /v2/auditlogs`, token pages of 50, newest first.
 *
 * @since 0.2.0
 */
import { Effect, Schema, Stream } from "effect"
import * as RecordDecoder from "../internal/RecordDecoder.js"
import { Timestamp } from "../internal/Timestamp.js"
import { keepWithin, timeQuery } from "../internal/V2Client.js"
import * as Resource from "../Resource.js"
import type { ThreatStackError } from "../ThreatStackError.js"
import type * as TimeRange from "../TimeRange.js"
import type { Client } from "./Client.js"

/**
 * One audit record: who did what, when, through which source.
 *
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const line = (rec: V2.AuditLogs.AuditRecord) => `${rec.userEmail ?? rec.userId} ${rec.crud} ${rec.action}`
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const AuditRecord = Schema.Struct({
  id: Schema.String,
  userEmail: Schema.optional(Schema.NullOr(Schema.String)),
  userId: Schema.optional(Schema.NullOr(Schema.String)),
  organizationId: Schema.optional(Schema.NullOr(Schema.String)),
  result: Schema.optional(Schema.NullOr(Schema.String)),
  crud: Schema.optional(Schema.NullOr(Schema.String)),
  action: Schema.optional(Schema.NullOr(Schema.String)),
  source: Schema.optional(Schema.NullOr(Schema.String)),
  description: Schema.optional(Schema.NullOr(Schema.String)),
  eventTime: Timestamp,
  context: Schema.optional(Schema.Unknown)
})

/**
 * One v2 audit record.
 *
 * @since 0.2.0
 * @category models
 */
export interface AuditRecord extends Schema.Schema.Type<typeof AuditRecord> {}

/**
 * The v2 audit logs resource as data.
 *
 * @since 0.2.0
 * @category specs
 */
export const spec = Resource.spec({
  name: "V2.AuditLogs",
  key: "audit-logs",
  // Stryker disable next-line StringLiteral: data for users of the spec: no code here reads it (no get command prints it)
  singular: "audit record",
  generation: 2,
  path: "auditlogs",
  paging: "token",
  collection: "recs",
  schema: AuditRecord,
  get: false
})

/**
 * Filters of `auditLogs.list`. Without `from`/`until` the API answers the
 * last 30 days. `userId` travels as `userID`, the API's spelling.
 *
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const deletions: V2.AuditLogs.ListOptions = { operation: "delete", from: "2017-05-01" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface ListOptions {
  readonly from?: TimeRange.TimeInput | undefined
  readonly until?: TimeRange.TimeInput | undefined
  readonly operation?: string | undefined
  readonly userEmail?: string | undefined
  readonly userId?: string | undefined
}

/**
 * The v2 audit log operations.
 *
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /** `GET /v2/auditlogs`, every page. */
  readonly list: (options?: ListOptions) => Stream.Stream<AuditRecord, ThreatStackError>
}

/**
 * Builds the operations over a v2 client.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStackV2, V2 } from "@effect-threatstack/core"
 *
 * const auditLogs = Effect.map(ThreatStackV2.ThreatStackV2, (ts) => V2.AuditLogs.make(ts.client))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (client: Client): Service => {
  const records = RecordDecoder.array(AuditRecord, RecordDecoder.parsed)
  return {
    list: (options = {}) =>
      Stream.unwrap(
        Effect.gen(function* () {
          const time = yield* timeQuery(options)
          const keep = yield* keepWithin(options, (record: AuditRecord) => record.eventTime)
          return client.list(
            spec.name,
            spec.path,
            { ...time, operation: options.operation, userEmail: options.userEmail, userID: options.userId },
            "recs",
            records,
            { keep }
          )
        })
      )
  }
}
