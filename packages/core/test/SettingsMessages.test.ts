/**
 * What a user reads when a setting is refused: the message names the option
 * (or the variable) and the problem, and shows the value as it was given; a
 * `ConfigurationError` lists each variable once, wrong values first, also
 * when the settings come from several providers or under a prefix.
 */
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Layer } from "effect"
import { ThreatStackConfig, ThreatStackV2 } from "@effect-threatstack/core"

const KEY = "tsk_test_4b1d9e2c7a5f8306"

/** The message of the `InvalidArgument` that `make` fails with. */
const refusal = (options: unknown) =>
  Effect.map(Effect.flip(ThreatStackConfig.make(options as ThreatStackConfig.Options)), (error) => ({
    argument: error.argument,
    message: error.message
  }))

/** The `ConfigurationError` of `layerConfig` over `provider`. */
const configurationError = (
  provider: ConfigProvider.ConfigProvider,
  config: Config.Config<ThreatStackConfig.Settings> = ThreatStackConfig.fromEnv
) =>
  Effect.flip(
    ThreatStackConfig.ThreatStackConfig.pipe(
      Effect.provide(ThreatStackConfig.layerConfig(config).pipe(Layer.provide(Layer.setConfigProvider(provider))))
    )
  )

/** A provider over environment-like variables (`_` between path segments, as the real environment). */
const env = (entries: Record<string, string>) =>
  ConfigProvider.fromMap(new Map(Object.entries(entries)), { pathDelim: "_" })

describe("a refused option says what is wrong and shows the value given", () => {
  it.effect("options that are not an object, a key that is not a string", () =>
    Effect.gen(function* () {
      expect(yield* refusal(undefined)).toEqual({
        argument: "options",
        message: "invalid options: expected an options object, got undefined"
      })
      expect(yield* refusal({ apiKey: 12345 })).toEqual({
        argument: "apiKey",
        message: "invalid apiKey: expected the API key as a string or a Redacted string"
      })
    })
  )

  it.effect("a blank key reads as empty; a key with a space inside names the character, never the key", () =>
    Effect.gen(function* () {
      for (const apiKey of ["", "   ", "\n"]) {
        expect(yield* refusal({ apiKey })).toEqual({
          argument: "apiKey",
          message: "invalid apiKey: the API key is empty"
        })
      }
      const spaced = yield* refusal({ apiKey: "tsk_test 4b1d9e2c" })
      expect(spaced.message).toBe(
        "invalid apiKey: the API key holds a character a header cannot carry (a space, a line break, a control or non-ASCII)"
      )
    })
  )

  it.effect("a wrong text value is quoted, a wrong number is shown as it is", () =>
    Effect.gen(function* () {
      expect((yield* refusal({ apiKey: KEY, maxRetries: Number.NaN })).message).toBe(
        "invalid maxRetries: expected a whole number ≥ 0, got NaN"
      )
      expect((yield* refusal({ apiKey: KEY, maxRetries: "3" })).message).toBe(
        'invalid maxRetries: expected a whole number ≥ 0, got "3"'
      )
      expect((yield* refusal({ apiKey: KEY, allowInsecureHttp: "yes" })).message).toBe(
        'invalid allowInsecureHttp: expected true or false, got "yes"'
      )
      expect(yield* refusal({ apiKey: KEY, tracePropagation: "on" })).toEqual({
        argument: "tracePropagation",
        message: 'invalid tracePropagation: expected true or false, got "on"'
      })
      expect((yield* refusal({ apiKey: KEY, transformClient: "x" })).message).toBe(
        'invalid transformClient: expected a function from HttpClient to HttpClient, got "x"'
      )
      expect((yield* refusal({ apiKey: KEY, retrySchedule: 3 })).message).toBe(
        "invalid retrySchedule: expected a Schedule, got 3"
      )
    })
  )

  it.effect("an organization id that is not a text, or holds a character a header cannot carry", () =>
    Effect.gen(function* () {
      expect((yield* refusal({ apiKey: KEY, orgId: 7 })).message).toBe(
        "invalid orgId: expected the organization id as a string, got 7"
      )
      expect((yield* refusal({ apiKey: KEY, orgId: "org 9" })).message).toBe(
        "invalid orgId: the organization id holds a character a header cannot carry (a space, a line break, a control or non-ASCII)"
      )
    })
  )

  it.effect("plain http to another host says how to allow it on purpose", () =>
    Effect.gen(function* () {
      expect((yield* refusal({ apiKey: KEY, baseUrl: "http://10.0.0.5/api/v1" })).message).toBe(
        "invalid baseUrl: refusing to send the API key in clear text to 10.0.0.5: use https, or set allowInsecureHttp " +
          "(THREATSTACK_ALLOW_INSECURE_HTTP=true) if you really mean it"
      )
    })
  )

  it.effect("THREATSTACK_RATE_LIMIT that is not a budget shows the form expected; a negative one is refused", () =>
    Effect.gen(function* () {
      const lots = yield* configurationError(env({ THREATSTACK_API_KEY: KEY, THREATSTACK_RATE_LIMIT: "lots" }))
      expect(lots.message).toBe('THREATSTACK_RATE_LIMIT is invalid: expected e.g. "200/1 minute", got "lots"')
      for (const value of ["-5/1 minute", "about 200/1 minute"]) {
        const error = yield* configurationError(env({ THREATSTACK_API_KEY: KEY, THREATSTACK_RATE_LIMIT: value }))
        expect(error.problems.map((p) => p.variable)).toEqual(["THREATSTACK_RATE_LIMIT"])
      }
    })
  )

  it.effect("a duration variable shows the value as written, and a bare number may have spaces around it", () =>
    Effect.gen(function* () {
      const negative = yield* configurationError(env({ THREATSTACK_API_KEY: KEY, THREATSTACK_MAX_RETRY_WAIT: "-5" }))
      expect(negative.message).toBe(
        'THREATSTACK_MAX_RETRY_WAIT is invalid: expected a duration such as 30 seconds, got "-5"'
      )
      const settings = yield* ThreatStackConfig.ThreatStackConfig.pipe(
        Effect.provide(
          ThreatStackConfig.layerConfig().pipe(
            Layer.provide(
              Layer.setConfigProvider(
                env({ THREATSTACK_API_KEY: KEY, THREATSTACK_TIMEOUT: " 45 ", THREATSTACK_RETRY_BASE_DELAY: "2\t" })
              )
            )
          )
        )
      )
      expect([settings.timeout, settings.retryBaseDelay].map((d) => d.toJSON())).toEqual([
        { _id: "Duration", _tag: "Millis", millis: 45_000 },
        { _id: "Duration", _tag: "Millis", millis: 2_000 }
      ])
    })
  )
})

