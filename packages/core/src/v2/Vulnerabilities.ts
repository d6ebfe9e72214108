/**
 * v2 vulnerabilities (CVEs): listing, one CVE, the servers a CVE affects,
 * and the suppressions. All token-paged.
 *
 * @since 0.2.0
 */
import { HttpClientRequest } from "@effect/platform"
import { Effect, type Option, Schema, Stream } from "effect"
import * as RecordDecoder from "../internal/RecordDecoder.js"
import { checkId, orNone } from "../internal/V2Client.js"
import * as Resource from "../Resource.js"
import type { ThreatStackError } from "../ThreatStackError.js"
import type { Client } from "./Client.js"

/**
 * A CVE as v2 sends it; `severity` is lower-case text (`low`, `medium`,
 * `high`), not a number as for alerts.
 *
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const urgent = (cve: V2.Vulnerabilities.Cve) => cve.severity === "high" && !cve.isSuppressed
 * ```
 *
 * @since 0.2.0
 * @category schemas
 */
export const Cve = Schema.Struct({
  cveNumber: Schema.String,
  reportedPackage: Schema.optional(Schema.NullOr(Schema.String)),
  systemPackage: Schema.optional(Schema.NullOr(Schema.String)),
  vectorType: Schema.optional(Schema.NullOr(Schema.String)),
  severity: Schema.String,
  isSuppressed: Schema.optional(Schema.Boolean),
  securityNotices: Schema.optional(Schema.Unknown),
  agents: Schema.optional(Schema.Array(Schema.Struct({ agentId: Schema.String })))
})

/**
 * A CVE as v2 sends it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Cve extends Schema.Schema.Type<typeof Cve> {}

/**
 * A server affected by a CVE.
 *
 * @since 0.2.0
 * @category schemas
 */
export const AffectedServer = Schema.Struct({
  agentId: Schema.String,
  hostname: Schema.optional(Schema.NullOr(Schema.String))
})

/**
 * A server a CVE affects.
 *
 * @since 0.2.0
 * @category models
 */
export interface AffectedServer extends Schema.Schema.Type<typeof AffectedServer> {}

/**
 * A suppression: its shape is not pinned by any public source, so it stays
 * a plain JSON object.
 *
 * @since 0.2.0
 * @category models
 */
export type Suppression = Readonly<Record<string, unknown>>

/**
 * The v2 vulnerabilities resource as data.
 *
 * @since 0.2.0
 * @category specs
 */
export const spec = Resource.spec({
  name: "V2.Vulnerabilities",
  key: "vulnerabilities",
  singular: "vulnerability",
  generation: 2,
  path: "vulnerabilities",
  paging: "token",
  collection: "cves",
  schema: Cve,
  get: true
})

/**
 * Filters of `vulnerabilities.list`. `active: true` is sent as
 * `status=active` (the official F5 scripts); `active: false` as
 * `active=false` (the Python client's form) [conflict].
 *
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const options: V2.Vulnerabilities.ListOptions = { active: true, hasSecurityNotices: true }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface ListOptions {
  readonly active?: boolean | undefined
  readonly agentId?: string | undefined
  readonly hasSecurityNotices?: boolean | undefined
}

/**
 * The v2 vulnerabilities operations.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { ThreatStackV2 } from "@effect-threatstack/core"
 *
 * const hostsOf = (cve: string) =>
 *   Effect.flatMap(ThreatStackV2.ThreatStackV2, (ts) => Stream.runCollect(ts.vulnerabilities.servers(cve)))
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /** `GET /v2/vulnerabilities`; an agent with no CVE data (404) is an empty stream. */
  readonly list: (options?: ListOptions) => Stream.Stream<Cve, ThreatStackError>
  /** `GET /v2/vulnerabilities/{cve}`: `None` when the API answers 404. */
  readonly get: (cve: string) => Effect.Effect<Option.Option<Cve>, ThreatStackError>
  /** `GET /v2/vulnerabilities/{cve}/servers`; a 404 is an empty stream. */
  readonly servers: (cve: string) => Stream.Stream<AffectedServer, ThreatStackError>
  /** `GET /v2/vulnerabilities/suppressions`. */
  readonly suppressions: () => Stream.Stream<Suppression, ThreatStackError>
}

/**
 * Builds the operations over a v2 client.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStackV2, V2 } from "@effect-threatstack/core"
 *
 * const vulnerabilities = Effect.map(ThreatStackV2.ThreatStackV2, (ts) => V2.Vulnerabilities.make(ts.client))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (client: Client): Service => {
  const cves = RecordDecoder.array(Cve, RecordDecoder.parsed)
  const one = RecordDecoder.record(Cve, RecordDecoder.parsed)
  const servers = RecordDecoder.array(AffectedServer, RecordDecoder.parsed)
  const suppressions = RecordDecoder.fromSchema(
    Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
  )
  return {
    list: (options = {}) =>
      client.list(
        spec.name,
        spec.path,
        {
          status: options.active === true ? "active" : undefined,
          active: options.active === false ? false : undefined,
          agentId: options.agentId,
          hasSecurityNotices: options.hasSecurityNotices
        },
        "cves",
        cves,
        { emptyOn404: options.agentId !== undefined }
      ),
    get: Effect.fn("V2.Vulnerabilities.get")(function* (cve: string) {
      const safe = yield* checkId("cve", cve)
      return yield* orNone(client.execute(HttpClientRequest.get(`vulnerabilities/${safe}`), one))
    }),
    servers: (cve) =>
      Stream.unwrap(
        Effect.map(checkId("cve", cve), (safe) =>
          client.list("V2.Vulnerabilities.servers", `vulnerabilities/${safe}/servers`, {}, "servers", servers, {
            emptyOn404: true
          })
        )
      ),
    suppressions: () =>
      client.list("V2.Vulnerabilities.suppressions", "vulnerabilities/suppressions", {}, "suppressions", suppressions)
  }
}
