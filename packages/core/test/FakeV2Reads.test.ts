/**
 * The fake's v2 routes over records a test supplies, so every answer can be
 * written out whole: the agents' type and time filters and their bounds, the
 * alerts' severity counts, severities as query text, the vulnerabilities'
 * status, activity, notices, packages and servers, the EC2 listing paged
 * across the boundary between monitored and unmonitored servers, audit logs
 * by operation in any case, members who are enabled, what a reader may not
 * do, dismissal and write bodies, tokens that are empty or name no listing,
 * and the routes and methods that do not exist, in the server's words.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { FakeThreatStack } from "@effect-threatstack/core"
import { CREDENTIALS, ORG1, type Page, answer, call, forge, refused, walk, withFake } from "./fakeCalls.js"
import { NOW } from "./utils.js"

const ms = (iso: string) => Date.parse(iso)

/** The key holder's organization, as supplied records. */
const organization = { id: CREDENTIALS.orgId, name: "Acme", role: "owner" }

const agents = [
  { id: "ag-before", hostname: "before", online: true, created_at: "2017-04-30T23:59:59.999Z" },
  { id: "ag-first", hostname: "first", online: true, created_at: "2017-05-01T00:00:00.000Z" },
  { id: "ag-last", hostname: "last", online: true, created_at: "2017-05-01T23:59:59.999Z" },
  { id: "ag-after", hostname: "after", online: true, created_at: "2017-05-02T00:00:00.000Z" },
  { id: "ag-off", hostname: "off", online: false, created_at: "2017-05-01T12:00:00.000Z" }
]

const alerts = [
  { id: "al1", title: "one", severity: 1, created_at: ms("2017-05-10T00:00:00Z"), agent_id: "ag-first" },
  { id: "al2", title: "two", severity: 2, created_at: ms("2017-05-10T12:00:00Z"), dismissed: true },
  { id: "al3", title: "three", severity: 3, created_at: ms("2017-05-11T00:00:00Z"), agent_id: "ag-first" },
  { id: "al4", title: "four", severity: 2, created_at: ms("2017-05-12T00:00:00Z"), agent_id: "ag-last" },
  { id: "al5", title: "five", severity: 1, created_at: ms("2017-05-12T06:00:00Z"), dismissed: true },
  { id: "al6", title: "six", created_at: ms("2017-05-13T00:00:00Z") }
]

const logs = [
  { id: "l1", timestamp: "2017-05-20T00:00:00.000Z", action: "add", user: "ada@example.com", user_id: "u1" },
  { id: "l2", timestamp: "2017-05-21T00:00:00.000Z", action: "login", user: "bob@example.com", user_id: "u2" },
  { id: "l3", timestamp: "2017-05-22T00:00:00.000Z", action: "delete", user: "ada@example.com", user_id: "u1" },
  { id: "l4", timestamp: "2017-05-23T00:00:00.000Z", action: "update", user: "bob@example.com", user_id: "u2" }
]

/** A supplied CVE, in v2 form (found by its number: it has no `id`). */
const cve = (cveNumber: string, reportedPackage: string, fields: Readonly<Record<string, unknown>>) => ({
  cveNumber,
  reportedPackage,
  ...fields
})

const cves = [
  cve("CVE-2017-0001", "openssl 1.0.2g", {
    agents: [{ agentId: "ag-first" }, { agentId: "ag-gone" }],
    securityNotices: ["USN-1"],
    isSuppressed: false
  }),
  cve("CVE-2017-0002", "bash 4.3", { agents: [], securityNotices: [], isSuppressed: true }),
  // no securityNotices at all
  cve("CVE-2017-0003", "openssl 1.1.0", { agents: [{ agentId: "ag-last" }], isSuppressed: true }),
  // no agents at all
  cve("CVE-2017-0004", "zlib 1.2.8", { securityNotices: [], isSuppressed: false })
]

/** EC2 servers without an agent: 150, more than a page. */
const ec2 = Array.from({ length: 150 }, (_, i) => ({ id: `i-${String(i).padStart(17, "0")}`, monitored: false }))

const acme: FakeThreatStack.Options = { data: [{ organization, agents, alerts, logs, cves, ec2 }] }

/** The ids of a page's records. */
const ids = (json: unknown, key: string) =>
  ((json as Page<string, { readonly id: string }>)[key] ?? []).map((record) => record.id)

