/**
 * A faithful fake of the Threat Stack API, both generations, for testing
 * code that uses the SDK: an `HttpClient` layer that answers like the API
 * with no socket, so `ThreatStack.layer(…)` runs on it unchanged.
 * `@effect-threatstack/node` serves the same handler on a real port.
 *
 * One organization, two generations: v1 under `/api/v1` (raw key,
 * `Organization` header, `page`/`count`, snake_case, epoch-ms alert times)
 * and v2 under `/v2` (Hawk, token pages, camelCase, ISO strings) answer
 * from the same data, so an alert dismissed through v2 reads `dismissed:
 * true` in v1 and an organization's users are its v2 members. Records are
 * generated on demand (a million alerts cost nothing until touched); writes
 * (dismissals, rulesets, rules, rule tags, members, invites) stay in memory
 * until the layer or server is released.
 *
 * v1 (see the README, "Testing your code with the fake API"): checks the key (401), scopes
 * data by the `Organization` header (403 for an organization the key is not
 * in), pages with `page`/`count` (`[]` past the end), filters alerts and logs
 * by `start`/`end`, projects `fields`, answers 404 for unknown ids. Its
 * routes come from the resource specs (`Resource.Spec`).
 *
 * v2, as the v2 reference describes it: verifies Hawk for real (MAC over the
 * request target exactly as received, Host, payload hash, ±60 s on `Clock`;
 * `ext` must name an organization of the user, else 403), pages of 100
 * (audit logs 50) ending with `"token": null`, every endpoint's filters and
 * errors. An optional per-organization rate limiter serves both.
 *
 * Faults can be scripted per generation, method, path, page or request
 * number (as objects, or as text with {@link parseFault}), and every
 * request is recorded (never with its key).
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
import type { HttpBody, HttpClientRequest } from "@effect/platform"
import { Chunk, Clock, Context, Duration, Effect, Either, Layer, Stream } from "effect"
import * as Agents from "./Agents.js"
import * as Alerts from "./Alerts.js"
import * as FakeData from "./internal/FakeData.js"
import type { Json } from "./internal/FakeData.js"
import * as FaultSpec from "./internal/fake/FaultSpec.js"
import * as Http from "./internal/fake/Http.js"
import { uuidFor } from "./internal/fake/Ids.js"
import * as RateLimiter from "./internal/fake/RateLimiter.js"
import * as State from "./internal/fake/State.js"
import * as V1Router from "./internal/fake/V1Router.js"
import * as V2Router from "./internal/fake/V2Router.js"
import * as HawkVerifier from "./internal/HawkVerifier.js"
import * as Logs from "./Logs.js"
import * as Organizations from "./Organizations.js"
import * as Policies from "./Policies.js"
import type * as Resource from "./Resource.js"
import { InvalidArgument } from "./ThreatStackError.js"

export type { Counts, Json, Supplied } from "./internal/FakeData.js"
export { defaultCounts } from "./internal/FakeData.js"

/**
 * The key the fake accepts unless told another: the v1 `Authorization`
 * header, and the v2 Hawk key of {@link defaultV2Credentials}.
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
 * v2 (Hawk) credentials: the user id (Hawk `id`), the API key (Hawk `key`)
 * and the organization id (Hawk `ext`).
 *
 * @example
 * ```ts
 * import type { FakeThreatStack } from "@effect-threatstack/core"
 *
 * const mine: FakeThreatStack.V2Credentials = { userId: "u1", apiKey: "k", orgId: "o1" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface V2Credentials {
  readonly userId: string
  readonly apiKey: string
  readonly orgId: string
}

/**
 * The v2 credentials the fake accepts unless told another: the key holder
 * (a member of every generated organization: owner of the first, user of
 * the others), {@link defaultApiKey}, and the first generated organization.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { FakeThreatStack, ThreatStackV2 } from "@effect-threatstack/core"
 *
 * // the v2 SDK over the in-memory fake, signed with the credentials it accepts
 * const TestLayer = ThreatStackV2.layer(FakeThreatStack.defaultV2Credentials).pipe(
 *   Layer.provideMerge(FakeThreatStack.layer())
 * )
 * ```
 *
 * @since 0.2.0
 */
