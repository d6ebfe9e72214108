/**
 * The `threatstack` command as a first-time user meets it: help, refusals
 * and wording. Most checks run `Cli.run` in this process (stdout and stderr
 * captured, neither a terminal); what needs a terminal or pnpm is spawned.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it, vi } from "@effect/vitest"
import { CliOutput } from "@effect-threatstack/node"
import { type Run, cli } from "./cliInProcess.js"

const ROOT = fileURLToPath(new URL("..", import.meta.url))
const BIN = fileURLToPath(new URL("../packages/node/bin/threatstack.js", import.meta.url))

afterEach(() => {
  vi.restoreAllMocks()
})

/** Runs a shell line with a terminal (script(1)); its output is what the terminal showed. */
const onTerminal = (line: string, env: Record<string, string> = {}): Promise<string> =>
  new Promise((resolve) =>
    execFile(
      "script",
      ["-qec", line, "/dev/null"],
      { env: { ...process.env, COLUMNS: "100", ...env }, timeout: 60_000 },
      (_error, stdout) => resolve(stdout)
    )
  )

const ESC = "\u001b"

describe("threatstack command line, first contact", { timeout: 120_000 }, () => {
  it("help piped: plain text, the full command in USAGE, 80 columns, flags named and described, no wizard", async () => {
    const top = await cli("--help")
    expect(top.code).toBe(0)
    expect(top.stdout).not.toContain(ESC)
    expect(top.stdout).not.toContain("--wizard")
    expect(top.stdout).toMatch(/^ {2}alerts get <ID> +get one of the alerts by id/m)
    expect(Math.max(...top.stdout.split("\n").map((line) => line.length))).toBeLessThanOrEqual(80)
    const list = await cli("alerts", "list", "--help")
    expect(list.stdout).toMatch(/^USAGE\n {2}threatstack alerts list \[options\]$/m)
    expect(list.stdout).toMatch(/^ {2}--api-key KEY +API key \(default: \$THREATSTACK_API_KEY/m)
    expect(list.stdout).toMatch(/^ {2}--format table\|json\|ndjson +.*\n?.*\(default: table\)$/m)
    expect(list.stdout).toMatch(/^ {2}--limit N +stop after N records/m)
    expect(list.stdout).not.toContain("redacted")
    expect(list.stdout).not.toContain("A user-defined piece of text")
    expect(list.stdout).not.toContain("--wizard")
    expect(Math.max(...list.stdout.split("\n").map((line) => line.length))).toBeLessThanOrEqual(80)
    expect(list.stdout).toMatch(/^ {2}--page N +v1: only this page/m)
    for (const resource of ["organizations", "policies"]) {
      const help = await cli(resource, "list", "--help")
      expect(help.stdout).not.toContain("--page")
      expect(help.stdout).not.toContain("--count")
    }
  })

  it("--version is the version on one line, wherever it is on the line; --help still wins", async () => {
    for (const line of [
      ["--version"],
      ["alerts", "--version"],
      ["alerts", "list", "--version", "--log-level", "debug"]
    ]) {
      const shown = await cli(...line)
      expect({ line, code: shown.code, stdout: shown.stdout, stderr: shown.stderr }).toEqual({
        line,
        code: 0,
        stdout: "0.1.0\n",
        stderr: ""
      })
    }
    expect((await cli("alerts", "list", "--help", "--version")).stdout).toMatch(/^USAGE\n/)
    // after `--`, it is an operand, not the flag
    const operand = await cli("alerts", "get", "--demo", "--", "--version")
    expect([operand.code, operand.stdout, operand.stderr]).toEqual([3, "", "threatstack: alert --version not found\n"])
  })

  it("help on a terminal is bold, and plain with NO_COLOR", async () => {
    const shown = await onTerminal(
      `'${process.execPath}' '${BIN}' logs list --help; echo =====; NO_COLOR=1 '${process.execPath}' '${BIN}' logs list --help`
    )
    const [coloured = "", plain = ""] = shown.split("=====")
    expect(coloured).toContain(`${ESC}[1mUSAGE`)
    expect(plain).toContain("USAGE")
    expect(plain).not.toContain(ESC)
  })

  it("a wrong value names its flag and what is allowed, on one line, exit 2", async () => {
    const refusals: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["alerts", "list", "--count", "abc"], "--count must be a whole number of 1 or more, not 'abc'"],
      [["alerts", "list", "--format", "xml"], "--format must be table, json or ndjson, not 'xml'"],
      [["alerts", "list", "--limit", "0"], "--limit must be a whole number of 1 or more, not '0'"],
      [["alerts", "list", "--limit", "-1"], "--limit must be a whole number of 1 or more, not '-1'"],
      [["alerts", "list", "--severity", "9", "--api-version", "2"], "--severity must be 1, 2 or 3, not '9'"],
      [
        ["alerts", "list", "--start", "yesterday"],
        "--start must be a date or a time (2017-05-01, '2017-05-01 08:00:00', or ISO 8601 with a T: 2017-05-01T08:00, 2017-05-01T08:00:00.250Z, 2017-05-01T10:00:00+02:00 (no zone: UTC)), not 'yesterday'"
      ],
      [
        ["alerts", "lst"],
        "'lst' is not a command of 'threatstack alerts': use list, get, dismiss, events or severity-counts"
      ],
      [["logs", "get", "x"], "'get' is not a command of 'threatstack logs': use list"],
      [["--demo", "alerts", "list"], "options go after the command: threatstack alerts list --demo"],
      [["alerts"], "'threatstack alerts' needs a subcommand: list, get, dismiss, events or severity-counts"],
      [
        ["organizations", "list", "--page", "1"],
        "'threatstack organizations list' has no option or argument '--page' (see threatstack organizations list --help)"
      ],
      [
        ["alerts", "list", "--log-level", "loud"],
        "--log-level must be all, trace, debug, info, warning, error, fatal or none, not 'loud'"
      ]
    ]
    for (const [args, message] of refusals) {
      const run = await cli(...args)
      expect({ args, code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
        args,
        code: 2,
        stdout: "",
        stderr: `threatstack: ${message}\n`
      })
    }
    expect(CliOutput.count(1, "page")).toBe("1 page")
  })

  it("tables show severities as '1 high'; an ISO start is taken; not found reads as one sentence", async () => {
    const table = await cli("alerts", "list", "--demo", "--limit", "20", "--start", "2017-05-01T08:00:00Z")
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/ {2}1 high {2}/)
    expect(table.stdout).not.toMatch(/SEVERITY.*\n\S+ +\S+ \S+ UTC {2}[123] {2}/)
    const missing = await cli("organizations", "users", "nope", "--demo")
    expect(missing.code).toBe(3)
    expect(missing.stderr).toMatch(/^threatstack: organization nope not found \[GET http:\/\/127\.0\.0\.1:\d+\//)
  })

  it("an empty table says so on a terminal and writes nothing to a pipe", async () => {
    const args = ["policies", "list", "--demo", "--fields", "name", "--limit", "1"]
    const piped = await cli("alerts", "list", "--demo", "--start", "2001-01-01", "--end", "2001-01-02")
    expect(piped).toEqual({ code: 0, stdout: "", stderr: "" })
    const shown = await onTerminal(
      `'${process.execPath}' '${BIN}' alerts list --demo --start 2001-01-01 --end 2001-01-02; '${process.execPath}' '${BIN}' ${args.join(" ")}`
    )
    // the terminal also shows the progress line being cleared (on stderr): leave it out
    expect(shown.replaceAll("\r", "").replaceAll(`${ESC}[K`, "")).toMatch(/^no alerts\nNAME\nBase Policy\n$/)
  })

  it("pnpm --silent threatstack … --format json: stdout is exactly the JSON", async () => {
    const run = await new Promise<Run>((resolve) =>
      execFile(
        "pnpm",
        ["--silent", "threatstack", "policies", "list", "--demo", "--format", "json"],
        { cwd: ROOT, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr })
      )
    )
    expect(run.code).toBe(0)
    expect(run.stdout.startsWith("[")).toBe(true)
    expect(JSON.parse(run.stdout)).toHaveLength(4)
  })
})
