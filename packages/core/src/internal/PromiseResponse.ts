/**
 * The response of the SDK's lean transports: its body read once per way of
 * reading it, as a promise, where the platform's responses read it through
 * `Effect.cached` run in a fiber of its own, and wrap every response for
 * callers who may never read it.
 *
 * @internal
 */
import {
  type Cookies,
  type Headers,
  HttpClient,
  HttpClientError,
  type HttpClientRequest,
  HttpClientResponse,
  HttpIncomingMessage,
  UrlParams
} from "@effect/platform"
import { type Context, Effect, type Fiber, Inspectable, Option, type Stream } from "effect"

/**
 * What ends a response's request: an `AbortController`, or anything with an
 * `abort()` (undici's `request` takes an `EventEmitter` as its signal, far
 * cheaper than an `AbortSignal`).
 */
export interface Abortable {
  readonly abort: () => void
}

/** A body read to wait for: how to start it, what ends its request, how a failure reads. */
interface Job<A, E> {
  readonly start: () => Promise<A>
  readonly controller: Abortable
  readonly failed: (cause: unknown) => E
}

/**
 * Waits in `fiber` for the read `job` starts. If the fiber ends first (it
 * was interrupted), the request is aborted then: the wait has no canceller
 * and the fiber is watched instead, because a canceller wraps the wait in
 * `onInterrupt`, which cost a listing over undici's `request` 133 against
 * 38 µs of garbage collection per page.
 *
 * The wait's `Effect.async` reaches the job, and so the response, only
 * through a cell it empties as the read starts. A finished wait's register
 * function outlives collections of the young generation for a while after
 * it ran (what keeps it, we did not find: a full collection frees it), and
 * so does whatever it holds. Over undici, a listing whose waits held each
 * page's response that way promoted 51 KB per page to the old generation;
 * with the cell, 3.5 KB, and its garbage collection per page fell from
 * 81–144 to 36–45 µs (`pnpm bench:throughput`).
 *
 * The effect it returns runs once (the cell is emptied): `body` makes one
 * per run.
 */
const waitFor = <A, E>(fiber: Fiber.RuntimeFiber<unknown, unknown>, job: Job<A, E>): Effect.Effect<A, E> => {
  let cell: Job<A, E> | undefined = job
  return Effect.async<A, E>((resume) => {
    const { start, controller, failed } = cell as Job<A, E>
    cell = undefined
    // called only if the fiber ends before the read settles: a settled read stops watching
    const abandoned = () => controller.abort()
    fiber.addObserver(abandoned)
    const settled = (result: Effect.Effect<A, E>) => {
      fiber.removeObserver(abandoned)
      resume(result)
    }
    let reading: Promise<A>
    try {
      reading = start()
    } catch (cause) {
      // a body another read is consuming may be refused at once
      settled(Effect.fail(failed(cause)))
      return
    }
    reading.then(
      (value) => settled(Effect.succeed(value)),
      (cause) => settled(Effect.fail(failed(cause)))
    )
  })
}

/**
 * A transport's response whose body reads are promises. A subclass gives the
 * status, the headers, the cookies, the stream and each raw read; this class
 * reads each way once (a second way fails, the body being used, as on the
 * platform's clients), and aborts the request when a wait for the body is
 * interrupted.
 */
export abstract class PromiseResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  private cachedHeaders: Headers.Headers | undefined
  private cachedCookies: Cookies.Cookies | undefined
  private readonly reads: { text?: Promise<string>; arrayBuffer?: Promise<ArrayBuffer>; formData?: Promise<FormData> } =
    {}

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    protected readonly controller: Abortable
  ) {
    super()
  }

  abstract get status(): number
  abstract get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError>
  protected abstract readHeaders(): Headers.Headers
  protected abstract readCookies(): Cookies.Cookies
  protected abstract readText(): Promise<string>
  protected abstract readArrayBuffer(): Promise<ArrayBuffer>
  protected abstract readFormData(): Promise<FormData>

  get headers(): Headers.Headers {
    this.cachedHeaders ??= this.readHeaders()
    return this.cachedHeaders
  }

  get cookies(): Cookies.Cookies {
    this.cachedCookies ??= this.readCookies()
    return this.cachedCookies
  }

  /**
   * Ends the request with its body unread: for a body the reader will not
   * take (the SDK's, one larger than `maxResponseBytes`), so that the
   * connection is dropped now rather than at the deadline.
   */
  release(): void {
    this.controller.abort()
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  /** A body that could not be read or decoded. */
  protected failed(cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
  }

  /**
   * The body as `read` gives it (read once; later waits get that read's
   * outcome). A wait that is interrupted aborts the request, once the fiber
   * that waited has ended (an interrupted fiber always ends): see
   * {@link waitFor}.
   */
  private body<A>(read: () => Promise<A>): Effect.Effect<A, HttpClientError.ResponseError> {
    return Effect.withFiberRuntime<A, HttpClientError.ResponseError>((fiber) =>
      waitFor(fiber, { start: read, controller: this.controller, failed: (cause) => this.failed(cause) })
    )
  }

  /**
   * The body as text, for the one reader that owns the response (the SDK's
   * pipeline): read once and kept nowhere, so that a page's text can die as
   * soon as the page is decoded. A response lives on a while after its last
   * use, and a cached body with it: the text of every page then survived
   * collections of the young generation (measured over `fetch`: 119 against
   * 88 µs of garbage collection per page). A body already read as `text` is
   * that text; any other later read of the body fails, as a second read of a
   * used body does.
   */
  get textOnce(): Effect.Effect<string, HttpClientError.ResponseError> {
    return this.body(() => this.reads.text ?? this.readText())
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return this.body(() => {
      this.reads.text ??= this.readText()
      return this.reads.text
    })
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return this.body(() => {
      this.reads.arrayBuffer ??= this.readArrayBuffer()
      return this.reads.arrayBuffer
    })
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return this.body(() => {
      this.reads.formData ??= this.readFormData()
      return this.reads.formData
    })
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

  toJSON(): unknown {
    return HttpIncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }
}

/**
 * The `HttpClient` of a lean transport: each request's URL made once (one
 * that cannot be parsed is a `RequestError` `InvalidUrl`, as on the
 * platform's clients), then `send` with it and the context of the fiber
 * that executes the request (where per-request options are provided).
 */
export const makeClient = (
  send: (
    request: HttpClientRequest.HttpClientRequest,
    url: URL,
    context: Context.Context<never>
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError>
): HttpClient.HttpClient =>
  HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
    (effect) =>
      Effect.flatMap(effect, (request) =>
        Effect.withFiberRuntime((fiber) => {
          const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
          return url._tag === "Left"
            ? Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: url.left }))
            : send(request, url.right, fiber.currentContext)
        })
      ),
    Effect.succeed
  )
