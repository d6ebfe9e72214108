/**
 * Page-number paging, written once: "fetch page n" becomes a `Stream` of
 * records, lazily, with `Stream.paginateEffect`.
 *
 * A walk ends at the first **empty** page, not at a short one: a server that
 * caps `count` below what was asked would otherwise end the stream early and
 * silently lose records. The price is one extra request per listing.
 *
 * A walk also refuses to run forever. A server that answers every page past
 * the end with the last page again, or ignores `page`, would make it emit
 * without end: each page's records are reduced to a fingerprint (a 53-bit
 * hash of their identities, one number per page, so memory stays flat over
 * millions of records), and a page whose fingerprint was seen before ends the
 * stream with an error saying which page the server repeated. And no walk
 * goes past `maxPages` pages of records (default {@link defaultMaxPages}).
 *
 * @since 0.1.0
 */
import { Chunk, Data, Effect, Either, Option, Stream } from "effect"

/**
 * The most pages of records a walk reads unless told otherwise: 1,000,000
 * (100,000,000 records at the default 100 a page).
 *
 * @example
 * ```ts
 * import { Pagination } from "@effect-threatstack/core"
 *
 * Pagination.defaultMaxPages // 1_000_000
 * ```
 *
 * @since 0.2.0
 */
export const defaultMaxPages = 1_000_000

/**
 * Why a walk was stopped: the server gave an earlier page again
 * (`Repeated`: `page` has the records of `earlier`), or the listing went past
 * `maxPages` pages (`TooManyPages`).
 *
 * @example
 * ```ts
 * import type { Pagination } from "@effect-threatstack/core"
 *
 * const describe = (endless: Pagination.Endless) =>
 *   endless._tag === "Repeated"
 *     ? `the server repeated page ${endless.earlier} as page ${endless.page}`
 *     : `more than ${endless.maxPages} pages`
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type Endless =
  | { readonly _tag: "Repeated"; readonly page: number; readonly earlier: number }
  | { readonly _tag: "TooManyPages"; readonly maxPages: number }

/**
 * The error a walk ends with when no `endless` is given.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Pagination } from "@effect-threatstack/core"
 *
 * // a "server" that ignores the page number
 * const stream = Pagination.walk(() => Effect.succeed([1, 2, 3]))
 * // fails with EndlessListing({ endless: { _tag: "Repeated", page: 1, earlier: 0 } }) after 1, 2, 3
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export class EndlessListing extends Data.TaggedError("EndlessListing")<{ readonly endless: Endless }> {
  override get message(): string {
    return this.endless._tag === "Repeated"
      ? `the server repeated page ${this.endless.earlier} as page ${this.endless.page}: the listing would never end`
      : `the listing went past ${this.endless.maxPages} pages`
  }
}

/**
 * Options of {@link walk} and {@link walkAhead} (a plain number is taken as
 * `first`, as the walks took it before).
 *
 * @example
 * ```ts
 * import type { Pagination } from "@effect-threatstack/core"
 *
 * const options: Pagination.WalkOptions<{ readonly id: string }, Error> = {
 *   maxPages: 500,
 *   endless: (e) => new Error(e._tag)
 * }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface WalkOptions<A, E2> {
  /** The first page number. Default 0. */
  readonly first?: number | undefined
  /**
   * The most pages of records the walk reads; one page more is asked to see
   * that the listing ended, and if it has records the walk fails
   * (`TooManyPages`). Default {@link defaultMaxPages}.
   */
  readonly maxPages?: number | undefined
  /**
   * A record's identity, for the page fingerprints. Default: its `id` when
   * it has a string one, else its top-level values (see {@link identity}).
   */
  readonly identity?: ((record: A) => string) | undefined
  /** The error the walk ends with when it is stopped. Default {@link EndlessListing}. */
  readonly endless?: ((endless: Endless) => E2) | undefined
}

/**
 * The default identity of a record: its `id` when it is a string, else its
 * top-level strings, numbers, booleans and instants (a `DateTime` or `Date`
 * as epoch ms) joined; a primitive record is its own identity.
 *
 * @example
 * ```ts
 * import { Pagination } from "@effect-threatstack/core"
 *
 * Pagination.identity({ id: "a1", title: "x" }) // "a1"
 * ```
 *
 * @since 0.2.0
 */
export const identity = (record: unknown): string => {
  if (typeof record !== "object" || record === null) return String(record)
  const fields = record as Record<string, unknown>
  if (typeof fields.id === "string") return fields.id
  // Stryker disable next-line StringLiteral: a constant start of every key: two keys stay equal exactly when they were
  let key = ""
  for (const name in fields) {
    const value = fields[name]
    if (value === null || typeof value !== "object") key += `\u0000${String(value)}`
    else if (value instanceof Date) key += `\u0000${value.getTime()}`
    else if ("epochMillis" in value && typeof value.epochMillis === "number") key += `\u0000${value.epochMillis}`
  }
  return key
}

