/**
 * A faithful fake of the Threat Stack v1 API, for testing code that uses the
 * SDK: an `HttpClient` layer that answers like the API with no socket, so
 * `ThreatStack.layer(…)` runs on it unchanged. `@effect-threatstack/node`
 * serves the same handler on a real port.
 *
 * What it does, as `threatstack-api.md` describes the API: checks the
 * `Authorization` key (401), scopes data by the `Organization` header (403
 * for an organization the key is not in), pages with `page`/`count` (`[]`
 * past the end), filters alerts and logs by `start`/`end` in both date forms
 * (400 for a malformed one), projects `fields` (comma-separated or repeated),
 * answers 404 for unknown ids. Faults can be scripted per path or request
 * number, and every request is recorded (with the key redacted).
 *
 * @example
 * ```ts
 * import { Effect, Layer, Stream } from "effect"
 * import { FakeThreatStack, ThreatStack } from "@effect-threatstack/core"
 *
 * const TestLayer = ThreatStack.layer({ apiKey: FakeThreatStack.defaultApiKey }).pipe(
 *   Layer.provideMerge(FakeThreatStack.layer({ counts: { alerts: 250 } }))
 * )
 *
 * const program = Effect.gen(function* () {
 *   const client = yield* ThreatStack.ThreatStack
 *   const alerts = yield* Stream.runCollect(client.alerts.list())
 *   const fake = yield* FakeThreatStack.FakeThreatStack
 *   const requests = yield* fake.requests // 3 pages of 100, then an empty one
 * }).pipe(Effect.provide(TestLayer))
 * ```
 *
 * @since 0.1.0
 */
import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import { Context, Duration, Effect, Layer } from "effect"
import * as FakeData from "./internal/FakeData.js"
import type { Json } from "./internal/FakeData.js"

export type { Counts, Json, Supplied } from "./internal/FakeData.js"
export { defaultCounts } from "./internal/FakeData.js"
import { parseWire } from "./TimeRange.js"

/**
 * The key the fake accepts unless told another.
 *
 * @example
 * ```ts
 * import { FakeThreatStack, ThreatStack } from "@effect-threatstack/core"
 *
 * const TestLayer = ThreatStack.layer({ apiKey: FakeThreatStack.defaultApiKey })
 * ```
 *
 * @since 0.1.0
 */
export const defaultApiKey = "fake-threatstack-api-key"

/**
 * A fault the fake can inject instead of (or before) its normal answer.
 *
 * - `Latency`: wait, then answer normally
 * - `Status`: answer this status with a JSON error body (or `body`)
 * - `RateLimit`: 429 with `Retry-After` (seconds) and/or `x-rate-limit-reset` (ms)
 * - `Hang`: never answer
 * - `Truncate`: a 200 whose JSON body is cut in half (a complete, short body)
 * - `WrongType`: the first record's `field` holds a value of the wrong type
 * - `Html`: an HTML error page (a proxy's), with this status
 * - `EmptyBody`: this status with no body at all
 * - `Drop`: the connection is dropped halfway through the body
 *
 * @example
 * ```ts
 * import type { FakeThreatStack } from "@effect-threatstack/core"
 *
 * const slow: FakeThreatStack.Fault = { _tag: "Latency", delay: "200 millis" }
 * const limited: FakeThreatStack.Fault = { _tag: "RateLimit", retryAfter: 2 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Fault =
  | { readonly _tag: "Latency"; readonly delay: Duration.DurationInput }
  | {
      readonly _tag: "Status"
      readonly status: number
      readonly body?: string
      readonly headers?: Readonly<Record<string, string>>
    }
  | { readonly _tag: "RateLimit"; readonly retryAfter?: number | string; readonly resetMs?: number }
  | { readonly _tag: "Hang" }
  | { readonly _tag: "Truncate" }
  | { readonly _tag: "WrongType"; readonly field: string }
  | { readonly _tag: "Html"; readonly status: number }
  | { readonly _tag: "EmptyBody"; readonly status: number }
  | { readonly _tag: "Drop" }

/**
 * When a fault applies: to requests whose path (relative to `/api/v1`, e.g.
 * `alerts` or `alerts/5a…`) matches `path`, optionally only for `page`, only
 * for the `nth` such request (1-based), and at most `times` times.
 *
 * @example
 * ```ts
 * import type { FakeThreatStack } from "@effect-threatstack/core"
 *
 * // 503, 503, then the normal answer
 * const flaky: FakeThreatStack.FaultRule = { path: "alerts", times: 2, fault: { _tag: "Status", status: 503 } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultRule {
  readonly path?: string | RegExp | undefined
  readonly page?: number | undefined
  readonly nth?: number | undefined
  readonly times?: number | undefined
  readonly fault: Fault
}

/**
 * A request as the fake received it. The `authorization` header is
 * replaced by `<redacted>`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FakeThreatStack } from "@effect-threatstack/core"
 *
 * const pagesAsked = Effect.flatMap(FakeThreatStack.FakeThreatStack, (fake) =>
 *   Effect.map(fake.requests, (requests) => requests.filter((r) => r.path === "alerts").length)
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedRequest {
  readonly method: string
  /** Path relative to the API base, e.g. `alerts` or `organizations/5a…/users`. */
  readonly path: string
  /** The raw query string, without `?`. */
  readonly query: string
  readonly headers: Readonly<Record<string, string>>
}

