/**
 * The rules of time ranges a user meets: what text forms are dates (whole
 * text only), which years, how a date-only end covers its whole day, how
 * zones and fractions land on the wire's whole seconds, and which records a
 * sub-second range keeps.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { TimeRange } from "@effect-threatstack/core"

const query = (start: TimeRange.TimeInput | undefined, end?: TimeRange.TimeInput) => TimeRange.toQuery({ start, end })

/** The `InvalidArgument` of a refused range: its argument and message. */
const refusal = <A>(result: Either.Either<A, { readonly argument: string; readonly message: string }>) =>
  Either.match(result, {
    onLeft: (error) => ({ argument: error.argument, message: error.message }),
    onRight: () => undefined
  })

describe("start and end", () => {
  it("a start on the end's day is not after a date-only end: the end covers its whole day", () => {
    expect(query("2017-05-01 12:00:00", "2017-05-01")).toEqual(
      Either.right({ start: "2017-05-01 12:00:00", end: "2017-05-01" })
    )
    expect(Either.isRight(query("2017-05-01 23:59:59", "2017-05-01"))).toBe(true)
    expect(Either.isRight(query("2017-05-01T23:59:59.999Z", "2017-05-01"))).toBe(true)
    expect(refusal(query("2017-05-02 00:00:00", "2017-05-01"))).toEqual({
      argument: "start",
      message: "invalid start: start (2017-05-02 00:00:00) is after end (2017-05-01)"
    })
    expect(refusal(TimeRange.toV2Query({ from: "2017-05-02T00:00:00Z", until: "2017-05-01" }))?.argument).toBe("from")
    expect(TimeRange.toV2Query({ from: "2017-05-01 12:00:00", until: "2017-05-01" })).toEqual(
      Either.right({ from: "2017-05-01T12:00:00", until: "2017-05-01T23:59:59" })
    )
  })

  it("a second-precision end covers its whole second", () => {
    expect(Either.isRight(query("2017-05-01T08:00:00.999Z", "2017-05-01 08:00:00"))).toBe(true)
    expect(refusal(query("2017-05-01T08:00:01Z", "2017-05-01 08:00:00"))?.argument).toBe("start")
  })
})

describe("only the whole text is a date", () => {
  it.each([
    "x2017-05-01",
    "2017-05-01x",
    " 2017-05-01",
    "2017-05-01 08:00:00junk",
    "at 2017-05-01 08:00:00",
    "2017-05-01T08:00:00Zjunk",
    "x2017-05-01T08:00:00Z",
    "2017-05-01T08:00:00+02:00:00"
  ])("%j is refused, quoted in the message", (text) => {
    const error = refusal(query(text))
    expect(error?.argument).toBe("start")
    expect(error?.message).toContain(`${JSON.stringify(text)} is not a valid date`)
  })
})

describe("years 1970 to 9999", () => {
  it("the first and last days are accepted, a day either side refused, as text and as a Date", () => {
    expect(query("1970-01-01", "9999-12-31")).toEqual(Either.right({ start: "1970-01-01", end: "9999-12-31" }))
    expect(query(new Date(0), "9999-12-31T23:59:59.999Z")).toEqual(
      Either.right({ start: "1970-01-01 00:00:00", end: "9999-12-31 23:59:59" })
    )
    for (const [start, end] of [
      ["1969-12-31", undefined],
      [new Date(-1), undefined],
      ["1969-12-31T23:59:59Z", undefined],
      [undefined, "9999-12-31T23:59:59-00:01"],
      [undefined, new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 1)]
    ] as const) {
      expect(refusal(query(start, end))?.message).toContain("is outside years 1970 to 9999")
    }
  })
})

