import { HttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Fiber, Layer, Option, Ref, Stream, TestClock } from "effect"
import { FakeThreatStack, ThreatStack } from "@effect-threatstack/core"
import { fakeOptions, requests, testLayer } from "./utils.js"

/** The SDK over the fake, through an HttpClient that counts requests in flight and interrupted. */
const instrumented = (options: FakeThreatStack.Options) => {
  const stats = { inFlight: 0, maxInFlight: 0, interrupted: 0 }
  const http = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(FakeThreatStack.make(fakeOptions(options)), (fake) => {
      const inner = FakeThreatStack.httpClient(fake)
      return HttpClient.make((request) =>
        Effect.suspend(() => {
          stats.inFlight++
          stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
          return inner.execute(request)
        }).pipe(
          Effect.onInterrupt(() => Effect.sync(() => stats.interrupted++)),
          Effect.ensuring(Effect.sync(() => stats.inFlight--))
        )
      )
    })
  )
  const layer = ThreatStack.layer({ apiKey: FakeThreatStack.defaultApiKey, maxRetries: 0 }).pipe(Layer.provide(http))
  return { stats, layer }
}

const ids = <A extends { readonly id: string }>(records: Chunk.Chunk<A>) =>
  Chunk.toReadonlyArray(records).map((r) => r.id)

describe("read-ahead paging", () => {
  it.effect("yields exactly the sequential stream's records, in order", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const sequential = yield* Stream.runCollect(client.alerts.list({ count: 50 }))
      const ahead = yield* Stream.runCollect(client.alerts.list({ count: 50, concurrency: 4 }))
      expect(ids(ahead)).toEqual(ids(sequential))
      expect(ahead.length).toBe(1_234)
      // 25 pages + the empty one; read-ahead may ask for at most 4 more past the end
      const asked = (yield* requests).length - 26
      expect(asked).toBeGreaterThanOrEqual(26)
      expect(asked).toBeLessThanOrEqual(26 + 4)
    }).pipe(Effect.provide(testLayer({ counts: { alerts: 1_234 } })))
  )

  it.effect("keeps up to n requests in flight", () => {
    const { layer, stats } = instrumented({
      counts: { alerts: 1_000 },
      faults: [{ path: "alerts", fault: { _tag: "Latency", delay: "20 millis" } }]
    })
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const fiber = yield* Effect.fork(Stream.runCollect(client.alerts.list({ concurrency: 8 })))
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).length).toBe(1_000)
      expect(stats.maxInFlight).toBe(8)
    }).pipe(Effect.provide(layer))
  })

  it.effect("cancels what is in flight when the consumer stops early", () => {
    const { layer, stats } = instrumented({
      counts: { alerts: 10_000 },
      faults: [{ path: /^alerts$/, fault: { _tag: "Latency", delay: "10 seconds" } }]
    })
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const fiber = yield* Effect.fork(Stream.runCollect(client.alerts.list({ concurrency: 4 }).pipe(Stream.take(5))))
      yield* TestClock.adjust("10 seconds")
      expect((yield* Fiber.join(fiber)).length).toBe(5)
      expect(stats.inFlight).toBe(0)
      expect(stats.interrupted).toBeGreaterThanOrEqual(1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a failing page ends the stream after every record of the pages before it", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const delivered = yield* Ref.make(0)
      const outcome = yield* Effect.either(
        client.alerts.list({ concurrency: 6 }).pipe(Stream.runForEach(() => Ref.update(delivered, (n) => n + 1)))
      )
      expect(Either.isLeft(outcome) && outcome.left._tag).toBe("ThreatStackAPIError")
      expect(yield* Ref.get(delivered)).toBe(300)
    }).pipe(
      Effect.provide(
        testLayer({
          counts: { alerts: 1_000 },
          faults: [{ path: "alerts", page: 3, fault: { _tag: "Status", status: 500 } }]
        })
      )
    )
  )

  it.effect("concurrency must be a whole number ≥ 1; unpaged resources refuse it", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const zero = yield* Effect.flip(Stream.runCollect(client.alerts.list({ concurrency: 0 })))
      expect(zero.message).toBe("invalid concurrency: expected a whole number ≥ 1, got 0")
      const unpaged = yield* Effect.flip(Stream.runCollect(client.policies.list({ concurrency: 2 } as object)))
      expect(unpaged.message).toContain("policies are not paginated")
    }).pipe(Effect.provide(testLayer()))
  )
})

describe("getMany", () => {
  it.effect("returns results in input order, None for a miss, with bounded concurrency", () => {
    const { layer, stats } = instrumented({
      faults: [{ path: /^alerts\//, fault: { _tag: "Latency", delay: "20 millis" } }]
    })
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const wanted = Array.from({ length: 40 }, (_, i) => `a1000000${(39 - i).toString(16).padStart(16, "0")}`)
      const fiber = yield* Effect.fork(client.alerts.getMany([...wanted, "missing"], { concurrency: 5 }))
      yield* TestClock.adjust("1 second")
      const found = yield* Fiber.join(fiber)
      expect(found.slice(0, 40).map((o) => Option.map(o, (a) => a.id))).toEqual(wanted.map(Option.some))
      expect(Option.isNone(found[40]!)).toBe(true)
      expect(stats.maxInFlight).toBe(5)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a failure other than 404 fails the whole", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const error = yield* Effect.flip(client.agents.getMany(["a90000000000000000000000", "a90000000000000000000001"]))
      expect(error._tag === "ThreatStackAPIError" && error.status).toBe(503)
    }).pipe(
      Effect.provide(testLayer({ faults: [{ path: /^agents\//, nth: 2, fault: { _tag: "Status", status: 503 } }] }))
    )
  )
})