describe("the fake's v2 routes: agents", () => {
  it.effect("from and until take a day's first and last millisecond, and nothing either side", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
          ["from=2017-05-01&until=2017-05-01", ["ag-first", "ag-last"]],
          ["from=2017-05-01", ["ag-first", "ag-last", "ag-after"]],
          ["until=2017-05-01", ["ag-before", "ag-first", "ag-last"]],
          ["from=2017-05-01T23:59:59.999Z&until=2017-05-02T00:00:00.000Z", ["ag-last", "ag-after"]],
          ["", ["ag-before", "ag-first", "ag-last", "ag-after"]]
        ]
        for (const [range, expected] of cases) {
          const [status, json] = yield* answer(fake, `agents?status=online&${range}`)
          expect([status, ids(json, "agents"), (json as Page<"agents", unknown>).token], range).toEqual([
            200,
            expected,
            null
          ])
        }
        expect(yield* answer(fake, "agents?status=offline&from=2017-05-01&until=2017-05-01")).toEqual([
          200,
          { agents: [(yield* call(fake, "agents/ag-off")).json], token: null }
        ])
      })
    )
  )

  it.effect("a from or until that is not a date, or a from after the until, is a 400 naming it", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        const cases: ReadonlyArray<readonly [string, string]> = [
          ["until=yesterday", "invalid until date: yesterday"],
          ["from=2017-13-01", "invalid from date: 2017-13-01"],
          ["from=2017-05-02&until=2017-05-01", "from is after until"]
        ]
        for (const [query, message] of cases) {
          expect(yield* answer(fake, `agents?status=online&${query}`), query).toEqual(refused(400, message))
        }
      })
    )
  )

  it.effect("type: monitor or investigate, each exactly the agents of that type; any other a 400", () =>
    withFake({ counts: { agents: 60 } }, (fake) =>
      Effect.gen(function* () {
        type Agent = { readonly id: string; readonly agentType: string }
        const online = (yield* walk<Agent>(fake, "agents", "status=online", "agents")).flat()
        for (const type of ["monitor", "investigate"]) {
          const expected = online.filter((a) => a.agentType === type).map((a) => a.id)
          expect(expected.length, type).toBeGreaterThan(0)
          expect(expected.length, type).toBeLessThan(online.length)
          const typed = (yield* walk<Agent>(fake, "agents", `status=online&type=${type}`, "agents")).flat()
          expect(
            typed.map((a) => a.id),
            type
          ).toEqual(expected)
        }
        expect(yield* answer(fake, "agents?status=online&type=Monitor")).toEqual(
          refused(400, "invalid type: Monitor (expected monitor or investigate)")
        )
      })
    )
  )
})

describe("the fake's v2 routes: alerts", () => {
  it.effect("severity counts: every alert, or the active or dismissed ones, within from and until", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        const counts = (one: number, two: number, three: number) => [
          200,
          {
            severityCounts: [
              { severity: 1, count: one },
              { severity: 2, count: two },
              { severity: 3, count: three }
            ]
          }
        ]
        const cases: ReadonlyArray<readonly [string, ReturnType<typeof counts>]> = [
          ["", counts(2, 2, 2)],
          ["?status=active", counts(1, 1, 2)],
          ["?status=dismissed", counts(1, 1, 0)],
          ["?from=2017-05-11&until=2017-05-12", counts(1, 1, 1)],
          ["?until=2017-05-10", counts(1, 1, 0)],
          ["?from=2017-05-12&status=dismissed", counts(1, 0, 0)],
          ["?from=2017-05-14", counts(0, 0, 0)]
        ]
        for (const [query, expected] of cases) {
          expect(yield* answer(fake, `alerts/severity-counts${query}`), query).toEqual(expected)
        }
        const bad: ReadonlyArray<readonly [string, string]> = [
          ["until=soon", "invalid until date: soon"],
          ["from=soon", "invalid from date: soon"],
          ["from=2017-05-12&until=2017-05-11", "from is after until"],
          ["status=all", "invalid status: all"]
        ]
        for (const [query, message] of bad) {
          expect(yield* answer(fake, `alerts/severity-counts?${query}`), query).toEqual(refused(400, message))
        }
      })
    )
  )

  it.effect("status is required, in the server's words", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        expect(yield* answer(fake, "alerts")).toEqual(refused(400, "status is required: active or dismissed"))
        expect(yield* answer(fake, "alerts?status=all")).toEqual(
          refused(400, "invalid status: all (expected active or dismissed)")
        )
      })
    )
  )

  it.effect("severity is digits meaning 1, 2 or 3 (02 is 2); with a space, a sign or anything else a 400", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
          ["status=active", ["al1", "al3", "al4", "al6"]],
          ["status=active&severity=1", ["al1"]],
          ["status=active&severity=2", ["al4"]],
          ["status=active&severity=02", ["al4"]],
          ["status=dismissed&severity=1", ["al5"]],
          ["status=dismissed&severity=2", ["al2"]]
        ]
        for (const [query, expected] of cases) {
          const [status, json] = yield* answer(fake, `alerts?${query}`)
          expect([status, ids(json, "alerts")], query).toEqual([200, expected])
        }
        for (const [raw, shown] of [
          ["%202", " 2"],
          ["2%20", "2 "],
          ["%2B2", "+2"],
          ["4", "4"],
          ["0", "0"],
          ["two", "two"],
          ["", ""]
        ]) {
          expect(yield* answer(fake, `alerts?status=active&severity=${raw}`), raw).toEqual(
            refused(400, `invalid severity: ${shown} (expected 1, 2 or 3)`)
          )
        }
      })
    )
  )
})