describe("a ConfigurationError lists each variable once, from every kind of provider", () => {
  it.effect("command-line settings in front of the environment, nothing set: the key is reported once", () =>
    Effect.gen(function* () {
      const flags = ConfigProvider.fromMap(new Map<string, string>())
      const error = yield* configurationError(flags.pipe(ConfigProvider.orElse(() => env({}))))
      expect(error.problems).toEqual([
        {
          variable: "THREATSTACK_API_KEY",
          missing: true,
          detail: "the Threat Stack API key (in Threat Stack: Settings, Application Keys)"
        }
      ])
      expect(error.message).toBe(
        "THREATSTACK_API_KEY is not set: the Threat Stack API key (in Threat Stack: Settings, Application Keys)"
      )
    })
  )

  it.effect(
    "prefixed variables first, the plain ones after: a wrong plain value is not reported as a missing prefixed one",
    () =>
      Effect.gen(function* () {
        const provider = env({}).pipe(
          ConfigProvider.nested("MYAPP"),
          ConfigProvider.orElse(() => env({ THREATSTACK_API_KEY: KEY, THREATSTACK_API_VERSION: "one" }))
        )
        const error = yield* configurationError(provider)
        expect(error.problems.map((p) => [p.variable, p.missing])).toEqual([["THREATSTACK_API_VERSION", false]])
      })
  )

  it.effect("under a two-level prefix, the missing key still says what it is for", () =>
    Effect.gen(function* () {
      const error = yield* configurationError(
        env({}),
        Config.nested(Config.nested(ThreatStackConfig.fromEnv, "SECURITY"), "MYAPP")
      )
      expect(error.message).toBe(
        "MYAPP_SECURITY_THREATSTACK_API_KEY is not set: the Threat Stack API key (in Threat Stack: Settings, Application Keys)"
      )
    })
  )

  it.effect("variables renamed by the provider: the missing one is named as renamed, and reported as required", () =>
    Effect.gen(function* () {
      const renamed = env({}).pipe(ConfigProvider.mapInputPath((name) => name.replace(/^THREATSTACK_/, "SECOPS_TS_")))
      const error = yield* configurationError(renamed)
      expect(error.message).toBe("SECOPS_TS_API_KEY is not set: required")
    })
  )

  it.effect("v2 without its organization id says what the id is for", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        ThreatStackV2.ThreatStackV2.pipe(
          Effect.provide(
            ThreatStackV2.layerConfig().pipe(
              Layer.provide(FetchHttpClient.layer),
              Layer.provide(Layer.setConfigProvider(env({ THREATSTACK_API_KEY: KEY, THREATSTACK_USER_ID: "u1" })))
            )
          )
        )
      )
      expect(error.message).toBe(
        "THREATSTACK_ORG_ID is not set: the Threat Stack organization id (v2 needs it on every request)"
      )
    })
  )
})
