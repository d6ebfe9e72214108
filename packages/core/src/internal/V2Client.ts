/**
 * The v2 client's machinery: the Hawk-signed pipeline of one organization,
 * token pages, and the checks every v2 resource makes before a request.
 *
 * @internal
 */
import { type HttpClient, HttpClientRequest } from "@effect/platform"
import { DateTime, Effect, Either, type Option, Schema, Stream } from "effect"
import * as Pagination from "../Pagination.js"
import { InvalidArgument, ThreatStackAPIError } from "../ThreatStackError.js"
import type { ThreatStackError } from "../ThreatStackError.js"
import * as TimeRange from "../TimeRange.js"
import type { Implementation } from "../HawkCrypto.js"
import type { Client, Query, Settings } from "../v2/Client.js"
import * as Auth from "./Auth.js"
import type * as Hawk from "./Hawk.js"
import * as Pipeline from "./Pipeline.js"
import type { Decoder } from "./RecordDecoder.js"

const TokenField = Schema.optional(Schema.NullOr(Schema.String))

/** The next page's token of an envelope (other keys ignored). */
const decodeToken = Schema.decodeUnknownEither(Schema.Struct({ token: TokenField }))

/** A decoder of one token page: the collection's records and the next token. */
const pageDecoder =
  <A>(collection: string, records: Decoder<ReadonlyArray<A>>): Decoder<Pagination.TokenPage<A>> =>
  (json) => {
    const envelope =
      // Stryker disable next-line ConditionalExpression: a text or number body fails either way, as itself or as its missing collection
      typeof json === "object" && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined
    const decodedRecords = records(envelope === undefined ? json : envelope[collection])
    if (Either.isLeft(decodedRecords)) return Either.left(decodedRecords.left)
    const given = envelope?.token
    // a string, null or none: read as is; anything else, the Schema names the problem
    const token =
      // Stryker disable next-line ConditionalExpression,LogicalOperator: a shortcut past the Schema, which reads these three the same way
      given === undefined || given === null || typeof given === "string"
        ? Either.right({ token: given })
        : decodeToken(envelope)
    if (Either.isLeft(token)) return Either.left(token.left)
    const next = token.right.token
    return Either.right({ records: decodedRecords.right, token: next === null || next === "" ? undefined : next })
  }

/**
 * Builds the client of one organization over an `HttpClient` (each
 * organization has its own rate gate: the API's limit is per organization).
 */
export const makeClient = (
  http: HttpClient.HttpClient,
  settings: Settings,
  orgId: string,
  crypto: Implementation
): Client => {
  const source: Auth.HawkSource = { nonce: settings.nonce, skewMs: 0, crypto }
  const credentials: Hawk.Credentials = { id: settings.userId, key: settings.apiKey }
  const pipeline = Pipeline.unsafeMake({
    http,
    settings,
    auth: Auth.hawk(credentials, orgId, source),
    headers: { accept: "application/json", "user-agent": `effect-threatstack/${Pipeline.version}` },
    name: "ThreatStackV2",
    resync: (wwwAuthenticate) => Auth.resync(wwwAuthenticate, settings.apiKey, source)
  })
  const execute: Client["execute"] = (request, decode, options) =>
    pipeline.execute(request, Pipeline.toDecoder(decode), options)
  const list: Client["list"] = (name, path, query, collection, records, options) => {
    const decoder = pageDecoder(collection, records)
    const url = (token: string | undefined) =>
      // Stryker disable next-line ConditionalExpression: queryParams leaves out a token that is undefined either way
      HttpClientRequest.get(path, { urlParams: queryParams(token === undefined ? query : { ...query, token }) })
    const fetch = Pipeline.fn(
      `${name}.list`,
      (token: string | undefined) => pipeline.execute(url(token), decoder),
      settings.tracePropagation
    )
    const fetchPage = options?.emptyOn404
      ? (token: string | undefined) =>
          Effect.catchTag(fetch(token), "NotFound", () => Effect.succeed({ records: [], token: undefined }))
      : fetch
    const listUrl = `${settings.baseUrl}/${path}`
    const stream = Pagination.walkTokens(
      fetchPage,
      (token, page) =>
        new ThreatStackAPIError({
          reason: "InvalidResponse",
          method: "GET",
          url: listUrl,
          attempts: 1,
          detail: `the server gave the token of an earlier page again (page ${page}, token of ${token.length} characters): the listing would never end`
        }),
      {
        maxPages: options?.maxPages,
        tooMany: (maxPages) =>
          new ThreatStackAPIError({
            reason: "InvalidResponse",
            method: "GET",
            url: listUrl,
            attempts: 1,
            detail: `the listing went past maxPages (${maxPages} pages), each with a new token`
          })
      }
    )
    const keep = options?.keep
    return keep === undefined ? stream : Stream.filter(stream, keep)
  }
  return { settings, orgId, execute, list }
}

