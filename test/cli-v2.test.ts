/**
 * The `threatstack` command's v2 side, spawned as a user runs it, against
 * the fake API served on 127.0.0.1 by this test process (closed in
 * afterAll): the generation switch, every v2 read, and the writes with their
 * safety (confirmation, --yes, --dry-run, ids from stdin). What a write did
 * is checked through the SDK in this process or the fake's request log.
 */
import { execFile } from "node:child_process"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Option, Scope, Stream } from "effect"
import { ThreatStackV2 } from "@effect-threatstack/core"
import { FakeServer, NodeThreatStack } from "@effect-threatstack/node"

const BIN = fileURLToPath(new URL("../packages/node/bin/threatstack.js", import.meta.url))
const KEY = "cli-v2-test-key-0123456789"
const NOW = Date.UTC(2017, 5, 1)

let scope: Scope.CloseableScope
let server: FakeServer.Service

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  server = await Effect.runPromise(
    Scope.extend(
      FakeServer.make({
        host: "127.0.0.1",
        apiKey: KEY,
        now: NOW,
        span: "60 days",
        counts: { alerts: 24 * 60, agents: 30 }
      }),
      scope
    )
  )
})
afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))
beforeEach(() => Effect.runPromise(server.fake.clearRequests))

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const settings = (): Record<string, string | undefined> => ({
  THREATSTACK_BASE_URL: server.baseUrl,
  THREATSTACK_V2_BASE_URL: server.v2BaseUrl,
  THREATSTACK_API_KEY: KEY,
  THREATSTACK_USER_ID: server.v2Credentials.userId,
  THREATSTACK_ORG_ID: server.v2Credentials.orgId,
  THREATSTACK_RETRY_BASE_DELAY: "10 millis",
  THREATSTACK_API_VERSION: undefined
})

const environment = (env: Record<string, string | undefined>) =>
  Object.fromEntries(
    Object.entries({ ...process.env, ...settings(), ...env }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined
    )
  )

/** Runs the command with `input` on stdin (a pipe, never a terminal); a variable given as `undefined` is removed. */
const threatstack = (
  args: ReadonlyArray<string>,
  env: Record<string, string | undefined> = {},
  input = ""
): Promise<Run> =>
  new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: environment(env), timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
        resolve({ code, stdout, stderr })
      }
    )
    child.stdin?.end(input)
  })

const lines = (text: string) => text.trimEnd().split("\n")
const ndjson = <A>(text: string): Array<A> => lines(text).map((line) => JSON.parse(line) as A)

/** The v2 SDK in this process, against the same fake: to set up and to check what a command did. */
const sdk = <A, E>(f: (ts: ThreatStackV2.Service) => Effect.Effect<A, E>): Promise<A> =>
  Effect.runPromise(
    Effect.provide(
      Effect.flatMap(ThreatStackV2.ThreatStackV2, f),
      NodeThreatStack.layerV2({ ...server.v2Credentials, baseUrl: server.v2BaseUrl })
    )
  )

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

/** `n` active alerts nobody else in this file uses (from a pool read once, before any dismissal). */
let pool: Array<string> | undefined
const activeAlerts = async (n: number): Promise<ReadonlyArray<string>> => {
  pool ??= (await sdk((ts) => collect(Stream.take(ts.alerts.list({ status: "active" }), 40)))).map((a) => a.id)
  return pool.splice(0, n)
}

const isDismissed = (ids: ReadonlyArray<string>) =>
  sdk((ts) =>
    Effect.forEach(ids, (id) =>
      Effect.map(ts.alerts.get(id), Option.match({ onNone: () => undefined, onSome: (a) => a.isDismissed }))
    )
  )

