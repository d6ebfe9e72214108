/**
 * Every example of the Python client's v1 guide, in Effect form, run and
 * asserted three times: over the in-memory fake, and end to end over real
 * HTTP against the served fake, with Node's HTTP client (undici) and with
 * `fetch` (`FetchThreatStack`).
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, DateTime, Effect, Layer, Option, Stream } from "effect"
import { FakeThreatStack, FetchThreatStack, ThreatStack } from "@effect-threatstack/core"
import type { ThreatStackConfig, ThreatStackError } from "@effect-threatstack/core"
import { FakeServer } from "@effect-threatstack/node"

const NOW = Date.UTC(2017, 5, 1)
const fake: FakeThreatStack.Options = {
  now: NOW,
  span: "60 days",
  counts: { organizations: 2, agents: 40, alerts: 24 * 60, logs: 200, policies: 3, users: 4 }
}

type Settings = Omit<ThreatStackConfig.Options, "apiKey" | "baseUrl">

const transports: Record<
  string,
  (settings?: Settings) => Layer.Layer<ThreatStack.Services, ThreatStackError.InvalidArgument>
> = {
  "in-memory fake": (settings: Settings = {}) =>
    ThreatStack.layer({ apiKey: FakeThreatStack.defaultApiKey, ...settings }).pipe(
      Layer.provideMerge(FakeThreatStack.layer(fake))
    ),
  "served fake over HTTP": (settings: Settings = {}) => FakeServer.layerWithClient(fake, settings),
  "served fake over fetch": (settings: Settings = {}) =>
    FakeServer.layerWithClient(fake, settings, FetchThreatStack.layerHttpClient)
}

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

describe.each(Object.entries(transports))("the v1 guide over the %s", (_name, layer) => {
  it.live("create a client with the optional parameters", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const orgs = yield* collect(client.organizations.list())
      expect(orgs.map((o) => o.name)).toEqual(["Acme Security", "Acme Subsidiary 1"])
    }).pipe(Effect.provide(layer({ orgId: "5a0000010000000000000000", apiVersion: 1, timeout: 120 })))
  )

  it.live("list every resource type", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const agents = yield* collect(client.agents.list())
      expect(agents).toHaveLength(40)
      expect(agents[0]?.id).toMatch(/^[0-9a-f]{24}$/)
      expect(yield* collect(client.alerts.list())).toHaveLength(24 * 60)
      expect(yield* collect(client.logs.list())).toHaveLength(200)
      expect(yield* collect(client.organizations.list())).toHaveLength(2)
      expect(yield* collect(client.policies.list())).toHaveLength(3)
    }).pipe(Effect.provide(layer()))
  )

  it.live("time ranges: a date range, a date and time range, and Dates", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      // one alert an hour: May 2017 (31 days, both ends inclusive) holds 24 × 31
      const may = yield* collect(client.alerts.list({ start: "2017-05-01", end: "2017-05-31" }))
      expect(may).toHaveLength(24 * 31)
      const hour = yield* collect(client.alerts.list({ start: "2017-05-01 08:00:00", end: "2017-05-01 09:00:00" }))
      expect(hour.map((a) => DateTime.formatIso(a.created_at))).toEqual([
        "2017-05-01T09:00:00.000Z",
        "2017-05-01T08:00:00.000Z"
      ])
      const end = new Date(NOW - 1)
      const start = new Date(end.getTime() - 3 * 3_600_000)
      const recent = yield* collect(client.alerts.list({ start, end }))
      expect(recent).toHaveLength(3)
      for (const alert of recent) {
        expect(DateTime.toEpochMillis(alert.created_at)).toBeGreaterThanOrEqual(start.getTime())
      }
    }).pipe(Effect.provide(layer()))
  )

  it.live("pagination: page 2 of 10", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const all = yield* collect(client.agents.list())
      const page = yield* collect(client.agents.list({ page: 2, count: 10 }))
      expect(page).toEqual(all.slice(20, 30))
    }).pipe(Effect.provide(layer()))
  )

  it.live("field filters: hostname and IP address only", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const agents = yield* collect(client.agents.list({ fields: ["hostname", "ip_address"] }))
      expect(agents).toHaveLength(40)
      for (const agent of agents) expect(Object.keys(agent).sort()).toEqual(["hostname", "ip_address"])
      expect(agents[0]).toEqual({ hostname: "web-000.org0.internal", ip_address: "10.0.0.0" })
    }).pipe(Effect.provide(layer()))
  )

  it.live("get an agent, an alert, a policy; not found is None", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const [agentId, alertId, policyId] = [
        "a90000000000000000000007",
        "a10000000000000000000003",
        "b00000000000000000000002"
      ]
      expect(Option.map(yield* client.agents.get(agentId), (a) => a.id)).toEqual(Option.some(agentId))
      const alert = yield* client.alerts.get(alertId)
      expect(Option.map(alert, (a) => a.latest_events.length)).toEqual(Option.some(2))
      expect(Option.map(yield* client.policies.get(policyId), (p) => p.name)).toEqual(Option.some("Policy 2"))
      const missing = yield* client.agents.get("a9000000000000000000ffff")
      const said = Option.match(missing, { onNone: () => "Agent not found", onSome: (a) => a.hostname })
      expect(said).toBe("Agent not found")
    }).pipe(Effect.provide(layer()))
  )

  it.live("users of an organization", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const users = yield* client.organizations.users("5a0000010000000000000000")
      expect(users.map((u) => u.role)).toEqual(["owner", "user", "user", "user"])
      expect(users.every((u) => u.organization_id === "5a0000010000000000000000")).toBe(true)
    }).pipe(Effect.provide(layer()))
  )

  it.live("the closing example: alert ids from the last hour, then the details of each", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const now = new Date(NOW)
      const oneHourAgo = new Date(NOW - 3_600_000)
      const details = yield* client.alerts.list({ start: oneHourAgo, end: now, fields: ["id"] }).pipe(
        Stream.mapEffect((alert) => client.alerts.get(alert.id)),
        Stream.filterMap((detail) => detail),
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray),
        Effect.catchTag("ThreatStackAPIError", () =>
          Effect.succeed("The ThreatStack API returned an error response." as const)
        )
      )
      expect(typeof details).not.toBe("string")
      if (typeof details === "string") return
      expect(details).toHaveLength(1)
      expect(details[0]?.rule.original_rule.name).toBe(details[0]?.title.split(":")[0])
    }).pipe(Effect.provide(layer()))
  )

  it.live("the closing example's error branch: a wrong key is a ThreatStackAPIError", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const outcome = yield* Stream.runCollect(client.alerts.list({ fields: ["id"] })).pipe(
        Effect.as("listed"),
        Effect.catchTag("ThreatStackAPIError", (e) =>
          Effect.succeed(`The ThreatStack API returned an error response: ${e.reason}`)
        )
      )
      expect(outcome).toBe("The ThreatStack API returned an error response: Unauthorized")
    }).pipe(
      Effect.provide(
        _name === "in-memory fake"
          ? ThreatStack.layer({ apiKey: "wrong-api-key" }).pipe(Layer.provide(FakeThreatStack.layer(fake)))
          : FakeServer.layerWithClient(fake, { apiKey: "wrong-api-key" })
      )
    )
  )
})