describe("the fake's v2 routes: dismissals", () => {
  it.effect("by query: severity null is no severity, agentId in camelCase, a null text; nothing else taken", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        const dismissed = yield* answer(fake, "alerts/dismiss", {
          method: "POST",
          body: {
            from: "2017-05-10",
            until: "2017-05-13",
            agentId: "ag-first",
            severity: null,
            dismissReason: "MAINTENANCE",
            dismissReasonText: null
          }
        })
        expect(dismissed).toEqual([200, {}])
        const [, active] = yield* answer(fake, "alerts?status=active")
        expect(ids(active, "alerts")).toEqual(["al4", "al6"])
        expect((yield* call(fake, "alerts/al3")).json).toMatchObject({
          isDismissed: true,
          dismissReason: "MAINTENANCE",
          dismissReasonText: null,
          dismissedBy: CREDENTIALS.userId,
          dismissedAt: new Date(NOW).toISOString()
        })
      })
    )
  )

  it.effect("by query, a severity given as text of digits is that severity", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        expect(
          yield* answer(fake, "alerts/dismiss", {
            method: "POST",
            body: { from: "2017-05-01", until: "2017-05-31", severity: "2", dismissReason: "BUSINESS_OP" }
          })
        ).toEqual([200, {}])
        const [, active] = yield* answer(fake, "alerts?status=active")
        expect(ids(active, "alerts")).toEqual(["al1", "al3", "al6"])
      })
    )
  )

  it.effect("an empty text is kept as no text", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        const body = { ids: ["al4"], dismissReason: "COMPANY_POLICY", dismissReasonText: "" }
        expect(yield* answer(fake, "alerts/dismiss", { method: "POST", body })).toEqual([200, {}])
        expect((yield* call(fake, "alerts/al4")).json).toMatchObject({
          isDismissed: true,
          dismissReason: "COMPANY_POLICY",
          dismissReasonText: null
        })
      })
    )
  )

  it.effect("bodies out of shape are 400s in the server's words, and dismiss nothing", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        const range = { from: "2017-05-01", until: "2017-05-31", dismissReason: "MAINTENANCE" }
        const severity = "Validation failed: body has invalid severity value.  Must be 1, 2 or 3."
        const cases: ReadonlyArray<readonly [unknown, string]> = [
          [
            { ids: ["al1", ""], dismissReason: "MAINTENANCE" },
            "Validation failed: ids must be a non-empty array of alert ids."
          ],
          [
            { ids: ["al1"], dismissReason: "MAINTENANCE", dismissReasonText: 5 },
            "Validation failed: body has invalid dismissReasonText value."
          ],
          [{ ...range, severity: ["2"] }, severity],
          [{ ...range, severity: true }, severity],
          [{ ...range, severity: " 2" }, severity],
          [{ ...range, severity: "2 " }, severity],
          [{ ...range, severity: 0 }, severity],
          ["5", "Invalid request body: expected a JSON object"],
          ['"ids"', "Invalid request body: expected a JSON object"],
          ["null", "Invalid request body: expected a JSON object"],
          ["[]", "Invalid request body: expected a JSON object"]
        ]
        for (const [body, message] of cases) {
          expect(yield* answer(fake, "alerts/dismiss", { method: "POST", body }), JSON.stringify(body)).toEqual(
            refused(400, message)
          )
        }
        const [, active] = yield* answer(fake, "alerts?status=active")
        expect(ids(active, "alerts")).toEqual(["al1", "al3", "al4", "al6"])
      })
    )
  )
})