describe("threatstack, v2: the generation", { timeout: 120_000 }, () => {
  it("a user id alone switches agents and alerts to v2; --api-version wins over THREATSTACK_API_VERSION", async () => {
    const [implicit, flagged] = await Promise.all([
      threatstack(["agents", "list", "--status", "online", "--format", "ndjson", "--limit", "5"]),
      threatstack(["agents", "get", "a90000000000000000000001", "--api-version", "2", "--format", "json"], {
        THREATSTACK_API_VERSION: "1"
      })
    ])
    expect(implicit.stderr).toBe("")
    const agents = ndjson<{ status: string; agentType: string }>(implicit.stdout)
    expect(agents).toHaveLength(5)
    expect(agents.every((a) => a.status === "online" && typeof a.agentType === "string")).toBe(true)
    expect(JSON.parse(flagged.stdout)).toMatchObject({
      id: "a90000000000000000000001",
      hostname: "db-001.org0.internal"
    })
  })

  it("a contradicting --api-version, a flag of the other generation: exit 2, one line, nothing sent", async () => {
    const [v2Only, v1Only, v1Flag] = await Promise.all([
      threatstack(["vulnerabilities", "list", "--api-version", "1"]),
      threatstack(["logs", "list", "--api-version", "2"]),
      threatstack(["alerts", "list", "--start", "2017-05-01"])
    ])
    expect([v2Only, v1Only, v1Flag].map((r) => r.code)).toEqual([2, 2, 2])
    expect(v2Only.stderr).toBe("threatstack: vulnerabilities list exists in v2 only: --api-version 1 does not apply\n")
    expect(v1Only.stderr).toBe("threatstack: logs list exists in v1 only: --api-version 2 does not apply\n")
    expect(v1Flag.stderr).toMatch(/^threatstack: --start is a v1 flag: v2 takes --from\/--until/)
    expect(await Effect.runPromise(server.fake.requests)).toEqual([])
  })

  it("no user id for a v2 command says how to give one", async () => {
    const run = await threatstack(["members", "list"], { THREATSTACK_USER_ID: undefined })
    expect(run.code).toBe(2)
    expect(run.stderr).toBe("threatstack: no user id: set THREATSTACK_USER_ID or pass --user-id (or try --demo)\n")
  })
})

