/**
 * What the fake's v2 accepts as a write, and what it refuses in the server's
 * words: rule, ruleset, tag, member, invite and dismissal bodies field by
 * field, the defaults a rule is given, the routes and methods that do not
 * exist, and the listings' filters out of shape.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { FakeThreatStack } from "@effect-threatstack/core"
import { call, withFake } from "./fakeCalls.js"

const failed = (what: string) => `Validation failed: body has invalid ${what} value.`

/** The first ruleset's id and its rule ids. */
const firstRuleset = (fake: FakeThreatStack.Service) =>
  Effect.map(
    call(fake, "rulesets"),
    (answer) => (answer.json as { rulesets: ReadonlyArray<{ id: string; rules: ReadonlyArray<string> }> }).rulesets[0]!
  )

/** Status and body of each write, for a table of expected answers. */
const answers = (fake: FakeThreatStack.Service, method: string, path: string, bodies: ReadonlyArray<unknown>) =>
  Effect.forEach(bodies, (body) =>
    Effect.map(call(fake, path, { method, body }), (answer) => [answer.status, answer.json] as const)
  )

/** POSTs each body to `path`: each is refused with its status and the one error message given. */
const expectRefused = (
  fake: FakeThreatStack.Service,
  path: string,
  cases: ReadonlyArray<readonly [body: unknown, status: number, message: string]>
) =>
  Effect.map(
    answers(
      fake,
      "POST",
      path,
      cases.map(([body]) => body)
    ),
    (got) => expect(got).toEqual(cases.map(([, status, message]) => [status, { errors: [message] }]))
  )

/** Cases that are all 400s. */
const badRequests = (cases: ReadonlyArray<readonly [unknown, string]>) =>
  cases.map(([body, message]) => [body, 400, message] as const)

const rule = {
  name: "Sudo usage",
  type: "Host",
  severityOfAlerts: 2
}