describe("the fake's v2 routes: vulnerabilities", () => {
  it.effect("status active or inactive, active=true/1/false/0 in any case: the CVEs with agents, or without", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        const affected = ["CVE-2017-0001", "CVE-2017-0003"]
        const clean = ["CVE-2017-0002", "CVE-2017-0004"]
        const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
          ["", [...cves.map((c) => c.cveNumber)]],
          ["status=active", affected],
          ["status=inactive", clean],
          ["active=true", affected],
          ["active=1", affected],
          ["active=TRUE", affected],
          ["active=false", clean],
          ["active=0", clean],
          ["active=False", clean],
          ["hasSecurityNotices=true", ["CVE-2017-0001"]],
          ["hasSecurityNotices=0", ["CVE-2017-0002", "CVE-2017-0003", "CVE-2017-0004"]],
          ["agentId=ag-first", ["CVE-2017-0001"]],
          ["agentId=ag-last", ["CVE-2017-0003"]]
        ]
        for (const [query, expected] of cases) {
          const [status, json] = yield* answer(fake, query === "" ? "vulnerabilities" : `vulnerabilities?${query}`)
          const page = json as Page<"cves", { readonly cveNumber: string }>
          expect([status, page.cves.map((c) => c.cveNumber), page.token], query).toEqual([200, expected, null])
        }
        expect(yield* answer(fake, "vulnerabilities?status=gone")).toEqual(
          refused(400, "invalid status: gone (expected active)")
        )
        expect(yield* answer(fake, "vulnerabilities?active=yes")).toEqual(
          refused(400, "invalid active: yes (expected true or false)")
        )
        // an empty first page for an agent is a 404: one with no CVEs, or none that match the rest
        for (const [query, agent] of [
          ["agentId=ag-none", "ag-none"],
          ["agentId=ag-last&status=inactive", "ag-last"]
        ]) {
          expect(yield* answer(fake, `vulnerabilities?${query}`), query).toEqual(
            refused(404, `no vulnerability data for agent ${agent}`)
          )
        }
      })
    )
  )

  it.effect("by package and suppressed: the CVEs that match; no match is an empty page, not a 404", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        const numbers = (json: unknown, key: string) =>
          ((json as Page<string, { readonly cveNumber: string }>)[key] ?? []).map((c) => c.cveNumber)
        const [status, openssl] = yield* answer(fake, "vulnerabilities/package/openssl")
        expect([status, numbers(openssl, "cves")]).toEqual([200, ["CVE-2017-0001", "CVE-2017-0003"]])
        const [, suppressed] = yield* answer(fake, "vulnerabilities/suppressions")
        expect(numbers(suppressed, "suppressions")).toEqual(["CVE-2017-0002", "CVE-2017-0003"])
        expect(yield* answer(fake, "vulnerabilities/package/curl")).toEqual([200, { cves: [], token: null }])
        expect(yield* answer(fake, "vulnerabilities/package/openssl?status=inactive")).toEqual([
          200,
          { cves: [], token: null }
        ])
      })
    )
  )

  it.effect("a CVE's servers: each agent with its hostname, or only its id when the agent is gone", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        expect(yield* answer(fake, "vulnerabilities/CVE-2017-0001/servers")).toEqual([
          200,
          { servers: [{ agentId: "ag-first", hostname: "first" }, { agentId: "ag-gone" }], token: null }
        ])
        expect(yield* answer(fake, "vulnerabilities/CVE-2017-0004/servers")).toEqual([
          200,
          { servers: [], token: null }
        ])
      })
    )
  )

  it.effect("a package's CVEs and a CVE's servers page by 100; a token serves only the listing it came from", () =>
    withFake(
      {
        data: [
          {
            organization,
            cves: [
              ...Array.from({ length: 120 }, (_, i) =>
                cve(`CVE-2016-${1000 + i}`, "openssl 1.0.1", { agents: [{ agentId: "ag-x" }] })
              ),
              cve("CVE-2017-9998", "bash 4.4", { agents: [{ agentId: "ag-x" }] }),
              cve("CVE-2017-9999", "bash 4.3", {
                agents: Array.from({ length: 150 }, (_, i) => ({ agentId: `ag${i}` }))
              })
            ]
          }
        ]
      },
      (fake) =>
        Effect.gen(function* () {
          type Cve = { readonly cveNumber: string }
          const openssl = yield* walk<Cve>(fake, "vulnerabilities/package/openssl", "", "cves")
          expect(openssl.map((page) => page.map((c) => c.cveNumber))).toEqual([
            Array.from({ length: 100 }, (_, i) => `CVE-2016-${1000 + i}`),
            Array.from({ length: 20 }, (_, i) => `CVE-2016-${1100 + i}`)
          ])
          const servers = yield* walk<{ readonly agentId: string }>(
            fake,
            "vulnerabilities/CVE-2017-9999/servers",
            "",
            "servers"
          )
          expect(servers).toEqual([
            Array.from({ length: 100 }, (_, i) => ({ agentId: `ag${i}` })),
            Array.from({ length: 50 }, (_, i) => ({ agentId: `ag${100 + i}` }))
          ])
          const packageToken = ((yield* call(fake, "vulnerabilities/package/openssl")).json as Page<"cves", Cve>).token
          expect(yield* answer(fake, `vulnerabilities/package/bash?token=${packageToken}`)).toEqual(
            refused(400, `invalid token: ${packageToken}`)
          )
          const serversToken = (
            (yield* call(fake, "vulnerabilities/CVE-2017-9999/servers")).json as Page<"servers", unknown>
          ).token
          expect(yield* answer(fake, `vulnerabilities/CVE-2017-9998/servers?token=${serversToken}`)).toEqual(
            refused(400, `invalid token: ${serversToken}`)
          )
        })
    )
  )
})

