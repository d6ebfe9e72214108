/**
 * `pnpm bench`: the SDK against the fake API served on loopback, side by
 * side with the simplest possible client (fetch + JSON.parse). Prints one
 * table and writes the same figures to test/bench/results/latest.json.
 *
 * Each ratio is measured in one run, both sides alternating in the same
 * process after a warm-up; figures are medians of several runs.
 */
import { execFileSync } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { Effect, ManagedRuntime, Stream } from "effect"
import { FakeThreatStack, ThreatStack, ThreatStackV2 } from "@effect-threatstack/core"
import { NodeThreatStack } from "@effect-threatstack/node"
import {
  alertId,
  alternate,
  KEY,
  median,
  pinned,
  PIN,
  plainGet,
  plainList,
  plainListV2,
  ROOT,
  startServer,
  time,
  v2BaseOf
} from "./lib.js"

const RUNS = Number(process.env.BENCH_RUNS ?? 5)

const sdk = (baseUrl: string) => ManagedRuntime.make(NodeThreatStack.layer({ apiKey: KEY, baseUrl }))

const rows: Array<{ name: string; sdk: string; baseline: string; ratio: string; target: string; ok: boolean }> = []
const figures: Record<string, unknown> = {}
const log = (text: string) => process.stderr.write(`${text}\n`)

