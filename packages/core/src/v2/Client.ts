/**
 * The v2 client: its settings (one key, one user id, an organization) and
 * the pipeline with Hawk signing, token pages and a rate gate per
 * organization. The resources of `ThreatStackV2` are built over it; its
 * `execute` reaches any v2 endpoint the SDK has no method for.
 *
 * @since 0.2.0
 */
import type { HttpClientRequest } from "@effect/platform"
import { Config, type Effect, Either, type Schema, type Stream } from "effect"
import * as Hawk from "../internal/Hawk.js"
import type * as Pipeline from "../internal/Pipeline.js"
import type { Decoder } from "../internal/RecordDecoder.js"
import * as Settings_ from "../internal/Settings.js"
import type { InvalidArgument, ThreatStackError } from "../ThreatStackError.js"

/**
 * The v2 base URL of the live service (still `api.threatstack.com` after the
 * F5 rebrand).
 *
 * @since 0.2.0
 */
export const defaultBaseUrl = "https://api.threatstack.com/v2"

/**
 * What `ThreatStackV2.layer` takes: the v1 settings (timeout, retries,
 * `retrySchedule`, `rateLimit`, `transformClient`, …) plus the user id the
 * key belongs to and the organization to act on.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const options: V2.Client.Options = {
 *   apiKey: Redacted.make("<API_KEY>"),
 *   userId: "<USER_ID>",
 *   orgId: "<ORG_ID>",
 *   timeout: "30 seconds"
 * }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Options extends Settings_.CommonOptions {
  /** The user id the key belongs to (Hawk's `id`; Settings → Application Keys in the app). */
  readonly userId: string
  /** The organization to act on (Hawk's `ext`). `withOrganization` acts on another with the same key. */
  readonly orgId: string
  /**
   * The full versioned base URL: absolute `http(s)://`, no query, fragment or
   * credentials; spaces around it and trailing slashes are trimmed. Default
   * `https://api.threatstack.com/v2`.
   */
  readonly baseUrl?: string | undefined
  /** Where each Hawk nonce comes from (tests make it deterministic). Default 6 random bytes (WebCrypto), base64url. */
  readonly nonce?: (() => string) | undefined
}

