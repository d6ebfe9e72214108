/**
 * What every resource shares: the `list` options and their checks, the typed
 * `fields` projection, and the `list`/`get` operations built over the client
 * pipeline. A resource module only names its path, its schema and whether it
 * pages.
 *
 * @since 0.1.0
 */
import { DateTime, Effect, Either, type Option, Predicate, type Schema, Stream } from "effect"
import * as Pagination from "./Pagination.js"
import * as Pipeline from "./internal/Pipeline.js"
import * as RecordDecoder from "./internal/RecordDecoder.js"
import type { Decoder } from "./internal/RecordDecoder.js"
import type { Query, Service as Client } from "./ThreatStackClient.js"
import { InvalidArgument, ThreatStackAPIError } from "./ThreatStackError.js"
import type { ThreatStackError } from "./ThreatStackError.js"
import * as TimeRange from "./TimeRange.js"

/**
 * How a listing pages: `"pages"` (v1 `page`/`count`, ends at the first empty
 * page), `"token"` (v2: `{ <collection>: [...], token }`, ends at a `null`,
 * empty or missing token), `"none"` (one request answers everything).
 *
 * @since 0.2.0
 * @category models
 */
export type Paging = "pages" | "token" | "none"

/**
 * One resource as data about the API: its name, path, record schemas, how
 * it pages and which operations it has. The SDK builds the service from it
 * ({@link make}), the fake API routes by it, and the command line builds its
 * commands from it; adding a resource is adding a spec.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Resource } from "@effect-threatstack/core"
 *
 * const Widgets = Resource.spec({
 *   name: "Widgets",
 *   key: "widgets",
 *   singular: "widget",
 *   generation: 1,
 *   path: "widgets",
 *   paging: "pages",
 *   schema: Schema.Struct({ id: Schema.String, name: Schema.String }),
 *   get: true
 * })
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Spec<
  F extends Schema.Struct.Fields = Schema.Struct.Fields,
  D extends Schema.Struct.Fields = F,
  P extends Paging = Paging,
  G extends boolean = boolean
> {
  /** Display name, also the span prefix: `Alerts` gives `Alerts.list`, `Alerts.get`. */
  readonly name: string
  /** The resource's key: the CLI command, the fake's data key (`alerts`). */
  readonly key: string
  /** One record in words, for messages: `alert`, `policy`. */
  readonly singular: string
  /** The API generation: 1 (`/api/v1`, raw key) or 2 (`/v2`, Hawk). */
  readonly generation: 1 | 2
  /** Path relative to the base URL: `alerts`, `aws/ec2`. */
  readonly path: string
  readonly paging: P
  /** v2 token paging: the key of the list page's array (`cves` for vulnerabilities). */
  readonly collection?: string | undefined
  /** A record as `list` returns it. */
  readonly schema: Schema.Struct<F>
  /** Whether `GET {path}/{id}` exists. */
  readonly get: G
  /** The record `get` returns when it has more fields than a listed one (v1 alerts: events, rule). */
  readonly detail?: Schema.Struct<D> | undefined
  /** The write operations the API has on this resource (v2). */
  readonly writes?: ReadonlyArray<"create" | "update" | "delete"> | undefined
  /**
   * The field the API's time range selects on (v1 alerts: `created_at`), so
   * that a range that does not fall on whole seconds is applied exactly (see
   * `TimeRange.filter`). v1 alerts and logs default to `created_at` and
   * `timestamp`.
   */
  readonly timeField?: string | undefined
}

