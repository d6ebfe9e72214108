/**
 * `pnpm bench:throughput`: only the throughput ratio (SDK sequential walk vs a plain fetch loop),
 * three times over, to see how much it moves between runs on a busy 2-core machine.
 */
import { execFileSync } from "node:child_process"
import { Effect, ManagedRuntime, Stream } from "effect"
import { ThreatStack } from "@effect-threatstack/core"
import { NodeThreatStack } from "@effect-threatstack/node"
import { alternate, KEY, PIN, plainList, startServer } from "./lib.js"
const main = async () => {
  if (PIN) execFileSync("taskset", ["-p", "-c", "0", String(process.pid)])
  const server = await startServer(["--alerts", "100000", "--span", "365 days"])
  const rt = ManagedRuntime.make(NodeThreatStack.layer({ apiKey: KEY, baseUrl: server.baseUrl }))
  const sdk = () => rt.runPromise(Effect.flatMap(ThreatStack.ThreatStack, (c) => Stream.runCount(c.alerts.list())))
  for (let i = 0; i < 3; i++) {
    const t = await alternate(5, sdk, () => plainList(server.baseUrl))
    console.log(`ratio ${(t.b / t.a).toFixed(2)} (sdk ${t.a.toFixed(0)} ms, plain ${t.b.toFixed(0)} ms)`)
  }
  server.stop()
  process.exit(0)
}
main()
