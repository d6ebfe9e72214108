/**
 * The clients the SDK's own requests take over `NodeThreatStack`
 * (`internal/UndiciClient`: undici's `request`) and over `FetchThreatStack`
 * (`internal/FetchClient`: `fetch`), each with a response that reads its body
 * once, answer as the platform's client they stand in for does, member by
 * member of `HttpClientResponse`, for the same server answers; they send
 * request bodies and apply the platform's per-request options
 * (`UndiciRequestOptions`; `FetchHttpClient.Fetch` and `RequestInit`) as that
 * client does; a read that is interrupted aborts the request; a body the
 * deadline ended before it was read is that failure, however it is read.
 */
import {
  Cookies,
  FetchHttpClient,
  Headers,
  HttpClient,
  HttpClientError,
  HttpClientRequest,
  type HttpClientResponse
} from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Undici from "@effect/platform-node/Undici"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Context, Effect, Exit, Fiber, Layer, Schema, Stream } from "effect"
import {
  FetchThreatStack,
  PromiseResponse,
  ThreatStack,
  ThreatStackClient,
  ThreatStackConfig,
  TransportDeadline
} from "@effect-threatstack/core"
import * as FetchClient from "../packages/core/src/internal/FetchClient.js"
import { DeadlineDispatcher } from "../packages/node/src/internal/DeadlineDispatcher.js"
import * as UndiciClient from "../packages/node/src/internal/UndiciClient.js"
import { eventually, rawServer, timers } from "./rawServer.js"

/** What the server answers, by path; `/echo` answers the request's method and body. */
const answers: Record<
  string,
  { readonly status: number; readonly headers: Record<string, string>; readonly body: string }
> = {
  "/json": {
    status: 200,
    headers: { "content-type": "application/json", "set-cookie": "session=abc; Path=/" },
    body: '{"id":"al1","count":3}'
  },
  "/text": { status: 500, headers: { "content-type": "text/plain" }, body: "server error" },
  "/form": { status: 200, headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=1&b=two" },
  "/empty": { status: 204, headers: {}, body: "" }
}

/** The answers above, and a few by behaviour. */
const served = rawServer((req, res, path) => {
  if (path === "/stall") {
    res.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
    res.write('{"partial":')
    return
  }
  if (path === "/chunked-stall") {
    res.writeHead(200, { "content-type": "application/json" })
    res.write('{"partial":')
    return
  }
  if (path === "/connection") {
    res.end(String(req.headers.connection))
    return
  }
  if (path === "/redirect") {
    res.writeHead(302, { location: "/json" })
    res.end()
    return
  }
  if (path === "/extra") {
    res.writeHead(200, { "content-type": "application/json" })
    res.end(JSON.stringify(req.headers["x-extra"] ?? null))
    return
  }
  if (path === "/sized") {
    const body = answers["/json"]?.body ?? ""
    res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) })
    res.end(body)
    return
  }
  if (path === "/echo") {
    const parts: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => parts.push(chunk))
    req.on("end", () => res.end(`${req.method} ${Buffer.concat(parts).toString()}`))
    return
  }
  const answer = answers[path] ?? { status: 404, headers: {}, body: "" }
  res.writeHead(answer.status, answer.headers)
  res.end(answer.body)
})

/** An undici Agent of the test's own, destroyed with the scope. */
const agent = Effect.acquireRelease(
  Effect.sync(() => new Undici.Agent()),
  (a) => Effect.promise(() => a.destroy())
)

/** The platform's fetch client, as `FetchHttpClient.layer` builds it. */
const platformFetch = Effect.provide(HttpClient.HttpClient, FetchHttpClient.layer)

/** The lean undici client beside the platform's, over one Agent. */
const undiciClients = Effect.map(agent, (a) => ({ platform: NodeHttpClient.makeUndici(a), lean: UndiciClient.make(a) }))

/** Each lean client beside the platform's client it stands in for; `deadline(ms)` is the lean one with that deadline. */
const kinds = [
  {
    name: "undici",
    clients: undiciClients,
    deadline: (millis: number) => Effect.map(agent, (a) => UndiciClient.make(new DeadlineDispatcher(a, millis)))
  },
  {
    name: "fetch",
    clients: Effect.map(platformFetch, (platform) => ({ platform, lean: FetchClient.make(60_000, Context.empty()) })),
    deadline: (millis: number) => Effect.succeed(FetchClient.make(millis, Context.empty()))
  }
]