export const defaultV2Credentials: V2Credentials = {
  userId: FakeData.personId(0),
  apiKey: defaultApiKey,
  orgId: "5a0000000000000000000000"
}

/**
 * What the v1 router reads of a resource spec: a `Resource.Spec` (such as
 * `Alerts.spec`) has all of it.
 *
 * @example
 * ```ts
 * import type { FakeThreatStack } from "@effect-threatstack/core"
 *
 * const widgets: FakeThreatStack.RoutedSpec = {
 *   key: "widgets",
 *   singular: "widget",
 *   generation: 1,
 *   path: "widgets",
 *   paging: "pages",
 *   get: true
 * }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type RoutedSpec = Pick<Resource.Spec, "key" | "singular" | "generation" | "path" | "paging" | "get">

/**
 * The specs the fake routes v1 by, unless told others: agents, alerts,
 * logs, organizations and policies.
 *
 * @example
 * ```ts
 * import { FakeThreatStack } from "@effect-threatstack/core"
 *
 * const withWidgets = FakeThreatStack.layer({
 *   specs: [...FakeThreatStack.defaultSpecs, { key: "widgets", singular: "widget", generation: 1, path: "widgets", paging: "none", get: false }],
 *   data: [{ organization: { id: "o1", name: "Acme", role: "owner" }, widgets: [{ id: "w1" }] }]
 * })
 * ```
 *
 * @since 0.2.0
 */
export const defaultSpecs: ReadonlyArray<RoutedSpec> = [
  Agents.spec,
  Alerts.spec,
  Logs.spec,
  Organizations.spec,
  Policies.spec
]

/**
 * A fault the fake can inject instead of (or before) its normal answer.
 *
 * - `Latency`: wait, then answer normally
 * - `Status`: answer this status with a JSON error body (or `body`)
 * - `RateLimit`: 429 with `Retry-After` (seconds) and/or `x-rate-limit-reset` (ms)
 * - `Hang`: never answer
 * - `Truncate`: a 200 whose JSON body is cut in half (a complete, short body)
 * - `WrongType`: the first record's `field` holds a value of the wrong type
 *   (in a v2 list page, the first record of the collection)
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
 * When a fault applies: to requests whose path (relative to the
 * generation's base, `/api/v1` or `/v2`: e.g. `alerts`, `alerts/5a…`,
 * `rulesets`) matches `path`, optionally only for one `generation`, one
 * `method`, one `page` (v1: the `page` parameter; v2: the nth page of a
 * token walk, the first being 0), only for the `nth` such request
 * (1-based), and at most `times` times.
 *
 * @example
 * ```ts
 * import type { FakeThreatStack } from "@effect-threatstack/core"
 *
 * // 503, 503, then the normal answer
 * const flaky: FakeThreatStack.FaultRule = { path: "alerts", times: 2, fault: { _tag: "Status", status: 503 } }
 * // the second v2 page of alerts
 * const secondPage: FakeThreatStack.FaultRule = { generation: 2, path: "alerts", page: 1, fault: { _tag: "Drop" } }
 * // any POST to rulesets
 * const noCreate: FakeThreatStack.FaultRule = { method: "POST", path: /^rulesets/, fault: { _tag: "Status", status: 500 } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultRule {
  readonly path?: string | RegExp | undefined
  readonly generation?: 1 | 2 | undefined
  /** `GET`, `POST`, … (any case). */
  readonly method?: string | undefined
  readonly page?: number | undefined
  readonly nth?: number | undefined
  readonly times?: number | undefined
  readonly fault: Fault
}

