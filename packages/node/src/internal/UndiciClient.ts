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
 * Only requests with no body or a byte body (what the SDK sends) go this way;
 * any other body goes through `fallback`, the platform's client on the same
 * dispatcher.
 *
 * @internal
 */
import {
  Cookies,
  Headers,
  HttpClient,
  HttpClientError,
  type HttpClientRequest,
  HttpClientResponse,
  HttpIncomingMessage,
  UrlParams
} from "@effect/platform"
import * as NodeStream from "@effect/platform-node/NodeStream"
import type * as Undici from "@effect/platform-node/Undici"
import { Effect, Inspectable, Option, type Stream } from "effect"

const ignore = () => {}

/** A response of undici's `request`, its body read at most once. */
class UndiciResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  private cachedHeaders: Headers.Headers | undefined
  private read: Promise<unknown> | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    private readonly source: Undici.Dispatcher.ResponseData,
    private readonly controller: AbortController
  ) {
    super()
    // an error after nobody reads the body (the deadline aborting it) is not an uncaught one
    source.body.on("error", ignore)
  }

  get status(): number {
    return this.source.statusCode
  }

  get headers(): Headers.Headers {
    this.cachedHeaders ??= Headers.fromInput(this.source.headers)
    return this.cachedHeaders
  }

  get cookies(): Cookies.Cookies {
    const header = this.source.headers["set-cookie"]
    if (header === undefined) return Cookies.empty
    return Cookies.fromSetCookie(Array.isArray(header) ? header : [header])
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  private failed(cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
  }

  /** The body, read once by `read` (later calls get the first read's result); an interrupted wait aborts the request. */
  private body<A>(
    read: (body: Undici.Dispatcher.ResponseData["body"]) => Promise<A>
  ): Effect.Effect<A, HttpClientError.ResponseError> {
    return Effect.async<A, HttpClientError.ResponseError>((resume) => {
      this.read ??= read(this.source.body)
      ;(this.read as Promise<A>).then(
        (value) => resume(Effect.succeed(value)),
        (cause) => resume(Effect.fail(this.failed(cause)))
      )
      return Effect.sync(() => this.controller.abort())
    })
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return this.body((body) => body.text())
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return this.body((body) => body.arrayBuffer())
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return this.body((body) => body.formData() as Promise<FormData>)
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({ try: () => (text === "" ? null : JSON.parse(text)), catch: (cause) => this.failed(cause) })
    )
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => UrlParams.fromInput(new URLSearchParams(text)),
        catch: (cause) => this.failed(cause)
      })
    )
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return NodeStream.fromReadable(
      () => this.source.body,
      (cause) => this.failed(cause)
    )
  }

  toJSON(): unknown {
    return HttpIncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }
}

/** Sends `request` with undici's `request` on `dispatcher`; an interruption aborts it. */
const send = (
  dispatcher: Undici.Dispatcher,
  request: HttpClientRequest.HttpClientRequest,
  body: Uint8Array | null
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError> => {
  const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
  if (url._tag === "Left") {
    return Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: url.left }))
  }
  const { origin, pathname, search, hash } = url.right
  return Effect.async((resume) => {
    const controller = new AbortController()
    dispatcher
      .request({
        method: request.method,
        origin,
        path: pathname + search + hash,
        headers: request.headers,
        body,
        signal: controller.signal,
        // the deadline is the dispatcher's; undici's own timeouts are off, as on the platform's client
        headersTimeout: 0,
        bodyTimeout: 0
      })
      .then(
        (source) => resume(Effect.succeed(new UndiciResponse(request, source, controller))),
        (cause) => resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause })))
      )
    return Effect.sync(() => controller.abort())
  })
}

/** The client over `dispatcher`; requests with a body other than bytes go through `fallback`. */
export const make = (dispatcher: Undici.Dispatcher, fallback: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
    (effect) =>
      Effect.flatMap(effect, (request) => {
        const body = request.body
        if (body._tag === "Empty") return send(dispatcher, request, null)
        if (body._tag === "Uint8Array") return send(dispatcher, request, body.body)
        return fallback.execute(request)
      }),
    Effect.succeed
  )
