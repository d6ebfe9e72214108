/**
 * The SDK's settings: the mirror of the Python client's
 * `ThreatStack(api_key=…, org_id=…, api_version=1, timeout=120)`, plus the
 * base URL and the retry policy. Build them explicitly with {@link layer} or
 * from the environment with {@link layerConfig}.
 *
 * @since 0.1.0
 */
import { Config, Context, type Duration, Effect, Either, Layer, Option } from "effect"
import * as Settings_ from "./internal/Settings.js"
import type { ConfigurationError, InvalidArgument } from "./ThreatStackError.js"

/**
 * The v1 base URL of the live service.
 *
 * @example
 * ```ts
 * import { ThreatStackConfig } from "@effect-threatstack/core"
 *
 * ThreatStackConfig.defaultBaseUrl // "https://app.threatstack.com/api/v1"
 * ```
 *
 * @since 0.1.0
 */
export const defaultBaseUrl = "https://app.threatstack.com/api/v1"

/**
 * The default per-attempt request timeout: 120 seconds, as the Python client.
 *
 * @example
 * ```ts
 * import { Duration } from "effect"
 * import { ThreatStackConfig } from "@effect-threatstack/core"
 *
 * Duration.toSeconds(ThreatStackConfig.defaultTimeout) // 120
 * ```
 *
 * @since 0.1.0
 */
export const defaultTimeout: Duration.Duration = Settings_.defaults.timeout

/**
 * What a user passes to {@link layer} (and what {@link fromEnv} reads).
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import type { ThreatStackConfig } from "@effect-threatstack/core"
 *
 * const options: ThreatStackConfig.Options = {
 *   apiKey: Redacted.make("my-api-key"),
 *   orgId: "5a1b2c",
 *   timeout: "30 seconds"
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Settings_.CommonOptions {
  /**
   * Which of the key's organizations to act on (the `Organization` header).
   * Trimmed; blank means none; a character a header cannot carry is refused.
   */
  readonly orgId?: string | undefined
  /** The API generation: 1. For v2 use `ThreatStackV2.layer`. Default 1. */
  readonly apiVersion?: number | undefined
  /**
   * The full versioned base URL: absolute `http(s)://`, no query, fragment or
   * credentials; spaces around it and trailing slashes are trimmed. Default
   * `https://app.threatstack.com/api/v1`.
   */
  readonly baseUrl?: string | undefined
}

/**
 * Validated settings, as the client pipeline reads them.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStackConfig } from "@effect-threatstack/core"
 *
 * const timeout = Effect.map(ThreatStackConfig.ThreatStackConfig, (settings: ThreatStackConfig.Settings) => settings.timeout)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Settings extends Settings_.CommonSettings {
  readonly orgId: Option.Option<string>
  readonly apiVersion: 1
}

/**
 * The settings as a service.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStackConfig } from "@effect-threatstack/core"
 *
 * Effect.gen(function* () {
 *   const settings = yield* ThreatStackConfig.ThreatStackConfig
 *   yield* Effect.log(settings.baseUrl)
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class ThreatStackConfig extends Context.Tag("@effect-threatstack/core/ThreatStackConfig")<
  ThreatStackConfig,
  Settings
>() {}

const checkApiVersion = (version: unknown): Settings_.Check<1> =>
  version === 1
    ? Either.right(1)
    : version === 2
      ? Either.left("this is the v1 client; for API v2 use ThreatStackV2.layer (or NodeThreatStack.layerV2)")
      : Either.left(`unknown API version ${String(version)}; supported: 1 (ThreatStack) and 2 (ThreatStackV2)`)

/**
 * One rule for the org id from options and from the environment: trimmed,
 * blank means none, and only characters a header can carry (no line break,
 * space, control or non-ASCII character) are accepted.
 */
const checkOrgId = (orgId: unknown): Settings_.Check<Option.Option<string>> =>
  orgId === undefined
    ? Either.right(Option.none())
    : Either.map(Settings_.checkHeaderValue(orgId, "the organization id"), Option.fromNullable)