describe("the fake's v2 routes: aws/ec2", () => {
  it.effect("monitored servers (the agents) first, then the unmonitored, paged by 100 across the boundary", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        type Server = { readonly id: string; readonly monitored: boolean }
        const instances: Array<string> = []
        for (const agent of agents) {
          instances.push(((yield* call(fake, `agents/${agent.id}`)).json as { instanceId: string }).instanceId)
        }
        const unmonitored = ec2.map((s) => s.id)
        const pageIds = (pages: ReadonlyArray<ReadonlyArray<Server>>) => pages.map((page) => page.map((s) => s.id))
        expect(pageIds(yield* walk<Server>(fake, "aws/ec2", "", "servers"))).toEqual([
          [...instances, ...unmonitored.slice(0, 95)],
          unmonitored.slice(95)
        ])
        for (const query of ["monitored=false", "monitored=0", "monitored=FALSE"]) {
          expect(pageIds(yield* walk<Server>(fake, "aws/ec2", query, "servers")), query).toEqual([
            unmonitored.slice(0, 100),
            unmonitored.slice(100)
          ])
        }
        for (const query of ["monitored=true", "monitored=1"]) {
          expect(pageIds(yield* walk<Server>(fake, "aws/ec2", query, "servers")), query).toEqual([instances])
        }
      })
    )
  )

  it.effect("verbose=true, =1 or =TRUE adds each monitored server's agent; anything but a boolean is a 400", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        type Server = { readonly id: string; readonly agents?: ReadonlyArray<{ readonly id: string }> }
        const plain = (yield* call(fake, "aws/ec2?monitored=true")).json as Page<"servers", Server>
        expect(plain.servers.map((s) => s.agents)).toEqual(agents.map(() => undefined))
        for (const flag of ["true", "1", "TRUE"]) {
          const verbose = (yield* call(fake, `aws/ec2?monitored=true&verbose=${flag}`)).json as Page<"servers", Server>
          expect(
            verbose.servers.map((s) => s.agents?.map((a) => a.id)),
            flag
          ).toEqual(agents.map((a) => [a.id]))
        }
        for (const flag of ["false", "0"]) {
          const terse = (yield* call(fake, `aws/ec2?monitored=true&verbose=${flag}`)).json
          expect(terse, flag).toEqual(plain)
        }
        expect(yield* answer(fake, "aws/ec2?monitored=maybe")).toEqual(
          refused(400, "invalid monitored: maybe (expected true or false)")
        )
        expect(yield* answer(fake, "aws/ec2?verbose=2")).toEqual(
          refused(400, "invalid verbose: 2 (expected true or false)")
        )
      })
    )
  )

  it.effect("unmonitored only, behind more agents than the fake reads at once: exactly the unmonitored", () =>
    withFake({ counts: { agents: 300 } }, (fake) =>
      Effect.gen(function* () {
        const [status, json] = yield* answer(fake, "aws/ec2?monitored=false")
        expect([status, ids(json, "servers"), (json as Page<"servers", unknown>).token]).toEqual([
          200,
          Array.from({ length: 5 }, (_, i) => `i-0${(0xec0000 + i).toString(16).padStart(16, "0")}`),
          null
        ])
      })
    )
  )
})

