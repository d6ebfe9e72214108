/**
 * v2 agents: `GET /v2/agents` (token pages of up to 100; `status` is
 * required by the API) and `GET /v2/agents/{id}`.
 *
 * @since 0.2.0
 */
import { HttpClientRequest } from "@effect/platform"
import { Effect, type Option, Schema, Stream } from "effect"
import * as RecordDecoder from "../internal/RecordDecoder.js"
import { NullableTimestamp, Timestamp } from "../internal/Timestamp.js"
import * as Resource from "../Resource.js"
import type { ThreatStackError } from "../ThreatStackError.js"
import type * as TimeRange from "../TimeRange.js"
import { checkId, oneOf, orNone, timeQuery } from "../internal/V2Client.js"
import type { Client } from "./Client.js"

/**
 * A tag as v2 records carry them (`source` is e.g. `ec2`).
 *
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const environment = (tags: ReadonlyArray<V2.Agents.Tag>) => tags.find((t) => t.key === "Environment")?.value
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const Tag = Schema.Struct({ source: Schema.String, key: Schema.String, value: Schema.String })

/**
 * A tag as v2 records carry it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Tag extends Schema.Schema.Type<typeof Tag> {}

/**
 * An agent as v2 sends it: camelCase, ISO timestamps decoded to
 * `DateTime.Utc`, unknown fields kept. `name`, `tags` and the health fields
 * are missing on some agents, so they are optional.
 *
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const label = (agent: V2.Agents.Agent) => `${agent.hostname} (${agent.status}, ${agent.agentType ?? "?"})`
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const Agent = Schema.Struct({
  id: Schema.String,
  instanceId: Schema.optional(Schema.NullOr(Schema.String)),
  status: Schema.String,
  createdAt: Timestamp,
  lastReportedAt: Schema.optional(NullableTimestamp),
  version: Schema.optional(Schema.NullOr(Schema.String)),
  name: Schema.optional(Schema.NullOr(Schema.String)),
  description: Schema.optional(Schema.NullOr(Schema.String)),
  hostname: Schema.String,
  ipAddresses: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Array(Schema.String) })),
  tags: Schema.optional(Schema.Array(Tag)),
  agentType: Schema.optional(Schema.String),
  osVersion: Schema.optional(Schema.NullOr(Schema.String)),
  kernel: Schema.optional(Schema.NullOr(Schema.String))
})

/**
 * A v2 agent.
 *
 * @since 0.2.0
 * @category models
 */
export interface Agent extends Schema.Schema.Type<typeof Agent> {}

/**
 * The v2 agents resource as data.
 *
 * @example
 * ```ts
 * import { V2 } from "@effect-threatstack/core"
 *
 * V2.Agents.spec.collection // "agents": the key of a list page's array
 * ```
 *
 * @since 0.2.0
 * @category specs
 */
export const spec = Resource.spec({
  name: "V2.Agents",
  // Stryker disable next-line StringLiteral: data for users of the spec: no code here reads it (the command line's agents and alerts commands take v1's spec)
  key: "agents",
  // Stryker disable next-line StringLiteral: data for users of the spec: no code here reads it (the command line's agents and alerts commands take v1's spec)
  singular: "agent",
  generation: 2,
  path: "agents",
  paging: "token",
  collection: "agents",
  schema: Agent,
  get: true
})

/**
 * Filters of `agents.list`: `status` is required by the API; `from`/`until`
 * bound the agents' creation time.
 *
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const options: V2.Agents.ListOptions = { status: "online", type: "investigate", hostname: "web-001" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface ListOptions {
  readonly status: "online" | "offline"
  readonly type?: "monitor" | "investigate" | undefined
  readonly hostname?: string | undefined
  readonly from?: TimeRange.TimeInput | undefined
  readonly until?: TimeRange.TimeInput | undefined
}

/**
 * The v2 agents operations.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { ThreatStackV2 } from "@effect-threatstack/core"
 *
 * const offline = Effect.flatMap(ThreatStackV2.ThreatStackV2, (ts) =>
 *   Stream.runCollect(ts.agents.list({ status: "offline" }))
 * )
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /** `GET /v2/agents`, every page. */
  readonly list: (options: ListOptions) => Stream.Stream<Agent, ThreatStackError>
  /** `GET /v2/agents/{id}`: `None` when the API answers 404. */
  readonly get: (id: string) => Effect.Effect<Option.Option<Agent>, ThreatStackError>
}

const STATUSES = ["online", "offline"]
const TYPES = ["monitor", "investigate"]

/**
 * Builds the operations over a v2 client.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStackV2, V2 } from "@effect-threatstack/core"
 *
 * const agents = Effect.map(ThreatStackV2.ThreatStackV2, (ts) => V2.Agents.make(ts.client))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (client: Client): Service => {
  const records = RecordDecoder.array(Agent, RecordDecoder.parsed)
  const one = RecordDecoder.record(Agent, RecordDecoder.parsed)
  return {
    list: (given) =>
      Stream.unwrap(
        Effect.gen(function* () {
          // JavaScript callers may leave the options out: then the required status is what is missing
          const options: ListOptions = given ?? ({} as ListOptions)
          yield* oneOf("status", options.status, STATUSES, true)
          yield* oneOf("type", options.type, TYPES)
          const time = yield* timeQuery(options)
          const query = { status: options.status, type: options.type, hostname: options.hostname, ...time }
          // which time the API's range selects agents on is not documented: the server's answer is taken as it is
          return client.list(spec.name, spec.path, query, "agents", records)
        })
      ),
    get: Effect.fn("V2.Agents.get")(function* (id: string) {
      const safe = yield* checkId("id", id)
      return yield* orNone(client.execute(HttpClientRequest.get(`agents/${safe}`), one))
    })
  }
}