/**
 * A request in the form the handler takes (both the in-memory client and the
 * served fake produce it).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FakeThreatStack } from "@effect-threatstack/core"
 *
 * const request: FakeThreatStack.FakeRequest = {
 *   method: "GET",
 *   url: new URL("https://fake.invalid/api/v1/agents"),
 *   headers: { authorization: FakeThreatStack.defaultApiKey }
 * }
 * const answer = Effect.flatMap(FakeThreatStack.make(), (fake) => fake.handle(request))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FakeRequest {
  readonly method: string
  readonly url: URL
  readonly headers: Readonly<Record<string, string | undefined>>
}

/**
 * The handler's answer. `delivery` says how the transport must deliver the
 * body: whole, or cut off (`Drop`: the connection is lost halfway).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FakeThreatStack } from "@effect-threatstack/core"
 *
 * const status = Effect.flatMap(FakeThreatStack.make(), (fake) =>
 *   Effect.map(
 *     fake.handle({ method: "GET", url: new URL("https://x/api/v1/agents"), headers: {} }),
 *     (response: FakeThreatStack.FakeResponse) => response.status // 401: no key
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FakeResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly delivery: "whole" | "drop"
}

/**
 * The fake's options.
 *
 * @example
 * ```ts
 * import type { FakeThreatStack } from "@effect-threatstack/core"
 *
 * const options: FakeThreatStack.Options = {
 *   seed: 42,
 *   counts: { alerts: 10_000 },
 *   faults: [{ path: "alerts", page: 3, times: 1, fault: { _tag: "Status", status: 503 } }]
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The key it accepts. Default {@link defaultApiKey}. */
  readonly apiKey?: string | undefined
  /** Seed of the generated data. Default 1. */
  readonly seed?: number | undefined
  /** The newest alert and log are just before this instant. Default: when the fake is made. */
  readonly now?: Date | number | undefined
  /** How far back alerts and logs go. Default 30 days. */
  readonly span?: Duration.DurationInput | undefined
  /** How much to generate per organization (defaults in {@link defaultCounts}). */
  readonly counts?: Partial<FakeData.Counts> | undefined
  /** Serve these records instead of generated ones, one entry per organization. */
  readonly data?: ReadonlyArray<FakeData.Supplied> | undefined
  /** The page size when a request has no `count`. Default 20. */
  readonly defaultCount?: number | undefined
  /** The most records a page holds, whatever `count` asks (like a server cap). Default none. */
  readonly maxCount?: number | undefined
  /** The path prefix of the API. Default `/api/v1`. */
  readonly basePath?: string | undefined
  /** Faults active from the start. */
  readonly faults?: ReadonlyArray<FaultRule> | undefined
  /** How many requests the record keeps (the newest). Default 10,000, so a long-running fake stays small. */
  readonly maxRecorded?: number | undefined
}