/** A body read as text, or its failure by its reason. */
const textOrReason = (read: Effect.Effect<string, { reason: string }>) =>
  Effect.match(read, { onFailure: (e) => `failed: ${e.reason}`, onSuccess: (text) => text })

/** Everything a response offers, read one member per request (a body is read once). */
const everything = (client: HttpClient.HttpClient, url: string) => {
  const get = client.execute(HttpClientRequest.get(url))
  // a failure by its reason: the error itself holds its response, which differs between the clients
  const read = <A>(f: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, { reason: string }>) =>
    Effect.match(Effect.flatMap(get, f), { onFailure: (e) => `failed: ${e.reason}`, onSuccess: (a) => ({ read: a }) })
  return Effect.all({
    status: Effect.map(get, (r) => r.status),
    headers: Effect.map(get, (r) => ({ ...r.headers, date: "", "keep-alive": "" })),
    cookies: Effect.map(get, (r) => r.cookies.cookies),
    remoteAddress: Effect.map(get, (r) => r.remoteAddress),
    text: read((r) => r.text),
    textTwice: read((r) => Effect.zip(r.text, r.text)),
    json: read((r) => r.json),
    arrayBuffer: read((r) => Effect.map(r.arrayBuffer, (b) => new TextDecoder().decode(b))),
    urlParams: read((r) => r.urlParamsBody),
    stream: read((r) => Effect.map(Stream.runCollect(Stream.decodeText(r.stream)), (c) => Chunk.join(c, ""))),
    inspected: Effect.map(get, (r) => {
      const json = r.toJSON() as Record<string, unknown>
      return { _id: json._id, status: json.status, body: json.body }
    })
  })
}