describe("threatstack, v2: reads", { timeout: 120_000 }, () => {
  it("alerts list (JSON), events, severity-counts", async () => {
    const [list, counts] = await Promise.all([
      threatstack([
        "alerts",
        "list",
        "--severity",
        "1",
        "--from",
        "2017-05-30",
        "--until",
        "2017-05-31",
        "--format",
        "json"
      ]),
      threatstack(["alerts", "severity-counts", "--from", "2017-05-01", "--until", "2017-05-31", "--format", "json"])
    ])
    const alerts = JSON.parse(list.stdout) as Array<{ id: string; severity: number; createdAt: string }>
    expect(alerts.length).toBeGreaterThan(0)
    expect(alerts.every((a) => a.severity === 1 && a.createdAt.startsWith("2017-05-3"))).toBe(true)
    const bySeverity = JSON.parse(counts.stdout) as Array<{ severity: number; count: number }>
    expect(bySeverity.map((c) => c.severity)).toEqual([1, 2, 3])
    expect(bySeverity.reduce((sum, c) => sum + c.count, 0)).toBe(31 * 24)
    const events = await threatstack(["alerts", "events", alerts[0]!.id, "--format", "ndjson"])
    expect(events.code).toBe(0)
    expect(ndjson<{ alertId: string }>(events.stdout).every((e) => e.alertId === alerts[0]!.id)).toBe(true)
  })

  it("vulnerabilities list, get, servers, suppressions", async () => {
    const [list, suppressions] = await Promise.all([
      threatstack(["vulnerabilities", "list", "--active", "--format", "ndjson", "--limit", "3"]),
      threatstack(["vulnerabilities", "suppressions", "--format", "json"])
    ])
    const cves = ndjson<{ cveNumber: string; agents: Array<{ agentId: string }> }>(list.stdout)
    expect(cves).toHaveLength(3)
    const cve = cves.find((c) => c.agents.length > 0)!
    const [one, affected] = await Promise.all([
      threatstack(["vulnerabilities", "get", cve.cveNumber]),
      threatstack(["vulnerabilities", "servers", cve.cveNumber, "--format", "ndjson"])
    ])
    expect(one.stdout).toMatch(new RegExp(`^cveNumber\\s+${cve.cveNumber}$`, "m"))
    expect(ndjson<{ agentId: string }>(affected.stdout).map((s) => s.agentId)).toEqual(cve.agents.map((a) => a.agentId))
    const suppressed = JSON.parse(suppressions.stdout) as Array<{ isSuppressed: boolean }>
    expect(suppressed.length).toBeGreaterThan(0)
    expect(suppressed.every((c) => c.isSuppressed)).toBe(true)
  })

  it("servers list, rulesets list and get, rules list and tags", async () => {
    const [servers, rulesets] = await Promise.all([
      threatstack(["servers", "list", "--unmonitored", "--format", "ndjson", "--limit", "3"]),
      threatstack(["rulesets", "list", "--format", "json"])
    ])
    expect(ndjson<{ monitored: boolean }>(servers.stdout).map((s) => s.monitored)).toEqual([false, false, false])
    const sets = JSON.parse(rulesets.stdout) as Array<{ id: string; name: string; ruleIds: Array<string> }>
    expect(sets.map((s) => s.name)).toEqual(["Base Policy", "Policy 1", "Policy 2", "Policy 3"])
    const base = sets[0]!
    const [one, rules, tags] = await Promise.all([
      threatstack(["rulesets", "get", base.id]),
      threatstack(["rules", "list", base.id, "--format", "ndjson"]),
      threatstack(["rules", "tags", base.ruleIds[0]!])
    ])
    expect(one.stdout).toMatch(/^name\s+Base Policy$/m)
    expect(ndjson<{ id: string }>(rules.stdout).map((r) => r.id)).toEqual(base.ruleIds)
    expect(lines(tags.stdout)).toEqual([
      "FILTER   SOURCE  KEY          VALUE",
      "include  ec2     Environment  production"
    ])
  })

  it("members list, audit-logs list", async () => {
    const [members, audit] = await Promise.all([
      threatstack(["members", "list", "--format", "json"]),
      threatstack(["audit-logs", "list", "--format", "ndjson", "--limit", "3", "--fields", "eventTime,action"])
    ])
    const all = JSON.parse(members.stdout) as Array<{ id: string; role: string }>
    expect(all.find((m) => m.id === server.v2Credentials.userId)?.role).toBe("owner")
    const records = ndjson<Record<string, unknown>>(audit.stdout)
    expect(records).toHaveLength(3)
    expect(Object.keys(records[0]!)).toEqual(["eventTime", "action"])
  })
})

