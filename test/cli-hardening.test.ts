/**
 * The `threatstack` command under hostile or unlucky conditions, spawned as
 * a user runs it against fakes served on 127.0.0.1 by this test process
 * (closed in afterAll): logs never mix into stdout, a JSON listing that
 * fails midway is still one parseable array, server data cannot drive the
 * terminal, a `__proto__` field survives, and Ctrl-C exits 130.
 */
import { execFile, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import type { FakeThreatStack } from "@effect-threatstack/core"
import { FakeServer } from "@effect-threatstack/node"

const BIN = fileURLToPath(new URL("../packages/node/bin/threatstack.js", import.meta.url))
const KEY = "cli-hardening-key-0123456789"
const NOW = Date.UTC(2017, 5, 1)
const ESC = "\u001b"

/** Policies whose text would rewrite a terminal (a title sequence, a screen clear, a newline) and one with a `__proto__` field. */
const hostile: ReadonlyArray<FakeThreatStack.Json> = [
  {
    id: "b00000000000000000000001",
    name: `evil${ESC}]0;owned\u0007${ESC}[2J\nsecond line`,
    description: `bidi \u202e reversed`,
    enabled: true,
    read_only: false,
    firewall_enabled: false,
    created_at: 1493625600000,
    updated_at: 1493625600000,
    organization_id: "5a0000000000000000000001",
    alert_policy_id: null,
    agent_count: 1,
    firewall_rule_count: 0,
    alert_rule_count: 0,
    file_integrity_rules: [],
    alert_policy: []
  },
  JSON.parse(
    '{"id":"b00000000000000000000002","name":"proto","description":null,"enabled":true,"read_only":false,' +
      '"firewall_enabled":false,"created_at":1493625600000,"updated_at":1493625600000,"organization_id":"5a0000000000000000000001","alert_policy_id":null,"agent_count":0,' +
      '"firewall_rule_count":0,"alert_rule_count":0,"file_integrity_rules":[],"alert_policy":[],' +
      '"__proto__":{"polluted":true}}'
  ) as FakeThreatStack.Json
]

let scope: Scope.CloseableScope
let server: FakeServer.Service
let evil: FakeServer.Service

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  ;[server, evil] = await Effect.runPromise(
    Scope.extend(
      Effect.all([
        FakeServer.make({ apiKey: KEY, now: NOW, span: "60 days", counts: { alerts: 24 * 60, agents: 30 } }),
        FakeServer.make({
          apiKey: KEY,
          data: [
            {
              organization: { id: "5a0000000000000000000001", name: "Evil Corp", role: "admin" },
              policies: hostile
            }
          ]
        })
      ]),
      scope
    )
  )
})
afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))
beforeEach(() => Effect.runPromise(server.fake.clearFaults))

interface Run {
  readonly code: number | null
  readonly signal?: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

const environment = (baseUrl: string) => ({
  ...process.env,
  THREATSTACK_BASE_URL: baseUrl,
  THREATSTACK_API_KEY: KEY,
  THREATSTACK_RETRY_BASE_DELAY: "10 millis",
  THREATSTACK_MAX_RETRIES: "1"
})

const threatstack = (args: ReadonlyArray<string>, baseUrl = server.baseUrl): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: environment(baseUrl), timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
        resolve({ code, stdout, stderr })
      }
    )
  })

describe("threatstack command line, hardened", { timeout: 120_000 }, () => {
  it("--log-level anywhere on the line: log lines go to stderr, stdout stays NDJSON", async () => {
    await Effect.runPromise(server.fake.addFaults({ path: "alerts", times: 1, fault: { _tag: "Status", status: 503 } }))
    const run = await threatstack(["alerts", "list", "--format", "ndjson", "--limit", "3", "--log-level", "debug"])
    expect(run.code).toBe(0)
    const records = run.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { id: string })
    expect(records).toHaveLength(3)
    expect(run.stderr).toContain("Threat Stack request retried")
    expect(run.stderr).not.toContain(KEY)
  })

  it("a json listing that fails on a later page is still one array, and the exit code says it failed", async () => {
    await Effect.runPromise(server.fake.addFaults({ path: "alerts", page: 1, fault: { _tag: "Status", status: 400 } }))
    const run = await threatstack(["alerts", "list", "--format", "json", "--count", "5"])
    expect(run.code).toBe(7)
    expect(JSON.parse(run.stdout)).toHaveLength(5)
    expect(run.stderr).toMatch(/^threatstack: bad request \(HTTP 400\)/)
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1)
  })

  it("server text reaches a table with its control characters escaped", async () => {
    const table = await threatstack(["policies", "list", "--fields", "name,description"], evil.baseUrl)
    expect(table.code).toBe(0)
    expect(table.stdout).not.toContain(ESC)
    expect(table.stdout).not.toContain("\u0007")
    expect(table.stdout).not.toContain("\u202e")
    const rows = table.stdout.trimEnd().split("\n")
    expect(rows).toHaveLength(3)
    expect(rows[1]).toContain("evil\\e]0;owned\\u0007\\e[2J\\nsecond line")
  })

  it("json and ndjson keep a field named __proto__", async () => {
    const json = await threatstack(["policies", "list", "--format", "json"], evil.baseUrl)
    expect(json.code).toBe(0)
    const parsed = JSON.parse(json.stdout) as Array<Record<string, unknown>>
    expect(parsed[0]?.name).toBe(hostile[0]?.name)
    expect(Object.hasOwn(parsed[1] ?? {}, "__proto__")).toBe(true)
    expect(Object.getOwnPropertyDescriptor(parsed[1], "__proto__")?.value).toEqual({ polluted: true })
    const ndjson = await threatstack(["policies", "list", "--format", "ndjson"], evil.baseUrl)
    const line = JSON.parse(ndjson.stdout.trimEnd().split("\n")[1] ?? "null") as object
    expect(Object.getOwnPropertyDescriptor(line, "__proto__")?.value).toEqual({ polluted: true })
  })

  it("Ctrl-C during a listing exits 130 with at most one line on stderr", async () => {
    await Effect.runPromise(server.fake.addFaults({ path: "alerts", fault: { _tag: "Latency", delay: "200 millis" } }))
    const child = spawn(process.execPath, [BIN, "alerts", "list", "--format", "json", "--count", "5"], {
      env: environment(server.baseUrl)
    })
    let stdout = ""
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const exited = new Promise<Run>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr }))
    )
    // once records are coming, the command is running (not still loading): interrupt it then
    await new Promise<void>((resolve) =>
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString()
        if (stdout.includes('"id"')) resolve()
      })
    )
    child.kill("SIGINT")
    const run = await exited
    expect(run.code).toBe(130)
    expect(run.stderr.split("\n").filter((line) => line !== "").length).toBeLessThanOrEqual(1)
    expect((JSON.parse(run.stdout) as Array<unknown>).length).toBeGreaterThan(0)
  })
})
