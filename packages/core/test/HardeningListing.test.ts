/**
 * Issue 11, listings that never end and unbounded concurrency: a server
 * that answers every page past the end with the last page, or ignores
 * `page`, ends the walk (sequential and read-ahead) with `InvalidResponse`
 * naming the repeated page; `maxPages` bounds every walk; `concurrency` is
 * capped; a finished read-ahead listing sends nothing more.
 */
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Fiber, Layer, Schema, Stream, TestClock } from "effect"
import { Pagination, Resource, ThreatStack, ThreatStackClient, ThreatStackConfig } from "@effect-threatstack/core"
import type { ThreatStackError } from "@effect-threatstack/core"

const Widget = Schema.Struct({ id: Schema.String, name: Schema.String })
type Widget = typeof Widget.Type

const widgets = (n: number, name: (i: number) => string = (i) => `widget ${i}`) =>
  Array.from({ length: n }, (_, i) => ({ id: `w${i}`, name: name(i) }))

type Misbehaviour = "none" | "repeatLast" | "ignorePage"

/**
 * A v1 server over `records`, pages of `count` (`fields` projected). Past
 * the end it answers `[]`, or the last page again (`repeatLast`); with
 * `ignorePage` every page is page 0. Each request is recorded when it
 * arrives; `latency` delays the answer (TestClock).
 */
