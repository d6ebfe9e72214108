/**
 * v2 rules, which live in rulesets: list a ruleset's rules, get, create,
 * update (a full replace), delete, and a rule's tag filters.
 *
 * @since 0.2.0
 */
import { HttpClientRequest } from "@effect/platform"
import { Effect, type Option, ParseResult, Schema, Stream } from "effect"
import * as RecordDecoder from "../internal/RecordDecoder.js"
import { Timestamp } from "../internal/Timestamp.js"
import { checkId, deleteOnce, orNone } from "../internal/V2Client.js"
import * as Resource from "../Resource.js"
import { InvalidArgument, type ThreatStackError } from "../ThreatStackError.js"
import { Tag } from "./Agents.js"
import type { Client } from "./Client.js"

/**
 * What a rule is made of, as `create` and `update` send it. `type` is one of
 * `Host`, `File`, `CloudTrail`, `ThreatIntel`, `Winsec`, `KubernetesAudit`,
 * `KubernetesConfig` (the official examples send `host` in lower case: the
 * SDK sends what you give). `alertDescription` must be 1 to 300 characters;
 * the API refuses an update without it, with reason `BadRequest` and its own
 * words in `detail`.
 *
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const sudo: V2.Rules.RuleInput = {
 *   name: "Sudo usage",
 *   title: "Sudo usage",
 *   type: "Host",
 *   severityOfAlerts: 2,
 *   alertDescription: "Someone ran sudo",
 *   aggregateFields: ["user"],
 *   filter: "command = 'sudo'",
 *   window: 3600,
 *   threshold: 1,
 *   suppressions: [],
 *   enabled: true
 * }
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const RuleInput = Schema.Struct({
  name: Schema.String,
  title: Schema.String,
  type: Schema.String,
  severityOfAlerts: Schema.Int,
  alertDescription: Schema.optional(Schema.String),
  aggregateFields: Schema.optional(Schema.Array(Schema.String)),
  filter: Schema.optional(Schema.String),
  window: Schema.optional(Schema.Int),
  threshold: Schema.optional(Schema.Int),
  suppressions: Schema.optional(Schema.Array(Schema.String)),
  enabled: Schema.optional(Schema.Boolean),
  fileIntegrityPaths: Schema.optional(Schema.Array(Schema.Struct({ path: Schema.String, recursive: Schema.Boolean }))),
  ignoreFiles: Schema.optional(Schema.Array(Schema.String)),
  eventsToMonitor: Schema.optional(Schema.Array(Schema.String))
})

/**
 * What a rule is made of, as `create` and `update` send it.
 *
 * @since 0.2.0
 * @category models
 */
export interface RuleInput extends Schema.Schema.Type<typeof RuleInput> {}

/**
 * A rule as the API answers it: the input's fields plus `id`, `rulesetId`
 * and the times.
 *
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const loud = (rules: ReadonlyArray<V2.Rules.Rule>) => rules.filter((r) => r.enabled && r.severityOfAlerts === 1)
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const Rule = Schema.Struct({
  ...RuleInput.fields,
  id: Schema.String,
  rulesetId: Schema.optional(Schema.String),
  createdAt: Schema.optional(Timestamp),
  updatedAt: Schema.optional(Timestamp)
})

/**
 * A rule as the API answers it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Rule extends Schema.Schema.Type<typeof Rule> {}

/**
 * The tag filters of a rule: which EC2 tags it applies to, and which it
 * skips. The tags must exist already.
 *
 * @since 0.2.0
 * @category schemas
 */
export const TagSet = Schema.Struct({ inclusion: Schema.Array(Tag), exclusion: Schema.Array(Tag) })

/**
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const productionOnly: V2.Rules.TagSet = {
 *   inclusion: [{ source: "ec2", key: "Environment", value: "production" }],
 *   exclusion: []
 * }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface TagSet extends Schema.Schema.Type<typeof TagSet> {}

/**
 * The v2 rules resource as data (its path is under a ruleset).
 *
 * @since 0.2.0
 * @category specs
 */
export const spec = Resource.spec({
  name: "V2.Rules",
  key: "rules",
  // Stryker disable next-line StringLiteral: data for users of the spec: no code here reads it (the rules get command names a rule with its ruleset)
  singular: "rule",
  generation: 2,
  path: "rulesets/{rulesetId}/rules",
  paging: "none",
  collection: "rules",
  schema: Rule,
  get: true,
  // Stryker disable next-line ArrayDeclaration,StringLiteral: data for users of the spec: no code here reads it
  writes: ["create", "update", "delete"]
})

