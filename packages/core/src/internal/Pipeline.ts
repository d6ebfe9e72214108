/**
 * The HTTP pipeline both API generations share, built from `HttpClient`
 * transforms as `@effect/ai-openai`'s client is:
 *
 * ```
 * user's HttpClient
 *   → base URL, default headers                     mapRequest (runs first)
 *   → user's transformClient                        sees the request before it is signed
 *   → auth (per attempt: v1 key | v2 Hawk)          mapRequestEffect (runs last, signs what is sent)
 * per attempt: rate gate → send → status → typed error | body → decoder, under a timeout
 * around it:   Effect.retry with the Retry schedule (which failures: decided here)
 * ```
 *
 * The platform's own `http.client` span is off for these requests (its exit
 * would hold the signed request); each attempt has a span of ours whose
 * attributes hold no secret.
 *
 * @internal
 */
import { HttpClient, type HttpClientError, HttpClientRequest, type HttpClientResponse } from "@effect/platform"
import { Duration, Effect, Either, Option, ParseResult, Redacted, Schema } from "effect"
import { NotFound, reasonForStatus, ThreatStackAPIError, Timeout } from "../ThreatStackError.js"
import type { Auth } from "./Auth.js"
import * as RateLimit from "./RateLimit.js"
import type { Decoder } from "./RecordDecoder.js"
import { fromSchema } from "./RecordDecoder.js"
import * as Retry from "./Retry.js"
import type { CommonSettings } from "./Settings.js"

/** The errors a request can end with. */
export type RequestError = ThreatStackAPIError | Timeout | NotFound

/** How one call is sent. */
export interface ExecuteOptions {
  /**
   * `idempotent` (default for GET, PUT, DELETE) retries every transient
   * failure; `create` (default for POST) only those where the request cannot
   * have reached the server.
   */
  readonly safety?: Retry.Safety | undefined
}

/** The pipeline: send a request (URL relative to the base URL), decode its body. */
export interface Pipeline {
  readonly execute: <A>(
    request: HttpClientRequest.HttpClientRequest,
    decoder: Decoder<A>,
    options?: ExecuteOptions
  ) => Effect.Effect<A, RequestError>
}

/** A Schema or a Decoder, as callers may give either. */
export const toDecoder = <A, I>(decode: Schema.Schema<A, I> | Decoder<A>): Decoder<A> =>
  // a Schema is itself callable, so tell the two apart by the Schema's marker
  Schema.isSchema(decode) ? fromSchema(decode as Schema.Schema<A, I>) : (decode as Decoder<A>)

/** Method and URL (with its query, never a secret) as errors report them. */
interface Target {
  readonly method: string
  readonly url: string
}