/**
 * A page's fingerprint: two 32-bit FNV-1a hashes (different offsets) of its
 * records' identities, folded into one 53-bit number with the page's length.
 */
const fingerprint = <A>(records: ReadonlyArray<A>, identify: (record: A) => string): number => {
  let a = 0x811c9dc5
  let b = 0x01000193 ^ records.length
  for (const record of records) {
    const text = identify(record)
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      a = Math.imul(a ^ c, 0x01000193)
      b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 13)
    }
    // a separator, so that ["ab", "c"] and ["a", "bc"] differ
    a = Math.imul(a ^ 0x1f, 0x01000193)
    b = Math.imul(b ^ 0x1f, 0x01000193) ^ (b >>> 13)
  }
  // Stryker disable next-line ArithmeticOperator: the print only has to tell pages apart: a * 2^21 - b and a / 2^21 + b still combine both hashes
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff)
}

/**
 * The guard of one run of a walk: checks each page in order, remembering one
 * fingerprint per page. `undefined` when the page may be emitted.
 */
const guard = <A, E2>(given: WalkOptions<A, E2> | number | undefined) => {
  // a number is the first page, as the walks took it before they took options
  const options: WalkOptions<A, E2> | undefined = typeof given === "number" ? { first: given } : given
  const first = options?.first ?? 0
  const maxPages = options?.maxPages ?? defaultMaxPages
  const identify = options?.identity ?? identity
  const fail = (endless: Endless): E2 | EndlessListing =>
    options?.endless === undefined ? new EndlessListing({ endless }) : options.endless(endless)
  const seen = new Map<number, number>()
  return {
    first,
    /** The last page number the walk may ask for (the one past `maxPages`, to see that the listing ended). */
    last: first + maxPages,
    check: (page: number, records: ReadonlyArray<A>): E2 | EndlessListing | undefined => {
      if (records.length === 0) return undefined
      if (page - first >= maxPages) return fail({ _tag: "TooManyPages", maxPages })
      const print = fingerprint(records, identify)
      const earlier = seen.get(print)
      if (earlier !== undefined) return fail({ _tag: "Repeated", page, earlier })
      seen.set(print, page)
      return undefined
    }
  }
}

/**
 * Walks pages `first`, `first + 1`, … until one comes back empty. Pages are
 * fetched only as the consumer pulls: `Stream.take(5)` on a big listing
 * costs one request. A page the server already gave, or a page past
 * `maxPages`, ends the stream with an error (`endless`, by default
 * {@link EndlessListing}) before its records are emitted.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Pagination } from "@effect-threatstack/core"
 *
 * const data = [1, 2, 3, 4, 5]
 * const stream = Pagination.walk((page) => Effect.succeed(data.slice(page * 2, page * 2 + 2)))
 * // emits 1, 2, 3, 4, 5 with four requests (the fourth page is empty)
 * ```
 *
 * @since 0.1.0
 */
export const walk = <A, E, R, E2 = EndlessListing>(
  fetchPage: (page: number) => Effect.Effect<ReadonlyArray<A>, E, R>,
  options?: WalkOptions<A, E2> | number
): Stream.Stream<A, E | E2, R> =>
  Stream.suspend(() => {
    const pages = guard(options)
    // a page is one chunk of the stream (as Stream.flattenIterables would make it, without a step per page)
    return Stream.paginateChunkEffect(pages.first, (page) =>
      Effect.flatMap(fetchPage(page), (records) => {
        const stop = pages.check(page, records)
        return stop === undefined
          ? Effect.succeed([
              Chunk.fromIterable(records),
              records.length === 0 ? Option.none<number>() : Option.some(page + 1)
            ] as const)
          : Effect.fail(stop as E2)
      })
    )
  })

/**
 * The same walk with read-ahead: up to `concurrency` page requests in flight
 * while the consumer works. It yields exactly the records of {@link walk},
 * in the same order, ends at the first empty page (or with {@link walk}'s
 * errors for a repeated page or too many pages), and interrupts what is in
 * flight when the consumer stops early or the listing ends: once the stream
 * has ended, no request of it is still sent. A page that fails ends the
 * stream after every record of the pages before it.
 *
 * The price: up to `concurrency` requests past the end of the listing,
 * and `Stream.take(5)` may cost `concurrency` requests instead of one.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Pagination } from "@effect-threatstack/core"
 *
 * const data = Array.from({ length: 1000 }, (_, i) => i)
 * const stream = Pagination.walkAhead(
 *   (page) => Effect.succeed(data.slice(page * 100, page * 100 + 100)),
 *   8
 * )
 * ```
 *
 * @since 0.1.0
 */
