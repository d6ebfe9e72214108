/**
 * What the SDK makes of a response, byte by byte: bodies read to exactly
 * `maxResponseBytes`, characters split across chunks, bodies that are empty
 * or absent, errors that say where a body went wrong without quoting it,
 * transport failures in their own words, a key echoed with characters that
 * mean something to a regular expression, and which statuses decode.
 */
import { HttpClient, HttpClientError, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Schema, TestClock } from "effect"
import { ThreatStackClient, ThreatStackConfig } from "@effect-threatstack/core"
import type { ThreatStackError } from "@effect-threatstack/core"

type Answer = Response | { readonly refuse: unknown } | "hang"

/** An HttpClient that answers the n-th request (from 1) with `answer(n)`, counting them. */
const scripted = (answer: (n: number) => Answer) => {
  let count = 0
  const client = HttpClient.make((request) =>
    Effect.suspend(() => {
      const a = answer(++count)
      if (a === "hang") return Effect.never
      if (a instanceof Response) return Effect.succeed(HttpClientResponse.fromWeb(request, a))
      return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: a.refuse }))
    })
  )
  return { requests: () => count, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

const over = (
  http: { readonly layer: Layer.Layer<HttpClient.HttpClient> },
  options: Partial<ThreatStackConfig.Options> = {}
) =>
  ThreatStackClient.layer.pipe(
    Layer.provide(ThreatStackConfig.layer({ apiKey: "tsk_test_4b1d9e2c7a5f8306", maxRetries: 0, ...options })),
    Layer.provide(http.layer)
  )

/** A body in the chunks given, with no Content-Length: the SDK has to stream it. */
const chunked = (chunks: ReadonlyArray<Uint8Array>, init: ResponseInit = {}) =>
  new Response(
    new ReadableStream<Uint8Array>({
      start: (controller) => {
        for (const chunk of chunks) controller.enqueue(chunk)
        controller.close()
      }
    }),
    init
  )

const bytes = (text: string) => new TextEncoder().encode(text)

const Strings = Schema.Array(Schema.String)

const apiError = (error: ThreatStackError.ThreatStackError) => {
  if (error._tag !== "ThreatStackAPIError") throw new Error(`expected a ThreatStackAPIError, got ${error._tag}`)
  return error
}

const getStrings = Effect.flatMap(ThreatStackClient.ThreatStackClient, (client) => client.get("widgets", {}, Strings))

/** The reason and detail `getStrings` fails with over `http`. */
const failure = (
  http: { readonly layer: Layer.Layer<HttpClient.HttpClient> },
  options: Partial<ThreatStackConfig.Options> = {}
) =>
  Effect.map(Effect.flip(getStrings), (error) => [apiError(error).reason, apiError(error).detail]).pipe(
    Effect.provide(over(http, options))
  )

describe("a body is read to exactly maxResponseBytes", () => {
  // 16 bytes: ["abcdefghijkl"]
  const sixteen = '["abcdefghijkl"]'
  const seventeen = '["abcdefghijklm"]'

  it.effect("with a Content-Length: 16 of 16 bytes is read, 17 is refused unread", () => {
    const http = scripted((n) => {
      const body = n === 1 ? sixteen : seventeen
      return new Response(body, { headers: { "content-length": String(bytes(body).length) } })
    })
    return Effect.gen(function* () {
      expect(yield* getStrings).toEqual(["abcdefghijkl"])
      const error = apiError(yield* Effect.flip(getStrings))
      expect([error.reason, error.detail]).toEqual([
        "InvalidResponse",
        "the body is larger than maxResponseBytes (16 bytes); it was not read"
      ])
    }).pipe(Effect.provide(over(http, { maxResponseBytes: 16 })))
  })

  it.effect("streamed in chunks: 16 of 16 bytes is read whole, 17 is refused", () => {
    const http = scripted((n) => {
      const body = bytes(n === 1 ? sixteen : seventeen)
      return chunked([body.slice(0, 8), body.slice(8)])
    })
    return Effect.gen(function* () {
      expect(yield* getStrings).toEqual(["abcdefghijkl"])
      expect(apiError(yield* Effect.flip(getStrings)).detail).toContain("larger than maxResponseBytes (16 bytes)")
    }).pipe(Effect.provide(over(http, { maxResponseBytes: 16 })))
  })

  it.effect("characters split between chunks, a byte at a time or all in one, read as the text sent", () => {
    const body = bytes('["café","naïve","日本"]')
    const splits = [
      [body],
      Array.from(body, (byte) => Uint8Array.of(byte)),
      [body.slice(0, 5), body.slice(5, 13), body.slice(13)]
    ]
    const http = scripted((n) => chunked(splits[n - 1] ?? []))
    return Effect.gen(function* () {
      for (const _ of splits) expect(yield* getStrings).toEqual(["café", "naïve", "日本"])
    }).pipe(Effect.provide(over(http)))
  })

  it.effect("a body declared gzip is held to the bound as it is read, whatever its Content-Length says", () => {
    // a transport that decodes gzip hands over more bytes than the header declared
    const inflated = JSON.stringify(["x".repeat(100)])
    const http = scripted(
      () => new Response(inflated, { headers: { "content-length": "10", "content-encoding": "gzip" } })
    )
    return Effect.gen(function* () {
      expect(apiError(yield* Effect.flip(getStrings)).detail).toContain("larger than maxResponseBytes (50 bytes)")
    }).pipe(Effect.provide(over(http, { maxResponseBytes: 50 })))
  })

  it.effect("a blank Content-Length declares nothing: the body is held to the bound as it is read", () => {
    const http = scripted(() => new Response(JSON.stringify(["x".repeat(100)]), { headers: { "content-length": "" } }))
    return Effect.gen(function* () {
      expect(apiError(yield* Effect.flip(getStrings)).detail).toContain("larger than maxResponseBytes (50 bytes)")
    }).pipe(Effect.provide(over(http, { maxResponseBytes: 50 })))
  })
})

describe("empty and absent bodies", () => {
  it.effect("a 200 without a body, or with only whitespace, is InvalidResponse: an empty body, not JSON", () => {
    const http = scripted((n) => (n === 1 ? new Response(null, { status: 200 }) : new Response(" \n\t ")))
    return Effect.gen(function* () {
      for (const _ of [1, 2]) {
        const error = apiError(yield* Effect.flip(getStrings))
        expect([error.reason, error.detail]).toEqual(["InvalidResponse", "expected JSON, got an empty body"])
      }
    }).pipe(Effect.provide(over(http)))
  })

  it.effect("a 204 where a body was expected: the shape error says it got nothing", () => {
    const http = scripted(() => new Response(null, { status: 204 }))
    return Effect.gen(function* () {
      const error = apiError(yield* Effect.flip(getStrings))
      expect([error.reason, error.path, error.detail]).toEqual([
        "InvalidResponse",
        "(root)",
        "the body does not match the expected shape: expected ReadonlyArray<string>, got nothing"
      ])
    }).pipe(Effect.provide(over(http)))
  })

  it.effect("a 304 or an error with a blank body reads as empty, not as a non-JSON body", () => {
    const http = scripted((n) =>
      n === 1 ? new Response(null, { status: 304 }) : new Response("  \n", { status: 502 })
    )
    return Effect.gen(function* () {
      const notModified = apiError(yield* Effect.flip(getStrings))
      expect([notModified.reason, notModified.detail]).toEqual(["UnexpectedStatus", "HTTP 304 with an empty body"])
      const badGateway = apiError(yield* Effect.flip(getStrings))
      expect([badGateway.reason, badGateway.detail]).toEqual(["ServerError", "HTTP 502 with an empty body"])
    }).pipe(Effect.provide(over(http)))
  })
})

describe("a body that does not match says where and what it got, never quoting it", () => {
  const Widget = Schema.Struct({ n: Schema.Int, at: Schema.DateTimeUtc, pair: Schema.Tuple(Schema.String) })
  const widget = { n: 1, at: "2017-05-01T00:00:00.000Z", pair: ["a"] }
  const cases: ReadonlyArray<readonly [string, unknown, string, string]> = [
    [
      "an object for a list",
      { n: 1 },
      "(root)",
      "expected ReadonlyArray<{ readonly n: Int; readonly at: DateTimeUtc; readonly pair: readonly [string] }>, got an object"
    ],
    ["a text for a number", [{ ...widget, n: "four" }], "[0].n", "expected number, got a string of 4 characters"],
    ["a fraction for a whole number", [{ ...widget, n: 1.5 }], "[0].n", "expected Int, got number 1.5"],
    ["a list for a number", [widget, { ...widget, n: [1, 2] }], "[1].n", "expected number, got an array of 2"],
    ["null for a number", [{ ...widget, n: null }], "[0].n", "expected number, got null"],
    ["a boolean for a number", [{ ...widget, n: true }], "[0].n", "expected number, got boolean true"],
    ["a field left out", [{ at: widget.at, pair: ["a"] }], "[0].n", "is missing"],
    [
      "a date that is not one",
      [{ ...widget, at: "yesterday" }],
      "[0].at",
      "expected DateTimeUtc, got a string of 9 characters"
    ],
    ["one element too many", [{ ...widget, pair: ["a", "b"] }], "[0].pair[1]", "is unexpected"]
  ]
  // a value of the wrong type is told against the type (number); a number that breaks a rule, against the rule (Int)
  it.effect.each(cases)("%s", ([, body, path, message]) => {
    const http = scripted(() => Response.json(body))
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const error = apiError(yield* Effect.flip(client.get("widgets", {}, Schema.Array(Widget))))
      expect([error.reason, error.path, error.detail]).toEqual([
        "InvalidResponse",
        path,
        `the body does not match the expected shape: ${message}`
      ])
    }).pipe(Effect.provide(over(http)))
  })

  it.effect("a body that is not JSON is told by its size and media type; the request id is kept", () => {
    const page = "<html><body>Bad gateway, maybe</body></html>"
    const http = scripted(
      () => new Response(page, { headers: { "content-type": "text/html; charset=utf-8", "x-request-id": "req-7" } })
    )
    return Effect.gen(function* () {
      const error = apiError(yield* Effect.flip(getStrings))
      expect([error.reason, error.detail, error.requestId]).toEqual([
        "InvalidResponse",
        `expected JSON, got a body that is not JSON (${bytes(page).length} bytes of text/html)`,
        "req-7"
      ])
    }).pipe(Effect.provide(over(http)))
  })

  it.effect("a body over the bound keeps its request id", () => {
    const http = scripted(() => new Response('["toolong"]', { headers: { "x-request-id": "req-8" } }))
    return Effect.gen(function* () {
      const error = apiError(yield* Effect.flip(getStrings))
      expect([error.reason, error.requestId]).toEqual(["InvalidResponse", "req-8"])
    }).pipe(Effect.provide(over(http, { maxResponseBytes: 4 })))
  })
})