/** Query values as text; `undefined` left out. */
export const queryParams = (query: Query): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(query)) if (value !== undefined) out[key] = String(value)
  return out
}

/**
 * `from`/`until` as v2 query parameters (see `TimeRange.toV2Query`), or the
 * `InvalidArgument` that names the bad one.
 */
export const timeQuery = (range: {
  readonly from?: TimeRange.TimeInput | undefined
  readonly until?: TimeRange.TimeInput | undefined
}): Effect.Effect<{ from?: string; until?: string }, InvalidArgument> => TimeRange.toV2Query(range)

/**
 * The records a v2 range keeps after the server's whole-second answer
 * (see `TimeRange.filterV2`), by the record's time field; `undefined` when
 * the range falls on whole seconds. A record without a time is kept.
 */
export const keepWithin = <A>(
  range: { readonly from?: TimeRange.TimeInput | undefined; readonly until?: TimeRange.TimeInput | undefined },
  timeOf: (record: A) => unknown
): Effect.Effect<((record: A) => boolean) | undefined, InvalidArgument> =>
  Effect.map(TimeRange.filterV2(range), (within) =>
    within === undefined
      ? undefined
      : (record: A) => {
          const at = timeOf(record)
          return !DateTime.isDateTime(at) || within(DateTime.toEpochMillis(at))
        }
  )

/** Ids that go into a path are checked as v1's are: non-empty, not `.` or `..`, encodable. */
export { checkId } from "../Resource.js"

/**
 * A `get`: `Some` of the record, `None` exactly on 404.
 */
export const orNone = <A>(
  effect: Effect.Effect<A, ThreatStackError>
): Effect.Effect<Option.Option<A>, ThreatStackError> =>
  effect.pipe(
    Effect.asSome,
    Effect.catchTag("NotFound", () => Effect.succeedNone)
  )

/** Checks a value is one of `allowed`, naming the argument when it is not. */
export const oneOf = (argument: string, value: unknown, allowed: ReadonlyArray<unknown>, required = false) =>
  (value === undefined && !required) || allowed.includes(value)
    ? Effect.void
    : Effect.fail(
        new InvalidArgument({
          argument,
          detail: `expected one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${JSON.stringify(value)}`
        })
      )

/**
 * `DELETE` that counts a 404 after a first attempt as done: the first may
 * have deleted it.
 *
 * @internal
 */
export const deleteOnce = <E extends ThreatStackError>(effect: Effect.Effect<unknown, E>): Effect.Effect<void, E> =>
  Effect.catchIf(
    Effect.asVoid(effect),
    (error): error is E => error._tag === "NotFound" && error.attempts > 1,
    () => Effect.void
  ) as Effect.Effect<void, E>

/** A client whose every call fails with `error` (an invalid `withOrganization` id). */
export const failingClient = (settings: Settings, orgId: string, error: InvalidArgument): Client => ({
  settings,
  orgId,
  execute: () => Effect.fail(error),
  list: () => Stream.fail(error)
})
