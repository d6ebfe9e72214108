/**
 * What an organization of the fake keeps of the writes made to it, as both
 * generations then see it: alerts dismissed by query (the range's both ends,
 * the severity) or by id (the first dismissal stays), v1's view of them,
 * members removed, re-added and brought in from another organization (also
 * through a user's spec over `users`), and rulesets updated, deleted and
 * created as the list shows them. Then the v2-only records the seed
 * snapshot does not walk: CVEs looked up by a number not generated, CVEs of
 * an organization without agents, the second organization's EC2 servers,
 * rules of the other rulesets, an organization without policies, and the
 * v2 records and agents a test supplies.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { FakeThreatStack } from "@effect-threatstack/core"
import { CREDENTIALS, ORG1, type Page, answer, call, refused, v1, walk, withFake } from "./fakeCalls.js"

const ORG0 = CREDENTIALS.orgId
const T = Date.UTC(2017, 4, 1)
const iso = (ms: number) => new Date(ms).toISOString()

// ---------------------------------------------------------------------------
// dismissals

/** Alerts around the instants T and T + 2s: one just before, one at each end, one inside, one just after. */
const alerts = [
  { id: "before", title: "before", severity: 2, created_at: T - 1 },
  { id: "first", title: "first", severity: 2, created_at: T },
  { id: "inside", title: "inside", severity: 1, created_at: T + 1_000 },
  { id: "last", title: "last", severity: 2, created_at: T + 2_000 },
  { id: "after", title: "after", severity: 2, created_at: T + 2_001 },
  { id: "given", title: "given", created_at: T - 5_000, dismissed: true }
]
const alertsOrg: FakeThreatStack.Options = {
  data: [
    {
      organization: { id: ORG0, name: "Acme", role: "owner" },
      alerts,
      users: [{ id: "u1", email: "ada@example.com", role: "owner" }]
    }
  ]
}

/** The ids of one v2 alerts listing. */
const alertIds = (fake: FakeThreatStack.Service, status: "active" | "dismissed") =>
  Effect.map(call(fake, `alerts?status=${status}`), (a) =>
    (a.json as Page<"alerts", { readonly id: string }>).alerts.map((alert) => alert.id)
  )

const dismiss = (fake: FakeThreatStack.Service, body: Readonly<Record<string, unknown>>) =>
  answer(fake, "alerts/dismiss", { method: "POST", body })

/** The dismissal fields of one v2 alert. */
const dismissalOf = (fake: FakeThreatStack.Service, id: string) =>
  Effect.map(call(fake, `alerts/${id}`), (a) => {
    const { isDismissed, dismissReason, dismissReasonText, dismissedBy } = a.json as Record<string, unknown>
    return { isDismissed, dismissReason, dismissReasonText, dismissedBy }
  })

describe("dismissing alerts by query", () => {
  it.effect("takes the alerts from `from` through `until`, both instants included, and none outside", () =>
    withFake(alertsOrg, (fake) =>
      Effect.gen(function* () {
        const body = { from: iso(T), until: iso(T + 2_000), dismissReason: "MAINTENANCE" }
        expect(yield* dismiss(fake, body)).toEqual([200, {}])
        expect(yield* alertIds(fake, "dismissed")).toEqual(["first", "inside", "last", "given"])
        expect(yield* alertIds(fake, "active")).toEqual(["before", "after"])
      })
    )
  )

  it.effect("with a severity, takes only the alerts of that severity in the range", () =>
    withFake(alertsOrg, (fake) =>
      Effect.gen(function* () {
        const body = { from: iso(T), until: iso(T + 2_000), severity: 2, dismissReason: "MAINTENANCE" }
        expect(yield* dismiss(fake, body)).toEqual([200, {}])
        expect(yield* alertIds(fake, "dismissed")).toEqual(["first", "last", "given"])
        expect(yield* alertIds(fake, "active")).toEqual(["before", "inside", "after"])
      })
    )
  )
})

