/**
 * The client the SDK's own requests take over `NodeThreatStack`
 * (`internal/UndiciClient`: undici's `request` with a response that reads its
 * body once) answers as the platform's undici client does, member by member
 * of `HttpClientResponse`, for the same server answers; it sends request
 * bodies and applies `UndiciRequestOptions` as that client does; a read that
 * is interrupted aborts the request; a body the deadline ended before it was
 * read is that failure, however it is read.
 */
import { type HttpClient, HttpClientRequest, type HttpClientResponse } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Undici from "@effect/platform-node/Undici"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Stream } from "effect"
import { DeadlineDispatcher } from "../packages/node/src/internal/DeadlineDispatcher.js"
import * as UndiciClient from "../packages/node/src/internal/UndiciClient.js"
import { eventually, rawServer } from "./rawServer.js"

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

/** Both clients over one Agent of their own, destroyed with the scope. */
const clients = Effect.map(
  Effect.acquireRelease(
    Effect.sync(() => new Undici.Agent()),
    (agent) => Effect.promise(() => agent.destroy())
  ),
  (agent) => {
    const platform = NodeHttpClient.makeUndici(agent)
    return { platform, lean: UndiciClient.make(agent) }
  }
)

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

describe("the SDK's undici client over NodeThreatStack", () => {
  for (const path of Object.keys(answers)) {
    it.scopedLive(`answers ${path} as the platform's undici client does, member by member`, () =>
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

  it.scopedLive("UndiciRequestOptions in the context apply, as on the platform's client", () =>
    Effect.gen(function* () {
      const s = yield* served
      const { platform, lean } = yield* clients
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

  it.scopedLive("a streamed body the deadline ended before it was read fails with the deadline, not as empty", () =>
    Effect.gen(function* () {
      const s = yield* served
      const agent = yield* Effect.acquireRelease(
        Effect.sync(() => new Undici.Agent()),
        (a) => Effect.promise(() => a.destroy())
      )
      const lean = UndiciClient.make(new DeadlineDispatcher(agent, 100))
      // the headers come at once, the body never ends; nobody reads it until the deadline has passed
      const response = yield* lean.execute(HttpClientRequest.get(`${s.base}/chunked-stall`))
      yield* Effect.sleep("250 millis")
      const failed = (body: Effect.Effect<unknown, { reason: string; cause?: unknown }>) =>
        Effect.match(body, {
          onFailure: (e) => [e.reason, e.cause instanceof Error ? e.cause.message : e.cause],
          onSuccess: (value) => ["read", value]
        })
      const expected = ["Decode", "no answer within 100 ms"]
      expect(yield* failed(Stream.runCollect(response.stream))).toEqual(expected)
      expect(yield* failed(response.text)).toEqual(expected)
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
