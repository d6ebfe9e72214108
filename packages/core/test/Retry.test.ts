import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Stream, TestClock } from "effect"
import { ThreatStack } from "@effect-threatstack/core"
import type { FakeThreatStack } from "@effect-threatstack/core"
import { requests, testLayer } from "./utils.js"

const retrying = (faults: ReadonlyArray<FakeThreatStack.FaultRule>, maxRetries = 3) =>
  testLayer({ faults, counts: { alerts: 250 } }, { maxRetries, retryBaseDelay: "1 second", maxRetryWait: "30 seconds" })

describe("retries", () => {
  it.effect("503, 503, then 200: recovered after two backoffs", () =>
    Effect.gen(function* () {
      const c = yield* ThreatStack.ThreatStack
      const fiber = yield* Effect.fork(Stream.runCollect(c.policies.list()))
      yield* TestClock.adjust("1 minute")
      const policies = yield* Fiber.join(fiber)
      expect(policies.length).toBe(4)
      expect((yield* requests).length).toBe(3)
    }).pipe(Effect.provide(retrying([{ path: "policies", times: 2, fault: { _tag: "Status", status: 503 } }])))
  )

  it.effect("the server's Retry-After is honoured, never undercut by the backoff", () =>
    Effect.gen(function* () {
      const c = yield* ThreatStack.ThreatStack
      const fiber = yield* Effect.fork(Stream.runCollect(c.policies.list()))
      yield* TestClock.adjust("9 seconds")
      expect((yield* requests).length).toBe(1)
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).length).toBe(4)
      expect((yield* requests).length).toBe(2)
    }).pipe(Effect.provide(retrying([{ path: "policies", times: 1, fault: { _tag: "RateLimit", retryAfter: 10 } }])))
  )

  it.effect("400, 401, 403 and 404 are never retried", () =>
    Effect.gen(function* () {
      const c = yield* ThreatStack.ThreatStack
      const error = yield* Effect.flip(Stream.runCollect(c.policies.list()))
      expect(error._tag === "ThreatStackAPIError" && error.attempts).toBe(1)
      expect((yield* requests).length).toBe(1)
    }).pipe(Effect.provide(retrying([{ path: "policies", fault: { _tag: "Status", status: 403 } }])))
  )

  it.effect("when retries run out the error carries the attempt count", () =>
    Effect.gen(function* () {
      const c = yield* ThreatStack.ThreatStack
      const fiber = yield* Effect.fork(Effect.flip(Stream.runCollect(c.policies.list())))
      yield* TestClock.adjust("10 minutes")
      const error = yield* Fiber.join(fiber)
      expect(error._tag === "ThreatStackAPIError" && [error.reason, error.attempts]).toEqual(["ServerError", 3])
      expect(error.message).toContain("3 attempts")
      expect((yield* requests).length).toBe(3)
    }).pipe(Effect.provide(retrying([{ path: "policies", fault: { _tag: "Status", status: 502 } }], 2)))
  )

  it.effect("a failing middle page is retried in place: no record repeated or skipped", () =>
    Effect.gen(function* () {
      const c = yield* ThreatStack.ThreatStack
      const fiber = yield* Effect.fork(Stream.runCollect(c.alerts.list()))
      yield* TestClock.adjust("1 minute")
      const alerts = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      expect(alerts.length).toBe(250)
      expect(new Set(alerts.map((a) => a.id)).size).toBe(250)
      expect((yield* requests).map((r) => r.query)).toEqual([
        "page=0&count=100",
        "page=1&count=100",
        "page=1&count=100",
        "page=2&count=100",
        "page=3&count=100"
      ])
    }).pipe(Effect.provide(retrying([{ path: "alerts", page: 1, times: 1, fault: { _tag: "Status", status: 500 } }])))
  )

  it.effect("a hung attempt times out and is retried", () =>
    Effect.gen(function* () {
      const c = yield* ThreatStack.ThreatStack
      const fiber = yield* Effect.fork(c.organizations.users("5a0000000000000000000000"))
      yield* TestClock.adjust("1 minute")
      expect((yield* Fiber.join(fiber)).length).toBe(5)
      expect((yield* requests).length).toBe(2)
    }).pipe(
      Effect.provide(
        testLayer(
          { faults: [{ path: /users$/, times: 1, fault: { _tag: "Hang" } }] },
          { timeout: "5 seconds", maxRetries: 1, retryBaseDelay: "1 second" }
        )
      )
    )
  )
})
