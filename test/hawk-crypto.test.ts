/**
 * The hashing v2 signs with is a layer (`HawkCrypto`): WebCrypto by
 * default, `node:crypto` in the Node layers. Both answer alike, and the v2
 * client signs every request, and hashes every body, with the one in context.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, FastCheck, Layer, Redacted, Stream } from "effect"
import { FakeThreatStack, HawkCrypto, type ThreatStackError, ThreatStackV2 } from "@effect-threatstack/core"
import { NodeHawkCrypto } from "@effect-threatstack/node"

const NOW = Date.UTC(2017, 5, 1)

/** v2 over the in-memory fake (which checks every signature), signing with `crypto`. */
const v2With = (crypto: HawkCrypto.Implementation) =>
  ThreatStackV2.layer({ ...FakeThreatStack.defaultV2Credentials, maxRetries: 0 }).pipe(
    Layer.provide(HawkCrypto.layer(crypto)),
    Layer.provideMerge(FakeThreatStack.layer({ now: NOW, span: "60 days", counts: { alerts: 250 } }))
  )

const implementations = [
  ["WebCrypto", HawkCrypto.webCrypto],
  ["node:crypto", NodeHawkCrypto.implementation]
] as const

describe("HawkCrypto", () => {
  it.each(implementations)("%s gives RFC 4231's HMAC-SHA256 and FIPS 180's SHA-256", async (_, crypto) => {
    // RFC 4231 test case 2, and SHA-256("abc"), both in base64
    expect(await crypto.hmacSha256(Redacted.make("Jefe"), "what do ya want for nothing?")).toBe(
      "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
    )
    expect(await crypto.sha256(new TextEncoder().encode("abc"))).toBe("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")
  })

  it("node:crypto and WebCrypto agree on any key and message, non-ASCII included", async () => {
    await FastCheck.assert(
      FastCheck.asyncProperty(
        FastCheck.string({ minLength: 1, unit: "grapheme" }),
        FastCheck.string({ unit: "grapheme" }),
        FastCheck.uint8Array({ maxLength: 300 }),
        async (key, message, data) => {
          const secret = Redacted.make(key)
          expect(NodeHawkCrypto.implementation.hmacSha256(secret, message)).toBe(
            await HawkCrypto.webCrypto.hmacSha256(secret, message)
          )
          expect(NodeHawkCrypto.implementation.sha256(data)).toBe(await HawkCrypto.webCrypto.sha256(data))
        }
      ),
      { numRuns: 200 }
    )
  })

  it.live("the v2 client signs every request, and hashes every body, with the HawkCrypto in context", () => {
    const calls = { hmac: 0, sha256: 0 }
    const counting: HawkCrypto.Implementation = {
      hmacSha256: (key, message) => {
        calls.hmac++
        return NodeHawkCrypto.implementation.hmacSha256(key, message)
      },
      sha256: (data) => {
        calls.sha256++
        return NodeHawkCrypto.implementation.sha256(data)
      }
    }
    return Effect.gen(function* () {
      const v2 = yield* ThreatStackV2.ThreatStackV2
      const alerts = yield* Stream.runCollect(v2.alerts.list())
      expect(Chunk.size(alerts)).toBeGreaterThan(100)
      yield* v2.rulesets.create({ name: "Signed by the layer", description: "d", ruleIds: [] })
      const sent = (yield* (yield* FakeThreatStack.FakeThreatStack).requests).filter((r) => r.generation === 2)
      expect(sent.length).toBeGreaterThan(2)
      expect(sent.every((r) => r.hawk === true)).toBe(true)
      expect(calls).toEqual({ hmac: sent.length, sha256: 1 })
    }).pipe(Effect.provide(v2With(counting)))
  })

  it.live("a HawkCrypto that signs wrong is refused by the server: Unauthorized, not retried", () =>
    Effect.gen(function* () {
      const v2 = yield* ThreatStackV2.ThreatStackV2
      const error = yield* Effect.flip(Stream.runDrain(v2.alerts.list()))
      expect(error._tag).toBe("ThreatStackAPIError")
      const refused = error as ThreatStackError.ThreatStackAPIError
      expect([refused.reason, refused.status, refused.attempts]).toEqual(["Unauthorized", 401, 1])
    }).pipe(
      Effect.provide(
        v2With({
          hmacSha256: (key, message) => NodeHawkCrypto.implementation.hmacSha256(key, `${message}tampered`),
          sha256: NodeHawkCrypto.implementation.sha256
        })
      )
    )
  )
})
