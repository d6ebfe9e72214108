import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { type Resource, ThreatStack } from "@effect-threatstack/core"
import { requests, testLayer } from "./utils.js"

const refused = (options: Resource.PagedListOptions & { fields?: ReadonlyArray<"id" | "title"> }) =>
  Effect.gen(function* () {
    const client = yield* ThreatStack.ThreatStack
    const error = yield* Effect.flip(Stream.runCollect(client.alerts.list(options)))
    expect(yield* requests).toHaveLength(0)
    if (error._tag !== "InvalidArgument") throw new Error(`expected InvalidArgument, got ${error._tag}`)
    return error
  }).pipe(Effect.provide(testLayer()))

describe("bad input is refused before any request", () => {
  it.effect("a date string in another form", () =>
    Effect.gen(function* () {
      const error = yield* refused({ start: "05/01/2017" })
      expect(error.argument).toBe("start")
      expect(error.message).toContain('"05/01/2017" is not a valid date')
      expect(error.message).toContain("2017-05-01 08:00:00")
      // ISO-8601 with T is one of the accepted forms now (issue 11); a T form with a bad zone is not
      expect((yield* refused({ end: "2017-05-01T08:00:00+25:00" })).argument).toBe("end")
    })
  )

  it.effect("an invalid calendar date or time", () =>
    Effect.gen(function* () {
      expect((yield* refused({ start: "2017-02-30" })).message).toContain("2017-02-30")
      expect((yield* refused({ start: "2017-05-01 24:00:00" })).argument).toBe("start")
      expect((yield* refused({ end: new Date("nonsense") })).message).toContain("the Date is invalid")
    })
  )

  it.effect("start after end", () =>
    Effect.gen(function* () {
      const error = yield* refused({ start: "2017-05-02", end: "2017-05-01 23:59:59" })
      expect(error.message).toBe("invalid start: start (2017-05-02) is after end (2017-05-01 23:59:59)")
    })
  )

  it.effect("count ≤ 0 or not whole, page < 0", () =>
    Effect.gen(function* () {
      expect((yield* refused({ count: 0 })).message).toBe("invalid count: expected a whole number ≥ 1, got 0")
      expect((yield* refused({ count: 2.5 })).argument).toBe("count")
      expect((yield* refused({ page: -1 })).message).toBe("invalid page: expected a whole number ≥ 0, got -1")
    })
  )

  it.effect("an empty fields list, or an unknown field from untyped code", () =>
    Effect.gen(function* () {
      expect((yield* refused({ fields: [] })).message).toContain("expected at least one field name")
      const untyped = { fields: ["id", "titel"] } as unknown as { fields: ReadonlyArray<"id"> }
      const error = yield* refused(untyped)
      expect(error.message).toContain("unknown field titel for alerts")
    })
  )

  it.effect("an empty id on get or users", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const get = yield* Effect.flip(client.agents.get(""))
      expect(get._tag === "InvalidArgument" && get.argument).toBe("id")
      const users = yield* Effect.flip(client.organizations.users("  "))
      expect(users._tag === "InvalidArgument" && users.argument).toBe("orgId")
      expect(yield* requests).toHaveLength(0)
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("page/count on a resource that does not page (from untyped code)", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const options = { page: 1 } as Resource.ListOptions
      const error = yield* Effect.flip(Stream.runCollect(client.policies.list(options)))
      expect(error.message).toContain("policies are not paginated")
    }).pipe(Effect.provide(testLayer()))
  )
})
