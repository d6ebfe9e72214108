/**
 * The fault suite: one test per fault, each asserting the outcome (the
 * recovered result or the exact tagged error), the number of requests made,
 * and for listings the exact records delivered. Run three times: over the
 * in-memory fake with `TestClock`, and over the fake served on a port with
 * real time, through Node's HTTP client (undici) and through `fetch`
 * (`FetchThreatStack`).
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Either, Fiber, Layer, Ref, Schema, Stream, TestClock } from "effect"
import { FakeThreatStack, FetchThreatStack, ThreatStack, ThreatStackClient } from "@effect-threatstack/core"
import type { ThreatStackConfig, ThreatStackError } from "@effect-threatstack/core"
import { FakeServer } from "@effect-threatstack/node"

type Settings = Omit<ThreatStackConfig.Options, "apiKey" | "baseUrl">

interface Harness {
  /** The SDK and the fake, with `faults`. */
  readonly layer: (
    faults: ReadonlyArray<FakeThreatStack.FaultRule>,
    settings?: Settings
  ) => Layer.Layer<ThreatStack.Services | FakeThreatStack.FakeThreatStack, ThreatStackError.InvalidArgument>
  /** Runs an effect that sleeps: TestClock advanced for the in-memory fake, real time over HTTP. */
  readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

const fake: FakeThreatStack.Options = { now: Date.UTC(2017, 5, 1), counts: { alerts: 1_000 } }
const fast: Settings = { retryBaseDelay: "5 millis", maxRetryWait: "2 seconds", timeout: "400 millis" }

const harnesses: Record<string, Harness> = {
  "in-memory fake, TestClock": {
    layer: (faults, settings = {}) =>
      ThreatStack.layer({ apiKey: FakeThreatStack.defaultApiKey, ...fast, ...settings }).pipe(
        Layer.provideMerge(FakeThreatStack.layer({ ...fake, faults }))
      ),
    run: (effect) =>
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(effect)
        yield* TestClock.adjust("10 minutes")
        return yield* Fiber.join(fiber)
      })
  },
  "served fake over HTTP": {
    layer: (faults, settings = {}) => FakeServer.layerWithClient({ ...fake, faults }, { ...fast, ...settings }),
    run: (effect) => effect
  },
  "served fake over fetch": {
    layer: (faults, settings = {}) =>
      FakeServer.layerWithClient({ ...fake, faults }, { ...fast, ...settings }, FetchThreatStack.layerHttpClient),
    run: (effect) => effect
  }
}

const requestCount = Effect.flatMap(FakeThreatStack.FakeThreatStack, (f) => Effect.map(f.requests, (r) => r.length))
const policies = Effect.flatMap(ThreatStack.ThreatStack, (c) => Stream.runCollect(c.policies.list()))
const allAlerts = Effect.flatMap(ThreatStack.ThreatStack, (c) =>
  Effect.map(Stream.runCollect(c.alerts.list()), Chunk.toReadonlyArray)
)

const apiError = (error: ThreatStackError.ThreatStackError) => {
  if (error._tag !== "ThreatStackAPIError")
    throw new Error(`expected ThreatStackAPIError, got ${error._tag}: ${error.message}`)
  return error
}