describe("dismissing alerts by id", () => {
  it.effect("an alert dismissed already keeps its first dismissal, by id or by query", () =>
    withFake(alertsOrg, (fake) =>
      Effect.gen(function* () {
        expect(yield* dismiss(fake, { ids: ["before"], dismissReason: "MAINTENANCE" })).toEqual([200, {}])
        const again = { dismissReason: "OTHER", dismissReasonText: "again" }
        expect(yield* dismiss(fake, { ids: ["before"], ...again })).toEqual([200, {}])
        expect(yield* dismissalOf(fake, "before")).toEqual({
          isDismissed: true,
          dismissReason: "MAINTENANCE",
          dismissReasonText: null,
          dismissedBy: CREDENTIALS.userId
        })
        const query = { from: iso(T), until: iso(T), dismissReason: "BUSINESS_OP" }
        expect(yield* dismiss(fake, query)).toEqual([200, {}])
        expect(yield* dismiss(fake, { ids: ["first"], ...again })).toEqual([200, {}])
        expect(yield* dismissalOf(fake, "first")).toEqual({
          isDismissed: true,
          dismissReason: "BUSINESS_OP",
          dismissReasonText: null,
          dismissedBy: CREDENTIALS.userId
        })
      })
    )
  )

  it.effect("an alert supplied as dismissed was dismissed by the organization's first user", () =>
    withFake(alertsOrg, (fake) =>
      Effect.gen(function* () {
        expect(yield* dismissalOf(fake, "given")).toMatchObject({ isDismissed: true, dismissedBy: "u1" })
      })
    )
  )
})

describe("v1's view of dismissals", () => {
  it.effect("v1 shows an alert dismissed through v2 as dismissed and inactive, and a supplied one as given", () =>
    withFake(alertsOrg, (fake) =>
      Effect.gen(function* () {
        expect(yield* dismiss(fake, { ids: ["inside"], dismissReason: "MAINTENANCE" })).toEqual([200, {}])
        const listed = yield* v1(fake, "alerts")
        expect([listed.status, listed.json]).toEqual([
          200,
          [
            alerts[0],
            alerts[1],
            { ...alerts[2], dismissed: true, active: false },
            alerts[3],
            alerts[4],
            // no `active` is added to what was supplied
            alerts[5]
          ]
        ])
        expect((yield* v1(fake, "alerts/inside")).json).toMatchObject({ id: "inside", dismissed: true, active: false })
        expect((yield* v1(fake, "alerts/given")).json).not.toHaveProperty("active")
      })
    )
  )
})

// ---------------------------------------------------------------------------
// members

const user = (id: string, role: string, organization: string) => ({
  id,
  email: `${id}@example.com`,
  role,
  organization_id: organization
})
const u1 = user("u1", "owner", ORG0)
const u2 = user("u2", "user", ORG0)
const u3 = user("u3", "user", ORG0)
const b1 = user("b1", "user", ORG1)
const b2 = user("b2", "user", ORG1)
const usersSpec = { key: "users", singular: "user", generation: 1, path: "users", paging: "pages", get: true } as const
const membersOrgs: FakeThreatStack.Options = {
  specs: [...FakeThreatStack.defaultSpecs, usersSpec],
  data: [
    { organization: { id: ORG0, name: "Acme", role: "owner" }, users: [u1, u2, u3] },
    { organization: { id: ORG1, name: "Acme Two", role: "owner" }, users: [b1, b2] }
  ]
}

/** The members as v2 lists them: id and role. */
const members = (fake: FakeThreatStack.Service) =>
  Effect.map(call(fake, "organizations/members"), (a) =>
    (a.json as { members: ReadonlyArray<{ id: string; role: string }> }).members.map((m) => [m.id, m.role])
  )

/** The organization's users as v1 lists them. */
const v1Users = (fake: FakeThreatStack.Service) => Effect.map(v1(fake, `organizations/${ORG0}/users`), (a) => a.json)

const add = (fake: FakeThreatStack.Service, id: string, role: string) =>
  Effect.map(call(fake, "organizations/members", { method: "POST", body: { id, role } }), (a) => a.status)
const remove = (fake: FakeThreatStack.Service, id: string) =>
  Effect.map(call(fake, `organizations/members/${id}`, { method: "DELETE" }), (a) => a.status)

