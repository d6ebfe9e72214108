import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { Pagination, ThreatStack } from "@effect-threatstack/core"
import { requests, testLayer } from "./utils.js"

const client = ThreatStack.ThreatStack

describe("pagination", () => {
  it.effect("a walk yields every record once and ends at the first empty page", () =>
    Effect.gen(function* () {
      const c = yield* client
      const alerts = yield* Stream.runCollect(c.alerts.list())
      expect(alerts.length).toBe(250)
      expect(new Set(Chunk.map(alerts, (a) => a.id)).size).toBe(250)
      const seen = yield* requests
      expect(seen.map((r) => r.query)).toEqual([
        "page=0&count=100",
        "page=1&count=100",
        "page=2&count=100",
        "page=3&count=100"
      ])
    }).pipe(Effect.provide(testLayer({ counts: { alerts: 250 } })))
  )

  it.effect("a short page does not end the walk (a server capping count loses nothing)", () =>
    Effect.gen(function* () {
      const c = yield* client
      const agents = yield* Stream.runCollect(c.agents.list({ count: 50 }))
      expect(agents.length).toBe(25)
      // the server caps pages at 10: 10, 10, 5, then empty
      expect((yield* requests).length).toBe(4)
    }).pipe(Effect.provide(testLayer({ maxCount: 10 })))
  )

  it.effect("pages are fetched lazily: take(5) costs one request", () =>
    Effect.gen(function* () {
      const c = yield* client
      const five = yield* Stream.runCollect(c.alerts.list().pipe(Stream.take(5)))
      expect(five.length).toBe(5)
      expect((yield* requests).length).toBe(1)
    }).pipe(Effect.provide(testLayer({ counts: { alerts: 1_000_000 } })))
  )

  it.effect("an explicit page yields exactly that page with one request", () =>
    Effect.gen(function* () {
      const c = yield* client
      const all = yield* Stream.runCollect(c.agents.list())
      const third = yield* Stream.runCollect(c.agents.list({ page: 2, count: 10 }))
      expect(Chunk.toReadonlyArray(third)).toEqual(Chunk.toReadonlyArray(all).slice(20, 25))
      const past = yield* Stream.runCollect(c.agents.list({ page: 9, count: 10 }))
      expect(past.length).toBe(0)
      expect((yield* requests).map((r) => r.query).slice(-2)).toEqual(["page=2&count=10", "page=9&count=10"])
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("organizations and policies are one request each", () =>
    Effect.gen(function* () {
      const c = yield* client
      expect((yield* Stream.runCollect(c.organizations.list())).length).toBe(2)
      expect((yield* Stream.runCollect(c.policies.list())).length).toBe(4)
      expect((yield* requests).map((r) => r.path)).toEqual(["organizations", "policies"])
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("Pagination.walk over any page function", () =>
    Effect.gen(function* () {
      const calls: Array<number> = []
      const data = [1, 2, 3, 4, 5]
      const out = yield* Stream.runCollect(
        Pagination.walk((page) =>
          Effect.sync(() => {
            calls.push(page)
            return data.slice(page * 2, page * 2 + 2)
          })
        )
      )
      expect(Chunk.toReadonlyArray(out)).toEqual(data)
      expect(calls).toEqual([0, 1, 2, 3])
    })
  )
})