/**
 * Validated v2 settings.
 *
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const describe = (settings: V2.Client.Settings) => `${settings.userId} in ${settings.orgId} at ${settings.baseUrl}`
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Settings extends Settings_.CommonSettings {
  readonly userId: string
  readonly orgId: string
  readonly nonce: () => string
}

/** An id, user id or organization id that travels in a header or a path. */
const checkToken =
  (what: string) =>
  (value: unknown): Settings_.Check<string> =>
    typeof value !== "string" || value.trim() === ""
      ? Either.left(`expected a non-empty ${what}, got ${JSON.stringify(value)}`)
      : /^[\x21-\x7e]+$/.test(value.trim()) && !/["\\]/.test(value)
        ? Either.right(value.trim())
        : Either.left(
            `the ${what} holds a character a Hawk header cannot carry (space, quote, backslash, control or non-ASCII)`
          )

/**
 * Checks an organization id (also `withOrganization`'s): non-empty, and only
 * characters a Hawk header can carry.
 *
 * @example
 * ```ts
 * import { V2 } from "@effect-threatstack/core"
 *
 * V2.Client.checkOrgId("5d7bb7c49f4d069836a064c2") // Right("5d7bb7c49f4d069836a064c2")
 * ```
 *
 * @since 0.2.0
 */
export const checkOrgId = (orgId: unknown): Either.Either<string, InvalidArgument> =>
  Settings_.field("orgId", checkToken("organization id")(orgId))

const randomNonce = () => Hawk.makeNonce(globalThis.crypto.getRandomValues(new Uint8Array(6)))

const validate = (options: Options): Either.Either<Settings, InvalidArgument> =>
  Either.gen(function* () {
    const common = yield* Settings_.validate(options, defaultBaseUrl)
    return {
      ...common,
      userId: yield* Settings_.field("userId", checkToken("user id")(options.userId)),
      orgId: yield* checkOrgId(options.orgId),
      nonce: yield* Settings_.field(
        "nonce",
        options.nonce === undefined || typeof options.nonce === "function"
          ? Either.right(options.nonce ?? randomNonce)
          : Either.left(`expected a function returning a nonce, got ${String(options.nonce)}`)
      )
    }
  })

/**
 * Validates options into settings, filling in the defaults.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { V2 } from "@effect-threatstack/core"
 *
 * const settings = Effect.runSync(V2.Client.make({ apiKey: "<API_KEY>", userId: "<USER_ID>", orgId: "<ORG_ID>" }))
 * // settings.baseUrl is "https://api.threatstack.com/v2"
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Settings, InvalidArgument> => validate(options)

/**
 * The v2 settings from the environment, validated as {@link make}'s options:
 * `THREATSTACK_API_KEY`, `THREATSTACK_USER_ID`, `THREATSTACK_ORG_ID`,
 * `THREATSTACK_V2_BASE_URL` (so one environment holds both generations),
 * and the shared `THREATSTACK_TIMEOUT`, `THREATSTACK_MAX_RETRIES`,
 * `THREATSTACK_RETRY_BASE_DELAY`, `THREATSTACK_MAX_RETRY_WAIT`,
 * `THREATSTACK_RATE_LIMIT`, `THREATSTACK_ALLOW_INSECURE_HTTP`,
 * `THREATSTACK_MAX_RESPONSE_BYTES`, `THREATSTACK_TRACE_PROPAGATION`.
 *
 * @example
 * ```ts
 * import { Config } from "effect"
 * import { V2 } from "@effect-threatstack/core"
 *
 * const prefixed = Config.nested(V2.Client.fromEnv, "MYAPP") // MYAPP_THREATSTACK_API_KEY, …
 * ```
 *
 * @since 0.2.0
 * @category config
 */
export const fromEnv: Config.Config<Settings> = Settings_.fromConfig(
  Config.all({
    common: Settings_.commonFromEnv("THREATSTACK_V2_BASE_URL"),
    userId: Settings_.requiredText("THREATSTACK_USER_ID"),
    orgId: Settings_.requiredText("THREATSTACK_ORG_ID")
  }).pipe(Config.map(({ common, orgId, userId }): Options => ({ ...common, userId, orgId }))),
  validate,
  {
    ...Settings_.commonVariables("THREATSTACK_V2_BASE_URL"),
    userId: "THREATSTACK_USER_ID",
    orgId: "THREATSTACK_ORG_ID"
  }
)

/**
 * Query values: `undefined` is left out, booleans and numbers as text.
 *
 * @example
 * ```ts
 * import type { V2 } from "@effect-threatstack/core"
 *
 * const query: V2.Client.Query = { status: "online", hostname: "web 1", monitored: true }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type Query = Readonly<Record<string, string | number | boolean | undefined>>

/**
 * The v2 client of one organization.
 *
 * @example
 * ```ts
 * import { HttpClientRequest } from "@effect/platform"
 * import { Effect, Schema } from "effect"
 * import { ThreatStackV2 } from "@effect-threatstack/core"
 *
 * // an endpoint the SDK has no method for: the S3 export settings
 * const exports = Effect.flatMap(ThreatStackV2.ThreatStackV2, (ts) =>
 *   ts.client.execute(HttpClientRequest.get("integrations/s3export"), Schema.Array(Schema.Unknown))
 * )
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Client {
  readonly settings: Settings
  /** The organization this client acts on. */
  readonly orgId: string
  /** Send any request (URL relative to the v2 base URL) signed with Hawk; decode the JSON answer. */
  readonly execute: <A, I>(
    request: HttpClientRequest.HttpClientRequest,
    decode: Schema.Schema<A, I> | Decoder<A>,
    options?: Pipeline.ExecuteOptions
  ) => Effect.Effect<A, ThreatStackError>
  /**
   * A token-paged listing as a lazy `Stream`: `{ <collection>: [...], token }`
   * pages until the token is `null`, `""` or missing. A 404 is an empty
   * listing when `emptyOn404` (the API's answer to a filter with no data).
   * A token given twice, or more than `maxPages` pages (default
   * `Pagination.defaultMaxPages`), ends the stream with `InvalidResponse`.
   * `keep`, when given, drops the records it refuses (a time range that does
   * not fall on whole seconds, see `TimeRange.filterV2`).
   */
  readonly list: <A>(
    name: string,
    path: string,
    query: Query,
    collection: string,
    records: Decoder<ReadonlyArray<A>>,
    options?: {
      readonly emptyOn404?: boolean | undefined
      readonly maxPages?: number | undefined
      readonly keep?: ((record: A) => boolean) | undefined
    }
  ) => Stream.Stream<A, ThreatStackError>
}
