/**
 * The API's timestamps come in two styles: epoch milliseconds (alerts'
 * `created_at`, logs' `timestamp`) and ISO-8601 strings (agents'
 * `updated_at`, …). Both decode to one comparable type, `DateTime.Utc`.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A timestamp in either style, decoded to `DateTime.Utc`.
 *
 * @example
 * ```ts
 * import { DateTime, Schema } from "effect"
 * import * as Timestamp from "./Timestamp.js" // internal: inside packages/core only
 *
 * const a = Schema.decodeUnknownSync(Timestamp.Timestamp)(1493625600000)
 * const b = Schema.decodeUnknownSync(Timestamp.Timestamp)("2017-05-01T08:00:00.000Z")
 * DateTime.lessThan(a, b) // true
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Timestamp = Schema.Union(Schema.DateTimeUtcFromNumber, Schema.DateTimeUtc)

/**
 * A timestamp that the API may leave `null`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import * as Timestamp from "./Timestamp.js" // internal: inside packages/core only
 *
 * Schema.decodeUnknownSync(Timestamp.NullableTimestamp)(null) // null
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const NullableTimestamp = Schema.NullOr(Timestamp)