describe.each(Object.entries(harnesses))("faults over the %s", (_name, h) => {
  const test = (
    name: string,
    faults: ReadonlyArray<FakeThreatStack.FaultRule>,
    body: Effect.Effect<void, unknown, ThreatStack.Services | FakeThreatStack.FakeThreatStack>,
    settings?: Settings
  ) => {
    const effect = Effect.provide(body, h.layer(faults, settings))
    return _name.includes("TestClock") ? it.effect(name, () => effect) : it.live(name, () => effect)
  }

  test(
    "a burst of 500, 502, 503, 504 is ridden through",
    [500, 502, 503, 504].map((status, i) => ({
      path: "policies",
      nth: i + 1,
      fault: { _tag: "Status", status } as const
    })),
    Effect.gen(function* () {
      const result = yield* h.run(policies)
      expect(result.length).toBe(4)
      expect(yield* requestCount).toBe(5)
    }),
    { maxRetries: 4 }
  )

  test(
    "429 with Retry-After is waited out, then recovered",
    [{ path: "policies", times: 1, fault: { _tag: "RateLimit", retryAfter: 1 } }],
    Effect.gen(function* () {
      const started = Date.now()
      const result = yield* h.run(policies)
      expect(result.length).toBe(4)
      expect(yield* requestCount).toBe(2)
      if (!_name.includes("TestClock")) expect(Date.now() - started).toBeGreaterThanOrEqual(990)
    })
  )

  test(
    "429 with x-rate-limit-reset is waited out, then recovered",
    [{ path: "policies", times: 1, fault: { _tag: "RateLimit", resetMs: 300 } }],
    Effect.gen(function* () {
      const started = Date.now()
      expect((yield* h.run(policies)).length).toBe(4)
      expect(yield* requestCount).toBe(2)
      if (!_name.includes("TestClock")) expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    })
  )

  test(
    "a hung response times out per attempt and is retried",
    [{ path: "policies", times: 1, fault: { _tag: "Hang" } }],
    Effect.gen(function* () {
      expect((yield* h.run(policies)).length).toBe(4)
      expect(yield* requestCount).toBe(2)
    })
  )

  test(
    "a response that always hangs ends in Timeout with the attempt count",
    [{ path: "policies", fault: { _tag: "Hang" } }],
    Effect.gen(function* () {
      const error = yield* h.run(Effect.flip(policies))
      expect(error._tag).toBe("Timeout")
      expect(error._tag === "Timeout" && [Duration.toMillis(error.timeout), error.attempts]).toEqual([400, 2])
      expect(yield* requestCount).toBe(2)
    }),
    { maxRetries: 1 }
  )

  test(
    "a truncated JSON body fails fast as InvalidResponse",
    [{ path: "policies", fault: { _tag: "Truncate" } }],
    Effect.gen(function* () {
      const error = apiError(yield* h.run(Effect.flip(policies)))
      expect([error.reason, error.status, error.attempts]).toEqual(["InvalidResponse", 200, 1])
      expect(error.detail).toMatch(/^expected JSON, got a body that is not JSON/)
      expect(yield* requestCount).toBe(1)
    })
  )

  test(
    "a wrong-typed field fails fast, naming the field",
    [{ path: "policies", fault: { _tag: "WrongType", field: "agent_count" } }],
    Effect.gen(function* () {
      const error = apiError(yield* h.run(Effect.flip(policies)))
      expect([error.reason, error.path, error.attempts]).toEqual(["InvalidResponse", "[0].agent_count", 1])
      expect(yield* requestCount).toBe(1)
    })
  )

  test(
    "a proxy's HTML error page is a ServerError, retried, then recovered",
    [{ path: "policies", times: 1, fault: { _tag: "Html", status: 502 } }],
    Effect.gen(function* () {
      expect((yield* h.run(policies)).length).toBe(4)
      expect(yield* requestCount).toBe(2)
    })
  )

  test(
    "an HTML error page that persists names what came back",
    [{ path: "policies", fault: { _tag: "Html", status: 502 } }],
    Effect.gen(function* () {
      const error = apiError(yield* h.run(Effect.flip(policies)))
      expect([error.reason, error.status, error.detail, error.attempts]).toEqual([
        "ServerError",
        502,
        "HTTP 502 with a non-JSON body",
        3
      ])
      expect(yield* requestCount).toBe(3)
    }),
    { maxRetries: 2 }
  )

  test(
    "an empty 503 body is retried, then recovered",
    [{ path: "policies", times: 1, fault: { _tag: "EmptyBody", status: 503 } }],
    Effect.gen(function* () {
      expect((yield* h.run(policies)).length).toBe(4)
      expect(yield* requestCount).toBe(2)
    })
  )

  test(
    "a connection dropped mid-body is a Transport failure, retried, then recovered",
    [{ path: "policies", times: 1, fault: { _tag: "Drop" } }],
    Effect.gen(function* () {
      expect((yield* h.run(policies)).length).toBe(4)
      expect(yield* requestCount).toBe(2)
    })
  )

  test(
    "a connection always dropped ends in Transport with the attempt count",
    [{ path: "policies", fault: { _tag: "Drop" } }],
    Effect.gen(function* () {
      const error = apiError(yield* h.run(Effect.flip(policies)))
      expect([error.reason, error.attempts]).toEqual(["Transport", 2])
      expect(error.detail).toMatch(/^the response body could not be read/)
    }),
    { maxRetries: 1 }
  )

  test(
    "401 and 403 are not retried",
    [
      { path: "policies", fault: { _tag: "Status", status: 401 } },
      { path: "agents", fault: { _tag: "Status", status: 403 } }
    ],
    Effect.gen(function* () {
      const unauthorized = apiError(yield* Effect.flip(policies))
      expect([unauthorized.reason, unauthorized.attempts]).toEqual(["Unauthorized", 1])
      const forbidden = apiError(
        yield* Effect.flip(Effect.flatMap(ThreatStack.ThreatStack, (c) => Stream.runCollect(c.agents.list())))
      )
      expect([forbidden.reason, forbidden.attempts]).toEqual(["Forbidden", 1])
      expect(yield* requestCount).toBe(2)
    })
  )

  test(
    "a fault on the middle page of a long listing: the exact records, in order",
    [{ path: "alerts", page: 5, times: 2, fault: { _tag: "Status", status: 503 } }],
    Effect.gen(function* () {
      const alerts = yield* h.run(allAlerts)
      expect(alerts.map((a) => a.id)).toEqual(
        Array.from({ length: 1_000 }, (_, i) => `a1000000${i.toString(16).padStart(16, "0")}`)
      )
      expect(yield* requestCount).toBe(11 + 2)
    })
  )

  /** A page of alerts exactly as the fake sends it (JSON text), to serve again where it does not belong. */
  const rawAlerts = (path: string, query: ThreatStackClient.Query) =>
    Effect.flatMap(ThreatStackClient.ThreatStackClient, (c) =>
      Effect.map(c.get(path, query, Schema.Unknown), (json) => JSON.stringify(json))
    )

  /** Every alert id the listing delivers before it ends, and how it ends. */
  const walkAlerts = (concurrency: number) =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const delivered: Array<string> = []
      const outcome = yield* h.run(
        Effect.either(
          client.alerts
            .list({ concurrency })
            // bounded, so that a walk without the guard fails here instead of running forever
            .pipe(
              Stream.take(5_000),
              Stream.runForEach((a) => Effect.sync(() => delivered.push(a.id)))
            )
        )
      )
      return { delivered, outcome }
    })

  test(
    "a server that answers past the end with the last page again: InvalidResponse after every record, sequential and read-ahead",
    [],
    Effect.gen(function* () {
      const fake = yield* FakeThreatStack.FakeThreatStack
      // 1,000 alerts: pages 0 to 9; page 10 answers page 9 again
      yield* fake.addFaults({
        path: "alerts",
        page: 10,
        fault: { _tag: "Status", status: 200, body: yield* rawAlerts("alerts", { page: 9, count: 100 }) }
      })
      for (const concurrency of [1, 4]) {
        const { delivered, outcome } = yield* walkAlerts(concurrency)
        expect(Either.isLeft(outcome) && apiError(outcome.left).reason).toBe("InvalidResponse")
        expect(Either.isLeft(outcome) && outcome.left.message).toContain("the server repeated page 9 as page 10")
        expect(delivered.length).toBe(1_000)
        expect(new Set(delivered).size).toBe(1_000)
      }
    })
  )

  test(
    "a server that ignores page (every page is page 0): InvalidResponse after the first page",
    [],
    Effect.gen(function* () {
      const fake = yield* FakeThreatStack.FakeThreatStack
      const first = yield* rawAlerts("alerts", { page: 0, count: 100 })
      for (let page = 1; page < 12; page++) {
        yield* fake.addFaults({ path: "alerts", page, fault: { _tag: "Status", status: 200, body: first } })
      }
      const { delivered, outcome } = yield* walkAlerts(1)
      expect(Either.isLeft(outcome) && outcome.left.message).toContain("the server repeated page 0 as page 1")
      expect(delivered.length).toBe(100)
    })
  )

  test(
    "a timestamp no Date can hold (created_at 1e20) is InvalidResponse in list and get, not a defect",
    [],
    Effect.gen(function* () {
      const fake = yield* FakeThreatStack.FakeThreatStack
      const page = JSON.parse(yield* rawAlerts("alerts", { page: 0, count: 2 })) as Array<Record<string, unknown>>
      const id = String(page[0]?.id)
      const detail = JSON.parse(yield* rawAlerts(`alerts/${id}`, {})) as Record<string, unknown>
      yield* fake.addFaults(
        {
          path: "alerts",
          fault: { _tag: "Status", status: 200, body: JSON.stringify(page.map((a) => ({ ...a, created_at: 1e20 }))) }
        },
        {
          path: /^alerts\//,
          fault: { _tag: "Status", status: 200, body: JSON.stringify({ ...detail, created_at: -9e15 }) }
        }
      )
      const client = yield* ThreatStack.ThreatStack
      const listed = apiError(yield* h.run(Effect.flip(Stream.runCollect(client.alerts.list({ page: 0 })))))
      expect([listed.reason, listed.path, listed.attempts]).toEqual(["InvalidResponse", "[0].created_at", 1])
      const got = apiError(yield* h.run(Effect.flip(client.alerts.get(id))))
      expect([got.reason, got.path, got.attempts]).toEqual(["InvalidResponse", "created_at", 1])
    })
  )

  test(
    "when retries run out mid-listing, the stream fails after exactly the records before it",
    [{ path: "alerts", page: 5, fault: { _tag: "Status", status: 503 } }],
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const delivered = yield* Ref.make<Array<string>>([])
      const outcome = yield* h.run(
        Effect.either(client.alerts.list().pipe(Stream.runForEach((a) => Ref.update(delivered, (d) => [...d, a.id]))))
      )
      expect(Either.isLeft(outcome) && apiError(outcome.left).reason).toBe("ServerError")
      const ids = yield* Ref.get(delivered)
      expect(ids).toHaveLength(500)
      expect(ids[499]).toBe(`a1000000${(499).toString(16).padStart(16, "0")}`)
      expect(yield* requestCount).toBe(5 + 3)
    }),
    { maxRetries: 2 }
  )
})

