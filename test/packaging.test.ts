/**
 * The packages as a backend team gets them: `pnpm pack` tarballs installed
 * into a fresh npm project outside the workspace with the README's own
 * install line (the two package names replaced by the tarball paths), so the
 * README and what works cannot drift; the README's first program and each
 * package README's example run there. Then the packages are used from an
 * `.mjs` file, a `.cjs` file, and TypeScript compiled with `moduleResolution`
 * `NodeNext` and `Bundler`, against the fake API served by this process; and
 * the `threatstack` bin runs from the installed tarball. The tarballs
 * themselves: README and LICENSE shipped, no scripts or devDependencies in
 * the packed `package.json`, peer ranges as the README names them.
 */
import { execFile, execFileSync } from "node:child_process"
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync
} from "node:fs"
import { rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { FakeServer } from "@effect-threatstack/node"
import {
  fences,
  INSTALL,
  INTRO,
  installBlocks,
  NPM_QUIET,
  PACKAGES,
  packAndInstall,
  README,
  read,
  sh,
  tarball as tarballIn
} from "./packed.js"

const KEY = "packaging-test-key"
/** What the checks below need beyond the README's line: the compiler, Node's types, and `tsx` to run `main.ts`. */
const TOOLS = { typescript: "5.9.3", "@types/node": "20.19.43", tsx: "4.23.15" }

/** The README's first program (the `ts` block after the install line) and its output (the `text` block after it). */
const afterInstall = fences(INTRO).filter((f) => f.at > (installBlocks[0]?.at ?? Infinity))
const QUICKSTART = afterInstall.find((f) => f.lang === "ts")?.code ?? ""
const QUICKSTART_OUTPUT = afterInstall.find((f) => f.lang === "text")?.code ?? ""

/** `name@range` of each versioned package on the install line. */
const installRanges = () =>
  Object.fromEntries(
    INSTALL.split(/\s+/)
      .slice(2)
      .map((word) => /^(@?[^@]+)@(.+)$/.exec(word))
      .filter((m) => m !== null)
      .map((m) => [m[1]!, m[2]!])
  )

const tarball = (pkg: string) => tarballIn(dir, pkg)

let dir: string
let scope: Scope.CloseableScope
let server: FakeServer.Service

/** For quick steps that need no server (reading the tarballs). */
const shSync = (command: string, args: ReadonlyArray<string>, cwd: string) => {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string }
    throw new Error(`${command} ${args.join(" ")} failed:\n${stdout ?? ""}\n${stderr ?? ""}`)
  }
}

const env = () => ({ KEY, URL: server.baseUrl })

/** A file of a packed tarball. */
const packed = (pkg: string, file: string) => shSync("tar", ["xzf", tarball(pkg), "-O", `package/${file}`], dir)

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  server = await Effect.runPromise(Scope.extend(FakeServer.make({ apiKey: KEY, counts: { agents: 7 } }), scope))
  dir = mkdtempSync(join(tmpdir(), "threatstack-consumer-"))
  await packAndInstall(dir)
  await sh(
    "npm",
    ["install", "--save-dev", ...Object.entries(TOOLS).map(([name, version]) => `${name}@${version}`)],
    dir,
    NPM_QUIET
  )
}, 600_000)

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  // a few hundred MB of node_modules: slow on a busy disk
  await rm(dir, { recursive: true, force: true })
}, 120_000)

/** Long steps (a type-check of the packages' declarations, a `tsx` start, an npm install): minutes on a busy machine. */
const SLOW = 300_000

/**
 * Type-checks `files` (in `dir`) together, strictly, as a user's project compiles them (`tsc --init`'s
 * `skipLibCheck`); `noUnusedLocals` for complete programs, not for excerpts.
 */
const typeCheck = (name: string, files: ReadonlyArray<string>, noUnusedLocals = true) => {
  const project = join(dir, name)
  mkdirSync(project, { recursive: true })
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "NodeNext",
        moduleResolution: "NodeNext",
        target: "ES2022",
        strict: true,
        noUnusedLocals,
        noEmit: true,
        types: ["node"],
        skipLibCheck: true
      },
      files: files.map((file) => join("..", file))
    })
  )
  return sh("node", [join(dir, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], project)
}

/** Runs `file` (in `dir`) the way the READMEs say: `npx -y tsx main.ts`. */
const runTs = (file: string, runEnv: Record<string, string> = {}) =>
  sh("npx", ["-y", "tsx", file], dir, { ...NPM_QUIET, ...runEnv })

