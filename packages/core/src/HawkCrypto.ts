/**
 * The hashing behind v2's Hawk signatures: HMAC-SHA256 of each request's
 * normalized string, and SHA-256 of each body sent.
 *
 * By default it is WebCrypto (`globalThis.crypto.subtle`), which every
 * runtime Effect runs on has. WebCrypto is asynchronous, and on Node each
 * call is a job on the libuv thread pool: tens of microseconds for a few
 * hundred bytes, more when the process shares a core. `NodeThreatStack`'s
 * v2 layers provide `node:crypto`'s synchronous functions instead
 * (`NodeHawkCrypto`); another runtime can provide its own with {@link layer}.
 *
 * @since 0.2.0
 */
import { Context, Layer, Redacted } from "effect"
import { toBase64 } from "./internal/Base64.js"

/**
 * An implementation: both functions answer in base64 (with padding), either
 * at once or as a promise.
 *
 * @since 0.2.0
 * @category models
 */
export interface Implementation {
  /** HMAC-SHA256 of `message` (as UTF-8) under `key` (as UTF-8), in base64. */
  readonly hmacSha256: (key: Redacted.Redacted<string>, message: string) => string | PromiseLike<string>
  /** SHA-256 of `data`, in base64. */
  readonly sha256: (data: Uint8Array) => string | PromiseLike<string>
}

const encoder = new TextEncoder()

const hmacKeys = new WeakMap<Redacted.Redacted<string>, Promise<CryptoKey>>()

/** The imported HMAC key of an API key, imported once per `Redacted` value. */
const hmacKey = (key: Redacted.Redacted<string>): Promise<CryptoKey> => {
  const known = hmacKeys.get(key)
  if (known !== undefined) return known
  const imported = globalThis.crypto.subtle.importKey(
    "raw",
    encoder.encode(Redacted.value(key)),
    { name: "HMAC", hash: "SHA-256" },
    // Stryker disable next-line BooleanLiteral: not extractable, so no code can read the key back; nothing here tries
    false,
    ["sign"]
  )
  hmacKeys.set(key, imported)
  return imported
}

/**
 * The default: WebCrypto, on any runtime.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { HawkCrypto } from "@effect-threatstack/core"
 *
 * const mac = await HawkCrypto.webCrypto.hmacSha256(Redacted.make("werxhqb98rpaxn39848xrunpaw3489ruxnpa98w4rxn"), "hawk.1.ts\n1353832234\n")
 * ```
 *
 * @since 0.2.0
 * @category implementations
 */
export const webCrypto: Implementation = {
  hmacSha256: async (key, message) =>
    toBase64(new Uint8Array(await globalThis.crypto.subtle.sign("HMAC", await hmacKey(key), encoder.encode(message)))),
  sha256: async (data) =>
    // WebCrypto takes bytes over an ArrayBuffer only: bytes over a SharedArrayBuffer are copied first
    toBase64(
      new Uint8Array(
        await globalThis.crypto.subtle.digest(
          "SHA-256",
          data.buffer instanceof ArrayBuffer
            ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
            : data.slice()
        )
      )
    )
}

// Stryker disable next-line StringLiteral: the key only has to be unique among services
const tagKey = "@effect-threatstack/core/HawkCrypto"

/**
 * The implementation the v2 layers sign with; {@link webCrypto} unless a
 * layer provides another.
 *
 * @since 0.2.0
 * @category tags
 */
export class HawkCrypto extends Context.Reference<HawkCrypto>()(tagKey, {
  defaultValue: (): Implementation => webCrypto
}) {}

/**
 * Signs with `implementation`: provide it under the v2 layers.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer, Redacted } from "effect"
 * import { HawkCrypto, ThreatStackV2 } from "@effect-threatstack/core"
 *
 * // a runtime with a faster synchronous HMAC than WebCrypto's would provide it here
 * const Live = ThreatStackV2.layer({ apiKey: Redacted.make("<API_KEY>"), userId: "<USER_ID>", orgId: "<ORG_ID>" }).pipe(
 *   Layer.provide(HawkCrypto.layer(HawkCrypto.webCrypto)),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (implementation: Implementation): Layer.Layer<HawkCrypto> =>
  Layer.succeed(HawkCrypto, implementation)
