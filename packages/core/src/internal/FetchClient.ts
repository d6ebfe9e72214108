/**
 * The `HttpClient` the SDK's own requests take over `FetchThreatStack`: the
 * runtime's `fetch` (or the one `FetchHttpClient.Fetch` provides), with a
 * timer per request that aborts it at its deadline, and a response that
 * reads its body once, as a promise.
 *
 * @internal
 */
import {
  Cookies,
  FetchHttpClient,
  Headers,
  type HttpBody,
  type HttpClient,
  HttpClientError,
  type HttpClientRequest,
  type HttpClientResponse
} from "@effect/platform"
import { Context, Effect, Option, Stream } from "effect"
import { makeClient, PromiseResponse } from "./PromiseResponse.js"
import { DeadlineExceeded } from "./TransportDeadline.js"

/** A fetch `Response`, its body read at most once; the deadline's timer ends with the body. */
class FetchResponse extends PromiseResponse {
  constructor(
    request: HttpClientRequest.HttpClientRequest,
    private readonly source: Response,
    private readonly abortController: AbortController,
    private readonly timer: ReturnType<typeof setTimeout>
  ) {
    super(request, abortController)
  }

  /** A body the deadline aborted fails with the deadline (a body not yet being read says only "aborted"). */
  protected override failed(cause: unknown): HttpClientError.ResponseError {
    const reason: unknown = this.abortController.signal.reason
    return super.failed(reason instanceof DeadlineExceeded ? reason : cause)
  }

  /** The request ended unread: its deadline has nothing left to bound. */
  override release(): void {
    clearTimeout(this.timer)
    super.release()
  }

  get status(): number {
    return this.source.status
  }

  protected readHeaders(): Headers.Headers {
    return Headers.fromInput(this.source.headers)
  }

  protected readCookies(): Cookies.Cookies {
    return Cookies.fromSetCookie(this.source.headers.getSetCookie())
  }

  protected readText(): Promise<string> {
    return this.ended(this.source.text())
  }

  protected readArrayBuffer(): Promise<ArrayBuffer> {
    return this.ended(this.source.arrayBuffer())
  }

  protected readFormData(): Promise<FormData> {
    return this.ended(this.source.formData())
  }

  /** The read, which clears the deadline's timer when it ends. */
  private ended<A>(read: Promise<A>): Promise<A> {
    const clear = () => clearTimeout(this.timer)
    read.then(clear, clear)
    return read
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    const body = this.source.body
    if (body === null) {
      return Stream.fail(
        new HttpClientError.ResponseError({
          request: this.request,
          response: this,
          reason: "EmptyBody",
          description: "can not create stream from empty body"
        })
      )
    }
    return Stream.fromReadableStream(
      () => body,
      (cause) => this.failed(cause)
    ).pipe(Stream.ensuring(Effect.sync(() => clearTimeout(this.timer))))
  }
}

/** A request body as fetch takes it, as the platform's fetch client converts it. */
const bodyOf = (body: HttpBody.HttpBody): Effect.Effect<BodyInit> | BodyInit | null => {
  switch (body._tag) {
    case "Empty":
      return null
    case "Raw":
    case "Uint8Array":
      return body.body as BodyInit
    case "FormData":
      return body.formData
    case "Stream":
      return Stream.toReadableStreamEffect(body.stream)
  }
}

/** Sends `request` with `fetch`; aborted at `millis`, or when the caller is interrupted. */
const send = (
  fetch: typeof globalThis.fetch,
  options: RequestInit,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  body: BodyInit | null,
  millis: number
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError> =>
  Effect.async((resume) => {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(new DeadlineExceeded(millis)), millis)
    let headers = options.headers ? Headers.merge(Headers.fromInput(options.headers), request.headers) : request.headers
    if (headers["content-length"] !== undefined) headers = Headers.remove(headers, "content-length")
    const init: RequestInit & { duplex?: "half" } = {
      ...options,
      method: request.method,
      headers,
      body,
      signal: controller.signal
    }
    if (request.body._tag === "Stream") init.duplex = "half"
    const failed = (cause: unknown) => {
      clearTimeout(timer)
      resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause })))
    }
    let sent: Promise<Response>
    try {
      sent = fetch(url, init)
    } catch (cause) {
      // a fetch of the user's that throws instead of rejecting, as the platform's client takes it
      failed(cause)
      return
    }
    sent.then((source) => {
      // no body to read (a 204, a 304, a HEAD): the deadline has nothing left to bound
      if (source.body === null) clearTimeout(timer)
      resume(Effect.succeed(new FetchResponse(request, source, controller, timer)))
    }, failed)
    return Effect.sync(() => {
      clearTimeout(timer)
      controller.abort()
    })
  })

/**
 * The client that ends each request `millis` after sending it. `fetch` and
 * the `RequestInit` defaults come from the request's context, else from
 * `context` (the layer's), else the runtime's `fetch` and none.
 */
export const make = (millis: number, context: Context.Context<never>): HttpClient.HttpClient =>
  makeClient((request, url, given) => {
    const option = <I, S>(tag: Context.Tag<I, S>) =>
      Option.orElse(Context.getOption(given, tag), () => Context.getOption(context, tag))
    const fetch = Option.getOrElse(option(FetchHttpClient.Fetch), () => globalThis.fetch)
    const options = Option.getOrElse(option(FetchHttpClient.RequestInit), () => ({}))
    const body = bodyOf(request.body)
    return Effect.isEffect(body)
      ? Effect.flatMap(body, (stream) => send(fetch, options, request, url, stream, millis))
      : send(fetch, options, request, url, body, millis)
  })
