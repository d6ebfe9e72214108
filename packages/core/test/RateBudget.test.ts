/**
 * The client-side rate budget as the server sees it: requests counted when
 * they are sent, so no one-second window at the fake ever holds more than
 * the budget, however slowly the fake answers. Runs under `TestClock`.
 */
import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Layer, Stream, TestClock } from "effect"
import { FakeThreatStack, ThreatStack } from "@effect-threatstack/core"

/**
 * The fake, with the (test) clock time of each request's arrival recorded.
 * The first ten requests take 40 ms to arrive, as over new connections;
 * later ones arrive at once, as over kept-alive sockets: a budget counted at
 * admission instead of at sending lets the second burst land within a
 * second of the first.
 */
const arrivalsAt = (arrivals: Array<number>) => {
  let sent = 0
  return Layer.effect(
    HttpClient.HttpClient,
    Effect.map(FakeThreatStack.FakeThreatStack, (fake) =>
      FakeThreatStack.httpClient(fake).pipe(
        HttpClient.mapRequestEffect((request) =>
          sent++ < 10 ? Effect.as(Effect.sleep("40 millis"), request) : Effect.succeed(request)
        ),
        HttpClient.tapRequest(() => Effect.map(Clock.currentTimeMillis, (now) => void arrivals.push(now)))
      )
    )
  )
}

/** The largest number of arrivals in any window of `width` ms starting at an arrival. */
const busiest = (arrivals: ReadonlyArray<number>, width: number) =>
  Math.max(...arrivals.map((t) => arrivals.filter((u) => u >= t && u < t + width).length))

describe("the rate budget at the server", () => {
  for (const latency of [5, 300, 1500]) {
    it.effect(`50 gets at 10/second with answers taking ${latency} ms: never more than 10 in any second`, () => {
      const arrivals: Array<number> = []
      return Effect.gen(function* () {
        // a realistic epoch, so that arithmetic on "now" is not hidden by a clock at 0
        yield* TestClock.setTime(Date.UTC(2026, 11, 4, 12))
        const ts = yield* ThreatStack.ThreatStack
        const listing = yield* Effect.fork(Stream.runCollect(ts.agents.list({ page: 0, count: 20 })))
        yield* TestClock.adjust("1 minute")
        const ids = Array.from(yield* Fiber.join(listing), (a) => a.id)
        const fake = yield* FakeThreatStack.FakeThreatStack
        yield* fake.addFaults({ fault: { _tag: "Latency", delay: `${latency} millis` } })
        arrivals.length = 0
        const fiber = yield* Effect.fork(
          Effect.forEach(
            Array.from({ length: 50 }, (_, i) => ids[i % ids.length] ?? ""),
            (id) => ts.agents.get(id),
            { concurrency: "unbounded" }
          )
        )
        yield* TestClock.adjust("1 minute")
        const found = yield* Fiber.join(fiber)
        expect(found.filter((agent) => agent._tag === "Some")).toHaveLength(50)
        expect(arrivals).toHaveLength(50)
        expect(busiest(arrivals, 1000)).toBeLessThanOrEqual(10)
        // and the budget is used, not starved: a slot is held from a request's send until a second after
        // its answer, so 50 requests take at most 5 rounds of (latency + 1 second)
        expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeLessThanOrEqual(5 * (latency + 1000))
      }).pipe(
        Effect.provide(
          ThreatStack.layer({
            apiKey: FakeThreatStack.defaultApiKey,
            rateLimit: { limit: 10, interval: "1 second" }
          }).pipe(
            Layer.provide(arrivalsAt(arrivals)),
            Layer.provideMerge(FakeThreatStack.layer({ counts: { agents: 20 } }))
          )
        )
      )
    })
  }
})
