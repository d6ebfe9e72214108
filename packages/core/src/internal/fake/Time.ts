/**
 * The fake's own reading of the time parameters (v1 `start`/`end`, v2
 * `from`/`until`), independent of the SDK's `TimeRange` so that a bug there
 * does not cancel out in tests.
 *
 * Accepted (both generations, the tolerant reading):
 * `yyyy-mm-dd`, `yyyy-mm-ddThh`, `yyyy-mm-ddThh:mm`, `yyyy-mm-ddThh:mm:ss`,
 * fractional seconds (`.789012`), an optional `Z` or offset (`+02:00`,
 * `-0500`, or `+` decoded to a space by form encoding), and v1's
 * `yyyy-mm-dd hh:mm:ss` (a space instead of `T`).
 *
 * A bound covers the span its precision names: a date its whole day, an
 * hour its 60 minutes, a second its 1000 ms.
 *
 * @internal
 */

/** The instants a bound covers, in epoch ms, both ends included. */
export interface Span {
  readonly from: number
  readonly to: number
}

const FORM =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(?:([Zz])|([+\- ])(\d{2}):?(\d{2}))?)?$/

const inRange = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max

/** Parses one bound; `undefined` for any other text or an impossible date. */
export const parseTime = (text: string): Span | undefined => {
  const m = FORM.exec(text)
  if (m === null) return undefined
  const [, y, mo, d, h, mi, s, fraction, , sign, offH, offM] = m
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = h === undefined ? 0 : Number(h)
  const minute = mi === undefined ? 0 : Number(mi)
  const second = s === undefined ? 0 : Number(s)
  if (!inRange(month, 1, 12) || !inRange(hour, 0, 23) || !inRange(minute, 0, 59) || !inRange(second, 0, 59)) {
    return undefined
  }
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  if (!inRange(day, 1, daysInMonth)) return undefined
  let offset = 0
  if (sign !== undefined) {
    const oh = Number(offH)
    const om = Number(offM)
    if (!inRange(oh, 0, 23) || !inRange(om, 0, 59)) return undefined
    offset = (sign === "-" ? -1 : 1) * (oh * 60 + om) * 60_000
  }
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000)
  const from = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset
  // the span of the last unit written
  const width =
    h === undefined
      ? 86_400_000
      : mi === undefined
        ? 3_600_000
        : s === undefined
          ? 60_000
          : fraction === undefined
            ? 1_000
            : Math.max(1, 10 ** Math.max(0, 3 - fraction.length))
  return { from, to: from + width - 1 }
}

/**
 * The range two optional bounds select: from the first instant of `from`
 * through the last of `until`. `Left` names the bad parameter.
 */
export const parseRange = (
  fromName: string,
  from: string | null | undefined,
  untilName: string,
  until: string | null | undefined
):
  | { readonly _tag: "Right"; readonly from: number; readonly to: number }
  | { readonly _tag: "Left"; readonly message: string } => {
  const start = from === null || from === undefined ? undefined : parseTime(from)
  const end = until === null || until === undefined ? undefined : parseTime(until)
  if (from !== null && from !== undefined && start === undefined) {
    return { _tag: "Left", message: `invalid ${fromName} date: ${from}` }
  }
  if (until !== null && until !== undefined && end === undefined) {
    return { _tag: "Left", message: `invalid ${untilName} date: ${until}` }
  }
  const range = { from: start?.from ?? Number.NEGATIVE_INFINITY, to: end?.to ?? Number.POSITIVE_INFINITY }
  if (range.from > range.to) return { _tag: "Left", message: `${fromName} is after ${untilName}` }
  return { _tag: "Right", ...range }
}