export const walkAhead = <A, E, R, E2 = EndlessListing>(
  fetchPage: (page: number) => Effect.Effect<ReadonlyArray<A>, E, R>,
  concurrency: number,
  options?: WalkOptions<A, E2> | number
): Stream.Stream<A, E | E2, R> =>
  Stream.suspend(() => {
    const pages = guard(options)
    return Stream.iterate(pages.first, (page) => page + 1).pipe(
      Stream.take(pages.last - pages.first + 1),
      // failures travel as values, so that earlier pages are delivered first, in order
      Stream.mapEffect((page) => Effect.either(Effect.map(fetchPage(page), (records) => ({ page, records }))), {
        concurrency
      }),
      Stream.mapEffect((result) =>
        Either.match(result, {
          onLeft: (error) => Effect.fail<E | E2>(error),
          onRight: ({ page, records }) => {
            const stop = pages.check(page, records)
            return stop === undefined ? Effect.succeed(records) : Effect.fail<E | E2>(stop as E2)
          }
        })
      ),
      Stream.takeWhile((records) => records.length > 0),
      Stream.flattenIterables
    )
  })

/**
 * Exactly one page, as the Python client does when given an explicit `page`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Pagination } from "@effect-threatstack/core"
 *
 * const stream = Pagination.single(Effect.succeed([1, 2, 3]))
 * ```
 *
 * @since 0.1.0
 */
export const single = <A, E, R>(fetch: Effect.Effect<ReadonlyArray<A>, E, R>): Stream.Stream<A, E, R> =>
  Stream.fromIterableEffect(fetch)

/**
 * One page of a v2 listing: its records and the token of the next page
 * (`undefined` when there is none).
 *
 * @example
 * ```ts
 * import type { Pagination } from "@effect-threatstack/core"
 *
 * const last: Pagination.TokenPage<string> = { records: ["a", "b"], token: undefined }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface TokenPage<A> {
  readonly records: ReadonlyArray<A>
  readonly token: string | undefined
}

/**
 * Token paging (v2), with `Stream.paginateChunkEffect` (a page a chunk): the first page is asked
 * without a token, each next one with the token the previous page gave, and
 * the walk ends at a page without one (`null`, `""` or missing on the wire).
 * A token that comes back a second time would loop forever: the walk ends
 * with `repeated(token, page)` instead. No more than `maxPages` pages
 * (default {@link defaultMaxPages}) are asked: a server that keeps giving new
 * tokens past it ends the walk with `tooMany(maxPages)`. Each page needs the
 * previous one's token, so there is no read-ahead.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Pagination } from "@effect-threatstack/core"
 *
 * const pages: Record<string, Pagination.TokenPage<number>> = {
 *   "": { records: [1, 2], token: "t1" },
 *   t1: { records: [3], token: undefined }
 * }
 * const stream = Pagination.walkTokens(
 *   (token) => Effect.succeed(pages[token ?? ""] ?? { records: [], token: undefined }),
 *   (token) => new Error(`token ${token} repeated`)
 * ) // emits 1, 2, 3 with two requests
 * ```
 *
 * @since 0.2.0
 */
export const walkTokens = <A, E, R, E2, E3 = EndlessListing>(
  fetchPage: (token: string | undefined) => Effect.Effect<TokenPage<A>, E, R>,
  repeated: (token: string, page: number) => E2,
  options?: {
    readonly maxPages?: number | undefined
    readonly tooMany?: ((maxPages: number) => E3) | undefined
  }
): Stream.Stream<A, E | E2 | E3, R> =>
  Stream.suspend(() => {
    const maxPages = options?.maxPages ?? defaultMaxPages
    const tooMany = (): E3 | EndlessListing =>
      options?.tooMany === undefined
        ? new EndlessListing({ endless: { _tag: "TooManyPages", maxPages } })
        : options.tooMany(maxPages)
    // per run of the stream: every token this walk has been given
    const seen = new Set<string>()
    type Cursor = { readonly token: string | undefined; readonly page: number }
    const step = (cursor: Cursor): Effect.Effect<readonly [Chunk.Chunk<A>, Option.Option<Cursor>], E | E2 | E3, R> =>
      Effect.flatMap(
        fetchPage(cursor.token),
        (page): Effect.Effect<readonly [Chunk.Chunk<A>, Option.Option<Cursor>], E2 | E3> => {
          const next = page.token
          // a page is one chunk of the stream, as with page numbers
          const records = Chunk.fromIterable(page.records)
          if (next === undefined) return Effect.succeed([records, Option.none<Cursor>()] as const)
          if (seen.has(next)) return Effect.fail(repeated(next, cursor.page + 1))
          if (cursor.page + 1 >= maxPages) return Effect.fail(tooMany() as E3)
          seen.add(next)
          return Effect.succeed([records, Option.some<Cursor>({ token: next, page: cursor.page + 1 })] as const)
        }
      )
    return Stream.paginateChunkEffect<Cursor, A, E | E2 | E3, R>({ token: undefined, page: 0 }, step)
  })
