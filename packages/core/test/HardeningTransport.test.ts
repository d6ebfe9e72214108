/**
 * Issue 11, the rate gate, the key and the wire: an interrupted waiter
 * releases its slot; no window at the server holds more than the budget,
 * whatever the latency; bodies are read with a bound; no body excerpt, header
 * or span exit carries the key; trace context goes to the API only when asked.
 */
import { HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Clock, Effect, Fiber, Layer, Option, Schema, Stream, TestClock, Tracer } from "effect"
import type { Exit } from "effect"
import { ThreatStack, ThreatStackClient, ThreatStackConfig, ThreatStackV2 } from "@effect-threatstack/core"
import type { ThreatStackError } from "@effect-threatstack/core"

const SECRET = "tsk_live_5f3c9a7e1b2d4c6e8f0a1b2c3d4e5f60abcdefgh"

interface Seen {
  readonly url: URL
  readonly headers: Record<string, string>
  readonly at: number
}

/**
 * An HttpClient that answers from `reply`; `up` is the time a request takes
 * to reach the server (recorded there, by TestClock), `down` the time the
 * answer takes to come back.
 */
const scripted = (
  reply: (url: URL, n: number) => Response = () => Response.json([]),
  timing: { readonly up?: (n: number) => number; readonly down?: number } = {}
) => {
  const seen: Array<Seen> = []
  let sent = 0
  const client = HttpClient.make((request, url) =>
    Effect.gen(function* () {
      const n = ++sent
      const up = timing.up?.(n) ?? 0
      if (up > 0) yield* Effect.sleep(up)
      seen.push({ url, headers: { ...request.headers }, at: yield* Clock.currentTimeMillis })
      if ((timing.down ?? 0) > 0) yield* Effect.sleep(timing.down ?? 0)
      return HttpClientResponse.fromWeb(request, reply(url, seen.length))
    })
  )
  return { seen, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

const v1 = (http: Layer.Layer<HttpClient.HttpClient>, options: Partial<ThreatStackConfig.Options> = {}) =>
  ThreatStack.layer({ apiKey: SECRET, maxRetries: 0, ...options }).pipe(Layer.provide(http))

const v2 = (http: Layer.Layer<HttpClient.HttpClient>, options: Partial<ThreatStackV2.Options> = {}) =>
  ThreatStackV2.layer({
    apiKey: SECRET,
    userId: "u1",
    orgId: "5d7bb7c49f4d069836a064c2",
    maxRetries: 0,
    ...options
  }).pipe(Layer.provide(http))

const agentId = (i: number) => `a9${i.toString(16).padStart(22, "0")}`

describe("the rate gate", () => {
  it.effect(
    "a fiber interrupted while waiting releases its slot: the next get waits one interval, not the queue's",
    () => {
      const http = scripted(() => Response.json({}, { status: 404 }))
      return Effect.gen(function* () {
        const client = yield* ThreatStack.ThreatStack
        const ids = Array.from({ length: 200 }, (_, i) => agentId(i))
        const many = yield* Effect.fork(client.agents.getMany(ids, { concurrency: 8 }))
        yield* TestClock.adjust("1 second")
        expect(http.seen.length).toBe(4)
        yield* Fiber.interrupt(many)
        const one = yield* Effect.fork(client.agents.get(agentId(999)))
        yield* TestClock.adjust("1 second")
        // the slots taken at 1 s free up at 2 s: the get is sent then, not after the interrupted waiters' turns
        expect(http.seen.map((s) => s.at)).toEqual([0, 0, 1000, 1000, 2000])
        expect(yield* Fiber.join(one)).toEqual(Option.none())
      }).pipe(Effect.provide(v1(http.layer, { rateLimit: { limit: 2, interval: "1 second" } })))
    }
  )

  it.effect("no sliding window at the server holds more than the budget, whatever the latency", () => {
    // the first requests open connections (40 ms to arrive), later ones reuse them (at once); answers take 5 ms
    const http = scripted(() => Response.json({}, { status: 404 }), { up: (n) => (n <= 10 ? 40 : 0), down: 5 })
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const fiber = yield* Effect.fork(
        Effect.forEach(
          Array.from({ length: 50 }, (_, i) => agentId(i)),
          (id) => client.agents.get(id),
          { concurrency: "unbounded" }
        )
      )
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      const arrivals = http.seen.map((s) => s.at)
      expect(arrivals.length).toBe(50)
      const busiest = Math.max(...arrivals.map((t) => arrivals.filter((u) => u >= t && u < t + 1000).length))
      expect(busiest).toBeLessThanOrEqual(10)
    }).pipe(Effect.provide(v1(http.layer, { rateLimit: { limit: 10, interval: "1 second" } })))
  })
})

