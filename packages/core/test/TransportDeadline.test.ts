/**
 * A transport that ends its requests at a deadline itself
 * (`TransportDeadline.attach`): the SDK sends through that variant, with the
 * settings' timeout, and reads the transport's `DeadlineExceeded` as its own
 * timeout: `Timeout` (retried as one), or `OutcomeUnknown` for a create. With
 * a `transformClient`, or on a `TestClock`, the SDK keeps the time itself.
 */
import { HttpClient, HttpClientError, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer, Option, Schema, TestClock } from "effect"
import { ThreatStack, ThreatStackClient, TransportDeadline } from "@effect-threatstack/core"
import type { ThreatStackError } from "@effect-threatstack/core"
import { alertDetail, v1Over } from "./scriptedHttp.js"

/** How the fake transport answers its nth request. */
type Answer = "answer" | "deadline passes" | "deadline passes in the body" | "hang"

/**
 * A transport with a deadline variant: `sent` records, per request, which
 * client it went through (`plain`, or the variant's deadline in ms).
 */
const transport = (answer: (n: number) => Answer) => {
  const sent: Array<string> = []
  const make = (deadline: number | undefined) =>
    HttpClient.make((request, url) => {
      sent.push(deadline === undefined ? "plain" : `deadline ${deadline} ms`)
      const expired = new TransportDeadline.DeadlineExceeded(deadline ?? 0)
      switch (answer(sent.length)) {
        case "answer":
          return Effect.succeed(
            HttpClientResponse.fromWeb(request, Response.json(alertDetail(url.pathname.split("/").pop() ?? "")))
          )
        case "deadline passes":
          return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: expired }))
        case "deadline passes in the body": {
          // headers came, then the body stream ended with the deadline (wrapped, as a stream may wrap it)
          const body = new ReadableStream({ pull: (c) => c.error(new Error("terminated", { cause: expired })) })
          return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(body, { status: 200 })))
        }
        case "hang":
          return Effect.never
      }
    })
  const client = TransportDeadline.attach(make(undefined), make)
  return { sent, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

const getAlert = (id: string) => Effect.flatMap(ThreatStack.ThreatStack, (c) => c.alerts.get(id))

/** The attempts an error reports (every error of a request has them). */
const attemptsOf = (error: ThreatStackError.ThreatStackError) => ("attempts" in error ? error.attempts : undefined)

describe("a transport that ends its requests at a deadline", () => {
  it.live("is sent through, with the settings' timeout", () => {
    const t = transport(() => "answer")
    return Effect.gen(function* () {
      const alert = yield* getAlert("al1")
      expect(Option.map(alert, (a) => a.id)).toEqual(Option.some("al1"))
      expect(t.sent).toEqual(["deadline 1500 ms"])
    }).pipe(Effect.provide(v1Over(t.layer, { timeout: "1500 millis" })))
  })

  it.live("its DeadlineExceeded, before or during the body, is a Timeout, retried as one", () => {
    const t = transport((n) => (n === 1 ? "deadline passes" : "deadline passes in the body"))
    return Effect.gen(function* () {
      const error = yield* Effect.flip(getAlert("al2"))
      expect(error._tag).toBe("Timeout")
      if (error._tag !== "Timeout") return
      expect([error.method, error.url, Duration.toMillis(error.timeout), error.attempts]).toEqual([
        "GET",
        "https://app.threatstack.com/api/v1/alerts/al2",
        700,
        2
      ])
      expect(t.sent).toEqual(["deadline 700 ms", "deadline 700 ms"])
    }).pipe(Effect.provide(v1Over(t.layer, { timeout: "700 millis", maxRetries: 1, retryBaseDelay: "1 millis" })))
  })

  it.live("for a create, its DeadlineExceeded is OutcomeUnknown, and the create is not sent again", () => {
    const t = transport(() => "deadline passes")
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const error = yield* Effect.flip(client.execute(HttpClientRequest.post("v1/things"), Schema.Unknown))
      expect(error._tag).toBe("ThreatStackAPIError")
      if (error._tag !== "ThreatStackAPIError") return
      expect([error.reason, error.method, error.attempts]).toEqual(["OutcomeUnknown", "POST", 1])
      expect(error.detail).toMatch(/^no answer within 700ms after the request was sent; not retried/)
      expect(t.sent).toEqual(["deadline 700 ms"])
    }).pipe(Effect.provide(v1Over(t.layer, { timeout: "700 millis", maxRetries: 3, retryBaseDelay: "1 millis" })))
  })

  it.live("with a transformClient, the plain client is used and the SDK keeps the time", () => {
    const t = transport(() => "hang")
    return Effect.gen(function* () {
      const error = yield* Effect.flip(getAlert("al3"))
      expect([error._tag, attemptsOf(error)]).toEqual(["Timeout", 1])
      expect(t.sent).toEqual(["plain"])
    }).pipe(Effect.provide(v1Over(t.layer, { timeout: "50 millis", transformClient: (client) => client })))
  })

  it.live("a timeout longer than a timer holds is the SDK's to keep, over the plain client", () => {
    const t = transport(() => "answer")
    return Effect.gen(function* () {
      expect(Option.isSome(yield* getAlert("al4"))).toBe(true)
      expect(t.sent).toEqual(["plain"])
    }).pipe(Effect.provide(v1Over(t.layer, { timeout: "30 days" })))
  })

  it.effect("on a TestClock, the SDK's own timeout still ends a request the transport leaves hanging", () => {
    const t = transport(() => "hang")
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(Effect.flip(getAlert("al5")))
      yield* TestClock.adjust("2 seconds")
      const error = yield* Fiber.join(fiber)
      expect([error._tag, attemptsOf(error)]).toEqual(["Timeout", 1])
      expect(t.sent).toEqual(["deadline 2000 ms"])
    }).pipe(Effect.provide(v1Over(t.layer, { timeout: "2 seconds" })))
  })
})
