/**
 * Which `HttpClient`s can end a request themselves once its time is up, and
 * the variant of each that does.
 *
 * @internal
 */
import type { HttpClient } from "@effect/platform"

/** What a transport's requests fail with when their deadline passes (the cause inside an `HttpClientError`). */
export class DeadlineExceeded extends Error {
  override readonly name = "DeadlineExceeded"
  constructor(readonly millis: number) {
    super(`no answer within ${millis} ms`)
  }
}

/** A client, mapped to the maker of its variant that ends each request `millis` after sending it. */
const variants = new WeakMap<HttpClient.HttpClient, (millis: number) => HttpClient.HttpClient>()

/** Records that `client` has a variant that enforces a deadline; returns `client`. */
export const attach = (
  client: HttpClient.HttpClient,
  withDeadline: (millis: number) => HttpClient.HttpClient
): HttpClient.HttpClient => {
  variants.set(client, withDeadline)
  return client
}

/** The variant of `client` that ends each request `millis` after sending it, if it has one. */
export const variant = (client: HttpClient.HttpClient, millis: number): HttpClient.HttpClient | undefined =>
  variants.get(client)?.(millis)

/** Whether a transport failure, or any failure it wraps, is a passed deadline. */
export const isDeadlineExceeded = (cause: unknown): boolean =>
  cause instanceof DeadlineExceeded || (cause instanceof Error && isDeadlineExceeded(cause.cause))