/**
 * Declares a spec, keeping its literal types (paging, whether it has `get`).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Resource } from "@effect-threatstack/core"
 *
 * const Notes = Resource.spec({
 *   name: "Notes",
 *   key: "notes",
 *   singular: "note",
 *   generation: 1,
 *   path: "notes",
 *   paging: "none",
 *   schema: Schema.Struct({ id: Schema.String }),
 *   get: false
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const spec = <
  F extends Schema.Struct.Fields,
  P extends Paging,
  G extends boolean,
  D extends Schema.Struct.Fields = F
>(
  spec: Spec<F, D, P, G>
): Spec<F, D, P, G> => spec

/**
 * Options every `list` takes: the time slice (see {@link TimeRange}).
 *
 * @example
 * ```ts
 * import type { Resource } from "@effect-threatstack/core"
 *
 * const lastMay: Resource.ListOptions = { start: "2017-05-01", end: "2017-05-31" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  readonly start?: TimeRange.TimeInput | undefined
  readonly end?: TimeRange.TimeInput | undefined
}

/**
 * Options of the paged listings (agents, alerts, logs). Without `page` the
 * stream walks every page of `count` records (default 100) until an empty
 * one; with `page` it yields exactly that page.
 *
 * @example
 * ```ts
 * import type { Resource } from "@effect-threatstack/core"
 *
 * const thirdPage: Resource.PagedListOptions = { page: 2, count: 10 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface PagedListOptions extends ListOptions {
  /** 0-based page number, a whole number up to {@link maxPage}. */
  readonly page?: number | undefined
  /** Page size, a whole number from 1 to {@link maxCount}. */
  readonly count?: number | undefined
  /**
   * Read-ahead: how many page requests may be in flight while you consume
   * (default 1, sequential; at most {@link maxConcurrency}). The records and
   * their order are the same.
   */
  readonly concurrency?: number | undefined
  /**
   * The most pages of records a walk reads (default
   * `Pagination.defaultMaxPages`, 1,000,000); a listing longer than that
   * fails with `InvalidResponse` after its records. A server that repeats a
   * page fails the same way at once, whatever this bound.
   */
  readonly maxPages?: number | undefined
}

/**
 * The largest `page` accepted: 10,000,000.
 *
 * @example
 * ```ts
 * import { Resource } from "@effect-threatstack/core"
 *
 * Resource.maxPage // 10_000_000
 * ```
 *
 * @since 0.2.0
 */
export const maxPage = 10_000_000

/**
 * The largest `count` accepted: 10,000 records a page.
 *
 * @example
 * ```ts
 * import { Resource } from "@effect-threatstack/core"
 *
 * Resource.maxCount // 10_000
 * ```
 *
 * @since 0.2.0
 */
export const maxCount = 10_000

/**
 * The largest `concurrency` accepted, by `list` (read-ahead) and `getMany`:
 * 64 requests in flight. More buys nothing from one API (it rate-limits per
 * organization) and costs a socket and a buffered page each.
 *
 * @example
 * ```ts
 * import { Resource } from "@effect-threatstack/core"
 *
 * Resource.maxConcurrency // 64
 * ```
 *
 * @since 0.2.0
 */
export const maxConcurrency = 64

/**
 * The page size used when walking a whole listing: 100 records.
 *
 * @since 0.1.0
 */
export const defaultWalkCount = 100

/**
 * A `list` operation. With `fields`, only those fields are requested and the
 * element type has exactly those fields: a misspelt field is a compile error.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Agents } from "@effect-threatstack/core"
 *
 * Effect.gen(function* () {
 *   const agents = yield* Agents.Agents
 *   // Stream<{ readonly hostname: string; readonly ip_address: string | null }, …>
 *   const hosts = agents.list({ fields: ["hostname", "ip_address"] })
 *   return yield* Stream.runCollect(hosts)
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface List<A, O extends ListOptions> {
  <const K extends keyof A>(
    options: O & { readonly fields: ReadonlyArray<K> }
  ): Stream.Stream<Pick<A, K>, ThreatStackError>
  (options?: O): Stream.Stream<A, ThreatStackError>
}

/**
 * A `get` operation: `None` exactly when the API answers 404.
 *
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import type { Agents, Resource } from "@effect-threatstack/core"
 *
 * const hostname = (get: Resource.Get<Agents.Agent>, id: string) =>
 *   Effect.map(get(id), Option.map((agent) => agent.hostname))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Get<A> = (id: string) => Effect.Effect<Option.Option<A>, ThreatStackError>

/**
 * Many `get`s with bounded concurrency (default 8, at most
 * {@link maxConcurrency}), results in input order. Every id is checked (as
 * {@link checkId} does) before the first request.
 * They share the client's retries and rate gate; the first failure (other
 * than a 404, which is `None`) fails the whole and interrupts the rest.
 *
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import { Alerts } from "@effect-threatstack/core"
 *
 * Effect.gen(function* () {
 *   const alerts = yield* Alerts.Alerts
 *   const details = yield* alerts.getMany(["id1", "id2"], { concurrency: 8 })
 *   return details.filter(Option.isSome).map((d) => d.value.rule.original_rule.name)
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type GetMany<A> = (
  ids: Iterable<string>,
  options?: { readonly concurrency?: number | undefined }
) => Effect.Effect<ReadonlyArray<Option.Option<A>>, ThreatStackError>

/**
 * The default concurrency of `getMany`: 8 requests in flight.
 *
 * @since 0.1.0
 */
export const defaultGetManyConcurrency = 8

