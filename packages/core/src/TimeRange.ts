/**
 * The `start`/`end` time slice of a listing: what a user may pass, how it is
 * checked, and how it is written on the wire.
 *
 * Accepted: a `Date`, an Effect `DateTime`, or a string in one of the API's
 * two forms, `2017-05-01` or `2017-05-01 08:00:00` (both UTC). A date alone
 * covers its whole day: as `start` from 00:00:00, as `end` through 23:59:59.
 * Instants are sent as `YYYY-MM-DD HH:MM:SS` UTC; the API counts in whole
 * seconds, so a `start` is rounded down and an `end` up, never narrowing the
 * slice the caller asked for.
 *
 * @since 0.1.0
 */
import { DateTime, Either } from "effect"
import { InvalidArgument } from "./ThreatStackError.js"

/**
 * A point in time as a caller may give it.
 *
 * @example
 * ```ts
 * import { DateTime } from "effect"
 * import type { TimeRange } from "@effect-threatstack/core"
 *
 * const inputs: ReadonlyArray<TimeRange.TimeInput> = ["2017-05-01", "2017-05-01 08:00:00", new Date(), DateTime.unsafeNow()]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type TimeInput = Date | DateTime.DateTime | string

/**
 * One parsed bound: its text on the wire and the span of instants it stands for.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { TimeRange } from "@effect-threatstack/core"
 *
 * const bound = TimeRange.parse("end", "2017-05-31") // Right({ wire: "2017-05-31", from, to: last ms of the day })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Bound {
  readonly wire: string
  /** First millisecond covered (epoch ms). */
  readonly from: number
  /** Last millisecond covered (epoch ms). */
  readonly to: number
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/
const DAY_MS = 86_400_000
const FORMS = "expected 2017-05-01 or 2017-05-01 08:00:00 (UTC), a Date or a DateTime"

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/**
 * Formats epoch milliseconds as the API's `YYYY-MM-DD HH:MM:SS` (UTC).
 *
 * @example
 * ```ts
 * import { TimeRange } from "@effect-threatstack/core"
 *
 * TimeRange.formatWire(Date.UTC(2017, 4, 1, 8)) // "2017-05-01 08:00:00"
 * ```
 *
 * @since 0.1.0
 */
export const formatWire = (epochMs: number): string => {
  const d = new Date(epochMs)
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes()
  )}:${pad(d.getUTCSeconds())}`
}

const fromParts = (parts: ReadonlyArray<string | undefined>): number | undefined => {
  const [y, mo, d, h = 0, mi = 0, s = 0] = parts.map(Number)
  if (y === undefined || mo === undefined || d === undefined) return undefined
  const ms = Date.UTC(y, mo - 1, d, h, mi, s)
  const back = new Date(ms)
  const valid =
    back.getUTCFullYear() === y &&
    back.getUTCMonth() === mo - 1 &&
    back.getUTCDate() === d &&
    back.getUTCHours() === h &&
    back.getUTCMinutes() === mi &&
    back.getUTCSeconds() === s
  return valid ? ms : undefined
}

/**
 * Parses a string in one of the API's two forms, as the fake API does too.
 * Returns the span of instants it covers, or `undefined` for any other text.
 *
 * @example
 * ```ts
 * import { TimeRange } from "@effect-threatstack/core"
 *
 * TimeRange.parseWire("2017-05-01")?.to // last millisecond of May 1st
 * TimeRange.parseWire("2017-02-30") // undefined
 * ```
 *
 * @since 0.1.0
 */
export const parseWire = (text: string): Bound | undefined => {
  const date = DATE.exec(text)
  if (date) {
    const from = fromParts(date.slice(1))
    return from === undefined ? undefined : { wire: text, from, to: from + DAY_MS - 1 }
  }
  const dateTime = DATE_TIME.exec(text)
  if (dateTime) {
    const at = fromParts(dateTime.slice(1))
    return at === undefined ? undefined : { wire: text, from: at, to: at + 999 }
  }
  return undefined
}

/**
 * Checks one bound. `edge` says which rounding applies to a sub-second instant.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { TimeRange } from "@effect-threatstack/core"
 *
 * Either.isLeft(TimeRange.parse("start", "2017-05-01T08:00")) // true
 * ```
 *
 * @since 0.1.0
 */
export const parse = (edge: "start" | "end", input: TimeInput): Either.Either<Bound, InvalidArgument> => {
  const invalid = (detail: string) => Either.left(new InvalidArgument({ argument: edge, detail }))
  if (typeof input === "string") {
    const bound = parseWire(input)
    return bound ? Either.right(bound) : invalid(`${JSON.stringify(input)} is not a valid date; ${FORMS}`)
  }
  const ms = input instanceof Date ? input.getTime() : DateTime.toEpochMillis(input)
  if (!Number.isFinite(ms)) return invalid(`the Date is invalid; ${FORMS}`)
  const second = edge === "start" ? Math.floor(ms / 1000) * 1000 : Math.ceil(ms / 1000) * 1000
  if (second < 0 || second > Date.UTC(9999, 11, 31, 23, 59, 59)) {
    return invalid(`${new Date(ms).toISOString()} is outside years 1970 to 9999`)
  }
  return Either.right({ wire: formatWire(second), from: second, to: second + 999 })
}

/**
 * Checks a `start`/`end` pair and returns the query parameters to send.
 * `start` after `end` is refused.
 *
 * @example
 * ```ts
 * import { TimeRange } from "@effect-threatstack/core"
 *
 * TimeRange.toQuery({ start: "2017-05-01", end: "2017-05-31" })
 * // Either.right({ start: "2017-05-01", end: "2017-05-31" })
 * ```
 *
 * @since 0.1.0
 */
export const toQuery = (range: {
  readonly start?: TimeInput | undefined
  readonly end?: TimeInput | undefined
}): Either.Either<{ start?: string; end?: string }, InvalidArgument> =>
  Either.gen(function* () {
    const start = range.start === undefined ? undefined : yield* parse("start", range.start)
    const end = range.end === undefined ? undefined : yield* parse("end", range.end)
    if (start && end && start.from > end.to) {
      return yield* Either.left(
        new InvalidArgument({
          argument: "start",
          detail: `start (${start.wire}) is after end (${end.wire})`
        })
      )
    }
    return {
      ...(start ? { start: start.wire } : {}),
      ...(end ? { end: end.wire } : {})
    }
  })
