/**
 * For transports: an `HttpClient` that can end each request itself once its
 * time is up says so here, and the SDK then leaves the timeout to it.
 *
 * Each attempt's timeout is otherwise enforced by running the attempt in a
 * fiber of its own and interrupting it when the time is up: a cost paid on
 * every request, whatever the transport. A transport that keeps a timer per
 * request and aborts the request when it fires (`NodeThreatStack`'s undici
 * client and `FetchThreatStack`'s do) spares that fiber. The SDK sends through the variant whenever
 * no `transformClient` is set (a transform's own work, waits or retries are
 * not the transport's to bound) and the timeout fits a timer (about 24.8
 * days). On the live clock it then keeps no timer of its own; under a
 * `TestClock` it keeps its own timeout as well, which the clock drives (the
 * transport's deadline, in real time, still applies). The error users see is
 * the same `Timeout`.
 *
 * @since 0.2.0
 */
import type { HttpClient } from "@effect/platform"
import * as internal from "./internal/TransportDeadline.js"

/**
 * The reason a transport aborts a request with when its deadline passes. The
 * SDK finds it as the `cause` (or a cause's cause) of the `HttpClientError`
 * the request fails with, and reports a `Timeout`.
 *
 * @since 0.2.0
 * @category errors
 */
export const DeadlineExceeded: typeof internal.DeadlineExceeded = internal.DeadlineExceeded

/**
 * An instance of {@link DeadlineExceeded}: `millis` is the deadline that passed.
 *
 * @since 0.2.0
 * @category errors
 */
export type DeadlineExceeded = internal.DeadlineExceeded

/**
 * Declares that `client` has a variant, made by `withDeadline(millis)`, that
 * fails each request with a {@link DeadlineExceeded} cause once `millis`
 * have passed since it was sent (the body read included), and aborts it.
 * Returns `client` itself. The SDK trusts the variant with the timeout: on
 * the live clock it keeps no timer of its own, so a variant that does not
 * fail every request at its deadline leaves requests unbounded.
 *
 * @example
 * ```ts
 * import { HttpClient } from "@effect/platform"
 * import { TransportDeadline } from "@effect-threatstack/core"
 *
 * // a transport whose requests accept a deadline of their own
 * declare const make: (options: { readonly deadlineMillis?: number }) => HttpClient.HttpClient
 *
 * const client = TransportDeadline.attach(make({}), (millis) => make({ deadlineMillis: millis }))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const attach: (
  client: HttpClient.HttpClient,
  withDeadline: (millis: number) => HttpClient.HttpClient
) => HttpClient.HttpClient = internal.attach
