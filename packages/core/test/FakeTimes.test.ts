/**
 * The fake's reading of time ranges (v1 `start`/`end`, v2 `from`/`until`):
 * every form it takes, the span each form covers (a date is its whole day, a
 * time to the second its whole second, `.5` its hundred milliseconds), zone
 * offsets in each spelling, and the texts it refuses, with the 400 it says.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { FakeThreatStack } from "@effect-threatstack/core"
import { call, v1, withFake } from "./fakeCalls.js"

const T = Date.UTC(2017, 4, 31, 8)
/** Alerts at these offsets from 2017-05-31T08:00:00.000Z, named by the offset. */
const offsets = [
  -3_600_001, -1, 0, 1, 99, 100, 499, 509, 510, 599, 600, 999, 1_000, 59_999, 60_000, 3_599_999, 3_600_000, 57_599_999,
  57_600_000
]
const alerts = offsets.map((offset, i) => ({
  id: `at${offset}`,
  title: `alert ${i}`,
  type: "rule",
  severity: 1,
  count: 1,
  active: true,
  dismissed: false,
  unread: true,
  key: "k",
  agent_id: "a",
  rule_id: "r",
  alert_policy_id: "p",
  created_at: T + offset,
  expires_at: null,
  last_notified_at: null,
  last_updated_at: null
}))
const options: FakeThreatStack.Options = {
  data: [{ organization: { id: "5a0000000000000000000000", name: "Acme", role: "owner" }, alerts }]
}

/** The offsets of the alerts v1 lists for `query`, or the 400's message. */
const selected = (fake: FakeThreatStack.Service, query: string) =>
  Effect.map(v1(fake, `alerts?count=1000&${query}`), (answer) =>
    answer.status === 200
      ? (answer.json as ReadonlyArray<{ readonly created_at: number }>)
          .map((a) => a.created_at - T)
          .sort((a, b) => a - b)
      : `${answer.status}: ${(answer.json as { readonly message: string }).message}`
  )

const within = (from: number, to: number) => offsets.filter((offset) => offset >= from && offset <= to)

describe("the fake's time ranges", () => {
  it.effect("each form covers its last unit written: a day, an hour, a minute, a second, a fraction", () =>
    withFake(options, (fake) =>
      Effect.gen(function* () {
        const ends: ReadonlyArray<readonly [string, number]> = [
          ["2017-05-31", 57_599_999],
          ["2017-05-31T08", 3_599_999],
          ["2017-05-31T08:00", 59_999],
          ["2017-05-31T08:00:00", 999],
          ["2017-05-31T08:00:00Z", 999],
          ["2017-05-31T08:00:00.5Z", 599],
          ["2017-05-31T08:00:00.50Z", 509],
          ["2017-05-31T08:00:00.500Z", 500],
          ["2017-05-31T08:00:00.0009Z", 0],
          ["2017-05-31T08:00:00,5Z", 599],
          ["2017-05-31t08:00:00.000z", 0],
          ["2017-05-31 08:00:00.000Z", 0]
        ]
        for (const [end, last] of ends) {
          const expected = within(0, last)
          expect({ end, got: yield* selected(fake, `start=2017-05-31T08:00:00.000Z&end=${end}`) }).toEqual({
            end,
            got: expected
          })
        }
        // a date alone starts at its midnight
        expect(yield* selected(fake, "start=2017-05-31&end=2017-05-31T07:59:59.999Z")).toEqual(within(-3_600_001, -1))
      })
    )
  )

  it.effect("zone offsets, with or without a colon, and a + that arrived as a space", () =>
    withFake(options, (fake) =>
      Effect.gen(function* () {
        for (const start of [
          "2017-05-31T10:00:00.000%2B02:00",
          "2017-05-31T10:00:00.000%2B0200",
          "2017-05-31T10:00:00.000+02:00",
          "2017-05-31T07:00:00.000-01:00",
          "2017-05-31T07:30:00.000-00:30"
        ]) {
          expect({ start, got: yield* selected(fake, `start=${start}&end=2017-05-31T08:00:00.000Z`) }).toEqual({
            start,
            got: [0]
          })
        }
      })
    )
  )

  it.effect("texts that are not a time, or a time that does not exist, are a 400 naming the parameter", () =>
    withFake(options, (fake) =>
      Effect.gen(function* () {
        const bad = [
          "2017-02-29",
          "2017-04-31",
          "2017-13-01",
          "2017-00-01",
          "2017-05-00",
          "2017-05-31T24",
          "2017-05-31T23:60",
          "2017-05-31T23:59:60",
          "2017-05-31T08:00:00.Z",
          "2017-05-31T08:00:00.1234567890Z",
          "2017-05-31T08:00:00+24:00",
          "2017-05-31T08:00:00+02:60",
          "2017-05-31T08:00:00+2:00",
          "x2017-05-31",
          "2017-05-31x",
          "17-05-31",
          "1496217600000"
        ]
        for (const text of bad) {
          const query = encodeURIComponent(text)
          expect(yield* selected(fake, `start=${query}`)).toBe(`400: invalid start date: ${text}`)
          expect(yield* selected(fake, `end=${query}`)).toBe(`400: invalid end date: ${text}`)
        }
        expect(yield* selected(fake, "start=2016-02-29&end=2016-02-29")).toEqual([])
        expect(yield* selected(fake, "start=2017-05-31T08:00:00.001Z&end=2017-05-31T08:00:00.000Z")).toBe(
          "400: start is after end"
        )
        // the same instant as both ends is a range of one millisecond
        expect(yield* selected(fake, "start=2017-05-31T08:00:00.001Z&end=2017-05-31T08:00:00.001Z")).toEqual([1])
        // either end alone
        expect(yield* selected(fake, "start=2017-05-31T08:00:00.600Z")).toEqual(within(600, Number.POSITIVE_INFINITY))
        expect(yield* selected(fake, "end=2017-05-31T07:59:59.999Z")).toEqual(within(Number.NEGATIVE_INFINITY, -1))
      })
    )
  )

  it.effect("v2 reads from/until the same way, and names them", () =>
    withFake(options, (fake) =>
      Effect.gen(function* () {
        const v2 = (query: string) =>
          Effect.map(call(fake, `alerts?status=active&${query}`), (answer) =>
            answer.status === 200
              ? (answer.json as { readonly alerts: ReadonlyArray<{ readonly id: string }> }).alerts
                  .map((a) => Number(a.id.slice(2)))
                  .sort((a, b) => a - b)
              : `${answer.status}: ${(answer.json as { readonly errors: ReadonlyArray<string> }).errors.join("; ")}`
          )
        expect(yield* v2("from=2017-05-31T08:00:00.5Z&until=2017-05-31T08:00:00.5Z")).toEqual(within(500, 599))
        expect(yield* v2("from=2017-05-31T08&until=2017-05-31T08:00:00Z")).toEqual(within(0, 999))
        expect(yield* v2("from=2017-05-32")).toBe("400: invalid from date: 2017-05-32")
        expect(yield* v2("until=2017-05-32")).toBe("400: invalid until date: 2017-05-32")
        expect(yield* v2("from=2017-06-01&until=2017-05-31")).toBe("400: from is after until")
      })
    )
  )
})
