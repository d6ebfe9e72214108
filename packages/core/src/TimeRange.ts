/**
 * The `start`/`end` (v1) and `from`/`until` (v2) time slice of a listing:
 * what a user may pass, how it is checked, and what goes on the wire. One
 * rule for v1, v2 and the command line.
 *
 * Accepted, each as a `start` or an `end`:
 *
 * - `2017-05-01`: the whole UTC day (as `start` from 00:00:00.000, as `end`
 *   through 23:59:59.999);
 * - `2017-05-01 08:00:00`: that UTC second;
 * - ISO-8601 with `T`: `2017-05-01T08:00` (that minute),
 *   `2017-05-01T08:00:00` (that second), `2017-05-01T08:00:00.250` (that
 *   millisecond), each with `Z`, an offset (`+02:00`, `-0530`) or no zone
 *   (no zone means UTC);
 * - a `Date` or an Effect `DateTime`: that exact millisecond.
 *
 * Every form must fall within years 1970 to 9999 (UTC). `start` after `end`
 * is refused, compared exactly (to the millisecond), before any request.
 *
 * On the wire the API counts whole seconds:
 *
 * - v1 `start`/`end`: the two v1 text forms are sent as given; any other
 *   input as `YYYY-MM-DD HH:MM:SS` UTC, `start` rounded down to its second,
 *   `end` rounded up (an `end` that covers the whole of its last second,
 *   such as `2017-05-01T08:00` = through 08:00:59.999, is sent as that
 *   second, `08:00:59`). The slice sent is never narrower than asked.
 * - v2 `from`/`until`: `YYYY-MM-DDTHH:MM:SS` UTC, rounded the same way.
 *
 * When the range asked for does not fall on whole seconds (a `Date` at
 * 08:00:00.600, `…T08:00:00.250Z`), the server's answer may hold records of
 * the rest of those seconds: the SDK drops them (see {@link filter}), so a
 * listing yields exactly the records whose time is within the range.
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
/** ISO-8601 with `T`: seconds optional, fractional seconds allowed, `Z`/offset optional (none means UTC). */
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/
const DAY_MS = 86_400_000
const FORMS =
  "expected 2017-05-01, 2017-05-01 08:00:00 or 2017-05-01T08:00:00[.sss][Z|+02:00] (no zone: UTC), a Date or a DateTime"
/** The first and last instants accepted: years 1970 to 9999, UTC. */
const FIRST_MS = 0
const LAST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

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

/** `+02:00`, `-0530` as milliseconds east of UTC; `undefined` past 14 hours or 59 minutes. */
const zoneOffset = (zone: string): number | undefined => {
  const sign = zone.startsWith("-") ? -1 : 1
  const digits = zone.slice(1).replace(":", "")
  const hours = Number(digits.slice(0, 2))
  const minutes = Number(digits.slice(2))
  return hours > 14 || minutes > 59 ? undefined : sign * (hours * 60 + minutes) * 60_000
}

/**
 * Parses a time given as text: the API's two v1 forms (`2017-05-01`,
 * `2017-05-01 08:00:00`) or ISO-8601 with `T` (`2017-05-01T08:00`,
 * `2017-05-01T08:00:00.250Z`, `2017-05-01T10:00:00+02:00`; no zone means
 * UTC). Returns the span of instants it covers (a day, a minute, a second or
 * a millisecond), or `undefined` for any other text.
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
  const iso = ISO.exec(text)
  if (iso) {
    const [, y, mo, d, h, mi, sec, fraction, zone] = iso
    const at = fromParts([y, mo, d, h, mi, sec ?? "0"])
    if (at === undefined) return undefined
    const offset = zone === undefined || zone === "Z" ? 0 : zoneOffset(zone)
    if (offset === undefined) return undefined
    const from = at + (fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000)) - offset
    // the bound covers what the text names: a minute, a second, or one millisecond
    const width = sec === undefined ? 60_000 : fraction === undefined ? 1000 : 1
    return { wire: formatWire(Math.floor(from / 1000) * 1000), from, to: from + width - 1 }
  }
  return undefined
}

/** The second an edge is sent as: `start` rounded down; `end` up, unless it covers its whole last second. */
const wireSecond = (edge: "start" | "end", bound: { readonly from: number; readonly to: number }): number =>
  edge === "start"
    ? Math.floor(bound.from / 1000) * 1000
    : (bound.to + 1) % 1000 === 0
      ? Math.floor(bound.to / 1000) * 1000
      : Math.ceil(bound.to / 1000) * 1000

const describe = (input: unknown): string =>
  input === null ? "null" : typeof input === "string" ? JSON.stringify(input) : typeof input

/**
 * Checks one bound: its form, and that it falls within years 1970 to 9999.
 * `edge` says which way an instant that is not a whole second is rounded on
 * the wire; `from`/`to` keep the exact instants.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { TimeRange } from "@effect-threatstack/core"
 *
 * Either.isRight(TimeRange.parse("start", "2017-05-01T08:00")) // true
 * Either.isLeft(TimeRange.parse("start", "1900-01-01")) // true: before 1970
 * ```
 *
 * @since 0.1.0
 */
