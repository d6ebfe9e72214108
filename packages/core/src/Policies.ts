/**
 * Policies: the rule sets applied to agents. `GET policies` (one request,
 * not paged) and `GET policies/{id}`.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Schema } from "effect"
import * as Resource from "./Resource.js"
import { ThreatStackClient } from "./ThreatStackClient.js"
import { Timestamp } from "./internal/Timestamp.js"

/**
 * One entry of a policy's `alert_policy`.
 *
 * @example
 * ```ts
 * import type { Policies } from "@effect-threatstack/core"
 *
 * const enabledTitles = (policy: Policies.Policy) =>
 *   policy.alert_policy.filter((rule) => rule.enabled).map((rule) => rule.title)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const AlertPolicyRule = Schema.Struct({
  title: Schema.String,
  description: Schema.NullOr(Schema.String),
  enabled: Schema.Boolean,
  severity: Schema.Int,
  filter: Schema.Unknown,
  exclusions: Schema.Unknown
})

/**
 * A policy record.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Policies } from "@effect-threatstack/core"
 *
 * const decode = Schema.decodeUnknownSync(Policies.Policy, { onExcessProperty: "preserve" })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Policy = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  description: Schema.NullOr(Schema.String),
  enabled: Schema.Boolean,
  read_only: Schema.Boolean,
  firewall_enabled: Schema.Boolean,
  created_at: Timestamp,
  updated_at: Timestamp,
  organization_id: Schema.String,
  alert_policy_id: Schema.NullOr(Schema.String),
  agent_count: Schema.Int,
  firewall_rule_count: Schema.Int,
  alert_rule_count: Schema.Int,
  file_integrity_rules: Schema.Array(Schema.Unknown),
  alert_policy: Schema.Array(AlertPolicyRule)
})

/**
 * @example
 * ```ts
 * import type { Policies } from "@effect-threatstack/core"
 *
 * const summary = (p: Policies.Policy) => `${p.name}: ${p.agent_count} agents, ${p.alert_rule_count} rules`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Policy extends Schema.Schema.Type<typeof Policy> {}

/**
 * The policies resource as data (path, schemas, paging, operations):
 * what the service, the fake API and the command line are built from.
 *
 * @example
 * ```ts
 * import { Policies } from "@effect-threatstack/core"
 *
 * Policies.spec.path // "policies"
 * ```
 *
 * @since 0.2.0
 * @category specs
 */
export const spec = Resource.spec({
  name: "Policies",
  key: "policies",
  singular: "policy",
  generation: 1,
  path: "policies",
  paging: "none",
  schema: Policy,
  get: true
})

/**
 * The policies operations.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Policies } from "@effect-threatstack/core"
 *
 * const names = Effect.flatMap(Policies.Policies, (policies: Policies.Service) =>
 *   Stream.runCollect(policies.list({ fields: ["name"] }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `GET policies`: one request. */
  readonly list: Resource.List<Policy, Resource.ListOptions>
  /** `GET policies/{id}`: `None` when the API answers 404. */
  readonly get: Resource.Get<Policy>
  /** Many `get`s, bounded concurrency (default 8), in input order. */
  readonly getMany: Resource.GetMany<Policy>
}

/**
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import { Policies } from "@effect-threatstack/core"
 *
 * const name = Effect.gen(function* () {
 *   const policies = yield* Policies.Policies
 *   const policy = yield* policies.get("<POLICY_ID>")
 *   return Option.map(policy, (p) => p.name)
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Policies extends Context.Tag(
  // Stryker disable next-line StringLiteral: the key only has to be unique among services
  "@effect-threatstack/core/Policies"
)<Policies, Service>() {}

/**
 * @example
 * ```ts
 * import { Policies } from "@effect-threatstack/core"
 *
 * const policies = Policies.make // Effect<Policies.Service, never, ThreatStackClient>
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, ThreatStackClient> = Effect.map(ThreatStackClient, (client) =>
  Resource.make(client, spec)
)

/**
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Policies, ThreatStackClient } from "@effect-threatstack/core"
 *
 * const PoliciesOnly = Policies.layer.pipe(Layer.provide(ThreatStackClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Policies, never, ThreatStackClient> = Layer.effect(Policies, make)