describe("members removed and added", () => {
  it.effect("a member removed is gone from both generations; added back, they are listed once, in their place", () =>
    withFake(membersOrgs, (fake) =>
      Effect.gen(function* () {
        expect(yield* remove(fake, "u2")).toBe(204)
        expect(yield* members(fake)).toEqual([
          ["u1", "owner"],
          ["u3", "user"]
        ])
        expect(yield* v1Users(fake)).toEqual([u1, u3])
        expect(yield* add(fake, "u2", "reader")).toBe(200)
        expect(yield* members(fake)).toEqual([
          ["u1", "owner"],
          ["u2", "reader"],
          ["u3", "user"]
        ])
        expect(yield* v1Users(fake)).toEqual([u1, { ...u2, role: "reader" }, u3])
        // added back twice is one member, not two
        expect(yield* add(fake, "u2", "user")).toBe(409)
        expect(yield* remove(fake, "u2")).toBe(204)
        expect(yield* add(fake, "u2", "user")).toBe(200)
        expect(yield* v1Users(fake)).toEqual([u1, u2, u3])
      })
    )
  )

  it.effect("a user of another organization joins after the members; removed, they go; added back, once", () =>
    withFake(membersOrgs, (fake) =>
      Effect.gen(function* () {
        expect(yield* add(fake, "b1", "user")).toBe(200)
        expect(yield* add(fake, "b2", "reader")).toBe(200)
        expect(yield* v1Users(fake)).toEqual([
          u1,
          u2,
          u3,
          { ...b1, organization_id: ORG0 },
          { ...b2, role: "reader", organization_id: ORG0 }
        ])
        expect(yield* remove(fake, "b1")).toBe(204)
        expect(yield* members(fake)).toEqual([
          ["u1", "owner"],
          ["u2", "user"],
          ["u3", "user"],
          ["b2", "reader"]
        ])
        expect(yield* add(fake, "b1", "reader")).toBe(200)
        expect(yield* members(fake)).toEqual([
          ["u1", "owner"],
          ["u2", "user"],
          ["u3", "user"],
          ["b1", "reader"],
          ["b2", "reader"]
        ])
        // the other organization's own members are as they were
        const theirs = yield* call(fake, "organizations/members", { ext: ORG1 })
        expect((theirs.json as { members: ReadonlyArray<{ id: string }> }).members.map((m) => m.id)).toEqual([
          "b1",
          "b2"
        ])
      })
    )
  )

  it.effect("a user's spec over `users` pages the members as changed and finds one by id", () =>
    withFake(membersOrgs, (fake) =>
      Effect.gen(function* () {
        expect(yield* remove(fake, "u1")).toBe(204)
        expect(yield* add(fake, "b1", "reader")).toBe(200)
        expect((yield* v1(fake, "users?count=2&page=0")).json).toEqual([u2, u3])
        expect((yield* v1(fake, "users?count=2&page=1")).json).toEqual([
          { ...b1, role: "reader", organization_id: ORG0 }
        ])
        expect((yield* v1(fake, "users/b1")).json).toEqual({ ...b1, role: "reader", organization_id: ORG0 })
        const gone = yield* v1(fake, "users/u1")
        expect([gone.status, gone.json]).toEqual([404, { errors: ["user not found"] }])
      })
    )
  )
})

// ---------------------------------------------------------------------------
// rulesets

type Ruleset = { readonly id: string; readonly name: string; readonly rules: ReadonlyArray<string> }

const rulesets = (fake: FakeThreatStack.Service) =>
  Effect.map(call(fake, "rulesets"), (a) => (a.json as { rulesets: ReadonlyArray<Ruleset> }).rulesets)
const R = (k: number) => `b0000000000000000000000${k}`

describe("rulesets as listed after writes", () => {
  it.effect("one updated stays in its place, once; one deleted is gone; one created is listed once, last", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        expect((yield* rulesets(fake)).map((r) => r.id)).toEqual([R(0), R(1), R(2), R(3)])
        const renamed = yield* call(fake, `rulesets/${R(1)}`, { method: "PUT", body: { name: "Renamed" } })
        expect(renamed.status).toBe(200)
        const rule = { name: "Shell", type: "Host", severityOfAlerts: 1 }
        const created = yield* call(fake, `rulesets/${R(0)}/rules`, { method: "POST", body: rule })
        const ruleId = (created.json as { id: string }).id
        expect((yield* rulesets(fake)).map((r) => [r.id, r.name, r.rules.length])).toEqual([
          [R(0), "Base Policy", 3],
          [R(1), "Renamed", 2],
          [R(2), "Policy 2", 2],
          [R(3), "Policy 3", 2]
        ])
        expect((yield* rulesets(fake))[0]?.rules).toContain(ruleId)
        expect(yield* answer(fake, `rulesets/${R(2)}`, { method: "DELETE" })).toEqual([200, {}])
        const made = yield* call(fake, "rulesets", { method: "POST", body: { name: "Made" } })
        const id = (made.json as { id: string }).id
        for (const name of ["Made again", "Made thrice"]) {
          expect((yield* call(fake, `rulesets/${id}`, { method: "PUT", body: { name } })).status).toBe(200)
        }
        expect((yield* rulesets(fake)).map((r) => [r.id, r.name])).toEqual([
          [R(0), "Base Policy"],
          [R(1), "Renamed"],
          [R(3), "Policy 3"],
          [id, "Made thrice"]
        ])
        expect(yield* answer(fake, `rulesets/${R(2)}`)).toEqual(refused(404, `ruleset ${R(2)} not found`))
      })
    )
  )
})

