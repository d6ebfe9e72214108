/**
 * The fake's v2 in memory: requests signed by @hapi/hawk's client (never by
 * our own signer) sent to `fake.handle` and through `FakeThreatStack.httpClient`.
 */
import { HttpBody, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { FakeThreatStack } from "@effect-threatstack/core"
import { BASE, CREDENTIALS, ORG1, type Page, call, sign, v1, walk, withFake } from "./fakeCalls.js"
import { NOW } from "./utils.js"

interface V2Alert {
  readonly id: string
  readonly isDismissed: boolean
  readonly severity: number
  readonly createdAt: string
  readonly agentId: string | null
  readonly ruleId: string | null
  readonly rulesetId: string | null
  readonly dismissReason: string | null
  readonly dismissReasonText: string | null
  readonly dismissedBy: string | null
  readonly dismissedAt: string | null
}

describe("fake v2: Hawk", () => {
  it.effect("accepts requests signed by @hapi/hawk", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const answer = yield* call(fake, "agents?status=online")
        expect(answer.status).toBe(200)
        const [request] = yield* fake.requests
        expect(request).toMatchObject({
          generation: 2,
          method: "GET",
          path: "agents",
          query: "status=online",
          page: 0,
          hawk: true,
          headers: { authorization: "<redacted>" }
        })
      })
    )
  )

  it.effect("rejects a tampered query, a tampered body, a wrong key, an unknown id: 401 with errors", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const query = yield* call(fake, "agents?status=offline", { signedTarget: "agents?status=online" })
        expect([query.status, query.json]).toEqual([401, { errors: ["Bad mac"] }])
        const reordered = yield* call(fake, "agents?type=monitor&status=online", {
          signedTarget: "agents?status=online&type=monitor"
        })
        expect(reordered.status).toBe(401)
        const body = yield* call(fake, "rulesets", {
          method: "POST",
          body: { name: "tampered" },
          signedBody: JSON.stringify({ name: "signed" })
        })
        expect([body.status, body.json]).toEqual([401, { errors: ["Bad payload hash"] }])
        expect((yield* call(fake, "agents?status=online", { key: "not-the-key" })).status).toBe(401)
        const stranger = yield* call(fake, "agents?status=online", { id: "nobody" })
        expect(stranger.status).toBe(401)
        expect(stranger.json).toEqual({ errors: ["Unknown Hawk id 'nobody'"] })
        const none = yield* fake.handle({ method: "GET", url: new URL(`${BASE}/agents?status=online`), headers: {} })
        expect(none.status).toBe(401)
        expect((yield* fake.requests).map((r) => r.hawk)).toEqual([false, false, false, false, false, false])
        expect(yield* fake.requests).not.toContainEqual(expect.objectContaining({ hawk: true }))
      })
    )
  )

  it.effect("a stale timestamp (±60 s on Clock): 401 with Hawk's WWW-Authenticate", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        expect((yield* call(fake, "agents?status=online", { skew: 59 })).status).toBe(200)
        expect((yield* call(fake, "agents?status=online", { skew: -59 })).status).toBe(200)
        const stale = yield* call(fake, "agents?status=online", { skew: -61 })
        expect(stale.status).toBe(401)
        expect(stale.json).toEqual({ errors: ["Stale timestamp"] })
        const challenge = stale.headers["www-authenticate"] ?? ""
        expect(challenge).toMatch(/^Hawk ts="\d+", tsm="[^"]+", error="Stale timestamp"$/)
        expect(challenge).toContain(`ts="${NOW / 1000}"`)
        // the clock moves, the same signed time goes stale
        const signedNow = yield* sign(`${BASE}/agents?status=online`, "GET", {}, undefined)
        yield* TestClock.adjust("61 seconds")
        const late = yield* fake.handle({
          method: "GET",
          url: new URL(`${BASE}/agents?status=online`),
          headers: { authorization: signedNow }
        })
        expect(late.status).toBe(401)
      })
    )
  )

  it.effect("ext: an organization the user is not in is 403; another of theirs is served", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const other = yield* call(fake, "agents?status=online", { ext: "5affffff0000000000000000" })
        expect(other.status).toBe(403)
        expect((yield* call(fake, "agents?status=online", { ext: undefined })).status).toBe(403)
        const second = yield* call(fake, "agents/a90000010000000000000000", { ext: ORG1 })
        expect([second.status, (second.json as { id: string }).id]).toEqual([200, "a90000010000000000000000"])
        // the user leaves organization 1: 403 there from then on, in both generations
        expect(
          (yield* call(fake, `organizations/members/${CREDENTIALS.userId}`, { method: "DELETE", ext: ORG1 })).status
        ).toBe(204)
        expect((yield* call(fake, "agents?status=online", { ext: ORG1 })).status).toBe(403)
        expect(
          (yield* v1(fake, "agents", { authorization: FakeThreatStack.defaultApiKey, organization: ORG1 })).status
        ).toBe(403)
        expect((yield* call(fake, "agents?status=online")).status).toBe(200)
      })
    )
  )

  it.effect("attributes in mohawk's order (mac, hash, id, ts, nonce, ext) are accepted", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const mohawkOrder = (header: string) => {
          const attributes = new Map(
            [...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? "", m[2] ?? ""] as const)
          )
          return `Hawk ${["mac", "hash", "id", "ts", "nonce", "ext"]
            .filter((name) => attributes.has(name))
            .map((name) => `${name}="${attributes.get(name)}"`)
            .join(", ")}`
        }
        const get = yield* call(fake, "agents?status=online", { rewrite: mohawkOrder })
        expect(get.status).toBe(200)
        const post = yield* call(fake, "rulesets", {
          method: "POST",
          body: { name: "Signed by mohawk", ruleIds: [] },
          rewrite: (header) => {
            const reordered = mohawkOrder(header)
            expect(reordered).toMatch(/^Hawk mac="[^"]+", hash="[^"]+", id=/)
            return reordered
          }
        })
        expect(post.status).toBe(200)
      })
    )
  )

  it.effect(
    "the in-memory HttpClient passes the raw target and the body bytes (Uint8Array and Raw string bodies)",
    () =>
      withFake({}, (fake) =>
        Effect.gen(function* () {
          const http = FakeThreatStack.httpClient(fake)
          const body = JSON.stringify({ name: "Through the HttpClient", description: "é ✓" })
          const url = `${BASE}/rulesets`
          const header = yield* sign(url, "POST", {}, body)
          const bytes = yield* http.execute(
            HttpClientRequest.post(url).pipe(
              HttpClientRequest.setHeader("authorization", header),
              HttpClientRequest.bodyText(body, "application/json")
            )
          )
          expect(bytes.status).toBe(200)
          const raw = JSON.stringify({ name: "Raw string body" })
          const rawHeader = yield* sign(url, "POST", {}, raw)
          const rawResponse = yield* http.execute(
            HttpClientRequest.post(url).pipe(
              HttpClientRequest.setHeader("authorization", rawHeader),
              HttpClientRequest.setBody(HttpBody.raw(raw, { contentType: "application/json" }))
            )
          )
          expect(rawResponse.status).toBe(200)
          const query = `${BASE}/alerts?status=active&from=2017-05-31T08%3A00%3A00Z`
          const get = yield* http.execute(
            HttpClientRequest.get(query).pipe(
              HttpClientRequest.setHeader("authorization", yield* sign(query, "GET", {}, undefined))
            )
          )
          expect(get.status).toBe(200)
          const names = (yield* call(fake, "rulesets")).json as {
            rulesets: ReadonlyArray<{ name: string; description: string }>
          }
          expect(names.rulesets.map((r) => r.name)).toContain("Through the HttpClient")
          expect(names.rulesets.find((r) => r.name === "Through the HttpClient")?.description).toBe("é ✓")
        })
      )
  )
})