describe("fake v2 writes: rules", () => {
  it.effect("a rule with only its required fields gets the API's defaults", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const { id } = yield* firstRuleset(fake)
        const created = yield* call(fake, `rulesets/${id}/rules`, { method: "POST", body: { ...rule, type: "hOsT" } })
        expect(created.status).toBe(200)
        const { id: ruleId, createdAt, updatedAt, ...rest } = created.json as Record<string, unknown>
        expect(typeof ruleId).toBe("string")
        expect(createdAt).toBe(updatedAt)
        expect(rest).toEqual({
          rulesetId: id,
          name: "Sudo usage",
          title: "Sudo usage",
          type: "Host",
          severityOfAlerts: 2,
          alertDescription: "",
          aggregateFields: [],
          filter: "",
          window: 3600,
          threshold: 1,
          suppressions: [],
          enabled: true
        })
        const file = yield* call(fake, `rulesets/${id}/rules`, {
          method: "POST",
          body: { ...rule, type: "File", fileIntegrityPaths: [{ path: "/etc" }, { path: "/var", recursive: true }] }
        })
        expect(file.json).toMatchObject({
          type: "File",
          fileIntegrityPaths: [
            { path: "/etc", recursive: false },
            { path: "/var", recursive: true }
          ],
          ignoreFiles: [],
          eventsToMonitor: ["ALL"]
        })
        const fileDefaults = yield* call(fake, `rulesets/${id}/rules`, {
          method: "POST",
          body: { ...rule, type: "File" }
        })
        expect(fileDefaults.json).toMatchObject({ fileIntegrityPaths: [], ignoreFiles: [], eventsToMonitor: ["ALL"] })
        // fields only a File rule has are left off other types
        expect(created.json).not.toHaveProperty("eventsToMonitor")
        const given = {
          ...rule,
          title: "T",
          alertDescription: "d",
          aggregateFields: ["user"],
          filter: "f",
          window: 60,
          threshold: 5,
          suppressions: ["s"],
          enabled: false,
          // what a GET returned, sent back: ignored
          id: "ignored",
          rulesetId: "ignored",
          createdAt: "ignored",
          updatedAt: "ignored"
        }
        const full = (yield* call(fake, `rulesets/${id}/rules`, { method: "POST", body: given })).json
        expect(full).toMatchObject({
          title: "T",
          alertDescription: "d",
          aggregateFields: ["user"],
          filter: "f",
          window: 60,
          threshold: 5,
          suppressions: ["s"],
          enabled: false,
          rulesetId: id
        })
        expect((full as { id: string }).id).not.toBe("ignored")
      })
    )
  )

  it.effect("each field out of shape is a 400 in the server's words", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const { id } = yield* firstRuleset(fake)
        const cases: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
          [{ ...rule, colour: "red", shade: 1 }, "Invalid keys: colour, shade"],
          [{ ...rule, name: "" }, `${failed("name")}  Must be between 1 and 200 characters long.`],
          [{ ...rule, name: "é".repeat(201) }, `${failed("name")}  Must be between 1 and 200 characters long.`],
          [{ ...rule, name: 5 }, `${failed("name")}  Must be between 1 and 200 characters long.`],
          [
            { ...rule, type: "Network" },
            `${failed("type")}  Must be one of Host, File, CloudTrail, ThreatIntel, Winsec, KubernetesAudit, KubernetesConfig.`
          ],
          [
            { ...rule, type: 1 },
            `${failed("type")}  Must be one of Host, File, CloudTrail, ThreatIntel, Winsec, KubernetesAudit, KubernetesConfig.`
          ],
          [{ ...rule, severityOfAlerts: "2" }, `${failed("severityOfAlerts")}  Must be 1, 2 or 3.`],
          [{ ...rule, severityOfAlerts: 4 }, `${failed("severityOfAlerts")}  Must be 1, 2 or 3.`],
          [{ ...rule, severityOfAlerts: undefined }, `${failed("severityOfAlerts")}  Must be 1, 2 or 3.`],
          [{ ...rule, title: 1 }, failed("title")],
          [{ ...rule, filter: [] }, failed("filter")],
          [{ ...rule, aggregateFields: "user" }, `${failed("aggregateFields")}  Must be an array of strings.`],
          [{ ...rule, suppressions: [1] }, `${failed("suppressions")}  Must be an array of strings.`],
          [{ ...rule, ignoreFiles: {} }, `${failed("ignoreFiles")}  Must be an array of strings.`],
          [{ ...rule, eventsToMonitor: [null] }, `${failed("eventsToMonitor")}  Must be an array of strings.`],
          [
            { ...rule, aggregateFields: ["user", "rule_id"] },
            "Validation failed: aggregateFields value rule_id is deprecated."
          ],
          [{ ...rule, window: 0 }, `${failed("window")}  Must be a positive whole number.`],
          [{ ...rule, window: 1.5 }, `${failed("window")}  Must be a positive whole number.`],
          [{ ...rule, threshold: "1" }, `${failed("threshold")}  Must be a positive whole number.`],
          [{ ...rule, enabled: "true" }, `${failed("enabled")}  Must be a boolean.`],
          [{ ...rule, fileIntegrityPaths: "/etc" }, failed("fileIntegrityPaths")],
          [{ ...rule, fileIntegrityPaths: [null] }, failed("fileIntegrityPaths")],
          [{ ...rule, fileIntegrityPaths: [{ path: 1 }] }, failed("fileIntegrityPaths")],
          [{ ...rule, fileIntegrityPaths: [{ path: "/etc", recursive: "yes" }] }, failed("fileIntegrityPaths")]
        ]
        yield* expectRefused(fake, `rulesets/${id}/rules`, badRequests(cases))
        // names of exactly 1 and 200 characters (not bytes) are taken
        const edges = yield* answers(fake, "POST", `rulesets/${id}/rules`, [
          { ...rule, name: "x" },
          { ...rule, name: "é".repeat(200), alertDescription: "é".repeat(300) }
        ])
        expect(edges.map(([status]) => status)).toEqual([200, 200])
      })
    )
  )

  it.effect("a rule of another ruleset, or of none, is not found there; methods a rule does not have are 405", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const { id, rules } = yield* firstRuleset(fake)
        const created = (yield* call(fake, "rulesets", { method: "POST", body: { name: "Empty" } })).json as {
          id: string
        }
        const elsewhere = yield* call(fake, `rulesets/${created.id}/rules/${rules[0]}`)
        expect([elsewhere.status, elsewhere.json]).toEqual([
          404,
          { errors: [`rule ${rules[0]} not found in ruleset ${created.id}`] }
        ])
        expect((yield* call(fake, `rulesets/${id}/rules/${rules[0]}`, { method: "POST", body: rule })).status).toBe(405)
        expect((yield* call(fake, `rulesets/${id}/rules`, { method: "PUT", body: rule })).status).toBe(405)
        expect((yield* call(fake, `rulesets/${id}`, { method: "POST", body: rule })).status).toBe(405)
        expect((yield* call(fake, `rulesets/${id}/other`)).status).toBe(404)
        expect((yield* call(fake, `rulesets/${id}/rules/${rules[0]}/more`)).status).toBe(404)
        const unknown = yield* call(fake, "rulesets/nope/rules")
        expect([unknown.status, unknown.json]).toEqual([404, { errors: ["ruleset nope not found"] }])
      })
    )
  )
})

