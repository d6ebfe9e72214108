/**
 * The fake's v2 through the SDK's v2 client (ThreatStackV2 over the
 * in-memory fake): the SDK signs, the fake verifies, both walk the same
 * token pages, and a dismissal made through v2 is what v1 then reads.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Option, Stream, TestClock } from "effect"
import { FakeThreatStack, ThreatStack, ThreatStackV2 } from "@effect-threatstack/core"
import { NOW, fakeOptions } from "./utils.js"

const Both = (options: FakeThreatStack.Options = {}) =>
  Layer.mergeAll(
    ThreatStackV2.layer({ ...FakeThreatStack.defaultV2Credentials, maxRetries: 0 }),
    ThreatStack.layer({ apiKey: FakeThreatStack.defaultApiKey, maxRetries: 0 })
  ).pipe(Layer.provideMerge(FakeThreatStack.layer(fakeOptions(options))))

const atNow = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.zipRight(TestClock.setTime(NOW), effect)

describe("fake v2 through the SDK's v2 client", () => {
  it.effect("lists walk token pages; an alert dismissed through v2 reads dismissed in v1", () =>
    atNow(
      Effect.gen(function* () {
        const v2 = yield* ThreatStackV2.ThreatStackV2
        const v1 = yield* ThreatStack.ThreatStack
        const online = yield* Stream.runCollect(v2.agents.list({ status: "online" }))
        const v1Agents = yield* Stream.runCollect(v1.agents.list())
        expect(online.length).toBe(Chunk.filter(v1Agents, (a) => a.online).length)
        const active = Chunk.toReadonlyArray(yield* Stream.runCollect(v2.alerts.list({ status: "active" })))
        expect(active.length).toBeGreaterThan(100)
        const target = active[150]!
        yield* v2.alerts.dismiss({ ids: [target.id], reason: "MAINTENANCE" })
        const seen = yield* v1.alerts.get(target.id)
        expect(Option.map(seen, (a) => a.dismissed)).toEqual(Option.some(true))
        const again = yield* v2.alerts.get(target.id)
        expect(Option.map(again, (a) => [a.isDismissed, a.dismissReason])).toEqual(Option.some([true, "MAINTENANCE"]))
        const fake = yield* FakeThreatStack.FakeThreatStack
        const pages = (yield* fake.requests).filter((r) => r.generation === 2 && r.path === "alerts")
        expect(pages.map((r) => r.page)).toEqual([0, 1, 2, 3])
        expect(pages.every((r) => r.hawk === true)).toBe(true)
      }).pipe(Effect.provide(Both()))
    )
  )

  it.effect("writes stick: a ruleset created, its name then taken (Conflict)", () =>
    atNow(
      Effect.gen(function* () {
        const v2 = yield* ThreatStackV2.ThreatStackV2
        const created = yield* v2.rulesets.create({ name: "From the SDK", description: "d", ruleIds: [] })
        const listed = yield* Stream.runCollect(v2.rulesets.list())
        expect(Chunk.toReadonlyArray(listed).map((r) => r.name)).toContain("From the SDK")
        const clash = yield* Effect.flip(v2.rulesets.create({ name: "From the SDK", ruleIds: [] }))
        expect(clash._tag === "ThreatStackAPIError" && clash.reason).toBe("Conflict")
        expect(Option.isSome(yield* v2.rulesets.get(created.id))).toBe(true)
      }).pipe(Effect.provide(Both()))
    )
  )
})