/**
 * A fault rule written as text, the form `threatstack fake-server --fault`
 * takes: comma-separated items, exactly one of which names the fault.
 *
 * - the fault: `status=503` (optionally followed by `body=TEXT`, which must
 *   come last and takes the rest, commas included), `latency=200 millis`,
 *   `rate-limit` (optionally with `retry-after=SECONDS`, `reset-ms=MS`),
 *   `html=502`, `empty=502` (`EmptyBody`), `wrong-type=FIELD`, `hang`,
 *   `truncate`, `drop`
 * - when it applies: `path=alerts` (relative to the generation's base;
 *   `/api/v1/alerts` or `/v2/alerts`, under the default bases, also picks
 *   the generation; `*` matches
 *   any characters, as in `alerts/*`), `method=POST`, `page=N`,
 *   `generation=1|2`, `nth=N`, `times=N`
 *
 * Fails with `InvalidArgument` (argument `fault`) naming what is wrong and the
 * expected form.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { FakeThreatStack } from "@effect-threatstack/core"
 *
 * // 503 twice on v1's alerts listing, then the normal answer
 * const rule = FakeThreatStack.parseFault("status=503,path=/api/v1/alerts,times=2")
 * const faults = Either.isRight(rule) ? [rule.right] : []
 * ```
 *
 * @since 0.2.0
 */
export const parseFault = (text: string): Either.Either<FaultRule, InvalidArgument> =>
  Either.mapLeft(
    FaultSpec.parseFault(text),
    (problem) =>
      new InvalidArgument({
        argument: "fault",
        detail: `${JSON.stringify(text)}: ${problem}; expected e.g. ${JSON.stringify(FaultSpec.faultExample)}`
      })
  )

/**
 * A rate limit written as text, the form `threatstack fake-server
 * --rate-limit` takes, for the `rateLimit` option: `200/minute`,
 * `200/1 minute`, `50/10 seconds`, `200 per minute` (a whole number ≥ 1 of
 * requests per organization, per a positive duration). Fails with
 * `InvalidArgument` (argument `rateLimit`) naming the expected form.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { FakeThreatStack } from "@effect-threatstack/core"
 *
 * const rateLimit = Either.getOrUndefined(FakeThreatStack.parseRateLimit("200/minute"))
 * const TestLayer = FakeThreatStack.layer({ rateLimit })
 * ```
 *
 * @since 0.2.0
 */
export const parseRateLimit = (
  text: string
): Either.Either<{ readonly limit: number; readonly interval: Duration.Duration }, InvalidArgument> =>
  Either.mapLeft(
    FaultSpec.parseRateLimit(text),
    (problem) =>
      new InvalidArgument({
        argument: "rateLimit",
        detail: `${JSON.stringify(text)}: ${problem}; expected e.g. ${JSON.stringify(FaultSpec.rateLimitExample)}`
      })
  )

/**
 * A request as the fake received it. The `authorization` header is
 * replaced by `<redacted>` (v1's is the key; v2's Hawk header is withheld
 * too). `generation` is not enumerable on v1 records, so they compare as
 * in 0.1; v2 records add the page (`page`, `token`) and the Hawk outcome.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FakeThreatStack } from "@effect-threatstack/core"
 *
 * const pagesAsked = Effect.flatMap(FakeThreatStack.FakeThreatStack, (fake) =>
 *   Effect.map(fake.requests, (requests) => requests.filter((r) => r.generation === 2 && r.path === "alerts").length)
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedRequest {
  readonly method: string
  /** Path relative to the generation's base, e.g. `alerts` or `organizations/5a…/users`. */
  readonly path: string
  /** The raw query string, without `?`. */
  readonly query: string
  readonly headers: Readonly<Record<string, string>>
  /** 1 for `/api/v1` (and anything outside both bases), 2 for `/v2`. */
  readonly generation: 1 | 2
  /** v2: the page of a token walk the request asked for (0 without a token); undefined for a token not ours. */
  readonly page?: number | undefined
  /** v2: the `token` parameter, when there was one. */
  readonly token?: string | undefined
  /** v2: whether the Hawk check passed; undefined when it was not reached (a fault answered first). */
  readonly hawk?: boolean | undefined
}

