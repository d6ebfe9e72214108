/**
 * The packages as a backend team gets them: `pnpm pack` tarballs installed
 * with npm into a fresh project outside the workspace, used from an `.mjs`
 * file, a `.cjs` file, and TypeScript compiled with `moduleResolution`
 * `NodeNext` and `Bundler`, against the fake API served by this process; and
 * the `threatstack` bin run from the installed tarball.
 */
import { execFile, execFileSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { FakeServer } from "@effect-threatstack/node"

const ROOT = fileURLToPath(new URL("../", import.meta.url))
const KEY = "packaging-test-key"
const VERSIONS = {
  effect: "3.22.4",
  "@effect/platform": "0.97.2",
  "@effect/platform-node": "0.108.2",
  typescript: "5.9.3",
  "@types/node": "20.19.43"
}

let dir: string
let scope: Scope.CloseableScope
let server: FakeServer.Service

/** For set-up steps that need no server. */
const shSync = (command: string, args: ReadonlyArray<string>, cwd: string) => {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string }
    throw new Error(`${command} ${args.join(" ")} failed:\n${stdout ?? ""}\n${stderr ?? ""}`)
  }
}

/** Asynchronous, so that the fake server in this process keeps answering while it runs. */
const sh = (command: string, args: ReadonlyArray<string>, cwd: string, env: Record<string, string> = {}) =>
  new Promise<string>((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, env: { ...process.env, ...env }, encoding: "utf8", timeout: 120_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${command} ${args.join(" ")}: ${error.message}\n${stderr}`)) : resolve(stdout)
    )
  })

const env = () => ({ KEY, URL: server.baseUrl })

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  server = await Effect.runPromise(Scope.extend(FakeServer.make({ apiKey: KEY, counts: { agents: 7 } }), scope))
  dir = mkdtempSync(join(tmpdir(), "threatstack-consumer-"))
  const packs = join(dir, "packs")
  mkdirSync(packs)
  shSync("pnpm", ["run", "build"], ROOT)
  for (const pkg of ["core", "node"]) shSync("pnpm", ["pack", "--pack-destination", packs], join(ROOT, "packages", pkg))
  const tarballs = readdirSync(packs).map((f) => join(packs, f))
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }))
  shSync(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...tarballs,
      ...Object.entries(VERSIONS).map(([name, version]) => `${name}@${version}`)
    ],
    dir
  )
}, 300_000)

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  rmSync(dir, { recursive: true, force: true })
})

const program = (header: string) => `${header}
const program = Effect.gen(function* () {
  const client = yield* ThreatStack.ThreatStack
  const agents = yield* Stream.runCollect(client.agents.list({ fields: ["hostname"] }))
  const alert = yield* client.alerts.get("a10000000000000000000000")
  return \`\${agents.length} agents, alert \${Option.isSome(alert) ? "found" : "missing"}, \${typeof Alerts.Alert}\`
})
Effect.runPromise(Effect.provide(program, NodeThreatStack.layer({ apiKey: process.env["KEY"] ?? "", baseUrl: process.env["URL"] ?? "" })))
  .then((text) => console.log(text))
`

const esmHeader = `import { Effect, Option, Stream } from "effect"
import { ThreatStack } from "@effect-threatstack/core"
import * as Alerts from "@effect-threatstack/core/Alerts"
import { NodeThreatStack } from "@effect-threatstack/node"`

const EXPECTED = "7 agents, alert found, function\n"

describe("the packed packages in a fresh npm project", () => {
  it("work from an .mjs file", async () => {
    writeFileSync(join(dir, "esm.mjs"), program(esmHeader))
    expect(await sh("node", ["esm.mjs"], dir, env())).toBe(EXPECTED)
  })

  it("work from a .cjs file", async () => {
    writeFileSync(
      join(dir, "cjs.cjs"),
      program(`const { Effect, Option, Stream } = require("effect")
const { ThreatStack } = require("@effect-threatstack/core")
const Alerts = require("@effect-threatstack/core/Alerts")
const { NodeThreatStack } = require("@effect-threatstack/node")`)
    )
    expect(await sh("node", ["cjs.cjs"], dir, env())).toBe(EXPECTED)
  })

  it.each([
    ["NodeNext", { module: "NodeNext", moduleResolution: "NodeNext" }],
    ["Bundler", { module: "ESNext", moduleResolution: "Bundler" }]
  ])("work from TypeScript with moduleResolution %s, strictly typed", async (name, options) => {
    const project = join(dir, `ts-${name}`)
    mkdirSync(project, { recursive: true })
    writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module" }))
    writeFileSync(
      join(project, "main.ts"),
      program(esmHeader) +
        `
// the typed projection survives packaging: a misspelt field is a compile error
const check = Effect.flatMap(ThreatStack.ThreatStack, (client) =>
  // @ts-expect-error "hostnme" is not a field of an agent
  Stream.runCollect(client.agents.list({ fields: ["hostnme"] })))
void check
`
    )
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          ...options,
          target: "ES2022",
          strict: true,
          outDir: "out",
          types: ["node"],
          skipLibCheck: false
        },
        files: ["main.ts"]
      })
    )
    await sh("node", [join(dir, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], project)
    expect(await sh("node", ["out/main.js"], project, env())).toBe(EXPECTED)
  })

  it("installs the threatstack command", async () => {
    const bin = join(dir, "node_modules/.bin/threatstack")
    expect((await sh(bin, ["--version"], dir)).trim()).toBe("0.1.0")
    const out = await sh(bin, ["agents", "list", "--format", "ndjson", "--fields", "hostname"], dir, {
      THREATSTACK_API_KEY: KEY,
      THREATSTACK_BASE_URL: server.baseUrl
    })
    expect(out.trim().split("\n")).toHaveLength(7)
  })
})
