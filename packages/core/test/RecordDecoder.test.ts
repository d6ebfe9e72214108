import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Either, Equal, FastCheck, ParseResult, Schema } from "effect"
import { Agents, Alerts, FakeThreatStack, Logs, Organizations, Policies, V2 } from "@effect-threatstack/core"
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

/** A v2 alert as the API sends it, every optional field given. */
const v2Alert = (i: number): Record<string, unknown> => ({
  id: `v2-${i}`,
  title: `alert ${i}`,
  dataSource: i % 2 === 0 ? "agent" : null,
  createdAt: i % 3 === 0 ? "2017-05-01T08:00:00.000Z" : 1493625600000 + i,
  severity: 1 + (i % 3),
  isDismissed: i % 2 === 1,
  dismissedAt: i % 2 === 1 ? 1493625700000 + i : null,
  dismissReason: null,
  dismissReasonText: null,
  dismissedReasonText: null,
  dismissedBy: null,
  agentId: "agent-1",
  ruleId: null,
  rulesetId: null,
  aggregates: [{ name: "x", count: i }],
  addedLater: { nested: true }
})

/** The record without some of its optional fields (none of them means the same as null). */
/** A decode's outcome as a test compares it: the Schema's formatted issues, or the value as plain data. */
const outcome = (e: Either.Either<unknown, ParseResult.ParseError>) =>
  Either.isLeft(e) ? ParseResult.ArrayFormatter.formatErrorSync(e.left) : plain(e.right)

const without = (record: Record<string, unknown>, keys: ReadonlyArray<string>) =>
  Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key)))

describe("RecordDecoder with optional fields (v2 records)", () => {
  it("a page with fields given, left out, null and unknown decodes exactly as the Schema does", () => {
    const records = Array.from({ length: 12 }, (_, i) =>
      i % 4 === 0
        ? without(v2Alert(i), ["dataSource", "isDismissed", "dismissedAt", "aggregates"])
        : i % 4 === 1
          ? without(v2Alert(i), ["dismissReason", "dismissReasonText", "dismissedReasonText", "dismissedBy"])
          : v2Alert(i)
    )
    const { fast, inPlace, slow } = both(V2.Alerts.Alert)(records)
    expect(Either.isRight(fast)).toBe(true)
    // strict: a field left out stays left out, it does not become undefined
    expect(fast).toStrictEqual(slow)
    expect(inPlace).toStrictEqual(slow)
  })

  it("an optional field given as undefined, or of the wrong type, is the Schema's to judge", () => {
    const cases: ReadonlyArray<unknown> = [
      [{ ...v2Alert(1), dataSource: undefined }],
      [{ ...v2Alert(2), isDismissed: "yes" }],
      [{ ...v2Alert(3), dismissedAt: "not a date" }],
      [{ ...v2Alert(4), aggregates: [1] }],
      [without(v2Alert(5), ["createdAt"])]
    ]
    for (const input of cases) {
      const { fast, inPlace, slow } = both(V2.Alerts.Alert)(input)
      const message = (e: Either.Either<unknown, ParseResult.ParseError>) =>
        Either.isLeft(e) ? ParseResult.ArrayFormatter.formatErrorSync(e.left) : e.right
      expect(message(fast)).toStrictEqual(message(slow))
      expect(message(inPlace)).toStrictEqual(message(slow))
    }
  })
})

