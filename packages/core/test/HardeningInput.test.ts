/**
 * Issue 11, crashes that must be typed errors and wrong endpoints: hostile
 * timestamps, the fast decoder against the Schema (property test), casts
 * past the types, lone surrogates, `.`/`..` ids, base URLs, the time rule,
 * `page`/`count` ceilings, header-unsafe org ids and keys.
 */
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import {
  Arbitrary,
  Chunk,
  ConfigProvider,
  DateTime,
  Effect,
  Either,
  FastCheck as fc,
  Layer,
  Option,
  ParseResult,
  Schema,
  Stream
} from "effect"
import {
  Agents,
  Alerts,
  Logs,
  Organizations,
  Policies,
  type Resource,
  ThreatStack,
  ThreatStackConfig,
  ThreatStackV2,
  V2
} from "@effect-threatstack/core"
import type { ThreatStackError } from "@effect-threatstack/core"
import * as RecordDecoder from "../src/internal/RecordDecoder.js"
import { alertRecord } from "./scriptedHttp.js"

const KEY = "test-api-key-0123"

/** An HttpClient that records each URL and answers from `reply`. */
const scripted = (reply: (url: URL) => Response = () => Response.json([])) => {
  const seen: Array<URL> = []
  const client = HttpClient.make((request, url) =>
    Effect.sync(() => {
      seen.push(url)
      return HttpClientResponse.fromWeb(request, reply(url))
    })
  )
  return { seen, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

const v1 = (http: Layer.Layer<HttpClient.HttpClient>, options: Partial<ThreatStackConfig.Options> = {}) =>
  ThreatStack.layer({ apiKey: KEY, maxRetries: 0, ...options }).pipe(Layer.provide(http))

const v2 = (http: Layer.Layer<HttpClient.HttpClient>, options: Partial<ThreatStackV2.Options> = {}) =>
  ThreatStackV2.layer({ apiKey: KEY, userId: "u1", orgId: "o1", maxRetries: 0, ...options }).pipe(Layer.provide(http))

const invalidArgument = (error: ThreatStackError.ThreatStackError) => {
  if (error._tag !== "InvalidArgument") throw new Error(`expected InvalidArgument, got ${error._tag}: ${error.message}`)
  return error
}

const alert = (created_at: unknown) => alertRecord({ created_at })

describe("a timestamp no Date can hold is InvalidResponse, not a defect", () => {
  it.effect.each([1e20, 9e15, -9e15])("created_at: %d in list and get", (created_at) => {
    const http = scripted((url) =>
      Response.json(url.pathname.endsWith("/alerts") ? [alert(created_at)] : alert(created_at))
    )
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const listed = yield* Effect.flip(Stream.runCollect(client.alerts.list({ page: 0 })))
      expect(listed._tag === "ThreatStackAPIError" && [listed.reason, listed.path]).toEqual([
        "InvalidResponse",
        "[0].created_at"
      ])
      const got = yield* Effect.flip(client.alerts.get("al1"))
      expect(got._tag === "ThreatStackAPIError" && [got.reason, got.path]).toEqual(["InvalidResponse", "created_at"])
    }).pipe(Effect.provide(v1(http.layer)))
  })
})

// the Schema's own decode, as the fast path promises to match it
const schemaDecode = <A, I, R>(schema: Schema.Schema<A, I, R>) =>
  Schema.decodeUnknownEither(schema as unknown as Schema.Schema<A, I>, {
    onExcessProperty: "preserve",
    errors: "first"
  })

/** DateTimes as epoch ms, so that two decodes compare by value. */
const plain = (value: unknown): unknown =>
  DateTime.isDateTime(value)
    ? DateTime.toEpochMillis(value)
    : Array.isArray(value)
      ? value.map(plain)
      : typeof value === "object" && value !== null
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
        : value

const outcome = (result: Either.Either<unknown, ParseResult.ParseError>) =>
  Either.isRight(result)
    ? { ok: plain(result.right) }
    : { error: ParseResult.ArrayFormatter.formatErrorSync(result.left) }