/**
 * The fake as a service: its handler, the requests it saw, and its faults.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FakeThreatStack } from "@effect-threatstack/core"
 *
 * const breakAlerts = Effect.flatMap(FakeThreatStack.FakeThreatStack, (fake: FakeThreatStack.Service) =>
 *   fake.addFaults({ path: "alerts", fault: { _tag: "Status", status: 500 } })
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly apiKey: string
  /** The organizations the key belongs to (the first is the default). */
  readonly organizations: ReadonlyArray<Json & { readonly id: string }>
  /** Answer one request. */
  readonly handle: (request: FakeRequest) => Effect.Effect<FakeResponse>
  /** Every request received so far, oldest first. */
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  readonly clearRequests: Effect.Effect<void>
  readonly addFaults: (...rules: ReadonlyArray<FaultRule>) => Effect.Effect<void>
  readonly clearFaults: Effect.Effect<void>
}

/**
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FakeThreatStack } from "@effect-threatstack/core"
 *
 * const requestCount = Effect.map(FakeThreatStack.FakeThreatStack, (fake) => fake.requests)
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class FakeThreatStack extends Context.Tag("@effect-threatstack/core/FakeThreatStack")<
  FakeThreatStack,
  Service
>() {}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
  delivery: "whole"
})

const error = (status: number, message: string, headers: Record<string, string> = {}) =>
  json(status, { status: "error", message }, headers)

const project = (record: Json, fields: ReadonlyArray<string> | undefined): Json => {
  if (fields === undefined) return record
  const out: Record<string, unknown> = {}
  for (const f of fields) if (f in record) out[f] = record[f]
  return out
}

const wholeNumber = (raw: string | null, min: number): number | undefined | "invalid" => {
  if (raw === null) return undefined
  return /^\d+$/.test(raw) && Number(raw) >= min ? Number(raw) : "invalid"
}

/**
 * Builds the fake.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FakeThreatStack } from "@effect-threatstack/core"
 *
 * const client = Effect.map(FakeThreatStack.make({ seed: 3 }), FakeThreatStack.httpClient)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service> =>
  Effect.sync(() => {
    const apiKey = options.apiKey ?? defaultApiKey
    const basePath = (options.basePath ?? "/api/v1").replace(/\/+$/, "")
    const now = options.now === undefined ? Date.now() : new Date(options.now).getTime()
    const generation: FakeData.Generation = {
      seed: options.seed ?? 1,
      now,
      span: Duration.toMillis(options.span ?? "30 days"),
      counts: { ...FakeData.defaultCounts, ...options.counts }
    }
    const orgs: ReadonlyArray<FakeData.Org> =
      options.data !== undefined
        ? options.data.map(FakeData.fromSupplied)
        : Array.from({ length: generation.counts.organizations }, (_, k) => FakeData.generated(generation, k))
    const defaultCount = options.defaultCount ?? 20
    const recorded: Array<RecordedRequest> = []
    const maxRecorded = options.maxRecorded ?? 10_000
    let received = 0
    const faults: Array<{ rule: FaultRule; seen: number; used: number }> = []
    const addRules = (rules: ReadonlyArray<FaultRule>) => {
      for (const rule of rules) faults.push({ rule, seen: 0, used: 0 })
    }
    addRules(options.faults ?? [])

    const matches = (rule: FaultRule, path: string, page: string | null) =>
      (rule.path === undefined || (typeof rule.path === "string" ? rule.path === path : rule.path.test(path))) &&
      (rule.page === undefined || String(rule.page) === (page ?? "0"))

    /** The faults that apply to this request, in the order they were added. */
    const faultsFor = (path: string, page: string | null): ReadonlyArray<Fault> => {
      const out: Array<Fault> = []
      for (const entry of faults) {
        if (!matches(entry.rule, path, page)) continue
        entry.seen++
        if (entry.rule.nth !== undefined && entry.rule.nth !== entry.seen) continue
        if (entry.rule.times !== undefined && entry.used >= entry.rule.times) continue
        entry.used++
        out.push(entry.rule.fault)
      }
      return out
    }

    /** The normal answer: auth, organization, routing, query checks. */
    const answer = (request: FakeRequest, path: string): FakeResponse => {
      if (request.headers.authorization !== apiKey) {
        return error(401, "Unauthorized: missing or invalid API key")
      }
      const orgHeader = request.headers.organization
      const org = orgHeader === undefined ? orgs[0] : orgs.find((o) => o.organization.id === orgHeader)
      if (org === undefined) {
        return orgHeader === undefined
          ? error(403, "the API key belongs to no organization")
          : error(403, `no access to organization ${orgHeader}`)
      }
      if (request.method !== "GET") return error(405, `method ${request.method} not allowed`)

      const params = request.url.searchParams
      const page = wholeNumber(params.get("page"), 0)
      const count = wholeNumber(params.get("count") ?? params.get("limit"), 1)
      if (page === "invalid") return error(400, `invalid page: ${params.get("page")}`)
      if (count === "invalid") return error(400, `invalid count: ${params.get("count") ?? params.get("limit")}`)
      const start = params.get("start")
      const end = params.get("end")
      const from = start === null ? undefined : parseWire(start)
      const to = end === null ? undefined : parseWire(end)
      if (start !== null && from === undefined) return error(400, `invalid start date: ${start}`)
      if (end !== null && to === undefined) return error(400, `invalid end date: ${end}`)
      const range = { from: from?.from ?? Number.NEGATIVE_INFINITY, to: to?.to ?? Number.POSITIVE_INFINITY }
      if (range.from > range.to) return error(400, "start is after end")
      const fieldValues = params
        .getAll("fields")
        .flatMap((f) => f.split(","))
        .map((f) => f.trim())
        .filter((f) => f !== "")
      const fields = fieldValues.length === 0 ? undefined : fieldValues

      const segments = path.split("/").map(decodeURIComponent)
      const list = (collection: FakeData.Collection, paged: boolean) => {
        if (!paged)
          return json(
            200,
            collection.slice(range, 0, collection.size(range)).map((r) => project(r, fields))
          )
        const size = Math.min(count ?? defaultCount, options.maxCount ?? Number.POSITIVE_INFINITY)
        const records = collection.slice(range, (page ?? 0) * size, size)
        return json(
          200,
          records.map((r) => project(r, fields))
        )
      }
      const one = (record: Json | undefined, what: string) =>
        record === undefined ? json(404, { errors: [`${what} not found`] }) : json(200, project(record, fields))

      const [resource, id, sub, ...rest] = segments
      if (rest.length > 0) return json(404, { errors: [`no route ${path}`] })
      switch (resource) {
        case "agents":
        case "policies":
          if (sub !== undefined) break
          return id === undefined
            ? list(org.collections[resource], resource === "agents")
            : one(org.collections[resource].find(id), resource.slice(0, -1))
        case "alerts":
          if (sub !== undefined) break
          return id === undefined ? list(org.collections.alerts, true) : one(org.alertDetail(id), "alert")
        case "logs":
          if (id !== undefined) break
          return list(org.collections.logs, true)
        case "organizations": {
          if (id === undefined)
            return json(
              200,
              orgs.map((o) => project(o.organization, fields))
            )
          if (sub !== "users") break
          const target = orgs.find((o) => o.organization.id === id)
          if (target === undefined) return json(404, { errors: [`organization ${id} not found`] })
          return list(target.collections.users, false)
        }
      }
      return json(404, { errors: [`no route ${path}`] })
    }

    const handle = (request: FakeRequest): Effect.Effect<FakeResponse> =>
      Effect.gen(function* () {
        const pathname = request.url.pathname
        const path = pathname.startsWith(`${basePath}/`) ? pathname.slice(basePath.length + 1) : pathname.slice(1)
        const headers: Record<string, string> = {}
        for (const [k, v] of Object.entries(request.headers)) {
          if (v !== undefined) headers[k.toLowerCase()] = k.toLowerCase() === "authorization" ? "<redacted>" : v
        }
        recorded.push({ method: request.method, path, query: request.url.search.replace(/^\?/, ""), headers })
        received++
        if (recorded.length > 2 * maxRecorded) recorded.splice(0, recorded.length - maxRecorded)
        const requestId = { "x-request-id": `fake-${received}` }
        if (!pathname.startsWith(`${basePath}/`)) {
          return json(404, { errors: [`not under ${basePath}`] }, requestId)
        }
        let response: FakeResponse | undefined
        let after: ReadonlyArray<Fault> = []
        for (const fault of faultsFor(path, request.url.searchParams.get("page"))) {
          switch (fault._tag) {
            case "Latency":
              yield* Effect.sleep(fault.delay)
              break
            case "Hang":
              return yield* Effect.never
            case "Status":
              response ??=
                fault.body === undefined
                  ? error(fault.status, `injected ${fault.status}`, { ...fault.headers })
                  : { status: fault.status, headers: { ...fault.headers }, body: fault.body, delivery: "whole" }
              break
            case "RateLimit": {
              const hints: Record<string, string> = {}
              if (fault.retryAfter !== undefined) hints["retry-after"] = String(fault.retryAfter)
              if (fault.resetMs !== undefined) hints["x-rate-limit-reset"] = String(fault.resetMs)
              response ??= error(429, "rate limit exceeded", hints)
              break
            }
            case "Html":
              response ??= {
                status: fault.status,
                headers: { "content-type": "text/html" },
                body: `<html><head><title>${fault.status}</title></head><body><h1>Bad Gateway</h1></body></html>`,
                delivery: "whole"
              }
              break
            case "EmptyBody":
              response ??= { status: fault.status, headers: {}, body: "", delivery: "whole" }
              break
            default:
              after = [...after, fault]
          }
        }
        let out = response ?? answer(request, path)
        for (const fault of after) {
          if (fault._tag === "Truncate") out = { ...out, body: out.body.slice(0, Math.floor(out.body.length / 2)) }
          if (fault._tag === "Drop") out = { ...out, delivery: "drop" }
          if (fault._tag === "WrongType") out = { ...out, body: wrongType(out.body, fault.field) }
        }
        return { ...out, headers: { ...out.headers, ...requestId } }
      })

    return {
      apiKey,
      organizations: orgs.map((o) => o.organization),
      handle,
      requests: Effect.sync(() => recorded.slice(-maxRecorded)),
      clearRequests: Effect.sync(() => {
        recorded.length = 0
      }),
      addFaults: (...rules) => Effect.sync(() => addRules(rules)),
      clearFaults: Effect.sync(() => {
        faults.length = 0
      })
    }
  })