describe("RecordDecoder takes its fast path for the API's records", () => {
  // decoding in place is the fast path's alone: the page (or record) that comes back is the one given, each
  // record in it too, where the Schema would build new ones. A fast check that refused a valid value would fall
  // back to the Schema: the same records, at many times the cost.
  const v1 = [
    ["agents?count=100", Agents.Agent],
    ["alerts?count=300", Alerts.Alert],
    ["logs?count=300", Logs.Log],
    ["organizations", Organizations.Organization],
    ["organizations/5a0000000000000000000000/users", Organizations.OrganizationUser],
    ["policies", Policies.Policy]
  ] as const
  it.effect.each(v1)("%s", ([path, struct]) =>
    Effect.gen(function* () {
      const json = (yield* page(path)) as Array<unknown>
      const records = [...json]
      const decoded = Either.getOrThrow(
        RecordDecoder.array(struct as unknown as Schema.Struct<Schema.Struct.Fields>, { inPlace: true })(json)
      )
      expect(decoded).toBe(json)
      expect(decoded.every((record, i) => record === records[i])).toBe(true)
    })
  )

  it.effect("an alert with its details", () =>
    Effect.gen(function* () {
      const json = yield* page("alerts/a10000000000000000000005")
      expect(Either.getOrThrow(RecordDecoder.record(Alerts.AlertDetail, { inPlace: true })(json))).toBe(json)
    })
  )

  it("v2 alerts with optional fields given, left out and null", () => {
    const json = Array.from({ length: 12 }, (_, i) =>
      i % 3 === 0 ? without(v2Alert(i), ["dataSource", "isDismissed", "dismissedAt", "aggregates"]) : v2Alert(i)
    )
    const decoded = Either.getOrThrow(RecordDecoder.array(V2.Alerts.Alert, { inPlace: true })(json))
    expect(decoded).toBe(json)
  })

  it("timestamps in every form the API writes: ISO with milliseconds, epoch milliseconds, null where allowed", () => {
    const Timed = Schema.Struct({ at: Alerts.Alert.fields.created_at, until: Alerts.Alert.fields.expires_at })
    for (const record of [
      { at: "2017-05-01T08:00:00.000Z", until: null },
      { at: 1493625600000, until: "2016-02-29T23:59:59.999Z" },
      { at: "0000-01-01T00:00:00.000Z", until: "9999-12-31T23:59:59.999Z" }
    ]) {
      expect(Either.getOrThrow(RecordDecoder.record(Timed, { inPlace: true })(record))).toBe(record)
    }
  })
})

describe("RecordDecoder timestamps", () => {
  it("are the Schema's DateTime values: same prototype, same own properties, same instant", () => {
    const times: ReadonlyArray<unknown> = [
      1493625600000,
      1493625600000.75,
      -1.5,
      -0,
      0,
      8.64e15,
      "2017-05-01T08:00:00.000Z",
      "2017-05-01T08:00:00.123456Z",
      "2017-05-01T10:00:00+02:00"
    ]
    const Timed = Schema.Struct({ at: Alerts.Alert.fields.created_at })
    for (const at of times) {
      const fast = Either.getOrThrow(RecordDecoder.record(Timed)({ at })).at
      const slow = Either.getOrThrow(schemaDecode(Timed)({ at })).at
      expect(Object.getPrototypeOf(fast)).toBe(Object.getPrototypeOf(slow))
      expect(Object.getOwnPropertyDescriptors(fast)).toStrictEqual(Object.getOwnPropertyDescriptors(slow))
      expect(Object.is(DateTime.toEpochMillis(fast), DateTime.toEpochMillis(slow))).toBe(true)
      expect(Equal.equals(fast, slow)).toBe(true)
      expect(DateTime.formatIso(fast)).toBe(DateTime.formatIso(slow))
    }
  })
})

