/**
 * The `threatstack` command, spawned as a user runs it, against the fake API
 * served on a port by this test process.
 */
import { execFile, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { FakeServer } from "@effect-threatstack/node"

const BIN = fileURLToPath(new URL("../packages/node/bin/threatstack.js", import.meta.url))
const KEY = "cli-test-key-0123456789"
const NOW = Date.UTC(2017, 5, 1)

let scope: Scope.CloseableScope
let server: FakeServer.Service

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  server = await Effect.runPromise(
    Scope.extend(
      FakeServer.make({ apiKey: KEY, now: NOW, span: "60 days", counts: { alerts: 24 * 60, agents: 30 } }),
      scope
    )
  )
})
afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))
beforeEach(() => Effect.runPromise(server.fake.clearFaults))

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the command; a variable given as `undefined` is removed from its environment. */
const threatstack = (args: ReadonlyArray<string>, env: Record<string, string | undefined> = {}): Promise<Run> =>
  new Promise((resolve) => {
    const merged: Record<string, string | undefined> = {
      ...process.env,
      THREATSTACK_BASE_URL: server.baseUrl,
      THREATSTACK_API_KEY: KEY,
      THREATSTACK_RETRY_BASE_DELAY: "10 millis",
      ...env
    }
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)),
        timeout: 60_000
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
        resolve({ code, stdout, stderr })
      }
    )
  })

const lines = (text: string) => text.trimEnd().split("\n")