describe("fake v2 writes: rulesets", () => {
  it.effect("each field out of shape is a 400; a taken name 409; unknown rules 404, all named", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const { id, rules } = yield* firstRuleset(fake)
        const name = `${failed("name")}  Must be between 1 and 200 characters long.`
        const cases: ReadonlyArray<readonly [unknown, number, string]> = [
          [{ name: "A", owner: "me" }, 400, "Invalid keys: owner"],
          [{ name: "" }, 400, name],
          [{ name: "x".repeat(201) }, 400, name],
          [{ description: "d" }, 400, name],
          [{ name: "A", description: 5 }, 400, failed("description")],
          [{ name: "A", ruleIds: "r" }, 400, `${failed("ruleIds")}  Must be an array of rule ids.`],
          [{ name: "A", ruleIds: [1] }, 400, `${failed("ruleIds")}  Must be an array of rule ids.`],
          [{ name: "A", ruleIds: ["r-1", rules[0], "r-2"] }, 404, "ruleIds not found: r-1, r-2"],
          ["[1]", 400, "Invalid request body: expected a JSON object"],
          ["null", 400, "Invalid request body: expected a JSON object"],
          [" ", 400, "Invalid request body: expected a JSON object"],
          ["{", 400, "Invalid request body: not JSON"]
        ]
        yield* expectRefused(fake, "rulesets", cases)
        const existing = ((yield* call(fake, `rulesets/${id}`)).json as { name: string }).name
        const taken = yield* call(fake, "rulesets", { method: "POST", body: { name: existing } })
        expect([taken.status, taken.json]).toEqual([409, { errors: ["Resource already exists"] }])
      })
    )
  )

  it.effect("a ruleset keeps its rules once each; a PUT keeps what it does not name", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const { rules } = yield* firstRuleset(fake)
        const created = (yield* call(fake, "rulesets", {
          method: "POST",
          body: { name: "Twice", description: null, ruleIds: [rules[0], rules[0]] }
        })).json as { id: string; rules: ReadonlyArray<string>; description: string; createdAt: string }
        expect([created.rules, created.description]).toEqual([[rules[0]], ""])
        const described = yield* call(fake, `rulesets/${created.id}`, {
          method: "PUT",
          body: { name: "Twice", description: "kept" }
        })
        expect(described.json).toMatchObject({ rules: [rules[0]], description: "kept", createdAt: created.createdAt })
        // its own name is not taken by itself
        const renamed = yield* call(fake, `rulesets/${created.id}`, {
          method: "PUT",
          body: { name: "Twice", ruleIds: [] }
        })
        expect(renamed.json).toMatchObject({ rules: [], description: "kept" })
        expect((yield* call(fake, `rulesets/${created.id}`, { method: "DELETE" })).json).toEqual({})
        expect((yield* call(fake, `rulesets/${created.id}`)).status).toBe(404)
      })
    )
  )

  it.effect("rulesets for an agent: the one its policy names, or a 404", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const agents = (yield* call(fake, "agents?status=online")).json as { agents: ReadonlyArray<{ id: string }> }
        const applied = yield* call(fake, `rulesets?agentId=${agents.agents[0]!.id}`)
        expect(applied.status).toBe(200)
        expect((applied.json as { rulesets: ReadonlyArray<unknown> }).rulesets).toHaveLength(1)
        const none = yield* call(fake, "rulesets?agentId=nobody")
        expect([none.status, none.json]).toEqual([404, { errors: ["no rulesets for agent nobody"] }])
      })
    )
  )
})