/** Values no record should hold, and that a careless decoder could throw on. */
const hostile: ReadonlyArray<unknown> = [
  1e20,
  9e15,
  -9e15,
  8.64e15,
  -8.64e15,
  8.64e15 + 1,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  2 ** 53,
  1.5,
  "",
  "Z",
  "1e20",
  "2017-13-01T00:00:00Z",
  "+275760-09-13T00:00:00.001Z",
  "-271821-04-20T00:00:00.000Z",
  "2017-05-01",
  "2017-05-01T08:00:00+99:00",
  "\uD800",
  "x".repeat(10_000),
  null,
  undefined,
  true,
  [],
  [null],
  {},
  { epochMillis: 1 }
]

// a field named __proto__ is left out: the Schema makes it the output's prototype, the fast path keeps it a field
const structs: ReadonlyArray<readonly [string, Schema.Struct<Schema.Struct.Fields>]> = [
  ["v1 Agent", Agents.Agent],
  ["v1 Alert", Alerts.Alert],
  ["v1 AlertDetail", Alerts.AlertDetail],
  ["v1 Log", Logs.Log],
  ["v1 Organization", Organizations.Organization],
  ["v1 OrganizationUser", Organizations.OrganizationUser],
  ["v1 Policy", Policies.Policy],
  ["v2 Agent", V2.Agents.Agent],
  ["v2 Alert", V2.Alerts.Alert],
  ["v2 SeverityCount", V2.Alerts.SeverityCount],
  ["v2 AuditRecord", V2.AuditLogs.AuditRecord],
  ["v2 Member", V2.Members.Member],
  ["v2 Rule", V2.Rules.Rule],
  ["v2 RulesetWire", V2.Rulesets.RulesetWire],
  ["v2 Ec2Server", V2.Servers.Ec2Server],
  ["v2 Cve", V2.Vulnerabilities.Cve],
  ["v2 AffectedServer", V2.Vulnerabilities.AffectedServer]
] as unknown as ReadonlyArray<readonly [string, Schema.Struct<Schema.Struct.Fields>]>

describe("the fast decoder and the Schema agree on every input, errors included", () => {
  it.each(structs)("%s", (_name, struct) => {
    const encoded = Arbitrary.make(Schema.encodedSchema(struct) as Schema.Schema<Record<string, unknown>>)
    const keys = Object.keys(struct.fields)
    const mutated = fc
      .tuple(encoded, fc.constantFrom(...keys), fc.constantFrom(...hostile))
      .map(([record, key, value]) => ({ ...record, [key]: value }))
    const input = fc.oneof(encoded, mutated, mutated, fc.constantFrom(...hostile))
    const one = RecordDecoder.record(struct)
    const many = RecordDecoder.array(struct)
    const slowOne = schemaDecode(struct)
    const slowMany = schemaDecode(Schema.Array(struct))
    fc.assert(
      fc.property(input, fc.array(input, { maxLength: 4 }), (record, records) => {
        expect(outcome(one(record))).toEqual(outcome(slowOne(record)))
        expect(outcome(many(records))).toEqual(outcome(slowMany(records)))
        // in place: the same outcome, on a copy nothing else holds
        const own = structuredClone(records)
        expect(outcome(RecordDecoder.array(struct, { inPlace: true })(own))).toEqual(outcome(slowMany(records)))
      }),
      { numRuns: 300 }
    )
  })
})

