/**
 * The SDK's layers over the web-standard `fetch`, for every runtime that has
 * one (browsers, Deno, Bun, edge workers, Node), so a user writes one
 * `Effect.provide`. On Node, `NodeThreatStack` (undici) is faster still.
 *
 * @since 0.2.0
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { type Config, Effect, Layer } from "effect"
import * as FetchClient from "./internal/FetchClient.js"
import type { InvalidArgument, ConfigurationError } from "./ThreatStackError.js"
import * as ThreatStack from "./ThreatStack.js"
import type * as ThreatStackConfig from "./ThreatStackConfig.js"
import * as ThreatStackV2 from "./ThreatStackV2.js"
import * as TransportDeadline from "./TransportDeadline.js"

/**
 * The platform's `FetchHttpClient`, with a variant the SDK sends its own
 * requests through (see `TransportDeadline`): `fetch` with an
 * `AbortController` and a timer per request that aborts it at the SDK's
 * timeout, so the SDK runs no fiber per attempt to time it out, and a
 * response that reads its body once, as a promise. Both take `fetch` and
 * the `RequestInit` defaults from `FetchHttpClient.Fetch` and
 * `FetchHttpClient.RequestInit`, provided to this layer or to the request,
 * as the platform's client does.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 * import { FetchThreatStack, ThreatStack } from "@effect-threatstack/core"
 *
 * // what FetchThreatStack.layerConfig() is, with the cookies of the page sent along
 * const Live = ThreatStack.layerConfig().pipe(
 *   Layer.provide(FetchThreatStack.layerHttpClient),
 *   Layer.provide(Layer.succeed(FetchHttpClient.RequestInit, { credentials: "include" }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerHttpClient: Layer.Layer<HttpClient.HttpClient> = Layer.effect(
  HttpClient.HttpClient,
  Effect.flatMap(Effect.context<never>(), (context) =>
    Effect.map(HttpClient.HttpClient, (client) =>
      TransportDeadline.attach(client, (millis) => FetchClient.make(millis, context))
    )
  )
).pipe(Layer.provide(FetchHttpClient.layer))

/**
 * Every Threat Stack service from explicit settings, over `fetch`.
 *
 * @example
 * ```ts
 * import { Effect, Redacted, Stream } from "effect"
 * import { FetchThreatStack, ThreatStack } from "@effect-threatstack/core"
 *
 * const program = Effect.gen(function* () {
 *   const client = yield* ThreatStack.ThreatStack
 *   yield* client.alerts.list({ count: 50 }).pipe(Stream.runForEach((a) => Effect.log(a.title)))
 * }).pipe(Effect.provide(FetchThreatStack.layer({ apiKey: Redacted.make("your-api-key") })))
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: ThreatStackConfig.Options): Layer.Layer<ThreatStack.Services, InvalidArgument> =>
  ThreatStack.layer(options).pipe(Layer.provide(layerHttpClient))

/**
 * Every Threat Stack service with settings from `Config` (the
 * `THREATSTACK_*` environment variables by default), over `fetch`.
 *
 * @example
 * ```ts
 * import { Config, Effect, Option } from "effect"
 * import { FetchThreatStack, ThreatStack, ThreatStackConfig } from "@effect-threatstack/core"
 *
 * const program = Effect.flatMap(ThreatStack.ThreatStack, (client) => client.alerts.get("al_1")).pipe(
 *   Effect.map(Option.map((alert) => alert.title)),
 *   Effect.provide(FetchThreatStack.layerConfig(Config.nested(ThreatStackConfig.fromEnv, "PROD")))
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (
  config?: Config.Config<ThreatStackConfig.Settings>
): Layer.Layer<ThreatStack.Services, ConfigurationError> =>
  ThreatStack.layerConfig(config).pipe(Layer.provide(layerHttpClient))

/**
 * The v2 service from explicit settings, over `fetch`, signing with
 * WebCrypto (the default `HawkCrypto`).
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { FetchThreatStack, ThreatStackV2 } from "@effect-threatstack/core"
 *
 * const counts = Effect.flatMap(ThreatStackV2.ThreatStackV2, (ts) => ts.alerts.severityCounts()).pipe(
 *   Effect.provide(
 *     FetchThreatStack.layerV2({ apiKey: Redacted.make("your-api-key"), userId: "user-1", orgId: "org-1" })
 *   )
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerV2 = (options: ThreatStackV2.Options): Layer.Layer<ThreatStackV2.ThreatStackV2, InvalidArgument> =>
  ThreatStackV2.layer(options).pipe(Layer.provide(layerHttpClient))

/**
 * The v2 service with settings from `Config` (`THREATSTACK_API_KEY`,
 * `THREATSTACK_USER_ID`, `THREATSTACK_ORG_ID`, …), over `fetch`, signing
 * with WebCrypto.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FetchThreatStack, ThreatStackV2 } from "@effect-threatstack/core"
 *
 * const counts = Effect.flatMap(ThreatStackV2.ThreatStackV2, (ts) => ts.alerts.severityCounts()).pipe(
 *   Effect.provide(FetchThreatStack.layerV2Config())
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerV2Config = (
  config?: Config.Config<ThreatStackV2.Settings>
): Layer.Layer<ThreatStackV2.ThreatStackV2, ConfigurationError> =>
  ThreatStackV2.layerConfig(config).pipe(Layer.provide(layerHttpClient))