describe("fake v2 writes: tags, members, invites", () => {
  it.effect("tags: each entry needs a source, a key and a value, all strings", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const { rules } = yield* firstRuleset(fake)
        const words = "Validation failed: inclusion and exclusion must be arrays of { source, key, value }."
        const tag = { source: "ec2", key: "env", value: "prod" }
        const cases: ReadonlyArray<readonly [unknown, string]> = [
          [{ inclusion: [tag], colour: [] }, "Invalid keys: colour"],
          [{ inclusion: tag }, words],
          [{ inclusion: [null] }, words],
          [{ inclusion: ["env"] }, words],
          [{ exclusion: [{ ...tag, source: 1 }] }, words],
          [{ exclusion: [{ ...tag, key: undefined }] }, words],
          [{ exclusion: [{ source: "ec2", key: "env" }] }, words]
        ]
        yield* expectRefused(fake, `rules/${rules[0]}/tags`, badRequests(cases))
        const set = yield* call(fake, `rules/${rules[0]}/tags`, { method: "POST", body: { exclusion: [tag] } })
        expect([set.status, set.json]).toEqual([200, { inclusion: [], exclusion: [tag] }])
        expect((yield* call(fake, `rules/${rules[0]}/tags`)).json).toEqual({ inclusion: [], exclusion: [tag] })
        // an empty set reads as none
        yield* call(fake, `rules/${rules[0]}/tags`, { method: "POST", body: {} })
        expect((yield* call(fake, `rules/${rules[0]}/tags`)).status).toBe(404)
        expect((yield* call(fake, `rules/${rules[0]}/tags`, { method: "PUT", body: {} })).status).toBe(405)
        expect((yield* call(fake, "rules/nope/tags")).json).toEqual({ errors: ["rule nope not found"] })
        expect((yield* call(fake, `rules/${rules[0]}`)).status).toBe(404)
      })
    )
  )

  it.effect("members and invites: ids, roles and e-mails checked; an owner may make owners", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const role = "Validation failed: body has invalid role value.  Must be owner, user or reader."
        const members = yield* answers(fake, "POST", "organizations/members", [
          { id: "u", role: "user", note: "x" },
          { role: "user" },
          { id: "", role: "user" },
          { id: "u", role: "admin" },
          { id: "u" },
          { id: "nobody", role: "user" }
        ])
        expect(members).toEqual([
          [400, { errors: ["Invalid keys: note"] }],
          [400, { errors: ["Validation failed: body has invalid id value."] }],
          [400, { errors: ["Validation failed: body has invalid id value."] }],
          [400, { errors: [role] }],
          [400, { errors: [role] }],
          [404, { errors: ["user nobody not found"] }]
        ])
        const invites = yield* answers(fake, "POST", "organizations/invites", [
          { email: "a@b", role: "owner" },
          { email: "a@b", role: "reader", note: 1 },
          { email: "not an address", role: "user" },
          { email: "a@b@c", role: "user" },
          { email: 5, role: "user" },
          { email: "a@b", role: "boss" }
        ])
        expect(invites).toEqual([
          [200, { sentToEmail: "a@b", role: "owner", status: "pending" }],
          [400, { errors: ["Invalid keys: note"] }],
          [400, { errors: ["Validation failed: body has invalid email value."] }],
          [400, { errors: ["Validation failed: body has invalid email value."] }],
          [400, { errors: ["Validation failed: body has invalid email value."] }],
          [400, { errors: [role] }]
        ])
        expect((yield* call(fake, "organizations/invites", { method: "GET" })).status).toBe(405)
        expect((yield* call(fake, "organizations/members/x", { method: "GET" })).status).toBe(405)
        expect((yield* call(fake, "organizations/members/x/y", { method: "DELETE" })).status).toBe(404)
        expect((yield* call(fake, "organizations/members/nobody", { method: "DELETE" })).json).toEqual({
          errors: ["member nobody not found"]
        })
        expect((yield* call(fake, "organizations/members?enabledOnly=maybe")).json).toEqual({
          errors: ["invalid enabledOnly: maybe"]
        })
        expect((yield* call(fake, "organizations/other")).status).toBe(404)
      })
    )
  )
})

