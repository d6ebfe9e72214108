import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Either, ParseResult, Schema } from "effect"
import { Agents, Alerts, FakeThreatStack, Logs, Organizations, Policies } from "@effect-threatstack/core"
import * as RecordDecoder from "../src/internal/RecordDecoder.js"
import { fakeOptions } from "./utils.js"

/** DateTimes as epoch ms, so that two decodes compare by value. */
const plain = (value: unknown): unknown =>
  DateTime.isDateTime(value)
    ? DateTime.toEpochMillis(value)
    : Array.isArray(value)
      ? value.map(plain)
      : typeof value === "object" && value !== null
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
        : value

// the record schemas need no services; a generic Struct<F> just cannot show it
const schemaDecode = <A, I, R>(schema: Schema.Schema<A, I, R>) =>
  Schema.decodeUnknownEither(schema as unknown as Schema.Schema<A, I>, {
    onExcessProperty: "preserve",
    errors: "first"
  })

const page = (path: string) =>
  Effect.gen(function* () {
    const fake = yield* FakeThreatStack.make(fakeOptions({ counts: { alerts: 300, logs: 300 } }))
    const answer = yield* fake.handle({
      method: "GET",
      url: new URL(`https://x/api/v1/${path}`),
      headers: { authorization: FakeThreatStack.defaultApiKey }
    })
    return JSON.parse(answer.body) as unknown
  })

/** Both decodes of `json` with `struct`, as plain values. */
const both =
  <F extends Schema.Struct.Fields>(struct: Schema.Struct<F>) =>
  (json: unknown) => {
    const isList = Array.isArray(json)
    const fast = isList ? RecordDecoder.array(struct)(json) : RecordDecoder.record(struct)(json)
    const slow = isList ? schemaDecode(Schema.Array(struct))(json) : schemaDecode(struct)(json)
    const own = structuredClone(json)
    const inPlace = isList
      ? RecordDecoder.array(struct, { inPlace: true })(own)
      : RecordDecoder.record(struct, { inPlace: true })(own)
    return { fast: Either.map(fast, plain), slow: Either.map(slow, plain), inPlace: Either.map(inPlace, plain) }
  }

const structs = [
  ["agents?count=100", both(Agents.Agent)],
  ["alerts?count=300", both(Alerts.Alert)],
  ["alerts/a10000000000000000000005", both(Alerts.AlertDetail)],
  ["logs?count=300", both(Logs.Log)],
  ["organizations", both(Organizations.Organization)],
  ["organizations/5a0000000000000000000000/users", both(Organizations.OrganizationUser)],
  ["policies", both(Policies.Policy)]
] as const

describe("RecordDecoder gives exactly the Schema's result", () => {
  it.effect.each(structs)("%s", ([path, decodeBoth]) =>
    Effect.gen(function* () {
      const { fast, inPlace, slow } = decodeBoth(yield* page(path))
      expect(Either.isRight(fast)).toBe(true)
      expect(fast).toEqual(slow)
      expect(inPlace).toEqual(slow)
    })
  )

  it.effect("unknown fields are kept, nested ones too", () =>
    Effect.gen(function* () {
      const json = (yield* page("alerts/a10000000000000000000005")) as Record<string, unknown>
      const withExtra = { ...json, added_later: [1, 2], rule: { original_rule: { name: "n", extra: true } } }
      const fast = Either.getOrThrow(RecordDecoder.record(Alerts.AlertDetail)(withExtra))
      expect((fast as unknown as Record<string, unknown>).added_later).toEqual([1, 2])
      expect(fast.rule.original_rule).toEqual({ name: "n", extra: true })
    })
  )

  it.effect("a mismatch fails with the Schema's own error and path", () =>
    Effect.gen(function* () {
      const json = (yield* page("alerts?count=5")) as Array<Record<string, unknown>>
      const cases: ReadonlyArray<unknown> = [
        json.map((r, i) => (i === 3 ? { ...r, severity: "high" } : r)),
        json.map((r, i) => (i === 1 ? { ...r, created_at: "not a date" } : r)),
        json.map((r, i) => (i === 2 ? { ...r, count: 1.5 } : r)),
        json.map((r, i) => (i === 4 ? { ...r, agent_id: undefined } : r)),
        json.map((r, i) => (i === 0 ? (({ title: _t, ...rest }) => rest)(r) : r)),
        [...json, "not an object"],
        { not: "an array" }
      ]
      for (const input of cases) {
        const fast = RecordDecoder.array(Alerts.Alert)(input)
        const slow = schemaDecode(Schema.Array(Alerts.Alert))(input)
        expect(Either.isLeft(fast)).toBe(true)
        const message = (e: Either.Either<unknown, ParseResult.ParseError>) =>
          Either.isLeft(e) ? ParseResult.ArrayFormatter.formatErrorSync(e.left) : []
        expect(message(fast)).toEqual(message(slow))
        // in place, a mismatch anywhere leaves the whole input as it was, and the error is the same
        const own = structuredClone(input)
        const inPlace = RecordDecoder.array(Alerts.Alert, { inPlace: true })(own)
        expect(own).toEqual(input)
        expect(message(inPlace)).toEqual(message(slow))
      }
    })
  )
})