describe("fake v2: one organization, two generations", () => {
  it.effect("an alert dismissed through v2 reads dismissed: true in v1", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const active = ((yield* call(fake, "alerts?status=active")).json as Page<"alerts", V2Alert>).alerts
        const [first, second] = active
        const before = (yield* v1(fake, `alerts/${first!.id}`)).json as { dismissed: boolean; active: boolean }
        expect([before.dismissed, before.active]).toEqual([false, true])
        const dismissed = yield* call(fake, "alerts/dismiss", {
          method: "POST",
          body: { ids: [first!.id, second!.id], dismissReason: "OTHER", dismissReasonText: "planned pen test" }
        })
        expect([dismissed.status, dismissed.json]).toEqual([200, {}])
        const after = (yield* v1(fake, `alerts/${first!.id}`)).json as { dismissed: boolean; active: boolean }
        expect([after.dismissed, after.active]).toEqual([true, false])
        const listed = (yield* v1(fake, "alerts?count=100")).json as ReadonlyArray<{ id: string; dismissed: boolean }>
        expect(listed.find((a) => a.id === second!.id)?.dismissed).toBe(true)
        const v2 = (yield* call(fake, `alerts/${first!.id}`)).json as V2Alert
        expect(v2).toMatchObject({
          isDismissed: true,
          dismissReason: "OTHER",
          dismissReasonText: "planned pen test",
          dismissedBy: CREDENTIALS.userId,
          dismissedAt: new Date(NOW).toISOString()
        })
        const stillActive = ((yield* call(fake, "alerts?status=active")).json as Page<"alerts", V2Alert>).alerts
        expect(stillActive.map((a) => a.id)).not.toContain(first!.id)
      })
    )
  )

  it.effect("the same agents and alerts, camelCase with ISO strings", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const [agent1] = (yield* v1(fake, "agents?count=1")).json as ReadonlyArray<Record<string, unknown>>
        const agent2 = (yield* call(fake, `agents/${agent1!.id}`)).json as Record<string, unknown>
        expect(Object.keys(agent2).sort()).toEqual(
          [
            "id",
            "instanceId",
            "status",
            "createdAt",
            "lastReportedAt",
            "version",
            "name",
            "description",
            "hostname",
            "ipAddresses",
            "tags",
            "agentType",
            "osVersion",
            "kernel",
            "agentModuleHealth",
            "isContainerAgent"
          ].sort()
        )
        expect(agent2).toMatchObject({
          id: agent1!.id,
          hostname: agent1!.hostname,
          createdAt: agent1!.created_at,
          status: agent1!.online ? "online" : "offline"
        })
        const [alert1] = (yield* v1(fake, "alerts?count=1")).json as ReadonlyArray<Record<string, unknown>>
        const alert2 = (yield* call(fake, `alerts/${alert1!.id}`)).json as Record<string, unknown>
        expect(Object.keys(alert2).sort()).toEqual(
          [
            "id",
            "title",
            "dataSource",
            "createdAt",
            "isDismissed",
            "dismissedAt",
            "dismissReason",
            "dismissReasonText",
            "dismissedBy",
            "severity",
            "agentId",
            "ruleId",
            "rulesetId",
            "aggregates"
          ].sort()
        )
        expect(alert2).toMatchObject({
          id: alert1!.id,
          title: alert1!.title,
          severity: alert1!.severity,
          createdAt: new Date(alert1!.created_at as number).toISOString(),
          isDismissed: alert1!.dismissed,
          agentId: alert1!.agent_id,
          ruleId: alert1!.rule_id,
          rulesetId: alert1!.alert_policy_id
        })
      })
    )
  )

  it.effect("members are the organization's users; a member added or removed is seen by v1", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const users = (yield* v1(fake, `organizations/${CREDENTIALS.orgId}/users`)).json as ReadonlyArray<{
          id: string
        }>
        const members = (yield* call(fake, "organizations/members")).json as {
          members: ReadonlyArray<Record<string, unknown>>
        }
        expect(Object.keys(members)).toEqual(["members"])
        expect(members.members.map((m) => m.id)).toEqual(users.map((u) => u.id))
        expect(members.members.map((m) => m.id)).toContain(CREDENTIALS.userId)
        expect(typeof members.members[0]!.lastAuthenticatedAt).toBe("number")
        expect(Object.keys(members.members[0]!).sort()).toEqual(
          [
            "id",
            "displayName",
            "email",
            "lastAuthenticatedAt",
            "role",
            "ssoEnabled",
            "mfaEnabled",
            "userEnabled"
          ].sort()
        )
        const enabled = (yield* call(fake, "organizations/members?enabledOnly=true")).json as {
          members: ReadonlyArray<{ userEnabled: boolean }>
        }
        expect(enabled.members.every((m) => m.userEnabled)).toBe(true)
        // the key holder is a member of organization 1 too (a user there)
        const inOrg1 = (yield* call(fake, "organizations/members", { ext: ORG1 })).json as {
          members: ReadonlyArray<{ id: string; role: string }>
        }
        expect(inOrg1.members.find((m) => m.id === CREDENTIALS.userId)?.role).toBe("user")
        // someone of organization 1 joins organization 0
        const newcomer = inOrg1.members.find((m) => !users.some((u) => u.id === m.id))!
        const taken = yield* call(fake, "organizations/members", {
          method: "POST",
          body: { id: users[1]!.id, role: "user" }
        })
        expect([taken.status, taken.json]).toEqual([409, { errors: ["Resource already exists"] }])
        const added = yield* call(fake, "organizations/members", {
          method: "POST",
          body: { id: newcomer.id, role: "reader" }
        })
        expect(added.status).toBe(200)
        expect(added.json).toMatchObject({ id: newcomer.id, role: "reader" })
        const usersAfter = (yield* v1(fake, `organizations/${CREDENTIALS.orgId}/users`)).json as ReadonlyArray<{
          id: string
          role: string
          organization_id: string
        }>
        expect(usersAfter.find((u) => u.id === newcomer.id)).toMatchObject({
          role: "reader",
          organization_id: CREDENTIALS.orgId
        })
        const removed = yield* call(fake, `organizations/members/${newcomer.id}`, { method: "DELETE" })
        expect([removed.status, removed.body]).toEqual([204, ""])
        expect(
          ((yield* v1(fake, `organizations/${CREDENTIALS.orgId}/users`)).json as ReadonlyArray<{ id: string }>).map(
            (u) => u.id
          )
        ).toEqual(users.map((u) => u.id))
        expect((yield* call(fake, `organizations/members/${newcomer.id}`, { method: "DELETE" })).status).toBe(404)
        expect(
          (yield* call(fake, "organizations/members", {
            method: "POST",
            body: { id: "ee00000000000000deadbeef", role: "user" }
          })).status
        ).toBe(404)
        expect(
          (yield* call(fake, "organizations/members", { method: "POST", body: { id: newcomer.id, role: "admin" } }))
            .status
        ).toBe(400)
        // a user (not an owner) may not make owners
        const owner = yield* call(fake, "organizations/members", {
          method: "POST",
          body: { id: users[2]!.id, role: "owner" },
          ext: ORG1
        })
        expect(owner.status).toBe(403)
      })
    )
  )

  it.effect("invites by POST or PUT", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        for (const method of ["POST", "PUT"]) {
          const invite = yield* call(fake, "organizations/invites", {
            method,
            body: { email: "new@example.com", role: "user" }
          })
          expect([invite.status, invite.json]).toEqual([
            200,
            { sentToEmail: "new@example.com", role: "user", status: "pending" }
          ])
        }
        expect(
          (yield* call(fake, "organizations/invites", { method: "POST", body: { email: "nope", role: "user" } })).status
        ).toBe(400)
      })
    )
  )
})