for (const { name, clients, deadline } of kinds) {
  describe(`the SDK's ${name} client`, () => {
    for (const path of Object.keys(answers)) {
      it.scopedLive(`answers ${path} as the platform's ${name} client does, member by member`, () =>
        Effect.gen(function* () {
          const s = yield* served
          const { platform, lean } = yield* clients
          const expected = yield* everything(platform, `${s.base}${path}`)
          const actual = yield* everything(lean, `${s.base}${path}`)
          expect(actual).toEqual(expected)
          // what the server sent is what both read (the comparison is not of two empty results)
          expect(actual.status).toBe(answers[path]?.status)
          expect(actual.text).toEqual({ read: answers[path]?.body })
        })
      )
    }

    it.scopedLive("sends a streamed body and a byte body as the platform's client does", () =>
      Effect.gen(function* () {
        const s = yield* served
        const { lean } = yield* clients
        const request = HttpClientRequest.post(`${s.base}/echo`).pipe(
          HttpClientRequest.bodyStream(
            Stream.make(new TextEncoder().encode("streamed "), new TextEncoder().encode("body"))
          )
        )
        const bytes = HttpClientRequest.post(`${s.base}/echo`).pipe(HttpClientRequest.bodyText("bytes"))
        expect(yield* Effect.flatMap(lean.execute(request), (r) => r.text)).toBe("POST streamed body")
        expect(yield* Effect.flatMap(lean.execute(bytes), (r) => r.text)).toBe("POST bytes")
      })
    )

    it.scopedLive("a body read two ways fails the second way, as on the platform's client", () =>
      Effect.gen(function* () {
        const s = yield* served
        const { platform, lean } = yield* clients
        const twoWays = (client: HttpClient.HttpClient) =>
          Effect.flatMap(client.execute(HttpClientRequest.get(`${s.base}/json`)), (r) =>
            Effect.zip(
              r.text,
              Effect.match(r.arrayBuffer, { onFailure: (e) => `failed: ${e.reason}`, onSuccess: () => "read again" })
            )
          )
        expect(yield* twoWays(lean)).toEqual(yield* twoWays(platform))
        expect(yield* twoWays(lean)).toEqual([answers["/json"]?.body, "failed: Decode"])
      })
    )

    it.scopedLive("textOnce reads the body keeping no copy: a text read before is reused, a read after fails", () =>
      Effect.gen(function* () {
        const s = yield* served
        const { lean } = yield* clients
        const get = Effect.flatMap(lean.execute(HttpClientRequest.get(`${s.base}/json`)), (r) =>
          r instanceof PromiseResponse.PromiseResponse ? Effect.succeed(r) : Effect.die("not a PromiseResponse")
        )
        const body = answers["/json"]?.body
        const once = yield* get
        expect(yield* once.textOnce).toBe(body)
        // nothing kept: the body is used, as after any read
        expect(yield* textOrReason(once.text)).toBe("failed: Decode")
        const cached = yield* get
        expect(yield* cached.text).toBe(body)
        expect(yield* cached.textOnce).toBe(body)
      })
    )

    it.scopedLive("a streamed body the deadline ended before it was read fails with the deadline, not as empty", () =>
      Effect.gen(function* () {
        const s = yield* served
        const lean = yield* deadline(100)
        // the headers come at once, the body never ends; nobody reads it until the deadline has passed
        const stalled = lean.execute(HttpClientRequest.get(`${s.base}/chunked-stall`))
        const [streamed, read] = yield* Effect.all([stalled, stalled])
        yield* Effect.sleep("250 millis")
        const failed = (body: Effect.Effect<unknown, { reason: string; cause?: unknown }>) =>
          Effect.match(body, {
            onFailure: (e) => [e.reason, e.cause instanceof Error ? e.cause.message : e.cause],
            onSuccess: (value) => ["read", value]
          })
        const expected = ["Decode", "no answer within 100 ms"]
        expect(yield* failed(Stream.runCollect(streamed.stream))).toEqual(expected)
        expect(yield* failed(read.text)).toEqual(expected)
      })
    )

    it.scopedLive("a read of the body that is interrupted aborts the request", () =>
      Effect.gen(function* () {
        const s = yield* served
        const { lean } = yield* clients
        const response = yield* lean.execute(HttpClientRequest.get(`${s.base}/stall`))
        const fiber = yield* Effect.fork(response.text)
        yield* Effect.sleep("50 millis")
        expect(Exit.isInterrupted(yield* Fiber.interrupt(fiber))).toBe(true)
        yield* eventually(() => s.closed.includes("GET /stall"))
        expect(s.closed).toContain("GET /stall")
      })
    )

    it.scopedLive("a request ended every way leaves no timer: read, streamed, bodiless, refused", () =>
      Effect.gen(function* () {
        const s = yield* served
        const lean = yield* deadline(60_000)
        const before = timers()
        const get = (path: string) => lean.execute(HttpClientRequest.get(`${s.base}${path}`))
        // each way five times: a timer left each time would be five more (a pool may hold one timer of its own)
        for (let i = 0; i < 5; i++) {
          expect(yield* Effect.flatMap(get("/json"), (r) => r.text)).toBe(answers["/json"]?.body)
          const streamed = yield* Effect.flatMap(get("/json"), (r) => Stream.runCollect(Stream.decodeText(r.stream)))
          expect(Chunk.join(streamed, "")).toBe(answers["/json"]?.body)
          expect(yield* Effect.map(get("/empty"), (r) => r.status)).toBe(204)
          // nothing listens on port 9: the connection is refused
          const refused = yield* Effect.flip(lean.execute(HttpClientRequest.get("http://127.0.0.1:9/")))
          expect([refused._tag, refused.reason]).toEqual(["RequestError", "Transport"])
        }
        expect(timers() - before).toBeLessThan(3)
      })
    )

    it.scopedLive("a URL that cannot be parsed is a RequestError, as on the platform's client", () =>
      Effect.gen(function* () {
        const { platform, lean } = yield* clients
        const reason = (client: HttpClient.HttpClient) =>
          Effect.map(Effect.flip(client.execute(HttpClientRequest.get("not a url"))), (e) => [e._tag, e.reason])
        expect(yield* reason(lean)).toEqual(yield* reason(platform))
        expect(yield* reason(lean)).toEqual(["RequestError", "InvalidUrl"])
      })
    )
  })
}