/** Everything a runtime caller (typed or not) may pass to `list`. */
interface AnyListOptions extends PagedListOptions {
  readonly fields?: ReadonlyArray<PropertyKey> | undefined
}

const invalid = (argument: string, detail: string) => Either.left(new InvalidArgument({ argument, detail }))

const show = (value: unknown): string => (typeof value === "string" ? JSON.stringify(value) : String(value))

/** A whole number from `min` to `max`, or left out. */
const checkWhole = (argument: string, value: unknown, min: number, max: number) =>
  value === undefined
    ? Either.right(undefined)
    : typeof value !== "number" || !Number.isInteger(value) || value < min
      ? invalid(argument, `expected a whole number ≥ ${min}, got ${show(value)}`)
      : value > max
        ? invalid(argument, `expected a whole number up to ${max.toLocaleString("en-US")}, got ${show(value)}`)
        : Either.right(value)

/**
 * Checks `list` options and turns them into query parameters (without
 * `page`/`count`, which the walk sets).
 */
const checkList = (
  resource: string,
  known: ReadonlyArray<string>,
  paged: boolean,
  options: AnyListOptions
): Either.Either<Query, InvalidArgument> =>
  Either.gen(function* () {
    if (!Predicate.isRecord(options))
      return yield* invalid("options", `expected an options object, got ${show(options)}`)
    const paging = (["page", "count", "concurrency", "maxPages"] as const).find((name) => options[name] !== undefined)
    if (!paged && paging !== undefined) {
      return yield* invalid(paging, `${resource} are not paginated; list them without page/count`)
    }
    yield* checkWhole("page", options.page, 0, maxPage)
    yield* checkWhole("count", options.count, 1, maxCount)
    yield* checkWhole("concurrency", options.concurrency, 1, maxConcurrency)
    yield* checkWhole("maxPages", options.maxPages, 1, maxPage)
    const time = yield* TimeRange.toQuery(options)
    let fields: Array<string> | undefined
    if (options.fields !== undefined) {
      if (!Array.isArray(options.fields)) {
        return yield* invalid("fields", `expected an array of field names, got ${show(options.fields)}`)
      }
      if (options.fields.length === 0) {
        return yield* invalid("fields", "expected at least one field name; leave fields out to get every field")
      }
      const unknown = options.fields.filter((f) => typeof f !== "string" || !known.includes(f))
      if (unknown.length > 0) {
        return yield* invalid(
          "fields",
          `unknown field ${unknown.map(String).join(", ")} for ${resource}; known: ${known.join(", ")}`
        )
      }
      fields = options.fields as Array<string>
    }
    return { ...time, fields }
  })

/** v1 resources whose time range selects on a field, until their specs name it. */
const v1TimeFields: Readonly<Record<string, string>> = { alerts: "created_at", logs: "timestamp" }

/** A record's time in epoch ms, when the field holds one. */
const epochOf = (record: unknown, field: string): number | undefined => {
  const value = (record as Record<string, unknown>)[field]
  return DateTime.isDateTime(value) ? DateTime.toEpochMillis(value) : undefined
}

