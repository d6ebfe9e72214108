/**
 * The SDK's layers with Node's HTTP client (undici) built in, so a Node user
 * writes one `Effect.provide`.
 *
 * @since 0.1.0
 */
import { HttpClient } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as Undici from "@effect/platform-node/Undici"
import type { Config } from "effect"
import { Effect, Layer } from "effect"
import {
  ThreatStack,
  type ThreatStackConfig,
  type ThreatStackError,
  ThreatStackV2,
  TransportDeadline
} from "@effect-threatstack/core"
import { DeadlineDispatcher } from "./internal/DeadlineDispatcher.js"
import * as UndiciClient from "./internal/UndiciClient.js"
import * as NodeHawkCrypto from "./NodeHawkCrypto.js"

/**
 * The platform's undici `HttpClient` over `dispatcher`, with a variant the
 * SDK sends its own requests through (see `TransportDeadline`): it ends each
 * request itself at the SDK's timeout (a timer per request in the
 * dispatcher), so the SDK runs no fiber per attempt to time it out, and it
 * reads each body once, as a promise, without the platform's per-request
 * bookkeeping for responses nobody reads (an unread body ends at the
 * timeout). Use it to bring a dispatcher of your own (a proxy, TLS or pool
 * options); the dispatcher stays yours to close.
 *
 * @example
 * ```ts
 * import { HttpClient } from "@effect/platform"
 * import * as Undici from "@effect/platform-node/Undici"
 * import { Effect, Layer } from "effect"
 * import { ThreatStack } from "@effect-threatstack/core"
 * import { NodeThreatStack } from "@effect-threatstack/node"
 *
 * const ProxiedHttp = Layer.scoped(
 *   HttpClient.HttpClient,
 *   Effect.acquireRelease(
 *     Effect.sync(() => new Undici.ProxyAgent("http://proxy.internal:3128")),
 *     (agent) => Effect.promise(() => agent.close())
 *   ).pipe(Effect.map(NodeThreatStack.makeHttpClient))
 * )
 * const Live = ThreatStack.layerConfig().pipe(Layer.provide(ProxiedHttp))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeHttpClient = (dispatcher: Undici.Dispatcher): HttpClient.HttpClient =>
  TransportDeadline.attach(NodeHttpClient.makeUndici(dispatcher), (millis) =>
    UndiciClient.make(new DeadlineDispatcher(dispatcher, millis))
  )

/**
 * Node's HTTP client for the SDK: {@link makeHttpClient} over an undici
 * `Agent` of its own, closed with the layer. The layers below bring it.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { ThreatStack } from "@effect-threatstack/core"
 * import { NodeThreatStack } from "@effect-threatstack/node"
 *
 * // what NodeThreatStack.layerConfig() is
 * const Live = ThreatStack.layerConfig().pipe(Layer.provide(NodeThreatStack.layerHttpClient))
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerHttpClient: Layer.Layer<HttpClient.HttpClient> = Layer.scoped(
  HttpClient.HttpClient,
  Effect.map(NodeHttpClient.makeDispatcher, makeHttpClient)
)

/**
 * Every Threat Stack service from explicit settings, over undici.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { ThreatStack } from "@effect-threatstack/core"
 * import { NodeThreatStack } from "@effect-threatstack/node"
 *
 * const program = Effect.gen(function* () {
 *   const client = yield* ThreatStack.ThreatStack
 *   yield* client.alerts.list().pipe(Stream.runForEach((a) => Effect.log(a.title)))
 * }).pipe(Effect.provide(NodeThreatStack.layer({ apiKey: process.env.KEY ?? "" })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: ThreatStackConfig.Options
): Layer.Layer<ThreatStack.Services, ThreatStackError.InvalidArgument> =>
  ThreatStack.layer(options).pipe(Layer.provide(layerHttpClient))

/**
 * Every Threat Stack service with settings from `Config` (the
 * `THREATSTACK_*` environment variables by default), over undici.
 *
 * @example
 * ```ts
 * import { NodeRuntime } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { ThreatStack } from "@effect-threatstack/core"
 * import { NodeThreatStack } from "@effect-threatstack/node"
 *
 * Effect.gen(function* () {
 *   const client = yield* ThreatStack.ThreatStack
 *   // …
 * }).pipe(Effect.provide(NodeThreatStack.layerConfig()), NodeRuntime.runMain)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config?: Config.Config<ThreatStackConfig.Settings>
): Layer.Layer<ThreatStack.Services, ThreatStackError.ConfigurationError> =>
  ThreatStack.layerConfig(config).pipe(Layer.provide(layerHttpClient))

/**
 * The v2 service from explicit settings, over undici, signing with
 * `node:crypto` (`NodeHawkCrypto`).
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { ThreatStackV2 } from "@effect-threatstack/core"
 * import { NodeThreatStack } from "@effect-threatstack/node"
 *
 * const program = Effect.gen(function* () {
 *   const ts = yield* ThreatStackV2.ThreatStackV2
 *   return yield* ts.alerts.severityCounts()
 * }).pipe(
 *   Effect.provide(
 *     NodeThreatStack.layerV2({
 *       apiKey: Redacted.make(process.env.THREATSTACK_API_KEY ?? ""),
 *       userId: process.env.THREATSTACK_USER_ID ?? "",
 *       orgId: process.env.THREATSTACK_ORG_ID ?? ""
 *     })
 *   )
 * )
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerV2 = (
  options: ThreatStackV2.Options
): Layer.Layer<ThreatStackV2.ThreatStackV2, ThreatStackError.InvalidArgument> =>
  ThreatStackV2.layer(options).pipe(Layer.provide(NodeHawkCrypto.layer), Layer.provide(layerHttpClient))

/**
 * The v2 service with settings from `Config` (`THREATSTACK_API_KEY`,
 * `THREATSTACK_USER_ID`, `THREATSTACK_ORG_ID`, `THREATSTACK_V2_BASE_URL`, …),
 * over undici, signing with `node:crypto`.
 *
 * @example
 * ```ts
 * import { NodeRuntime } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { ThreatStackV2 } from "@effect-threatstack/core"
 * import { NodeThreatStack } from "@effect-threatstack/node"
 *
 * Effect.gen(function* () {
 *   const ts = yield* ThreatStackV2.ThreatStackV2
 *   yield* Effect.log(yield* ts.alerts.severityCounts())
 * }).pipe(Effect.provide(NodeThreatStack.layerV2Config()), NodeRuntime.runMain)
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerV2Config = (
  config?: Config.Config<ThreatStackV2.Settings>
): Layer.Layer<ThreatStackV2.ThreatStackV2, ThreatStackError.ConfigurationError> =>
  ThreatStackV2.layerConfig(config).pipe(Layer.provide(NodeHawkCrypto.layer), Layer.provide(layerHttpClient))