describe("fake v2: listings", () => {
  it.effect("agents: status required (400), filters, pages ending with a null token", () =>
    withFake({ counts: { agents: 230 } }, (fake) =>
      Effect.gen(function* () {
        const missing = yield* call(fake, "agents")
        expect([missing.status, missing.json]).toEqual([400, { errors: ["status is required: online or offline"] }])
        expect((yield* call(fake, "agents?status=paused")).status).toBe(400)
        expect((yield* call(fake, "agents?status=online&type=robot")).status).toBe(400)
        const online = yield* walk<{ status: string; agentType: string }>(fake, "agents", "status=online", "agents")
        const offline = yield* walk<{ status: string }>(fake, "agents", "status=offline", "agents", true)
        expect(
          online
            .map((p) => p.length)
            .slice(0, -1)
            .every((n) => n === 100)
        ).toBe(true)
        expect(online.flat().length + offline.flat().length).toBe(230)
        expect(online.flat().every((a) => a.status === "online")).toBe(true)
        const monitors = (yield* walk<{ agentType: string }>(
          fake,
          "agents",
          "status=online&type=monitor",
          "agents"
        )).flat()
        expect(monitors.length).toBe(online.flat().filter((a) => a.agentType === "monitor").length)
        const host = (online.flat()[3] as unknown as { hostname: string }).hostname
        const one = (
          (yield* call(fake, `agents?status=online&hostname=${host}`)).json as Page<"agents", { hostname: string }>
        ).agents
        expect(one.map((a) => a.hostname)).toEqual([host])
        expect((yield* call(fake, "agents/a9000000ffffffffffffffff")).status).toBe(404)
      })
    )
  )

  it.effect("alerts: status required, severity 1–3, from/until in every form, token with or without the filters", () =>
    withFake({ counts: { alerts: 24 * 60 }, span: "60 days" }, (fake) =>
      Effect.gen(function* () {
        expect((yield* call(fake, "alerts")).status).toBe(400)
        expect((yield* call(fake, "alerts?status=all")).status).toBe(400)
        expect((yield* call(fake, "alerts?status=active&severity=4")).status).toBe(400)
        const withFilters = yield* walk<V2Alert>(fake, "alerts", "status=active&severity=2", "alerts", true)
        const tokenOnly = yield* walk<V2Alert>(fake, "alerts", "status=active&severity=2", "alerts")
        expect(tokenOnly).toEqual(withFilters)
        expect(withFilters.length).toBeGreaterThan(2)
        expect(withFilters.slice(0, -1).every((p) => p.length === 100)).toBe(true)
        const all = withFilters.flat()
        expect(all.every((a) => a.severity === 2 && !a.isDismissed)).toBe(true)
        const v1All = (yield* v1(fake, "alerts?count=2000")).json as ReadonlyArray<{
          severity: number
          dismissed: boolean
        }>
        expect(all.length).toBe(v1All.filter((a) => a.severity === 2 && !a.dismissed).length)
        // one an hour, the newest at NOW - 1 h: the same slice in every form
        const forms = [
          "from=2017-05-31T08&until=2017-05-31T10",
          "from=2017-05-31T08:00&until=2017-05-31T10:59",
          "from=2017-05-31T08:00:00&until=2017-05-31T10:00:00",
          "from=2017-05-31T08:00:00.000Z&until=2017-05-31T10:00:00.5Z",
          "from=2017-05-31T10:00:00%2B02:00&until=2017-05-31T12:00:00.123456%2B02:00",
          "from=2017-05-31+08:00:00&until=2017-05-31+10:00:00"
        ]
        for (const range of forms) {
          const answer = yield* call(fake, `alerts?status=active&${range}`)
          const dismissedToo = yield* call(fake, `alerts?status=dismissed&${range}`)
          const times = [
            ...(answer.json as Page<"alerts", V2Alert>).alerts,
            ...(dismissedToo.json as Page<"alerts", V2Alert>).alerts
          ]
            .map((a) => a.createdAt)
            .sort()
          expect(times, range).toEqual([
            "2017-05-31T08:00:00.000Z",
            "2017-05-31T09:00:00.000Z",
            "2017-05-31T10:00:00.000Z"
          ])
        }
        const day = yield* walk<V2Alert>(fake, "alerts", "status=active&from=2017-05-31&until=2017-05-31", "alerts")
        const dayDismissed = yield* walk<V2Alert>(fake, "alerts", "status=dismissed&from=2017-05-31", "alerts")
        expect(day.flat().length + dayDismissed.flat().length).toBe(24)
        const backwards = yield* call(fake, "alerts?status=active&from=2017-05-31&until=2017-05-30")
        expect(backwards.status).toBe(400)
        expect((yield* call(fake, "alerts?status=active&from=31-05-2017")).status).toBe(400)
        expect((yield* call(fake, "alerts?status=active&from=2017-02-30")).status).toBe(400)
        expect((yield* call(fake, "alerts?status=active&token=not-a-token")).status).toBe(400)
        const agentsToken = ((yield* call(fake, "agents?status=online&")).json as Page<"agents", object>).token
        expect(agentsToken).toBeNull()
      })
    )
  )

  it.effect("alerts by agent, rule and ruleset; every alert's rule and ruleset exist; events; severity counts", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const alerts = (yield* walk<V2Alert>(fake, "alerts", "status=active", "alerts")).flat()
        const rulesets = (
          (yield* call(fake, "rulesets")).json as {
            rulesets: ReadonlyArray<{ id: string; rules: ReadonlyArray<string> }>
          }
        ).rulesets
        expect(rulesets).toHaveLength(4)
        for (const alert of alerts) {
          const ruleset = rulesets.find((r) => r.id === alert.rulesetId)
          expect(ruleset?.rules).toContain(alert.ruleId)
        }
        const sample = alerts[7]!
        for (const [param, field] of [
          ["agentId", "agentId"],
          ["ruleId", "ruleId"],
          ["rulesetId", "rulesetId"]
        ] as const) {
          const found = (yield* walk<V2Alert>(
            fake,
            "alerts",
            `status=active&${param}=${sample[field]}`,
            "alerts"
          )).flat()
          expect(found.length).toBe(alerts.filter((a) => a[field] === sample[field]).length)
        }
        const rule = (yield* call(fake, `rulesets/${sample.rulesetId}/rules/${sample.ruleId}`)).json as { id: string }
        expect(rule.id).toBe(sample.ruleId)
        const events = (yield* call(fake, `alerts/${sample.id}/events`)).json as { events: ReadonlyArray<object> }
        expect(events.events.length).toBeGreaterThan(0)
        expect((yield* call(fake, "alerts/a1000000ffffffffffffffff/events")).status).toBe(404)
        const counts = (yield* call(fake, "alerts/severity-counts")).json as {
          severityCounts: ReadonlyArray<{ severity: number; count: number }>
        }
        expect(counts.severityCounts.map((c) => c.severity)).toEqual([1, 2, 3])
        expect(counts.severityCounts.reduce((n, c) => n + c.count, 0)).toBe(500)
        const activeCounts = (yield* call(fake, "alerts/severity-counts?status=active")).json as {
          severityCounts: ReadonlyArray<{ count: number }>
        }
        expect(activeCounts.severityCounts.reduce((n, c) => n + c.count, 0)).toBe(alerts.length)
      })
    )
  )

  it.effect("dismiss: by ids (max 512, OTHER needs text, unknown ids 404) and by query (ruleID/agentID accepted)", () =>
    withFake({ counts: { alerts: 800 } }, (fake) =>
      Effect.gen(function* () {
        const dismiss = (body: unknown) => call(fake, "alerts/dismiss", { method: "POST", body })
        expect((yield* dismiss({ ids: ["x"], dismissReason: "OTHER" })).status).toBe(400)
        expect((yield* dismiss({ ids: ["x"], dismissReason: "BORED" })).status).toBe(400)
        expect((yield* dismiss({ ids: [], dismissReason: "MAINTENANCE" })).status).toBe(400)
        const tooMany = Array.from({ length: 513 }, (_, i) => `a1000000${i.toString(16).padStart(16, "0")}`)
        expect((yield* dismiss({ ids: tooMany, dismissReason: "MAINTENANCE" })).status).toBe(400)
        expect((yield* dismiss({ ids: tooMany.slice(0, 512), dismissReason: "MAINTENANCE" })).status).toBe(200)
        const unknown = yield* dismiss({ ids: ["a1000000ffffffffffffffff"], dismissReason: "MAINTENANCE" })
        expect(unknown.status).toBe(404)
        expect((yield* dismiss({ dismissReason: "MAINTENANCE" })).status).toBe(400)
        expect((yield* call(fake, "alerts/dismiss", { method: "POST", body: "{not json" })).status).toBe(400)
        // everything left is the older alerts: dismiss by query what one rule raised on one agent
        const older = (yield* walk<V2Alert>(fake, "alerts", "status=active", "alerts")).flat()
        const target = older[0]!
        const matching = older.filter((a) => a.ruleId === target.ruleId && a.agentId === target.agentId)
        const byQuery = yield* dismiss({
          from: "2017-01-01",
          until: "2017-06-01T00:00:00Z",
          ruleID: target.ruleId,
          agentID: target.agentId,
          dismissReason: "BUSINESS_OP"
        })
        expect([byQuery.status, byQuery.json]).toEqual([200, {}])
        const left = (yield* walk<V2Alert>(fake, "alerts", "status=active", "alerts")).flat()
        expect(left.length).toBe(older.length - matching.length)
        const dismissed = (yield* walk<V2Alert>(
          fake,
          "alerts",
          `status=dismissed&ruleId=${target.ruleId}&agentId=${target.agentId}`,
          "alerts"
        )).flat()
        expect(
          dismissed
            .filter((a) => a.dismissReason === "BUSINESS_OP")
            .map((a) => a.id)
            .sort()
        ).toEqual(matching.map((a) => a.id).sort())
      })
    )
  )

  it.effect(
    "vulnerabilities: status=active or active=true, agentId (404 without data), notices; a CVE and its servers",
    () =>
      withFake({}, (fake) =>
        Effect.gen(function* () {
          type Cve = {
            cveNumber: string
            agents: ReadonlyArray<{ agentId: string }>
            securityNotices: ReadonlyArray<string>
          }
          const all = (yield* walk<Cve>(fake, "vulnerabilities", "", "cves")).flat()
          expect(all).toHaveLength(40)
          const byStatus = (yield* walk<Cve>(fake, "vulnerabilities", "status=active", "cves")).flat()
          const byFlag = (yield* walk<Cve>(fake, "vulnerabilities", "active=true", "cves")).flat()
          const pythonFlag = (yield* walk<Cve>(fake, "vulnerabilities", "active=True", "cves")).flat()
          expect(byFlag).toEqual(byStatus)
          expect(pythonFlag).toEqual(byStatus)
          expect(byStatus.every((c) => c.agents.length > 0)).toBe(true)
          expect(byStatus.length).toBeLessThan(all.length)
          const notices = (yield* walk<Cve>(fake, "vulnerabilities", "hasSecurityNotices=true", "cves")).flat()
          expect(notices.length).toBe(all.filter((c) => c.securityNotices.length > 0).length)
          const agentId = all[0]!.agents[0]!.agentId
          const ofAgent = (yield* walk<Cve>(fake, "vulnerabilities", `agentId=${agentId}`, "cves")).flat()
          expect(ofAgent.length).toBe(all.filter((c) => c.agents.some((a) => a.agentId === agentId)).length)
          const clean = yield* call(fake, "vulnerabilities?agentId=a90000000000000000000004")
          expect(clean.status).toBe(404)
          const one = yield* call(fake, `vulnerabilities/${all[0]!.cveNumber}`)
          expect(one.json).toEqual(all[0])
          const servers = (yield* call(fake, `vulnerabilities/${all[0]!.cveNumber}/servers`)).json as Page<
            "servers",
            { agentId: string; hostname: string }
          >
          expect(servers.token).toBeNull()
          expect(servers.servers.map((s) => s.agentId)).toEqual(all[0]!.agents.map((a) => a.agentId))
          expect((yield* call(fake, "vulnerabilities/CVE-1999-0001")).status).toBe(404)
          const suppressions = (yield* call(fake, "vulnerabilities/suppressions")).json as Page<
            "suppressions",
            { isSuppressed: boolean }
          >
          expect(suppressions.suppressions.length).toBeGreaterThan(0)
          expect(suppressions.suppressions.every((s) => s.isSuppressed)).toBe(true)
        })
      )
  )

  it.effect("aws/ec2 with or without the trailing slash: monitored, verbose, servers envelope", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        type Server = { id: string; monitored: boolean; agents?: ReadonlyArray<{ id: string }> }
        const plain = (yield* call(fake, "aws/ec2")).json as Page<"servers", Server>
        const slash = (yield* call(fake, "aws/ec2/")).json as Page<"servers", Server>
        expect(slash).toEqual(plain)
        expect(plain.servers).toHaveLength(30)
        expect(plain.token).toBeNull()
        const monitored = (yield* call(fake, "aws/ec2?monitored=true&verbose=true")).json as Page<"servers", Server>
        expect(monitored.servers).toHaveLength(25)
        expect(monitored.servers.every((s) => s.monitored && s.agents?.length === 1)).toBe(true)
        const agent = (yield* call(fake, `agents/${monitored.servers[0]!.agents![0]!.id}`)).json as {
          instanceId: string
        }
        expect(agent.instanceId).toBe(monitored.servers[0]!.id)
        const unmonitored = (yield* call(fake, "aws/ec2?monitored=false")).json as Page<"servers", Server>
        expect(unmonitored.servers.map((s) => s.monitored)).toEqual([false, false, false, false, false])
        expect(plain.servers.every((s) => s.agents === undefined)).toBe(true)
      })
    )
  )

  it.effect("audit logs: 50 a page, recs, the last 30 days by default, operation and user filters", () =>
    withFake({ counts: { logs: 300 }, span: "60 days" }, (fake) =>
      Effect.gen(function* () {
        type Rec = { id: string; eventTime: string; crud: string; userEmail: string; userId: string }
        const recent = yield* walk<Rec>(fake, "auditlogs", "", "recs")
        expect(recent.slice(0, -1).every((p) => p.length === 50)).toBe(true)
        expect(recent.flat().length).toBe(150)
        const everything = (yield* walk<Rec>(fake, "auditlogs", "from=2017-01-01", "recs")).flat()
        expect(everything).toHaveLength(300)
        const times = everything.map((r) => r.eventTime)
        expect([...times].sort().reverse()).toEqual(times)
        const deletes = (yield* walk<Rec>(fake, "auditlogs", "from=2017-01-01&operation=delete", "recs")).flat()
        expect(deletes.length).toBe(everything.filter((r) => r.crud === "delete").length)
        const email = everything[0]!.userEmail
        const byEmail = (yield* walk<Rec>(
          fake,
          "auditlogs",
          `from=2017-01-01&userEmail=${encodeURIComponent(email)}`,
          "recs"
        )).flat()
        expect(byEmail.length).toBe(everything.filter((r) => r.userEmail === email).length)
        const byId = (yield* walk<Rec>(
          fake,
          "auditlogs",
          `from=2017-01-01&userID=${everything[0]!.userId}`,
          "recs"
        )).flat()
        expect(byId).toEqual(byEmail)
        expect((yield* call(fake, "auditlogs?from=2017-05-02&until=2017-05-01")).status).toBe(400)
      })
    )
  )
})

