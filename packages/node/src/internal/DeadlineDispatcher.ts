/**
 * An undici dispatcher that ends each request at a deadline: a timer per
 * request, started when it is dispatched and cleared when its response has
 * been received whole (or it failed). When the timer fires, the request is
 * aborted with `TransportDeadline.DeadlineExceeded`, which the SDK reports
 * as a `Timeout`.
 *
 * It serves `UndiciClient`, which sends with `dispatcher.request`: the
 * handlers it decorates are undici's legacy ones (`onConnect` …
 * `onComplete`/`onError`), as `request` makes.
 *
 * @internal
 */
import * as Undici from "@effect/platform-node/Undici"
import { TransportDeadline } from "@effect-threatstack/core"

/** The handler of one request, with its timer. */
class DeadlineHandler implements Undici.Dispatcher.DispatchHandler {
  /** undici's abort for this request, once it has a connection. */
  private abort: ((reason: Error) => void) | undefined
  /** The deadline passed before the request had a connection: it is aborted as soon as it has one. */
  private expired: Error | undefined
  /** The handler has been told how the request ended: nothing more reaches it. */
  private ended = false
  private readonly timer: ReturnType<typeof setTimeout>

  constructor(
    private readonly handler: Undici.Dispatcher.DispatchHandler,
    millis: number
  ) {
    this.timer = setTimeout(() => this.expire(new TransportDeadline.DeadlineExceeded(millis)), millis)
  }

  private expire(reason: Error): void {
    // connected: undici aborts the request and tells onError, below
    if (this.abort !== undefined) {
      this.abort(reason)
      return
    }
    // still waiting for a connection (queued, or connecting): it fails now, not when a connection comes
    this.expired = reason
    this.ended = true
    this.handler.onError?.(reason)
  }

  onConnect(abort: (reason?: Error) => void, context?: object): void {
    if (this.expired !== undefined) {
      abort(this.expired)
      return
    }
    this.abort = abort
    // undici hands the connection's context over as a second argument, which its types leave out
    const onConnect = this.handler.onConnect as
      | ((abort: (reason?: Error) => void, context?: object) => void)
      | undefined
    onConnect?.call(this.handler, abort, context)
  }

  onResponseStarted(): void {
    this.handler.onResponseStarted?.()
  }

  // after the end (a dispatcher that did not stop at the abort), what comes is dropped
  onHeaders(statusCode: number, headers: Array<Buffer>, resume: () => void, statusText: string): boolean {
    if (this.ended) return false
    return this.handler.onHeaders?.(statusCode, headers, resume, statusText) ?? true
  }

  onData(chunk: Buffer): boolean {
    if (this.ended) return false
    return this.handler.onData?.(chunk) ?? true
  }

  onBodySent(chunk: unknown, totalBytesSent: number): void {
    ;(this.handler.onBodySent as ((chunk: unknown, totalBytesSent: number) => void) | undefined)?.call(
      this.handler,
      chunk,
      totalBytesSent
    )
  }

  onComplete(trailers: Array<string> | null): void {
    clearTimeout(this.timer)
    if (this.ended) return
    // ended only once told: if the handler throws, undici reports that to onError, which must reach it
    this.handler.onComplete?.(trailers)
    this.ended = true
  }

  onError(error: Error): void {
    clearTimeout(this.timer)
    if (this.ended) return
    this.ended = true
    this.handler.onError?.(error)
  }
}

/** `dispatcher`, each request of which is aborted `millis` after it was dispatched unless it has ended. */
export class DeadlineDispatcher extends Undici.Dispatcher {
  constructor(
    private readonly dispatcher: Undici.Dispatcher,
    private readonly millis: number
  ) {
    super()
  }

  override dispatch(options: Undici.Dispatcher.DispatchOptions, handler: Undici.Dispatcher.DispatchHandler): boolean {
    return this.dispatcher.dispatch(options, new DeadlineHandler(handler, this.millis))
  }

  // the connections are the wrapped dispatcher's: whoever made it closes it
  override close(): Promise<void> {
    return Promise.resolve()
  }

  override destroy(): Promise<void> {
    return Promise.resolve()
  }
}