const server = (records: ReadonlyArray<Record<string, unknown>>, misbehave: Misbehaviour, latency = 0) => {
  const stats = { arrived: 0, inFlight: 0, pages: [] as Array<number>, fields: [] as Array<string | null> }
  const client = HttpClient.make((request, url) =>
    Effect.gen(function* () {
      stats.arrived++
      stats.inFlight++
      const page = Number(url.searchParams.get("page") ?? 0)
      const count = Number(url.searchParams.get("count") ?? 100)
      stats.pages.push(page)
      stats.fields.push(url.searchParams.get("fields"))
      const last = Math.max(0, Math.ceil(records.length / count) - 1)
      const n = misbehave === "ignorePage" ? 0 : misbehave === "repeatLast" ? Math.min(page, last) : page
      const fields = url.searchParams.get("fields")?.split(",")
      const body = records
        .slice(n * count, n * count + count)
        .map((r) => (fields === undefined ? r : Object.fromEntries(fields.map((f) => [f, r[f]]))))
      if (latency > 0) yield* Effect.sleep(latency)
      return HttpClientResponse.fromWeb(request, Response.json(body))
    }).pipe(Effect.ensuring(Effect.sync(() => stats.inFlight--)))
  )
  return { stats, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

const clientLayer = (http: Layer.Layer<HttpClient.HttpClient>) =>
  ThreatStackClient.layer.pipe(
    Layer.provide(ThreatStackConfig.layer({ apiKey: "test-api-key", maxRetries: 0 })),
    Layer.provide(http)
  )

/** Lists widgets through `Resource.list`, counting what was delivered before the stream ended. */
const listWidgets = (options: Resource.PagedListOptions & { readonly fields?: ReadonlyArray<"id" | "name"> }) =>
  Effect.gen(function* () {
    const client = yield* ThreatStackClient.ThreatStackClient
    const list = Resource.list(client, { name: "Widgets", path: "widgets", schema: Widget, paged: true })
    const delivered: Array<Partial<Widget>> = []
    // bounded, so that a walk without the guard fails here instead of running forever
    const outcome = yield* Effect.either(
      Stream.runForEach(Stream.take(list(options as Resource.PagedListOptions), 1_000), (w) =>
        Effect.sync(() => delivered.push(w))
      )
    )
    return { delivered, outcome }
  })

const invalidResponse = (outcome: Either.Either<void, ThreatStackError.ThreatStackError>) => {
  if (Either.isRight(outcome)) throw new Error("expected the listing to fail")
  const error = outcome.left
  if (error._tag !== "ThreatStackAPIError") throw new Error(`expected ThreatStackAPIError, got ${error._tag}`)
  expect(error.reason).toBe("InvalidResponse")
  return error
}

describe("a listing that would never end", () => {
  it.effect("a server that repeats the last page past the end: sequential walk stops at the repeat", () => {
    const http = server(widgets(250), "repeatLast")
    return Effect.gen(function* () {
      const { delivered, outcome } = yield* listWidgets({})
      const error = invalidResponse(outcome)
      expect(error.detail).toContain("the server repeated page 2 as page 3")
      expect(error.url).toContain("/widgets?page=3&count=100")
      // every record once, none of the repeated page
      expect(delivered.map((w) => w.id)).toEqual(widgets(250).map((w) => w.id))
      expect(http.stats.pages).toEqual([0, 1, 2, 3])
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("a server that ignores page: read-ahead stops at the first repeat, in order", () => {
    const http = server(widgets(250), "ignorePage")
    return Effect.gen(function* () {
      const { delivered, outcome } = yield* listWidgets({ concurrency: 8 })
      expect(invalidResponse(outcome).detail).toContain("the server repeated page 0 as page 1")
      expect(delivered.map((w) => w.id)).toEqual(widgets(100).map((w) => w.id))
      // read-ahead asks at most 8 pages ahead, and never past maxPages
      expect(http.stats.arrived).toBeLessThanOrEqual(1 + 8)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("read-ahead over a server that repeats the last page delivers every record, then fails", () => {
    const http = server(widgets(250), "repeatLast", 5)
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(listWidgets({ concurrency: 4 }))
      yield* TestClock.adjust("1 second")
      const { delivered, outcome } = yield* Fiber.join(fiber)
      expect(invalidResponse(outcome).detail).toContain("the server repeated page 2 as page 3")
      expect(delivered.length).toBe(250)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect(
    "a projection without id still recognises a repeated page (the walk asks for the id, then drops it)",
    () => {
      const http = server(widgets(250), "repeatLast")
      return Effect.gen(function* () {
        const { delivered, outcome } = yield* listWidgets({ fields: ["name"] })
        expect(invalidResponse(outcome).detail).toContain("repeated page 2 as page 3")
        expect(http.stats.fields[0]).toBe("name,id")
        expect(delivered[0]).toEqual({ name: "widget 0" })
        expect(delivered.length).toBe(250)
      }).pipe(Effect.provide(clientLayer(http.layer)))
    }
  )

  it.effect("pages that look alike are not a repeat: a projection of equal values, one record a page", () => {
    const http = server(
      widgets(5, () => "same"),
      "none"
    )
    return Effect.gen(function* () {
      const { delivered, outcome } = yield* listWidgets({ fields: ["name"], count: 1 })
      expect(Either.isRight(outcome)).toBe(true)
      expect(delivered).toEqual(Array.from({ length: 5 }, () => ({ name: "same" })))
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("records without an id are fingerprinted by their values", () => {
    const Entry = Schema.Struct({ at: Schema.Number, text: Schema.String })
    const entries = Array.from({ length: 30 }, (_, i) => ({ at: 1_000 + i, text: `entry ${i}` }))
    const http = server(entries, "repeatLast")
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const list = Resource.list(client, { name: "Entries", path: "entries", schema: Entry, paged: true })
      const error = yield* Effect.flip(Stream.runCollect(Stream.take(list({ count: 10 }), 1_000)))
      expect(error._tag === "ThreatStackAPIError" && error.detail).toContain("repeated page 2 as page 3")
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("logs (no id) projected to equal values: fingerprinted by their time, which the walk asks for", () => {
    const logs = Array.from({ length: 30 }, (_, i) => ({
      timestamp: Date.UTC(2017, 4, 1) + i * 1_000,
      user: null,
      type: "same",
      action: "a",
      description: "d",
      source: "s",
      user_id: null,
      organization_id: "o1",
      context: []
    }))
    const repeating = server(logs, "repeatLast")
    const fine = server(logs, "none")
    const typesOf = (http: ReturnType<typeof server>) =>
      Effect.flatMap(ThreatStack.ThreatStack, (client) =>
        Effect.either(Stream.runCollect(Stream.take(client.logs.list({ fields: ["type"], count: 10 }), 1_000)))
      ).pipe(
        Effect.provide(ThreatStack.layer({ apiKey: "test-api-key", maxRetries: 0 }).pipe(Layer.provide(http.layer)))
      )
    return Effect.gen(function* () {
      const repeated = yield* typesOf(repeating)
      expect(Either.isLeft(repeated) && repeated.left.message).toContain("repeated page 2 as page 3")
      expect(repeating.stats.fields[0]).toBe("type,timestamp")
      const listed = yield* typesOf(fine)
      expect(Either.map(listed, Chunk.toReadonlyArray)).toEqual(Either.right(logs.map(() => ({ type: "same" }))))
    })
  })

  it.effect("maxPages bounds a walk, sequential and read-ahead; the default is stated", () => {
    const http = server(widgets(250), "none")
    return Effect.gen(function* () {
      expect(Pagination.defaultMaxPages).toBe(1_000_000)
      for (const concurrency of [1, 4]) {
        const over = yield* listWidgets({ maxPages: 2, concurrency })
        expect(invalidResponse(over.outcome).detail).toContain("went past maxPages (2 pages of 100 records)")
        expect(over.delivered.length).toBe(200)
        const enough = yield* listWidgets({ maxPages: 3, concurrency })
        expect(Either.isRight(enough.outcome)).toBe(true)
        expect(enough.delivered.length).toBe(250)
      }
      const bad = yield* listWidgets({ maxPages: 0 })
      expect(Either.isLeft(bad.outcome) && bad.outcome.left._tag).toBe("InvalidArgument")
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("a million records in 10,000 pages: no false repeat, one fingerprint per page", () =>
    Effect.gen(function* () {
      const count = yield* Pagination.walk((page) =>
        Effect.succeed(page < 10_000 ? Array.from({ length: 100 }, (_, i) => ({ id: `r${page * 100 + i}` })) : [])
      ).pipe(Stream.runCount)
      expect(count).toBe(1_000_000)
    })
  )

  it.effect("Pagination.walk and walkTokens on their own: a repeated page, too many token pages", () =>
    Effect.gen(function* () {
      const repeated = yield* Effect.flip(
        Stream.runCollect(
          Stream.take(
            Pagination.walk(() => Effect.succeed([1, 2, 3])),
            1_000
          )
        )
      )
      expect(repeated).toBeInstanceOf(Pagination.EndlessListing)
      expect(repeated.message).toBe("the server repeated page 0 as page 1: the listing would never end")
      let n = 0
      const endlessTokens = Pagination.walkTokens(
        () => Effect.succeed({ records: [n], token: `t${++n}` }),
        () => "repeated" as const,
        { maxPages: 5, tooMany: (max) => `more than ${max} pages` as const }
      )
      expect(yield* Effect.flip(Stream.runCollect(Stream.take(endlessTokens, 1_000)))).toBe("more than 5 pages")
      expect(n).toBe(5)
    })
  )
})

describe("concurrency is capped", () => {
  it.effect("list and getMany refuse more than 64 in flight, before any request", () => {
    const http = server(widgets(10), "none")
    return Effect.gen(function* () {
      expect(Resource.maxConcurrency).toBe(64)
      const client = yield* ThreatStack.ThreatStack
      const list = yield* Effect.flip(Stream.runCollect(client.alerts.list({ concurrency: 65 })))
      expect(list._tag === "InvalidArgument" && [list.argument, list.detail]).toEqual([
        "concurrency",
        "expected a whole number up to 64, got 65"
      ])
      const many = yield* Effect.flip(client.agents.getMany(["a1", "a2"], { concurrency: 20_000 }))
      expect(many._tag === "InvalidArgument" && many.argument).toBe("concurrency")
      expect(http.stats.arrived).toBe(0)
      const fine = yield* Stream.runCollect(client.agents.list({ concurrency: 64, fields: ["id"] }))
      expect(Chunk.size(fine)).toBe(10)
    }).pipe(
      Effect.provide(ThreatStack.layer({ apiKey: "test-api-key", maxRetries: 0 }).pipe(Layer.provide(http.layer)))
    )
  })

  it.effect("after a read-ahead listing completes, no request of it is still sent or running", () => {
    const http = server(widgets(250), "none", 20)
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const list = Resource.list(client, { name: "Widgets", path: "widgets", schema: Widget, paged: true })
      let atEnd = -1
      let inFlightAtEnd = -1
      const fiber = yield* Effect.fork(
        Stream.runCount(list({ concurrency: 64, count: 10 })).pipe(
          // the moment the listing has completed, before anything else runs
          Effect.tap(() =>
            Effect.sync(() => {
              atEnd = http.stats.arrived
              inFlightAtEnd = http.stats.inFlight
            })
          )
        )
      )
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toBe(250)
      expect(inFlightAtEnd).toBe(0)
      for (let i = 0; i < 10; i++) yield* Effect.yieldNow()
      yield* TestClock.adjust("1 minute")
      expect(http.stats.arrived).toBe(atEnd)
      // 25 pages, the empty one, and at most 64 read ahead past the end
      expect(atEnd).toBeLessThanOrEqual(26 + 64)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })
})
