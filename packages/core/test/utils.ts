import { HttpClient, HttpClientResponse } from "@effect/platform"
import type { HttpClientRequest } from "@effect/platform"
import { Effect, Layer, Tracer } from "effect"
import { FakeThreatStack, ThreatStack } from "@effect-threatstack/core"
import type { ThreatStackConfig } from "@effect-threatstack/core"

/** The fake's clock: June 1st 2017, so the v1 guide's May 2017 dates select real data. */
export const NOW = Date.UTC(2017, 5, 1, 0, 0, 0)

export const fakeOptions = (options: FakeThreatStack.Options = {}): FakeThreatStack.Options => ({
  now: NOW,
  span: "60 days",
  ...options
})

/** The SDK over the in-memory fake; retries off unless asked, so TestClock never stalls a test. */
export const testLayer = (options: FakeThreatStack.Options = {}, settings: Partial<ThreatStackConfig.Options> = {}) =>
  ThreatStack.layer({ apiKey: FakeThreatStack.defaultApiKey, maxRetries: 0, ...settings }).pipe(
    Layer.provideMerge(FakeThreatStack.layer(fakeOptions(options)))
  )

/** The recorded requests of the fake in context. */
export const requests = Effect.flatMap(FakeThreatStack.FakeThreatStack, (fake) => fake.requests)

/**
 * An HttpClient that records each request and answers with `reply`: for
 * wire-level assertions on exactly what the SDK sends.
 */
export const recordingClient = (
  reply: (request: HttpClientRequest.HttpClientRequest, url: URL) => Response = () => Response.json([])
) => {
  const seen: Array<{ url: URL; headers: Record<string, string> }> = []
  const client = HttpClient.make((request, url) =>
    Effect.sync(() => {
      seen.push({ url, headers: { ...request.headers } })
      return HttpClientResponse.fromWeb(request, reply(request, url))
    })
  )
  return { seen, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

export const SECRET = "sk-live-SECRET-9f8e7d6c5b4a"

/** A tracer that keeps the name of every span opened under it (spans are Effect's own otherwise). */
export const spanNames = () => {
  const names: Array<string> = []
  const builtIn = Effect.runSync(Effect.tracer)
  const tracer = Tracer.make({
    span: (name, ...rest) => {
      names.push(name)
      return builtIn.span(name, ...rest)
    },
    context: (f) => f()
  })
  return { names, tracer }
}
