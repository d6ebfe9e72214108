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
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { FakeServer } from "@effect-threatstack/node"

const ROOT = fileURLToPath(new URL("../", import.meta.url))
const KEY = "packaging-test-key"
const PACKAGES = ["core", "node"] as const
/** What the checks below need beyond the README's line: the compiler, Node's types, and `tsx` to run `main.ts`. */
const TOOLS = { typescript: "5.9.3", "@types/node": "20.19.43", tsx: "4.23.15" }
/** npm without its audit, funding and update notices. */
const NPM_QUIET = {
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_loglevel: "error",
  npm_config_update_notifier: "false"
}

const read = (path: string) => readFileSync(join(ROOT, path), "utf8")

/** The fenced blocks of a markdown text, in order. */
const fences = (text: string) =>
  Array.from(text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm), (m) => ({ lang: m[1]!, code: m[2]!, at: m.index }))

const README = read("README.md")
/** The README's introduction: from the top to the first section of the guide. */
const INTRO = README.slice(0, README.indexOf("\n## The v1 guide"))

/** The install line: the one `sh` block of the introduction that installs the two packages. */
const installBlocks = fences(INTRO).filter((f) => f.lang === "sh" && f.code.startsWith("npm install "))
const INSTALL = installBlocks[0]?.code.trim() ?? ""
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

const tarball = (pkg: string) => join(dir, "packs", `effect-threatstack-${pkg}-0.1.0.tgz`)

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

/** Asynchronous, so that the fake server in this process keeps answering (and vitest's worker keeps reporting) while it runs. */
const sh = (command: string, args: ReadonlyArray<string>, cwd: string, env: Record<string, string> = {}) =>
  new Promise<string>((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, env: { ...process.env, ...env }, encoding: "utf8", timeout: 240_000 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`${command} ${args.join(" ")}: ${error.message}\n${stdout}\n${stderr}`))
          : resolve(stdout)
    )
  })

const env = () => ({ KEY, URL: server.baseUrl })

/** A file of a packed tarball. */
const packed = (pkg: string, file: string) => shSync("tar", ["xzf", tarball(pkg), "-O", `package/${file}`], dir)

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  server = await Effect.runPromise(Scope.extend(FakeServer.make({ apiKey: KEY, counts: { agents: 7 } }), scope))
  dir = mkdtempSync(join(tmpdir(), "threatstack-consumer-"))
  mkdirSync(join(dir, "packs"))
  await sh("pnpm", ["run", "build"], ROOT)
  for (const pkg of PACKAGES) {
    await sh("pnpm", ["pack", "--pack-destination", join(dir, "packs")], join(ROOT, "packages", pkg))
  }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }))
  // the README's line, exactly, with the tarballs in place of the two package names
  let line = INSTALL
  for (const pkg of PACKAGES) line = line.replace(` @effect-threatstack/${pkg} `, ` '${tarball(pkg)}' `)
  if (line.includes("@effect-threatstack/")) throw new Error(`the README's install line is not as expected: ${INSTALL}`)
  await sh("sh", ["-c", line], dir, NPM_QUIET)
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
