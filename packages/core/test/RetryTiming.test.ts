/**
 * When requests are sent, on a realistic clock: the server's waits (a
 * `Retry-After` in seconds or as an HTTP date) are honoured but capped by
 * `maxRetryWait`; a 429's pause holds every request of the client, with or
 * without a client-side budget, and merges with other pauses; the budget's
 * slots free up `interval` after each request; the backoff doubles with
 * jitter; each retry is logged and recorded on the caller's span.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, HashMap, Layer, Logger, LogLevel, Option, Stream, TestClock, Tracer } from "effect"
import type { Exit } from "effect"
import { ThreatStack } from "@effect-threatstack/core"
import { agentId, EPOCH, scripted, status, v1Over } from "./scriptedHttp.js"
import { testLayer } from "./utils.js"

/** A `get` that the server answers with 404: `None`, a success that is never retried. */
const notFound = () => Response.json({ message: "no such agent" }, { status: 404 })

/** Runs `body` with TestClock at {@link EPOCH}. */
const atEpoch = <A, E, R>(body: Effect.Effect<A, E, R>) => Effect.zipRight(TestClock.setTime(EPOCH), body)

const get = (i: number) => Effect.flatMap(ThreatStack.ThreatStack, (client) => client.agents.get(agentId(i)))

describe("server-asked waits are capped by maxRetryWait", () => {
  it.effect("a 429 asking for a day holds the retry and every other request 30 seconds, not a day", () => {
    const http = scripted((_url, n) => (n === 1 ? status(429, { "retry-after": "86400" }) : notFound()))
    return atEpoch(
      Effect.gen(function* () {
        const first = yield* Effect.fork(get(1))
        yield* TestClock.adjust("1 second")
        const other = yield* Effect.fork(get(2))
        yield* TestClock.adjust("28 seconds")
        expect(http.seen.length).toBe(1)
        yield* TestClock.adjust("1 second")
        expect(http.seen.map((s) => s.at)).toEqual([0, 30_000, 30_000])
        expect(yield* Fiber.join(first)).toEqual(Option.none())
        expect(yield* Fiber.join(other)).toEqual(Option.none())
      }).pipe(
        Effect.provide(v1Over(http.layer, { maxRetries: 1, retryBaseDelay: "1 second", maxRetryWait: "30 seconds" }))
      )
    )
  })

  it.effect("Retry-After as an HTTP date is a wait from now: 5 seconds ahead is 5 seconds", () => {
    const retryAt = new Date(EPOCH + 5_000).toUTCString()
    const http = scripted((_url, n) => (n === 1 ? status(503, { "retry-after": retryAt }) : notFound()))
    return atEpoch(
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(get(1))
        yield* TestClock.adjust("1 minute")
        expect(yield* Fiber.join(fiber)).toEqual(Option.none())
        expect(http.seen.map((s) => s.at)).toEqual([0, 5_000])
      }).pipe(
        Effect.provide(v1Over(http.layer, { maxRetries: 1, retryBaseDelay: "100 millis", maxRetryWait: "1 minute" }))
      )
    )
  })

  it.effect("a 503 with Retry-After delays its own retry only: other requests go at once", () => {
    const http = scripted((_url, n) => (n === 1 ? status(503, { "retry-after": "20" }) : notFound()))
    return atEpoch(
      Effect.gen(function* () {
        const error = yield* Effect.flip(get(1))
        expect(error._tag === "ThreatStackAPIError" && Option.fromNullable(error.retryAfter)).toEqual(
          Option.some(Duration.seconds(20))
        )
        expect(yield* get(2)).toEqual(Option.none())
        expect(http.seen.map((s) => s.at)).toEqual([0, 0])
      }).pipe(Effect.provide(v1Over(http.layer)))
    )
  })
})