describe("casts past the types are InvalidArgument, never a defect", () => {
  it.effect("list options: start null, fields a string, count a string, options null", () => {
    const http = scripted()
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const list = (options: unknown) =>
        Effect.flip(Stream.runCollect(client.alerts.list(options as Resource.PagedListOptions))).pipe(
          Effect.map(invalidArgument)
        )
      expect((yield* list({ start: null })).argument).toBe("start")
      expect((yield* list({ end: 1_500_000_000_000 })).argument).toBe("end")
      expect((yield* list({ start: {} })).message).toContain("expected a date string, a Date or a DateTime")
      expect((yield* list({ fields: "id" })).argument).toBe("fields")
      expect((yield* list({ count: "5" })).message).toBe('invalid count: expected a whole number ≥ 1, got "5"')
      expect((yield* list({ concurrency: "4" })).argument).toBe("concurrency")
      expect((yield* list(null)).argument).toBe("options")
      const many = yield* Effect.flip(client.agents.getMany("a1" as unknown as Array<string>))
      expect(invalidArgument(many).argument).toBe("ids")
      const manyNull = yield* Effect.flip(client.agents.getMany(null as unknown as Array<string>))
      expect(invalidArgument(manyNull).argument).toBe("ids")
      const get = yield* Effect.flip(client.agents.get(42 as unknown as string))
      expect(invalidArgument(get).argument).toBe("id")
      expect(http.seen).toHaveLength(0)
    }).pipe(Effect.provide(v1(http.layer)))
  })

  it.effect("v2: from null, a list without its required options", () => {
    const http = scripted()
    return Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const from = yield* Effect.flip(
        Stream.runCollect(ts.alerts.list({ from: null } as unknown as V2.Alerts.ListOptions))
      )
      expect(invalidArgument(from).argument).toBe("from")
      const agents = yield* Effect.flip(
        Stream.runCollect(ts.agents.list(undefined as unknown as V2.Agents.ListOptions))
      )
      expect(invalidArgument(agents).argument).toBe("status")
      expect(http.seen).toHaveLength(0)
    }).pipe(Effect.provide(v2(http.layer)))
  })

  it.effect("settings: apiKey 12345, no options at all, a transformClient or retrySchedule that is not one", () =>
    Effect.gen(function* () {
      const make = (options: unknown) =>
        Effect.flip(ThreatStackConfig.make(options as ThreatStackConfig.Options)).pipe(Effect.map(invalidArgument))
      expect((yield* make({ apiKey: 12345 })).argument).toBe("apiKey")
      expect((yield* make(undefined)).argument).toBe("options")
      expect((yield* make({ apiKey: KEY, transformClient: "x" })).argument).toBe("transformClient")
      expect((yield* make({ apiKey: KEY, retrySchedule: 3 })).argument).toBe("retrySchedule")
      expect((yield* make({ apiKey: KEY, allowInsecureHttp: "yes" })).argument).toBe("allowInsecureHttp")
      expect((yield* make({ apiKey: KEY, orgId: 7 })).argument).toBe("orgId")
      const v2Options = (options: unknown) =>
        Effect.flip(V2.Client.make(options as V2.Client.Options)).pipe(Effect.map(invalidArgument))
      expect((yield* v2Options({ apiKey: 12345, userId: "u1", orgId: "o1" })).argument).toBe("apiKey")
      expect((yield* v2Options({ apiKey: KEY, userId: "u1", orgId: "o1", nonce: "n" })).argument).toBe("nonce")
    })
  )
})

describe("ids that would change the endpoint or cannot be encoded", () => {
  it.effect("v1: '.', '..' and lone surrogates are refused before any request", () => {
    const http = scripted()
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      for (const id of [".", "..", "\uD800", "a\uDC00b"]) {
        expect(invalidArgument(yield* Effect.flip(client.agents.get(id))).argument).toBe("id")
        expect(invalidArgument(yield* Effect.flip(client.organizations.users(id))).argument).toBe("orgId")
      }
      expect(invalidArgument(yield* Effect.flip(client.alerts.getMany(["ok", ".."]))).argument).toBe("ids[1]")
      expect(http.seen).toHaveLength(0)
      // dots inside an id are fine: encoded into one segment
      yield* client.agents.get("a..b").pipe(Effect.ignore)
      expect(http.seen[0]?.pathname).toBe("/api/v1/agents/a..b")
    }).pipe(Effect.provide(v1(http.layer)))
  })

  it.effect("v2: the same ids are refused", () => {
    const http = scripted()
    return Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      for (const id of [".", "..", "\uD800"]) {
        expect(invalidArgument(yield* Effect.flip(ts.alerts.get(id))).argument).toBe("id")
        expect(invalidArgument(yield* Effect.flip(ts.rulesets.get(id))).argument).toBe("id")
      }
      expect(http.seen).toHaveLength(0)
    }).pipe(Effect.provide(v2(http.layer)))
  })
})

const fromEnv = <A>(config: Effect.Effect<A, unknown>, entries: Record<string, string>) =>
  Effect.either(config.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(entries))))))

