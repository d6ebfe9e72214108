import { HttpClient, HttpClientError, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer, Schedule, Schema, TestClock } from "effect"
import { ThreatStackClient, ThreatStackConfig } from "@effect-threatstack/core"

/** An HttpClient that records every request it is given and answers from a script. */
const scripted = (
  answers: ReadonlyArray<(request: HttpClientRequest.HttpClientRequest) => Response | "refused" | "reset">
) => {
  const seen: Array<{ method: string; url: string; headers: Record<string, string>; body: string }> = []
  const client = HttpClient.make((request, url) =>
    Effect.suspend(() => {
      const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
      seen.push({ method: request.method, url: url.toString(), headers: { ...request.headers }, body })
      const answer = (answers[seen.length - 1] ?? answers[answers.length - 1])?.(request) ?? Response.json([])
      if (answer === "refused" || answer === "reset") {
        const cause = Object.assign(
          new Error(answer === "refused" ? "connect ECONNREFUSED 127.0.0.1:1" : "socket hang up"),
          {
            code: answer === "refused" ? "ECONNREFUSED" : "ECONNRESET"
          }
        )
        return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause }))
      }
      return Effect.succeed(HttpClientResponse.fromWeb(request, answer))
    })
  )
  return { seen, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

const status =
  (code: number, headers: Record<string, string> = {}) =>
  () =>
    Response.json({ errors: [`status ${code}`] }, { status: code, headers })

const clientLayer = (http: Layer.Layer<HttpClient.HttpClient>, options: Partial<ThreatStackConfig.Options> = {}) =>
  ThreatStackClient.layer.pipe(
    Layer.provide(
      ThreatStackConfig.layer({ apiKey: "key-12345678", maxRetries: 3, retryBaseDelay: "1 second", ...options })
    ),
    Layer.provide(http)
  )

const Created = Schema.Struct({ id: Schema.String })

describe("the pipeline", () => {
  it.effect("auth and the user's transform run on every attempt: each retry carries a fresh stamp", () => {
    const http = scripted([status(503), status(502), () => Response.json({ id: "w1" })])
    let stamp = 0
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const fiber = yield* Effect.fork(client.get("widgets/w1", {}, Created))
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(fiber)).toEqual({ id: "w1" })
      expect(http.seen.map((r) => r.headers["x-stamp"])).toEqual(["1", "2", "3"])
      expect(http.seen.every((r) => r.headers.authorization === "key-12345678")).toBe(true)
      expect(http.seen.every((r) => r.url === "https://app.threatstack.com/api/v1/widgets/w1")).toBe(true)
    }).pipe(
      Effect.provide(
        clientLayer(http.layer, {
          transformClient: HttpClient.mapRequest((request) =>
            HttpClientRequest.setHeader(request, "x-stamp", String(++stamp))
          )
        })
      )
    )
  })

  it.effect("execute sends any method with a JSON body; a 204 decodes as undefined", () => {
    const http = scripted([() => Response.json({ id: "w9" }), () => new Response(null, { status: 204 })])
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const created = yield* client.execute(
        HttpClientRequest.put("widgets/w9").pipe(HttpClientRequest.bodyUnsafeJson({ name: "nine" })),
        Created
      )
      expect(created.id).toBe("w9")
      yield* client.execute(HttpClientRequest.del("widgets/w9"), Schema.Undefined)
      expect(http.seen.map((r) => [r.method, r.body])).toEqual([
        ["PUT", '{"name":"nine"}'],
        ["DELETE", ""]
      ])
      expect(http.seen[0]?.headers["content-type"]).toBe("application/json")
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("a POST that creates is not resent after a 500 or a dropped connection: OutcomeUnknown", () => {
    const http = scripted([status(500), () => "reset"])
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const post = HttpClientRequest.post("widgets").pipe(HttpClientRequest.bodyUnsafeJson({ name: "w" }))
      const afterServerError = yield* Effect.flip(client.execute(post, Created))
      expect(
        afterServerError._tag === "ThreatStackAPIError" && [afterServerError.reason, afterServerError.status]
      ).toEqual(["OutcomeUnknown", 500])
      expect(afterServerError.message).toMatch(/may have been applied/)
      const afterReset = yield* Effect.flip(client.execute(post, Created))
      expect(afterReset._tag === "ThreatStackAPIError" && afterReset.reason).toBe("OutcomeUnknown")
      expect(http.seen.length).toBe(2)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("a POST that creates is resent when it cannot have arrived: refused, 429, 503 with Retry-After", () => {
    const http = scripted([
      () => "refused",
      status(429, { "retry-after": "1" }),
      status(503, { "retry-after": "1" }),
      () => Response.json({ id: "w2" })
    ])
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const post = HttpClientRequest.post("widgets").pipe(HttpClientRequest.bodyUnsafeJson({ name: "w" }))
      const fiber = yield* Effect.fork(client.execute(post, Created))
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(fiber)).toEqual({ id: "w2" })
      expect(http.seen.length).toBe(4)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("a POST marked idempotent is retried like a read", () => {
    const http = scripted([status(500), () => Response.json({ id: "w3" })])
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const post = HttpClientRequest.post("widgets/dismiss").pipe(HttpClientRequest.bodyUnsafeJson({ ids: ["a"] }))
      const fiber = yield* Effect.fork(client.execute(post, Created, { safety: "idempotent" }))
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(fiber)).toEqual({ id: "w3" })
      expect(http.seen.length).toBe(2)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("408 is retried; 501 and 505 are not", () => {
    const http = scripted([status(408), status(501)])
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const fiber = yield* Effect.fork(Effect.flip(client.get("widgets", {}, Created)))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber)
      expect(error._tag === "ThreatStackAPIError" && [error.status, error.attempts]).toEqual([501, 2])
      expect(http.seen.length).toBe(2)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("retrySchedule sets the timing: here two retries one second apart", () => {
    const http = scripted([status(503)])
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const fiber = yield* Effect.fork(Effect.flip(client.get("widgets", {}, Created)))
      yield* TestClock.adjust("999 millis")
      expect(http.seen.length).toBe(1)
      yield* TestClock.adjust("1 millis")
      expect(http.seen.length).toBe(2)
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      expect(error._tag === "ThreatStackAPIError" && error.attempts).toBe(3)
      expect(http.seen.length).toBe(3)
    }).pipe(
      Effect.provide(
        clientLayer(http.layer, {
          retrySchedule: Schedule.spaced("1 second").pipe(Schedule.compose(Schedule.recurs(2)))
        })
      )
    )
  })

  it.effect("a user's schedule cannot make the SDK retry what is not transient (a 400)", () => {
    const http = scripted([status(400)])
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const error = yield* Effect.flip(client.get("widgets", {}, Created))
      expect(error._tag === "ThreatStackAPIError" && error.reason).toBe("BadRequest")
      expect(http.seen.length).toBe(1)
    }).pipe(Effect.provide(clientLayer(http.layer, { retrySchedule: Schedule.forever })))
  })
})

/** An HttpClient whose every request answers after `delayMs` of the live clock (never, for undefined). */
const slowAnswers = (delayMs: number | undefined) => {
  const ended = { answered: 0, interrupted: 0 }
  const client = HttpClient.make((request) =>
    (delayMs === undefined ? Effect.never : Effect.sleep(delayMs)).pipe(
      Effect.as(HttpClientResponse.fromWeb(request, Response.json({ id: "w1" }))),
      Effect.tap(() => {
        ended.answered++
      }),
      Effect.onInterrupt(() =>
        Effect.sync(() => {
          ended.interrupted++
        })
      )
    )
  )
  return { ended, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

describe("the attempt timeout on the live clock", () => {
  it.live("an answer within the timeout is the result", () => {
    const http = slowAnswers(20)
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      expect(yield* client.get("widgets/w1", {}, Created)).toEqual({ id: "w1" })
      expect(http.ended).toEqual({ answered: 1, interrupted: 0 })
    }).pipe(Effect.provide(clientLayer(http.layer, { timeout: "5 seconds" })))
  })

  it.live("an attempt that hangs ends in Timeout once its retries are spent, each hung request interrupted", () => {
    const http = slowAnswers(undefined)
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const error = yield* Effect.flip(client.get("widgets/w1", {}, Created))
      expect(error._tag === "Timeout" && [error.attempts, Duration.toMillis(error.timeout)]).toEqual([2, 50])
      expect(http.ended).toEqual({ answered: 0, interrupted: 2 })
    }).pipe(
      Effect.provide(clientLayer(http.layer, { timeout: "50 millis", maxRetries: 1, retryBaseDelay: "1 millis" }))
    )
  })

  it.live("a caller interrupted while an attempt waits interrupts the request too", () => {
    const http = slowAnswers(undefined)
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const fiber = yield* Effect.fork(client.get("widgets/w1", {}, Created))
      yield* Effect.sleep("30 millis")
      yield* Fiber.interrupt(fiber)
      expect(http.ended).toEqual({ answered: 0, interrupted: 1 })
    }).pipe(Effect.provide(clientLayer(http.layer, { timeout: "5 seconds" })))
  })
})