/** Formats a parse issue path the way a reader of JSON expects: `[3].severity`. */
const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path
    .map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`))
    .join("")
    .replace(/^\./, "") || "(root)"

/** The server's own words from an error body: `{"message": …}` or `{"errors": […]}`. */
const detailOf = (body: string, status: number): string => {
  try {
    const json: unknown = JSON.parse(body)
    if (typeof json === "object" && json !== null) {
      if ("message" in json && typeof json.message === "string") return json.message
      if ("errors" in json && Array.isArray(json.errors)) return json.errors.map(String).join("; ")
      if ("error" in json && typeof json.error === "string") return json.error
    }
  } catch {
    // not JSON: fall through to a neutral description
  }
  const text = body.trim()
  return text === "" ? `HTTP ${status} with an empty body` : `HTTP ${status} with a non-JSON body`
}

/** The innermost message of a transport failure, e.g. `connect ECONNREFUSED 127.0.0.1:9`. */
const causeText = (cause: unknown): string | undefined => {
  if (!(cause instanceof Error)) return undefined
  const inner = causeText(cause.cause)
  return inner === undefined ? cause.message : `${cause.message}: ${inner}`
}

/** Whether a transport failure proves the request never left: the connection was refused. */
const refused = (cause: unknown): boolean =>
  cause instanceof Error &&
  (("code" in cause && cause.code === "ECONNREFUSED") || /ECONNREFUSED/.test(cause.message) || refused(cause.cause))

/** The full URL of a relative request, for error messages. */
const targetOf = (baseUrl: string, request: HttpClientRequest.HttpClientRequest): Target => {
  const search = new URLSearchParams(request.urlParams as Array<[string, string]>).toString()
  const url = `${baseUrl}/${request.url}`
  return { method: request.method, url: search === "" ? url : `${url}?${search}` }
}

/** The SDK's version, sent in the `User-Agent` header. */
export const version = "0.1.0"

/** What a pipeline is made of. */
export interface PipelineOptions {
  readonly http: HttpClient.HttpClient
  readonly settings: CommonSettings
  readonly auth: Auth
  readonly headers: Readonly<Record<string, string>>
  /** Span name prefix, e.g. `ThreatStack` gives `ThreatStack.request`. */
  readonly name: string
  /**
   * Called with a 401's `WWW-Authenticate`: true when it taught the auth
   * something (Hawk's clock skew), and the attempt is then made once more.
   */
  readonly resync?: ((wwwAuthenticate: string) => Effect.Effect<boolean>) | undefined
}

/** Builds a pipeline over an `HttpClient`, with an auth transform and default headers. */
export const make = (options: PipelineOptions): Effect.Effect<Pipeline> => Effect.sync(() => unsafeMake(options))

/** {@link make}, synchronously (the rate gate is the only state). */
export const unsafeMake = (options: PipelineOptions): Pipeline => {
  const { auth, settings } = options
  const gate = RateLimit.unsafeMake(settings.rateLimit)
  // a mapRequest runs after the steps of the client it wraps: base URL first, the user's transform, auth last
  const based = HttpClient.mapRequest(options.http, (request) =>
    request.pipe(HttpClientRequest.prependUrl(`${settings.baseUrl}/`), HttpClientRequest.setHeaders(options.headers))
  )
  const client = Option.match(settings.transformClient, { onNone: () => based, onSome: (f) => f(based) }).pipe(
    HttpClient.mapRequestEffect(auth),
    // the platform's span would keep the signed request in its exit: ours below holds no secret
    HttpClient.withTracerDisabledWhen(() => true)
  )
  const schedule = Retry.schedule(settings)

  /** A transport's own message may quote a header value: never let it carry the key. */
  const scrub = (text: string) => {
    const key = Redacted.value(settings.apiKey)
    return text.includes(key) ? text.split(key).join("<redacted>") : text
  }

  const failure = (
    target: Target,
    attempts: number,
    fields: Omit<ConstructorParameters<typeof ThreatStackAPIError>[0], "method" | "url" | "attempts">
  ) => new ThreatStackAPIError({ ...target, attempts, ...fields, detail: scrub(fields.detail) })

  const transport = (target: Target, attempts: number, create: boolean) => (error: HttpClientError.HttpClientError) => {
    const why = causeText(error.cause) ?? error.description ?? error.reason
    if (create && !(error._tag === "RequestError" && refused(error.cause))) {
      return failure(target, attempts, {
        reason: "OutcomeUnknown",
        detail: `the connection failed after the request may have been sent (${why}); not retried, so that it is not applied twice: check whether it was applied`
      })
    }
    return failure(target, attempts, {
      reason: "Transport",
      detail: error._tag === "RequestError" ? `no answer (${why})` : `the response body could not be read (${why})`
    })
  }

  const decode = <A>(
    target: Target,
    attempts: number,
    response: HttpClientResponse.HttpClientResponse,
    body: string,
    decoder: Decoder<A>
  ): Either.Either<A, ThreatStackAPIError> => {
    const invalid = (detail: string, path?: string) =>
      failure(target, attempts, {
        reason: "InvalidResponse",
        status: response.status,
        detail,
        requestId: response.headers["x-request-id"],
        path
      })
    let json: unknown
    if (response.status === 204) {
      json = undefined
    } else {
      try {
        json = JSON.parse(body)
      } catch (e) {
        const what = body.trim() === "" ? "an empty body" : `a body that is not JSON (${(e as Error).message})`
        return Either.left(invalid(`expected JSON, got ${what}`))
      }
    }
    return Either.mapLeft(decoder(json), (error) => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
      return invalid(
        `the body does not match the expected shape: ${issue?.message ?? error.message}`,
        formatPath(issue?.path ?? [])
      )
    })
  }

  const attempt = <A>(
    request: HttpClientRequest.HttpClientRequest,
    target: Target,
    decoder: Decoder<A>,
    attempts: number,
    create: boolean,
    resynced = false
  ): Effect.Effect<A, RequestError> =>
    Effect.gen(function* () {
      const response = yield* Effect.mapError(client.execute(request), transport(target, attempts, create))
      const body = yield* Effect.mapError(response.text, transport(target, attempts, create))
      if (response.status >= 200 && response.status < 300) {
        return yield* decode(target, attempts, response, body, decoder)
      }
      if (response.status === 404) {
        return yield* new NotFound({ ...target, status: 404, detail: scrub(detailOf(body, 404)), attempts })
      }
      const challenge = response.headers["www-authenticate"]
      if (response.status === 401 && challenge !== undefined && !resynced && options.resync !== undefined) {
        // a stale timestamp: the server told its time; sign again with it, once
        if (yield* options.resync(challenge)) return yield* attempt(request, target, decoder, attempts, create, true)
      }
      const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
      const retryAfter = Retry.waitHint(response.headers, now)
      if (response.status === 429 && retryAfter !== undefined) {
        // every request of this client waits, not just this one
        yield* gate.pause(Duration.min(retryAfter, settings.maxRetryWait))
      }
      const error = failure(target, attempts, {
        reason: reasonForStatus(response.status),
        status: response.status,
        detail: detailOf(body, response.status),
        requestId: response.headers["x-request-id"],
        retryAfter
      })
      // a create may be resent only when the server said it did nothing: 429, or 503 with a wait
      const saidNothingDone = response.status === 429 || (response.status === 503 && retryAfter !== undefined)
      return yield* create && !saidNothingDone && Retry.isTransient(error)
        ? new ThreatStackAPIError({
            ...error,
            reason: "OutcomeUnknown",
            detail: `${error.detail} (the request may have been applied; not retried, so that it is not applied twice: check whether it was applied)`
          })
        : error
    }).pipe(
      Effect.timeoutFail({
        duration: settings.timeout,
        onTimeout: () =>
          create
            ? failure(target, attempts, {
                reason: "OutcomeUnknown",
                detail: `no answer within ${Duration.format(settings.timeout)} after the request was sent; not retried, so that it is not applied twice: check whether it was applied`
              })
            : new Timeout({ ...target, timeout: settings.timeout, attempts })
      }),
      Effect.withSpan(`${options.name}.request`, {
        kind: "client",
        attributes: { "http.request.method": target.method, "url.full": target.url, "threatstack.attempt": attempts }
      }),
      // waiting at the gate is not part of the attempt's timeout
      (timed) => Effect.zipRight(gate.enter, timed)
    )

  const execute = <A>(
    request: HttpClientRequest.HttpClientRequest,
    decoder: Decoder<A>,
    executeOptions?: ExecuteOptions
  ): Effect.Effect<A, RequestError> =>
    Effect.suspend(() => {
      const target = targetOf(settings.baseUrl, request)
      const create = (executeOptions?.safety ?? (request.method === "POST" ? "create" : "idempotent")) === "create"
      let attempts = 0
      return Effect.retry(
        Effect.suspend(() => attempt(request, target, decoder, ++attempts, create)),
        schedule
      )
    })

  return { execute }
}
