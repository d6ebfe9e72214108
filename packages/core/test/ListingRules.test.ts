/**
 * What listing and decoding promise a user: a record field of the wrong
 * type (or a null record) is an `InvalidResponse` naming where, on the fast
 * decoder as on the Schema's; read-ahead keeps a last page of one record;
 * `getMany` keeps 8 requests in flight by default and checks its
 * concurrency; errors carry the full URL with its query; the User-Agent
 * carries the package's version.
 */
import { readFileSync } from "node:fs"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Layer, Stream, TestClock } from "effect"
import { FakeThreatStack, ThreatStack } from "@effect-threatstack/core"
import type { ThreatStackError } from "@effect-threatstack/core"
import { agentId, scripted, v1Over } from "./scriptedHttp.js"
import { fakeOptions, testLayer } from "./utils.js"

/**
 * The SDK over the fake, with each JSON array body the fake answers passed
 * through `tamper` first: a server that answers one wrong record.
 */
const tampered = (tamper: (records: Array<Record<string, unknown> | null>) => unknown) =>
  ThreatStack.layer({ apiKey: FakeThreatStack.defaultApiKey, maxRetries: 0 }).pipe(
    Layer.provide(
      Layer.effect(
        HttpClient.HttpClient,
        Effect.map(FakeThreatStack.make(fakeOptions()), (fake) => {
          const inner = FakeThreatStack.httpClient(fake)
          return HttpClient.make((request) =>
            Effect.flatMap(inner.execute(request), (response) =>
              Effect.map(response.json, (json) =>
                HttpClientResponse.fromWeb(
                  request,
                  Response.json(Array.isArray(json) ? tamper(json) : json, { status: response.status })
                )
              )
            ).pipe(Effect.orDie)
          )
        })
      )
    )
  )

const invalidResponse = (error: ThreatStackError.ThreatStackError) =>
  error._tag === "ThreatStackAPIError" ? { reason: error.reason, path: error.path } : { reason: error._tag }

const policiesError = Effect.flatMap(ThreatStack.ThreatStack, (client) =>
  Effect.flip(Stream.runCollect(client.policies.list()))
)

describe("a record that does not match is refused, naming where", () => {
  it.effect.each([
    ["enabled", "yes"],
    ["read_only", 1],
    ["firewall_enabled", null],
    ["name", 7],
    ["agent_count", 2.5],
    ["description", false],
    ["created_at", "last tuesday"]
  ] as const)("a policy whose %s is %j", ([field, value]) =>
    Effect.gen(function* () {
      const error = yield* policiesError
      expect(invalidResponse(error)).toEqual({ reason: "InvalidResponse", path: `[1].${field}` })
    }).pipe(Effect.provide(tampered((records) => records.map((r, i) => (i === 1 ? { ...r, [field]: value } : r)))))
  )

  it.effect("a null in place of a record", () =>
    Effect.gen(function* () {
      const error = yield* policiesError
      expect(invalidResponse(error)).toEqual({ reason: "InvalidResponse", path: "[2]" })
      expect(error.message).toContain("got null")
    }).pipe(Effect.provide(tampered((records) => records.map((r, i) => (i === 2 ? null : r)))))
  )

  it.effect("the records as the fake answers them decode, with their booleans as given", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const policies = Chunk.toReadonlyArray(yield* Stream.runCollect(client.policies.list()))
      expect(policies.map((p) => [p.enabled, p.read_only])).toEqual(policies.map((_p, i) => [i % 2 === 0, i % 2 === 1]))
    }).pipe(
      Effect.provide(
        tampered((records) =>
          records.map((r, i) => (r === null ? r : { ...r, enabled: i % 2 === 0, read_only: i % 2 === 1 }))
        )
      )
    )
  )
})

describe("read-ahead and the last page", () => {
  it.effect.each([1, 2, 4])("a last page of one record is kept, reading %i pages ahead", (concurrency) =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const sequential = yield* Stream.runCollect(client.alerts.list({ count: 100 }))
      const ahead = yield* Stream.runCollect(client.alerts.list({ count: 100, concurrency }))
      expect(ahead.length).toBe(201)
      expect(Chunk.toReadonlyArray(ahead).map((a) => a.id)).toEqual(Chunk.toReadonlyArray(sequential).map((a) => a.id))
    }).pipe(Effect.provide(testLayer({ counts: { alerts: 201 } })))
  )
})

describe("getMany", () => {
  it.effect("keeps 8 requests in flight by default", () => {
    const http = scripted(
      () => Response.json({ message: "no such agent" }, { status: 404 }),
      () => 100
    )
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const fiber = yield* Effect.fork(client.agents.getMany(Array.from({ length: 20 }, (_, i) => agentId(i))))
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).length).toBe(20)
      const at = http.seen.map((s) => s.at - (http.seen[0]?.at ?? 0))
      expect([0, 100, 200].map((t) => at.filter((a) => a === t).length)).toEqual([8, 8, 4])
    }).pipe(Effect.provide(v1Over(http.layer)))
  })

  it.effect("a concurrency that is not a whole number from 1 to 64 is refused before any request", () => {
    const http = scripted(() => Response.json({ message: "no such agent" }, { status: 404 }))
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      for (const concurrency of [0, -1, 1.5, 65]) {
        const error = yield* Effect.flip(client.agents.getMany([agentId(1)], { concurrency }))
        expect(error._tag === "InvalidArgument" && error.argument).toBe("concurrency")
      }
      expect(http.seen.length).toBe(0)
      expect((yield* client.agents.getMany([agentId(1), agentId(2)], { concurrency: 64 })).length).toBe(2)
      expect((yield* client.agents.getMany([agentId(3)], { concurrency: 1 })).length).toBe(1)
    }).pipe(Effect.provide(v1Over(http.layer)))
  })
})

describe("what errors and headers carry", () => {
  it.effect("an error's URL keeps the request's query: which page failed", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const error = yield* Effect.flip(Stream.runCollect(client.alerts.list({ count: 100 })))
      expect(error._tag === "ThreatStackAPIError" && [error.status, error.url]).toEqual([
        500,
        "https://app.threatstack.com/api/v1/alerts?page=1&count=100"
      ])
      expect(error.message).toContain("/alerts?page=1&count=100")
    }).pipe(
      Effect.provide(
        testLayer({
          counts: { alerts: 250 },
          faults: [{ path: "alerts", page: 1, fault: { _tag: "Status", status: 500 } }]
        })
      )
    )
  )

  it.effect("the User-Agent names the SDK and the version of the package", () => {
    const http = scripted()
    const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      readonly version: string
    }
    return Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      yield* Stream.runCollect(client.policies.list())
      expect(http.seen[0]?.headers["user-agent"]).toBe(`effect-threatstack/${version}`)
    }).pipe(Effect.provide(v1Over(http.layer)))
  })
})
