/**
 * The `HttpClient` the SDK's own requests take over `NodeThreatStack`: undici's
 * `request` on a dispatcher that ends each request at its deadline
 * (`DeadlineDispatcher`), with a response that reads its body once, as a
 * promise. The platform's undici client does more per request, for callers
 * this one does not have: an `AbortController` it registers with a
 * `FinalizationRegistry` (to abort a response nobody read), a wrapper over
 * each response that aborts the request when the reading fiber is
 * interrupted, and a body read through `Effect.cached` run in a fiber of its
 * own. Here an unread body ends at the deadline, and an interrupted read
 * aborts the request directly.
 *
 * Every body the platform's client sends is sent as it sends it, and
 * `NodeHttpClient.UndiciRequestOptions` in the context applies as there.
 *
 * @internal
 */
import {
  Cookies,
  Headers,
  type HttpBody,
  type HttpClient,
  HttpClientError,
  type HttpClientRequest,
  type HttpClientResponse
} from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeStream from "@effect/platform-node/NodeStream"
import type * as Undici from "@effect/platform-node/Undici"
import { EventEmitter } from "node:events"
import { Context, Effect, Option, Stream } from "effect"
import { PromiseResponse } from "@effect-threatstack/core"

const ignore = () => {}

/**
 * The signal undici's `request` is given, to end a request early (an
 * interrupted wait, an unread body released): an `EventEmitter`, which undici
 * takes as well as an `AbortSignal`. A Node `AbortController` per request,
 * with the listener undici adds to its signal, cost a listing of 1,000 pages
 * more than everything else the client does (measured against undici's own
 * `request` loop: +130 µs of garbage collection per page, and 12 scavenges
 * per 1,000 pages instead of 8); this one costs nothing measurable.
 */
class RequestSignal extends EventEmitter {
  aborted = false

  abort(): void {
    if (this.aborted) return
    this.aborted = true
    this.emit("abort")
  }
}

/** A response of undici's `request`, its body read at most once. */
class UndiciResponse extends PromiseResponse.PromiseResponse {
  constructor(
    request: HttpClientRequest.HttpClientRequest,
    private readonly source: Undici.Dispatcher.ResponseData,
    signal: RequestSignal
  ) {
    super(request, signal)
    // an error after nobody reads the body (the deadline aborting it) is not an uncaught one
    source.body.on("error", ignore)
  }

  get status(): number {
    return this.source.statusCode
  }

  protected readHeaders(): Headers.Headers {
    return Headers.fromInput(this.source.headers)
  }

  protected readCookies(): Cookies.Cookies {
    const header = this.source.headers["set-cookie"]
    if (header === undefined) return Cookies.empty
    return Cookies.fromSetCookie(Array.isArray(header) ? header : [header])
  }

  protected readText(): Promise<string> {
    return this.source.body.text()
  }

  protected readArrayBuffer(): Promise<ArrayBuffer> {
    return this.source.body.arrayBuffer()
  }

  protected readFormData(): Promise<FormData> {
    return this.source.body.formData() as Promise<FormData>
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    // a body that already failed (the deadline passed before anyone read it) is that failure, not an empty stream
    const errored = this.source.body.errored
    if (errored !== null) return Stream.fail(this.failed(errored))
    return NodeStream.fromReadable(
      () => this.source.body,
      (cause) => this.failed(cause)
    )
  }
}

/** A request body as undici's `request` takes it. */
type Body = Exclude<Undici.Dispatcher.DispatchOptions["body"], undefined>

/** A request body as undici takes it, as the platform's client converts it (a stream: see `make`). */
const bodyOf = (body: Exclude<HttpBody.HttpBody, HttpBody.Stream>): Body => {
  switch (body._tag) {
    case "Empty":
      return null
    case "Uint8Array":
    case "Raw":
      return body.body as Uint8Array
    case "FormData":
      return body.formData as Undici.FormData
  }
}

/** Sends `request` with undici's `request` on `dispatcher`; an interruption aborts it. */
const send = (
  dispatcher: Undici.Dispatcher,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  body: Body,
  options: Partial<Undici.Dispatcher.RequestOptions> | undefined
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError> => {
  const { origin, pathname, search, hash } = url
  return Effect.async((resume) => {
    const signal = new RequestSignal()
    dispatcher
      .request({
        ...options,
        method: request.method,
        origin,
        path: pathname + search + hash,
        headers: request.headers,
        body,
        signal,
        // the deadline is the dispatcher's; undici's own timeouts are off, as on the platform's client
        headersTimeout: 0,
        bodyTimeout: 0
      })
      .then(
        (source) => resume(Effect.succeed(new UndiciResponse(request, source, signal))),
        (cause) => resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause })))
      )
    return Effect.sync(() => signal.abort())
  })
}

/** The client over `dispatcher`. */
export const make = (dispatcher: Undici.Dispatcher): HttpClient.HttpClient =>
  PromiseResponse.makeClient((request, url, context) => {
    const given = Option.getOrUndefined(Context.getOption(context, NodeHttpClient.UndiciRequestOptions))
    const body = request.body
    // a stream becomes a Readable, as on the platform's client; any other body is sent without a step
    if (body._tag === "Stream") {
      return Effect.flatMap(NodeStream.toReadable(body.stream), (readable) =>
        send(dispatcher, request, url, readable, given)
      )
    }
    return send(dispatcher, request, url, bodyOf(body), given)
  })