describe("which statuses decode", () => {
  it.effect.each([
    [200, "decoded"],
    [299, "decoded"],
    [300, "UnexpectedStatus"],
    [500, "ServerError"],
    [404, "NotFound"]
  ] as const)("%s with a body of the right shape: %s", ([code, outcome]) => {
    const http = scripted(() => Response.json(["a"], { status: code }))
    return Effect.gen(function* () {
      const result = yield* Effect.either(getStrings)
      const seen =
        result._tag === "Right"
          ? "decoded"
          : result.left._tag === "ThreatStackAPIError"
            ? result.left.reason
            : result.left._tag
      expect(seen).toBe(outcome)
    }).pipe(Effect.provide(over(http)))
  })
})

describe("transport failures in their own words", () => {
  it.effect("no answer: every cause in the chain, outermost first", () => {
    const cause = new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:9") })
    const http = scripted(() => ({ refuse: cause }))
    return Effect.map(failure(http), (got) =>
      expect(got).toEqual(["Transport", "no answer (fetch failed: connect ECONNREFUSED 127.0.0.1:9)"])
    )
  })

  it.effect("a body cut off while it is read is told apart from no answer", () => {
    const http = scripted(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start: (controller) => {
              controller.enqueue(bytes('["a",'))
              controller.error(new Error("other side closed"))
            }
          })
        )
    )
    return Effect.map(failure(http), (got) =>
      expect(got).toEqual(["Transport", "the response body could not be read (other side closed)"])
    )
  })

  it.effect("a create refused with only a code (Node's AggregateError has no message) is resent", () => {
    // what Node 20 gives when both ::1 and 127.0.0.1 refuse: an empty message and code ECONNREFUSED
    const refused = Object.assign(new AggregateError([new Error("connect ECONNREFUSED ::1:9")], ""), {
      code: "ECONNREFUSED"
    })
    const http = scripted((n) => (n === 1 ? { refuse: refused } : Response.json({ id: "w1" })))
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const post = HttpClientRequest.post("widgets").pipe(HttpClientRequest.bodyUnsafeJson({ name: "w" }))
      const fiber = yield* Effect.fork(client.execute(post, Schema.Struct({ id: Schema.String })))
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(fiber)).toEqual({ id: "w1" })
      expect(http.requests()).toBe(2)
    }).pipe(Effect.provide(over(http, { maxRetries: 2 })))
  })
})