describe("the base URL", () => {
  it.effect("a query, a fragment, credentials, another scheme or a space inside are refused; both generations", () =>
    Effect.gen(function* () {
      const bad = [
        ["https://app.threatstack.com/api/v1?token=abc", "query"],
        ["https://app.threatstack.com/api/v1#x", "fragment"],
        ["https://user:pass@app.threatstack.com/api/v1", "credentials"],
        ["ftp://app.threatstack.com/api/v1", "http(s)"],
        ["https://app.threatstack.com/api v1", "space"],
        ["https://app.threat\nstack.com/api/v1", "space"],
        ["app.threatstack.com/api/v1", "http(s)"]
      ] as const
      for (const [baseUrl, why] of bad) {
        const v1Error = yield* Effect.flip(ThreatStackConfig.make({ apiKey: KEY, baseUrl }))
        expect([v1Error.argument, v1Error.detail]).toEqual(["baseUrl", expect.stringContaining(why)])
        expect(v1Error.message).not.toContain("user:pass")
        const v2Error = yield* Effect.flip(V2.Client.make({ apiKey: KEY, userId: "u", orgId: "o", baseUrl }))
        expect(v2Error.argument).toBe("baseUrl")
      }
    })
  )

  it.effect("surrounding spaces and trailing slashes are trimmed", () =>
    Effect.gen(function* () {
      const settings = yield* ThreatStackConfig.make({ apiKey: KEY, baseUrl: "  https://example.com/api/v1/  " })
      expect(settings.baseUrl).toBe("https://example.com/api/v1")
    })
  )

  it.effect("the environment path applies the same rule, naming the variable", () =>
    Effect.gen(function* () {
      const v1Query = yield* fromEnv(ThreatStackConfig.fromEnv, {
        THREATSTACK_API_KEY: KEY,
        THREATSTACK_BASE_URL: "https://app.threatstack.com/api/v1?token=abc"
      })
      expect(Either.isLeft(v1Query) && String(v1Query.left)).toMatch(/THREATSTACK_BASE_URL.*query/)
      const v2Credentials = yield* fromEnv(V2.Client.fromEnv, {
        THREATSTACK_API_KEY: KEY,
        THREATSTACK_USER_ID: "u",
        THREATSTACK_ORG_ID: "o",
        THREATSTACK_V2_BASE_URL: "https://user:pass@api.threatstack.com/v2"
      })
      expect(Either.isLeft(v2Credentials) && String(v2Credentials.left)).toMatch(/THREATSTACK_V2_BASE_URL.*credentials/)
      const trimmed = yield* fromEnv(ThreatStackConfig.fromEnv, {
        THREATSTACK_API_KEY: KEY,
        THREATSTACK_BASE_URL: " https://example.com/api/v1 "
      })
      expect(Either.map(trimmed, (s) => s.baseUrl)).toEqual(Either.right("https://example.com/api/v1"))
    })
  )
})

/** A record with only the fields asked for, as the API answers a `fields` query. */
const project = (record: Record<string, unknown>, fields: string | null) =>
  fields === null ? record : Object.fromEntries(fields.split(",").map((f) => [f, record[f]]))