describe("the fake's v2 routes: audit logs", () => {
  it.effect("operation is a CRUD word or an action's last part, in any case", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
          ["", ["event.add", "event.login", "event.delete", "event.update"]],
          ["operation=create", ["event.add"]],
          ["operation=CREATE", ["event.add"]],
          ["operation=add", ["event.add"]],
          ["operation=login", ["event.login"]],
          ["operation=LogIn", ["event.login"]],
          ["operation=read", ["event.login"]],
          ["operation=Delete", ["event.delete"]],
          ["operation=export", []]
        ]
        for (const [query, expected] of cases) {
          const [status, json] = yield* answer(fake, query === "" ? "auditlogs" : `auditlogs?${query}`)
          const page = json as Page<"recs", { readonly action: string }>
          expect([status, page.recs.map((r) => r.action), page.token], query).toEqual([200, expected, null])
        }
      })
    )
  )

  it.effect("userId or userID; from and until the same millisecond is that millisecond; until before from a 400", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        const actions = (json: unknown) => (json as Page<"recs", { readonly action: string }>).recs.map((r) => r.action)
        expect(actions((yield* call(fake, "auditlogs?userId=u2")).json)).toEqual(["event.login", "event.update"])
        expect(actions((yield* call(fake, "auditlogs?userID=u1")).json)).toEqual(["event.add", "event.delete"])
        const instant = "2017-05-20T00:00:00.000Z"
        const [status, json] = yield* answer(fake, `auditlogs?from=${instant}&until=${instant}`)
        expect([status, actions(json)]).toEqual([200, ["event.add"]])
        expect(yield* answer(fake, "auditlogs?from=2017-05-20T00:00:00.001Z&until=2017-05-20T00:00:00.000Z")).toEqual(
          refused(400, "The from parameter needs to be before the until parameter")
        )
      })
    )
  )
})

describe("the fake's v2 routes: members and invites", () => {
  it.effect("enabledOnly=true, =1 or =TRUE lists the enabled members only; false or 0 everyone", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        type Member = { readonly id: string; readonly userEnabled: boolean }
        const everyone = ((yield* call(fake, "organizations/members")).json as { members: ReadonlyArray<Member> })
          .members
        const enabled = everyone.filter((m) => m.userEnabled)
        expect(enabled.length).toBeGreaterThan(0)
        expect(enabled.length).toBeLessThan(everyone.length)
        for (const [flag, expected] of [
          ["true", enabled],
          ["1", enabled],
          ["TRUE", enabled],
          ["false", everyone],
          ["0", everyone]
        ] as const) {
          expect(yield* answer(fake, `organizations/members?enabledOnly=${flag}`), flag).toEqual([
            200,
            { members: expected }
          ])
        }
        expect(yield* answer(fake, "organizations/members?enabledOnly=yes")).toEqual(
          refused(400, "invalid enabledOnly: yes")
        )
      })
    )
  )

  it.effect("a user (not an owner) may invite and add users and readers, not owners", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        for (const role of ["user", "reader"]) {
          expect(
            yield* answer(fake, "organizations/invites", {
              method: "POST",
              body: { email: "new@example.com", role },
              ext: ORG1
            }),
            role
          ).toEqual([200, { sentToEmail: "new@example.com", role, status: "pending" }])
        }
        const [status, added] = yield* answer(fake, "organizations/members", {
          method: "POST",
          body: { id: "ee0000000000000000000001", role: "reader" },
          ext: ORG1
        })
        expect([status, added]).toEqual([
          200,
          expect.objectContaining({ id: "ee0000000000000000000001", role: "reader" })
        ])
        const forbidden = refused(403, "The user is not allowed to perform this action")
        expect(
          yield* answer(fake, "organizations/invites", {
            method: "POST",
            body: { email: "boss@example.com", role: "owner" },
            ext: ORG1
          })
        ).toEqual(forbidden)
        expect(
          yield* answer(fake, "organizations/members", {
            method: "POST",
            body: { id: "ee0000000000000000000002", role: "owner" },
            ext: ORG1
          })
        ).toEqual(forbidden)
      })
    )
  )

  it.effect("a member's path with more after it is no route, for a DELETE too: the member stays", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const member = "ee0000000000000000000001"
        for (const method of ["GET", "DELETE"]) {
          expect(yield* answer(fake, `organizations/members/${member}/role`, { method }), method).toEqual(
            refused(404, `no route /v2/organizations/members/${member}/role`)
          )
        }
        const [, json] = yield* answer(fake, "organizations/members")
        expect(ids(json, "members")).toContain(member)
      })
    )
  )
})