describe("threatstack command line", { timeout: 120_000 }, () => {
  it("alerts list --format ndjson --limit: exactly N records, newest first", async () => {
    const run = await threatstack(["alerts", "list", "--format", "ndjson", "--limit", "150"])
    expect(run.stderr).toBe("")
    expect(run.code).toBe(0)
    const records = lines(run.stdout).map((l) => JSON.parse(l) as { id: string; created_at: string })
    expect(records).toHaveLength(150)
    expect(records[0]?.created_at).toBe("2017-05-31T23:00:00.000Z")
    expect(new Set(records.map((r) => r.id)).size).toBe(150)
  })

  it("alerts list --format json over a time range is one JSON array", async () => {
    const run = await threatstack([
      "alerts",
      "list",
      "--format",
      "json",
      "--start",
      "2017-05-30 10:00:00",
      "--end",
      "2017-05-30 12:00:00"
    ])
    expect(run.code).toBe(0)
    const records = JSON.parse(run.stdout) as Array<{ created_at: string }>
    expect(records.map((r) => r.created_at)).toEqual([
      "2017-05-30T12:00:00.000Z",
      "2017-05-30T11:00:00.000Z",
      "2017-05-30T10:00:00.000Z"
    ])
    const empty = await threatstack([
      "alerts",
      "list",
      "--format",
      "json",
      "--start",
      "2001-01-01",
      "--end",
      "2001-01-02"
    ])
    expect(JSON.parse(empty.stdout)).toEqual([])
  })

  it("agents list --fields: a table of exactly those columns", async () => {
    const run = await threatstack(["agents", "list", "--fields", "hostname,ip_address", "--limit", "3"])
    expect(run.code).toBe(0)
    expect(lines(run.stdout)).toEqual([
      "HOSTNAME                  IP_ADDRESS",
      "web-000.org0.internal     10.0.0.0",
      "db-001.org0.internal      10.0.0.1",
      "worker-002.org0.internal  10.0.0.2"
    ])
  })

  it("the default table shows readable UTC times", async () => {
    const run = await threatstack(["alerts", "list", "--page", "0", "--count", "2"])
    expect(run.code).toBe(0)
    const [header, first] = lines(run.stdout)
    expect(header).toMatch(/^ID\s+CREATED_AT\s+SEVERITY\s+TITLE\s+DISMISSED$/)
    expect(first).toContain("2017-05-31 23:00:00 UTC")
  })

  it("logs, organizations and policies list; organizations users", async () => {
    const logs = await threatstack(["logs", "list", "--format", "ndjson", "--limit", "5"])
    expect(lines(logs.stdout)).toHaveLength(5)
    const orgs = await threatstack(["organizations", "list", "--format", "json"])
    const parsed = JSON.parse(orgs.stdout) as Array<{ id: string }>
    expect(parsed).toHaveLength(2)
    const policies = await threatstack(["policies", "list"])
    expect(lines(policies.stdout)).toHaveLength(1 + 4)
    const users = await threatstack(["organizations", "users", parsed[1]!.id, "--format", "ndjson"])
    expect(users.code).toBe(0)
    expect(lines(users.stdout).map((l) => (JSON.parse(l) as { organization_id: string }).organization_id)).toEqual(
      Array(5).fill(parsed[1]!.id)
    )
  })

  it("get: a record, as a table or JSON; a missing id exits 3", async () => {
    const agent = await threatstack(["agents", "get", "a90000000000000000000001"])
    expect(agent.code).toBe(0)
    expect(agent.stdout).toMatch(/^id\s+a90000000000000000000001$/m)
    const alert = await threatstack(["alerts", "get", "a10000000000000000000000", "--format", "json"])
    expect((JSON.parse(alert.stdout) as { rule: unknown }).rule).toBeDefined()
    const missing = await threatstack(["policies", "get", "b000000000000000000000ff"])
    expect(missing.code).toBe(3)
    expect(missing.stdout).toBe("")
    expect(missing.stderr).toBe("threatstack: policy b000000000000000000000ff not found\n")
  })

  it("a bad date is a usage error that names the flag and the forms, exit 2, one line", async () => {
    const run = await threatstack(["alerts", "list", "--start", "2017-02-30"])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(
      "threatstack: --start must be a date or a time (2017-05-01, '2017-05-01 08:00:00', or ISO 8601 with a T: 2017-05-01T08:00, 2017-05-01T08:00:00.250Z, 2017-05-01T10:00:00+02:00 (no zone: UTC)), not '2017-02-30'\n"
    )
  })

  it("a wrong key exits 4 and never prints the key", async () => {
    const wrongKey = "wrong-key-must-not-be-printed"
    const run = await threatstack(["agents", "list"], { THREATSTACK_API_KEY: wrongKey })
    expect(run.code).toBe(4)
    expect(run.stderr).toMatch(/^threatstack: unauthorized \(HTTP 401\): missing or invalid API key \[GET /)
    expect(lines(run.stderr)).toHaveLength(1)
    expect(run.stdout + run.stderr).not.toContain(wrongKey)
    const flag = await threatstack(["agents", "list", "--api-key", wrongKey])
    expect(flag.code).toBe(4)
    expect(flag.stdout + flag.stderr).not.toContain(wrongKey)
  })

  it("a 429 storm exits 5 after the retries", async () => {
    await Effect.runPromise(server.fake.addFaults({ path: "alerts", fault: { _tag: "RateLimit", resetMs: 5 } }))
    const run = await threatstack(["alerts", "list"], { THREATSTACK_MAX_RETRIES: "2" })
    expect(run.code).toBe(5)
    expect(run.stderr).toMatch(/^threatstack: rate limited, retries spent \(HTTP 429\)/)
    expect(run.stderr).toContain("3 attempts")
  })

  it("no key at all says how to give one", async () => {
    const run = await threatstack(["agents", "list"], { THREATSTACK_API_KEY: "" })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("threatstack: ")
  })

  it("no THREATSTACK_API_KEY in the environment: one line that says how to give one, exit 2", async () => {
    const run = await threatstack(["agents", "list"], { THREATSTACK_API_KEY: undefined })
    expect(run.code).toBe(2)
    expect(run.stdout).toBe("")
    expect(run.stderr).toBe("threatstack: no API key: set THREATSTACK_API_KEY or pass --api-key (or try --demo)\n")
  })

  it("demo runs against the embedded fake with no settings", async () => {
    const run = await threatstack(["demo"], { THREATSTACK_BASE_URL: "", THREATSTACK_API_KEY: "" })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Threat Stack demo, against the embedded fake API/)
    const listed = /listed (\d+) \(fields=id\), fetched (\d+) in detail/.exec(run.stdout)
    expect(Number(listed?.[1])).toBeGreaterThan(0)
    expect(listed?.[2]).toBe(listed?.[1])
    expect(run.stdout).toMatch(/by severity: 1 high: \d+ · 2 medium: \d+ · 3 low: \d+/)
  })

  it("--demo points any command at the embedded fake", async () => {
    const run = await threatstack(["policies", "list", "--demo", "--format", "json"], {
      THREATSTACK_BASE_URL: "",
      THREATSTACK_API_KEY: ""
    })
    expect(run.code).toBe(0)
    expect((JSON.parse(run.stdout) as Array<unknown>).length).toBe(4)
  })

  it("an unknown command or flag is a usage error", async () => {
    const run = await threatstack(["alerts", "lst"])
    expect(run.code).toBe(2)
  })

  it("ndjson streams: the first records are out while later pages are still coming", async () => {
    await Effect.runPromise(server.fake.addFaults({ path: "alerts", fault: { _tag: "Latency", delay: "300 millis" } }))
    const child = spawn(
      process.execPath,
      [BIN, "alerts", "list", "--format", "ndjson", "--count", "50", "--limit", "300"],
      {
        env: { ...process.env, THREATSTACK_BASE_URL: server.baseUrl, THREATSTACK_API_KEY: KEY }
      }
    )
    let exited = false
    let out = ""
    const firstChunk = new Promise<{ lines: number; exited: boolean }>((resolve) =>
      child.stdout.once("data", (chunk: Buffer) => resolve({ lines: chunk.toString().split("\n").length - 1, exited }))
    )
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString()
    })
    const done = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => {
        exited = true
        resolve(code)
      })
    )
    const first = await firstChunk
    expect(first.exited).toBe(false)
    expect(first.lines).toBeGreaterThan(0)
    expect(first.lines).toBeLessThan(300)
    expect(await done).toBe(0)
    expect(lines(out)).toHaveLength(300)
  })

  it("shows progress on stderr when it is a terminal, and nothing when piped", async () => {
    const command = [process.execPath, BIN, "alerts", "list", "--format", "ndjson", "--limit", "2000"]
      .map((a) => `'${a}'`)
      .join(" ")
    await Effect.runPromise(server.fake.addFaults({ path: "alerts", fault: { _tag: "Latency", delay: "100 millis" } }))
    // script(1) gives the command a terminal; stdout goes to /dev/null inside it
    const run = await new Promise<Run>((resolve) =>
      execFile(
        "script",
        ["-qec", `${command} > /dev/null`, "/dev/null"],
        { env: { ...process.env, THREATSTACK_BASE_URL: server.baseUrl, THREATSTACK_API_KEY: KEY }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr })
      )
    )
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/[\d,]+ records · \d+ pages · [\d,]+ records\/s/)
    const piped = await threatstack(["alerts", "list", "--format", "ndjson", "--limit", "2000"])
    expect(piped.stderr).toBe("")
  })
})
