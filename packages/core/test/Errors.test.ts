import { describe, expect, it } from "@effect/vitest"
import { Cause, Duration, Effect, Fiber, Layer, Option, Stream, TestClock } from "effect"
import { type FakeThreatStack, ThreatStack, type ThreatStackError } from "@effect-threatstack/core"
import { recordingClient, SECRET, testLayer } from "./utils.js"

const firstAlert = "a10000000000000000000000"

/** The error of listing policies while the fake injects `fault`. */
const policiesError = (fault: FakeThreatStack.Fault) =>
  Effect.gen(function* () {
    const client = yield* ThreatStack.ThreatStack
    return yield* Effect.flip(Stream.runCollect(client.policies.list()))
  }).pipe(Effect.provide(testLayer({ faults: [{ path: "policies", fault }] })))

const apiError = (error: ThreatStackError.ThreatStackError) => {
  if (error._tag !== "ThreatStackAPIError") throw new Error(`expected ThreatStackAPIError, got ${error._tag}`)
  return error
}

describe("errors by type", () => {
  it.effect("get answers None exactly on 404, Some otherwise", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      expect(Option.isNone(yield* client.agents.get("a9ffffff0000000000000000"))).toBe(true)
      expect(Option.isNone(yield* client.alerts.get("nope"))).toBe(true)
      expect(Option.isNone(yield* client.policies.get("nope"))).toBe(true)
      const alert = yield* client.alerts.get(firstAlert)
      expect(Option.map(alert, (a) => a.id)).toEqual(Option.some(firstAlert))
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("get does not hide other failures behind None", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const error = apiError(yield* Effect.flip(client.alerts.get(firstAlert)))
      expect(error.reason).toBe("ServerError")
      expect(error.status).toBe(500)
    }).pipe(Effect.provide(testLayer({ faults: [{ path: /^alerts\//, fault: { _tag: "Status", status: 500 } }] })))
  )

  it.effect("users of an unknown organization is NotFound", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const error = yield* Effect.flip(client.organizations.users("5a00ffff0000000000000000"))
      expect(error._tag).toBe("NotFound")
      expect(error._tag === "NotFound" && error.url).toBe(
        "https://app.threatstack.com/api/v1/organizations/5a00ffff0000000000000000/users"
      )
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect.each([
    [400, "BadRequest"],
    [401, "Unauthorized"],
    [403, "Forbidden"],
    [500, "ServerError"],
    [502, "ServerError"],
    [503, "ServerError"],
    [418, "UnexpectedStatus"]
  ] as const)("status %i is ThreatStackAPIError %s with the server's message", ([status, reason]) =>
    Effect.gen(function* () {
      const error = apiError(yield* policiesError({ _tag: "Status", status }))
      expect(error.reason).toBe(reason)
      expect(error.status).toBe(status)
      expect(error.detail).toBe(`injected ${status}`)
      expect(error.method).toBe("GET")
      expect(error.url).toBe("https://app.threatstack.com/api/v1/policies")
      expect(error.attempts).toBe(1)
      expect(error.requestId).toBe("fake-1")
    })
  )

  it.effect("429 carries the wait the server asked for (Retry-After, x-rate-limit-reset)", () =>
    Effect.gen(function* () {
      const seconds = apiError(yield* policiesError({ _tag: "RateLimit", retryAfter: 7 }))
      expect(seconds.reason).toBe("RateLimited")
      expect(seconds.retryAfter).toEqual(Duration.seconds(7))
      const millis = apiError(yield* policiesError({ _tag: "RateLimit", resetMs: 1500 }))
      expect(millis.retryAfter).toEqual(Duration.millis(1500))
      // TestClock starts at the epoch: an HTTP date 5 s later is a 5 s wait
      const date = apiError(yield* policiesError({ _tag: "RateLimit", retryAfter: "Thu, 01 Jan 1970 00:00:05 GMT" }))
      expect(date.retryAfter).toEqual(Duration.millis(5000))
      const none = apiError(yield* policiesError({ _tag: "Status", status: 429 }))
      expect(none.retryAfter).toBeUndefined()
    })
  )

  it.effect("an {errors: [...]} body, an HTML page and an empty body", () =>
    Effect.gen(function* () {
      const list = apiError(yield* policiesError({ _tag: "Status", status: 400, body: '{"errors":["bad a","bad b"]}' }))
      expect(list.detail).toBe("bad a; bad b")
      const html = apiError(yield* policiesError({ _tag: "Html", status: 502 }))
      expect(html.reason).toBe("ServerError")
      expect(html.detail).toBe("HTTP 502 with a non-JSON body")
      const empty = apiError(yield* policiesError({ _tag: "EmptyBody", status: 503 }))
      expect(empty.detail).toBe("HTTP 503 with an empty body")
    })
  )

  it.effect("a 200 that is not JSON, truncated, or empty is InvalidResponse", () =>
    Effect.gen(function* () {
      const truncated = apiError(yield* policiesError({ _tag: "Truncate" }))
      expect(truncated.reason).toBe("InvalidResponse")
      expect(truncated.status).toBe(200)
      expect(truncated.detail).toMatch(/^expected JSON, got a body that is not JSON/)
      const html = apiError(yield* policiesError({ _tag: "Status", status: 200, body: "<html>hi</html>" }))
      expect(html.reason).toBe("InvalidResponse")
      const empty = apiError(yield* policiesError({ _tag: "EmptyBody", status: 200 }))
      expect(empty.detail).toBe("expected JSON, got an empty body")
    })
  )

  it.effect("a record with a wrong-typed field names the field", () =>
    Effect.gen(function* () {
      const error = apiError(yield* policiesError({ _tag: "WrongType", field: "name" }))
      expect(error.reason).toBe("InvalidResponse")
      expect(error.path).toBe("[0].name")
      expect(error.message).toContain("at [0].name")
    })
  )

  it.effect("a dropped connection is a Transport error", () =>
    Effect.gen(function* () {
      const error = apiError(yield* policiesError({ _tag: "Drop" }))
      expect(error.reason).toBe("Transport")
    })
  )

  it.effect("a hung request is a Timeout carrying the duration", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(
        Effect.gen(function* () {
          const client = yield* ThreatStack.ThreatStack
          return yield* Effect.flip(client.agents.get("a90000000000000000000000"))
        }).pipe(Effect.provide(testLayer({ faults: [{ fault: { _tag: "Hang" } }] }, { timeout: "5 seconds" })))
      )
      yield* TestClock.adjust("5 seconds")
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("Timeout")
      expect(error._tag === "Timeout" && Duration.toSeconds(error.timeout)).toBe(5)
      expect(error.message).toContain("no answer within 5s")
    })
  )

  it.effect("the key appears in no error, even when a server echoes it: message, String, JSON, Cause.pretty", () =>
    Effect.gen(function* () {
      const errors: Array<ThreatStackError.ThreatStackError> = []
      const reply = (status: number, body: string) => () => new Response(body, { status })
      for (const [status, body] of [
        [401, `{"message":"bad key ${SECRET}"}`],
        [500, ""],
        [200, "not json"],
        [200, '[{"id":1}]'],
        [404, `{"errors":["no org for key ${SECRET}"]}`]
      ] as const) {
        const recorder = recordingClient(reply(status, body))
        const layer = ThreatStack.layer({ apiKey: SECRET, maxRetries: 0 }).pipe(Layer.provide(recorder.layer))
        const error = yield* Effect.flip(
          Effect.flatMap(ThreatStack.ThreatStack, (c) =>
            Effect.zipRight(Stream.runDrain(c.policies.list()), c.organizations.users("o1"))
          ).pipe(Effect.provide(layer))
        )
        errors.push(error)
      }
      const bad = yield* Effect.flip(
        ThreatStack.ThreatStack.pipe(
          Effect.flatMap((c) => Stream.runDrain(c.alerts.list({ start: "x" }))),
          Effect.provide(ThreatStack.layer({ apiKey: SECRET }).pipe(Layer.provide(recordingClient().layer)))
        )
      )
      errors.push(bad)
      expect(errors.map((e) => e._tag)).toEqual([
        "ThreatStackAPIError",
        "ThreatStackAPIError",
        "ThreatStackAPIError",
        "ThreatStackAPIError",
        "NotFound",
        "InvalidArgument"
      ])
      for (const error of errors) {
        for (const text of [error.message, String(error), JSON.stringify(error), Cause.pretty(Cause.fail(error))]) {
          expect(text).not.toContain(SECRET)
        }
      }
    })
  )
})