describe("response bodies are read with a bound", () => {
  it.effect("maxResponseBytes: 64 MiB by default; a body over it is InvalidResponse, not retried", () => {
    const big = "x".repeat(2_000)
    const http = scripted(
      () => new Response(JSON.stringify([big]), { headers: { "content-type": "application/json" } })
    )
    return Effect.gen(function* () {
      expect((yield* ThreatStackConfig.make({ apiKey: SECRET })).maxResponseBytes).toBe(64 * 1024 * 1024)
      const refused = yield* Effect.flip(ThreatStackConfig.make({ apiKey: SECRET, maxResponseBytes: 0 }))
      expect(refused.argument).toBe("maxResponseBytes")
      const client = yield* ThreatStackClient.ThreatStackClient
      const error = yield* Effect.flip(client.get("widgets", {}, Schema.Array(Schema.String)))
      expect(error._tag === "ThreatStackAPIError" && [error.reason, error.attempts]).toEqual(["InvalidResponse", 1])
      expect(error._tag === "ThreatStackAPIError" && error.detail).toContain(
        "larger than maxResponseBytes (1000 bytes)"
      )
      expect(http.seen.length).toBe(1)
    }).pipe(
      Effect.provide(
        ThreatStackClient.layer.pipe(
          Layer.provide(ThreatStackConfig.layer({ apiKey: SECRET, maxRetries: 3, maxResponseBytes: 1000 })),
          Layer.provide(http.layer)
        )
      )
    )
  })

  it.effect("a body whose Content-Length is over the bound is not read at all", () => {
    let pulled = 0
    const body = () =>
      new ReadableStream<Uint8Array>({
        pull: (controller) => {
          pulled++
          if (pulled > 4) controller.close()
          else controller.enqueue(new Uint8Array(1024).fill(0x20))
        }
      })
    const http = scripted(() => new Response(body(), { headers: { "content-length": "600000000" } }))
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const error = yield* Effect.flip(client.get("widgets", {}, Schema.Unknown))
      expect(error._tag === "ThreatStackAPIError" && [error.reason, error.attempts]).toEqual(["InvalidResponse", 1])
      expect(pulled).toBeLessThanOrEqual(1)
      expect(http.seen.length).toBe(1)
    }).pipe(
      Effect.provide(
        ThreatStackClient.layer.pipe(
          Layer.provide(ThreatStackConfig.layer({ apiKey: SECRET, maxRetries: 3 })),
          Layer.provide(http.layer)
        )
      )
    )
  })

  it.effect("a body without Content-Length is not read past the bound: the rest is never pulled", () => {
    let pulled = 0
    // 16 MiB in 64 KiB chunks (finite, so that a reader without a bound fails here rather than running out of memory)
    const endless = () =>
      new ReadableStream<Uint8Array>({
        pull: (controller) => {
          pulled++
          if (pulled > 256) controller.close()
          else controller.enqueue(new Uint8Array(64 * 1024).fill(0x20))
        }
      })
    const http = scripted(() => new Response(endless(), { headers: { "content-type": "application/json" } }))
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const error = yield* Effect.flip(client.get("widgets", {}, Schema.Unknown))
      expect(error._tag === "ThreatStackAPIError" && error.reason).toBe("InvalidResponse")
      // 1 MiB in 64 KiB chunks: 17 pulled to see the bound passed, a few more buffered at most
      expect(pulled).toBeLessThan(24)
    }).pipe(
      Effect.provide(
        ThreatStackClient.layer.pipe(
          Layer.provide(ThreatStackConfig.layer({ apiKey: SECRET, maxRetries: 3, maxResponseBytes: 1024 * 1024 })),
          Layer.provide(http.layer)
        )
      )
    )
  })
})