describe("fake v2 writes: dismissals", () => {
  it.effect("each field out of shape is a 400 naming it; unknown ids a 404 naming them", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const reasons =
          "Validation failed: dismissReason must be one of BUSINESS_OP, COMPANY_POLICY, MAINTENANCE, OTHER."
        const byQuery = { dismissReason: "BUSINESS_OP", from: "2017-05-01", until: "2017-05-02" }
        const cases: ReadonlyArray<readonly [unknown, number, string]> = [
          [{ ids: ["a"], dismissReason: "MAINTENANCE", why: 1 }, 400, "Invalid keys: why"],
          [{ ids: ["a"] }, 400, reasons],
          [{ ids: ["a"], dismissReason: "maintenance" }, 400, reasons],
          [{ ids: ["a"], dismissReason: "MAINTENANCE", dismissReasonText: 5 }, 400, failed("dismissReasonText")],
          [
            { ids: ["a"], dismissReason: "OTHER" },
            400,
            "Validation failed: dismissReasonText is required when dismissReason is OTHER."
          ],
          [
            { ids: ["a"], dismissReason: "OTHER", dismissReasonText: "  " },
            400,
            "Validation failed: dismissReasonText is required when dismissReason is OTHER."
          ],
          [
            { ids: [], dismissReason: "MAINTENANCE" },
            400,
            "Validation failed: ids must be a non-empty array of alert ids."
          ],
          [
            { ids: [""], dismissReason: "MAINTENANCE" },
            400,
            "Validation failed: ids must be a non-empty array of alert ids."
          ],
          [
            { ids: "a", dismissReason: "MAINTENANCE" },
            400,
            "Validation failed: ids must be a non-empty array of alert ids."
          ],
          [
            { ids: Array.from({ length: 513 }, (_, i) => `a${i}`), dismissReason: "MAINTENANCE" },
            400,
            "Validation failed: at most 512 ids at once."
          ],
          [{ ids: ["a1", "a2"], dismissReason: "MAINTENANCE" }, 404, "alerts not found: a1, a2"],
          [
            { dismissReason: "MAINTENANCE", from: "2017-05-01" },
            400,
            "Validation failed: dismissing by query needs from and until (or ids)."
          ],
          [{ ...byQuery, from: "yesterday" }, 400, "invalid from date: yesterday"],
          [{ ...byQuery, from: "2017-05-03" }, 400, "from is after until"],
          [{ ...byQuery, severity: 4 }, 400, "Validation failed: body has invalid severity value.  Must be 1, 2 or 3."],
          [{ ...byQuery, ruleId: 1 }, 400, failed("ruleId")],
          [{ ...byQuery, agentID: ["a"] }, 400, failed("agentId")]
        ]
        yield* expectRefused(fake, "alerts/dismiss", cases)
        expect((yield* call(fake, "alerts/dismiss")).status).toBe(405)
        expect((yield* call(fake, "alerts", { method: "POST", body: {} })).status).toBe(405)
      })
    )
  )

  it.effect("a dismissal by query takes the alerts of its range, severity, rule and agent, and no others", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const active = (query: string) =>
          Effect.map(
            call(fake, `alerts?status=active&from=2017-05-30&until=2017-05-30${query}`),
            (answer) =>
              (
                answer.json as {
                  alerts: ReadonlyArray<{ id: string; severity: number; ruleId: string; agentId: string }>
                }
              ).alerts
          )
        const before = yield* active("")
        const target = before[0]!
        const same = before.filter(
          (a) => a.severity === target.severity && a.ruleId === target.ruleId && a.agentId === target.agentId
        )
        const done = yield* call(fake, "alerts/dismiss", {
          method: "POST",
          body: {
            dismissReason: "MAINTENANCE",
            from: "2017-05-30",
            until: "2017-05-30",
            severity: String(target.severity),
            ruleID: target.ruleId,
            agentID: target.agentId
          }
        })
        expect([done.status, done.json]).toEqual([200, {}])
        const after = yield* active("")
        expect(after.map((a) => a.id)).toEqual(before.filter((a) => !same.includes(a)).map((a) => a.id))
        const outside = yield* call(fake, "alerts?status=dismissed&from=2017-05-31&until=2017-05-31")
        const dismissedElsewhere = (outside.json as { alerts: ReadonlyArray<{ dismissReason: string }> }).alerts
        expect(dismissedElsewhere.some((a) => a.dismissReason === "MAINTENANCE")).toBe(false)
      })
    )
  )
})