describe("RecordDecoder's reading of the API's ISO form (YYYY-MM-DDTHH:MM:SS.sssZ)", () => {
  const Timed = Schema.Struct({ at: Alerts.Alert.fields.last_updated_at })
  /** The instant each decode gives for `at`, or the path of its error. */
  const read = (at: string) => {
    const instant = (decoded: Either.Either<{ readonly at: DateTime.Utc | null }, ParseResult.ParseError>) =>
      Either.match(decoded, {
        onLeft: (error) => `refused: ${error.message.split("\n")[0]}`,
        onRight: (r) => (r.at === null ? null : DateTime.toEpochMillis(r.at))
      })
    return { fast: instant(RecordDecoder.record(Timed)({ at })), schema: instant(schemaDecode(Timed)({ at })) }
  }

  it("any instant from year 0 to 9999 reads as the Schema reads it", () => {
    FastCheck.assert(
      FastCheck.property(FastCheck.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (ms) => {
        const text = new Date(ms).toISOString()
        const { fast, schema } = read(text)
        expect(fast).toBe(ms)
        expect(schema).toBe(ms)
        // read by hand, not handed on to Date.parse: the API writes every timestamp this way
        expect(RecordDecoder.canonicalIso(text)).toBe(ms)
      }),
      { numRuns: 2000 }
    )
  })

  it("dates that do not exist, parts out of range and stray characters are judged as the Schema judges them", () => {
    const texts = [
      "2017-02-29T00:00:00.000Z", // not a leap year
      "2016-02-29T23:59:59.999Z", // a leap year
      "1900-02-29T00:00:00.000Z", // a century, not a leap year
      "2000-02-29T00:00:00.000Z", // every 400 years, a leap year
      "2017-04-31T00:00:00.000Z",
      "2017-13-01T00:00:00.000Z",
      "2017-00-10T00:00:00.000Z",
      "2017-05-00T00:00:00.000Z",
      "2017-05-01T24:00:00.000Z",
      "2017-05-01T23:60:00.000Z",
      "2017-05-01T23:59:60.000Z",
      "2017-05-01T08:00:00,000Z",
      "2017-05-01 08:00:00.000Z",
      "2017-05-01T08:0a:00.000Z",
      "2017-05-01T08:00:00.00aZ",
      "2O17-05-01T08:00:00.000Z",
      "+2017-05-01T08:00:00.00Z",
      // every separator of the form replaced, one at a time, and digits replaced by characters just outside 0-9
      "2017x05-01T08:00:00.000Z",
      "2017-05x01T08:00:00.000Z",
      "2017-05-01T08x00:00.000Z",
      "2017-05-01T08:00x00.000Z",
      "2017-05-01T08:00:00x000Z",
      "2017-05-01T08:00:00.000",
      "2017-05-01T08:00:00.0000Z",
      "/017-05-01T08:00:00.000Z",
      "2:17-05-01T08:00:00.000Z",
      "2017-05-01T08:00:00.00/Z",
      "2017-05-01T08:00:00.00:Z",
      // a digit read as -1 or 10 must not slip through a range check that has no lower (or a loose upper) bound
      "2017-05-01T/8:00:00.000Z",
      "2017-05-01T0/:00:00.000Z",
      "2017-05-01T08:/0:00.000Z",
      ":017-05-01T08:00:00.000Z",
      "2017-05-01T08:00:00.01/Z"
    ]
    for (const text of texts) {
      const { fast, schema } = read(text)
      expect({ text, fast }).toEqual({ text, fast: schema })
    }
    // the two real dates are read by hand; every other text is declined, for Date.parse to judge
    expect(texts.map((text) => RecordDecoder.canonicalIso(text))).toEqual(
      texts.map((text) =>
        text === "2016-02-29T23:59:59.999Z" || text === "2000-02-29T00:00:00.000Z" ? Date.parse(text) : undefined
      )
    )
  })
})