const texts = (error: ThreatStackError.ThreatStackError) => [
  error.message,
  String(error),
  JSON.stringify(error),
  Cause.pretty(Cause.fail(error))
]

describe("the key is never shown", () => {
  it.effect("a non-JSON body or a mismatched field is described by size and type, never quoted", () => {
    const prefix = SECRET.slice(0, 11)
    const http = scripted((url) =>
      url.pathname.endsWith("policies")
        ? new Response(`oops ${prefix} is not a key`, { headers: { "content-type": "text/plain; charset=utf-8" } })
        : Response.json([{ id: `${prefix}…`, hostname: 7 }])
    )
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const notJson = yield* Effect.flip(Stream.runCollect(client.policies.list()))
      expect(notJson._tag === "ThreatStackAPIError" && notJson.detail).toBe(
        "expected JSON, got a body that is not JSON (29 bytes of text/plain)"
      )
      const mismatch = yield* Effect.flip(Stream.runCollect(client.organizations.list()))
      expect(mismatch._tag === "ThreatStackAPIError" && [mismatch.detail, mismatch.path]).toEqual([
        "the body does not match the expected shape: is missing",
        "[0].name"
      ])
      for (const error of [notJson, mismatch]) for (const text of texts(error)) expect(text).not.toContain(prefix)
    }).pipe(Effect.provide(v1(http.layer)))
  })

  it.effect("a wrong-typed string is told by its length, not its text", () => {
    const http = scripted(() => Response.json([{ id: "o1", name: SECRET.slice(3, 20), role: 5 }]))
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const error = yield* Effect.flip(Stream.runCollect(client.organizations.list()))
      expect(error._tag === "ThreatStackAPIError" && [error.detail, error.path]).toEqual([
        "the body does not match the expected shape: expected string, got number 5",
        "[0].role"
      ])
    }).pipe(Effect.provide(v1(http.layer)))
  })

  it.effect("x-request-id and the server's words are scrubbed, by whole tokens", () => {
    const http = scripted(() =>
      Response.json(
        { message: `bad key token=${SECRET}xyz; see docs` },
        { status: 401, headers: { "x-request-id": `req-${SECRET}` } }
      )
    )
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const error = yield* Effect.flip(Stream.runCollect(client.policies.list()))
      if (error._tag !== "ThreatStackAPIError") throw new Error(error._tag)
      expect(error.requestId).toBe("<redacted>")
      expect(error.detail).toBe("bad key token=<redacted>; see docs")
      for (const text of texts(error)) expect(text).not.toContain(SECRET)
    }).pipe(Effect.provide(v1(http.layer)))
  })

  it.effect("a short key is refused, so no scrub ever cuts words apart", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(ThreatStackConfig.make({ apiKey: "e" }))
      expect(error.argument).toBe("apiKey")
      expect(error.message).not.toContain('"e"')
    })
  )
})

/** A tracer that keeps, for every span, `JSON.stringify` of its name, attributes, events, status and exit. */
const stringifyingTracer = () => {
  const ended: Array<string> = []
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const attributes = new Map<string, unknown>()
      const events: Array<unknown> = []
      let status: Tracer.SpanStatus = { _tag: "Started", startTime }
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId: Math.random().toString(16).slice(2),
        traceId: Option.match(parent, { onNone: () => "0af7651916cd43dd8448eb211c80319c", onSome: (p) => p.traceId }),
        parent,
        context,
        get status() {
          return status
        },
        attributes,
        links: Array.from(links),
        sampled: true,
        kind,
        end: (endTime: bigint, exit: Exit.Exit<unknown, unknown>) => {
          status = { _tag: "Ended", startTime, endTime, exit }
          ended.push(
            JSON.stringify({ name, attributes: Object.fromEntries(attributes), events, status, exit }, (_key, value) =>
              typeof value === "bigint" ? value.toString() : value
            )
          )
        },
        attribute: (key, value) => {
          attributes.set(key, value)
        },
        event: (event, time, attrs) => {
          events.push({ event, time, attrs })
        },
        addLinks: () => {}
      }
      return span
    },
    context: (f) => f()
  })
  return { ended, layer: Layer.setTracer(tracer) }
}

