/**
 * The v1 layers as users build them: `ThreatStack.layerConfig` reads its
 * settings from the `ConfigProvider`, and `ThreatStackClient.get` sends a
 * query as the API takes it (arrays joined with commas, numbers as text).
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, ConfigProvider, Effect, Layer, Schema, Stream } from "effect"
import { FakeThreatStack, ThreatStack, ThreatStackClient } from "@effect-threatstack/core"
import { fakeOptions, recordingClient } from "./utils.js"

/** ThreatStack.layerConfig over the in-memory fake, with `variables` as the environment. */
const fromEnvironment = (variables: Record<string, string>) =>
  ThreatStack.layerConfig().pipe(
    Layer.provideMerge(FakeThreatStack.layer(fakeOptions({ counts: { agents: 12 } }))),
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(variables)))))
  )

describe("ThreatStack.layerConfig", () => {
  it.effect("reads the key and the settings from the ConfigProvider, and serves every resource", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const agents = yield* Stream.runCollect(client.agents.list())
      expect(Chunk.size(agents)).toBe(12)
      expect((yield* ThreatStackClient.ThreatStackClient).settings.maxRetries).toBe(0)
    }).pipe(
      Effect.provide(
        fromEnvironment({ THREATSTACK_API_KEY: FakeThreatStack.defaultApiKey, THREATSTACK_MAX_RETRIES: "0" })
      )
    )
  )

  it.effect("with another key in the environment, the fake's answer is Unauthorized", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const error = yield* Effect.flip(Stream.runCollect(client.agents.list()))
      expect(error._tag === "ThreatStackAPIError" && error.reason).toBe("Unauthorized")
    }).pipe(
      Effect.provide(
        fromEnvironment({ THREATSTACK_API_KEY: "tsk_not_the_fakes_key_0001", THREATSTACK_MAX_RETRIES: "0" })
      )
    )
  )
})

describe("ThreatStackClient.get", () => {
  it.effect("sends arrays joined with commas and numbers as text; leaves out what is undefined", () => {
    const http = recordingClient(() => Response.json({}))
    return Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      yield* client.get("alerts", { fields: ["id", "title"], count: 5, page: undefined }, Schema.Unknown)
      const query = http.seen[0]?.url.searchParams
      expect([query?.get("fields"), query?.get("count"), query?.has("page")]).toEqual(["id,title", "5", false])
    }).pipe(
      Effect.provide(ThreatStack.layer({ apiKey: FakeThreatStack.defaultApiKey }).pipe(Layer.provide(http.layer)))
    )
  })
})
