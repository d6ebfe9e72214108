/**
 * The client `pnpm bench:profile` runs under `node --cpu-prof`, bundled to
 * plain JavaScript first (the profile is of compiled code, not of tsx's):
 * `RUNS` listings of every alert (`MODE=list`) or `RUNS` rounds of 2,000
 * `alerts.get` (`MODE=get`) from the fake API at `BASE_URL`, the first of
 * them the warm-up, over `TRANSPORT`: `undici` (`NodeThreatStack`, the
 * default), `fetch` (`FetchThreatStack`), `FetchHttpClient` (the platform's
 * `FetchHttpClient.layer`) or `plain` (the bench's plain `fetch` loop, no
 * SDK). Prints the number of units (pages or gets) made in all.
 */
import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer, ManagedRuntime, Stream } from "effect"
import { FetchThreatStack, ThreatStack } from "@effect-threatstack/core"
import { NodeThreatStack } from "@effect-threatstack/node"
import { alertId, KEY, plainGet, plainList } from "./lib.js"

const GETS = 2_000

const main = async () => {
  const mode = process.env.MODE ?? "list"
  const runs = Number(process.env.RUNS ?? 4)
  const options = { apiKey: KEY, baseUrl: process.env.BASE_URL ?? "" }
  const transport = process.env.TRANSPORT ?? "undici"
  if (transport === "plain") {
    // the baseline itself, for a profile to set the SDK's against
    let units = 0
    for (let i = 0; i < runs; i++) {
      if (mode === "get") {
        for (let g = 0; g < GETS; g++) await plainGet(options.baseUrl, alertId(g))
        units += GETS
      } else units += Math.ceil((await plainList(options.baseUrl)) / 100) + 1
    }
    process.stdout.write(`${units}\n`)
    return
  }
  const runtime = ManagedRuntime.make(
    transport === "fetch"
      ? FetchThreatStack.layer(options)
      : transport === "FetchHttpClient"
        ? ThreatStack.layer(options).pipe(Layer.provide(FetchHttpClient.layer))
        : NodeThreatStack.layer(options)
  )
  const client = await runtime.runPromise(ThreatStack.ThreatStack)
  const once =
    mode === "get"
      ? Effect.as(
          Effect.forEach(
            Array.from({ length: GETS }, (_, i) => alertId(i)),
            (id) => client.alerts.get(id),
            {
              discard: true
            }
          ),
          GETS
        )
      : // pages: one per 100 records, and the empty one that ends the walk
        Effect.map(Stream.runCount(client.alerts.list()), (records) => Math.ceil(records / 100) + 1)
  let units = 0
  for (let i = 0; i < runs; i++) units += await runtime.runPromise(once)
  await runtime.dispose()
  process.stdout.write(`${units}\n`)
}

main()
