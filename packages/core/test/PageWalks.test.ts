/**
 * `Pagination`'s walks over an API of your own: pages numbered from 1,
 * `maxPages` counted from the first page (and read-ahead asking no page past
 * the one that shows the listing went on), records without an id told apart
 * by their dates, and a server that answers nulls stopped as a repeat.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { Pagination } from "@effect-threatstack/core"

/** An API numbered from 1 that never ends: page n holds the records `n-a` and `n-b`; `asked` records each request. */
const endless = () => {
  const asked: Array<number> = []
  const fetchPage = (page: number) =>
    Effect.sync(() => {
      asked.push(page)
      return [{ id: `${page}-a` }, { id: `${page}-b` }]
    })
  return { asked, fetchPage }
}

describe("an API whose pages are numbered from 1", () => {
  it.effect("walk starts at page 1 (given as a number, as before walks took options)", () =>
    Effect.gen(function* () {
      const data = [1, 2, 3, 4, 5]
      const out = yield* Stream.runCollect(
        Pagination.walk((page) => Effect.succeed(data.slice((page - 1) * 2, (page - 1) * 2 + 2)), 1)
      )
      expect(Chunk.toReadonlyArray(out)).toEqual(data)
    })
  )

  it.effect.each([1, 8])("maxPages counts from the first page (concurrency %i)", (concurrency) =>
    Effect.gen(function* () {
      const { asked, fetchPage } = endless()
      const options = { first: 1, maxPages: 3 }
      const stream =
        concurrency === 1 ? Pagination.walk(fetchPage, options) : Pagination.walkAhead(fetchPage, concurrency, options)
      const delivered: Array<string> = []
      const error = yield* Effect.flip(
        Stream.runForEach(stream, (record) => Effect.sync(() => delivered.push(record.id)))
      )
      expect(error).toBeInstanceOf(Pagination.EndlessListing)
      expect(error.message).toBe("the listing went past 3 pages")
      expect(delivered).toEqual(["1-a", "1-b", "2-a", "2-b", "3-a", "3-b"])
      // the page after the last allowed one is asked, to see that the listing went on; none after it
      expect([...asked].sort()).toEqual([1, 2, 3, 4])
    })
  )
})

describe("telling pages apart without an id", () => {
  it.effect("log lines with the same text at different times are not a repeated page", () =>
    Effect.gen(function* () {
      const start = Date.UTC(2026, 10, 1, 9, 30, 0)
      const count = yield* Pagination.walk((page) =>
        Effect.succeed(page < 3 ? [{ message: "login failed", at: new Date(start + page * 60_000) }] : [])
      ).pipe(Stream.runCount)
      expect(count).toBe(3)
    })
  )

  it.effect("a server that answers [null] for every page is stopped as a repeat", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Stream.runCollect(
          Stream.take(
            Pagination.walk(() => Effect.succeed([null])),
            1_000
          )
        )
      )
      expect(error.message).toBe("the server repeated page 0 as page 1: the listing would never end")
    })
  )
})