describe("the 429 pause and the client-side budget", () => {
  it.effect("with a rateLimit set, a 429's pause still holds the next request", () => {
    const http = scripted((_url, n) => (n === 1 ? status(429, { "retry-after": "10" }) : notFound()))
    return atEpoch(
      Effect.gen(function* () {
        const error = yield* Effect.flip(get(1))
        expect(error._tag === "ThreatStackAPIError" && error.reason).toBe("RateLimited")
        const next = yield* Effect.fork(get(2))
        yield* TestClock.adjust("9999 millis")
        expect(http.seen.length).toBe(1)
        yield* TestClock.adjust("1 millis")
        expect(yield* Fiber.join(next)).toEqual(Option.none())
        expect(http.seen.map((s) => s.at)).toEqual([0, 10_000])
      }).pipe(Effect.provide(v1Over(http.layer, { rateLimit: { limit: 100, interval: "1 second" } })))
    )
  })

  it.effect("a shorter pause asked later does not shorten a longer one", () => {
    // both sent at once: the first is told 10 s at once, the second 2 s a second later
    const http = scripted(
      (_url, n) =>
        n === 1 ? status(429, { "retry-after": "10" }) : n === 2 ? status(429, { "retry-after": "2" }) : notFound(),
      (n) => (n === 2 ? 1_000 : 0)
    )
    return atEpoch(
      Effect.gen(function* () {
        const both = yield* Effect.fork(Effect.all([Effect.flip(get(1)), Effect.flip(get(2))], { concurrency: 2 }))
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(both)
        const third = yield* Effect.fork(get(3))
        yield* TestClock.adjust("1 minute")
        yield* Fiber.join(third)
        expect(http.seen.map((s) => s.at)).toEqual([0, 0, 10_000])
      }).pipe(Effect.provide(v1Over(http.layer)))
    )
  })

  it.effect("a pause extended while a request waits holds it to the new end", () => {
    // the first is told 2 s at once; the second, answered a second later, 10 s (until 11 s)
    const http = scripted(
      (_url, n) =>
        n === 1 ? status(429, { "retry-after": "2" }) : n === 2 ? status(429, { "retry-after": "10" }) : notFound(),
      (n) => (n === 2 ? 1_000 : 0)
    )
    return atEpoch(
      Effect.gen(function* () {
        const both = yield* Effect.fork(Effect.all([Effect.flip(get(1)), Effect.flip(get(2))], { concurrency: 2 }))
        yield* TestClock.adjust("500 millis")
        const third = yield* Effect.fork(get(3))
        yield* TestClock.adjust("1 minute")
        yield* Fiber.join(both)
        yield* Fiber.join(third)
        expect(http.seen.map((s) => s.at)).toEqual([0, 0, 11_000])
      }).pipe(Effect.provide(v1Over(http.layer)))
    )
  })

  it.effect("a budget's slot is free again one interval after its request: 2 per second, the third waits 1 s", () => {
    const http = scripted(notFound)
    return atEpoch(
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(Effect.all([get(1), get(2), get(3)], { concurrency: "unbounded" }))
        yield* TestClock.adjust("1 minute")
        yield* Fiber.join(fiber)
        expect(http.seen.map((s) => s.at)).toEqual([0, 0, 1_000])
      }).pipe(Effect.provide(v1Over(http.layer, { rateLimit: { limit: 2, interval: "1 second" } })))
    )
  })

  it.effect("requests spread in time: 3 per 10 s, sent at 0, 4 and 8 s, then two at 9 s go at 10 s and 14 s", () => {
    const http = scripted(notFound)
    return atEpoch(
      Effect.gen(function* () {
        yield* get(1)
        yield* TestClock.adjust("4 seconds")
        yield* get(2)
        yield* TestClock.adjust("4 seconds")
        yield* get(3)
        yield* TestClock.adjust("1 second")
        const late = yield* Effect.fork(Effect.all([get(4), get(5)], { concurrency: "unbounded" }))
        yield* TestClock.adjust("999 millis")
        expect(http.seen.length).toBe(3)
        yield* TestClock.adjust("1 minute")
        yield* Fiber.join(late)
        expect(http.seen.map((s) => s.at)).toEqual([0, 4_000, 8_000, 10_000, 14_000])
      }).pipe(Effect.provide(v1Over(http.layer, { rateLimit: { limit: 3, interval: "10 seconds" } })))
    )
  })
})

