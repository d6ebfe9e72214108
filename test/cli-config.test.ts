/**
 * What the `threatstack` command says when its settings are wrong or
 * missing: one line, in the user's terms (the flag when a flag was given,
 * the variable when the environment was), exit code 2. Nothing here reaches
 * a server: the settings fail first.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"

const BIN = fileURLToPath(new URL("../packages/node/bin/threatstack.js", import.meta.url))
const KEY = "cli-config-key-0123456789"

/** Runs the command with only the `THREATSTACK_*` variables given (the rest of the environment kept). */
const threatstack = (args: ReadonlyArray<string>, vars: Record<string, string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("THREATSTACK_")))
    execFile(process.execPath, [BIN, ...args], { env: { ...env, ...vars }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr })
    )
  })

describe("threatstack: settings errors", { timeout: 120_000 }, () => {
  it("an unset, empty or blank key reads the same: what is missing and how to give it", async () => {
    const runs = await Promise.all([
      threatstack(["policies", "list"], {}),
      threatstack(["policies", "list"], { THREATSTACK_API_KEY: "" }),
      threatstack(["policies", "list"], { THREATSTACK_API_KEY: "  " })
    ])
    for (const run of runs) {
      expect(run.stderr).toBe("threatstack: no API key: set THREATSTACK_API_KEY or pass --api-key (or try --demo)\n")
      expect(run.code).toBe(2)
      expect(run.stdout).toBe("")
    }
  })

  it("a wrong value is named by the flag that gave it, or by its variable", async () => {
    const [flag, variable, retries] = await Promise.all([
      threatstack(["policies", "list", "--timeout", "abc"], { THREATSTACK_API_KEY: KEY }),
      threatstack(["policies", "list"], { THREATSTACK_API_KEY: KEY, THREATSTACK_TIMEOUT: "abc" }),
      threatstack(["policies", "list"], { THREATSTACK_API_KEY: KEY, THREATSTACK_MAX_RETRIES: "abc" })
    ])
    expect(flag.stderr).toMatch(/^threatstack: --timeout is invalid: .*"abc"/)
    expect(flag.stderr).not.toContain("THREATSTACK_TIMEOUT")
    expect(variable.stderr).toMatch(/^threatstack: THREATSTACK_TIMEOUT is invalid: .*"abc"/)
    expect(retries.stderr).toMatch(/^threatstack: THREATSTACK_MAX_RETRIES is invalid: .*whole number/)
    for (const run of [flag, variable, retries]) {
      expect(run.stderr.split("\n")).toHaveLength(2) // one line
      expect(run.stderr).not.toMatch(/Missing data|Invalid data|provided map/)
      expect(run.code).toBe(2)
    }
  })

  it("v2: an empty user id is a missing one", async () => {
    const run = await threatstack(["alerts", "list", "--api-version", "2"], {
      THREATSTACK_API_KEY: KEY,
      THREATSTACK_USER_ID: "",
      THREATSTACK_ORG_ID: "org-1"
    })
    expect(run.stderr).toBe("threatstack: no user id: set THREATSTACK_USER_ID or pass --user-id (or try --demo)\n")
    expect(run.code).toBe(2)
  })
})
