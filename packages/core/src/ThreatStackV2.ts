/**
 * The v2 facade: one service whose fields are the v2 resources, over a
 * Hawk-signed client, and the layers a user provides once at the edge.
 *
 * v2 is the API generation Threat Stack serves today
 * (`https://api.threatstack.com/v2`). One key serves every organization its
 * user belongs to: `withOrganization(orgId)` gives the same service acting
 * on another one, with its own rate gate (the API's limit is per
 * organization).
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect, Layer, Redacted, Stream } from "effect"
 * import { ThreatStackV2 } from "@effect-threatstack/core"
 *
 * const Live = ThreatStackV2.layer({
 *   apiKey: Redacted.make("<API_KEY>"),
 *   userId: "<USER_ID>",
 *   orgId: "<ORG_ID>"
 * }).pipe(Layer.provide(FetchHttpClient.layer))
 *
 * const program = Effect.gen(function* () {
 *   const ts = yield* ThreatStackV2.ThreatStackV2
 *   const high = yield* ts.alerts.list({ severity: 1 }).pipe(Stream.take(10), Stream.runCollect)
 *   yield* Effect.log(`${high.length} high-severity alerts`)
 * }).pipe(Effect.provide(Live))
 * ```
 *
 * @since 0.2.0
 */
import { HttpClient } from "@effect/platform"
import { type Config, Context, Effect, Either, Layer } from "effect"
import * as HawkCrypto from "./HawkCrypto.js"
import * as V2Client from "./internal/V2Client.js"
import { configurationError } from "./internal/Settings.js"
import type { ConfigurationError, InvalidArgument } from "./ThreatStackError.js"
import * as Agents from "./v2/Agents.js"
import * as Alerts from "./v2/Alerts.js"
import * as AuditLogs from "./v2/AuditLogs.js"
import * as Client from "./v2/Client.js"
import * as Members from "./v2/Members.js"
import * as Rules from "./v2/Rules.js"
import * as Rulesets from "./v2/Rulesets.js"
import * as Servers from "./v2/Servers.js"
import * as Vulnerabilities from "./v2/Vulnerabilities.js"

/**
 * What {@link layer} takes (see `V2.Client.Options`).
 *
 * @since 0.2.0
 * @category models
 */
export type Options = Client.Options

/**
 * Validated v2 settings (see `V2.Client.Settings`).
 *
 * @since 0.2.0
 * @category models
 */
export type Settings = Client.Settings

/**
 * The v2 client of one organization: every resource, the raw client for
 * endpoints the SDK has no method for, and `withOrganization`.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import type { ThreatStackV2 } from "@effect-threatstack/core"
 *
 * // the same listing in each organization the key's user belongs to
 * const everywhere = (ts: ThreatStackV2.Service, orgIds: ReadonlyArray<string>) =>
 *   Effect.forEach(orgIds, (orgId) =>
 *     Stream.runCount(ts.withOrganization(orgId).agents.list({ status: "offline" }))
 *   )
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Service {
  readonly settings: Settings
  /** The organization this service acts on. */
  readonly orgId: string
  /** The Hawk-signed client: `execute` reaches any v2 endpoint. */
  readonly client: Client.Client
  readonly agents: Agents.Service
  readonly alerts: Alerts.Service
  readonly vulnerabilities: Vulnerabilities.Service
  readonly servers: Servers.Service
  readonly rulesets: Rulesets.Service
  readonly rules: Rules.Service
  readonly members: Members.Service
  readonly auditLogs: AuditLogs.Service
  /**
   * The same service acting on another organization of the key's user (Hawk's
   * `ext`), with its own rate gate. An invalid id fails every call with
   * `InvalidArgument`.
   */
  readonly withOrganization: (orgId: string) => Service
}

/**
 * The v2 service.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStackV2 } from "@effect-threatstack/core"
 *
 * const counts = Effect.flatMap(ThreatStackV2.ThreatStackV2, (ts) => ts.alerts.severityCounts())
 * ```
 *
 * @since 0.2.0
 * @category tags
 */