describe("the backoff", () => {
  it.effect("doubles from retryBaseDelay, each wait jittered to between half and all of it", () => {
    const http = scripted(() => status(503))
    return atEpoch(
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(Effect.flip(get(1)))
        yield* TestClock.adjust("10 minutes")
        const error = yield* Fiber.join(fiber)
        expect(error._tag === "ThreatStackAPIError" && error.attempts).toBe(6)
        const at = http.seen.map((s) => s.at)
        const waits = at.slice(1).map((t, i) => t - (at[i] ?? 0))
        expect(waits.length).toBe(5)
        waits.forEach((wait, i) => {
          expect(wait).toBeGreaterThanOrEqual(1_000 * 2 ** i * 0.5)
          expect(wait).toBeLessThanOrEqual(1_000 * 2 ** i)
        })
      }).pipe(
        Effect.provide(v1Over(http.layer, { maxRetries: 5, retryBaseDelay: "1 second", maxRetryWait: "1 minute" }))
      )
    )
  })

  it.effect("the default policy: 3 retries, the first after 250–500 ms, none over 30 seconds", () => {
    const http = scripted(() => status(502))
    return atEpoch(
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(Effect.flip(get(1)))
        yield* TestClock.adjust("10 minutes")
        const error = yield* Fiber.join(fiber)
        expect(error._tag === "ThreatStackAPIError" && error.attempts).toBe(4)
        const at = http.seen.map((s) => s.at)
        expect(at.length).toBe(4)
        const first = (at[1] ?? 0) - (at[0] ?? 0)
        expect(first).toBeGreaterThanOrEqual(250)
        expect(first).toBeLessThanOrEqual(500)
      }).pipe(
        Effect.provide(ThreatStack.layer({ apiKey: "tsk_test_4b1d9e2c7a5f8306" }).pipe(Layer.provide(http.layer)))
      )
    )
  })

  it.effect("a long default backoff stops at 30 seconds: a 429 asking for a minute is retried after 30 s", () => {
    const http = scripted((_url, n) => (n === 1 ? status(429, { "retry-after": "60" }) : notFound()))
    return atEpoch(
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(get(1))
        yield* TestClock.adjust("10 minutes")
        expect(yield* Fiber.join(fiber)).toEqual(Option.none())
        expect(http.seen.map((s) => s.at)).toEqual([0, 30_000])
      }).pipe(
        Effect.provide(ThreatStack.layer({ apiKey: "tsk_test_4b1d9e2c7a5f8306" }).pipe(Layer.provide(http.layer)))
      )
    )
  })
})

/** A tracer that records each span's name, attributes and events. */
const recordingTracer = () => {
  const spans: Array<{
    readonly name: string
    readonly attributes: Map<string, unknown>
    readonly events: Array<{ readonly name: string; readonly attributes: Record<string, unknown> | undefined }>
  }> = []
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const record = { name, attributes: new Map<string, unknown>(), events: [] as Array<never> }
      const events: Array<{ readonly name: string; readonly attributes: Record<string, unknown> | undefined }> = []
      spans.push({ ...record, events })
      let status: Tracer.SpanStatus = { _tag: "Started", startTime }
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId: `span${spans.length}`,
        traceId: "0af7651916cd43dd8448eb211c80319c",
        parent,
        context,
        get status() {
          return status
        },
        attributes: record.attributes,
        links: Array.from(links),
        sampled: true,
        kind,
        end: (endTime: bigint, exit: Exit.Exit<unknown, unknown>) => {
          status = { _tag: "Ended", startTime, endTime, exit }
        },
        attribute: (key, value) => {
          record.attributes.set(key, value)
        },
        event: (event, _time, attributes) => {
          events.push({ name: event, attributes })
        },
        addLinks: () => {}
      }
      return span
    },
    context: (f) => f()
  })
  return { spans, layer: Layer.setTracer(tracer) }
}

describe("each retry is told", () => {
  it.effect("as a debug log line with the cause, the attempt, the wait and the URL", () => {
    const http = scripted((_url, n) => (n === 1 ? status(500) : Response.json([])))
    const lines: Array<{ readonly message: unknown; readonly annotations: Record<string, unknown> }> = []
    const logger = Logger.make(({ annotations, message }) => {
      lines.push({ message, annotations: Object.fromEntries(HashMap.toEntries(annotations)) })
    })
    return atEpoch(
      Effect.gen(function* () {
        const client = yield* ThreatStack.ThreatStack
        const fiber = yield* Effect.fork(Stream.runCollect(client.policies.list()))
        yield* TestClock.adjust("1 minute")
        yield* Fiber.join(fiber)
        const texts = lines.map((line) => (Array.isArray(line.message) ? line.message.join(" ") : String(line.message)))
        const index = texts.indexOf("Threat Stack request retried")
        expect(index).toBeGreaterThanOrEqual(0)
        expect(lines[index]?.annotations).toEqual({
          cause: "ServerError",
          attempt: 1,
          delay: "2s",
          url: "https://app.threatstack.com/api/v1/policies"
        })
      }).pipe(
        Effect.provide(
          Layer.mergeAll(
            v1Over(http.layer, { maxRetries: 1, retryBaseDelay: "10 seconds", maxRetryWait: "2 seconds" }),
            Logger.replace(Logger.defaultLogger, logger),
            Logger.minimumLogLevel(LogLevel.Debug)
          )
        )
      )
    )
  })

  it.effect(
    "as a threatstack.retry event on the caller's span; each attempt's span names its method, URL and number",
    () => {
      const http = scripted((_url, n) => (n === 1 ? status(503) : Response.json([])))
      const tracer = recordingTracer()
      return atEpoch(
        Effect.gen(function* () {
          const client = yield* ThreatStack.ThreatStack
          const fiber = yield* Effect.fork(Stream.runCollect(client.policies.list()).pipe(Effect.withSpan("caller")))
          yield* TestClock.adjust("1 minute")
          yield* Fiber.join(fiber)
          const events = tracer.spans.flatMap((span) => span.events.filter((e) => e.name === "threatstack.retry"))
          expect(events).toEqual([
            {
              name: "threatstack.retry",
              attributes: {
                "threatstack.retry.cause": "ServerError",
                "threatstack.retry.attempt": 1,
                "threatstack.retry.delay_ms": 3_000
              }
            }
          ])
          const attempts = tracer.spans.filter((span) => span.name === "ThreatStack.request")
          expect(attempts.length).toBe(2)
          expect(attempts.map((span) => Object.fromEntries(span.attributes))).toMatchObject(
            [1, 2].map((n) => ({
              "http.request.method": "GET",
              "url.full": "https://app.threatstack.com/api/v1/policies",
              "threatstack.attempt": n
            }))
          )
        }).pipe(
          Effect.provide(
            Layer.merge(
              v1Over(http.layer, { maxRetries: 1, retryBaseDelay: "10 seconds", maxRetryWait: "3 seconds" }),
              tracer.layer
            )
          )
        )
      )
    }
  )
})