describe("the fake's v2 routes: a reader", () => {
  const reader: FakeThreatStack.Options = {
    data: [{ organization: { ...organization, role: "reader" }, agents, alerts }]
  }

  it.effect("reads everything, writes nothing: every write is a 403, checked before the route", () =>
    withFake(reader, (fake) =>
      Effect.gen(function* () {
        const [status, json] = yield* answer(fake, "agents?status=online")
        expect([status, ids(json, "agents")]).toEqual([200, ["ag-before", "ag-first", "ag-last", "ag-after"]])
        expect(yield* answer(fake, "alerts/al1")).toEqual([
          200,
          expect.objectContaining({ id: "al1", isDismissed: false })
        ])
        expect(yield* answer(fake, "rulesets")).toEqual([200, { rulesets: [] }])
        const forbidden = refused(403, "The user is not allowed to perform this action")
        const writes: ReadonlyArray<readonly [string, string, unknown]> = [
          ["POST", "rulesets", { name: "Mine" }],
          ["PUT", "rulesets/nope", { name: "Mine" }],
          ["DELETE", "rulesets/nope", undefined],
          ["POST", "rules/nope/tags", { inclusion: [] }],
          ["POST", "alerts/dismiss", { ids: ["al1"], dismissReason: "MAINTENANCE" }],
          ["POST", "organizations/members", { id: "u9", role: "reader" }],
          ["DELETE", `organizations/members/${CREDENTIALS.userId}`, undefined],
          ["POST", "organizations/invites", { email: "new@example.com", role: "reader" }],
          ["PUT", "organizations/invites", { email: "new@example.com", role: "reader" }],
          ["POST", "agents", {}]
        ]
        for (const [method, path, body] of writes) {
          expect(yield* answer(fake, path, { method, body }), `${method} ${path}`).toEqual(forbidden)
        }
        expect((yield* call(fake, "alerts/al1")).json).toMatchObject({ isDismissed: false })
        // a path no route has is a 404 first, whoever asks
        expect(yield* answer(fake, "rulesets/a/rules/b/c", { method: "POST", body: {} })).toEqual(
          refused(404, "no route /v2/rulesets/a/rules/b/c")
        )
      })
    )
  )
})

describe("the fake's v2 routes: writes", () => {
  /** The first ruleset, as the listing answers it. */
  const firstRuleset = (fake: FakeThreatStack.Service) =>
    Effect.gen(function* () {
      const { rulesets } = (yield* call(fake, "rulesets")).json as {
        rulesets: ReadonlyArray<{ id: string; rules: ReadonlyArray<string> }>
      }
      return rulesets[0]!
    })

  it.effect("a ruleset sent back as a GET answered it (id, rules, times) is taken by a PUT", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const { id } = yield* firstRuleset(fake)
        const got = (yield* call(fake, `rulesets/${id}`)).json as Record<string, unknown>
        expect(Object.keys(got).sort()).toEqual(["createdAt", "description", "id", "name", "rules", "updatedAt"])
        expect(yield* answer(fake, `rulesets/${id}`, { method: "PUT", body: got })).toEqual([
          200,
          { ...got, updatedAt: new Date(NOW).toISOString() }
        ])
      })
    )
  )

  it.effect("a body that is JSON but not an object is a 400 saying so", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        for (const body of ["5", '"Mine"', "true", "null", "[]", "[{}]"]) {
          expect(yield* answer(fake, "rulesets", { method: "POST", body }), body).toEqual(
            refused(400, "Invalid request body: expected a JSON object")
          )
        }
      })
    )
  )

  it.effect("fileIntegrityPaths: every entry must be a { path, recursive? }, not just one of them", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const { id } = yield* firstRuleset(fake)
        const rule = { name: "Files", type: "File", severityOfAlerts: 1 }
        for (const paths of [[{ path: "/etc" }, null], [{ path: "/etc" }, "/var"], ["/etc"], [{ path: "/etc" }, 5]]) {
          expect(
            yield* answer(fake, `rulesets/${id}/rules`, {
              method: "POST",
              body: { ...rule, fileIntegrityPaths: paths }
            }),
            JSON.stringify(paths)
          ).toEqual(refused(400, "Validation failed: body has invalid fileIntegrityPaths value."))
        }
      })
    )
  )
})