// ---------------------------------------------------------------------------
// generated v2 records the seed snapshot does not walk

describe("generated CVEs", () => {
  it.effect("are found by the numbers generated only: another year or an index past the count is a 404", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        expect((yield* call(fake, "vulnerabilities/CVE-2015-10000")).status).toBe(200)
        expect((yield* call(fake, "vulnerabilities/CVE-2016-10001")).status).toBe(200)
        for (const number of ["CVE-2016-10000", "CVE-2015-10001", "CVE-2015-10040", "CVE-2019-10039x"]) {
          expect(yield* answer(fake, `vulnerabilities/${number}`)).toEqual(
            refused(404, `vulnerability ${number} not found`)
          )
        }
      })
    )
  )

  it.effect("of an organization without agents affect no server", () =>
    withFake({ counts: { agents: 0 } }, (fake) =>
      Effect.gen(function* () {
        const pages = yield* walk<{ readonly agents: ReadonlyArray<unknown> }>(fake, "vulnerabilities", "", "cves")
        const cves = pages.flat()
        expect(cves).toHaveLength(40)
        expect(cves.map((c) => c.agents)).toEqual(cves.map(() => []))
      })
    )
  )
})

describe("generated EC2 servers", () => {
  it.effect("the second organization's unmonitored servers have its own ids, subnet and VPC", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const got = yield* call(fake, "aws/ec2?monitored=false", { ext: ORG1 })
        const { servers, token } = got.json as Page<"servers", Record<string, unknown>>
        expect([got.status, token]).toEqual([200, null])
        expect(servers.map((s) => [s.id, s.subnetId, s.vpcId])).toEqual(
          [0, 1, 2, 3, 4].map((i) => [`i-00000000000ec100${i}`, "subnet-5b001", "vpc-5c001"])
        )
        expect(servers[0]).toEqual({
          id: "i-00000000000ec1000",
          kernelId: null,
          instanceType: "m5.xlarge",
          privateDnsName: "ip-172-31-94-208.us-west-2.compute.internal",
          privateIpAddress: "172.31.94.208",
          groups: [{ id: "sg-5a000", name: "default" }],
          subnetId: "subnet-5b001",
          keyName: "ops",
          region: "us-west-2",
          launchTime: "2017-04-14T14:43:00.436Z",
          imageId: "ami-a0000",
          architecture: "x86_64",
          publicDnsName: "",
          publicIpAddress: null,
          vpcId: "vpc-5c001",
          awsProfile: { id: "5a0000010000000000000001", orgName: "Acme Subsidiary 1", description: "main account" },
          monitored: false,
          tags: [{ source: "ec2", key: "Name", value: "unmonitored-0" }],
          state: "running",
          stateCode: 16
        })
      })
    )
  )
})

/** A generated rule of organization 0 as the API answers it. */
const generatedRule = (r: number, ruleset: number, name: string, created: string, fields: Record<string, unknown>) => ({
  rulesetId: R(ruleset),
  id: `00000000-a1e7-4000-8000-00000000000${r}`,
  name,
  title: name,
  createdAt: created,
  updatedAt: created,
  alertDescription: `${name} was seen on a monitored server.`,
  aggregateFields: ["user", "exe"],
  filter: `event_type = "audit" and rule = ${r}`,
  threshold: 1,
  suppressions: [],
  enabled: true,
  ...fields
})