describe("one rate gate per client", () => {
  it.effect("a 429 on one fiber holds every fiber of the client until the wait is over", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const first = yield* Effect.fork(Stream.runCollect(client.policies.list()))
      yield* TestClock.adjust("1 millis") // the 429 has arrived: the gate is closed for 5 s
      expect(yield* requestCount).toBe(1)
      const others = yield* Effect.fork(
        Effect.all([client.agents.get("a90000000000000000000000"), Stream.runCollect(client.logs.list({ page: 0 }))], {
          concurrency: "unbounded"
        })
      )
      yield* TestClock.adjust("4 seconds")
      expect(yield* requestCount).toBe(1) // nobody has sent anything during the wait
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(first)
      yield* Fiber.join(others)
      expect(yield* requestCount).toBe(4)
    }).pipe(
      Effect.provide(
        harnesses["in-memory fake, TestClock"]!.layer(
          [{ path: "policies", times: 1, fault: { _tag: "RateLimit", retryAfter: 5 } }],
          { maxRetryWait: "30 seconds" }
        )
      )
    )
  )

  it.effect("a client-side limit keeps every window under the budget, across fibers", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const fake = yield* FakeThreatStack.FakeThreatStack
      const fiber = yield* Effect.fork(
        Effect.forEach(Array.from({ length: 12 }), () => client.agents.get("a90000000000000000000001"), {
          concurrency: "unbounded"
        })
      )
      yield* TestClock.adjust("1 millis")
      expect((yield* fake.requests).length).toBe(5)
      yield* TestClock.adjust("998 millis")
      expect((yield* fake.requests).length).toBe(5)
      yield* TestClock.adjust("1 millis")
      expect((yield* fake.requests).length).toBe(10)
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).length).toBe(12)
    }).pipe(
      Effect.provide(
        harnesses["in-memory fake, TestClock"]!.layer([], { rateLimit: { limit: 5, interval: "1 second" } })
      )
    )
  )

  it.effect("an interrupted caller stops its pending retries at once", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const fiber = yield* Effect.fork(Stream.runCollect(client.policies.list()))
      yield* TestClock.adjust("1 millis")
      expect(yield* requestCount).toBe(1)
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("10 minutes")
      expect(yield* requestCount).toBe(1)
    }).pipe(
      Effect.provide(
        harnesses["in-memory fake, TestClock"]!.layer([{ path: "policies", fault: { _tag: "Status", status: 503 } }], {
          retryBaseDelay: "1 second",
          maxRetries: 5
        })
      )
    )
  )

  it.effect("a caller's Effect.timeout bounds the whole operation, retries included", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const fiber = yield* Effect.fork(
        Stream.runCollect(client.policies.list()).pipe(Effect.timeout("3 seconds"), Effect.either)
      )
      yield* TestClock.adjust("10 minutes")
      const outcome = yield* Fiber.join(fiber)
      expect(Either.isLeft(outcome) && outcome.left._tag).toBe("TimeoutException")
      expect(yield* requestCount).toBeLessThan(5)
    }).pipe(
      Effect.provide(
        harnesses["in-memory fake, TestClock"]!.layer([{ path: "policies", fault: { _tag: "Status", status: 503 } }], {
          retryBaseDelay: "1 second",
          maxRetries: 10
        })
      )
    )
  )
})
