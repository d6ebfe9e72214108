/**
 * `pnpm bench:throughput`: only the throughput ratios (the SDK's sequential
 * walk of 100,000 alerts over undici, over fetch (`FetchThreatStack`) and
 * over the platform's `FetchHttpClient.layer`, vs a plain fetch loop), each of `BENCH_RUNS` (default 5) alternating pairs, three
 * times over, to see how much they move between runs on a busy machine.
 * `BENCH_PLATFORM=1` adds the same walk through each platform `HttpClient`
 * alone (execute, text, JSON.parse; no SDK): the floor the transport sets.
 * Then the garbage collection per page of each walk and of the plain loop
 * (two more walks each), which moves far less between runs than the ratios,
 * with the bytes per page promoted to the old generation (objects kept alive
 * past a scavenge; "—" when a full collection ran during both walks).
 */
import { execFileSync } from "node:child_process"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, ManagedRuntime, Stream } from "effect"
import { FetchThreatStack, ThreatStack } from "@effect-threatstack/core"
import { NodeThreatStack } from "@effect-threatstack/node"
import { alternate, collections, KEY, PIN, pairRatios, plainList, startServer } from "./lib.js"

/** The walk through a platform client alone, as the plain loop does it: pages until an empty one. */
const platformList = (baseUrl: string) =>
  Effect.flatMap(HttpClient.HttpClient, (platform) =>
    Effect.gen(function* () {
      // as the SDK does: no platform span (a span per request is the platform's default)
      const http = HttpClient.withTracerDisabledWhen(platform, () => true)
      let records = 0
      for (let page = 0; ; page++) {
        const request = HttpClientRequest.get(`${baseUrl}/alerts?page=${page}&count=100`, {
          headers: { authorization: KEY }
        })
        const response = yield* http.execute(request)
        const list = JSON.parse(yield* response.text) as Array<unknown>
        if (list.length === 0) return records
        records += list.length
      }
    })
  )

const main = async () => {
  if (PIN) execFileSync("taskset", ["-p", "-c", "0", String(process.pid)])
  const server = await startServer(["--alerts", "100000", "--span", "365 days"])
  try {
    const runtimes = {
      undici: ManagedRuntime.make(NodeThreatStack.layer({ apiKey: KEY, baseUrl: server.baseUrl })),
      fetch: ManagedRuntime.make(FetchThreatStack.layer({ apiKey: KEY, baseUrl: server.baseUrl })),
      FetchHttpClient: ManagedRuntime.make(
        ThreatStack.layer({ apiKey: KEY, baseUrl: server.baseUrl }).pipe(Layer.provide(FetchHttpClient.layer))
      )
    }
    const platforms = {
      "undici alone": ManagedRuntime.make(NodeHttpClient.layerUndici),
      "fetch alone": ManagedRuntime.make(FetchHttpClient.layer)
    }
    const walks: Array<[string, () => Promise<unknown>]> = [
      ...Object.entries(runtimes).map(([name, rt]): [string, () => Promise<unknown>] => [
        name,
        () => rt.runPromise(Effect.flatMap(ThreatStack.ThreatStack, (c) => Stream.runCount(c.alerts.list())))
      ]),
      ...(process.env.BENCH_PLATFORM === "1"
        ? Object.entries(platforms).map(([name, rt]): [string, () => Promise<unknown>] => [
            name,
            () => rt.runPromise(platformList(server.baseUrl))
          ])
        : [])
    ]
    const runs = Math.max(5, Number(process.env.BENCH_RUNS ?? 5))
    for (let i = 0; i < 3; i++) {
      for (const [name, walk] of walks) {
        const t = await alternate(runs, walk, () => plainList(server.baseUrl))
        const r = pairRatios(t, (a, b) => b / a)
        console.log(
          `${name.padEnd(15)} ratio ${r.median.toFixed(2)} (pairs ${r.low.toFixed(2)}–${r.high.toFixed(2)}; ` +
            `median sdk ${t.a.toFixed(0)} ms, plain ${t.b.toFixed(0)} ms)`
        )
      }
    }
    console.log(
      "\ngarbage collection per page (two more walks each; a page is 100 alerts, and one empty page ends a walk;\n" +
        "promoted: what the old generation grew by, over walks that ran no full collection)"
    )
    for (const [name, walk] of [...walks, ["plain fetch loop", () => plainList(server.baseUrl)] as const]) {
      let ms = 0
      let scavenges = 0
      let pages = 0
      // promoted bytes over the walks that ran without a full collection
      let promoted = 0
      let promotedPages = 0
      for (let i = 0; i < 2; i++) {
        const c = await collections(walk)
        const walked = Number(c.value) / 100 + 1
        ms += c.ms
        scavenges += c.scavenges
        pages += walked
        if (c.promotedBytes !== undefined) {
          promoted += c.promotedBytes
          promotedPages += walked
        }
      }
      const perPage = promotedPages === 0 ? "   —" : (promoted / 1024 / promotedPages).toFixed(1).padStart(4)
      console.log(
        `${name.padEnd(16)} ${((1000 * ms) / pages).toFixed(0).padStart(4)} µs of GC per page, ` +
          `${((1000 * scavenges) / pages).toFixed(1)} scavenges per 1,000 pages, ${perPage} KB per page promoted`
      )
    }
    for (const rt of [...Object.values(runtimes), ...Object.values(platforms)]) await rt.dispose()
  } finally {
    server.stop()
  }
  process.exit(0)
}
main()
