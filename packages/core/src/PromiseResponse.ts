/**
 * For transports: the `HttpClientResponse` of the SDK's lean clients, whose
 * body reads are promises. Each way of reading the body (`text`,
 * `arrayBuffer`, `formData`) is read once and its promise kept; a second way
 * fails, the body being used, as on the platform's clients. `textOnce` reads
 * the text keeping no copy, for the one reader that owns the response (the
 * SDK's pipeline reads its pages so); a wait for the
 * body that is interrupted aborts the request, and `release()` ends a request
 * whose body will not be read (the SDK calls it for a body larger than
 * `maxResponseBytes`). A transport built on it tells the SDK that it ends
 * each request at its deadline with `TransportDeadline.attach`. The
 * platform's responses read the body through `Effect.cached`, run in a fiber
 * of its own, and are wrapped for callers who may never read them: costs per
 * response that a client whose every body is read, or ended at its deadline,
 * can leave out.
 *
 * @since 0.2.0
 */
import * as internal from "./internal/PromiseResponse.js"

/**
 * The base class: a subclass gives `status`, `stream` and the raw reads
 * (`readHeaders`, `readCookies`, `readText`, `readArrayBuffer`,
 * `readFormData`), and passes what ends the request early: its
 * `AbortController`, or any {@link Abortable}.
 *
 * @example
 * ```ts
 * import { Cookies, Headers, HttpClientError, type HttpClientRequest } from "@effect/platform"
 * import { Stream } from "effect"
 * import { PromiseResponse } from "@effect-threatstack/core"
 *
 * // a transport whose answers are web `Response`s
 * class WebResponse extends PromiseResponse.PromiseResponse {
 *   constructor(request: HttpClientRequest.HttpClientRequest, private readonly source: Response, controller: AbortController) {
 *     super(request, controller)
 *   }
 *   get status() { return this.source.status }
 *   get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
 *     const body = this.source.body
 *     return body === null ? Stream.empty : Stream.fromReadableStream(() => body, (cause) => this.failed(cause))
 *   }
 *   protected readHeaders() { return Headers.fromInput(this.source.headers) }
 *   protected readCookies() { return Cookies.fromSetCookie(this.source.headers.getSetCookie()) }
 *   protected readText() { return this.source.text() }
 *   protected readArrayBuffer() { return this.source.arrayBuffer() }
 *   protected readFormData() { return this.source.formData() }
 * }
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const PromiseResponse: typeof internal.PromiseResponse = internal.PromiseResponse

/**
 * An instance of {@link PromiseResponse}.
 *
 * @since 0.2.0
 * @category models
 */
export type PromiseResponse = internal.PromiseResponse

/**
 * The `HttpClient` of a transport whose responses are
 * {@link PromiseResponse}s: each request's URL is made once (one that cannot
 * be parsed is a `RequestError` with reason `InvalidUrl`, as on the
 * platform's clients), then `send` gets the request, its URL and the
 * context of the fiber executing it (where per-request options are
 * provided). `send` should abort the request when it is interrupted.
 *
 * @example
 * ```ts
 * import { HttpClientError, type HttpClientRequest } from "@effect/platform"
 * import { Effect } from "effect"
 * import { PromiseResponse } from "@effect-threatstack/core"
 *
 * // the subclass of the example above
 * declare const respond: (
 *   request: HttpClientRequest.HttpClientRequest,
 *   source: Response,
 *   controller: AbortController
 * ) => PromiseResponse.PromiseResponse
 *
 * const client = PromiseResponse.makeClient((request, url) =>
 *   Effect.async((resume) => {
 *     const controller = new AbortController()
 *     fetch(url, { method: request.method, headers: request.headers, signal: controller.signal }).then(
 *       (source) => resume(Effect.succeed(respond(request, source, controller))),
 *       (cause) => resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause })))
 *     )
 *     return Effect.sync(() => controller.abort())
 *   })
 * )
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeClient: typeof internal.makeClient = internal.makeClient

/**
 * What ends a response's request early (an interrupted wait for the body,
 * `release()`): an `AbortController`, or any object with an `abort()`. The
 * SDK's undici client passes an `EventEmitter` that undici's `request` takes
 * as its signal: per request, a Node `AbortSignal` cost more garbage
 * collection than the rest of the client.
 *
 * @since 0.2.0
 * @category models
 */
export type Abortable = internal.Abortable