export const parse = (edge: "start" | "end", input: TimeInput): Either.Either<Bound, InvalidArgument> => {
  const invalid = (detail: string) => Either.left(new InvalidArgument({ argument: edge, detail }))
  let span: { readonly from: number; readonly to: number; readonly text?: string | undefined }
  if (typeof input === "string") {
    const bound = parseWire(input)
    if (bound === undefined) return invalid(`${JSON.stringify(input)} is not a valid date; ${FORMS}`)
    span = { from: bound.from, to: bound.to, text: DATE.test(input) || DATE_TIME.test(input) ? input : undefined }
  } else if (input instanceof Date || DateTime.isDateTime(input)) {
    const ms = input instanceof Date ? input.getTime() : DateTime.toEpochMillis(input)
    if (!Number.isFinite(ms)) return invalid(`the Date is invalid; ${FORMS}`)
    span = { from: ms, to: ms }
  } else {
    // JavaScript callers pass anything: null, a number, an object
    return invalid(`expected a date string, a Date or a DateTime, got ${describe(input)}; ${FORMS}`)
  }
  if (span.from < FIRST_MS || span.to > LAST_MS) {
    const shown = typeof input === "string" ? JSON.stringify(input) : new Date(span.from).toISOString()
    return invalid(`${shown} is outside years 1970 to 9999`)
  }
  return Either.right({ wire: span.text ?? formatWire(wireSecond(edge, span)), from: span.from, to: span.to })
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
  Either.map(bounds(range.start, range.end, "start", "end"), ({ end, start }) => ({
    ...(start ? { start: start.wire } : {}),
    ...(end ? { end: end.wire } : {})
  }))

/** Both edges parsed and checked against each other; errors name the caller's argument. */
const bounds = (
  startInput: TimeInput | undefined,
  endInput: TimeInput | undefined,
  startName: string,
  endName: string
): Either.Either<{ start: Bound | undefined; end: Bound | undefined }, InvalidArgument> =>
  Either.gen(function* () {
    const named = (name: string) => (error: InvalidArgument) =>
      new InvalidArgument({ argument: name, detail: error.detail })
    const start =
      startInput === undefined ? undefined : yield* Either.mapLeft(parse("start", startInput), named(startName))
    const end = endInput === undefined ? undefined : yield* Either.mapLeft(parse("end", endInput), named(endName))
    if (start && end && start.from > end.to) {
      return yield* Either.left(
        new InvalidArgument({
          argument: startName,
          detail: `${startName} (${start.wire}) is after ${endName} (${end.wire})`
        })
      )
    }
    return { start, end }
  })

/**
 * A v2 time range as query parameters: `from`/`until`, each sent as
 * `YYYY-MM-DDTHH:MM:SS` in UTC (the form every v2 source documents). The
 * inputs and checks are {@link parse}'s: the v1 forms, ISO-8601 with `T`,
 * `Date`, `DateTime`; `from` after `until` is refused before any request.
 *
 * @example
 * ```ts
 * import { TimeRange } from "@effect-threatstack/core"
 *
 * TimeRange.toV2Query({ from: "2017-05-01", until: new Date(Date.UTC(2017, 4, 2, 12)) })
 * // Right({ from: "2017-05-01T00:00:00", until: "2017-05-02T12:00:00" })
 * ```
 *
 * @since 0.2.0
 */
export const toV2Query = (range: {
  readonly from?: TimeInput | undefined
  readonly until?: TimeInput | undefined
}): Either.Either<{ from?: string; until?: string }, InvalidArgument> =>
  Either.map(bounds(range.from, range.until, "from", "until"), ({ end, start }) => ({
    ...(start ? { from: v2Wire(wireSecond("start", start)) } : {}),
    ...(end ? { until: v2Wire(wireSecond("end", end)) } : {})
  }))

const v2Wire = (ms: number) => formatWire(ms).replace(" ", "T")

/** The check of a record's time a range needs after the server's whole-second answer; `undefined` when none. */
const exactly = (start: Bound | undefined, end: Bound | undefined): ((epochMs: number) => boolean) | undefined => {
  const from = start !== undefined && start.from % 1000 !== 0 ? start.from : undefined
  const to = end !== undefined && (end.to + 1) % 1000 !== 0 ? end.to : undefined
  if (from === undefined && to === undefined) return undefined
  return (ms) => (from === undefined || ms >= from) && (to === undefined || ms <= to)
}

/**
 * The records' time check of a v1 range (`start`/`end`): the server answers
 * whole seconds, so a range that does not fall on whole seconds (a `Date` at
 * 08:00:00.600) gets records of the rest of those seconds; `list` drops
 * those whose time fails this check. `undefined` when the server's answer
 * is already exact. Checks the range as {@link toQuery} does.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { TimeRange } from "@effect-threatstack/core"
 *
 * const check = TimeRange.filter({
 *   start: new Date(Date.UTC(2017, 4, 1, 8, 0, 0, 600)),
 *   end: new Date(Date.UTC(2017, 4, 1, 8, 0, 0, 700))
 * })
 * // Right(f): f(Date.UTC(2017, 4, 1, 8, 0, 0, 650)) is true, f(Date.UTC(2017, 4, 1, 8, 0, 0, 800)) false
 * ```
 *
 * @since 0.2.0
 */
export const filter = (range: {
  readonly start?: TimeInput | undefined
  readonly end?: TimeInput | undefined
}): Either.Either<((epochMs: number) => boolean) | undefined, InvalidArgument> =>
  Either.map(bounds(range.start, range.end, "start", "end"), ({ end, start }) => exactly(start, end))

/**
 * {@link filter} for a v2 range (`from`/`until`).
 *
 * @example
 * ```ts
 * import { TimeRange } from "@effect-threatstack/core"
 *
 * TimeRange.filterV2({ from: "2017-05-01", until: "2017-05-31" }) // Right(undefined): whole seconds, nothing to drop
 * ```
 *
 * @since 0.2.0
 */
export const filterV2 = (range: {
  readonly from?: TimeInput | undefined
  readonly until?: TimeInput | undefined
}): Either.Either<((epochMs: number) => boolean) | undefined, InvalidArgument> =>
  Either.map(bounds(range.from, range.until, "from", "until"), ({ end, start }) => exactly(start, end))
