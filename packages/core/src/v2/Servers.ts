/**
 * v2 EC2 servers: `GET /v2/aws/ec2`, monitored or not, token-paged.
 *
 * @since 0.2.0
 */
import { Schema, type Stream } from "effect"
import * as RecordDecoder from "../internal/RecordDecoder.js"
import * as Resource from "../Resource.js"
import type { ThreatStackError } from "../ThreatStackError.js"
import type { Client } from "./Client.js"

/**
 * An EC2 instance as v2 sends it; monitored ones list their agents. Most
 * fields are the AWS API's own and may be missing.
 *
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const unprotected = (servers: ReadonlyArray<V2.Servers.Ec2Server>) => servers.filter((s) => !s.monitored)
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const Ec2Server = Schema.Struct({
  id: Schema.String,
  monitored: Schema.optional(Schema.Boolean),
  instanceType: Schema.optional(Schema.NullOr(Schema.String)),
  region: Schema.optional(Schema.NullOr(Schema.String)),
  state: Schema.optional(Schema.NullOr(Schema.String)),
  privateIpAddress: Schema.optional(Schema.NullOr(Schema.String)),
  publicIpAddress: Schema.optional(Schema.NullOr(Schema.String)),
  privateDnsName: Schema.optional(Schema.NullOr(Schema.String)),
  publicDnsName: Schema.optional(Schema.NullOr(Schema.String)),
  vpcId: Schema.optional(Schema.NullOr(Schema.String)),
  subnetId: Schema.optional(Schema.NullOr(Schema.String)),
  imageId: Schema.optional(Schema.NullOr(Schema.String)),
  launchTime: Schema.optional(Schema.Unknown),
  tags: Schema.optional(Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown }))),
  agents: Schema.optional(Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
})

/**
 * An EC2 instance as v2 sends it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Ec2Server extends Schema.Schema.Type<typeof Ec2Server> {}

/**
 * The v2 EC2 servers resource as data. The official Python client asks for
 * `aws/ec2/` with a trailing slash; the SDK sends `aws/ec2`, as the F5
 * scripts do [conflict].
 *
 * @since 0.2.0
 * @category specs
 */
export const spec = Resource.spec({
  name: "V2.Servers",
  key: "servers",
  // Stryker disable next-line StringLiteral: data for users of the spec: no code here reads it (no get command prints it)
  singular: "server",
  generation: 2,
  path: "aws/ec2",
  paging: "token",
  collection: "servers",
  schema: Ec2Server,
  get: false
})

/**
 * Filters of `servers.list`.
 *
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const options: V2.Servers.ListOptions = { monitored: false, verbose: true }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface ListOptions {
  readonly monitored?: boolean | undefined
  readonly verbose?: boolean | undefined
}

/**
 * The v2 EC2 servers operations.
 *
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /** `GET /v2/aws/ec2`, every page. */
  readonly list: (options?: ListOptions) => Stream.Stream<Ec2Server, ThreatStackError>
}

/**
 * Builds the operations over a v2 client.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStackV2, V2 } from "@effect-threatstack/core"
 *
 * const servers = Effect.map(ThreatStackV2.ThreatStackV2, (ts) => V2.Servers.make(ts.client))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (client: Client): Service => {
  const records = RecordDecoder.array(Ec2Server, RecordDecoder.parsed)
  return {
    list: (options = {}) =>
      client.list(spec.name, spec.path, { monitored: options.monitored, verbose: options.verbose }, "servers", records)
  }
}
