/**
 * The facade: one service whose fields are the resources, so the Python v1
 * guide's `client.alerts.list(…)` reads the same in Effect, and the
 * all-in-one layers a user provides once at the edge.
 *
 * @since 0.1.0
 */
import type { HttpClient } from "@effect/platform"
import { Context, Effect, Layer } from "effect"
import type { Config } from "effect"
import type * as ThreatStackError from "./ThreatStackError.js"
import * as Agents from "./Agents.js"
import * as Alerts from "./Alerts.js"
import * as Logs from "./Logs.js"
import * as Organizations from "./Organizations.js"
import * as Policies from "./Policies.js"
import * as ThreatStackClient from "./ThreatStackClient.js"
import * as ThreatStackConfig from "./ThreatStackConfig.js"
import type { InvalidArgument } from "./ThreatStackError.js"

/**
 * The client: `client.agents`, `client.alerts`, `client.logs`,
 * `client.organizations`, `client.policies`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStack } from "@effect-threatstack/core"
 *
 * const policiesOf = (client: ThreatStack.Service) => client.policies.list()
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly agents: Agents.Service
  readonly alerts: Alerts.Service
  readonly logs: Logs.Service
  readonly organizations: Organizations.Service
  readonly policies: Policies.Service
}

/**
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { ThreatStack } from "@effect-threatstack/core"
 *
 * const program = Effect.gen(function* () {
 *   const client = yield* ThreatStack.ThreatStack
 *   yield* client.agents.list().pipe(Stream.runForEach((agent) => Effect.log(agent.id)))
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class ThreatStack extends Context.Tag(
  // Stryker disable next-line StringLiteral: the key only has to be unique among services
  "@effect-threatstack/core/ThreatStack"
)<ThreatStack, Service>() {}

/**
 * Everything the layers below provide: the facade, each resource service on
 * its own, and the client pipeline.
 *
 * @example
 * ```ts
 * import type { Layer } from "effect"
 * import type { ThreatStack, ThreatStackError } from "@effect-threatstack/core"
 *
 * declare const Live: Layer.Layer<ThreatStack.Services, ThreatStackError.InvalidArgument>
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Services =
  | ThreatStack
  | Agents.Agents
  | Alerts.Alerts
  | Logs.Logs
  | Organizations.Organizations
  | Policies.Policies
  | ThreatStackClient.ThreatStackClient

/**
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Agents, Alerts, Logs, Organizations, Policies, ThreatStack } from "@effect-threatstack/core"
 *
 * const Facade = Layer.effect(ThreatStack.ThreatStack, ThreatStack.make)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<
  Service,
  never,
  Agents.Agents | Alerts.Alerts | Logs.Logs | Organizations.Organizations | Policies.Policies
> = Effect.all({
  agents: Agents.Agents,
  alerts: Alerts.Alerts,
  logs: Logs.Logs,
  organizations: Organizations.Organizations,
  policies: Policies.Policies
})

/**
 * Every service, given the settings and an `HttpClient`.
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 * import { ThreatStack, ThreatStackConfig } from "@effect-threatstack/core"
 *
 * const Live = ThreatStack.layerWithoutConfig.pipe(
 *   Layer.provide(ThreatStackConfig.layer({ apiKey: "k" })),
 *   Layer.provide(FetchHttpClient.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutConfig: Layer.Layer<
  Services,
  never,
  HttpClient.HttpClient | ThreatStackConfig.ThreatStackConfig
> = Layer.effect(ThreatStack, make).pipe(
  Layer.provideMerge(Layer.mergeAll(Agents.layer, Alerts.layer, Logs.layer, Organizations.layer, Policies.layer)),
  Layer.provideMerge(ThreatStackClient.layer)
)

/**
 * Every service from explicit settings, the mirror of the Python client's
 * `ThreatStack(api_key=…, org_id=…, api_version=1, timeout=120)`. Needs an
 * `HttpClient` (`NodeThreatStack.layer` and `FetchThreatStack.layer` bring
 * one; any other, such as `FetchHttpClient.layer`, works too).
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer, Redacted } from "effect"
 * import { ThreatStack } from "@effect-threatstack/core"
 *
 * const Live = ThreatStack.layer({
 *   apiKey: Redacted.make("<API_KEY>"),
 *   orgId: "<ORG_ID>",
 *   apiVersion: 1,
 *   timeout: "120 seconds"
 * }).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: ThreatStackConfig.Options
): Layer.Layer<Services, InvalidArgument, HttpClient.HttpClient> =>
  layerWithoutConfig.pipe(Layer.provide(ThreatStackConfig.layer(options)))

/**
 * Every service with settings from `Config`: `THREATSTACK_API_KEY`,
 * `THREATSTACK_ORG_ID`, `THREATSTACK_API_VERSION`, `THREATSTACK_TIMEOUT`,
 * `THREATSTACK_BASE_URL` (see `ThreatStackConfig.fromEnv`).
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 * import { ThreatStack } from "@effect-threatstack/core"
 *
 * const Live = ThreatStack.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<ThreatStackConfig.Settings> = ThreatStackConfig.fromEnv
): Layer.Layer<Services, ThreatStackError.ConfigurationError, HttpClient.HttpClient> =>
  layerWithoutConfig.pipe(Layer.provide(ThreatStackConfig.layerConfig(config)))
