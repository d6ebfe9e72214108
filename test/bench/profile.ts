/**
 * `pnpm bench:profile`: where the SDK's time goes, per page of a listing and
 * per `get`, from `node --cpu-prof` on the bench's client bundled to plain
 * JavaScript (esbuild), against the fake API served on loopback. Prints the
 * busy time per unit by cost category, then the functions with the most self
 * time. `PROFILE_MODES` (default `list,get`), `PROFILE_RUNS` (default 5, the
 * first a warm-up), `PROFILE_TRANSPORT` (`undici`, the default; `fetch` for
 * `FetchThreatStack`; `FetchHttpClient` for the platform's layer),
 * `PROFILE_TOP` (functions listed, default 12), `PROFILE_KEEP=1` keeps the
 * `.cpuprofile` files and prints where they are. Compare two commits by
 * running it on each.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { SourceMap } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { build } from "esbuild"
import { pinned, ROOT, startServer } from "./lib.js"

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
  readonly columnNumber: number
}
interface Profile {
  readonly nodes: ReadonlyArray<{ readonly id: number; readonly callFrame: CallFrame }>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

/** Where a sample's time goes, by the source file of the function it was in (`null`: not the client's work). */
const category = (source: string, fn: string): string | null => {
  if (fn === "(idle)" || fn === "(program)" || source.startsWith("node:internal/modules")) return null
  if (fn === "(garbage collector)") return "GC"
  if (/dateTime\.ts$/.test(source) || (/RecordDecoder\.ts$/.test(source) && /^(utc|toDateTime|canonicalIso)/.test(fn)))
    return "timestamps (DateTime per field)"
  // JSON.parse is a builtin: its time is the caller's, the pipeline's decode
  if (/RecordDecoder|ParseResult|Schema/.test(source) || (/Pipeline\.ts$/.test(source) && /^decode/.test(fn)))
    return "JSON.parse + record decoding"
  if (/\/effect@[^/]+\//.test(source) && !/platform/.test(source))
    return "Effect runtime (fibers, steps, streams, retry, gate)"
  if (/platform@|platform-node@/.test(source)) return "platform HttpClient (request, headers, URL, response)"
  if (/packages\/(core|node)\/src/.test(source)) return "SDK pipeline, paging, transport deadline"
  return "transport (undici, sockets, Node)"
}

const report = (file: string, bundle: string, units: number, unit: string) => {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile
  const map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, "utf8")))
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const byCategory = new Map<string, number>()
  const byFunction = new Map<string, number>()
  let busy = 0
  for (const { id, callFrame } of profile.nodes) {
    const time = self.get(id) ?? 0
    let source = callFrame.url
    let fn = callFrame.functionName
    if (callFrame.url.endsWith(bundle.split("/").pop() ?? "")) {
      // an empty object where the bundle has no mapping
      const entry: { originalSource?: string; name?: string } = map.findEntry(
        callFrame.lineNumber,
        callFrame.columnNumber
      )
      source = entry.originalSource ?? "?"
      fn ||= entry.name ?? "(anonymous)"
    }
    const where = category(source, fn)
    if (where === null || time === 0) continue
    busy += time
    byCategory.set(where, (byCategory.get(where) ?? 0) + time)
    const name = `${fn || "(anonymous)"} ${source.replace(/^.*node_modules\//, "").replace(/^.*\/packages\//, "")}`
    byFunction.set(name, (byFunction.get(name) ?? 0) + time)
  }
  const per = (time: number) => `${(time / units).toFixed(0).padStart(5)} µs`
  const share = (time: number) => `${((100 * time) / busy).toFixed(0).padStart(3)} %`
  console.log(`\nbusy ${per(busy).trim()} per ${unit} (${units} ${unit}s, module loading and idle left out)`)
  for (const [where, time] of [...byCategory].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${per(time)}  ${share(time)}  ${where}`)
  }
  console.log("  top functions by self time:")
  for (const [name, time] of [...byFunction]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(process.env.PROFILE_TOP ?? 12))) {
    console.log(`  ${per(time)}  ${share(time)}  ${name}`)
  }
}

const main = async () => {
  const modes = (process.env.PROFILE_MODES ?? "list,get").split(",")
  const runs = process.env.PROFILE_RUNS ?? "5"
  const dir = mkdtempSync(join(tmpdir(), "threatstack-profile-"))
  const server = await startServer(["--alerts", "100000", "--span", "365 days"])
  try {
    const bundle = join(dir, "client.mjs")
    await build({
      entryPoints: [join(ROOT, "test/bench/profile-client.ts")],
      absWorkingDir: join(ROOT, "test"),
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: bundle,
      sourcemap: true,
      logLevel: "warning",
      // a CommonJS dependency's require, in an ES module bundle
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" }
    })
    for (const mode of modes) {
      const profiles = join(dir, mode)
      const [command, ...args] = pinned([process.execPath, "--cpu-prof", `--cpu-prof-dir=${profiles}`, bundle])
      const units = Number(
        execFileSync(command!, args, {
          env: {
            ...process.env,
            MODE: mode,
            RUNS: runs,
            BASE_URL: server.baseUrl,
            TRANSPORT: process.env.PROFILE_TRANSPORT ?? "undici"
          }
        })
      )
      const file = join(profiles, readdirSync(profiles)[0] ?? "")
      console.log(
        `\n== ${mode} over ${process.env.PROFILE_TRANSPORT ?? "undici"}: ${runs} runs, the first a warm-up${process.env.PROFILE_KEEP ? ` (${file})` : ""}`
      )
      report(file, bundle, units, mode === "get" ? "get" : "page")
    }
  } finally {
    server.stop()
    if (!process.env.PROFILE_KEEP) rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