/**
 * Builds the `list` of a resource.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Resource, ThreatStackClient } from "@effect-threatstack/core"
 *
 * const Widget = Schema.Struct({ id: Schema.String })
 * const listWidgets = Effect.map(ThreatStackClient.ThreatStackClient, (client) =>
 *   Resource.list(client, { name: "Widgets", path: "widgets", schema: Widget, paged: true })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export function list<F extends Schema.Struct.Fields>(
  client: Client,
  spec: {
    readonly name: string
    readonly path: string
    readonly schema: Schema.Struct<F>
    readonly paged: true
    readonly timeField?: string | undefined
  }
): List<Schema.Struct.Type<F>, PagedListOptions>
export function list<F extends Schema.Struct.Fields>(
  client: Client,
  spec: {
    readonly name: string
    readonly path: string
    readonly schema: Schema.Struct<F>
    readonly paged: false
    readonly timeField?: string | undefined
  }
): List<Schema.Struct.Type<F>, ListOptions>
export function list<F extends Schema.Struct.Fields>(
  client: Client,
  spec: {
    readonly name: string
    readonly path: string
    readonly schema: Schema.Struct<F>
    readonly paged: boolean
    readonly timeField?: string | undefined
  }
): (options?: AnyListOptions) => Stream.Stream<unknown, ThreatStackError> {
  const known = Object.keys(spec.schema.fields)
  const resource = spec.name.toLowerCase()
  const timeField = spec.timeField !== undefined && known.includes(spec.timeField) ? spec.timeField : undefined
  // pages come from the pipeline's own JSON.parse: nothing else holds them, so decode in place
  const whole: Decoder<ReadonlyArray<unknown>> = RecordDecoder.array(spec.schema, RecordDecoder.parsed)
  const fetch = Pipeline.fn(
    `${spec.name}.list`,
    (query: Query, records: Decoder<ReadonlyArray<unknown>>) => client.get(spec.path, query, records),
    client.settings.tracePropagation
  )
  const endless = (count: number) => (stop: Pagination.Endless) =>
    new ThreatStackAPIError({
      reason: "InvalidResponse",
      method: "GET",
      // the page the walk stopped at: the repeat, or the first one past maxPages (walks start at 0)
      url: `${client.settings.baseUrl}/${spec.path}?page=${stop._tag === "Repeated" ? stop.page : stop.maxPages}&count=${count}`,
      attempts: 1,
      detail:
        stop._tag === "Repeated"
          ? `the server repeated page ${stop.earlier} as page ${stop.page} (the same records in the same order): the listing would never end`
          : `the listing went past maxPages (${stop.maxPages} pages of ${count} records); if it really is that long, raise maxPages`
    })
  return (options = {}) =>
    Stream.unwrap(
      Effect.gen(function* () {
        const query = yield* checkList(resource, known, spec.paged, options)
        const within = timeField === undefined ? undefined : yield* TimeRange.filter(options)
        const walking = spec.paged && options.page === undefined
        // fields the SDK needs besides those asked for: the identity to fingerprint pages (the id, or for
        // records without one the time), the time to filter
        const identity = known.includes("id") ? "id" : timeField
        const needed = [walking ? identity : undefined, within ? timeField : undefined]
        const asked = query.fields as ReadonlyArray<string> | undefined
        const extra =
          asked === undefined
            ? []
            : Array.from(new Set(needed)).filter((f): f is string => f !== undefined && !asked.includes(f))
        const projected = asked === undefined ? undefined : [...asked, ...extra]
        const records: Decoder<ReadonlyArray<unknown>> =
          projected === undefined ? whole : RecordDecoder.array(spec.schema.pick(...projected), RecordDecoder.parsed)
        const sent: Query = { ...query, fields: projected?.join(",") }
        const finish = (stream: Stream.Stream<unknown, ThreatStackError>) => {
          const filtered =
            within === undefined || timeField === undefined
              ? stream
              : Stream.filter(stream, (record) => {
                  const at = epochOf(record, timeField)
                  return at === undefined || within(at)
                })
          return extra.length === 0
            ? filtered
            : Stream.map(filtered, (record) => {
                for (const field of extra) delete (record as Record<string, unknown>)[field]
                return record
              })
        }
        if (!spec.paged) return finish(Pagination.single(fetch(sent, records)))
        if (options.page !== undefined) {
          return finish(Pagination.single(fetch({ ...sent, page: options.page, count: options.count }, records)))
        }
        const count = options.count ?? defaultWalkCount
        const fetchPage = (page: number) => fetch({ ...sent, page, count }, records)
        const concurrency = options.concurrency ?? 1
        const walkOptions = { maxPages: options.maxPages, endless: endless(count) }
        return finish(
          concurrency === 1
            ? Pagination.walk(fetchPage, walkOptions)
            : Pagination.walkAhead(fetchPage, concurrency, walkOptions)
        )
      })
    )
}

/**
 * Checks an id given to `get` or a sub-resource call and encodes it for the
 * path: a non-empty string, not `.` or `..` (a URL parser resolves those,
 * encoded or not, and the request would reach another endpoint), and valid
 * text (no lone surrogate).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Resource } from "@effect-threatstack/core"
 *
 * Effect.runSync(Effect.either(Resource.checkId("id", ""))) // Left(InvalidArgument)
 * Effect.runSync(Effect.either(Resource.checkId("id", ".."))) // Left(InvalidArgument)
 * ```
 *
 * @since 0.1.0
 */
export const checkId = (argument: string, id: string): Effect.Effect<string, InvalidArgument> => {
  if (typeof id !== "string" || id.trim() === "") {
    return Effect.fail(new InvalidArgument({ argument, detail: `expected a non-empty id, got ${show(id)}` }))
  }
  if (id === "." || id === "..") {
    return Effect.fail(
      new InvalidArgument({ argument, detail: `${JSON.stringify(id)} is not an id: it would change the endpoint` })
    )
  }
  try {
    return Effect.succeed(encodeURIComponent(id))
  } catch {
    return Effect.fail(new InvalidArgument({ argument, detail: "the id is not valid text (a lone surrogate)" }))
  }
}