const main = async () => {
  if (PIN) execFileSync("taskset", ["-p", "-c", "0", String(process.pid)])
  // the fake itself: start with a million alerts, own time per page
  const fakeStart = performance.now()
  const fake = Effect.runSync(FakeThreatStack.make({ counts: { alerts: 1_000_000 } }))
  const fakeMakeMs = performance.now() - fakeStart
  const deepPage = {
    method: "GET",
    url: new URL("https://x/api/v1/alerts?page=9000&count=100"),
    headers: { authorization: KEY }
  }
  for (let i = 0; i < 200; i++) Effect.runSync(fake.handle(deepPage))
  const handled = await time(async () => {
    for (let i = 0; i < 2_000; i++) Effect.runSync(fake.handle(deepPage))
  })
  const fakePageUs = (handled / 2_000) * 1000

  log("starting fake servers…")
  const big = await startServer(["--alerts", "1000000", "--span", "365 days"])
  const small = await startServer(["--alerts", "100000", "--span", "365 days"])
  const slow = await startServer(["--alerts", "10000", "--latency", "20 millis"])
  try {
    // 1. throughput: 100,000 alerts in pages of 100
    log("1. throughput…")
    const smallSdk = sdk(small.baseUrl)
    const sdkList = (concurrency: number) => () =>
      smallSdk.runPromise(
        Effect.flatMap(ThreatStack.ThreatStack, (c) => Stream.runCount(c.alerts.list({ concurrency })))
      )
    const t1 = await alternate(RUNS, sdkList(1), () => plainList(small.baseUrl))
    const t1ahead = await alternate(RUNS, sdkList(2), () => plainList(small.baseUrl))
    const rate = (ms: number) => 100_000 / (ms / 1000)
    const throughputRow = (name: string, t: { a: number; b: number }, target: number | undefined) => {
      const ratio = rate(t.a) / rate(t.b)
      rows.push({
        name,
        sdk: fmt(rate(t.a)),
        baseline: fmt(rate(t.b)),
        ratio: ratio.toFixed(2),
        target: target === undefined ? "" : `≥ ${target.toFixed(2)}`,
        ok: target === undefined || ratio >= target
      })
    }
    throughputRow("1. stream 100,000 alerts (rec/s)", t1, 0.6)
    throughputRow("   same, SDK read-ahead 2", t1ahead, undefined)
    figures.throughput = {
      sdkRecordsPerSecond: rate(t1.a),
      plainRecordsPerSecond: rate(t1.b),
      readAhead2RecordsPerSecond: rate(t1ahead.a)
    }

    // 6. v2: the same 100,000 alerts listed over tokens, every request Hawk-signed
    log("6. v2 throughput…")
    const v2Base = v2BaseOf(small.baseUrl)
    const credentials = FakeThreatStack.defaultV2Credentials
    const v2Sdk = ManagedRuntime.make(NodeThreatStack.layerV2({ ...credentials, baseUrl: v2Base }))
    const activeV2 = await v2Sdk.runPromise(
      Effect.flatMap(ThreatStackV2.ThreatStackV2, (ts) => Stream.runCount(ts.alerts.list()))
    )
    const t6 = await alternate(
      RUNS,
      () => v2Sdk.runPromise(Effect.flatMap(ThreatStackV2.ThreatStackV2, (ts) => Stream.runCount(ts.alerts.list()))),
      () => plainListV2(v2Base, credentials)
    )
    const v2Rate = (ms: number) => activeV2 / (ms / 1000)
    rows.push({
      name: `6. v2 stream ${fmt(activeV2)} active alerts, Hawk (rec/s)`,
      sdk: fmt(v2Rate(t6.a)),
      baseline: `${fmt(v2Rate(t6.b))} (@hapi/hawk)`,
      ratio: (t6.b / t6.a).toFixed(2),
      target: "≥ 0.80",
      ok: t6.b / t6.a >= 0.8
    })
    figures.v2Throughput = { records: activeV2, sdkRecordsPerSecond: v2Rate(t6.a), plainRecordsPerSecond: v2Rate(t6.b) }
    await v2Sdk.dispose()

    // 5. per-call overhead: get through the SDK vs fetch + JSON.parse
    log("5. per-call overhead…")
    const CALLS = 1_000
    const sdkGets = () =>
      smallSdk.runPromise(
        Effect.flatMap(ThreatStack.ThreatStack, (c) =>
          Effect.forEach(
            Array.from({ length: CALLS }, (_, i) => alertId(i)),
            (id) => c.alerts.get(id),
            { discard: true }
          )
        )
      )
    const plainGets = async () => {
      for (let i = 0; i < CALLS; i++) await plainGet(small.baseUrl, alertId(i))
    }
    const t5 = await alternate(RUNS, sdkGets, plainGets)
    const perCall = { sdk: (t5.a / CALLS) * 1000, plain: (t5.b / CALLS) * 1000 }
    rows.push({
      name: "5. get, µs per call",
      sdk: perCall.sdk.toFixed(0),
      baseline: perCall.plain.toFixed(0),
      ratio: `+${(perCall.sdk - perCall.plain).toFixed(0)} µs`,
      target: "report",
      ok: true
    })
    figures.perCallMicroseconds = perCall
    await smallSdk.dispose()

    // 3. latency hiding: 20 ms a request, 10,000 alerts
    log("3. latency hiding…")
    const slowSdk = sdk(slow.baseUrl)
    const slowList = (concurrency: number) => () =>
      slowSdk.runPromise(
        Effect.flatMap(ThreatStack.ThreatStack, (c) => Stream.runCount(c.alerts.list({ concurrency })))
      )
    const t3 = await alternate(Math.min(RUNS, 3), slowList(8), slowList(1))
    rows.push({
      name: "3. 10,000 alerts, 20 ms/request (ms)",
      sdk: `${t3.a.toFixed(0)} (ahead 8)`,
      baseline: `${t3.b.toFixed(0)} (sequential)`,
      ratio: `${(t3.b / t3.a).toFixed(1)}×`,
      target: "≥ 5×",
      ok: t3.b / t3.a >= 5
    })
    figures.latencyHiding = { readAhead8Ms: t3.a, sequentialMs: t3.b, speedup: t3.b / t3.a }

    // 4. details: 500 alerts by id, 20 ms a request
    log("4. details…")
    const ids = Array.from({ length: 500 }, (_, i) => alertId(i))
    const details = (concurrency: number) => () =>
      slowSdk.runPromise(Effect.flatMap(ThreatStack.ThreatStack, (c) => c.alerts.getMany(ids, { concurrency })))
    const t4 = await alternate(Math.min(RUNS, 3), details(8), details(1))
    rows.push({
      name: "4. 500 gets, 20 ms/request (ms)",
      sdk: `${t4.a.toFixed(0)} (conc. 8)`,
      baseline: `${t4.b.toFixed(0)} (one at a time)`,
      ratio: `${(t4.b / t4.a).toFixed(1)}×`,
      target: "≥ 6×",
      ok: t4.b / t4.a >= 6
    })
    figures.details = { concurrency8Ms: t4.a, sequentialMs: t4.b, speedup: t4.b / t4.a }
    await slowSdk.dispose()

    // 2. memory: peak RSS streaming 1,000,000 vs 10,000 alerts, each in its own process
    log("2. memory…")
    // Each run in its own process. Under a 256 MB heap cap the process would die if records
    // accumulated; uncapped, V8 defers collection and the peak grows with garbage, not live data.
    const memory = (n: number, heapCapMb?: number) => {
      const flags = heapCapMb === undefined ? [] : [`--max-old-space-size=${heapCapMb}`]
      const [command, ...args] = pinned([
        process.execPath,
        ...flags,
        "--import",
        "tsx",
        `${ROOT}test/bench/memory.ts`,
        big.baseUrl,
        String(n)
      ])
      const out = execFileSync(command!, args, { cwd: `${ROOT}test` })
      return JSON.parse(out.toString()) as { records: number; maxRssMb: number; seconds: number }
    }
    const peak = (n: number, cap?: number) => median([memory(n, cap).maxRssMb, memory(n, cap).maxRssMb])
    const capped = { small: peak(10_000, 256), million: peak(1_000_000, 256) }
    const uncapped = { small: peak(10_000), million: peak(1_000_000) }
    rows.push({
      name: "2. peak RSS, 1,000,000 vs 10,000 (MB)",
      sdk: capped.million.toFixed(0),
      baseline: capped.small.toFixed(0),
      ratio: `${capped.million - capped.small >= 0 ? "+" : ""}${(capped.million - capped.small).toFixed(0)} MB`,
      target: "≤ +50 MB",
      ok: capped.million - capped.small <= 50
    })
    rows.push({
      name: "   same, no heap cap (V8 collects lazily)",
      sdk: uncapped.million.toFixed(0),
      baseline: uncapped.small.toFixed(0),
      ratio: `+${(uncapped.million - uncapped.small).toFixed(0)} MB`,
      target: "",
      ok: true
    })
    figures.memory = { heapCap256Mb: capped, noHeapCap: uncapped }

    figures.fake = {
      makeWith1mAlertsMs: fakeMakeMs,
      ownMicrosecondsPer100RecordPage: fakePageUs,
      processReadyMs: big.readyMs,
      serverPeakRssMbAfterBench: big.peakRssMb()
    }
  } finally {
    big.stop()
    small.stop()
    slow.stop()
  }

  const header = ["benchmark", "SDK", "baseline", "ratio", "target", ""]
  const table = [header, ...rows.map((r) => [r.name, r.sdk, r.baseline, r.ratio, r.target, r.ok ? "ok" : "MISSED"])]
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
  const lines = table.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd()
  )
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "))
  const fakeFigures = figures.fake as Record<string, number>
  console.log(lines.join("\n"))
  console.log(
    `\nfake API: made with 1,000,000 alerts in ${fakeFigures.makeWith1mAlertsMs!.toFixed(1)} ms; ` +
      `${fakeFigures.ownMicrosecondsPer100RecordPage!.toFixed(0)} µs of its own time per 100-record page; ` +
      `process ready in ${fakeFigures.processReadyMs!.toFixed(0)} ms (Node + tsx start included); ` +
      `server peak RSS ${fakeFigures.serverPeakRssMbAfterBench!.toFixed(0)} MB after serving the benchmarks`
  )
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    runs: RUNS,
    pinnedToCores: PIN,
    rows,
    figures
  }
  mkdirSync(`${ROOT}test/bench/results`, { recursive: true })
  writeFileSync(`${ROOT}test/bench/results/latest.json`, `${JSON.stringify(result, null, 2)}\n`)
  console.log(`\nwritten to test/bench/results/latest.json`)
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US")

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
