/**
 * v2 rulesets: list (optionally the rulesets of one agent), get, create,
 * update, delete.
 *
 * The API answers a ruleset's rules as `rules` but is sent them as
 * `ruleIds` (a [conflict] within its own docs); the SDK hides the asymmetry, a
 * `Ruleset` has `ruleIds` both ways (`rules` or `ruleIds` is read, `ruleIds`
 * is sent).
 *
 * @since 0.2.0
 */
import { HttpClientRequest } from "@effect/platform"
import { Effect, Either, type Option, Schema, type Stream } from "effect"
import type { Decoder } from "../internal/RecordDecoder.js"
import * as RecordDecoder from "../internal/RecordDecoder.js"
import { Timestamp } from "../internal/Timestamp.js"
import { checkId, deleteOnce, orNone } from "../internal/V2Client.js"
import * as Resource from "../Resource.js"
import { InvalidArgument, type ThreatStackError } from "../ThreatStackError.js"
import type { Client } from "./Client.js"

/**
 * A ruleset as the API sends it: its rules' ids under `rules` (or
 * `ruleIds`).
 *
 * @since 0.2.0
 * @category schemas
 */
export const RulesetWire = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  description: Schema.optional(Schema.NullOr(Schema.String)),
  createdAt: Schema.optional(Timestamp),
  updatedAt: Schema.optional(Timestamp),
  rules: Schema.optional(Schema.Array(Schema.String)),
  ruleIds: Schema.optional(Schema.Array(Schema.String))
})

/**
 * A ruleset, with the ids of its rules as `ruleIds` (whatever the API
 * called them).
 *
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const size = (ruleset: V2.Rulesets.Ruleset) => `${ruleset.name}: ${ruleset.ruleIds.length} rules`
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Ruleset extends Omit<Schema.Schema.Type<typeof RulesetWire>, "rules" | "ruleIds"> {
  readonly ruleIds: ReadonlyArray<string>
}

/** `rules`/`ruleIds` folded into `ruleIds`; other fields, known or not, kept. */
const toRuleset = ({ ruleIds, rules, ...rest }: Schema.Schema.Type<typeof RulesetWire>): Ruleset => ({
  ...rest,
  ruleIds: rules ?? ruleIds ?? []
})

/**
 * The v2 rulesets resource as data.
 *
 * @since 0.2.0
 * @category specs
 */
export const spec = Resource.spec({
  name: "V2.Rulesets",
  key: "rulesets",
  singular: "ruleset",
  generation: 2,
  path: "rulesets",
  paging: "none",
  collection: "rulesets",
  schema: RulesetWire,
  get: true,
  // Stryker disable next-line ArrayDeclaration,StringLiteral: data for users of the spec: no code here reads it
  writes: ["create", "update", "delete"]
})

/**
 * What `create` and `update` send: a name of 1 to 200 characters, an
 * optional description, the ids of the rules it holds (update replaces the
 * whole ruleset, so send every rule id it keeps).
 *
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const input: V2.Rulesets.RulesetInput = { name: "Web servers", description: "nginx hosts", ruleIds: [] }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface RulesetInput {
  readonly name: string
  readonly description?: string | undefined
  readonly ruleIds?: ReadonlyArray<string> | undefined
}

/**
 * The v2 rulesets operations.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStackV2 } from "@effect-threatstack/core"
 *
 * const make = Effect.flatMap(ThreatStackV2.ThreatStackV2, (ts) =>
 *   ts.rulesets.create({ name: "Web servers", ruleIds: [] }).pipe(
 *     Effect.catchIf(
 *       (e) => e._tag === "ThreatStackAPIError" && e.reason === "Conflict",
 *       () => Effect.dieMessage("a ruleset of that name exists already")
 *     )
 *   )
 * )
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /** `GET /v2/rulesets` (one request); with `agentId`, the agent's rulesets, an empty stream when it has none (404). */
  readonly list: (options?: { readonly agentId?: string | undefined }) => Stream.Stream<Ruleset, ThreatStackError>
  /** `GET /v2/rulesets/{id}`: `None` when the API answers 404. */
  readonly get: (id: string) => Effect.Effect<Option.Option<Ruleset>, ThreatStackError>
  /**
   * `POST /v2/rulesets`. A name already taken fails with reason `Conflict`.
   * Never resent once it may have reached the server: a timeout, a dropped
   * connection or a 5xx ends in `OutcomeUnknown` (look before creating
   * again).
   */
  readonly create: (input: RulesetInput) => Effect.Effect<Ruleset, ThreatStackError>
  /** `PUT /v2/rulesets/{id}`: replaces name, description and rule ids. */
  readonly update: (id: string, input: RulesetInput) => Effect.Effect<Ruleset, ThreatStackError>
  /**
   * `DELETE /v2/rulesets/{id}`. A 404 on a retry, after an earlier attempt
   * may have reached the server, means the delete took effect: success.
   */
  readonly delete: (id: string) => Effect.Effect<void, ThreatStackError>
}

/** Checks a ruleset input and gives the body the API takes. */
const body = (input: RulesetInput) =>
  typeof input?.name !== "string" || input.name.length < 1 || input.name.length > 200
    ? Effect.fail(new InvalidArgument({ argument: "name", detail: "expected a ruleset name of 1 to 200 characters" }))
    : Effect.succeed({
        name: input.name,
        // Stryker disable next-line ConditionalExpression: a key given as undefined is left out of the JSON body anyway; the spread keeps the object free of it
        ...(input.description === undefined ? {} : { description: input.description }),
        ruleIds: Array.from(input.ruleIds ?? [])
      })

/**
 * Builds the operations over a v2 client.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStackV2, V2 } from "@effect-threatstack/core"
 *
 * const rulesets = Effect.map(ThreatStackV2.ThreatStackV2, (ts) => V2.Rulesets.make(ts.client))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (client: Client): Service => {
  const wire = RecordDecoder.record(RulesetWire, RecordDecoder.parsed)
  const one: Decoder<Ruleset> = (json) => Either.map(wire(json), toRuleset)
  const wires = RecordDecoder.array(RulesetWire, RecordDecoder.parsed)
  const many: Decoder<ReadonlyArray<Ruleset>> = (json) => Either.map(wires(json), (list) => list.map(toRuleset))
  return {
    list: (options = {}) =>
      client.list(spec.name, spec.path, { agentId: options.agentId }, "rulesets", many, {
        emptyOn404: options.agentId !== undefined
      }),
    get: Effect.fn("V2.Rulesets.get")(function* (id: string) {
      const safe = yield* checkId("id", id)
      return yield* orNone(client.execute(HttpClientRequest.get(`rulesets/${safe}`), one))
    }),
    create: Effect.fn("V2.Rulesets.create")(function* (input: RulesetInput) {
      const json = yield* body(input)
      return yield* client.execute(HttpClientRequest.post("rulesets").pipe(HttpClientRequest.bodyUnsafeJson(json)), one)
    }),
    update: Effect.fn("V2.Rulesets.update")(function* (id: string, input: RulesetInput) {
      const safe = yield* checkId("id", id)
      const json = yield* body(input)
      return yield* client.execute(
        HttpClientRequest.put(`rulesets/${safe}`).pipe(HttpClientRequest.bodyUnsafeJson(json)),
        one
      )
    }),
    delete: Effect.fn("V2.Rulesets.delete")(function* (id: string) {
      const safe = yield* checkId("id", id)
      return yield* deleteOnce(client.execute(HttpClientRequest.del(`rulesets/${safe}`), Schema.Unknown))
    })
  }
}