describe("a connection reset after the request went out", () => {
  const reset = new TypeError("fetch failed", {
    cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })
  })

  it.effect("a read is resent, and succeeds", () => {
    const http = scripted((n) => (n === 1 ? { refuse: reset } : Response.json(["a"])))
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(getStrings)
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(fiber)).toEqual(["a"])
      expect(http.requests()).toBe(2)
    }).pipe(Effect.provide(over(http, { maxRetries: 2 })))
  })

  it.effect("a create is OutcomeUnknown after one request: it may have been applied", () => {
    const http = scripted(() => ({ refuse: reset }))
    const post = HttpClientRequest.post("widgets").pipe(HttpClientRequest.bodyUnsafeJson({ name: "w" }))
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const fiber = yield* Effect.fork(Effect.flip(client.execute(post, Schema.Struct({ id: Schema.String }))))
      yield* TestClock.adjust("1 minute")
      const error = apiError(yield* Fiber.join(fiber))
      expect([error.reason, error.attempts, error.detail]).toEqual([
        "OutcomeUnknown",
        1,
        "the connection failed after the request may have been sent (fetch failed: read ECONNRESET); not retried, so that it is not applied twice: check whether it was applied"
      ])
      expect(http.requests()).toBe(1)
    }).pipe(Effect.provide(over(http, { maxRetries: 2 })))
  })
})