describe("the SDK's undici client", () => {
  it.scopedLive("UndiciRequestOptions in the context apply, as on the platform's client", () =>
    Effect.gen(function* () {
      const s = yield* served
      const { platform, lean } = yield* undiciClients
      const connection = (client: HttpClient.HttpClient) =>
        Effect.flatMap(client.execute(HttpClientRequest.get(`${s.base}/connection`)), (r) => r.text)
      // reset: the connection is closed after the request, and the request says so (method and path are the request's)
      const reset = Effect.provideService(NodeHttpClient.UndiciRequestOptions, {
        method: "GET",
        path: "/",
        reset: true
      })
      expect(yield* reset(connection(lean))).toBe(yield* reset(connection(platform)))
      expect(yield* reset(connection(lean))).toBe("close")
      expect(yield* connection(lean)).toBe("keep-alive")
    })
  )
})

describe("the SDK's fetch client", () => {
  it.scopedLive(
    "FetchHttpClient.Fetch and RequestInit apply, the request's over the layer's, as on the platform's client",
    () =>
      Effect.gen(function* () {
        const s = yield* served
        const fetched: Array<string> = []
        const counting: typeof globalThis.fetch = (input, init) => {
          fetched.push(String(input))
          return globalThis.fetch(input, init)
        }
        const extra = (client: HttpClient.HttpClient) =>
          Effect.flatMap(client.execute(HttpClientRequest.get(`${s.base}/extra`)), (r) => r.text)
        const asRequest = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
          effect.pipe(
            Effect.provideService(FetchHttpClient.RequestInit, { headers: { "x-extra": "request" } }),
            Effect.provideService(FetchHttpClient.Fetch, counting)
          )
        const platform = yield* platformFetch
        const layers = Context.make(FetchHttpClient.RequestInit, { headers: { "x-extra": "layer" } })
        const lean = FetchClient.make(60_000, layers)
        expect(yield* extra(lean)).toBe('"layer"')
        expect(yield* asRequest(extra(lean))).toBe(yield* asRequest(extra(platform)))
        expect(yield* asRequest(extra(lean))).toBe('"request"')
        expect(fetched).toEqual([`${s.base}/extra`, `${s.base}/extra`, `${s.base}/extra`])
        // nothing given anywhere: the runtime's fetch, no extra header
        expect(yield* extra(FetchClient.make(60_000, Context.empty()))).toBe("null")
      })
  )

  it.scopedLive("FetchThreatStack's layer sends the RequestInit provided to it with each of the SDK's requests", () =>
    Effect.gen(function* () {
      const s = yield* served
      const http = FetchThreatStack.layerHttpClient.pipe(
        Layer.provide(Layer.succeed(FetchHttpClient.RequestInit, { headers: { "x-extra": "given" } }))
      )
      const sent = yield* Effect.flatMap(ThreatStackClient.ThreatStackClient, (c) =>
        c.execute(HttpClientRequest.get("extra"), Schema.NullOr(Schema.String))
      ).pipe(
        Effect.provide(ThreatStack.layer({ apiKey: "tsk_lean_client_5f2c", baseUrl: s.base }).pipe(Layer.provide(http)))
      )
      expect(sent).toBe("given")
    })
  )

  it.scopedLive("a fetch that throws instead of rejecting is a RequestError, as on the platform's client", () =>
    Effect.gen(function* () {
      const s = yield* served
      const throwing: typeof globalThis.fetch = () => {
        throw new TypeError("no fetch here")
      }
      const reason = (client: HttpClient.HttpClient) =>
        Effect.flip(client.execute(HttpClientRequest.get(`${s.base}/json`))).pipe(
          Effect.provideService(FetchHttpClient.Fetch, throwing),
          Effect.map((e) => [e._tag, e.reason, e.cause instanceof Error ? e.cause.message : e.cause])
        )
      const before = timers()
      expect(yield* reason(FetchClient.make(60_000, Context.empty()))).toEqual(yield* reason(yield* platformFetch))
      expect(yield* reason(FetchClient.make(60_000, Context.empty()))).toEqual([
        "RequestError",
        "Transport",
        "no fetch here"
      ])
      expect(timers()).toBe(before)
    })
  )

  it.scopedLive("an interrupted request whose fetch ignores the signal leaves no timer", () =>
    Effect.gen(function* () {
      const s = yield* served
      // a fetch of the user's that never settles, whatever its signal says
      const hanging: typeof globalThis.fetch = () => new Promise<Response>(() => {})
      const before = timers()
      const fiber = yield* Effect.fork(
        FetchClient.make(60_000, Context.empty())
          .execute(HttpClientRequest.get(`${s.base}/json`))
          .pipe(Effect.provideService(FetchHttpClient.Fetch, hanging))
      )
      yield* Effect.yieldNow()
      expect(timers()).toBe(before + 1)
      expect(Exit.isInterrupted(yield* Fiber.interrupt(fiber))).toBe(true)
      expect(timers()).toBe(before)
    })
  )

  it.scopedLive("RequestInit's other options apply too, as on the platform's client", () =>
    Effect.gen(function* () {
      const s = yield* served
      const status = (client: HttpClient.HttpClient) =>
        Effect.map(client.execute(HttpClientRequest.get(`${s.base}/redirect`)), (r) => r.status)
      const manual = Effect.provideService(FetchHttpClient.RequestInit, { redirect: "manual" })
      const lean = FetchClient.make(60_000, Context.empty())
      expect(yield* manual(status(lean))).toBe(yield* manual(status(yield* platformFetch)))
      expect(yield* manual(status(lean))).toBe(302)
      // by default a redirect is followed
      expect(yield* status(lean)).toBe(200)
    })
  )
})