describe("one rule for time", () => {
  const at = (ms: number) => new Date(Date.UTC(2017, 4, 1, 8, 0, 0, ms))

  it.effect("start after end within one second is refused, exactly; equal instants are fine", () => {
    const http = scripted()
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const error = yield* Effect.flip(Stream.runCollect(client.alerts.list({ start: at(700), end: at(600) })))
      expect(invalidArgument(error).message).toContain("is after end")
      const v2 = yield* Effect.flip(
        ThreatStackV2.ThreatStackV2.pipe(
          Effect.flatMap((ts) => Stream.runCollect(ts.alerts.list({ from: at(700), until: at(600) }))),
          Effect.provide(v2Layer)
        )
      )
      expect(invalidArgument(v2).argument).toBe("from")
      expect(http.seen).toHaveLength(0)
      yield* Stream.runCollect(client.alerts.list({ start: at(600), end: at(600), page: 0 }))
      expect(http.seen).toHaveLength(1)
    }).pipe(Effect.provide(v1(http.layer)))
  })

  const v2Layer = v2(scripted().layer)

  it.effect("a sub-second range: whole seconds on the wire, records outside it dropped (v1 and v2)", () => {
    const inRange = Date.UTC(2017, 4, 1, 8, 0, 0, 650)
    const times = [500, 650, 800].map((ms) => Date.UTC(2017, 4, 1, 8, 0, 0, ms))
    const http = scripted((url) =>
      url.pathname.startsWith("/v2")
        ? Response.json({
            alerts: times.map((t, i) => ({
              id: `a${i}`,
              title: "t",
              createdAt: new Date(t).toISOString(),
              severity: 1
            })),
            token: null
          })
        : Response.json(
            url.searchParams.get("page") === "0"
              ? times.map((t) => project({ ...alert(t), id: `a${t}` }, url.searchParams.get("fields")))
              : []
          )
    )
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const listed = yield* Stream.runCollect(client.alerts.list({ start: at(600), end: at(700) }))
      expect(Chunk.toReadonlyArray(listed).map((a) => DateTime.toEpochMillis(a.created_at))).toEqual([inRange])
      expect(http.seen[0]?.searchParams.get("start")).toBe("2017-05-01 08:00:00")
      expect(http.seen[0]?.searchParams.get("end")).toBe("2017-05-01 08:00:01")
      // with fields that leave the time out, it is asked for, used, and dropped
      const projected = yield* Stream.runCollect(
        client.alerts.list({ start: at(600), end: at(700), fields: ["title"] })
      )
      expect(Chunk.toReadonlyArray(projected)).toEqual([{ title: "Crontab Modified" }])
      const ts = yield* ThreatStackV2.ThreatStackV2
      const v2Listed = yield* Stream.runCollect(ts.alerts.list({ from: at(600), until: at(700) }))
      expect(Chunk.toReadonlyArray(v2Listed).map((a) => a.id)).toEqual(["a1"])
      const v2Request = http.seen.find((u) => u.pathname.startsWith("/v2"))
      expect([v2Request?.searchParams.get("from"), v2Request?.searchParams.get("until")]).toEqual([
        "2017-05-01T08:00:00",
        "2017-05-01T08:00:01"
      ])
    }).pipe(Effect.provide(Layer.merge(v1(http.layer), v2(http.layer))))
  })

  it.effect("the same years for every form: 1900 as text and as a Date are both refused; ISO T forms accepted", () => {
    const http = scripted()
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const text = yield* Effect.flip(Stream.runCollect(client.alerts.list({ start: "1900-01-01" })))
      const date = yield* Effect.flip(Stream.runCollect(client.alerts.list({ start: new Date(Date.UTC(1900, 0, 1)) })))
      expect(invalidArgument(text).message).toContain("outside years 1970 to 9999")
      expect(invalidArgument(date).message).toContain("outside years 1970 to 9999")
      yield* Stream.runCollect(
        client.alerts.list({ start: "2017-05-01T08:00:00", end: "2017-05-01T10:30:00.250+02:00", page: 0 })
      )
      expect([http.seen[0]?.searchParams.get("start"), http.seen[0]?.searchParams.get("end")]).toEqual([
        "2017-05-01 08:00:00",
        "2017-05-01 08:30:01"
      ])
    }).pipe(Effect.provide(v1(http.layer)))
  })
})

describe("dismissing by query never widens the range", () => {
  it.effect("an edge with milliseconds is refused; whole seconds (a Date on a second, a day) are sent", () => {
    const http = scripted(() => Response.json({}))
    return Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const dismiss = (from: Date | string, until: Date | string) =>
        ts.alerts.dismissWhere({ from, until, severity: 3, reason: "MAINTENANCE" })
      const error = yield* Effect.flip(dismiss(new Date(Date.UTC(2017, 4, 1, 8, 0, 0, 600)), "2017-05-02"))
      expect(invalidArgument(error).detail).toContain("whole seconds")
      expect(
        invalidArgument(yield* Effect.flip(dismiss("2017-05-01", new Date(Date.UTC(2017, 4, 2, 0, 0, 0, 1))))).argument
      ).toBe("from")
      expect(http.seen).toHaveLength(0)
      yield* dismiss(new Date(Date.UTC(2017, 4, 1, 8)), new Date(Date.UTC(2017, 4, 1, 9)))
      yield* dismiss("2017-05-01", "2017-05-01T08:00")
      expect(http.seen).toHaveLength(2)
    }).pipe(Effect.provide(v2(http.layer)))
  })
})