describe("fake v2: rulesets, rules, tags", () => {
  it.effect("rulesets: create (409 on a taken name, 404 on unknown ruleIds, 400 on a bad body), get, put, delete", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        type Ruleset = {
          id: string
          name: string
          description: string
          rules: ReadonlyArray<string>
          createdAt: string
          updatedAt: string
        }
        const [base] = ((yield* call(fake, "rulesets")).json as { rulesets: ReadonlyArray<Ruleset> }).rulesets
        const created = yield* call(fake, "rulesets", {
          method: "POST",
          body: { name: "API Test Ruleset", description: "x", ruleIds: base!.rules }
        })
        expect(created.status).toBe(200)
        const ruleset = created.json as Ruleset
        expect(Object.keys(ruleset).sort()).toEqual(["createdAt", "description", "id", "name", "rules", "updatedAt"])
        expect(ruleset).toMatchObject({ name: "API Test Ruleset", description: "x", rules: base!.rules })
        const taken = yield* call(fake, "rulesets", { method: "POST", body: { name: "API Test Ruleset" } })
        expect([taken.status, taken.json]).toEqual([409, { errors: ["Resource already exists"] }])
        const unknownRule = yield* call(fake, "rulesets", {
          method: "POST",
          body: { name: "Other", ruleIds: ["nope"] }
        })
        expect(unknownRule.status).toBe(404)
        for (const body of [{ name: "" }, { name: "x".repeat(201) }, { name: "ok", colour: "red" }, "[]", "{oops"]) {
          expect((yield* call(fake, "rulesets", { method: "POST", body })).status).toBe(400)
        }
        expect((yield* call(fake, "rulesets", { method: "POST", body: { name: "x".repeat(200) } })).status).toBe(200)
        expect((yield* call(fake, `rulesets/${ruleset.id}`)).json).toEqual(ruleset)
        const renamed = yield* call(fake, `rulesets/${ruleset.id}`, {
          method: "PUT",
          body: { name: "Renamed", description: "y", ruleIds: [] }
        })
        expect(renamed.json).toMatchObject({ id: ruleset.id, name: "Renamed", rules: [], createdAt: ruleset.createdAt })
        const clash = yield* call(fake, `rulesets/${ruleset.id}`, { method: "PUT", body: { name: base!.name } })
        expect(clash.status).toBe(409)
        expect((yield* call(fake, `rulesets/${ruleset.id}`, { method: "DELETE" })).status).toBe(200)
        expect((yield* call(fake, `rulesets/${ruleset.id}`)).status).toBe(404)
        // filtered by agent: the ruleset of its policy; 404 when there is none
        const [agent] = (yield* v1(fake, "agents?count=1")).json as ReadonlyArray<{ id: string; policy_id: string }>
        const forAgent = (yield* call(fake, `rulesets?agentId=${agent!.id}`)).json as {
          rulesets: ReadonlyArray<Ruleset>
        }
        expect(forAgent.rulesets.map((r) => r.id)).toEqual([agent!.policy_id])
        expect((yield* call(fake, "rulesets?agentId=a9000000ffffffffffffffff")).status).toBe(404)
      })
    )
  )

  it.effect("rules: list, create, get, put (alertDescription 1–300, required on put: the server's words), delete", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const words =
          "Validation failed: body has invalid alertDescription value.  Must be between 1 and 300 characters long."
        const [ruleset] = (
          (yield* call(fake, "rulesets")).json as {
            rulesets: ReadonlyArray<{ id: string; rules: ReadonlyArray<string> }>
          }
        ).rulesets
        const listed = (yield* call(fake, `rulesets/${ruleset!.id}/rules`)).json as {
          rules: ReadonlyArray<{ id: string; rulesetId: string }>
        }
        expect(Object.keys(listed)).toEqual(["rules"])
        expect(listed.rules.map((r) => r.id)).toEqual(ruleset!.rules)
        const body = {
          name: "API Test Rule: Sudo Usage",
          title: "API Test Rule: Sudo Usage",
          type: "host",
          severityOfAlerts: 2,
          aggregateFields: ["user", "session"],
          filter: "command = 'sudo'",
          window: 3600,
          threshold: 1,
          suppressions: ["user = 'alice' OR user = 'bob'"],
          enabled: true
        }
        const created = yield* call(fake, `rulesets/${ruleset!.id}/rules`, { method: "POST", body })
        expect(created.status).toBe(200)
        const rule = created.json as {
          id: string
          rulesetId: string
          type: string
          createdAt: string
          updatedAt: string
        }
        expect(rule).toMatchObject({ rulesetId: ruleset!.id, type: "Host", severityOfAlerts: 2 })
        expect((yield* call(fake, `rulesets/${ruleset!.id}`)).json).toMatchObject({
          rules: [...ruleset!.rules, rule.id]
        })
        for (const alertDescription of ["", "x".repeat(301), 42]) {
          const bad = yield* call(fake, `rulesets/${ruleset!.id}/rules`, {
            method: "POST",
            body: { ...body, alertDescription }
          })
          expect([bad.status, bad.json]).toEqual([400, { errors: [words] }])
        }
        const noDescription = yield* call(fake, `rulesets/${ruleset!.id}/rules/${rule.id}`, { method: "PUT", body })
        expect([noDescription.status, noDescription.json]).toEqual([400, { errors: [words] }])
        const put = yield* call(fake, `rulesets/${ruleset!.id}/rules/${rule.id}`, {
          method: "PUT",
          body: { ...body, alertDescription: "x".repeat(300), threshold: 3 }
        })
        expect(put.status).toBe(200)
        expect(put.json).toMatchObject({ id: rule.id, threshold: 3, createdAt: rule.createdAt })
        expect((yield* call(fake, `rulesets/${ruleset!.id}/rules/${rule.id}`)).json).toEqual(put.json)
        expect(
          (yield* call(fake, `rulesets/${ruleset!.id}/rules`, {
            method: "POST",
            body: { ...body, aggregateFields: ["rule_id"] }
          })).status
        ).toBe(400)
        expect(
          (yield* call(fake, `rulesets/${ruleset!.id}/rules`, { method: "POST", body: { ...body, type: "Nope" } }))
            .status
        ).toBe(400)
        expect((yield* call(fake, `rulesets/${ruleset!.id}/rules/${rule.id}`, { method: "DELETE" })).json).toEqual({})
        expect((yield* call(fake, `rulesets/${ruleset!.id}/rules/${rule.id}`)).status).toBe(404)
        expect((yield* call(fake, `rulesets/${ruleset!.id}`)).json).toMatchObject({ rules: ruleset!.rules })
      })
    )
  )

  it.effect("rule tags: get (404 'No tags found for rule'), post, get again", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        // the generated rules with an even index have tags; ruleset 0 holds rules 0 and 4, ruleset 1 rules 1 and 5
        const [even, odd] = (
          (yield* call(fake, "rulesets")).json as { rulesets: ReadonlyArray<{ rules: ReadonlyArray<string> }> }
        ).rulesets
        const tagged = even!.rules[0]
        const untagged = odd!.rules[0]
        const tags = (yield* call(fake, `rules/${tagged}/tags`)).json as { inclusion: ReadonlyArray<object> }
        expect(tags.inclusion.length).toBeGreaterThan(0)
        const none = yield* call(fake, `rules/${untagged}/tags`)
        expect(none.status).toBe(404)
        expect((none.json as { errors: ReadonlyArray<string> }).errors[0]).toContain("No tags found for rule")
        const set = { inclusion: [{ source: "ec2", key: "Team", value: "blue" }], exclusion: [] }
        const posted = yield* call(fake, `rules/${untagged}/tags`, { method: "POST", body: set })
        expect([posted.status, posted.json]).toEqual([200, set])
        expect((yield* call(fake, `rules/${untagged}/tags`)).json).toEqual(set)
        expect(
          (yield* call(fake, `rules/${untagged}/tags`, { method: "POST", body: { inclusion: [{ key: 1 }] } })).status
        ).toBe(400)
        expect((yield* call(fake, "rules/nope/tags")).status).toBe(404)
        // only the ids it issued, exactly: one with more around it, or another organization's, is unknown
        for (const id of [`x${tagged}`, `${tagged}0`, `00000001${tagged?.slice(8)}`]) {
          expect((yield* call(fake, `rules/${id}/tags`)).status).toBe(404)
        }
      })
    )
  )
})