export class ThreatStackV2 extends Context.Tag(
  // Stryker disable next-line StringLiteral: the key only has to be unique among services
  "@effect-threatstack/core/ThreatStackV2"
)<ThreatStackV2, Service>() {}

/**
 * Builds the service from settings over an `HttpClient`, signing with
 * `crypto` (WebCrypto unless given; the layers take the `HawkCrypto` in
 * context).
 *
 * @example
 * ```ts
 * import { FetchHttpClient, HttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 * import { ThreatStackV2, V2 } from "@effect-threatstack/core"
 *
 * const service = Effect.gen(function* () {
 *   const settings = yield* V2.Client.make({ apiKey: "<API_KEY>", userId: "<USER_ID>", orgId: "<ORG_ID>" })
 *   return ThreatStackV2.make(yield* HttpClient.HttpClient, settings)
 * }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (
  http: HttpClient.HttpClient,
  settings: Settings,
  crypto: HawkCrypto.Implementation = HawkCrypto.webCrypto
): Service => {
  const organizations = new Map<string, Service>()
  const forOrganization = (orgId: string): Service => {
    const known = organizations.get(orgId)
    if (known !== undefined) return known
    const checked = Client.checkOrgId(orgId)
    const client = Either.isRight(checked)
      ? V2Client.makeClient(http, settings, checked.right, crypto)
      : V2Client.failingClient(settings, orgId, checked.left)
    const service: Service = {
      settings,
      orgId,
      client,
      agents: Agents.make(client),
      alerts: Alerts.make(client),
      vulnerabilities: Vulnerabilities.make(client),
      servers: Servers.make(client),
      rulesets: Rulesets.make(client),
      rules: Rules.make(client),
      members: Members.make(client),
      auditLogs: AuditLogs.make(client),
      withOrganization: forOrganization
    }
    organizations.set(orgId, service)
    return service
  }
  return forOrganization(settings.orgId)
}

const fromSettings = <E>(settings: Effect.Effect<Settings, E>): Layer.Layer<ThreatStackV2, E, HttpClient.HttpClient> =>
  Layer.effect(
    ThreatStackV2,
    Effect.gen(function* () {
      return make(yield* HttpClient.HttpClient, yield* settings, yield* HawkCrypto.HawkCrypto)
    })
  )

/**
 * The v2 service from explicit settings. Needs an `HttpClient`
 * (`NodeThreatStack.layerV2` and `FetchThreatStack.layerV2` bring one; any
 * other, such as `FetchHttpClient.layer`, works too).
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer, Redacted } from "effect"
 * import { ThreatStackV2 } from "@effect-threatstack/core"
 *
 * const Live = ThreatStackV2.layer({
 *   apiKey: Redacted.make("<API_KEY>"),
 *   userId: "<USER_ID>",
 *   orgId: "<ORG_ID>",
 *   timeout: "30 seconds",
 *   rateLimit: { limit: 200, interval: "1 minute" }
 * }).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<ThreatStackV2, InvalidArgument, HttpClient.HttpClient> =>
  fromSettings(Client.make(options))

/**
 * The v2 service with settings from `Config`: `THREATSTACK_API_KEY`,
 * `THREATSTACK_USER_ID`, `THREATSTACK_ORG_ID`, `THREATSTACK_V2_BASE_URL` and
 * the shared `THREATSTACK_*` settings (see `V2.Client.fromEnv`).
 *
 * @example
 * ```ts
 * import { FetchHttpClient } from "@effect/platform"
 * import { Layer } from "effect"
 * import { ThreatStackV2 } from "@effect-threatstack/core"
 *
 * const Live = ThreatStackV2.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Settings> = Client.fromEnv
): Layer.Layer<ThreatStackV2, ConfigurationError, HttpClient.HttpClient> =>
  fromSettings(Effect.mapError(config, configurationError))
