/**
 * The request timeout on the live clock (the SDK's own timer there, with one
 * fiber per attempt; under TestClock the suites drive Effect's): a timeout
 * ends the request in flight before it is reported, a caller's interruption
 * ends it too, and a timeout longer than a timer holds still waits.
 */
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Exit, Fiber, FiberRef, Layer, Option } from "effect"
import { ThreatStack } from "@effect-threatstack/core"
import { alertDetail, v1Over } from "./scriptedHttp.js"

const alertId = (i: number) => `al${i}`

/**
 * A transport that answers `{ id }` after `answerAfter` milliseconds of real
 * time, and records each request it was made to drop (its fiber interrupted).
 */
const slowServer = (answerAfter: number) => {
  const dropped: Array<string> = []
  const arrived = Effect.runSync(Deferred.make<void>())
  const client = HttpClient.make((request, url) =>
    Deferred.succeed(arrived, undefined).pipe(
      Effect.zipRight(Effect.sleep(answerAfter)),
      Effect.as(HttpClientResponse.fromWeb(request, Response.json(alertDetail(url.pathname.split("/").pop() ?? "")))),
      Effect.onInterrupt(() => Effect.sync(() => dropped.push(url.pathname)))
    )
  )
  return { dropped, arrived, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

describe("the request timeout on the live clock", () => {
  it.live("a request past its timeout is dropped, then reported as Timeout (after each retry)", () => {
    const server = slowServer(60_000)
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const error = yield* Effect.flip(client.alerts.get(alertId(1)))
      expect(error._tag).toBe("Timeout")
      if (error._tag !== "Timeout") return
      expect([Duration.toMillis(error.timeout), error.attempts]).toEqual([50, 2])
      // both attempts' requests were ended before the error came back, not left running
      expect(server.dropped).toEqual([`/v1/alerts/${alertId(1)}`, `/v1/alerts/${alertId(1)}`].map((p) => `/api${p}`))
    }).pipe(Effect.provide(v1Over(server.layer, { timeout: "50 millis", maxRetries: 1, retryBaseDelay: "1 millis" })))
  })

  it.live("an answer within the timeout is the result; nothing is dropped", () => {
    const server = slowServer(5)
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const agent = yield* client.alerts.get(alertId(2))
      expect(Option.map(agent, (a) => a.id)).toEqual(Option.some(alertId(2)))
      expect(server.dropped).toEqual([])
    }).pipe(Effect.provide(v1Over(server.layer, { timeout: "10 seconds" })))
  })

  it.live("a caller that interrupts an alerts.get ends its request in flight", () => {
    const server = slowServer(60_000)
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const fiber = yield* Effect.fork(client.alerts.get(alertId(3)))
      yield* Deferred.await(server.arrived)
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(server.dropped).toEqual([`/api/v1/alerts/${alertId(3)}`])
    }).pipe(Effect.provide(v1Over(server.layer, { timeout: "10 seconds" })))
  })

  it.live("a timeout longer than a JavaScript timer holds (about 24.8 days) waits, not fires at once", () => {
    const server = slowServer(30)
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const agent = yield* client.alerts.get(alertId(4))
      expect(Option.isSome(agent)).toBe(true)
      expect(server.dropped).toEqual([])
    }).pipe(Effect.provide(v1Over(server.layer, { timeout: "30 days" })))
  })

  it.live(
    "what the attempt sets in a FiberRef (a transformClient's tap) is the caller's afterwards, as with Effect.timeoutFail",
    () => {
      const seen = FiberRef.unsafeMake("unset")
      const server = slowServer(1)
      return Effect.gen(function* () {
        const client = yield* ThreatStack.ThreatStack
        yield* client.alerts.get(alertId(5))
        expect(yield* FiberRef.get(seen)).toBe(`sent ${alertId(5)}`)
      }).pipe(
        Effect.provide(
          v1Over(server.layer, {
            timeout: "10 seconds",
            transformClient: HttpClient.tapRequest((request) =>
              FiberRef.set(seen, `sent ${request.url.split("/").pop()}`)
            )
          })
        )
      )
    }
  )
})