describe("which failures are retried", () => {
  it.effect("a dropped connection on a read is retried", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const fiber = yield* Effect.fork(Stream.runCollect(client.policies.list()))
      yield* TestClock.adjust("1 minute")
      expect((yield* Fiber.join(fiber)).length).toBe(4)
    }).pipe(
      Effect.provide(
        testLayer({ faults: [{ path: "policies", times: 1, fault: { _tag: "Drop" } }] }, { maxRetries: 1 })
      )
    )
  )

  it.effect("408 Request Timeout is retried; 418 is not", () => {
    const http = scripted((url, n) =>
      url.pathname.endsWith(agentId(1)) && n === 1
        ? status(408)
        : url.pathname.endsWith(agentId(2))
          ? status(418)
          : notFound()
    )
    return atEpoch(
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(get(1))
        yield* TestClock.adjust("1 minute")
        expect(yield* Fiber.join(fiber)).toEqual(Option.none())
        const teapot = yield* Effect.flip(get(2))
        expect(teapot._tag === "ThreatStackAPIError" && [teapot.status, teapot.attempts]).toEqual([418, 1])
        expect(http.seen.length).toBe(3)
      }).pipe(Effect.provide(v1Over(http.layer, { maxRetries: 1, retryBaseDelay: "1 second" })))
    )
  })
})

describe("a wait hint that is not a wait is ignored", () => {
  const hintOf = (headers: Record<string, string>) => {
    const http = scripted(() => status(429, headers))
    return Effect.map(Effect.flip(get(1)), (error) =>
      error._tag === "ThreatStackAPIError" && error.retryAfter !== undefined
        ? Duration.toMillis(error.retryAfter)
        : undefined
    ).pipe(Effect.provide(v1Over(http.layer)), atEpoch)
  }

  it.effect.each([
    [{ "retry-after": "" }, undefined],
    [{ "retry-after": "  " }, undefined],
    [{ "retry-after": "soon" }, undefined],
    [{ "retry-after": "Infinity" }, undefined],
    [{ "retry-after": "0" }, 0],
    [{ "retry-after": "2.5" }, 2_500],
    [{ "x-rate-limit-reset": "" }, undefined],
    [{ "x-rate-limit-reset": "-1" }, undefined],
    [{ "x-rate-limit-reset": "later" }, undefined],
    [{ "x-rate-limit-reset": "Infinity" }, undefined],
    [{ "x-rate-limit-reset": "0" }, 0],
    [{ "x-rate-limit-reset": "1500" }, 1_500],
    [{ "retry-after": "soon", "x-rate-limit-reset": "1500" }, 1_500]
  ] as const)("%j gives a wait of %s ms", ([headers, millis]) =>
    Effect.map(hintOf(headers), (hint) => expect(hint).toBe(millis))
  )

  it.effect("an HTTP date already past is no wait", () =>
    Effect.map(hintOf({ "retry-after": new Date(EPOCH - 60_000).toUTCString() }), (hint) => expect(hint).toBe(0))
  )
})
