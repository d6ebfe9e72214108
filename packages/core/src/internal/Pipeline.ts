/**
 * The HTTP pipeline both API generations share, built from `HttpClient`
 * transforms as `@effect/ai-openai`'s client is:
 *
 * ```
 * user's HttpClient
 *   → base URL, default headers                     mapRequest (runs first)
 *   → user's transformClient                        sees the request before it is signed
 *   → auth (per attempt: v1 key | v2 Hawk)          mapRequestEffect (runs last, signs what is sent)
 * per attempt: rate gate → (send, read the body: under the timeout) → status → typed error | body → decoder
 *              (the timeout: a fiber of ours, or the transport's own deadline where it has one, see TransportDeadline)
 * around it:   Effect.retry with the Retry schedule (which failures: decided here)
 * ```
 *
 * The platform's own `http.client` span is off for these requests (its exit
 * would hold the signed request); each attempt has a span of ours whose
 * attributes hold no secret. With `tracePropagation` the attempt's span is
 * sent as `traceparent`/`b3` headers (the platform would only propagate its
 * own span, which is off).
 *
 * Nothing of a response body reaches an error but the server's own JSON
 * `message`/`errors`, a length, a content type or a JSON type: a body can
 * echo the key, or part of it, where no scrub could find it. Every text that
 * does reach an error (those words, a header such as `x-request-id`, a
 * transport's message) has each token that holds the key replaced.
 *
 * Bodies are never read past `maxResponseBytes`: a declared `Content-Length`
 * over it is refused unread; a body without one (or encoded, so that it may
 * inflate) is read as a stream and dropped as soon as it passes the bound.
 *
 * @internal
 */
import {
  HttpClient,
  type HttpClientError,
  HttpClientRequest,
  type HttpClientResponse,
  HttpTraceContext
} from "@effect/platform"
import {
  Clock,
  Context,
  DefaultServices,
  Duration,
  Effect,
  Either,
  Exit,
  Fiber,
  FiberRef,
  Option,
  type ParseResult,
  Redacted,
  Schema,
  type SchemaAST,
  Stream,
  type Tracer
} from "effect"
import { NotFound, reasonForStatus, ThreatStackAPIError, Timeout } from "../ThreatStackError.js"
import type { Auth } from "./Auth.js"
import * as RateLimit from "./RateLimit.js"
import { PromiseResponse } from "./PromiseResponse.js"
import type { Decoder } from "./RecordDecoder.js"
import { fromSchema } from "./RecordDecoder.js"
import * as Retry from "./Retry.js"
import type { CommonSettings } from "./Settings.js"
import * as TransportDeadline from "./TransportDeadline.js"

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

/** Effect's built-in tracer, which keeps spans nowhere: what a program runs with when nobody installed a tracer. */
let builtInTracer: Tracer.Tracer | undefined

/**
 * Whether a span opened in this fiber would be seen: a tracer other than
 * Effect's built-in one is installed, and tracing is not disabled. Without
 * one, the SDK's spans (and the call-site traces `Effect.fn` captures for
 * them) cost every request and reach nobody, so they are left out.
 */
export const spansSeen = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean => {
  // Stryker disable next-line AssignmentOperator: a tracer never looked up makes every span seen: spans nobody keeps, a cost only
  builtInTracer ??= Effect.runSync(Effect.tracer)
  // Stryker disable next-line ConditionalExpression,LogicalOperator: spans made when unseen reach nobody: a cost only (a tracer that sees them is tested)
  return fiber.currentTracer !== builtInTracer && fiber.getFiberRef(FiberRef.currentTracerEnabled)
}

/** The clock every fiber has unless a `Clock` (a `TestClock`, say) is provided. */
const liveClock = Context.get(DefaultServices.liveServices, Clock.Clock)

/** The longest delay `setTimeout` keeps (about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2_147_483_647

/**
 * `Effect.timeoutFail(self, { duration, onTimeout })` with one fiber where
 * Effect's takes two, on the live clock: the attempt runs in a child fiber
 * and a timer, not a sleeping fiber, ends the wait. As with Effect's, the
 * timeout fails only once the child is interrupted (the request aborted),
 * and an interrupted caller interrupts the child. Another clock (a
 * `TestClock`) gets `Effect.timeoutFail` itself, so tests drive it.
 *
 * `enforced`: the transport ends `self` itself at the deadline (see
 * `TransportDeadline`); on the live clock it then runs as it is, no fiber.
 */