describe("zones and fractions", () => {
  it("an ISO time's zone is applied: +02:00 is two hours earlier in UTC, -02:30 later, +0200 too", () => {
    expect(query("2017-05-01T08:00:00+02:00")).toEqual(Either.right({ start: "2017-05-01 06:00:00" }))
    expect(query("2017-05-01T08:00:00-02:30")).toEqual(Either.right({ start: "2017-05-01 10:30:00" }))
    expect(query("2017-05-01T08:00:00+0200")).toEqual(Either.right({ start: "2017-05-01 06:00:00" }))
    expect(query("2017-05-01T08:00:00+14:00")).toEqual(Either.right({ start: "2017-04-30 18:00:00" }))
    expect(query("2017-05-01T08:00:00+05:59")).toEqual(Either.right({ start: "2017-05-01 02:01:00" }))
    // parseWire gives the wire's whole second, in UTC
    expect(TimeRange.parseWire("2017-05-01T08:00:00.250+02:00")?.wire).toBe("2017-05-01 06:00:00")
  })

  it("a zone past ±14 hours or a minute past 59 is refused", () => {
    expect(refusal(query("2017-05-01T08:00:00+15:00"))?.argument).toBe("start")
    expect(refusal(query("2017-05-01T08:00:00+05:60"))?.argument).toBe("start")
  })

  it("an ISO time without seconds covers its minute; with a fraction, one millisecond", () => {
    expect(query("2017-05-01T08:00Z", "2017-05-01T08:00Z")).toEqual(
      Either.right({ start: "2017-05-01 08:00:00", end: "2017-05-01 08:00:59" })
    )
    expect(query("2017-05-01T08:00:00.250Z", "2017-05-01T08:00:00.250Z")).toEqual(
      Either.right({ start: "2017-05-01 08:00:00", end: "2017-05-01 08:00:01" })
    )
    expect(query(undefined, "2017-05-01T08:00:00.123456789Z")).toEqual(Either.right({ end: "2017-05-01 08:00:01" }))
  })

  it("a sub-second range keeps exactly the records inside it, its edges included", () => {
    const at = (ms: number) => Date.UTC(2017, 4, 1, 8, 0, 0, ms)
    const keep = Either.getOrThrow(TimeRange.filter({ start: new Date(at(250)), end: "2017-05-01T08:00:00.750Z" }))
    expect([249, 250, 500, 750, 751].map((ms) => keep?.(at(ms)))).toEqual([false, true, true, true, false])
    const v2 = Either.getOrThrow(TimeRange.filterV2({ from: "2017-05-01T08:00:00.250Z" }))
    expect([249, 250, 5_000].map((ms) => v2?.(at(ms)))).toEqual([false, true, true])
    const until = Either.getOrThrow(TimeRange.filter({ end: "2017-05-01T08:00:00.750Z" }))
    expect([0, 750, 751].map((ms) => until?.(at(ms)))).toEqual([true, true, false])
    // a whole-second ISO end covers its second: nothing to filter, and a start within it is not after it
    expect(Either.getOrThrow(TimeRange.filter({ end: "2017-05-01T08:00:00Z" }))).toBeUndefined()
    expect(Either.isRight(query("2017-05-01T08:00:00.500Z", "2017-05-01T08:00:00Z"))).toBe(true)
    // whole seconds need no filter: the server's range is exact
    expect(Either.getOrThrow(TimeRange.filter({ start: "2017-05-01 08:00:00", end: "2017-05-01" }))).toBeUndefined()
  })
})

describe("what a refusal says", () => {
  it("a value that is no date is described by its type; an out-of-range one as given", () => {
    const bad = (input: unknown) => refusal(query(input as TimeRange.TimeInput))?.message
    expect(bad(null)).toContain("expected a date string, a Date or a DateTime, got null")
    expect(bad(1_493_625_600_000)).toContain("got number")
    expect(bad("1969-12-31")).toBe('invalid start: "1969-12-31" is outside years 1970 to 9999')
    expect(bad(new Date(-1))).toBe("invalid start: 1969-12-31T23:59:59.999Z is outside years 1970 to 9999")
  })

  it("each function names its own arguments", () => {
    expect(refusal(TimeRange.toV2Query({ until: "soon" }))?.argument).toBe("until")
    expect(refusal(TimeRange.toV2Query({ from: "soon" }))?.argument).toBe("from")
    expect(refusal(TimeRange.filter({ start: "soon" }))?.argument).toBe("start")
    expect(refusal(TimeRange.filter({ end: "soon" }))?.argument).toBe("end")
    expect(refusal(TimeRange.filterV2({ from: "soon" }))?.argument).toBe("from")
    expect(refusal(TimeRange.filterV2({ until: "soon" }))?.argument).toBe("until")
  })
})