describe("a create is resent only when the server said it did nothing", () => {
  const post = HttpClientRequest.post("widgets").pipe(HttpClientRequest.bodyUnsafeJson({ name: "w" }))
  const create = Effect.flatMap(ThreatStackClient.ThreatStackClient, (client) =>
    client.execute(post, Schema.Struct({ id: Schema.String }))
  )

  it.effect.each([
    ["503 without Retry-After", 503, {}],
    ["500 with Retry-After", 500, { "retry-after": "1" }]
  ] as const)("%s: OutcomeUnknown after one request", ([, code, headers]) => {
    const http = scripted(() => Response.json({ message: "busy" }, { status: code, headers }))
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(Effect.flip(create))
      yield* TestClock.adjust("1 minute")
      const error = apiError(yield* Fiber.join(fiber))
      expect([error.reason, error.status, error.attempts]).toEqual(["OutcomeUnknown", code, 1])
      expect(http.requests()).toBe(1)
    }).pipe(Effect.provide(over(http, { maxRetries: 2 })))
  })

  it.effect("no answer in time: OutcomeUnknown that says how long it waited, not a Timeout, not resent", () => {
    const http = scripted(() => "hang")
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(Effect.flip(create))
      yield* TestClock.adjust("5 minutes")
      const error = apiError(yield* Fiber.join(fiber))
      expect([error.reason, error.detail]).toEqual([
        "OutcomeUnknown",
        "no answer within 30s after the request was sent; not retried, so that it is not applied twice: check whether it was applied"
      ])
      expect(http.requests()).toBe(1)
    }).pipe(Effect.provide(over(http, { maxRetries: 2, timeout: "30 seconds" })))
  })
})

describe("the key, echoed with characters a regular expression would read", () => {
  it.effect("every copy is redacted, however many, whatever characters it holds", () => {
    const key = "tsk.live+key(1)$^[x]|y*"
    const http = scripted(() =>
      Response.json(
        { message: `key ${key} refused; you sent ${key}` },
        { status: 403, headers: { "x-request-id": `${key}/${key}` } }
      )
    )
    return Effect.gen(function* () {
      const error = apiError(yield* Effect.flip(getStrings))
      const shown = JSON.stringify([error.message, error.detail, error.requestId, String(error)])
      expect(shown).not.toContain("tsk.live")
      expect(error.detail).toBe("key <redacted> refused; you sent <redacted>")
      expect(error.requestId).toBe("<redacted>/<redacted>")
    }).pipe(Effect.provide(over(http, { apiKey: key })))
  })
})