describe("generated rules", () => {
  it.effect("odd rules watch a day; the crontab rule is a File rule over /etc/crontab", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        expect(yield* answer(fake, `rulesets/${R(1)}/rules`)).toEqual([
          200,
          {
            rules: [
              generatedRule(1, 1, "Suspicious Shell Spawned", "2016-12-04T00:00:00.000Z", {
                type: "Host",
                severityOfAlerts: 2,
                window: 86400
              }),
              generatedRule(5, 1, "Outbound Connection to Rare Port", "2016-12-08T00:00:00.000Z", {
                type: "Host",
                severityOfAlerts: 3,
                window: 86400
              })
            ]
          }
        ])
        expect(yield* answer(fake, `rulesets/${R(2)}/rules`)).toEqual([
          200,
          {
            rules: [
              generatedRule(2, 2, "Crontab Modified", "2016-12-05T00:00:00.000Z", {
                type: "File",
                severityOfAlerts: 3,
                window: 3600,
                fileIntegrityPaths: [{ path: "/etc/crontab", recursive: false }],
                ignoreFiles: [],
                eventsToMonitor: ["ALL"]
              }),
              generatedRule(6, 2, "Sudo Privilege Escalation", "2016-12-09T00:00:00.000Z", {
                type: "Host",
                severityOfAlerts: 1,
                window: 3600
              })
            ]
          }
        ])
      })
    )
  )

  it.effect("an organization without policies has no rulesets and no rules", () =>
    withFake({ counts: { policies: 0 } }, (fake) =>
      Effect.gen(function* () {
        expect(yield* answer(fake, "rulesets")).toEqual([200, { rulesets: [] }])
        const rule = "00000000-a1e7-4000-8000-000000000000"
        expect(yield* answer(fake, `rules/${rule}/tags`)).toEqual(refused(404, `rule ${rule} not found`))
      })
    )
  )
})

// ---------------------------------------------------------------------------
// supplied v2 records

const suppliedCve = { cveNumber: "CVE-2020-0001", reportedPackage: "bash 4.3", agents: [], securityNotices: [] }
const suppliedServer = { id: "i-0supplied", monitored: false, region: "eu-west-1" }
const suppliedRule = { id: "r1", rulesetId: "rs1", name: "Supplied rule", type: "Host", severityOfAlerts: 1 }
const suppliedRuleset = { id: "rs1", name: "Supplied", rules: ["r1"] }

describe("supplied v2 records", () => {
  it.effect("CVEs, EC2 servers, rulesets and rules are served as given", () =>
    withFake(
      {
        data: [
          {
            organization: { id: ORG0, name: "Acme", role: "owner" },
            cves: [suppliedCve],
            ec2: [suppliedServer],
            rulesets: [suppliedRuleset],
            rules: [suppliedRule]
          }
        ]
      },
      (fake) =>
        Effect.gen(function* () {
          expect(yield* answer(fake, "vulnerabilities")).toEqual([200, { cves: [suppliedCve], token: null }])
          expect(yield* answer(fake, "vulnerabilities/CVE-2020-0001")).toEqual([200, suppliedCve])
          expect(yield* answer(fake, "aws/ec2")).toEqual([200, { servers: [suppliedServer], token: null }])
          expect(yield* answer(fake, "rulesets")).toEqual([200, { rulesets: [suppliedRuleset] }])
          expect(yield* answer(fake, "rulesets/rs1/rules/r1")).toEqual([200, suppliedRule])
        })
    )
  )

  it.effect("an agent without an address stands for a server at 10.0.0.1", () =>
    withFake(
      {
        data: [
          {
            organization: { id: ORG0, name: "Acme", role: "owner" },
            agents: [{ id: "ag1", hostname: "web-1", online: true, created_at: "2017-05-01T00:00:00.000Z" }]
          }
        ]
      },
      (fake) =>
        Effect.gen(function* () {
          const got = yield* call(fake, "aws/ec2?monitored=true")
          const { servers } = got.json as Page<"servers", Record<string, unknown>>
          expect(servers).toHaveLength(1)
          expect(servers[0]).toMatchObject({
            privateIpAddress: "10.0.0.1",
            privateDnsName: "ip-10-0-0-1.ec2.internal",
            groups: [{ id: `sg-${String(servers[0]?.id).slice(-8)}`, name: "web" }],
            launchTime: "2017-05-01T00:00:00.000Z",
            monitored: true
          })
        })
    )
  )
})
