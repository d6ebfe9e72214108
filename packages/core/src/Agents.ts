/**
 * Agents: the Threat Stack agents installed on an organization's servers.
 * `GET agents` (paged) and `GET agents/{id}`.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Schema } from "effect"
import * as Resource from "./Resource.js"
import { ThreatStackClient } from "./ThreatStackClient.js"
import { NullableTimestamp, Timestamp } from "./internal/Timestamp.js"

/**
 * An agent record. Fields the API adds later are kept on the decoded object.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { Agents } from "@effect-threatstack/core"
 *
 * const decode = Schema.decodeUnknownSync(Agents.Agent, { onExcessProperty: "preserve" })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Agent = Schema.Struct({
  id: Schema.String,
  agent_id: Schema.String,
  hostname: Schema.String,
  ip_address: Schema.NullOr(Schema.String),
  name: Schema.String,
  description: Schema.NullOr(Schema.String),
  version: Schema.String,
  status: Schema.String,
  online: Schema.Boolean,
  enabled: Schema.Boolean,
  pause: Schema.Boolean,
  activated_at: NullableTimestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
  last_reported_at: NullableTimestamp,
  policy_id: Schema.NullOr(Schema.String),
  organization_id: Schema.String
})

/**
 * @example
 * ```ts
 * import type { Agents } from "@effect-threatstack/core"
 *
 * const online = (agents: ReadonlyArray<Agents.Agent>) => agents.filter((a) => a.online)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Agent extends Schema.Schema.Type<typeof Agent> {}

/**
 * The agents resource as data (path, schemas, paging, operations):
 * what the service, the fake API and the command line are built from.
 *
 * @example
 * ```ts
 * import { Agents } from "@effect-threatstack/core"
 *
 * Agents.spec.path // "agents"
 * ```
 *
 * @since 0.2.0
 * @category specs
 */
export const spec = Resource.spec({
  name: "Agents",
  key: "agents",
  singular: "agent",
  generation: 1,
  path: "agents",
  paging: "pages",
  schema: Agent,
  get: true
})

/**
 * The agents operations.
 *
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import { Agents } from "@effect-threatstack/core"
 *
 * const isOnline = (id: string) =>
 *   Effect.flatMap(Agents.Agents, (agents: Agents.Service) =>
 *     Effect.map(agents.get(id), Option.exists((agent) => agent.online))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `GET agents`, every page until an empty one (or exactly `page`). */
  readonly list: Resource.List<Agent, Resource.PagedListOptions>
  /** `GET agents/{id}`: `None` when the API answers 404. */
  readonly get: Resource.Get<Agent>
  /** Many `get`s, bounded concurrency (default 8), in input order. */
  readonly getMany: Resource.GetMany<Agent>
}

/**
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Agents } from "@effect-threatstack/core"
 *
 * const onlineHosts = Effect.gen(function* () {
 *   const agents = yield* Agents.Agents
 *   return yield* agents.list().pipe(
 *     Stream.filter((agent) => agent.online),
 *     Stream.map((agent) => agent.hostname),
 *     Stream.runCollect
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Agents extends Context.Tag(
  // Stryker disable next-line StringLiteral: the key only has to be unique among services
  "@effect-threatstack/core/Agents"
)<Agents, Service>() {}

/**
 * @example
 * ```ts
 * import { Agents } from "@effect-threatstack/core"
 *
 * const agents = Agents.make // Effect<Agents.Service, never, ThreatStackClient>
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
 * import { Agents, ThreatStackClient } from "@effect-threatstack/core"
 *
 * const AgentsOnly = Agents.layer.pipe(Layer.provide(ThreatStackClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Agents, never, ThreatStackClient> = Layer.effect(Agents, make)
