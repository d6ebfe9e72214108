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
import { Effect, Option, Stream } from "effect"

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
    Effect.map(fetchPage(page), (records) =>
      [records, records.length === 0 ? Option.none<number>() : Option.some(page + 1)] as const
    )).pipe(Stream.flattenIterables)

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