describe("page and count are whole numbers up to a stated ceiling", () => {
  it.effect("page ≤ 10,000,000 and count ≤ 10,000; above is InvalidArgument, never 1e+21 on the wire", () => {
    const http = scripted()
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const list = (options: Resource.PagedListOptions) =>
        Effect.flip(Stream.runCollect(client.agents.list(options))).pipe(Effect.map(invalidArgument))
      expect((yield* list({ page: 1e21 })).message).toBe(
        "invalid page: expected a whole number up to 10,000,000, got 1e+21"
      )
      expect((yield* list({ count: 10_001 })).argument).toBe("count")
      expect((yield* list({ page: 0, count: 1e21 })).argument).toBe("count")
      expect(http.seen).toHaveLength(0)
      yield* Stream.runCollect(client.agents.list({ page: 10_000_000, count: 10_000 }))
      expect(http.seen[0]?.search).toBe("?page=10000000&count=10000")
    }).pipe(Effect.provide(v1(http.layer)))
  })
})

describe("what travels in a header is checked up front", () => {
  it.effect("an org id or a key with CR/LF or a character a header cannot carry; blank org ids, one rule", () =>
    Effect.gen(function* () {
      for (const orgId of ["o1\r\nX-Evil: 1", "o\n1", "org\u00e9", "o 1"]) {
        const error = yield* Effect.flip(ThreatStackConfig.make({ apiKey: KEY, orgId }))
        expect(error.argument).toBe("orgId")
      }
      for (const apiKey of ["abcd\r\nefgh", "abcd efgh", "abcdéfghij"]) {
        const error = yield* Effect.flip(ThreatStackConfig.make({ apiKey }))
        expect(error.argument).toBe("apiKey")
        expect(error.message).not.toContain("abcd")
      }
      const env = yield* fromEnv(ThreatStackConfig.fromEnv, {
        THREATSTACK_API_KEY: KEY,
        THREATSTACK_ORG_ID: "o1\r\n" + "x"
      })
      expect(Either.isLeft(env) && String(env.left)).toMatch(/THREATSTACK_ORG_ID/)
      // blank is "no organization", through options and through the environment alike
      expect((yield* ThreatStackConfig.make({ apiKey: KEY, orgId: "   " })).orgId).toEqual(Option.none())
      const blank = yield* fromEnv(ThreatStackConfig.fromEnv, { THREATSTACK_API_KEY: KEY, THREATSTACK_ORG_ID: "   " })
      expect(Either.map(blank, (s) => s.orgId)).toEqual(Either.right(Option.none()))
      expect((yield* ThreatStackConfig.make({ apiKey: KEY, orgId: " o1\n" })).orgId).toEqual(Option.some("o1"))
    })
  )

  it.effect("maxResponseBytes and tracePropagation from the environment, checked as options are", () =>
    Effect.gen(function* () {
      const set = yield* fromEnv(ThreatStackConfig.fromEnv, {
        THREATSTACK_API_KEY: KEY,
        THREATSTACK_MAX_RESPONSE_BYTES: "1048576",
        THREATSTACK_TRACE_PROPAGATION: "true"
      })
      expect(Either.map(set, (s) => [s.maxResponseBytes, s.tracePropagation])).toEqual(Either.right([1_048_576, true]))
      const bad = yield* fromEnv(ThreatStackConfig.fromEnv, {
        THREATSTACK_API_KEY: KEY,
        THREATSTACK_MAX_RESPONSE_BYTES: "lots"
      })
      expect(Either.isLeft(bad) && String(bad.left)).toMatch(/THREATSTACK_MAX_RESPONSE_BYTES/)
      const defaults = yield* ThreatStackConfig.make({ apiKey: KEY })
      expect([defaults.maxResponseBytes, defaults.tracePropagation]).toEqual([64 * 1024 * 1024, false])
    })
  )

  it.effect("keys shorter than 8 characters are refused, from options and the environment", () =>
    Effect.gen(function* () {
      const short = yield* Effect.flip(ThreatStackConfig.make({ apiKey: "k" }))
      expect(short.message).toBe("invalid apiKey: the API key is 1 characters long: expected at least 8")
      expect((yield* Effect.flip(V2.Client.make({ apiKey: "1234567", userId: "u", orgId: "o" }))).argument).toBe(
        "apiKey"
      )
      const env = yield* fromEnv(ThreatStackConfig.fromEnv, { THREATSTACK_API_KEY: "short" })
      expect(Either.isLeft(env) && String(env.left)).toMatch(/THREATSTACK_API_KEY.*at least 8/)
      expect((yield* ThreatStackConfig.make({ apiKey: "12345678" })).apiVersion).toBe(1)
    })
  )
})