export const timeoutFail = <A, E, E2>(
  self: Effect.Effect<A, E>,
  duration: Duration.Duration,
  onTimeout: () => E2,
  enforced = false
): Effect.Effect<A, E | E2> =>
  Effect.clockWith((clock) => {
    if (enforced && clock === liveClock) return self
    const millis = Duration.toMillis(duration)
    // Stryker disable next-line ConditionalExpression,EqualityOperator: Effect.timeoutFail has the same outcome on the live clock, at the cost of a fiber (a TestClock that would strand the timer is tested)
    if (clock !== liveClock || !(millis <= MAX_TIMER_MS)) return Effect.timeoutFail(self, { duration, onTimeout })
    return Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(Effect.fork(restore(self)), (child) =>
        restore(
          Effect.async<A, E | E2>((resume) => {
            // Effect.async keeps the first resume and drops any later one; the flag holds us to calling it once, as documented
            let settled = false
            const timer = setTimeout(() => {
              // Stryker disable next-line BooleanLiteral: a second resume is dropped (see above)
              settled = true
              resume(Effect.zipRight(Fiber.interrupt(child), Effect.fail(onTimeout())))
            }, millis)
            child.addObserver((exit) => {
              // Stryker disable next-line ConditionalExpression,BooleanLiteral: a second resume is dropped (see above)
              if (settled) return
              // Stryker disable next-line BooleanLiteral: the timer is cleared below, so nothing resumes after this
              settled = true
              clearTimeout(timer)
              // as Effect's: what the attempt set in its FiberRefs (a transformClient may) reaches the caller
              resume(Exit.isSuccess(exit) ? Effect.zipRight(child.inheritAll, exit) : exit)
            })
            // the caller interrupted: no timeout any more, and the attempt stops with it
            return Effect.suspend(() => {
              clearTimeout(timer)
              return Fiber.interrupt(child)
            })
          })
        )
      )
    )
  })

/**
 * `Effect.fn(name)(body)` when a tracer would see its span ({@link spansSeen}),
 * or when `always` (trace propagation sends spans to the API); otherwise
 * `body` alone, without the span and the call-site trace.
 */