const validate = (options: Options): Either.Either<Settings, InvalidArgument> =>
  Either.gen(function* () {
    const common = yield* Settings_.validate(options, defaultBaseUrl)
    return {
      ...common,
      orgId: yield* Settings_.field("orgId", checkOrgId(options.orgId)),
      apiVersion: yield* Settings_.field("apiVersion", checkApiVersion(options.apiVersion ?? 1))
    }
  })

/**
 * Validates options into settings, filling in the defaults.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ThreatStackConfig } from "@effect-threatstack/core"
 *
 * const settings = Effect.runSync(ThreatStackConfig.make({ apiKey: "my-api-key" }))
 * // settings.timeout is 120 seconds
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Settings, InvalidArgument> => validate(options)

/**
 * The settings read from the environment (or any `ConfigProvider`):
 *
 * | variable | default |
 * |---|---|
 * | `THREATSTACK_API_KEY` | required |
 * | `THREATSTACK_ORG_ID` | none |
 * | `THREATSTACK_API_VERSION` | 1 |
 * | `THREATSTACK_TIMEOUT` | 120 (seconds, or `30 seconds`) |
 * | `THREATSTACK_BASE_URL` | `https://app.threatstack.com/api/v1` |
 * | `THREATSTACK_MAX_RETRIES` | 3 |
 * | `THREATSTACK_RETRY_BASE_DELAY` | `500 millis` |
 * | `THREATSTACK_MAX_RETRY_WAIT` | 30 (seconds) |
 * | `THREATSTACK_RATE_LIMIT` | none (e.g. `200/1 minute`) |
 * | `THREATSTACK_ALLOW_INSECURE_HTTP` | false |
 * | `THREATSTACK_MAX_RESPONSE_BYTES` | 67108864 (64 MiB) |
 * | `THREATSTACK_TRACE_PROPAGATION` | false |
 *
 * The values go through the same validation as {@link make}'s options; a
 * missing key or a bad value is a `ConfigError` naming the variable
 * ({@link layerConfig} turns it into a `ConfigurationError` that reads well).
 *
 * @example
 * ```ts
 * import { Config, Effect } from "effect"
 * import { ThreatStackConfig } from "@effect-threatstack/core"
 *
 * // read the same settings under a prefix: MYAPP_THREATSTACK_API_KEY, …
 * const prefixed = Config.nested(ThreatStackConfig.fromEnv, "MYAPP")
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const fromEnv: Config.Config<Settings> = Settings_.fromConfig(
  Config.all({
    common: Settings_.commonFromEnv("THREATSTACK_BASE_URL"),
    orgId: Config.option(Config.string("THREATSTACK_ORG_ID")).pipe(Config.map(Option.getOrUndefined)),
    apiVersion: Config.option(Config.integer("THREATSTACK_API_VERSION")).pipe(Config.map(Option.getOrUndefined))
  }).pipe(Config.map(({ apiVersion, common, orgId }): Options => ({ ...common, orgId, apiVersion }))),
  validate,
  {
    ...Settings_.commonVariables("THREATSTACK_BASE_URL"),
    orgId: "THREATSTACK_ORG_ID",
    apiVersion: "THREATSTACK_API_VERSION"
  }
)

/**
 * The settings from explicit options.
 *
 * @example
 * ```ts
 * import { ThreatStackConfig } from "@effect-threatstack/core"
 *
 * const ConfigLive = ThreatStackConfig.layer({ apiKey: "my-api-key", timeout: "10 seconds" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<ThreatStackConfig, InvalidArgument> =>
  Layer.effect(ThreatStackConfig, make(options))

/**
 * The settings from `Config` ({@link fromEnv} unless you pass another).
 *
 * @example
 * ```ts
 * import { ThreatStackConfig } from "@effect-threatstack/core"
 *
 * const ConfigLive = ThreatStackConfig.layerConfig()
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Settings> = fromEnv
): Layer.Layer<ThreatStackConfig, ConfigurationError> =>
  Layer.effect(ThreatStackConfig, Effect.mapError(config, Settings_.configurationError))