describe("fake v2 routes that do not exist, and filters out of shape", () => {
  it.effect("no route, a 404 naming the path; a method not there, a 405 naming it", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const routes: ReadonlyArray<readonly [string, string, number, string]> = [
          ["GET", "nowhere", 404, "no route /v2/nowhere"],
          ["GET", "a/b/c/d/e", 404, "no route /v2/a/b/c/d/e"],
          ["GET", "agents/x/y", 404, "no route /v2/agents/x/y"],
          ["POST", "agents", 405, "method POST not allowed on /v2/agents"],
          ["GET", "agents/nobody", 404, "agent nobody not found"],
          ["GET", "alerts/nobody", 404, "alert nobody not found"],
          ["GET", "alerts/x/comments", 404, "no route /v2/alerts/x/comments"],
          ["GET", "alerts/x/events/y", 404, "no route /v2/alerts/x/events/y"],
          ["DELETE", "vulnerabilities", 405, "method DELETE not allowed on /v2/vulnerabilities"],
          ["GET", "vulnerabilities/CVE-0/agents", 404, "no route /v2/vulnerabilities/CVE-0/agents"],
          ["GET", "vulnerabilities/CVE-0", 404, "vulnerability CVE-0 not found"],
          ["GET", "aws/ec3", 404, "no route /v2/aws/ec3"],
          ["GET", "aws/ec2/x", 404, "no route /v2/aws/ec2/x"],
          ["POST", "aws/ec2", 405, "method POST not allowed on /v2/aws/ec2"],
          ["GET", "rules", 404, "no route /v2/rules"],
          ["GET", "auditlogs/x", 404, "no route /v2/auditlogs/x"],
          ["POST", "auditlogs", 405, "method POST not allowed on /v2/auditlogs"]
        ]
        for (const [method, path, status, message] of routes) {
          const answer = yield* call(
            fake,
            path,
            method === "GET" || method === "DELETE" ? { method } : { method, body: {} }
          )
          expect({ method, path, status: answer.status, json: answer.json }).toEqual({
            method,
            path,
            status,
            json: { errors: [message] }
          })
        }
      })
    )
  )

  it.effect("the listings' own filters are checked, each naming its value", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const bad: ReadonlyArray<readonly [string, string]> = [
          ["agents?status=gone", "invalid status: gone (expected online or offline)"],
          ["agents?status=online&type=watch", "invalid type: watch (expected monitor or investigate)"],
          ["agents?status=online&from=soon", "invalid from date: soon"],
          ["alerts?status=open", "invalid status: open (expected active or dismissed)"],
          ["alerts?status=active&severity=high", "invalid severity: high (expected 1, 2 or 3)"],
          ["alerts/severity-counts?status=open", "invalid status: open"],
          ["alerts/severity-counts?from=soon", "invalid from date: soon"],
          ["vulnerabilities?status=gone", "invalid status: gone (expected active)"],
          ["vulnerabilities?active=yes", "invalid active: yes (expected true or false)"],
          ["vulnerabilities?hasSecurityNotices=2", "invalid hasSecurityNotices: 2"],
          ["aws/ec2?monitored=yes", "invalid monitored: yes (expected true or false)"],
          ["aws/ec2?verbose=yes", "invalid verbose: yes (expected true or false)"],
          ["auditlogs?from=soon", "invalid from date: soon"],
          ["auditlogs?until=soon", "invalid until date: soon"],
          ["auditlogs?from=2017-06-02&until=2017-06-01", "The from parameter needs to be before the until parameter"]
        ]
        for (const [path, message] of bad) {
          const answer = yield* call(fake, path)
          expect({ path, status: answer.status, json: answer.json }).toEqual({
            path,
            status: 400,
            json: { errors: [message] }
          })
        }
        const noData = yield* call(fake, "vulnerabilities?agentId=nobody")
        expect([noData.status, noData.json]).toEqual([404, { errors: ["no vulnerability data for agent nobody"] }])
      })
    )
  )
})
