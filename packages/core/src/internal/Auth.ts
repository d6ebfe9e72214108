/**
 * Authentication as one request transform that the pipeline runs on every
 * attempt, after the user's `transformClient` and under no platform span:
 * v1's raw key header, or v2's Hawk signature (fresh `ts` and `nonce` each
 * attempt, over the exact URL and body that are sent).
 *
 * @internal
 */
import { HttpClientError, HttpClientRequest, UrlParams } from "@effect/platform"
import { Clock, Effect, Either, Option, Redacted } from "effect"
import type { Implementation } from "../HawkCrypto.js"
import * as Hawk from "./Hawk.js"

/** Signs one attempt of a request; the request's URL is already absolute. */
export type Auth = (
  request: HttpClientRequest.HttpClientRequest
) => Effect.Effect<HttpClientRequest.HttpClientRequest, HttpClientError.RequestError>

/** v1: the key as the raw `Authorization` header, the organization as `Organization`. */
export const apiKey = (key: Redacted.Redacted<string>, orgId: Option.Option<string>): Auth => {
  const headers: Record<string, string> = {}
  if (Option.isSome(orgId)) headers.organization = orgId.value
  return (request) =>
    Effect.succeed(HttpClientRequest.setHeaders(request, { ...headers, authorization: Redacted.value(key) }))
}

/**
 * What v2 signing reads besides the request: random bytes for each nonce,
 * and the clock skew learnt from a server's stale-timestamp answer (Hawk's
 * `tsm`), in milliseconds to add to `Clock`.
 */
export interface HawkSource {
  readonly nonce: () => string
  skewMs: number
  /** The HMAC and SHA-256 to sign with. */
  readonly crypto: Implementation
}

/**
 * The body bytes of a request, as they will be sent (JSON bodies are
 * `Uint8Array` already), and the content type they are hashed with. A raw
 * text body with no content type, in the body or a header, is sent as
 * `application/json` (`undeclared`): the type the server hashes must be the
 * one signed, and transports differ in what they would send.
 */
const bodyOf = (
  request: HttpClientRequest.HttpClientRequest
): { contentType: string; bytes: Uint8Array; undeclared: boolean } | undefined => {
  const body = request.body
  switch (body._tag) {
    case "Uint8Array":
      // Stryker disable next-line BooleanLiteral: a header set to the body's own type changes nothing sent
      return { contentType: body.contentType, bytes: body.body, undeclared: false }
    case "Raw": {
      if (typeof body.body !== "string") return undefined
      const declared = body.contentType ?? request.headers["content-type"]
      return {
        contentType: declared ?? "application/json",
        bytes: new TextEncoder().encode(body.body),
        // Stryker disable next-line ConditionalExpression: a header set to the type already declared changes nothing sent
        undeclared: declared === undefined
      }
    }
    // Stryker disable next-line ConditionalExpression: the last case: whatever it matches returns undefined
    default:
      return undefined
  }
}

/**
 * v2: a Hawk `Authorization` header (sha256; id = user id, key = API key,
 * ext = organization id). The query is folded into the URL first, exactly as
 * the platform would encode it, so the signed resource is the sent one.
 */
export const hawk =
  (credentials: Hawk.Credentials, orgId: string, source: HawkSource): Auth =>
  (request) =>
    Effect.gen(function* () {
      const url = UrlParams.makeUrl(request.url, request.urlParams, Option.none())
      if (Either.isLeft(url)) {
        return yield* new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: url.left })
      }
      // an empty query ("…?") is signed as no query: send none, for a browser's fetch would send the bare "?"
      // that undici drops (setting search to "" removes the "?" itself); a fragment is never signed, and
      // undici would send it: send none
      if (url.right.search === "") url.right.search = ""
      url.right.hash = ""
      // the query folded into the URL string, so what is signed is exactly what is sent
      const payload = bodyOf(request)
      const folded = HttpClientRequest.make(request.method)(url.right.toString(), { headers: request.headers }).pipe(
        HttpClientRequest.setBody(request.body)
      )
      const sent =
        payload?.undeclared === true ? HttpClientRequest.setHeader(folded, "content-type", payload.contentType) : folded
      const now = (yield* Clock.currentTimeMillis) + source.skewMs
      const hash =
        payload === undefined
          ? undefined
          : yield* Effect.promise(() => Hawk.payloadHash(payload.contentType, payload.bytes, source.crypto))
      const header = yield* Effect.promise(() =>
        Hawk.header(
          credentials,
          {
            method: request.method,
            ...Hawk.targetOf(url.right),
            ts: Math.floor(now / 1000),
            nonce: source.nonce(),
            ext: orgId,
            hash
          },
          source.crypto
        )
      )
      return HttpClientRequest.setHeader(sent, "authorization", header)
    })

/**
 * Learns the server's clock from a Hawk stale-timestamp answer
 * (`WWW-Authenticate: Hawk ts="…", tsm="…", error="Stale timestamp"`): the
 * skew is taken only when `tsm` is the server's MAC of its `ts` under our
 * key, so nobody without the key can move our clock.
 */
export const resync = (header: string, key: Redacted.Redacted<string>, source: HawkSource): Effect.Effect<boolean> =>
  Effect.gen(function* () {
    const challenge = Hawk.parseWwwAuthenticate(header)
    if (challenge === undefined || !/stale/i.test(challenge.error)) return false
    const expected = yield* Effect.promise(() => Hawk.mac(key, `hawk.1.ts\n${challenge.ts}\n`, source.crypto))
    if (expected !== challenge.tsm) return false
    source.skewMs = challenge.ts * 1000 - (yield* Clock.currentTimeMillis)
    return true
  })