describe("RecordDecoder, field shape by field shape", () => {
  const Timestamp = Alerts.Alert.fields.created_at
  // every shape the fast path takes, in both orders a nullable union can be written
  const Shaped = Schema.Struct({
    text: Schema.String,
    count: Schema.Number,
    flag: Schema.Boolean,
    whole: Schema.Int,
    at: Timestamp,
    maybeText: Schema.NullOr(Schema.String),
    maybeWhole: Schema.NullOr(Schema.Int),
    maybeAt: Schema.NullOr(Timestamp),
    nullFirst: Schema.Union(Schema.Null, Schema.Boolean),
    note: Schema.optional(Schema.String),
    noteOrNull: Schema.optional(Schema.NullOr(Schema.Number))
  })
  const full = {
    text: "t",
    count: 1.5,
    flag: false,
    whole: -3,
    at: "2017-05-01T08:00:00.000Z",
    maybeText: "m",
    maybeWhole: 7,
    maybeAt: 8.64e15,
    nullFirst: true,
    note: "n",
    noteOrNull: 2
  }
  const sparse = { ...full, at: -8.64e15, maybeText: null, maybeWhole: null, maybeAt: null, nullFirst: null }

  it("a record of any of them is decoded in place: it comes back as itself, with the Schema's values", () => {
    const left = without(sparse, ["note", "noteOrNull"])
    for (const record of [full, sparse, left, { ...full, noteOrNull: null }]) {
      const own = structuredClone(record)
      const decoded = RecordDecoder.record(Shaped, { inPlace: true })(own)
      expect(Either.getOrThrow(decoded)).toBe(own)
      expect(outcome(decoded)).toStrictEqual(outcome(schemaDecode(Shaped)(record)))
      const page = [structuredClone(record), structuredClone(record)]
      const first = page[0]
      const decodedPage = Either.getOrThrow(RecordDecoder.array(Shaped, { inPlace: true })(page))
      expect(decodedPage).toBe(page)
      expect(decodedPage[0]).toBe(first)
    }
  })

  it("a value of the wrong kind for each of them is refused as the Schema refuses it", () => {
    const wrong: ReadonlyArray<readonly [keyof typeof full, unknown]> = [
      ["text", 5],
      ["count", "5"],
      ["flag", "false"],
      ["flag", 0],
      ["whole", 1.5],
      ["whole", 2 ** 53],
      ["whole", "3"],
      ["at", 8.64e15 + 1],
      ["at", -8.64e15 - 1],
      ["at", 1e20],
      ["at", true],
      ["maybeText", 5],
      ["maybeWhole", 0.5],
      ["maybeAt", "2017-13-01T00:00:00.000Z"],
      ["nullFirst", "true"],
      ["note", null],
      ["noteOrNull", "2"]
    ]
    for (const [key, value] of wrong) {
      const record = { ...full, [key]: value }
      const slow = outcome(schemaDecode(Shaped)(record))
      expect(slow).not.toEqual(plain(record))
      expect({ key, value, fast: outcome(RecordDecoder.record(Shaped)(record)) }).toStrictEqual({
        key,
        value,
        fast: slow
      })
      expect(outcome(RecordDecoder.array(Shaped)([full, record]))).toStrictEqual(
        outcome(schemaDecode(Schema.Array(Shaped))([full, record]))
      )
    }
  })

  it("null is refused for a union with no null in it, as the Schema refuses it", () => {
    const Either2 = Schema.Struct({ id: Schema.Union(Schema.String, Schema.Number) })
    // a literal is not null because it is a literal
    const WithLiteral = Schema.Struct({ id: Schema.Union(Schema.Number, Schema.Literal("none")) })
    for (const id of [null, "a", 1, true, "none"]) {
      expect(outcome(RecordDecoder.record(Either2)({ id }))).toStrictEqual(outcome(schemaDecode(Either2)({ id })))
      expect(outcome(RecordDecoder.record(WithLiteral)({ id }))).toStrictEqual(
        outcome(schemaDecode(WithLiteral)({ id }))
      )
    }
  })

  it("defaults, renamed keys and exact optionals are the Schema's to apply", () => {
    const Special = Schema.Struct({
      id: Schema.String,
      level: Schema.optionalWith(Schema.Number, { default: () => 3 }),
      name: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("display_name")),
      note: Schema.optionalWith(Schema.String, { exact: true }),
      tag: Schema.optionalWith(Schema.String, { nullable: true })
    })
    // declared as a property signature, not optional: it may not be left out
    const Declared = Schema.Struct({ id: Schema.String, plain: Schema.propertySignature(Schema.String) })
    for (const record of [{ id: "a", plain: "p" }, { id: "a" }]) {
      expect(outcome(RecordDecoder.record(Declared)(record))).toStrictEqual(outcome(schemaDecode(Declared)(record)))
    }
    for (const record of [
      { id: "a", display_name: "A" },
      { id: "a", display_name: "A", level: 1, note: "n", tag: null },
      { id: "a", display_name: "A", note: undefined },
      { id: "a", name: "A" }
    ]) {
      expect(outcome(RecordDecoder.record(Special)(record))).toStrictEqual(outcome(schemaDecode(Special)(record)))
      expect(outcome(RecordDecoder.array(Special)([record]))).toStrictEqual(
        outcome(schemaDecode(Schema.Array(Special))([record]))
      )
    }
  })

  it("a record that is not an object is refused, even when every field may be left out", () => {
    const Loose = Schema.Struct({ note: Schema.optional(Schema.String), count: Schema.optional(Timestamp) })
    for (const input of [5, "note", [], ["n"], null, true]) {
      expect(outcome(RecordDecoder.record(Loose)(input))).toStrictEqual(outcome(schemaDecode(Loose)(input)))
      expect(outcome(RecordDecoder.array(Loose)([{}, input]))).toStrictEqual(
        outcome(schemaDecode(Schema.Array(Loose))([{}, input]))
      )
    }
  })

  it("a text with no zone is read as DateTime reads it, not as Date.parse would", () => {
    // Date.parse reads each of these; DateTime refuses some, and reads the rest as UTC
    const Timed = Schema.Struct({ at: Timestamp })
    for (const at of [
      "May 1, 2017",
      "2017/05/01 08:00",
      "Mon, 01 May 2017 08:00:00 GMT",
      "1 May 2017 08:00 UTC",
      "2017-05-01T08:00:00",
      "2017-05-01"
    ]) {
      expect({ at, fast: outcome(RecordDecoder.record(Timed)({ at })) }).toStrictEqual({
        at,
        fast: outcome(schemaDecode(Timed)({ at }))
      })
    }
    // the case that tells them apart: a text Date.parse reads and DateTime refuses
    expect(Either.isLeft(schemaDecode(Timed)({ at: "1 May 2017 08:00 UTC" }))).toBe(true)
    expect(Date.parse("1 May 2017 08:00 UTC")).toBe(Date.UTC(2017, 4, 1, 8))
  })
})

