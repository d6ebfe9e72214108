/**
 * Raw requests to the in-memory fake's handler, as clients send them: v1
 * with the key, v2 signed by @hapi/hawk's client (never by our own signer).
 */
import * as HapiHawk from "@hapi/hawk"
import { expect } from "@effect/vitest"
import { Clock, Effect, TestClock } from "effect"
import { FakeThreatStack } from "@effect-threatstack/core"
import { NOW, fakeOptions } from "./utils.js"

export const CREDENTIALS = FakeThreatStack.defaultV2Credentials
export const BASE = "https://api.threatstack.com/v2"
/** The second organization of the fake's user. */
export const ORG1 = "5a0000010000000000000000"

export interface Sent {
  readonly method?: string
  /** JSON-encoded unless a string. */
  readonly body?: unknown
  /** Signed as this body instead (a tampered body). */
  readonly signedBody?: string
  /** Signed for this path and query instead (a tampered target). */
  readonly signedTarget?: string
  readonly key?: string
  readonly id?: string
  readonly ext?: string | undefined
  /** The payload's content type as signed. Default application/json. */
  readonly contentType?: string
  /** Seconds added to the clock's time in `ts`. */
  readonly skew?: number
  readonly rewrite?: (header: string) => string
}

export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly json: unknown
}

/** The body as JSON, or as text when it is not JSON. */
export const parse = (body: string): unknown => {
  try {
    return JSON.parse(body)
  } catch {
    return body
  }
}

/** A Hawk header as @hapi/hawk's client writes it, at the test clock's time. */
export const sign = (url: string, method: string, sent: Sent, payload: string | undefined) =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    const { header } = HapiHawk.client.header(url, method, {
      credentials: { id: sent.id ?? CREDENTIALS.userId, key: sent.key ?? CREDENTIALS.apiKey, algorithm: "sha256" },
      timestamp: Math.floor(now / 1000) + (sent.skew ?? 0),
      ...("ext" in sent ? (sent.ext === undefined ? {} : { ext: sent.ext }) : { ext: CREDENTIALS.orgId }),
      ...(payload === undefined ? {} : { payload, contentType: sent.contentType ?? "application/json" })
    })
    return sent.rewrite === undefined ? header : sent.rewrite(header)
  })

/** One v2 request to the fake's handler, signed by @hapi/hawk. */
export const call = (fake: FakeThreatStack.Service, target: string, sent: Sent = {}): Effect.Effect<Answer> =>
  Effect.gen(function* () {
    const method = sent.method ?? "GET"
    const body =
      sent.body === undefined ? undefined : typeof sent.body === "string" ? sent.body : JSON.stringify(sent.body)
    const header = yield* sign(`${BASE}/${sent.signedTarget ?? target}`, method, sent, sent.signedBody ?? body)
    const response = yield* fake.handle({
      method,
      url: new URL(`${BASE}/${target}`),
      headers: { authorization: header, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: new TextEncoder().encode(body) })
    })
    return { ...response, json: response.body === "" ? undefined : parse(response.body) }
  })

/** Status and JSON body of one v2 call, as a pair to compare whole. */
export const answer = (fake: FakeThreatStack.Service, target: string, sent: Sent = {}) =>
  Effect.map(call(fake, target, sent), ({ status, json }) => [status, json] as const)

/** The `{ errors: [...] }` answer, as {@link answer} gives it. */
export const refused = (status: number, message: string) => [status, { errors: [message] }] as const

/** A v1 request with the key (and an organization when given), a GET unless told. */
export const v1 = (
  fake: FakeThreatStack.Service,
  target: string,
  headers: Record<string, string | undefined> = { authorization: FakeThreatStack.defaultApiKey },
  method = "GET"
) =>
  Effect.map(fake.handle({ method, url: new URL(`https://fake.invalid/api/v1/${target}`), headers }), (response) => ({
    ...response,
    json: response.body === "" ? undefined : parse(response.body)
  }))

/** A fake at the test data's time, the test clock set to it (Hawk timestamps are checked against it). */
export const withFake = <A, E>(
  options: FakeThreatStack.Options,
  f: (fake: FakeThreatStack.Service) => Effect.Effect<A, E>
) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW)
    const fake = yield* FakeThreatStack.make(fakeOptions(options))
    return yield* f(fake)
  })

export type Page<K extends string, A> = { readonly [key in K]: ReadonlyArray<A> } & { readonly token: string | null }

/** Every page of a token walk; later pages send only the token unless `keepFilters`. */
export const walk = <A>(fake: FakeThreatStack.Service, path: string, query: string, key: string, keepFilters = false) =>
  Effect.gen(function* () {
    const pages: Array<ReadonlyArray<A>> = []
    let answer = yield* call(fake, query === "" ? path : `${path}?${query}`)
    for (;;) {
      expect(answer.status).toBe(200)
      const page = answer.json as Page<string, A>
      expect(Object.keys(page).sort()).toEqual([key, "token"].sort())
      pages.push(page[key] ?? [])
      if (page.token === null) return pages
      expect(page.token).toMatch(/^[A-Za-z0-9_-]+$/)
      const token = encodeURIComponent(page.token)
      answer = yield* call(
        fake,
        keepFilters && query !== "" ? `${path}?${query}&token=${token}` : `${path}?token=${token}`
      )
    }
  })

/** Bytes as the fake encodes a page token: base64url, no padding. */
export const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "")

/** A v2 page token as the fake writes one: base64url of its JSON cursor (or of this text). */
export const forge = (cursor: unknown) =>
  base64url(new TextEncoder().encode(typeof cursor === "string" ? cursor : JSON.stringify(cursor)))
