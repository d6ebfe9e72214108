/**
 * `pnpm bench:cli`: how fast the installed `threatstack` starts. Builds and
 * packs both packages, installs the tarballs into a fresh npm project as the
 * README says (packed.ts), then times commands there: wall time (spawn to
 * exit) and peak resident memory (GNU time's `%M`), median of BENCH_RUNS runs
 * (default 7) after one warm-up round, all commands taking turns so that a
 * busy moment of the machine hits them alike. Prints figures only; the temp
 * project is removed at the end.
 *
 * Rows: Node alone (the floor); the installed bin, as a user runs it (its
 * V8 code cache warm, in a cache folder of the bench's own); the same on a
 * first run (empty cache folder each time) and with the cache turned off; the
 * bundle without the launcher's `--version` answer; and the unbundled
 * `dist/esm/bin.js` (what the bin was before the bundle).
 */
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { packAndInstall } from "../packed.js"
import { median } from "./lib.js"

const RUNS = Number(process.env.BENCH_RUNS ?? 7)
const TIME = "/usr/bin/time"
const ALERTS = ["alerts", "list", "--demo", "--limit", "3"]

interface Row {
  readonly name: string
  readonly argv: ReadonlyArray<string>
  /** Gives each run its environment (the cache folder). */
  readonly env: (run: number) => Record<string, string>
  readonly target?: { readonly ms: number; readonly mb?: number }
}

interface Figures {
  readonly ms: Array<number>
  readonly mb: Array<number>
}

/** Runs `row` once: wall milliseconds, and peak RSS in MB when GNU time is there. */
const once = (row: Row, run: number, rssFile: string): { ms: number; mb: number } => {
  const withTime = existsSync(TIME)
  const [command, ...args] = withTime ? [TIME, "-f", "%M", "-o", rssFile, ...row.argv] : row.argv
  const started = process.hrtime.bigint()
  const result = spawnSync(command!, args, {
    env: { ...process.env, ...row.env(run) },
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8"
  })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(`${row.argv.join(" ")} exited with ${result.status}: ${result.stderr}`)
  const kb = withTime ? Number(readFileSync(rssFile, "utf8").trim().split("\n").at(-1)) : Number.NaN
  return { ms, mb: kb / 1024 }
}

const cell = (values: ReadonlyArray<number>, digits = 0) =>
  Number.isNaN(median(values))
    ? "n/a"
    : `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`

const verdict = (row: Row, figures: Figures) => {
  if (row.target === undefined) return ""
  const within =
    median(figures.ms) <= row.target.ms && (row.target.mb === undefined || median(figures.mb) <= row.target.mb)
  const target = `≤ ${row.target.ms} ms${row.target.mb === undefined ? "" : `, ≤ ${row.target.mb} MB`}`
  return `${target}: ${within ? "within" : "OVER"}`
}

const main = async () => {
  const dir = mkdtempSync(join(tmpdir(), "threatstack-bench-cli-"))
  try {
    process.stderr.write("building, packing, installing…\n")
    await packAndInstall(dir)
    const bin = join(dir, "node_modules/.bin/threatstack")
    const pkg = join(dir, "node_modules/@effect-threatstack/node")
    const warm = { XDG_CACHE_HOME: join(dir, "cache") }
    const none = () => ({})
    const rows: ReadonlyArray<Row> = [
      { name: "node -e 0 (Node alone)", argv: ["node", "-e", "0"], env: none },
      { name: "threatstack --version", argv: [bin, "--version"], env: () => warm, target: { ms: 250, mb: 80 } },
      {
        name: "threatstack alerts list --demo --limit 3",
        argv: [bin, ...ALERTS],
        env: () => warm,
        target: { ms: 400 }
      },
      {
        name: "  the same, first run (no cache yet)",
        argv: [bin, ...ALERTS],
        env: (run) => ({ XDG_CACHE_HOME: join(dir, `cold-${run}`) })
      },
      {
        name: "  the same, cache off",
        argv: [bin, ...ALERTS],
        env: () => ({ NODE_DISABLE_COMPILE_CACHE: "1" })
      },
      {
        name: "bundle alone: node cli.cjs --version",
        argv: ["node", join(pkg, "dist/bin/cli.cjs"), "--version"],
        env: none
      },
      {
        name: "unbundled: node dist/esm/bin.js --version",
        argv: ["node", join(pkg, "dist/esm/bin.js"), "--version"],
        env: none
      },
      {
        name: "unbundled: node dist/esm/bin.js alerts list …",
        argv: ["node", join(pkg, "dist/esm/bin.js"), ...ALERTS],
        env: none
      }
    ]
    const figures = rows.map((): Figures => ({ ms: [], mb: [] }))
    const rssFile = join(dir, "rss")
    for (let run = -1; run < RUNS; run++) {
      rows.forEach((row, i) => {
        const { ms, mb } = once(row, run, rssFile)
        // round -1 warms up the disk cache and the bin's code cache
        if (run >= 0) {
          figures[i]!.ms.push(ms)
          figures[i]!.mb.push(mb)
        }
      })
    }
    const width = Math.max(...rows.map((row) => row.name.length))
    console.log(`Node ${process.version}, ${RUNS} runs each: median (min–max)`)
    console.log(`${"command".padEnd(width)}  ${"wall ms".padEnd(18)}  ${"peak RSS MB".padEnd(16)}  target`)
    rows.forEach((row, i) => {
      const f = figures[i]!
      console.log(`${row.name.padEnd(width)}  ${cell(f.ms).padEnd(18)}  ${cell(f.mb).padEnd(16)}  ${verdict(row, f)}`)
    })
    if (!existsSync(TIME)) console.log(`(no ${TIME}: peak RSS not measured)`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
main()