/** A web `Response` as a `PromiseResponse`, as a transport of a user's own would make it. */
class WebResponse extends PromiseResponse.PromiseResponse {
  constructor(
    request: HttpClientRequest.HttpClientRequest,
    private readonly source: Response
  ) {
    super(request, new AbortController())
  }
  get status() {
    return this.source.status
  }
  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    const body = this.source.body
    return body === null
      ? Stream.empty
      : Stream.fromReadableStream(
          () => body,
          (cause) => this.failed(cause)
        )
  }
  protected readHeaders() {
    return Headers.fromInput(this.source.headers)
  }
  protected readCookies() {
    return Cookies.empty
  }
  protected readText() {
    return this.source.text()
  }
  protected readArrayBuffer() {
    return this.source.arrayBuffer()
  }
  protected readFormData() {
    return this.source.formData()
  }
}

describe("the SDK's pipeline over a transport of PromiseResponses", () => {
  it.scopedLive("reads each body with textOnce: nothing of it is kept on the response", () =>
    Effect.gen(function* () {
      const s = yield* served
      const made: Array<WebResponse> = []
      const transport = PromiseResponse.makeClient((request, url) =>
        Effect.tryPromise({
          try: () => fetch(url, { method: request.method, headers: request.headers }),
          catch: (cause) => new HttpClientError.RequestError({ request, reason: "Transport", cause })
        }).pipe(
          Effect.map((source) => {
            const response = new WebResponse(request, source)
            made.push(response)
            return response
          })
        )
      )
      // its requests are bounded by the SDK's own timeout, the variant being the client itself
      const http = TransportDeadline.attach(transport, () => transport)
      const body = yield* Effect.flatMap(ThreatStackClient.ThreatStackClient, (c) =>
        c.get("sized", {}, Schema.Unknown)
      ).pipe(
        Effect.provide(
          ThreatStackClient.layer.pipe(
            Layer.provide(ThreatStackConfig.layer({ apiKey: "tsk_test_once", baseUrl: s.base, maxRetries: 0 })),
            Layer.provide(Layer.succeed(HttpClient.HttpClient, http))
          )
        )
      )
      expect(body).toEqual(JSON.parse(answers["/json"]?.body ?? ""))
      expect(made).toHaveLength(1)
      // read as text, the body would have stayed cached on the response; read once, it is used and gone
      const later = yield* textOrReason(made[0]?.text ?? Effect.die("no response"))
      expect(later).toBe("failed: Decode")
    })
  )
})