/** Replaces `field` of the first record (or of the object) with a value of another type. */
const wrongType = (body: string, field: string): string => {
  const parsed: unknown = JSON.parse(body)
  const target = Array.isArray(parsed) ? parsed[0] : parsed
  if (typeof target === "object" && target !== null) {
    const record = target as Record<string, unknown>
    record[field] = typeof record[field] === "string" ? 12345 : "not-the-right-type"
  }
  return JSON.stringify(parsed)
}

/**
 * An `HttpClient` answered by the fake's handler, with no socket. A `Drop`
 * fault makes the body stream fail halfway, as a lost connection does.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FakeThreatStack } from "@effect-threatstack/core"
 *
 * const client = Effect.map(FakeThreatStack.make(), FakeThreatStack.httpClient)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const httpClient = (fake: Service): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    Effect.map(fake.handle({ method: request.method, url, headers: request.headers }), (response) => {
      const bytes = new TextEncoder().encode(response.body)
      const body =
        response.delivery === "whole"
          ? bytes
          : new ReadableStream<Uint8Array>({
              start(controller) {
                controller.enqueue(bytes.slice(0, Math.floor(bytes.length / 2)))
                controller.error(new Error("connection dropped mid-body"))
              }
            })
      const status = response.status
      const web = new Response(status === 204 || status === 304 ? null : body, { status, headers: response.headers })
      return HttpClientResponse.fromWeb(request, web)
    }).pipe(
      Effect.catchAllDefect((cause) =>
        Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause }))
      )
    )
  )

/**
 * The fake as a layer: `FakeThreatStack` (to inspect requests and add
 * faults) and an `HttpClient` answered by it.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { FakeThreatStack, ThreatStack } from "@effect-threatstack/core"
 *
 * const TestLayer = ThreatStack.layer({ apiKey: FakeThreatStack.defaultApiKey }).pipe(
 *   Layer.provideMerge(FakeThreatStack.layer({ seed: 7 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<FakeThreatStack | HttpClient.HttpClient> =>
  Layer.effectContext(
    Effect.map(make(options), (fake) =>
      Context.make(FakeThreatStack, fake).pipe(Context.add(HttpClient.HttpClient, httpClient(fake)))
    )
  )