/**
 * A request in the form the handler takes (both the in-memory client and
 * the served fake produce it). `url` alone is enough for v1; v2's Hawk
 * check needs the request target exactly as received, the host and port the
 * client signed, and the body bytes: when left out they are taken from `url`
 * (target `pathname + search`, its host, its port or the scheme's).
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
  /** Path and query exactly as received (`/v2/alerts?status=active`), before any URL normalisation. */
  readonly rawTarget?: string | undefined
  readonly body?: Uint8Array | undefined
  /** The host the client addressed (the `Host` header's, when served). */
  readonly host?: string | undefined
  /** The port the client addressed (the `Host` header's, or the listener's). */
  readonly port?: number | undefined
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
 *   rateLimit: { limit: 200, interval: "1 minute" },
 *   faults: [{ path: "alerts", page: 3, times: 1, fault: { _tag: "Status", status: 503 } }]
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The key it accepts (v1 header, v2 Hawk key). Default {@link defaultApiKey}. */
  readonly apiKey?: string | undefined
  /** The v2 user id (Hawk `id`) of the key. Default {@link defaultV2Credentials}' `userId`. */
  readonly userId?: string | undefined
  /** Seed of the generated data. Default 1. */
  readonly seed?: number | undefined
  /** The newest alert and log are just before this instant. Default: when the fake is made. */
  readonly now?: Date | number | undefined
  /** How far back alerts and logs go. Default 30 days. */
  readonly span?: Duration.DurationInput | undefined
  /** How much to generate per organization (defaults in `FakeThreatStack.defaultCounts`). */
  readonly counts?: Partial<FakeData.Counts> | undefined
  /**
   * Serve these records instead of generated ones, one entry per
   * organization, by resource key: the five v1 keys, any key of a spec in
   * `specs`, and v2's `cves`, `ec2`, `rulesets`, `rules` (v2 form: a CVE
   * is found by its `cveNumber`, the others by `id`).
   */
  readonly data?: ReadonlyArray<FakeData.Supplied> | undefined
  /** The v1 resources routed (by generation-1 specs). Default {@link defaultSpecs}. */
  readonly specs?: ReadonlyArray<RoutedSpec> | undefined
  /** The page size when a v1 request has no `count`. Default 20. */
  readonly defaultCount?: number | undefined
  /** The most records a v1 page holds, whatever `count` asks (like a server cap). Default none. */
  readonly maxCount?: number | undefined
  /**
   * The path prefix of v1. Default `/api/v1`. `/` serves v1 at the root:
   * every path but those under v2's prefix (a path under both prefixes goes
   * to the longer one; equal prefixes, to v1).
   */
  readonly basePath?: string | undefined
  /** The path prefix of v2. Default `/v2`; `/` as for {@link Options.basePath}. */
  readonly v2BasePath?: string | undefined
  /** The Hawk timestamp skew allowed either way. Default 60 seconds. */
  readonly hawkSkew?: Duration.DurationInput | undefined
  /**
   * A rate limit per organization, for both generations (off by default):
   * `x-rate-limit-remaining` on every answer, 429 with `x-rate-limit-reset`
   * (ms) when spent. Timed by `Clock`.
   */
  readonly rateLimit?: { readonly limit: number; readonly interval: Duration.DurationInput } | undefined
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
  /** The v1 key (also the v2 Hawk key). */
  readonly apiKey: string
  /** The v2 credentials accepted (the organization is the first one). */
  readonly v2Credentials: V2Credentials
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
export class FakeThreatStack extends Context.Tag(
  // Stryker disable next-line StringLiteral: the key only has to be unique among services
  "@effect-threatstack/core/FakeThreatStack"
)<FakeThreatStack, Service>() {}

type Mutable<A> = { -readonly [K in keyof A]: A[K] }

/** Whether `path` lies under `base`; the root (`""`, from a base path of "/") holds every path. */
const under = (path: string, base: string) =>
  base === "" ? path.startsWith("/") : path === base || path.startsWith(`${base}/`)