describe("the fake's v2 routes: routes and methods that do not exist", () => {
  it.effect("extra or missing segments are a 404 naming the path; a method a route lacks a 405", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        const none = (path: string) => refused(404, `no route /v2/${path}`)
        const cases: ReadonlyArray<readonly [string, string, unknown, readonly [number, unknown]]> = [
          [
            "DELETE",
            "vulnerabilities/CVE-2017-0001/servers/a/b",
            undefined,
            none("vulnerabilities/CVE-2017-0001/servers/a/b")
          ],
          [
            "GET",
            "vulnerabilities/CVE-2017-0001/servers/a",
            undefined,
            none("vulnerabilities/CVE-2017-0001/servers/a")
          ],
          ["GET", "vulnerabilities/CVE-2017-0001/agents", undefined, none("vulnerabilities/CVE-2017-0001/agents")],
          ["GET", "vulnerabilities/package", undefined, refused(404, "vulnerability package not found")],
          ["GET", "vulnerabilities/package/openssl/cves", undefined, none("vulnerabilities/package/openssl/cves")],
          [
            "GET",
            "vulnerabilities/suppressions/servers",
            undefined,
            refused(404, "vulnerability suppressions not found")
          ],
          ["GET", "vulnerabilities/suppressions/x", undefined, none("vulnerabilities/suppressions/x")],
          ["POST", "vulnerabilities", {}, refused(405, "method POST not allowed on /v2/vulnerabilities")],
          ["GET", "alerts/dismiss", undefined, refused(405, "method GET not allowed on /v2/alerts/dismiss")],
          ["GET", "alerts/dismiss/al1", undefined, none("alerts/dismiss/al1")],
          ["GET", "alerts/severity-counts/1", undefined, none("alerts/severity-counts/1")],
          ["GET", "rules/nope/settings", undefined, none("rules/nope/settings")],
          ["GET", "rules/nope/tags/1", undefined, none("rules/nope/tags/1")],
          ["PUT", "rulesets", { name: "Mine" }, refused(405, "method PUT not allowed on /v2/rulesets")],
          [
            "PUT",
            "organizations/members",
            { id: "ee0000000000000000000001", role: "user" },
            refused(405, "method PUT not allowed on /v2/organizations/members")
          ],
          [
            "POST",
            "organizations/invites/new",
            { email: "new@example.com", role: "user" },
            none("organizations/invites/new")
          ]
        ]
        for (const [method, path, body, expected] of cases) {
          expect(yield* answer(fake, path, { method, body }), `${method} ${path}`).toEqual(expected)
        }
        const [, rulesets] = yield* answer(fake, "rulesets")
        expect(rulesets).toEqual({ rulesets: [] })
      })
    )
  )
})

describe("the fake's v2 routes: tokens", () => {
  it.effect("an empty token is no token: the first page, recorded as page 0", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        const first = yield* answer(fake, "agents?status=online")
        expect(yield* answer(fake, "agents?status=online&token=")).toEqual(first)
        const recorded = yield* fake.requests
        expect(recorded.map((r) => [r.query, r.page])).toEqual([
          ["status=online", 0],
          ["status=online&token=", 0]
        ])
      })
    )
  )

  it.effect("a token that names no listing is refused by every listing", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        const cases: ReadonlyArray<readonly [string, Readonly<Record<string, string>>]> = [
          ["agents", { status: "online" }],
          ["alerts", { status: "active" }],
          ["vulnerabilities", {}],
          ["vulnerabilities/suppressions", {}],
          ["vulnerabilities/package/openssl", {}],
          ["vulnerabilities/CVE-2017-0001/servers", {}],
          ["aws/ec2", {}],
          ["auditlogs", {}]
        ]
        for (const [path, query] of cases) {
          const token = forge({ l: "", p: 1, o: 0, q: query })
          expect(yield* answer(fake, `${path}?token=${token}`), path).toEqual(refused(400, `invalid token: ${token}`))
        }
      })
    )
  )

  it.effect("a page past the end of an agent's vulnerabilities is empty: only a first page is a 404", () =>
    withFake(acme, (fake) =>
      Effect.gen(function* () {
        const token = forge({ l: "vulnerabilities", p: 1, o: 4, q: { agentId: "ag-first" } })
        expect(yield* answer(fake, `vulnerabilities?token=${token}`)).toEqual([200, { cves: [], token: null }])
        const none = forge({ l: "vulnerabilities", p: 1, o: 0, q: { agentId: "ag-none" } })
        expect(yield* answer(fake, `vulnerabilities?token=${none}`)).toEqual([200, { cves: [], token: null }])
      })
    )
  )
})