/**
 * The v2 rules operations.
 *
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import { ThreatStackV2 } from "@effect-threatstack/core"
 *
 * const disable = (rulesetId: string, ruleId: string) =>
 *   Effect.gen(function* () {
 *     const ts = yield* ThreatStackV2.ThreatStackV2
 *     const rule = yield* ts.rules.get(rulesetId, ruleId)
 *     if (Option.isNone(rule)) return
 *     const { createdAt: _c, id: _i, rulesetId: _r, updatedAt: _u, ...input } = rule.value
 *     yield* ts.rules.update(rulesetId, ruleId, { ...input, enabled: false })
 *   })
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /** `GET /v2/rulesets/{rulesetId}/rules` (one request). */
  readonly list: (rulesetId: string) => Stream.Stream<Rule, ThreatStackError>
  /** `GET /v2/rulesets/{rulesetId}/rules/{ruleId}`: `None` when the API answers 404. */
  readonly get: (rulesetId: string, ruleId: string) => Effect.Effect<Option.Option<Rule>, ThreatStackError>
  /** `POST /v2/rulesets/{rulesetId}/rules`; never resent once it may have reached the server (`OutcomeUnknown`). */
  readonly create: (rulesetId: string, rule: RuleInput) => Effect.Effect<Rule, ThreatStackError>
  /** `PUT /v2/rulesets/{rulesetId}/rules/{ruleId}`: a full replace. */
  readonly update: (rulesetId: string, ruleId: string, rule: RuleInput) => Effect.Effect<Rule, ThreatStackError>
  /** `DELETE /v2/rulesets/{rulesetId}/rules/{ruleId}`; a 404 on a retry means it took effect. */
  readonly delete: (rulesetId: string, ruleId: string) => Effect.Effect<void, ThreatStackError>
  /** `GET /v2/rules/{ruleId}/tags`: `None` when the rule has no tag filters (the API answers 404). */
  readonly tags: (ruleId: string) => Effect.Effect<Option.Option<TagSet>, ThreatStackError>
  /** `POST /v2/rules/{ruleId}/tags`: sets (replaces) the filters; safe to repeat, so retried. */
  readonly setTags: (ruleId: string, tags: TagSet) => Effect.Effect<TagSet, ThreatStackError>
}

/** Refuses an input its schema does not accept, before any request, naming the argument. */
const invalid = (argument: string) => (error: ParseResult.ParseError) =>
  new InvalidArgument({ argument, detail: ParseResult.TreeFormatter.formatErrorSync(error) })

/** The rule as JSON: only the fields a rule input has (an `id` or times from a fetched rule are left out). */
const encodeRule = (rule: RuleInput) => Effect.mapError(Schema.encodeUnknown(RuleInput)(rule), invalid("rule"))

/**
 * Builds the operations over a v2 client.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStackV2, V2 } from "@effect-threatstack/core"
 *
 * const rules = Effect.map(ThreatStackV2.ThreatStackV2, (ts) => V2.Rules.make(ts.client))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (client: Client): Service => {
  const one = RecordDecoder.record(Rule, RecordDecoder.parsed)
  const many = RecordDecoder.array(Rule, RecordDecoder.parsed)
  const path = (rulesetId: string, ruleId?: string) =>
    Effect.gen(function* () {
      const set = yield* checkId("rulesetId", rulesetId)
      return ruleId === undefined
        ? `rulesets/${set}/rules`
        : `rulesets/${set}/rules/${yield* checkId("ruleId", ruleId)}`
    })
  const send = (request: HttpClientRequest.HttpClientRequest, rule: RuleInput) =>
    Effect.flatMap(encodeRule(rule), (json) => client.execute(HttpClientRequest.bodyUnsafeJson(request, json), one))
  return {
    list: (rulesetId) =>
      Stream.unwrap(Effect.map(path(rulesetId), (p) => client.list(spec.name, p, {}, "rules", many))),
    get: Effect.fn("V2.Rules.get")(function* (rulesetId: string, ruleId: string) {
      return yield* orNone(client.execute(HttpClientRequest.get(yield* path(rulesetId, ruleId)), one))
    }),
    create: Effect.fn("V2.Rules.create")(function* (rulesetId: string, rule: RuleInput) {
      return yield* send(HttpClientRequest.post(yield* path(rulesetId)), rule)
    }),
    update: Effect.fn("V2.Rules.update")(function* (rulesetId: string, ruleId: string, rule: RuleInput) {
      return yield* send(HttpClientRequest.put(yield* path(rulesetId, ruleId)), rule)
    }),
    delete: Effect.fn("V2.Rules.delete")(function* (rulesetId: string, ruleId: string) {
      return yield* deleteOnce(client.execute(HttpClientRequest.del(yield* path(rulesetId, ruleId)), Schema.Unknown))
    }),
    tags: Effect.fn("V2.Rules.tags")(function* (ruleId: string) {
      const safe = yield* checkId("ruleId", ruleId)
      return yield* orNone(client.execute(HttpClientRequest.get(`rules/${safe}/tags`), TagSet))
    }),
    setTags: Effect.fn("V2.Rules.setTags")(function* (ruleId: string, tags: TagSet) {
      const safe = yield* checkId("ruleId", ruleId)
      const json = yield* Effect.mapError(Schema.encodeUnknown(TagSet)(tags), invalid("tags"))
      return yield* client.execute(
        HttpClientRequest.post(`rules/${safe}/tags`).pipe(HttpClientRequest.bodyUnsafeJson(json)),
        TagSet,
        {
          safety: "idempotent"
        }
      )
    })
  }
}