export const fn = <Args extends Array<unknown>, A, E, R>(
  name: string,
  body: (...args: Args) => Effect.Effect<A, E, R>,
  // Stryker disable next-line BooleanLiteral: spans made when unseen reach nobody: a cost only
  always = false
): ((...args: Args) => Effect.Effect<A, E, R>) => {
  const spanned = Effect.fn(name)(body)
  // Stryker disable next-line ConditionalExpression: with a tracer, spansSeen answers as `always` does; without one, the span reaches nobody (a propagated traceparent names a trace either way)
  if (always) return spanned
  return (...args) => Effect.withFiberRuntime((fiber) => (spansSeen(fiber) ? spanned(...args) : body(...args)))
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

/** A value described by its JSON type, never by its text (a string may echo the key). */
const kindOf = (value: unknown): string => {
  if (value === null) return "null"
  if (value === undefined) return "nothing"
  if (Array.isArray(value)) return `an array of ${value.length}`
  switch (typeof value) {
    case "string":
      return `a string of ${value.length} characters`
    case "number":
    case "boolean":
      return `${typeof value} ${String(value)}`
    case "object":
      return "an object"
    default:
      return typeof value
  }
}

/**
 * The first issue of a parse error, as the Schema's formatter finds it, told
 * without quoting the value: `expected Int, got a string of 4 characters`.
 */
const firstIssue = (
  issue: ParseResult.ParseIssue,
  path: ReadonlyArray<PropertyKey> = [],
  expected?: SchemaAST.AST
): { readonly path: ReadonlyArray<PropertyKey>; readonly message: string } => {
  switch (issue._tag) {
    case "Pointer":
      return firstIssue(issue.issue, path.concat(issue.path), undefined)
    case "Composite": {
      const first = Array.isArray(issue.issues) ? issue.issues[0] : issue.issues
      return first === undefined
        ? { path, message: `expected ${String(issue.ast)}, got ${kindOf(issue.actual)}` }
        : firstIssue(first as ParseResult.ParseIssue, path, expected ?? issue.ast)
    }
    case "Refinement":
      return firstIssue(issue.issue, path, issue.kind === "Predicate" ? issue.ast : expected)
    case "Transformation":
      return firstIssue(issue.issue, path, issue.kind === "Transformation" ? issue.ast : expected)
    case "Type":
      return { path, message: `expected ${String(expected ?? issue.ast)}, got ${kindOf(issue.actual)}` }
    case "Missing":
      return { path, message: "is missing" }
    case "Unexpected":
      return { path, message: "is unexpected" }
    case "Forbidden":
      return { path, message: "could not be decoded" }
  }
}

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

/** A body's size and type, the most an error says about a body it cannot quote. */
const bodyKind = (body: string, response: HttpClientResponse.HttpClientResponse): string => {
  const type = response.headers["content-type"]
  return `${new TextEncoder().encode(body).length} bytes${type === undefined ? "" : ` of ${type.split(";")[0]}`}`
}

/** Characters that end a token: whitespace, quotes, brackets and the separators of URLs, headers and JSON. */
const DELIMITER = "\\s\"'`<>()\\[\\]{},;:=&?/\\\\|"

/**
 * Replaces each whole token that holds the key (the run of characters
 * between delimiters around it) with `<redacted>`: the key's text never
 * remains, and no other text is cut into.
 */
export const scrubber = (key: string): ((text: string) => string) => {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  const token = new RegExp(`[^${DELIMITER}]*${escaped}[^${DELIMITER}]*`, "g")
  return (text) => (text.includes(key) ? text.replace(token, "<redacted>") : text)
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

/**
 * The full URL of a relative request, for error messages and spans: made
 * when first read (a request that succeeds unseen by a tracer never needs it).
 */
const targetOf = (baseUrl: string, request: HttpClientRequest.HttpClientRequest): Target => {
  let url: string | undefined
  return {
    method: request.method,
    get url() {
      // Stryker disable next-line ConditionalExpression: a cache: the URL built again is the same
      if (url === undefined) {
        const search = new URLSearchParams(request.urlParams as Array<[string, string]>).toString()
        const path = `${baseUrl}/${request.url}`
        url = search === "" ? path : `${path}?${search}`
      }
      return url
    }
  }
}

const utf8 = new TextDecoder()

/** A response and its body as text (`undefined`: larger than `maxResponseBytes`, not read). */
interface Exchanged {
  readonly response: HttpClientResponse.HttpClientResponse
  readonly body: string | undefined
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
  // the transport's variant that ends each request at the timeout itself, if it has one; a transform's
  // own work (a wait, its retries) is not the transport's to bound, so with one the fiber keeps the time
  const millis = Duration.toMillis(settings.timeout)
  const deadlined =
    Option.isNone(settings.transformClient) && millis <= MAX_TIMER_MS
      ? TransportDeadline.variant(options.http, millis)
      : undefined
  // a mapRequest runs after the steps of the client it wraps: base URL first, the user's transform, auth last
  const based = HttpClient.mapRequest(deadlined ?? options.http, (request) =>
    request.pipe(HttpClientRequest.prependUrl(`${settings.baseUrl}/`), HttpClientRequest.setHeaders(options.headers))
  )
  const client = Option.match(settings.transformClient, { onNone: () => based, onSome: (f) => f(based) }).pipe(
    HttpClient.mapRequestEffect(auth),
    // the platform's span would keep the signed request in its exit: ours below holds no secret
    HttpClient.withTracerDisabledWhen(() => true)
  )
  const schedule = Retry.schedule(settings)
  const scrub = scrubber(Redacted.value(settings.apiKey))
  /** A header value as an error may carry it: scrubbed. */
  const header = (response: HttpClientResponse.HttpClientResponse, name: string) => {
    const value = response.headers[name]
    return value === undefined ? undefined : scrub(value)
  }

  const failure = (
    target: Target,
    attempts: number,
    fields: Omit<ConstructorParameters<typeof ThreatStackAPIError>[0], "method" | "url" | "attempts">
  ) =>
    new ThreatStackAPIError({
      ...target,
      attempts,
      ...fields,
      detail: scrub(fields.detail),
      requestId: fields.requestId === undefined ? undefined : scrub(fields.requestId)
    })

  /** No answer within the timeout: a `Timeout`, or for a create, an outcome unknown. */
  const timedOut = (target: Target, attempts: number, create: boolean): RequestError =>
    create
      ? failure(target, attempts, {
          reason: "OutcomeUnknown",
          detail: `no answer within ${Duration.format(settings.timeout)} after the request was sent; not retried, so that it is not applied twice: check whether it was applied`
        })
      : new Timeout({ ...target, timeout: settings.timeout, attempts })

  const transport = (target: Target, attempts: number, create: boolean) => (error: HttpClientError.HttpClientError) => {
    // the transport's own deadline passed (it aborted the request)
    if (TransportDeadline.isDeadlineExceeded(error.cause)) return timedOut(target, attempts, create)
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

  /**
   * The body as text, never read past `maxResponseBytes` (`undefined` when
   * it is larger: the rest is not read, the connection is dropped). A body
   * of a declared length within the bound, not encoded, is read at once (the
   * client holds the body to its length); any other is streamed with the
   * bound.
   */
  const readBody = (
    response: HttpClientResponse.HttpClientResponse
  ): Effect.Effect<string | undefined, HttpClientError.ResponseError> =>
    Effect.suspend(() => {
      // no content: nothing to read (a web Response of a 204 has no body stream at all)
      // Stryker disable next-line ConditionalExpression: a fast path: the streamed path reads an absent body as empty too (EmptyBody)
      if (response.status === 204 || response.status === 304) return Effect.succeed("")
      const max = settings.maxResponseBytes
      // a transport may build its headers object anew on each access: take it once
      const headers = response.headers
      const length = headers["content-length"]
      // Stryker disable next-line MethodExpression: header values arrive trimmed (Fetch's Headers, Node's parser); the trim is for other transports
      const declared = length === undefined || length.trim() === "" ? Number.NaN : Number(length)
      if (declared > max) {
        // not to be read: the SDK's own transports drop the connection now, not at the deadline
        if (response instanceof PromiseResponse) response.release()
        return Effect.succeed(undefined)
      }
      // a declared length the client holds the body to, and no decoding that could inflate it: read it at once
      const encoding = headers["content-encoding"]
      if (Number.isSafeInteger(declared) && (encoding === undefined || encoding === "identity")) {
        // the SDK's own transports: read without keeping a copy on the response (see PromiseResponse.textOnce)
        return response instanceof PromiseResponse ? response.textOnce : response.text
      }
      const chunks: Array<Uint8Array> = []
      let size = 0
      return Stream.runForEachWhile(response.stream, (chunk) =>
        Effect.sync(() => {
          size += chunk.length
          if (size > max) return false
          chunks.push(chunk)
          return true
        })
      ).pipe(
        // a response without a body (a 204, a HEAD) reads as empty text, as `text` would
        Effect.catchIf(
          (error) => error.reason === "EmptyBody",
          () => Effect.void
        ),
        Effect.map(() => {
          if (size > max) return undefined
          const only = chunks.length === 1 ? chunks[0] : undefined
          if (only !== undefined) return utf8.decode(only)
          const all = new Uint8Array(size)
          let at = 0
          for (const chunk of chunks) {
            all.set(chunk, at)
            at += chunk.length
          }
          return utf8.decode(all)
        })
      )
    })

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
        requestId: header(response, "x-request-id"),
        path
      })
    // a 204 has no content: the decoder gets undefined
    let json: unknown
    if (response.status !== 204) {
      try {
        json = JSON.parse(body)
      } catch {
        // the parser's message quotes the body: say only how much came back, and what
        const what = body.trim() === "" ? "an empty body" : `a body that is not JSON (${bodyKind(body, response)})`
        return Either.left(invalid(`expected JSON, got ${what}`))
      }
    }
    return Either.mapLeft(decoder(json), (error) => {
      const issue = firstIssue(error.issue)
      return invalid(`the body does not match the expected shape: ${issue.message}`, formatPath(issue.path))
    })
  }

  /**
   * What the timeout bounds: the request sent and its body read, nothing
   * else. The transport bounds it where it can (see `TransportDeadline`);
   * otherwise the timed part runs in a child fiber (see {@link timeoutFail});
   * whatever that fiber returns is kept by it, and a fiber that lived through
   * a garbage collection while it waited for the network would drag a
   * decoded page into the old generation with it. So it returns the body as
   * one string, and the page is parsed and decoded after it, in the caller's
   * fiber.
   */
  const exchange = (
    request: HttpClientRequest.HttpClientRequest,
    target: Target,
    attempts: number,
    create: boolean
  ): Effect.Effect<Exchanged, RequestError> =>
    timeoutFail(
      Effect.suspend(() => {
        const failed = transport(target, attempts, create)
        const send = (sent: HttpClientRequest.HttpClientRequest) =>
          Effect.flatMap(Effect.mapError(client.execute(sent), failed), (response) =>
            Effect.map(Effect.mapError(readBody(response), failed), (body): Exchanged => ({ response, body }))
          )
        return settings.tracePropagation
          ? Effect.flatMap(Effect.option(Effect.currentSpan), (span) =>
              send(
                Option.match(span, {
                  onNone: () => request,
                  onSome: (span) => HttpClientRequest.setHeaders(request, HttpTraceContext.toHeaders(span))
                })
              )
            )
          : send(request)
      }),
      settings.timeout,
      () => timedOut(target, attempts, create),
      deadlined !== undefined
    )

  /** An answer, read: its status decides between the decoded body and a typed error. */
  const answer = <A>(
    request: HttpClientRequest.HttpClientRequest,
    target: Target,
    decoder: Decoder<A>,
    attempts: number,
    create: boolean,
    resynced: boolean,
    { response, body }: Exchanged
  ): Effect.Effect<A, RequestError> => {
    // the usual answer, without the steps of the generator below
    if (body !== undefined && response.status >= 200 && response.status < 300) {
      return decode(target, attempts, response, body, decoder)
    }
    return Effect.gen(function* () {
      if (body === undefined) {
        return yield* failure(target, attempts, {
          reason: "InvalidResponse",
          status: response.status,
          detail: `the body is larger than maxResponseBytes (${settings.maxResponseBytes} bytes); it was not read`,
          requestId: header(response, "x-request-id")
        })
      }
      if (response.status === 404) {
        return yield* new NotFound({ ...target, status: 404, detail: scrub(detailOf(body, 404)), attempts })
      }
      const challenge = response.headers["www-authenticate"]
      if (response.status === 401 && challenge !== undefined && !resynced && options.resync !== undefined) {
        // a stale timestamp: the server told its time; sign again with it, once
        if (yield* options.resync(challenge)) return yield* round(request, target, decoder, attempts, create, true)
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
        requestId: header(response, "x-request-id"),
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
    })
  }

  /** One send and its answer; `resynced`: the send after a stale timestamp, which gets no second one. */
  const round = <A>(
    request: HttpClientRequest.HttpClientRequest,
    target: Target,
    decoder: Decoder<A>,
    attempts: number,
    create: boolean,
    resynced: boolean
  ): Effect.Effect<A, RequestError> =>
    Effect.flatMap(exchange(request, target, attempts, create), (exchanged) =>
      answer(request, target, decoder, attempts, create, resynced, exchanged)
    )

  const attempt = <A>(
    request: HttpClientRequest.HttpClientRequest,
    target: Target,
    decoder: Decoder<A>,
    attempts: number,
    create: boolean
  ): Effect.Effect<A, RequestError> =>
    round(request, target, decoder, attempts, create, false).pipe(
      (timed) =>
        // the span of the attempt, when a tracer sees it or its context is sent
        Effect.withFiberRuntime<A, RequestError>((fiber) =>
          settings.tracePropagation || spansSeen(fiber)
            ? Effect.withSpan(timed, `${options.name}.request`, {
                kind: "client",
                attributes: {
                  "http.request.method": target.method,
                  "url.full": target.url,
                  "threatstack.attempt": attempts
                }
              })
            : timed
        ),
      // waiting at the gate is not part of the attempt's timeout; the slot is held while the attempt runs
      gate.withSlot
    )

  const execute = <A>(
    request: HttpClientRequest.HttpClientRequest,
    decoder: Decoder<A>,
    executeOptions?: ExecuteOptions
  ): Effect.Effect<A, RequestError> =>
    Effect.suspend(() => {
      const target = targetOf(settings.baseUrl, request)
      // Stryker disable next-line StringLiteral: any safety but "create" is idempotent; the name is for the reader
      const create = (executeOptions?.safety ?? (request.method === "POST" ? "create" : "idempotent")) === "create"
      let attempts = 0
      const once = Effect.suspend(() => attempt(request, target, decoder, ++attempts, create))
      // the retry schedule (its driver, its state) is set up only once an attempt has failed: the first
      // failure is handed to Effect.retry as its first attempt's, so the schedule sees exactly what it would
      return Effect.catchAll(once, (first) => {
        let replayed = false
        return Effect.retry(
          Effect.suspend(() => {
            if (replayed) return once
            replayed = true
            return Effect.fail(first)
          }),
          schedule
        )
      })
    })

  return { execute }
}
