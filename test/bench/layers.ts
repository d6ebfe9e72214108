/**
 * `pnpm bench:layers`: what each layer of a listing costs per page in busy
 * time, with the network taken out. A `fetch` that answers at once from
 * memory (pages made by the fake beforehand) stands under every walk, so the
 * figures move far less between runs than the loopback ratios (a busy
 * machine still moves them). Each walk adds one layer to the walk its line
 * names after "over":
 *
 * - `fetch + JSON.parse`: the bench's plain loop over that `fetch`;
 * - `+ transport`: `FetchThreatStack`'s client, each page read with `textOnce`;
 * - `+ pipeline`: `ThreatStackClient.get` (base URL, headers, auth, retry and
 *   rate-gate bookkeeping, status handling), the page left undecoded;
 * - `+ paging stream`: the same pages through `Pagination.walk`;
 * - `+ record decoding`: `get` with the alerts' decoder, no stream (over
 *   `+ pipeline`);
 * - `alerts.list`: all of it, as a user calls it (over the plain loop).
 *
 * `BENCH_PAGES` pages of 100 alerts (default 300), 15 rounds of alternating
 * walks after 5 warm-up rounds; medians. The busy time of a real listing is
 * higher (sockets, the transport's own work), and its wall time higher still.
 */
import { FetchHttpClient, HttpClientRequest } from "@effect/platform"
import { Context, Effect, Either, Layer, ManagedRuntime, Stream } from "effect"
import {
  Alerts,
  FakeThreatStack,
  FetchThreatStack,
  Pagination,
  ThreatStack,
  ThreatStackClient
} from "@effect-threatstack/core"
import * as FetchClient from "../../packages/core/src/internal/FetchClient.js"
import type { PromiseResponse } from "../../packages/core/src/internal/PromiseResponse.js"
import * as RecordDecoder from "../../packages/core/src/internal/RecordDecoder.js"
import { KEY, median, plainList } from "./lib.js"

const PAGES = Number(process.env.BENCH_PAGES ?? 300)
const BASE = "http://127.0.0.1:1/api/v1"

const fake = Effect.runSync(FakeThreatStack.make({ counts: { alerts: PAGES * 100 } }))
const bodies = Array.from({ length: PAGES }, (_, page) => {
  const url = new URL(`https://fake/api/v1/alerts?page=${page}&count=100`)
  const { body } = Effect.runSync(fake.handle({ method: "GET", url, headers: { authorization: KEY } }))
  return typeof body === "string" ? body : new TextDecoder().decode(body as Uint8Array)
})

/** Answers at once: page `n` of the fake, then an empty page. */
const instantFetch: typeof globalThis.fetch = async (input) => {
  const page = Number(new URL(String(input)).searchParams.get("page"))
  const body = bodies[page] ?? "[]"
  return new Response(body, { headers: { "content-type": "application/json", "content-length": String(body.length) } })
}

const url = (page: number) => `${BASE}/alerts?page=${page}&count=100`
const transport = FetchClient.make(120_000, Context.make(FetchHttpClient.Fetch, instantFetch))
const runtime = ManagedRuntime.make(
  FetchThreatStack.layer({ apiKey: KEY, baseUrl: BASE }).pipe(
    Layer.provide(Layer.succeed(FetchHttpClient.Fetch, instantFetch))
  )
)
const undecoded = (json: unknown) => Either.right(json as ReadonlyArray<unknown>)
const alerts = RecordDecoder.array(Alerts.Alert, RecordDecoder.parsed)

/** Pages from `page` until an empty one, counting records. */
const pagesOf = (page: (n: number) => Effect.Effect<ReadonlyArray<unknown>, unknown>) =>
  Effect.gen(function* () {
    let records = 0
    for (let n = 0; ; n++) {
      const list = yield* page(n)
      if (list.length === 0) return records
      records += list.length
    }
  })

const main = async () => {
  const client = await runtime.runPromise(ThreatStackClient.ThreatStackClient)
  const get = (decoder: RecordDecoder.Decoder<ReadonlyArray<unknown>>) => (n: number) =>
    client.get("alerts", { page: n, count: 100 }, decoder)
  // each walk, the walk it adds a layer to, and how to run it
  const walks: ReadonlyArray<readonly [string, string | undefined, () => Promise<unknown>]> = [
    ["fetch + JSON.parse", undefined, () => plainList(BASE, 100, instantFetch)],
    [
      "+ transport",
      "fetch + JSON.parse",
      () =>
        Effect.runPromise(
          pagesOf((n) =>
            Effect.flatMap(
              transport.execute(HttpClientRequest.get(url(n), { headers: { authorization: KEY } })),
              (response) =>
                Effect.map((response as PromiseResponse).textOnce, (text) => JSON.parse(text) as Array<unknown>)
            )
          )
        )
    ],
    ["+ pipeline", "+ transport", () => Effect.runPromise(pagesOf(get(undecoded)))],
    ["+ paging stream", "+ pipeline", () => Effect.runPromise(Stream.runCount(Pagination.walk(get(undecoded))))],
    ["+ record decoding", "+ pipeline", () => Effect.runPromise(pagesOf(get(alerts)))],
    [
      "alerts.list",
      "fetch + JSON.parse",
      () => runtime.runPromise(Effect.flatMap(ThreatStack.ThreatStack, (c) => Stream.runCount(c.alerts.list())))
    ]
  ]
  const times = new Map<string, Array<number>>()
  for (let round = 0; round < 20; round++) {
    for (const [name, , walk] of walks) {
      const started = performance.now()
      const records = Number(await walk())
      const perPage = ((performance.now() - started) * 1000) / (PAGES + 1)
      if (records !== PAGES * 100) throw new Error(`${name}: ${records} records, expected ${PAGES * 100}`)
      if (round >= 5) times.set(name, [...(times.get(name) ?? []), perPage])
    }
  }
  console.log(`busy time per page of 100 alerts, no network (median of 15 rounds, ${PAGES} pages each)`)
  const us = (name: string) => median(times.get(name) ?? [])
  for (const [name, base] of walks) {
    const added = base === undefined ? "" : `  +${(us(name) - us(base)).toFixed(0)} µs over ${base}`
    console.log(`${name.padEnd(20)} ${us(name).toFixed(0).padStart(5)} µs${added}`)
  }
  await runtime.dispose()
}

main()
