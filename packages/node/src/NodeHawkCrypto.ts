/**
 * `node:crypto`'s HMAC-SHA256 and SHA-256 for v2's Hawk signatures:
 * synchronous, with no trip to the thread pool as WebCrypto's take. The
 * `NodeThreatStack` v2 layers and the command line sign with it.
 *
 * @since 0.2.0
 */
import { createHash, createHmac, createSecretKey, type KeyObject } from "node:crypto"
import { HawkCrypto } from "@effect-threatstack/core"
import { type Layer, Redacted } from "effect"

/** The secret key object of each API key, made once per `Redacted` value. */
const keys = new WeakMap<Redacted.Redacted<string>, KeyObject>()

const secretKey = (key: Redacted.Redacted<string>): KeyObject => {
  let made = keys.get(key)
  if (made === undefined) {
    made = createSecretKey(Buffer.from(Redacted.value(key), "utf8"))
    keys.set(key, made)
  }
  return made
}

/**
 * The implementation over `node:crypto`.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { NodeHawkCrypto } from "@effect-threatstack/node"
 *
 * const mac = NodeHawkCrypto.implementation.hmacSha256(Redacted.make("<API_KEY>"), "hawk.1.ts\n1353832234\n")
 * ```
 *
 * @since 0.2.0
 * @category implementations
 */
export const implementation: HawkCrypto.Implementation = {
  hmacSha256: (key, message) => createHmac("sha256", secretKey(key)).update(message, "utf8").digest("base64"),
  sha256: (data) => createHash("sha256").update(data).digest("base64")
}

/**
 * Provides {@link implementation} as the `HawkCrypto` the v2 layers sign with.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 * import { ThreatStackV2 } from "@effect-threatstack/core"
 * import { NodeHawkCrypto } from "@effect-threatstack/node"
 *
 * // v2 over the platform's fetch client, signing with node:crypto
 * const Live = ThreatStackV2.layerConfig().pipe(Layer.provide(NodeHawkCrypto.layer), Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: Layer.Layer<HawkCrypto.HawkCrypto> = HawkCrypto.layer(implementation)
