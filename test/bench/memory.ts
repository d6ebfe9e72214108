/**
 * Child process of the memory benchmark: streams N alerts through the SDK
 * and prints its own peak RSS. Usage: memory.ts <baseUrl> <N>
 */
import { Effect, Stream } from "effect"
import { ThreatStack } from "@effect-threatstack/core"
import { NodeThreatStack } from "@effect-threatstack/node"
import { KEY } from "./lib.js"

const [baseUrl, n] = process.argv.slice(2)
const wanted = Number(n)
const started = performance.now()

const program = Effect.gen(function* () {
  const client = yield* ThreatStack.ThreatStack
  let records = 0
  let newest = 0
  yield* client.alerts.list({ concurrency: 2 }).pipe(
    Stream.take(wanted),
    Stream.runForEach((alert) =>
      Effect.sync(() => {
        records++
        newest = Math.max(newest, alert.severity)
      })
    )
  )
  return records
})

Effect.runPromise(Effect.provide(program, NodeThreatStack.layer({ apiKey: KEY, baseUrl }))).then((records) => {
  const maxRssMb = process.resourceUsage().maxRSS / 1024
  console.log(JSON.stringify({ records, maxRssMb, seconds: (performance.now() - started) / 1000 }))
})