/** Decoded path segments, or `undefined` for bad percent-encoding. */
const segmentsOf = (path: string): ReadonlyArray<string> | undefined => {
  try {
    return path === "" ? [] : path.split("/").map(decodeURIComponent)
  } catch {
    // bad percent-encoding: no segments
  }
  return undefined
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
    const userId = options.userId ?? defaultV2Credentials.userId
    const v1Base = (options.basePath ?? "/api/v1").replace(/\/+$/, "")
    const v2Base = (options.v2BasePath ?? "/v2").replace(/\/+$/, "")
    // the longer base first: with v1 at the root, v2's paths stay v2's
    const bases: ReadonlyArray<readonly [1 | 2, string]> =
      v2Base.length > v1Base.length
        ? [
            [2, v2Base],
            [1, v1Base]
          ]
        : [
            [1, v1Base],
            [2, v2Base]
          ]
    const now = options.now === undefined ? Date.now() : new Date(options.now).getTime()
    const seed = options.seed ?? 1
    const generation: FakeData.Generation = {
      seed,
      now,
      span: Duration.toMillis(options.span ?? "30 days"),
      counts: { ...FakeData.defaultCounts, ...options.counts }
    }
    const orgs: ReadonlyArray<FakeData.Org> =
      options.data !== undefined
        ? options.data.map(FakeData.fromSupplied)
        : Array.from({ length: generation.counts.organizations }, (_, k) => FakeData.generated(generation, k))
    const directory = (id: string): Json | undefined => {
      for (const org of orgs) {
        const found = org.collections.users?.find(id)
        if (found !== undefined) return found
      }
      return undefined
    }
    const states = orgs.map((org) => State.make(org, { seed, keyHolder: userId, directory }))
    let created = 0
    const newId = () => uuidFor(seed, created++)
    const v1Settings: V1Router.Settings = {
      specs: options.specs ?? defaultSpecs,
      defaultCount: options.defaultCount ?? 20,
      maxCount: options.maxCount ?? Number.POSITIVE_INFINITY
    }
    const skewSeconds = Duration.toSeconds(options.hawkSkew ?? "60 seconds")
    const limiter =
      options.rateLimit === undefined
        ? undefined
        : RateLimiter.make(options.rateLimit.limit, Duration.toMillis(options.rateLimit.interval))

    const recorded: Array<RecordedRequest> = []
    const maxRecorded = options.maxRecorded ?? 10_000
    let received = 0
    const faults: Array<{ rule: FaultRule; seen: number; used: number }> = []
    const addRules = (rules: ReadonlyArray<FaultRule>) => {
      for (const rule of rules) faults.push({ rule, seen: 0, used: 0 })
    }
    addRules(options.faults ?? [])

    interface Target {
      readonly generation: 1 | 2
      readonly method: string
      readonly path: string
      /** v1: the `page` parameter (default "0"); v2: the token walk's page. */
      readonly page: string
    }
    const matches = (rule: FaultRule, target: Target) =>
      (rule.path === undefined ||
        (typeof rule.path === "string" ? rule.path === target.path : rule.path.test(target.path))) &&
      (rule.generation === undefined || rule.generation === target.generation) &&
      (rule.method === undefined || rule.method.toUpperCase() === target.method) &&
      (rule.page === undefined || String(rule.page) === target.page)

    /** The faults that apply to this request, in the order they were added. */
    const faultsFor = (target: Target): ReadonlyArray<Fault> => {
      const out: Array<Fault> = []
      for (const entry of faults) {
        if (!matches(entry.rule, target)) continue
        entry.seen++
        if (entry.rule.nth !== undefined && entry.rule.nth !== entry.seen) continue
        if (entry.rule.times !== undefined && entry.used >= entry.rule.times) continue
        entry.used++
        out.push(entry.rule.fault)
      }
      return out
    }

    /** The rate limit of one organization: the header to add, or the 429. */
    const limit = (orgId: string, generationOf: 1 | 2) =>
      Effect.map(Clock.currentTimeMillis, (clock): { headers: Record<string, string>; limited?: FakeResponse } => {
        if (limiter === undefined) return { headers: {} }
        const verdict = limiter.take(orgId, clock)
        if (verdict._tag === "Admitted") return { headers: { "x-rate-limit-remaining": String(verdict.remaining) } }
        const headers = { "x-rate-limit-remaining": "0", "x-rate-limit-reset": String(verdict.resetMs) }
        return {
          headers,
          limited:
            generationOf === 1
              ? Http.v1Error(429, "rate limit exceeded", headers)
              : Http.errors(429, "Rate limit hit", headers)
        }
      })

    const withHeaders = (answer: FakeResponse, headers: Readonly<Record<string, string>>): FakeResponse => ({
      ...answer,
      headers: { ...answer.headers, ...headers }
    })

    const answerV1 = (
      headers: Readonly<Record<string, string>>,
      method: string,
      path: string,
      params: URLSearchParams
    ): Effect.Effect<FakeResponse> =>
      Effect.gen(function* () {
        if (headers.authorization !== apiKey) return Http.v1Error(401, "Unauthorized: missing or invalid API key")
        const orgHeader = headers.organization
        const org = orgHeader === undefined ? states[0] : states.find((o) => o.id === orgHeader)
        if (org === undefined || org.roleOf(userId) === undefined) {
          return orgHeader === undefined
            ? Http.v1Error(403, "the API key belongs to no organization")
            : Http.v1Error(403, `no access to organization ${orgHeader}`)
        }
        const limited = yield* limit(org.id, 1)
        if (limited.limited !== undefined) return limited.limited
        const segments = segmentsOf(path)
        if (segments === undefined) return Http.v1Error(400, `malformed percent-encoding in the path: ${path}`)
        return withHeaders(V1Router.route(v1Settings, org, states, method, segments, params), limited.headers)
      })

    const answerV2 = (
      request: FakeRequest,
      record: Mutable<RecordedRequest>,
      headers: Readonly<Record<string, string>>,
      rawTarget: string,
      path: string,
      params: URLSearchParams
    ): Effect.Effect<FakeResponse> =>
      Effect.gen(function* () {
        const clock = yield* Clock.currentTimeMillis
        const body = request.body ?? new Uint8Array(0)
        const contentType = headers["content-type"]
        const url = request.url
        const port = request.port ?? (url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80)
        const verdict = yield* Effect.promise(() =>
          HawkVerifier.verify({
            authorization: headers.authorization,
            // Stryker disable next-line MethodExpression: the verifier upper-cases the method itself
            method: request.method.toUpperCase(),
            rawTarget,
            host: request.host ?? url.hostname,
            port,
            body:
              // Stryker disable next-line ConditionalExpression,EqualityOperator: an empty body of type "" hashes as no body ("true", ">= 0"); "false", "<= 0", "=== undefined" die in FakeHandle.test.ts
              contentType !== undefined || body.byteLength > 0
                ? { contentType: contentType ?? "", bytes: body }
                : undefined,
            now: clock,
            skewSeconds,
            lookupKey: (id) => (id === userId ? apiKey : undefined)
          })
        )
        record.hawk = verdict._tag === "Ok"
        if (verdict._tag === "Unauthorized") return Http.errors(401, verdict.message)
        if (verdict._tag === "Stale") {
          return Http.errors(401, verdict.message, { "www-authenticate": verdict.wwwAuthenticate })
        }
        // Stryker disable next-line ConditionalExpression: with no ext, finding an organization whose id is undefined finds none too
        const org = verdict.ext === undefined ? undefined : states.find((o) => o.id === verdict.ext)
        const role = org?.roleOf(verdict.id)
        if (org === undefined || role === undefined) {
          return Http.errors(
            403,
            verdict.ext === undefined
              ? "The request names no organization (Hawk ext)"
              : `The user is not allowed to perform this action: not a member of organization ${verdict.ext}`
          )
        }
        const limited = yield* limit(org.id, 2)
        if (limited.limited !== undefined) return limited.limited
        const decoded = segmentsOf(path)
        if (decoded === undefined) return Http.errors(400, `malformed percent-encoding in the path: ${path}`)
        const segments = decoded.length > 0 && decoded[decoded.length - 1] === "" ? decoded.slice(0, -1) : decoded
        const answer = V2Router.route(
          { org, userId: verdict.id, role, seed, dataNow: now, clockNow: clock, newId },
          { method: request.method.toUpperCase(), segments, params, body }
        )
        return withHeaders(answer, limited.headers)
      })

    const handle = (request: FakeRequest): Effect.Effect<FakeResponse> =>
      Effect.gen(function* () {
        const rawTarget = request.rawTarget ?? `${request.url.pathname}${request.url.search}`
        const mark = rawTarget.indexOf("?")
        const rawPath = mark === -1 ? rawTarget : rawTarget.slice(0, mark)
        const query = mark === -1 ? "" : rawTarget.slice(mark + 1)
        const params = new URLSearchParams(query)
        const method = request.method.toUpperCase()
        const generationOf = bases.find(([, base]) => under(rawPath, base))?.[0]
        const path =
          generationOf === 1
            ? rawPath.slice(v1Base.length + 1)
            : generationOf === 2
              ? rawPath.slice(v2Base.length + 1)
              : rawPath.replace(/^\//, "")
        const headers: Record<string, string> = {}
        const shown: Record<string, string> = {}
        for (const [k, v] of Object.entries(request.headers)) {
          if (v === undefined) continue
          headers[k.toLowerCase()] = v
          shown[k.toLowerCase()] = k.toLowerCase() === "authorization" ? "<redacted>" : v
        }
        const record: Mutable<RecordedRequest> =
          generationOf === 2
            ? {
                method: request.method,
                path,
                query,
                headers: shown,
                generation: 2,
                page: V2Router.pageOf(params),
                token: params.get("token") ?? undefined,
                hawk: undefined
              }
            : (Object.defineProperty({ method: request.method, path, query, headers: shown }, "generation", {
                value: 1,
                enumerable: false,
                writable: true
              }) as Mutable<RecordedRequest>)
        recorded.push(record)
        received++
        // Stryker disable next-line ConditionalExpression,EqualityOperator: `requests` keeps the newest maxRecorded whenever the trim runs ("true", ">="); "false", "<=" die in FakeHandle.test.ts (maxRecorded 0)
        if (recorded.length > 2 * maxRecorded) recorded.splice(0, recorded.length - maxRecorded)
        const requestId = { "x-request-id": `fake-${received}` }
        if (generationOf === undefined) {
          return Http.errors(404, `not under ${v1Base} or ${v2Base}`, requestId)
        }
        const errorOf = (status: number, message: string, extra: Readonly<Record<string, string>> = {}) =>
          generationOf === 1 ? Http.v1Error(status, message, extra) : Http.errors(status, message, extra)
        let response: FakeResponse | undefined
        let after: ReadonlyArray<Fault> = []
        const target: Target = {
          generation: generationOf,
          method,
          path,
          // Stryker disable next-line StringLiteral: a rule's page is a number, never "invalid" nor ""; the "0" is held by FakeHandle.test.ts
          page: generationOf === 1 ? (params.get("page") ?? "0") : String(record.page ?? "invalid")
        }
        for (const fault of faultsFor(target)) {
          switch (fault._tag) {
            case "Latency":
              yield* Effect.sleep(fault.delay)
              break
            case "Hang":
              return yield* Effect.never
            case "Status":
              response ??=
                fault.body === undefined
                  ? errorOf(fault.status, `injected ${fault.status}`, { ...fault.headers })
                  : { status: fault.status, headers: { ...fault.headers }, body: fault.body, delivery: "whole" }
              break
            case "RateLimit": {
              const hints: Record<string, string> = {}
              if (fault.retryAfter !== undefined) hints["retry-after"] = String(fault.retryAfter)
              if (fault.resetMs !== undefined) hints["x-rate-limit-reset"] = String(fault.resetMs)
              response ??= errorOf(429, "rate limit exceeded", hints)
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
        let out =
          response ??
          (generationOf === 1
            ? yield* answerV1(headers, method, path, params)
            : yield* answerV2(request, record, headers, rawTarget, path, params))
        for (const fault of after) {
          if (fault._tag === "Truncate") out = { ...out, body: out.body.slice(0, Math.floor(out.body.length / 2)) }
          if (fault._tag === "Drop") out = { ...out, delivery: "drop" }
          if (fault._tag === "WrongType") out = { ...out, body: wrongType(out.body, fault.field) }
        }
        return { ...out, headers: { ...out.headers, ...requestId } }
      })

    return {
      apiKey,
      v2Credentials: { userId, apiKey, orgId: states[0]?.id ?? "" },
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

/** Replaces `field` of the first record (of the object, or of a v2 page's collection) with a value of another type. */
const wrongType = (body: string, field: string): string => {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return body
  }
  let target: unknown = Array.isArray(parsed) ? parsed[0] : parsed
  if (typeof target === "object" && target !== null && !Array.isArray(target) && !(field in target)) {
    const collection = Object.values(target).find(Array.isArray)
    if (collection !== undefined) target = collection[0]
  }
  if (typeof target === "object" && target !== null) {
    const record = target as Record<string, unknown>
    record[field] = typeof record[field] === "string" ? 12345 : "not-the-right-type"
  }
  return JSON.stringify(parsed)
}

const noBytes = new Uint8Array(0)

/** The bytes of a request body: `Uint8Array` and `Raw` (string or bytes) bodies, and streams collected. */
const bodyBytes = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<Uint8Array, HttpClientError.RequestError> => {
  const body: HttpBody.HttpBody = request.body
  switch (body._tag) {
    // Stryker disable next-line ConditionalExpression: falling through to "Raw" hands over the same bytes (the body is a Uint8Array)
    case "Uint8Array":
      return Effect.succeed(body.body)
    case "Raw":
      return Effect.succeed(
        typeof body.body === "string"
          ? new TextEncoder().encode(body.body)
          : body.body instanceof Uint8Array
            ? body.body
            : noBytes
      )
    case "Stream":
      return Stream.runCollect(body.stream).pipe(
        Effect.map((chunks) => {
          const parts = Chunk.toReadonlyArray(chunks)
          const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
          let at = 0
          for (const part of parts) {
            all.set(part, at)
            at += part.byteLength
          }
          return all
        }),
        Effect.mapError((cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause }))
      )
    default:
      return Effect.succeed(noBytes)
  }
}

/**
 * An `HttpClient` answered by the fake's handler, with no socket. The fake
 * sees the request target as the URL serialises it, the URL's host and
 * port, and the body's bytes (so Hawk payload hashes check out). A `Drop`
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
    Effect.gen(function* () {
      const body = yield* bodyBytes(request)
      // the body's content type is in the headers already: HttpClientRequest.setBody puts it there
      const response = yield* fake.handle({
        method: request.method,
        url,
        headers: request.headers,
        rawTarget: `${url.pathname}${url.search}`,
        body,
        host: url.hostname,
        port: url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80
      })
      const bytes = new TextEncoder().encode(response.body)
      const stream =
        response.delivery === "whole"
          ? bytes
          : new ReadableStream<Uint8Array>({
              start(controller) {
                controller.enqueue(bytes.slice(0, Math.floor(bytes.length / 2)))
              },
              // pulled once the half is read: an error in start would discard the queued half
              pull(controller) {
                controller.error(new Error("connection dropped mid-body"))
              }
            })
      const status = response.status
      const web = new Response(status === 204 || status === 304 ? null : stream, { status, headers: response.headers })
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