describe("spans", () => {
  it.effect("no span's attributes, events, status or exit holds the key, v1 and v2, success and failure", () => {
    const http = scripted((url, n) =>
      n % 2 === 0
        ? Response.json({ errors: [`echo ${SECRET}`] }, { status: 500 })
        : url.pathname.startsWith("/v2")
          ? Response.json({ agents: [], token: null })
          : Response.json([])
    )
    const tracer = stringifyingTracer()
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const ts = yield* ThreatStackV2.ThreatStackV2
      yield* Stream.runCollect(client.policies.list()).pipe(Effect.withSpan("v1 ok"))
      yield* Effect.flip(Stream.runCollect(client.policies.list())).pipe(Effect.withSpan("v1 failed"))
      yield* Stream.runCollect(ts.agents.list({ status: "online" })).pipe(Effect.withSpan("v2 ok"))
      yield* Effect.flip(Stream.runCollect(ts.agents.list({ status: "online" }))).pipe(Effect.withSpan("v2 failed"))
      expect(tracer.ended.some((s) => s.includes('"name":"ThreatStack.request"'))).toBe(true)
      expect(tracer.ended.some((s) => s.includes('"name":"ThreatStackV2.request"'))).toBe(true)
      // the platform's http.client span (whose exit holds the signed request) is never opened
      expect(tracer.ended.some((s) => s.includes('"name":"http.client'))).toBe(false)
      for (const text of tracer.ended) expect(text).not.toContain(SECRET)
    }).pipe(Effect.provide(Layer.merge(v1(http.layer), v2(http.layer))), Effect.provide(tracer.layer))
  })

  it.effect("trace context is not sent to the API by default; tracePropagation: true sends our span's", () => {
    const off = scripted()
    const on = scripted((url) =>
      url.pathname.startsWith("/v2") ? Response.json({ agents: [], token: null }) : Response.json([])
    )
    const tracer = stringifyingTracer()
    const listBoth = Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const ts = yield* ThreatStackV2.ThreatStackV2
      yield* Stream.runCollect(client.policies.list())
      yield* Stream.runCollect(ts.agents.list({ status: "online" }))
    }).pipe(Effect.withSpan("caller"))
    return Effect.gen(function* () {
      yield* listBoth.pipe(
        Effect.provide(Layer.merge(v1(off.layer), v2(off.layer))),
        Effect.catchAll(() => Effect.void)
      )
      for (const request of off.seen) {
        expect(request.headers).not.toHaveProperty("traceparent")
        expect(request.headers).not.toHaveProperty("b3")
      }
      yield* listBoth.pipe(
        Effect.provide(Layer.merge(v1(on.layer, { tracePropagation: true }), v2(on.layer, { tracePropagation: true })))
      )
      expect(on.seen).toHaveLength(2)
      for (const request of on.seen) {
        expect(request.headers.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]+-01$/)
        expect(request.headers.b3).toBeDefined()
      }
    }).pipe(Effect.provide(tracer.layer))
  })
})

describe("a request that the user's transform signs is still the one sent", () => {
  it.effect("tracePropagation headers are added before the user's transform and auth see the request", () => {
    const http = scripted()
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      yield* client.get("widgets", {}, Schema.Array(Schema.Unknown)).pipe(Effect.withSpan("caller"))
      expect(http.seen[0]?.headers["x-saw-traceparent"]).toBe("yes")
    }).pipe(
      Effect.provide(
        ThreatStackClient.layer.pipe(
          Layer.provide(
            ThreatStackConfig.layer({
              apiKey: SECRET,
              tracePropagation: true,
              transformClient: HttpClient.mapRequest((request) =>
                HttpClientRequest.setHeader(request, "x-saw-traceparent", request.headers.traceparent ? "yes" : "no")
              )
            })
          ),
          Layer.provide(http.layer)
        )
      )
    )
  })
})
