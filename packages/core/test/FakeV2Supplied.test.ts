/**
 * Records a user supplies in v1 form, as the fake's v2 serves them: the
 * defaults a sparse record gets (version, name, role, severity, action), the
 * module health only newer agents report, a dismissal a dismissed alert
 * carries, and a member's name from its parts or its e-mail.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { FakeThreatStack } from "@effect-threatstack/core"
import { call, withFake } from "./fakeCalls.js"
import { NOW } from "./utils.js"

const T = NOW - 86_400_000
const options: FakeThreatStack.Options = {
  now: NOW,
  data: [
    {
      organization: { id: "5a0000000000000000000000", name: "Acme", role: "owner" },
      agents: [
        { id: "ag1", hostname: "h1", online: true, version: "3.1.0", ip_address: "10.0.0.1" },
        { id: "ag2", hostname: "h2", online: false },
        { id: "ag3", hostname: "h3", name: "named", version: "1.9.0" }
      ],
      alerts: [
        { id: "al1", title: "dismissed", created_at: T, dismissed: true, key: "" },
        { id: "al2", title: "plain", created_at: T, key: "k", agent_id: "ag1" }
      ],
      users: [
        { id: "u1", email: "ada@example.com", name: { first: "Ada", last: "" } },
        { id: "u2", email: "bob@example.com" },
        { id: "u3", email: "eve@example.com", display_name: "Eve", role: "owner" }
      ],
      logs: [{ id: "l1", timestamp: T, action: "login", user: "ada@example.com" }]
    }
  ]
}

const health = (state: string) => ({
  isHealthy: true,
  dnsTracer: state,
  networkTracer: state,
  processSandbox: state
})

describe("the fake's v2 from supplied v1 records", () => {
  it.effect("agents: version, name and addresses from the record or their defaults; module health from 3.x on", () =>
    withFake(options, (fake) =>
      Effect.gen(function* () {
        const agent = (id: string) => Effect.map(call(fake, `agents/${id}`), (a) => a.json as Record<string, unknown>)
        expect(yield* agent("ag1")).toMatchObject({
          status: "online",
          version: "3.1.0",
          name: "h1",
          ipAddresses: { private: ["10.0.0.1"] },
          agentModuleHealth: health("HEALTHY")
        })
        expect(yield* agent("ag2")).toMatchObject({
          status: "offline",
          version: "2.4.0",
          createdAt: "1970-01-01T00:00:00.000Z",
          ipAddresses: { private: [] },
          agentModuleHealth: health("UNSUPPORTED")
        })
        expect(yield* agent("ag3")).toMatchObject({ name: "named", agentModuleHealth: health("UNSUPPORTED") })
      })
    )
  )

  it.effect("alerts: a dismissed one carries its dismissal; a key is an aggregate; severity 3 by default", () =>
    withFake(options, (fake) =>
      Effect.gen(function* () {
        const dismissed = (yield* call(fake, "alerts/al1")).json as Record<string, unknown>
        expect(dismissed).toMatchObject({ isDismissed: true, aggregates: [], agentId: null, severity: 3 })
        expect(["BUSINESS_OP", "COMPANY_POLICY", "MAINTENANCE", "OTHER"]).toContain(dismissed.dismissReason)
        expect(Date.parse(String(dismissed.dismissedAt))).toBeGreaterThan(T)
        const plain = (yield* call(fake, "alerts/al2")).json as Record<string, unknown>
        expect(plain).toMatchObject({
          isDismissed: false,
          dismissedAt: null,
          dismissReason: null,
          agentId: "ag1",
          aggregates: [{ fieldName: "key", fieldValue: "k" }]
        })
      })
    )
  )

  it.effect(
    "an alert without a severity is a 3 wherever v2 reads it: served, filtered, counted, dismissed by query",
    () =>
      withFake(options, (fake) =>
        Effect.gen(function* () {
          const ids = (query: string) =>
            Effect.map(
              call(fake, `alerts?${query}`),
              (a) => (a.json as { alerts: ReadonlyArray<{ id: string }> }).alerts
            )
          expect((yield* ids("status=active&severity=3")).map((a) => a.id)).toEqual(["al2"])
          expect(yield* ids("status=active&severity=1")).toEqual([])
          const counts = yield* call(fake, "alerts/severity-counts?status=active")
          expect(counts.json).toEqual({
            severityCounts: [
              { severity: 1, count: 0 },
              { severity: 2, count: 0 },
              { severity: 3, count: 1 }
            ]
          })
          const body = { from: "2017-01-01", until: "2017-06-01", severity: 3, dismissReason: "MAINTENANCE" }
          expect((yield* call(fake, "alerts/dismiss", { method: "POST", body })).status).toBe(200)
          expect(yield* ids("status=active")).toEqual([])
          expect((yield* ids("status=dismissed&severity=3")).map((a) => a.id)).toEqual(["al1", "al2"])
        })
      )
  )

  it.effect("members: a name from its parts, else the e-mail; role user by default; audit records from logs", () =>
    withFake(options, (fake) =>
      Effect.gen(function* () {
        const members = (
          (yield* call(fake, "organizations/members")).json as {
            members: ReadonlyArray<{ id: string; displayName: string; role: string }>
          }
        ).members
        expect(members.filter((m) => m.id.startsWith("u")).map((m) => [m.id, m.displayName, m.role])).toEqual([
          ["u1", "Ada", "user"],
          ["u2", "bob@example.com", "user"],
          ["u3", "Eve", "owner"]
        ])
        const recs = ((yield* call(fake, "auditlogs")).json as { recs: ReadonlyArray<Record<string, unknown>> }).recs
        expect(recs).toHaveLength(1)
        expect(recs[0]).toMatchObject({
          userEmail: "ada@example.com",
          crud: "read",
          action: "event.login",
          source: "ui",
          context: {}
        })
      })
    )
  )
})
