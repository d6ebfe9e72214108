/**
 * The v1 resources as a caller meets them: each operation a span named for
 * it, the nested shapes of records checked as strictly as the flat ones, and
 * the fake's answers for a record that is missing or a resource without `get`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Schema, Stream } from "effect"
import { Alerts, FakeThreatStack, Logs, Organizations, Policies, ThreatStack } from "@effect-threatstack/core"
import { fakeOptions, spanNames, testLayer } from "./utils.js"

describe("every v1 operation is a span named for it", () => {
  it.effect("with a tracer, each call opens its operation's span", () => {
    const { names, tracer: recording } = spanNames()
    return Effect.gen(function* () {
      const ts = yield* ThreatStack.ThreatStack
      const [agent] = Chunk.toReadonlyArray(yield* Stream.runCollect(ts.agents.list({ count: 2, page: 0 })))
      yield* ts.agents.get(agent?.id ?? "")
      const [alert] = Chunk.toReadonlyArray(yield* Stream.runCollect(ts.alerts.list({ count: 2, page: 0 })))
      yield* ts.alerts.get(alert?.id ?? "")
      yield* ts.alerts.getMany([alert?.id ?? ""])
      yield* Stream.runCollect(ts.logs.list({ count: 2, page: 0 }))
      const [policy] = Chunk.toReadonlyArray(yield* Stream.runCollect(ts.policies.list()))
      yield* ts.policies.get(policy?.id ?? "")
      const [org] = Chunk.toReadonlyArray(yield* Stream.runCollect(ts.organizations.list()))
      yield* Stream.runCollect(ts.organizations.users(org?.id ?? ""))
      expect(new Set(names.filter((name) => /^[A-Z]\w+\.\w+$/.test(name)))).toEqual(
        new Set([
          "Agents.list",
          "Agents.get",
          "Alerts.list",
          "Alerts.get",
          "Alerts.getMany",
          "Logs.list",
          "Policies.list",
          "Policies.get",
          "Organizations.list",
          "Organizations.users",
          "ThreatStack.request"
        ])
      )
    }).pipe(Effect.provide(testLayer()), Effect.withTracer(recording))
  })
})

describe("nested shapes are checked like flat ones", () => {
  const decode = <A, I>(schema: Schema.Schema<A, I>, value: unknown) =>
    Either.match(Schema.decodeUnknownEither(schema, { onExcessProperty: "preserve" })(value), {
      onLeft: (error) =>
        `refused: ${error.message
          .split("\n")
          .at(-1)
          ?.replace(/^[\s└─]+/, "")}`,
      onRight: () => "accepted"
    })

  it("an alert's rule without its name, a log's context without its fields, a user without a last name", () => {
    expect(decode(Alerts.AlertRule, { original_rule: { name: "Crontab Modified" } })).toBe("accepted")
    expect(decode(Alerts.AlertRule, { original_rule: {} })).toBe("refused: is missing")
    expect(decode(Alerts.AlertRule, {})).toBe("refused: is missing")
    const user = { id: "u1", email: "ada@example.com", name: { first: "Ada", last: "Lovelace" }, role: "user" }
    expect(decode(Schema.Struct({ name: Organizations.OrganizationUser.fields.name }), user)).toBe("accepted")
    expect(
      decode(Schema.Struct({ name: Organizations.OrganizationUser.fields.name }), { name: { first: "Ada" } })
    ).toBe("refused: is missing")
    expect(decode(Logs.LogContext, {})).toMatch(/^refused/)
    const context = { id: "c1", type: "file", name: "/etc/passwd" }
    expect(decode(Logs.LogContext, { ...context, agent: { name: "web-1", policy_id: null, id: "ag1" } })).toBe(
      "accepted"
    )
    expect(decode(Logs.LogContext, { ...context, agent: { name: "web-1" } })).toMatch(/^refused/)
    expect(decode(Schema.Struct({ rule: Policies.AlertPolicyRule }), { rule: {} })).toMatch(/^refused/)
  })
})

describe("the fake's answer for a missing record", () => {
  const get = (path: string) =>
    Effect.flatMap(FakeThreatStack.make(fakeOptions()), (fake) =>
      Effect.map(
        fake.handle({
          method: "GET",
          url: new URL(`https://fake.invalid/api/v1/${path}`),
          headers: { authorization: FakeThreatStack.defaultApiKey }
        }),
        (answer) => [answer.status, ...JSON.parse(answer.body).errors]
      )
    )

  it.effect("names what is missing; a resource listed only has no route for one record", () =>
    Effect.gen(function* () {
      expect(yield* get("agents/missing")).toEqual([404, "agent not found"])
      expect(yield* get("alerts/missing")).toEqual([404, "alert not found"])
      expect(yield* get("policies/missing")).toEqual([404, "policy not found"])
      expect(yield* get("logs/missing")).toEqual([404, "no route logs/missing"])
    })
  )
})