describe("fake v2: a million alerts", () => {
  it.effect("a dismissal by query is kept as the query: a million alerts dismissed at once, read anywhere", () =>
    withFake({ counts: { alerts: 1_000_000 } }, (fake) =>
      Effect.gen(function* () {
        const dismissed = yield* call(fake, "alerts/dismiss", {
          method: "POST",
          body: { from: "2017-01-01", until: "2017-06-01", dismissReason: "MAINTENANCE" }
        })
        expect(dismissed.status).toBe(200)
        const deep = (yield* v1(fake, "alerts?page=9999&count=100")).json as ReadonlyArray<{ dismissed: boolean }>
        expect(deep).toHaveLength(100)
        expect(deep.every((a) => a.dismissed)).toBe(true)
        const page = (yield* call(fake, "alerts?status=dismissed&from=2017-05-02&until=2017-05-03")).json as Page<
          "alerts",
          V2Alert
        >
        expect(page.alerts).toHaveLength(100)
        expect(page.token).not.toBeNull()
      })
    )
  )
})

describe("fake v2: rate limit, faults, request log", () => {
  it.effect(
    "a rate limit per organization over both generations: x-rate-limit-remaining, then 429 with x-rate-limit-reset",
    () =>
      withFake({ rateLimit: { limit: 3, interval: "1 minute" } }, (fake) =>
        Effect.gen(function* () {
          const first = yield* call(fake, "agents?status=online")
          expect(first.headers["x-rate-limit-remaining"]).toBe("2")
          yield* TestClock.adjust("10 seconds")
          expect((yield* v1(fake, "agents")).headers["x-rate-limit-remaining"]).toBe("1")
          expect((yield* call(fake, "alerts?status=active")).headers["x-rate-limit-remaining"]).toBe("0")
          const limited = yield* call(fake, "agents?status=online")
          expect(limited.status).toBe(429)
          expect(limited.headers["x-rate-limit-reset"]).toBe("50000")
          const limitedV1 = yield* v1(fake, "agents")
          expect([limitedV1.status, limitedV1.headers["x-rate-limit-reset"]]).toEqual([429, "50000"])
          // another organization has its own budget
          expect((yield* call(fake, "agents?status=online", { ext: ORG1 })).status).toBe(200)
          yield* TestClock.adjust("50 seconds")
          const again = yield* call(fake, "agents?status=online")
          expect([again.status, again.headers["x-rate-limit-remaining"]]).toEqual([200, "2"])
        })
      )
  )

  it.effect("no rate-limit headers when the limiter is off", () =>
    withFake({}, (fake) =>
      Effect.map(call(fake, "agents?status=online"), (answer) =>
        expect(answer.headers["x-rate-limit-remaining"]).toBeUndefined()
      )
    )
  )

  it.effect("faults by generation, page of a token walk, and method", () =>
    withFake(
      {
        faults: [
          { generation: 2, path: "alerts", page: 1, times: 1, fault: { _tag: "Status", status: 503 } },
          { method: "POST", path: /^rulesets/, fault: { _tag: "Status", status: 500 } }
        ]
      },
      (fake) =>
        Effect.gen(function* () {
          expect((yield* v1(fake, "alerts?page=1")).status).toBe(200)
          const first = yield* call(fake, "alerts?status=active")
          expect(first.status).toBe(200)
          const token = (first.json as Page<"alerts", object>).token!
          const second = yield* call(fake, `alerts?status=active&token=${token}`)
          expect([second.status, second.json]).toEqual([503, { errors: ["injected 503"] }])
          expect((yield* call(fake, `alerts?token=${token}`)).status).toBe(200)
          expect((yield* call(fake, "rulesets")).status).toBe(200)
          expect((yield* call(fake, "rulesets", { method: "POST", body: { name: "x" } })).status).toBe(500)
          const [ruleset] = ((yield* call(fake, "rulesets")).json as { rulesets: ReadonlyArray<{ id: string }> })
            .rulesets
          expect((yield* call(fake, `rulesets/${ruleset!.id}/rules`, { method: "POST", body: {} })).status).toBe(500)
          const log = (yield* fake.requests).filter((r) => r.generation === 2 && r.path === "alerts")
          expect(log.map((r) => [r.page, r.token === undefined, r.hawk])).toEqual([
            [0, true, true],
            [1, false, undefined],
            [1, false, true]
          ])
        })
    )
  )

  it.effect("bad percent-encoding in a path is a 400, not a crash; unknown routes 404", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        expect((yield* call(fake, "agents/%E0%A4%A")).status).toBe(400)
        expect((yield* v1(fake, "agents/%zz")).status).toBe(400)
        expect((yield* call(fake, "nothing-here")).status).toBe(404)
        expect((yield* call(fake, "agents?status=online", { method: "DELETE" })).status).toBe(405)
      })
    )
  )
})
