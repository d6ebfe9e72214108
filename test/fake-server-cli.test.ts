/**
 * `threatstack fake-server`, spawned as a user runs it: its faults and rate
 * limit from flags, one line and exit 2 for a bad flag or a port it cannot
 * listen on, and its help. Every spawned server is killed in a `finally`.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { FakeThreatStack } from "@effect-threatstack/core"

const BIN = fileURLToPath(new URL("../packages/node/bin/threatstack.js", import.meta.url))
const KEY = FakeThreatStack.defaultApiKey

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `threatstack fake-server …` to its end (a failure, or `--help`); one still running at 40 s is killed. */
const fakeServer = (args: ReadonlyArray<string>): Promise<Run> =>
  new Promise((resolve) =>
    execFile(process.execPath, [BIN, "fake-server", ...args], { timeout: 40_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr })
    )
  )

/**
 * Starts a server with these flags; `ready` resolves with its v1 base URL and
 * port once it prints where it listens, and rejects if it exits or has not
 * printed it in 25 s (so the test reaches its `finally` and kills it).
 */
const startServer = (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [BIN, "fake-server", ...args], { stdio: ["ignore", "pipe", "pipe"] })
  const ready = new Promise<{ readonly baseUrl: string; readonly port: number; readonly banner: string }>(
    (resolve, reject) => {
      let out = ""
      let err = ""
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString()
        const match = /listening at (http:\/\/127\.0\.0\.1:(\d+)\/api\/v1) .*\n(?:.*\n)*Try v2/.exec(out)
        if (match) resolve({ baseUrl: match[1] ?? "", port: Number(match[2]), banner: out })
      })
      child.stderr.on("data", (chunk: Buffer) => {
        err += chunk.toString()
      })
      child.on("exit", (code) => reject(new Error(`fake-server exited with ${code}: ${out}${err}`)))
      setTimeout(() => reject(new Error(`fake-server not ready in 25 s: ${out}${err}`)), 25_000).unref()
    }
  )
  return { child, ready }
}

/** Kills the server and waits for it to be gone. */
const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGTERM")
  })

const v1 = (baseUrl: string, path: string) =>
  fetch(`${baseUrl}/${path}`, { headers: { authorization: KEY } }).then(async (r) => ({
    status: r.status,
    remaining: r.headers.get("x-rate-limit-remaining"),
    body: await r.text()
  }))

/** Help text without colours, on one line. */
const plain = (text: string) =>
  text.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "").replace(/\s+/g, " ")

describe("threatstack fake-server", () => {
  it("scripts faults and a rate limit from flags; a second server on its port is one line and exit 2", async () => {
    const { child, ready } = startServer([
      "--fault",
      "status=503,path=/api/v1/alerts,times=2",
      "--fault",
      "path=policies,wrong-type=name",
      "--rate-limit",
      "6/minute",
      "--alerts",
      "3"
    ])
    try {
      const { baseUrl, port, banner } = await ready
      expect(banner).toContain("Fault: status=503,path=/api/v1/alerts,times=2\n")
      expect(banner).toContain("Rate limit: 6/minute per organization\n")
      const alerts = [await v1(baseUrl, "alerts"), await v1(baseUrl, "alerts"), await v1(baseUrl, "alerts")]
      expect(alerts.map((a) => a.status)).toEqual([503, 503, 200])
      expect(JSON.parse(alerts[2]?.body ?? "")).toHaveLength(3)
      const policies = JSON.parse((await v1(baseUrl, "policies")).body) as ReadonlyArray<{ name: unknown }>
      expect(typeof policies[0]?.name).toBe("number")
      // the faults answered before the limiter: it has counted the 200s only
      expect((await v1(baseUrl, "agents")).remaining).toBe("3")
      const rest = [await v1(baseUrl, "agents"), await v1(baseUrl, "agents"), await v1(baseUrl, "agents")]
      expect(rest.map((r) => r.status)).toEqual([200, 200, 200])
      expect((await v1(baseUrl, "agents")).status).toBe(429)

      const busy = await fakeServer(["--port", String(port)])
      expect([busy.code, busy.stderr]).toEqual([
        2,
        `threatstack: invalid --port: cannot listen on 127.0.0.1:${port}: the port is in use\n`
      ])
      expect(busy.stdout).toBe("")
    } finally {
      await stop(child)
    }
  }, 50_000)

  it("a port out of range, a negative count, a bad fault or rate: one line naming the flag, exit 2", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--port", "-1"], "invalid --port: expected a whole number from 0 to 65535 (0: any free port), got -1"],
      [["--port", "70000"], "invalid --port: expected a whole number from 0 to 65535 (0: any free port), got 70000"],
      [["--alerts", "-5"], "invalid --alerts -5: expected a whole number ≥ 0"],
      [
        ["--fault", "status=503", "--fault", "status=5xx,path=alerts"],
        'invalid --fault "status=5xx,path=alerts": status must be a whole number from 100 to 599, got "5xx"; expected e.g. "status=503,path=alerts,times=2"'
      ],
      [
        ["--rate-limit", "lots"],
        'invalid --rate-limit "lots": not a number of requests per interval; expected e.g. "200/minute"'
      ]
    ]
    const runs = await Promise.all(cases.map(([args]) => fakeServer(args)))
    expect(runs.map((run) => [run.code, run.stderr, run.stdout])).toEqual(
      cases.map(([, message]) => [2, `threatstack: ${message}\n`, ""])
    )
  }, 50_000)

  it("--help says what every flag is, its default included", async () => {
    const help = await fakeServer(["--help"])
    expect(help.code).toBe(0)
    const text = plain(help.stdout)
    /** What the help says of a flag: from its last mention (not the usage line) to the next flag. */
    const described = (flag: string) => text.slice(text.lastIndexOf(`${flag} `)).split(" --")[0] ?? ""
    expect(text).not.toContain("organizations per organization")
    expect(described("--organizations")).toContain("organizations the API key belongs to (default 2, at least 1)")
    expect(described("--alerts")).toContain("alerts per organization (default 500, at least 0)")
    expect(described("--host")).toContain("(default 127.0.0.1")
    expect(described("--seed")).toContain("(default 1)")
    expect(described("--api-key")).toContain(`(default ${KEY}`)
    expect(described("--fault")).toContain("status=503,path=/api/v1/alerts,times=2")
    expect(described("--rate-limit")).toContain("200/minute")
  })
})
