/**
 * Page-number paging, written once: "fetch page n" becomes a `Stream` of
 * records, lazily, with `Stream.paginateEffect`.
 *
 * A walk ends at the first **empty** page, not at a short one: a server that
 * caps `count` below what was asked would otherwise end the stream early and
 * silently lose records. The price is one extra request per listing.
 *
 * @since 0.1.0
 */
import { Effect, Either, Option, Stream } from "effect"

/**
 * Walks pages `first`, `first + 1`, … until one comes back empty. Pages are
 * fetched only as the consumer pulls: `Stream.take(5)` on a big listing
 * costs one request.
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
export const walk = <A, E, R>(
  fetchPage: (page: number) => Effect.Effect<ReadonlyArray<A>, E, R>,
  first = 0
): Stream.Stream<A, E, R> =>
  Stream.paginateEffect(first, (page) =>
    Effect.map(
      fetchPage(page),
      (records) => [records, records.length === 0 ? Option.none<number>() : Option.some(page + 1)] as const
    )
  ).pipe(Stream.flattenIterables)

/**
 * The same walk with read-ahead: up to `concurrency` page requests in flight
 * while the consumer works. It yields exactly the records of {@link walk},
 * in the same order, ends at the first empty page, and interrupts what is in
 * flight when the consumer stops early. A page that fails ends the stream
 * after every record of the pages before it.
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
export const walkAhead = <A, E, R>(
  fetchPage: (page: number) => Effect.Effect<ReadonlyArray<A>, E, R>,
  concurrency: number,
  first = 0
): Stream.Stream<A, E, R> =>
  Stream.iterate(first, (page) => page + 1).pipe(
    // failures travel as values, so that earlier pages are delivered first, in order
    Stream.mapEffect((page) => Effect.either(fetchPage(page)), { concurrency }),
    Stream.mapEffect((page) => Either.match(page, { onLeft: Effect.fail, onRight: Effect.succeed })),
    Stream.takeWhile((records) => records.length > 0),
    Stream.flattenIterables
  )

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
 * Token paging (v2), with `Stream.paginateEffect`: the first page is asked
 * without a token, each next one with the token the previous page gave, and
 * the walk ends at a page without one (`null`, `""` or missing on the wire).
 * A token that comes back a second time would loop forever: the walk ends
 * with `repeated(token, page)` instead. Each page needs the previous one's
 * token, so there is no read-ahead.
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
export const walkTokens = <A, E, R, E2>(
  fetchPage: (token: string | undefined) => Effect.Effect<TokenPage<A>, E, R>,
  repeated: (token: string, page: number) => E2
): Stream.Stream<A, E | E2, R> =>
  Stream.suspend(() => {
    // per run of the stream: every token this walk has been given
    const seen = new Set<string>()
    type Cursor = { readonly token: string | undefined; readonly page: number }
    const step = (cursor: Cursor): Effect.Effect<readonly [ReadonlyArray<A>, Option.Option<Cursor>], E | E2, R> =>
      Effect.flatMap(fetchPage(cursor.token), (page) => {
        const next = page.token
        if (next === undefined) return Effect.succeed([page.records, Option.none<Cursor>()] as const)
        if (seen.has(next)) return Effect.fail(repeated(next, cursor.page + 1))
        seen.add(next)
        return Effect.succeed([page.records, Option.some<Cursor>({ token: next, page: cursor.page + 1 })] as const)
      })
    return Stream.paginateEffect<Cursor, ReadonlyArray<A>, E | E2, R>({ token: undefined, page: 0 }, step).pipe(
      Stream.flattenIterables
    )
  })