/** The first `ts` block of a package's README. */
const packageExample = (pkg: string) =>
  fences(read(`packages/${pkg}/README.md`)).find((f) => f.lang === "ts")?.code ?? ""

describe("the README's install line", () => {
  it("is one line that names the two packages and the Effect 3 versions", () => {
    expect(installBlocks).toHaveLength(1)
    expect(INSTALL.split("\n")).toHaveLength(1)
    expect(INSTALL).toMatch(/^npm install @effect-threatstack\/core @effect-threatstack\/node /)
    expect(installRanges()).toEqual({ effect: "^3.22", "@effect/platform": "^0.97", "@effect/platform-node": "^0.108" })
  })

  it("installs Effect 3 in a fresh npm project", () => {
    for (const name of ["effect", "@effect/platform", "@effect/platform-node"]) {
      const { version } = JSON.parse(readFileSync(join(dir, "node_modules", name, "package.json"), "utf8"))
      expect(version.split(".")[0], `${name} ${version}`).toBe(name === "effect" ? "3" : "0")
    }
  })

  it("is the same in each package's README", () => {
    for (const pkg of PACKAGES) expect(read(`packages/${pkg}/README.md`)).toContain(`\n${INSTALL}\n`)
  })

  it("names the peer ranges of both packages, in the workspace and in the tarballs", () => {
    const ranges = installRanges()
    for (const pkg of PACKAGES) {
      const manifests = [JSON.parse(read(`packages/${pkg}/package.json`)), JSON.parse(packed(pkg, "package.json"))]
      for (const { peerDependencies } of manifests) {
        for (const [name, range] of Object.entries(peerDependencies))
          expect(range, `${pkg}: ${name}`).toBe(ranges[name])
      }
    }
  })
})

describe("the README's programs, in that project", () => {
  it(
    "type-check strictly",
    async () => {
      expect(QUICKSTART).toContain("@effect-threatstack/core")
      writeFileSync(join(dir, "main.ts"), QUICKSTART)
      for (const pkg of PACKAGES) writeFileSync(join(dir, `${pkg}-readme.ts`), packageExample(pkg))
      await typeCheck("check-readmes", ["main.ts", ...PACKAGES.map((pkg) => `${pkg}-readme.ts`)])
    },
    SLOW
  )

  it(
    "the first program prints what the README shows",
    async () => expect(await runTs("main.ts")).toBe(QUICKSTART_OUTPUT),
    SLOW
  )

  it(
    "@effect-threatstack/core's example counts the in-memory fake's agents",
    async () => expect(await runTs("core-readme.ts")).toBe("25 agents\n"),
    SLOW
  )

  it(
    "@effect-threatstack/node's example counts the agents of the fake server, over HTTP",
    async () =>
      expect(await runTs("node-readme.ts", { THREATSTACK_API_KEY: KEY, THREATSTACK_BASE_URL: server.baseUrl })).toBe(
        "7 agents\n"
      ),
    SLOW
  )
})

describe("the tarballs", () => {
  it.each(PACKAGES)("%s ships its README and the MIT LICENSE", (pkg) => {
    const files = shSync("tar", ["tzf", tarball(pkg)], dir).split("\n")
    expect(files).toEqual(expect.arrayContaining(["package/README.md", "package/LICENSE", "package/package.json"]))
    expect(packed(pkg, "LICENSE")).toBe(read("LICENSE"))
    expect(packed(pkg, "README.md")).toBe(read(`packages/${pkg}/README.md`))
    expect(JSON.parse(packed(pkg, "package.json")).license).toBe("MIT")
  })

  it("node's bundled command line ships the licences of the packages bundled in it", () => {
    const notices = packed("node", "dist/bin/THIRD-PARTY-NOTICES.txt")
    for (const name of ["effect", "@effect/cli", "@effect/platform", "undici"]) {
      expect(notices).toMatch(new RegExp(`^${name}@\\d+\\.\\d+\\.\\d+ \\(MIT\\)\n\nMIT License`, "m"))
    }
  })

  it.each(PACKAGES)("%s's package.json keeps no scripts and no devDependencies", (pkg) => {
    const manifest = JSON.parse(packed(pkg, "package.json"))
    expect(manifest.scripts).toBeUndefined()
    expect(manifest.devDependencies).toBeUndefined()
    // the workspace's own package.json is left as it was
    expect(JSON.parse(read(`packages/${pkg}/package.json`)).scripts.build).toBeDefined()
  })
})