/**
 * Builds the `get` of a resource: `Some(record)`, or `None` on 404.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Resource, ThreatStackClient } from "@effect-threatstack/core"
 *
 * const Widget = Schema.Struct({ id: Schema.String })
 * const getWidget = Effect.map(ThreatStackClient.ThreatStackClient, (client) =>
 *   Resource.get(client, { name: "Widgets", path: "widgets", schema: Widget })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const get = <F extends Schema.Struct.Fields>(
  client: Client,
  spec: { readonly name: string; readonly path: string; readonly schema: Schema.Struct<F> }
): Get<Schema.Struct.Type<F>> => {
  const decoder = RecordDecoder.record(spec.schema, RecordDecoder.parsed)
  return Pipeline.fn(
    `${spec.name}.get`,
    (id: string) =>
      Effect.flatMap(checkId("id", id), (safeId) =>
        client.get(`${spec.path}/${safeId}`, {}, decoder).pipe(
          Effect.asSome,
          Effect.catchTag("NotFound", () => Effect.succeedNone)
        )
      ),
    client.settings.tracePropagation
  )
}

/**
 * Builds `getMany` over a `get`.
 *
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import { Resource } from "@effect-threatstack/core"
 *
 * const getMany = Resource.getMany("Widgets", (id: string) => Effect.succeed(Option.some(id)))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const getMany = <A>(name: string, get: Get<A>): GetMany<A> =>
  Effect.fn(`${name}.getMany`)(function* (
    ids: Iterable<string>,
    options?: { readonly concurrency?: number | undefined }
  ) {
    if (typeof ids === "string" || !Predicate.isIterable(ids)) {
      return yield* new InvalidArgument({ argument: "ids", detail: `expected an iterable of ids, got ${show(ids)}` })
    }
    if (options !== undefined && !Predicate.isRecord(options)) {
      return yield* new InvalidArgument({
        argument: "options",
        detail: `expected an options object, got ${show(options)}`
      })
    }
    const concurrency = options?.concurrency ?? defaultGetManyConcurrency
    yield* checkWhole("concurrency", concurrency, 1, maxConcurrency)
    // every id is checked before the first request, so that a bad one sends nothing
    const all = Array.from(ids)
    for (const [i, id] of all.entries()) yield* checkId(`ids[${i}]`, id)
    return yield* Effect.forEach(all, get, { concurrency })
  })

/**
 * The operations {@link make} builds from a spec: `list` always, `get` and
 * `getMany` when the spec has `get`.
 *
 * @example
 * ```ts
 * import type { Alerts, Resource } from "@effect-threatstack/core"
 *
 * type AlertOps = Resource.Operations<typeof Alerts.spec> // { list, get, getMany }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type Operations<S> =
  S extends Spec<infer F, infer D, infer P, infer G>
    ? {
        readonly list: List<Schema.Struct.Type<F>, P extends "pages" ? PagedListOptions : ListOptions>
      } & (G extends true
        ? { readonly get: Get<Schema.Struct.Type<D>>; readonly getMany: GetMany<Schema.Struct.Type<D>> }
        : unknown)
    : never

/**
 * Builds a v1 resource's operations from its spec over the client pipeline.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Policies, Resource, ThreatStackClient } from "@effect-threatstack/core"
 *
 * const policies = Effect.map(ThreatStackClient.ThreatStackClient, (client) => Resource.make(client, Policies.spec))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = <
  F extends Schema.Struct.Fields,
  D extends Schema.Struct.Fields,
  P extends "pages" | "none",
  G extends boolean
>(
  client: Client,
  spec: Spec<F, D, P, G>
): Operations<Spec<F, D, P, G>> => {
  type Ops = Operations<Spec<F, D, P, G>>
  const listed = list(client, {
    name: spec.name,
    path: spec.path,
    schema: spec.schema,
    paged: (spec.paging === "pages") as true,
    timeField: spec.timeField ?? (spec.generation === 1 ? v1TimeFields[spec.key] : undefined)
  })
  if (!spec.get) return { list: listed } as unknown as Ops
  const one = get(client, {
    name: spec.name,
    path: spec.path,
    schema: (spec.detail ?? spec.schema) as Schema.Struct<D>
  })
  return { list: listed, get: one, getMany: getMany(spec.name, one) } as unknown as Ops
}