describe("threatstack, v2: writes", { timeout: 120_000 }, () => {
  it("alerts dismiss of several ids with --yes; alerts get shows the dismissal", async () => {
    const ids = await activeAlerts(2)
    const run = await threatstack(["alerts", "dismiss", ...ids, "--reason", "MAINTENANCE", "--yes"])
    expect(run.stderr).toBe("")
    expect(run.stdout).toBe("dismissed 2 alerts (MAINTENANCE)\n")
    const read = await threatstack(["alerts", "get", ids[1]!, "--format", "json"])
    expect(JSON.parse(read.stdout)).toMatchObject({ id: ids[1], isDismissed: true, dismissReason: "MAINTENANCE" })
  })

  it("without --yes and no terminal, a dismissal of several alerts is refused: exit 2, nothing sent", async () => {
    const ids = await activeAlerts(2)
    const run = await threatstack(["alerts", "dismiss", ...ids, "--reason", "MAINTENANCE"])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe("")
    expect(run.stderr).toBe("threatstack: Dismiss 2 alerts: not a terminal to ask on, pass --yes to confirm\n")
    expect(await Effect.runPromise(server.fake.requests)).toEqual([])
    expect(await isDismissed(ids)).toEqual([false, false])
  })

  it("on a terminal it asks, and a no sends nothing (exit 10)", async () => {
    const ids = await activeAlerts(2)
    const command = [process.execPath, BIN, "alerts", "dismiss", ...ids, "--reason", "MAINTENANCE"]
      .map((a) => `'${a}'`)
      .join(" ")
    // script(1) gives the command a terminal; what it reads there comes from script's stdin
    const run = await new Promise<Run>((resolve) => {
      const child = execFile(
        "script",
        ["-qec", command, "/dev/null"],
        { env: environment({}), timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr })
      )
      child.stdin?.end("n\n")
    })
    expect(run.stdout).toContain("Dismiss 2 alerts? [y/N]")
    expect(run.stdout).toContain("threatstack: not confirmed: nothing sent")
    expect(run.code).toBe(10)
    expect(await isDismissed(ids)).toEqual([false, false])
  })

  it("--dry-run prints the request and sends nothing (and needs no --yes)", async () => {
    const run = await threatstack([
      "alerts",
      "dismiss",
      "--where",
      "--from",
      "2017-05-01",
      "--until",
      "2017-05-31",
      "--severity",
      "3",
      "--reason",
      "OTHER",
      "--text",
      "quiet month",
      "--dry-run"
    ])
    expect(run.stderr).toBe("")
    const [head, ...rest] = lines(run.stdout)
    expect(head).toBe("POST /v2/alerts/dismiss")
    expect(JSON.parse(rest.slice(0, rest.indexOf("")).join("\n"))).toEqual({
      from: "2017-05-01T00:00:00",
      until: "2017-05-31T23:59:59",
      severity: 3,
      dismissReason: "OTHER",
      dismissReasonText: "quiet month"
    })
    expect(rest.at(-1)).toBe("dry run: 1 request not sent")
    expect(await Effect.runPromise(server.fake.requests)).toEqual([])
  })

  it("ids from stdin with '-': one a line, blank lines skipped", async () => {
    const ids = await activeAlerts(3)
    const input = `${ids[0]}\n\n  ${ids[1]}  \n${ids[2]}\n\n`
    const run = await threatstack(["alerts", "dismiss", "-", "--reason", "COMPANY_POLICY", "--yes"], {}, input)
    expect(run.stderr).toBe("")
    expect(run.stdout).toBe("dismissed 3 alerts (COMPANY_POLICY)\n")
    expect(await isDismissed(ids)).toEqual([true, true, true])
  })

  it("rulesets create, a taken name (exit 8), update keeping what is not given, delete", async () => {
    const ruleIds = await sdk((ts) =>
      Effect.map(collect(ts.rulesets.list()), (sets) => sets.flatMap((s) => s.ruleIds).slice(0, 2))
    )
    const created = await threatstack([
      "rulesets",
      "create",
      "--name",
      "CLI web servers",
      "--description",
      "nginx hosts",
      ...ruleIds.flatMap((id) => ["--rule-id", id]),
      "--format",
      "json"
    ])
    expect(created.stderr).toBe("")
    const ruleset = JSON.parse(created.stdout) as { id: string; name: string; ruleIds: Array<string> }
    expect(ruleset).toMatchObject({ name: "CLI web servers", ruleIds })
    const [taken, updated] = await Promise.all([
      threatstack(["rulesets", "create", "--name", "CLI web servers"]),
      threatstack(["rulesets", "update", ruleset.id, "--description", "nginx and caddy", "--format", "json"])
    ])
    expect(taken.code).toBe(8)
    expect(taken.stderr).toBe('threatstack: a ruleset named "CLI web servers" exists already\n')
    expect(JSON.parse(updated.stdout)).toMatchObject({
      id: ruleset.id,
      name: "CLI web servers",
      description: "nginx and caddy",
      ruleIds
    })
    const deleted = await threatstack(["rulesets", "delete", ruleset.id, "--yes"])
    expect(deleted.stdout).toBe(`deleted ruleset ${ruleset.id}\n`)
    expect(await sdk((ts) => ts.rulesets.get(ruleset.id))).toEqual(Option.none())
  })

  it("rules create from --file, then rules get", async () => {
    const dir = await mkdtemp(join(tmpdir(), "threatstack-cli-"))
    try {
      const file = join(dir, "rule.json")
      const rule = {
        name: "CLI sudo usage",
        title: "Sudo usage",
        type: "Host",
        severityOfAlerts: 2,
        alertDescription: "Someone ran sudo",
        aggregateFields: ["user"],
        filter: "command = 'sudo'",
        window: 3600,
        threshold: 1,
        enabled: true
      }
      await writeFile(file, JSON.stringify(rule))
      const rulesetId = await sdk((ts) => Effect.map(collect(ts.rulesets.list()), (sets) => sets[1]!.id))
      const created = await threatstack(["rules", "create", rulesetId, "--file", file, "--format", "json"])
      expect(created.stderr).toBe("")
      const { id } = JSON.parse(created.stdout) as { id: string }
      const read = await threatstack(["rules", "get", rulesetId, id, "--format", "json"])
      expect(JSON.parse(read.stdout)).toMatchObject({ ...rule, id, rulesetId })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it("members add, remove, invite", async () => {
    const other = server.fake.organizations[1]!.id
    const stranger = await sdk((ts) =>
      Effect.gen(function* () {
        const here = new Set((yield* collect(ts.members.list())).map((m) => m.id))
        const there = yield* collect(ts.withOrganization(other).members.list())
        return there.find((m) => !here.has(m.id))!.id
      })
    )
    const members = () => sdk((ts) => Effect.map(collect(ts.members.list()), (all) => all.map((m) => m.id)))
    const added = await threatstack(["members", "add", "--id", stranger, "--role", "reader", "--format", "json"])
    expect(JSON.parse(added.stdout)).toMatchObject({ id: stranger, role: "reader" })
    expect(await members()).toContain(stranger)
    const [removed, invited] = await Promise.all([
      threatstack(["members", "remove", stranger]),
      threatstack(["members", "invite", "--email", "new.hire@example.com", "--role", "user", "--format", "json"])
    ])
    expect(removed.stdout).toBe(`removed member ${stranger}\n`)
    expect(await members()).not.toContain(stranger)
    expect(JSON.parse(invited.stdout)).toEqual({ sentToEmail: "new.hire@example.com", role: "user", status: "pending" })
  })
})

describe("threatstack demo --api-version 2", { timeout: 120_000 }, () => {
  it("tours v2 on the embedded fake, with no settings: counts, newest high alerts with their rule, a ruleset, a dismissal", async () => {
    const run = await threatstack(["demo", "--api-version", "2"], {
      THREATSTACK_BASE_URL: undefined,
      THREATSTACK_V2_BASE_URL: undefined,
      THREATSTACK_API_KEY: undefined,
      THREATSTACK_USER_ID: undefined,
      THREATSTACK_ORG_ID: undefined
    })
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Threat Stack demo \(v2\), against the embedded fake API/)
    const before = /by severity: 1 high: \d+ · 2 medium: \d+ · 3 low: \d+; active high (\d+)/.exec(run.stdout)
    const after =
      /Again, by severity: 1 high: \d+ · 2 medium: \d+ · 3 low: \d+ \(dismissed alerts still count\); active high (\d+)/.exec(
        run.stdout
      )
    expect(Number(before?.[1])).toBeGreaterThan(0)
    expect(Number(after?.[1])).toBe(Number(before?.[1]) - 1)
    const newest = run.stdout.split("with their rule:\n")[1]?.split("\n\n")[0]?.split("\n") ?? []
    expect(newest).toHaveLength(5)
    expect(newest.every((line) => /rule "[^"]+"/.test(line))).toBe(true)
    expect(run.stdout).toMatch(/^Ruleset "[^"]+" \(\w+\), \d+ rules?:$/m)
    expect(run.stdout).toMatch(
      /^Dismissed alert \w+ \(reason OTHER: "dismissed by the threatstack demo"\); read back: isDismissed true/m
    )
  })
})