/** pnpm's own commands (and those it hands to npm): a root script of the same name never runs as `pnpm <name>`. */
const PNPM_COMMANDS = [
  ...["add", "audit", "bin", "config", "create", "dedupe", "deploy", "dlx", "env", "exec", "fetch", "import"],
  ...["init", "install", "i", "link", "list", "ls", "outdated", "pack", "patch", "prune", "publish", "rebuild"],
  ...["remove", "root", "run", "server", "setup", "store", "unlink", "update", "why", "licenses", "cache"],
  ...["access", "bugs", "docs", "home", "info", "issues", "login", "logout", "owner", "ping", "prefix", "repo"],
  ...["search", "show", "unpublish", "version", "view", "whoami"]
]

describe("the README's pnpm commands", () => {
  it("run the root scripts they name: no script is hidden behind a pnpm command", () => {
    const scripts = Object.keys(JSON.parse(read("package.json")).scripts)
    expect(scripts.filter((name) => PNPM_COMMANDS.includes(name))).toEqual([])
    const code = [
      ...Array.from(README.matchAll(/`([^`\n]+)`/g), (m) => m[1]!),
      ...fences(README)
        .filter((f) => f.lang === "sh")
        .map((f) => f.code)
    ].join("\n")
    const named = Array.from(code.matchAll(/\bpnpm(?:@[\d.]+)?(?: --?[\w-]+)* ([a-z][\w:-]*)/g), (m) => m[1]!)
    expect(named).toContain("docs:build")
    for (const name of named) expect(scripts.includes(name) || PNPM_COMMANDS.includes(name), name).toBe(true)
  })
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
  ])(
    "work from TypeScript with moduleResolution %s, strictly typed",
    async (name, options) => {
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
    },
    SLOW
  )
})

/**
 * The `threatstack` bin of the installed package: a launcher and the command line bundled into one file
 * (scripts/bundle-bin.mjs). Each run gets a cache folder of its own (`XDG_CACHE_HOME`): the launcher keeps V8's
 * code cache there, and the user's own is never touched.
 */
describe("the installed threatstack command", () => {
  const bin = () => join(dir, "node_modules/.bin/threatstack")
  const bundled = () => join(dir, "node_modules/@effect-threatstack/node/dist/bin")
  const cacheHome = () => mkdtempSync(join(dir, "cache-"))
  const cacheFiles = (home: string) => readdirSync(join(home, "effect-threatstack"))
  const threatstack = (args: ReadonlyArray<string>, runEnv: Record<string, string> = {}) =>
    sh(bin(), args, dir, { XDG_CACHE_HOME: cacheHome(), ...runEnv })
  /** Three alerts of the embedded fake, the fields that do not depend on the time of the run. */
  const ALERTS = ["alerts", "list", "--demo", "--limit", "3", "--fields", "id,title,severity", "--format", "json"]

  it("is the bundled command line, which needs no package but Node's own", async () => {
    expect(realpathSync(bin())).toBe(realpathSync(join(bundled(), "threatstack.cjs")))
    // a copy of the bin folder, away from any node_modules
    const alone = mkdtempSync(join(tmpdir(), "threatstack-bin-"))
    try {
      cpSync(bundled(), alone, { recursive: true })
      const out = await sh("node", [join(alone, "threatstack.cjs"), ...ALERTS], alone, { XDG_CACHE_HOME: cacheHome() })
      expect(JSON.parse(out)).toHaveLength(3)
    } finally {
      await rm(alone, { recursive: true, force: true })
    }
  })

  it("prints its version as the command line does, without loading it", async () => {
    const out = await threatstack(["--version"])
    expect(out.trim()).toBe("0.1.0")
    expect(out).toBe(await sh("node", [join(bundled(), "cli.cjs"), "--version"], dir))
    const alone = mkdtempSync(join(tmpdir(), "threatstack-bin-"))
    try {
      for (const file of ["threatstack.cjs", "version.txt"]) cpSync(join(bundled(), file), join(alone, file))
      expect(await sh("node", [join(alone, "threatstack.cjs"), "--version"], alone)).toBe(out)
    } finally {
      await rm(alone, { recursive: true, force: true })
    }
  })

  it("lists the embedded fake's alerts as JSON", async () => {
    const alerts: Array<{ id: string; title: string; severity: number }> = JSON.parse(await threatstack(ALERTS))
    expect(alerts.map((a) => a.id)).toEqual([
      "a10000000000000000000000",
      "a10000000000000000000001",
      "a10000000000000000000002"
    ])
    for (const alert of alerts) {
      expect(Object.keys(alert)).toEqual(["id", "title", "severity"])
      expect([1, 2, 3]).toContain(alert.severity)
    }
  })

  it("lists the agents of a server", async () => {
    const out = await threatstack(["agents", "list", "--format", "ndjson", "--fields", "hostname"], {
      THREATSTACK_API_KEY: KEY,
      THREATSTACK_BASE_URL: server.baseUrl
    })
    expect(out.trim().split("\n")).toHaveLength(7)
  })

  it("fails as the command line does: one line on stderr and its exit code", async () => {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      execFile(
        bin(),
        ["alerts", "get", "a1ffffffffffffffffffffff", "--demo"],
        { cwd: dir, env: { ...process.env, XDG_CACHE_HOME: cacheHome() }, encoding: "utf8" },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr })
      )
    )
    expect(result).toEqual({ code: 3, stdout: "", stderr: "threatstack: alert a1ffffffffffffffffffffff not found\n" })
  })

  it("keeps V8's code cache in the user's cache folder and uses it on the next run", async () => {
    const home = cacheHome()
    const first = await sh(bin(), ALERTS, dir, { XDG_CACHE_HOME: home })
    const [file, ...others] = cacheFiles(home)
    expect(others).toEqual([])
    expect(file).toMatch(/^cli-[0-9a-f]{32}\.v8$/)
    const path = join(home, "effect-threatstack", file!)
    const written = statSync(path)
    expect(written.size).toBeGreaterThan(0)
    expect(await sh(bin(), ALERTS, dir, { XDG_CACHE_HOME: home })).toBe(first)
    // accepted by V8, hence not written again
    expect(statSync(path).mtimeMs).toBe(written.mtimeMs)
  })

  it("runs the same with a damaged cache, without a cache folder, or with the cache turned off", async () => {
    const expected = await threatstack(ALERTS)
    const damaged = cacheHome()
    await sh(bin(), ["alerts", "list", "--demo", "--limit", "1"], dir, { XDG_CACHE_HOME: damaged })
    const path = join(damaged, "effect-threatstack", cacheFiles(damaged)[0]!)
    writeFileSync(path, "not a code cache")
    expect(await sh(bin(), ALERTS, dir, { XDG_CACHE_HOME: damaged })).toBe(expected)
    // refused by V8, then written again
    expect(readFileSync(path, "utf8")).not.toBe("not a code cache")

    const notAFolder = join(cacheHome(), "file")
    writeFileSync(notAFolder, "")
    expect(await sh(bin(), ALERTS, dir, { XDG_CACHE_HOME: notAFolder })).toBe(expected)

    const off = cacheHome()
    expect(await sh(bin(), ALERTS, dir, { XDG_CACHE_HOME: off, NODE_DISABLE_COMPILE_CACHE: "1" })).toBe(expected)
    expect(readdirSync(off)).toEqual([])
  })
})

/** docs/recipes.md: its install lines, run after the README's in the same project, and the blocks that need them. */
describe("the recipes' install lines, in that project", () => {
  const recipes = read("docs/recipes.md")
  const lines = fences(recipes)
    .filter((f) => f.lang === "sh" && f.code.startsWith("npm install "))
    .map((f) => f.code.trim())

  it(
    "install @effect/vitest and @effect/opentelemetry for Effect 3",
    async () => {
      expect(lines.join("\n")).toContain("@effect/vitest@")
      expect(lines.join("\n")).toContain("@effect/opentelemetry@")
      for (const line of lines) await sh("sh", ["-c", line], dir, NPM_QUIET)
      for (const name of ["effect", "@effect/vitest", "@effect/opentelemetry"]) {
        const { peerDependencies, version } = JSON.parse(
          readFileSync(join(dir, "node_modules", name, "package.json"), "utf8")
        )
        expect(name === "effect" ? version : peerDependencies.effect, name).toMatch(/^\^?3\./)
      }
    },
    SLOW
  )

  it(
    "let the testing and tracing recipes compile, and the testing recipe pass",
    async () => {
      const testing = fences(recipes).find((f) => f.lang === "ts" && f.code.includes("@effect/vitest"))!.code
      const tracing = fences(recipes).find(
        (f) => f.lang === "typescript" && f.code.includes("@effect/opentelemetry")
      )!.code
      writeFileSync(join(dir, "fake.test.ts"), testing)
      writeFileSync(join(dir, "tracing.ts"), `${tracing}\nexport { Live }\n`)
      await typeCheck("check-recipes", ["fake.test.ts", "tracing.ts"], false)
      await sh("npx", ["vitest", "run", "fake.test.ts"], dir, NPM_QUIET)
    },
    SLOW
  )
})
