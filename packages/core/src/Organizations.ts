/**
 * Organizations: the ones the API key belongs to, and their users.
 * `GET organizations` (one request, not paged) and
 * `GET organizations/{id}/users`; there is no `get`.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Schema } from "effect"
import * as RecordDecoder from "./internal/RecordDecoder.js"
import * as Resource from "./Resource.js"
import { ThreatStackClient } from "./ThreatStackClient.js"
import type { ThreatStackError } from "./ThreatStackError.js"
import { Timestamp } from "./internal/Timestamp.js"

/**
 * An organization and the key's role in it.
 *
 * @example
 * ```ts
 * import type { Organizations } from "@effect-threatstack/core"
 *
 * const owned = (orgs: ReadonlyArray<Organizations.Organization>) => orgs.filter((o) => o.role === "owner")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Organization = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  role: Schema.String
})

/**
 * @example
 * ```ts
 * import type { Organizations } from "@effect-threatstack/core"
 *
 * const owned = (orgs: ReadonlyArray<Organizations.Organization>) => orgs.filter((o) => o.role === "owner")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Organization extends Schema.Schema.Type<typeof Organization> {}

/**
 * A user of an organization (`role` is `"owner"` or `"user"` today).
 *
 * @example
 * ```ts
 * import type { Organizations } from "@effect-threatstack/core"
 *
 * const emails = (users: ReadonlyArray<Organizations.OrganizationUser>) => users.map((u) => u.email)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const OrganizationUser = Schema.Struct({
  id: Schema.String,
  display_name: Schema.String,
  name: Schema.Struct({ first: Schema.String, last: Schema.String }),
  email: Schema.String,
  role: Schema.String,
  organization_id: Schema.String,
  updated_at: Timestamp
})

/**
 * @example
 * ```ts
 * import type { Organizations } from "@effect-threatstack/core"
 *
 * const emails = (users: ReadonlyArray<Organizations.OrganizationUser>) => users.map((u) => u.email)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface OrganizationUser extends Schema.Schema.Type<typeof OrganizationUser> {}

/**
 * The organizations resource as data (path, schemas, paging, operations):
 * what the service, the fake API and the command line are built from.
 *
 * @example
 * ```ts
 * import { Organizations } from "@effect-threatstack/core"
 *
 * Organizations.spec.path // "organizations"
 * ```
 *
 * @since 0.2.0
 * @category specs
 */
export const spec = Resource.spec({
  name: "Organizations",
  key: "organizations",
  // Stryker disable next-line StringLiteral: data for users of the spec: no code here reads it (no get, so no 'not found' names it)
  singular: "organization",
  generation: 1,
  path: "organizations",
  paging: "none",
  schema: Organization,
  get: false
})

/**
 * The organizations operations.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Organizations } from "@effect-threatstack/core"
 *
 * const userCount = Effect.flatMap(Organizations.Organizations, (orgs: Organizations.Service) =>
 *   Effect.map(orgs.users("<ORG_ID>"), (users) => users.length)
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `GET organizations`: one request. */
  readonly list: Resource.List<Organization, Resource.ListOptions>
  /** `GET organizations/{id}/users`; an unknown organization fails with `NotFound`. */
  readonly users: (orgId: string) => Effect.Effect<ReadonlyArray<OrganizationUser>, ThreatStackError>
}

/**
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Organizations } from "@effect-threatstack/core"
 *
 * const owners = Effect.gen(function* () {
 *   const organizations = yield* Organizations.Organizations
 *   const users = yield* organizations.users("<ORG_ID>")
 *   return users.filter((user) => user.role === "owner")
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Organizations extends Context.Tag(
  // Stryker disable next-line StringLiteral: the key only has to be unique among services
  "@effect-threatstack/core/Organizations"
)<Organizations, Service>() {}

const Users = RecordDecoder.array(OrganizationUser, RecordDecoder.parsed)

/**
 * @example
 * ```ts
 * import { Organizations } from "@effect-threatstack/core"
 *
 * const organizations = Organizations.make // Effect<Organizations.Service, never, ThreatStackClient>
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, ThreatStackClient> = Effect.map(ThreatStackClient, (client) => ({
  ...Resource.make(client, spec),
  users: Effect.fn("Organizations.users")(function* (orgId: string) {
    const id = yield* Resource.checkId("orgId", orgId)
    return yield* client.get(`organizations/${id}/users`, {}, Users)
  })
}))

/**
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Organizations, ThreatStackClient } from "@effect-threatstack/core"
 *
 * const OrganizationsOnly = Organizations.layer.pipe(Layer.provide(ThreatStackClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Organizations, never, ThreatStackClient> = Layer.effect(Organizations, make)
