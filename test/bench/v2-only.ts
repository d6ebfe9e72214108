/**
 * `pnpm bench:v2`: only the v2 row (the SDK listing the 100,000-alert fake's
 * active alerts over tokens, Hawk-signed, vs a fetch loop that signs with
 * @hapi/hawk), three times over, to see how much the ratio moves between runs.
 */
import { execFileSync } from "node:child_process"
import { Effect, ManagedRuntime, Stream } from "effect"
import { FakeThreatStack, ThreatStackV2 } from "@effect-threatstack/core"
import { NodeThreatStack } from "@effect-threatstack/node"
import { alternate, PIN, plainListV2, startServer, v2BaseOf } from "./lib.js"

const main = async () => {
  if (PIN) execFileSync("taskset", ["-p", "-c", "0", String(process.pid)])
  const server = await startServer(["--alerts", "100000", "--span", "365 days"])
  try {
    const base = v2BaseOf(server.baseUrl)
    const credentials = FakeThreatStack.defaultV2Credentials
    const rt = ManagedRuntime.make(NodeThreatStack.layerV2({ ...credentials, baseUrl: base }))
    const sdk = () =>
      rt.runPromise(Effect.flatMap(ThreatStackV2.ThreatStackV2, (ts) => Stream.runCount(ts.alerts.list())))
    const records = await sdk()
    for (let i = 0; i < 3; i++) {
      const t = await alternate(Number(process.env.BENCH_RUNS ?? 5), sdk, () => plainListV2(base, credentials))
      const rate = (ms: number) => Math.round(records / (ms / 1000)).toLocaleString("en-US")
      console.log(
        `v2 ratio ${(t.b / t.a).toFixed(2)} (SDK ${rate(t.a)} rec/s, @hapi/hawk + fetch ${rate(t.b)} rec/s, ${records} records)`
      )
    }
    await rt.dispose()
  } finally {
    server.stop()
  }
  process.exit(0)
}
main()
