/**
 * `pnpm bench:throughput`: only the throughput ratios (the SDK's sequential
 * walk of 100,000 alerts over undici and over FetchHttpClient vs a plain
 * fetch loop), each of `BENCH_RUNS` (default 5) alternating pairs, three
 * times over, to see how much they move between runs on a busy machine.
 */
import { execFileSync } from "node:child_process"
import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer, ManagedRuntime, Stream } from "effect"
import { ThreatStack } from "@effect-threatstack/core"
import { NodeThreatStack } from "@effect-threatstack/node"
import { alternate, KEY, PIN, pairRatios, plainList, startServer } from "./lib.js"

const main = async () => {
  if (PIN) execFileSync("taskset", ["-p", "-c", "0", String(process.pid)])
  const server = await startServer(["--alerts", "100000", "--span", "365 days"])
  try {
    const runtimes = {
      undici: ManagedRuntime.make(NodeThreatStack.layer({ apiKey: KEY, baseUrl: server.baseUrl })),
      FetchHttpClient: ManagedRuntime.make(
        ThreatStack.layer({ apiKey: KEY, baseUrl: server.baseUrl }).pipe(Layer.provide(FetchHttpClient.layer))
      )
    }
    const runs = Math.max(5, Number(process.env.BENCH_RUNS ?? 5))
    for (let i = 0; i < 3; i++) {
      for (const [name, rt] of Object.entries(runtimes)) {
        const sdk = () =>
          rt.runPromise(Effect.flatMap(ThreatStack.ThreatStack, (c) => Stream.runCount(c.alerts.list())))
        const t = await alternate(runs, sdk, () => plainList(server.baseUrl))
        const r = pairRatios(t, (a, b) => b / a)
        console.log(
          `${name.padEnd(15)} ratio ${r.median.toFixed(2)} (pairs ${r.low.toFixed(2)}–${r.high.toFixed(2)}; ` +
            `median sdk ${t.a.toFixed(0)} ms, plain ${t.b.toFixed(0)} ms)`
        )
      }
    }
    for (const rt of Object.values(runtimes)) await rt.dispose()
  } finally {
    server.stop()
  }
  process.exit(0)
}
main()
