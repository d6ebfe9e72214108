/**
 * v2 organization members: list, add an existing user, remove, invite by
 * e-mail.
 *
 * @since 0.2.0
 */
import { HttpClientRequest } from "@effect/platform"
import { Effect, Schema, type Stream } from "effect"
import * as RecordDecoder from "../internal/RecordDecoder.js"
import { NullableTimestamp } from "../internal/Timestamp.js"
import { checkId, deleteOnce, oneOf } from "../internal/V2Client.js"
import * as Resource from "../Resource.js"
import { InvalidArgument, type ThreatStackError } from "../ThreatStackError.js"
import type { Client } from "./Client.js"

/**
 * A member of the organization. `lastAuthenticatedAt` arrives as epoch
 * milliseconds (the official CLI and scripts) or as a string (the API docs),
 * a [conflict] between sources; both decode to `DateTime.Utc`.
 *
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const withoutMfa = (members: ReadonlyArray<V2.Members.Member>) => members.filter((m) => m.mfaEnabled === false)
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const Member = Schema.Struct({
  id: Schema.String,
  displayName: Schema.optional(Schema.NullOr(Schema.String)),
  email: Schema.String,
  lastAuthenticatedAt: Schema.optional(NullableTimestamp),
  role: Schema.String,
  ssoEnabled: Schema.optional(Schema.Boolean),
  mfaEnabled: Schema.optional(Schema.Boolean),
  userEnabled: Schema.optional(Schema.Boolean)
})

/**
 * A member of the organization.
 *
 * @since 0.2.0
 * @category models
 */
export interface Member extends Schema.Schema.Type<typeof Member> {}

/**
 * The answer to an invitation.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Invitation = Schema.Struct({ sentToEmail: Schema.String, role: Schema.String, status: Schema.String })

/**
 * The answer to an invitation: where it went, the role, its status.
 *
 * @since 0.2.0
 * @category models
 */
export interface Invitation extends Schema.Schema.Type<typeof Invitation> {}

/**
 * A member's role. Owners may grant `owner`; users may grant `user` and
 * `reader`.
 *
 * @since 0.2.0
 * @category models
 */
export type Role = "owner" | "user" | "reader"

/**
 * The v2 members resource as data.
 *
 * @since 0.2.0
 * @category specs
 */
export const spec = Resource.spec({
  name: "V2.Members",
  key: "members",
  // Stryker disable next-line StringLiteral: data for users of the spec: no code here reads it (no get command prints it)
  singular: "member",
  generation: 2,
  path: "organizations/members",
  paging: "none",
  collection: "members",
  schema: Member,
  get: false,
  // Stryker disable next-line ArrayDeclaration,StringLiteral: data for users of the spec: no code here reads it
  writes: ["create", "delete"]
})

/**
 * The v2 members operations.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStackV2 } from "@effect-threatstack/core"
 *
 * const onboard = (email: string) =>
 *   Effect.flatMap(ThreatStackV2.ThreatStackV2, (ts) => ts.members.invite({ email, role: "reader" }))
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /** `GET /v2/organizations/members` (a `{ members }` envelope or a bare array is accepted). */
  readonly list: (options?: { readonly enabledOnly?: boolean | undefined }) => Stream.Stream<Member, ThreatStackError>
  /** `POST /v2/organizations/members`: adds an existing user; never resent once it may have arrived. */
  readonly add: (member: { readonly id: string; readonly role: Role }) => Effect.Effect<Member, ThreatStackError>
  /** `DELETE /v2/organizations/members/{userId}` (204); a 404 on a retry means it took effect. */
  readonly remove: (userId: string) => Effect.Effect<void, ThreatStackError>
  /**
   * Invites by e-mail. Sent as `POST /v2/organizations/invites` (the
   * official F5 scripts; the Go CLI uses PUT [conflict]); never resent once
   * it may have arrived.
   */
  readonly invite: (invite: {
    readonly email: string
    readonly role: Role
  }) => Effect.Effect<Invitation, ThreatStackError>
}

const ROLES: ReadonlyArray<Role> = ["owner", "user", "reader"]

/**
 * Builds the operations over a v2 client.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStackV2, V2 } from "@effect-threatstack/core"
 *
 * const members = Effect.map(ThreatStackV2.ThreatStackV2, (ts) => V2.Members.make(ts.client))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (client: Client): Service => {
  const one = RecordDecoder.record(Member, RecordDecoder.parsed)
  const many = RecordDecoder.array(Member, RecordDecoder.parsed)
  const post = <A, I>(path: string, body: object, schema: Schema.Schema<A, I> | RecordDecoder.Decoder<A>) =>
    client.execute(HttpClientRequest.post(path).pipe(HttpClientRequest.bodyUnsafeJson(body)), schema)
  return {
    list: (options = {}) => client.list(spec.name, spec.path, { enabledOnly: options.enabledOnly }, "members", many),
    add: Effect.fn("V2.Members.add")(function* (member) {
      yield* checkId("id", member?.id)
      yield* oneOf("role", member.role, ROLES, true)
      return yield* post("organizations/members", { id: member.id, role: member.role }, one)
    }),
    remove: Effect.fn("V2.Members.remove")(function* (userId: string) {
      const safe = yield* checkId("userId", userId)
      return yield* deleteOnce(client.execute(HttpClientRequest.del(`organizations/members/${safe}`), Schema.Unknown))
    }),
    invite: Effect.fn("V2.Members.invite")(function* (invite) {
      if (typeof invite?.email !== "string" || !/^[^\s@]+@[^\s@]+$/.test(invite.email)) {
        return yield* new InvalidArgument({
          argument: "email",
          detail: `expected an e-mail address, got ${JSON.stringify(invite?.email)}`
        })
      }
      yield* oneOf("role", invite.role, ROLES, true)
      return yield* post("organizations/invites", { email: invite.email, role: invite.role }, Invitation)
    })
  }
}