describe("RecordDecoder, nested values", () => {
  // arrays, records of unknown values and structs inside a record are checked, not rebuilt: the record comes
  // back with the nested values it was given, equal to the ones the Schema would build
  const Named = Schema.Struct({ name: Schema.String })
  const Nested = Schema.Struct({
    rule: Schema.Struct({ original: Named, level: Schema.NullOr(Schema.Int), extra: Schema.Unknown }),
    events: Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
    tags: Schema.Array(Schema.String),
    anything: Schema.Array(Schema.Unknown),
    maybeRule: Schema.NullOr(Named),
    raw: Schema.Unknown
  })
  const valid = () => ({
    rule: { original: { name: "Crontab Modified", since: 3 }, level: null, extra: [1] },
    events: [{ a: 1, b: { c: "d" } }, {}],
    tags: ["x", "y"],
    anything: [null, 1, "a", [], {}],
    maybeRule: null,
    raw: { any: "thing" }
  })
  const same = (value: unknown) => {
    expect({ fast: outcome(RecordDecoder.record(Nested)(value)) }).toStrictEqual({
      fast: outcome(schemaDecode(Nested)(value))
    })
    expect(outcome(RecordDecoder.array(Nested)([valid(), value]))).toStrictEqual(
      outcome(schemaDecode(Schema.Array(Nested))([valid(), value]))
    )
  }

  it("a valid record comes back as itself, its nested values the ones it was given, equal to the Schema's", () => {
    for (const record of [valid(), { ...valid(), maybeRule: { name: "n" }, events: [], tags: [] }]) {
      const own = structuredClone(record)
      const given = [own.rule, own.rule.original, own.events, own.events[0], own.tags, own.anything, own.raw]
      const decoded = Either.getOrThrow(RecordDecoder.record(Nested, { inPlace: true })(own))
      expect(decoded).toBe(own)
      const kept = [decoded.rule, decoded.rule.original, decoded.events, decoded.events[0], decoded.tags]
      expect([...kept, decoded.anything, decoded.raw].every((value, i) => value === given[i])).toBe(true)
      same(record)
    }
  })

  it("a nested value of the wrong shape is refused as the Schema refuses it, path and message", () => {
    const rule = valid().rule
    const wrong: ReadonlyArray<Record<string, unknown>> = [
      { rule: null },
      { rule: [] },
      { rule: "rule" },
      { rule: { ...rule, original: {} } },
      { rule: { ...rule, original: { name: 5 } } },
      { rule: { ...rule, level: 1.5 } },
      { events: {} },
      { events: [[]] },
      { events: [null] },
      { events: ["x"] },
      { tags: ["a", 1] },
      { tags: {} },
      { anything: "x" },
      { maybeRule: { name: 1 } },
      { maybeRule: [] }
    ]
    for (const change of wrong) {
      const record = { ...valid(), ...change }
      expect(Either.isLeft(schemaDecode(Nested)(record))).toBe(true)
      same(record)
    }
  })

  it("what the Schema builds differently from the input is the Schema's to build", () => {
    // a field of unknown type left out comes back as undefined from the Schema; a key `__proto__` is dropped by it
    const { extra: _, ...noExtra } = valid().rule
    same({ ...valid(), rule: noExtra })
    same(
      JSON.parse(
        '{"rule": {"original": {"name": "n"}, "level": 1, "extra": 0}, "events": [{"__proto__": {"x": 1}}], "tags": [], "anything": [], "maybeRule": null, "raw": 0}'
      )
    )
    same(
      JSON.parse(
        '{"rule": {"original": {"name": "n", "__proto__": 1}, "level": 1, "extra": 0}, "events": [], "tags": [], "anything": [], "maybeRule": null, "raw": 0}'
      )
    )
    expect(Object.keys(Either.getOrThrow(schemaDecode(Nested)({ ...valid(), rule: noExtra })).rule)).toContain("extra")
  })

  it("shapes it does not take (tuples, optional or strict nested fields, typed records) are the Schema's to judge", () => {
    const field = <A, I>(schema: Schema.Schema<A, I>) =>
      Schema.Struct({ f: schema }) as unknown as Schema.Struct<Schema.Struct.Fields>
    const Unknowns = Schema.Record({ key: Schema.String, value: Schema.Unknown })
    const cases: ReadonlyArray<readonly [Schema.Struct<Schema.Struct.Fields>, ReadonlyArray<unknown>]> = [
      [
        field(Schema.Tuple([Schema.String], Schema.Number)),
        [
          [1, 2],
          ["a", 2]
        ]
      ],
      [
        field(Schema.Tuple([], Schema.Number, Schema.Boolean)),
        [
          [1, 2],
          [1, true]
        ]
      ],
      [field(Schema.Struct({ a: Schema.optionalWith(Schema.String, { exact: true }) })), [{}, { a: 1 }, { a: "a" }]],
      [
        field(Named.annotations({ parseOptions: { onExcessProperty: "error" } })),
        [{ name: "a", more: 1 }, { name: "a" }]
      ],
      [field(Schema.Record({ key: Schema.String, value: Schema.Number })), [{ a: "x" }, { a: 1 }]],
      // timestamps inside become DateTimes: a nested value that is rebuilt is the Schema's to build
      [field(Schema.Array(Alerts.Alert.fields.created_at)), [["2017-05-01T08:00:00.000Z"], [0], ["x"]]],
      [field(Schema.Struct({ at: Alerts.Alert.fields.created_at })), [{ at: 0 }, { at: "2017-05-01T08:00:00.000Z" }]],
      [field(Schema.Struct({ a: Schema.String }, Unknowns)), [{ a: 5 }, { a: "5", b: 1 }]],
      [
        field(
          Schema.Struct(
            {},
            Unknowns,
            Schema.Record({ key: Schema.TemplateLiteral("n", Schema.Number), value: Schema.Number })
          )
        ),
        [{ n1: "s" }, { n1: 1, x: "s" }]
      ]
    ]
    for (const [struct, values] of cases) {
      for (const f of values) {
        expect({ f, fast: outcome(RecordDecoder.record(struct)({ f })) }).toStrictEqual({
          f,
          fast: outcome(schemaDecode(struct)({ f }))
        })
      }
    }
  })
})
