/**
 * What a user reads when a listing or a lookup is refused, before any
 * request (a bad id, ids or options from untyped code), or stopped (a
 * listing longer than `maxPages`): the argument, what is wrong with the
 * value as given, and for a stopped listing the page it stopped at.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { ThreatStack } from "@effect-threatstack/core"
import type { Resource, ThreatStackError } from "@effect-threatstack/core"
import { requests, testLayer } from "./utils.js"

/** The argument and message of the error, which must be an `InvalidArgument`. */
const refusal = (error: ThreatStackError.ThreatStackError) =>
  error._tag === "InvalidArgument" ? { argument: error.argument, message: error.message } : { unexpected: error._tag }

describe("an id that is not one is refused before any request", () => {
  it.effect("empty, a dot segment, or a lone surrogate", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      expect(refusal(yield* Effect.flip(client.agents.get("  ")))).toEqual({
        argument: "id",
        message: 'invalid id: expected a non-empty id, got "  "'
      })
      expect(refusal(yield* Effect.flip(client.agents.get("..")))).toEqual({
        argument: "id",
        message: 'invalid id: ".." is not an id: it would change the endpoint'
      })
      expect(refusal(yield* Effect.flip(client.alerts.get("a\uD800")))).toEqual({
        argument: "id",
        message: "invalid id: the id is not valid text (a lone surrogate)"
      })
      expect(yield* requests).toEqual([])
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("getMany from untyped code: one id instead of a list, options that are not an object", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      expect(refusal(yield* Effect.flip(client.agents.getMany("a1" as unknown as Array<string>)))).toEqual({
        argument: "ids",
        message: 'invalid ids: expected an iterable of ids, got "a1"'
      })
      expect(
        refusal(yield* Effect.flip(client.agents.getMany(["a1"], 8 as unknown as { concurrency: number })))
      ).toEqual({ argument: "options", message: "invalid options: expected an options object, got 8" })
      expect(yield* requests).toEqual([])
    }).pipe(Effect.provide(testLayer()))
  )
})

describe("listing options from untyped code", () => {
  it.effect("options that are not an object, fields that are not an array", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const list = (options: unknown) =>
        Effect.flip(Stream.runCollect(client.alerts.list(options as Resource.PagedListOptions)))
      expect(refusal(yield* list(null))).toEqual({
        argument: "options",
        message: "invalid options: expected an options object, got null"
      })
      expect(refusal(yield* list({ fields: "title" }))).toEqual({
        argument: "fields",
        message: 'invalid fields: expected an array of field names, got "title"'
      })
      expect(refusal(yield* list({ fields: [] }))).toEqual({
        argument: "fields",
        message: "invalid fields: expected at least one field name; leave fields out to get every field"
      })
      const unknown = refusal(yield* list({ fields: ["title", "colour"] }))
      expect(unknown.argument).toBe("fields")
      expect(unknown.message).toMatch(/^invalid fields: unknown field colour for alerts; known: [a-z_, ]*\btitle\b/)
      expect(yield* requests).toEqual([])
    }).pipe(Effect.provide(testLayer()))
  )

  it.effect("a count or maxPages that is no whole number shows the value as it is", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      // e.g. Number("ten") from a form
      expect(refusal(yield* Effect.flip(Stream.runCollect(client.alerts.list({ count: Number.NaN }))))).toEqual({
        argument: "count",
        message: "invalid count: expected a whole number ≥ 1, got NaN"
      })
      expect(refusal(yield* Effect.flip(Stream.runCollect(client.alerts.list({ maxPages: 0 }))))).toEqual({
        argument: "maxPages",
        message: "invalid maxPages: expected a whole number ≥ 1, got 0"
      })
      expect(yield* requests).toEqual([])
    }).pipe(Effect.provide(testLayer()))
  )
})

describe("a listing longer than maxPages", () => {
  it.effect("names the page it stopped at and how to go further", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const error = yield* Effect.flip(Stream.runCollect(client.alerts.list({ count: 1, maxPages: 2 })))
      expect(error._tag === "ThreatStackAPIError" && [error.reason, error.method, error.url, error.detail]).toEqual([
        "InvalidResponse",
        "GET",
        "https://app.threatstack.com/api/v1/alerts?page=2&count=1",
        "the listing went past maxPages (2 pages of 1 records); if it really is that long, raise maxPages"
      ])
    }).pipe(Effect.provide(testLayer()))
  )
})
