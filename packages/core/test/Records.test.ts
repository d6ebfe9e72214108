import { describe, expect, it } from "@effect/vitest"
import { Chunk, DateTime, Effect, Option, Schema, Stream } from "effect"
import { type FakeThreatStack, ThreatStack } from "@effect-threatstack/core"
import * as Timestamp from "../src/internal/Timestamp.js"
import { alertRecord } from "./scriptedHttp.js"
import { testLayer } from "./utils.js"

const alert = alertRecord({
  key: "k",
  created_at: Date.UTC(2017, 4, 10),
  future_field: { added: "by the API later" }
})

const supplied = (alerts: ReadonlyArray<Record<string, unknown>>): FakeThreatStack.Options => ({
  data: [{ organization: { id: "o1", name: "Org", role: "owner" }, alerts }]
})

describe("records", () => {
  it("both timestamp styles decode to one comparable type", () => {
    const decode = Schema.decodeUnknownSync(Timestamp.Timestamp)
    const fromMillis = decode(Date.UTC(2017, 4, 1, 8))
    const fromIso = decode("2017-05-01T08:00:00.000Z")
    expect(DateTime.Equivalence(fromMillis, fromIso)).toBe(true)
    expect(DateTime.lessThan(decode("2017-05-01T07:59:59.999Z"), fromMillis)).toBe(true)
  })

  it.effect("fields the API adds later are kept on the record", () =>
    Effect.gen(function* () {
      const c = yield* ThreatStack.ThreatStack
      const [listed] = yield* Stream.runCollect(c.alerts.list()).pipe(Effect.map(Chunk.toReadonlyArray))
      expect(listed).toBeDefined()
      expect((listed as unknown as Record<string, unknown>).future_field).toEqual({ added: "by the API later" })
      expect(DateTime.toEpochMillis(listed!.created_at)).toBe(Date.UTC(2017, 4, 10))
      expect(listed!.expires_at).toBeNull()
      const detail = yield* c.alerts.get("al1")
      expect(Option.map(detail, (d) => d.rule.original_rule.name)).toEqual(Option.some("Crontab Modified"))
    }).pipe(Effect.provide(testLayer(supplied([alert]))))
  )

  it.effect("a typed projection has exactly the requested fields", () =>
    Effect.gen(function* () {
      const c = yield* ThreatStack.ThreatStack
      const rows = yield* Stream.runCollect(c.alerts.list({ fields: ["id", "severity"] }))
      expect(Chunk.toReadonlyArray(rows)).toEqual([{ id: "al1", severity: 2 }])
      const row = Chunk.unsafeGet(rows, 0)
      // @ts-expect-error title was not requested, so it is not on the type
      expect(row.title).toBeUndefined()
      // @ts-expect-error a misspelt field name is a compile error
      c.alerts.list({ fields: ["titel"] })
      // @ts-expect-error logs have no get
      c.logs.get
      // @ts-expect-error organizations have no get
      c.organizations.get
      // @ts-expect-error policies do not page
      c.policies.list({ page: 1 })
    }).pipe(Effect.provide(testLayer(supplied([alert]))))
  )

  it.effect("a record that breaks the schema fails naming the field", () =>
    Effect.gen(function* () {
      const c = yield* ThreatStack.ThreatStack
      const error = yield* Effect.flip(Stream.runCollect(c.alerts.list()))
      expect(error._tag === "ThreatStackAPIError" && [error.reason, error.path]).toEqual([
        "InvalidResponse",
        "[1].severity"
      ])
    }).pipe(Effect.provide(testLayer(supplied([alert, { ...alert, id: "al2", severity: "high" }]))))
  )

  it.effect("the schemas accept every record the fake generates, listed and in detail", () =>
    Effect.gen(function* () {
      const c = yield* ThreatStack.ThreatStack
      const all = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)
      expect((yield* all(c.agents.list())).length).toBe(30)
      const alerts = yield* all(c.alerts.list())
      expect(alerts.length).toBe(250)
      expect((yield* all(c.logs.list())).length).toBe(120)
      expect((yield* all(c.policies.list())).length).toBe(5)
      const organizations = yield* all(c.organizations.list())
      for (const org of organizations) expect((yield* c.organizations.users(org.id)).length).toBe(7)
      const details = yield* c.alerts.getMany(alerts.map((a) => a.id))
      expect(details.filter(Option.isSome).length).toBe(250)
      const agents = yield* c.agents.getMany((yield* all(c.agents.list())).map((a) => a.id))
      expect(agents.every(Option.isSome)).toBe(true)
    }).pipe(
      Effect.provide(
        testLayer({ counts: { organizations: 2, agents: 30, alerts: 250, logs: 120, policies: 5, users: 7 } })
      )
    )
  )
})
