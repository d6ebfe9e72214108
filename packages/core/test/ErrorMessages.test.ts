/**
 * The one line a user reads when a call fails (a log, the CLI's error
 * line): the reason, the status when there was one, the wait a server asked
 * for, where in the body a record went wrong, the request and how many
 * attempts were made; nothing about what the failure did not have.
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Stream } from "effect"
import { type FakeThreatStack, ThreatStack, ThreatStackConfig, ThreatStackError } from "@effect-threatstack/core"
import { testLayer } from "./utils.js"

/** The message of listing policies while the fake injects `fault`. */
const policiesMessage = (fault: FakeThreatStack.Fault) =>
  Effect.gen(function* () {
    const client = yield* ThreatStack.ThreatStack
    return (yield* Effect.flip(Stream.runCollect(client.policies.list()))).message
  }).pipe(Effect.provide(testLayer({ faults: [{ path: "policies", fault }] })))

const policies = "GET https://app.threatstack.com/api/v1/policies, 1 attempt"

describe("an API error reads as one line", () => {
  it.effect("a status: the reason, the code, the server's message, the request, one attempt", () =>
    Effect.gen(function* () {
      expect(yield* policiesMessage({ _tag: "Status", status: 503 })).toBe(
        `ServerError 503: injected 503 [${policies}]`
      )
    })
  )

  it.effect("a 429 says how long the server asked to wait", () =>
    Effect.gen(function* () {
      expect(yield* policiesMessage({ _tag: "RateLimit", retryAfter: 7 })).toMatch(
        new RegExp(`^RateLimited 429 \\(retry after 7s\\): .* \\[${policies}\\]$`)
      )
    })
  )

  it.effect("a record of the wrong type says where in the body", () =>
    Effect.gen(function* () {
      expect(yield* policiesMessage({ _tag: "WrongType", field: "name" })).toMatch(
        new RegExp(`^InvalidResponse 200: .+ at \\[0\\]\\.name \\[${policies}\\]$`)
      )
    })
  )

  it.effect("a dropped connection has no status, no wait and no place in a body", () =>
    Effect.gen(function* () {
      expect(yield* policiesMessage({ _tag: "Drop" })).toMatch(new RegExp(`^Transport: [^[]+ \\[${policies}\\]$`))
    })
  )

  it.effect("an unknown organization reads as not found", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStack.ThreatStack
      const error = yield* Effect.flip(client.organizations.users("5a00ffff0000000000000000"))
      expect(error.message).toMatch(
        /^not found: .+ \[GET https:\/\/app\.threatstack\.com\/api\/v1\/organizations\/5a00ffff0000000000000000\/users, 1 attempt\]$/
      )
    }).pipe(Effect.provide(testLayer()))
  )
})

describe("which statuses are the server's own failures", () => {
  it("500 to 599 are ServerError (retried); a status outside is UnexpectedStatus", () => {
    expect([499, 500, 503, 599, 600].map(ThreatStackError.reasonForStatus)).toEqual([
      "UnexpectedStatus",
      "ServerError",
      "ServerError",
      "ServerError",
      "UnexpectedStatus"
    ])
  })
})

describe("a ConfigurationError with several problems", () => {
  it.effect("reads as one sentence per variable, wrong values first", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        ThreatStackConfig.ThreatStackConfig.pipe(
          Effect.provide(
            ThreatStackConfig.layerConfig().pipe(
              Layer.provide(
                Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["THREATSTACK_API_VERSION", "one"]])))
              )
            )
          )
        )
      )
      expect(error.message).toMatch(
        /^THREATSTACK_API_VERSION is invalid: .+; THREATSTACK_API_KEY is not set: the Threat Stack API key \(in Threat Stack: Settings, Application Keys\)$/
      )
    })
  )
})
