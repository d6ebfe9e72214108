import { describe, expect, it } from "@effect/vitest"
import { Config, ConfigProvider, Duration, Effect, Either, Layer, Option, Redacted } from "effect"
import { FakeThreatStack, ThreatStackConfig } from "@effect-threatstack/core"
import { SECRET } from "./utils.js"

const fromMap = (entries: Record<string, string>) =>
  ThreatStackConfig.ThreatStackConfig.pipe(
    Effect.provide(
      ThreatStackConfig.layerConfig().pipe(
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(entries)))))
      )
    )
  )

describe("ThreatStackConfig", () => {
  it.effect("explicit options get the Python client's defaults", () =>
    Effect.gen(function* () {
      const settings = yield* ThreatStackConfig.make({ apiKey: "test-key-1" })
      expect(settings.apiVersion).toBe(1)
      expect(Duration.toSeconds(settings.timeout)).toBe(120)
      expect(settings.baseUrl).toBe("https://app.threatstack.com/api/v1")
      expect(Option.isNone(settings.orgId)).toBe(true)
      expect(Redacted.value(settings.apiKey)).toBe("test-key-1")
    })
  )

  it.effect("explicit options are honoured", () =>
    Effect.gen(function* () {
      const settings = yield* ThreatStackConfig.make({
        apiKey: Redacted.make("test-key-1"),
        orgId: "org1",
        timeout: "30 seconds",
        baseUrl: "http://127.0.0.1:9/api/v1/"
      })
      expect(settings.orgId).toEqual(Option.some("org1"))
      expect(Duration.toSeconds(settings.timeout)).toBe(30)
      expect(settings.baseUrl).toBe("http://127.0.0.1:9/api/v1")
    })
  )

  it.effect("apiVersion 2 is refused with a message pointing at ThreatStackV2", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(ThreatStackConfig.make({ apiKey: "test-key-1", apiVersion: 2 }))
      expect(error._tag).toBe("InvalidArgument")
      expect(error.argument).toBe("apiVersion")
      expect(error.message).toMatch(/for API v2 use ThreatStackV2.layer/)
      const unknown = yield* Effect.flip(ThreatStackConfig.make({ apiKey: "test-key-1", apiVersion: 7 }))
      expect(unknown.message).toMatch(/unknown API version 7/)
    })
  )

  it.effect("a non-positive timeout or a bad URL is refused", () =>
    Effect.gen(function* () {
      expect((yield* Effect.flip(ThreatStackConfig.make({ apiKey: "test-key-1", timeout: 0 }))).argument).toBe(
        "timeout"
      )
      expect((yield* Effect.flip(ThreatStackConfig.make({ apiKey: "test-key-1", baseUrl: "nope" }))).argument).toBe(
        "baseUrl"
      )
      expect((yield* Effect.flip(ThreatStackConfig.make({ apiKey: " " }))).argument).toBe("apiKey")
    })
  )

  it.effect("reads THREATSTACK_* variables", () =>
    Effect.gen(function* () {
      const settings = yield* fromMap({
        THREATSTACK_API_KEY: "test-key-1",
        THREATSTACK_ORG_ID: "org9",
        THREATSTACK_TIMEOUT: "45",
        THREATSTACK_BASE_URL: "http://localhost:1234/api/v1"
      })
      expect(settings.orgId).toEqual(Option.some("org9"))
      expect(Duration.toSeconds(settings.timeout)).toBe(45)
      expect(settings.baseUrl).toBe("http://localhost:1234/api/v1")
      const words = yield* fromMap({ THREATSTACK_API_KEY: "test-key-1", THREATSTACK_TIMEOUT: "2 minutes" })
      expect(Duration.toSeconds(words.timeout)).toBe(120)
    })
  )

  it.effect("a missing key or a bad value is a ConfigError naming the variable", () =>
    Effect.gen(function* () {
      const missing = yield* Effect.either(fromMap({}))
      expect(Either.isLeft(missing) && String(missing.left)).toMatch(/THREATSTACK_API_KEY/)
      const badTimeout = yield* Effect.either(
        fromMap({ THREATSTACK_API_KEY: "test-key-1", THREATSTACK_TIMEOUT: "soon" })
      )
      expect(Either.isLeft(badTimeout) && String(badTimeout.left)).toMatch(/THREATSTACK_TIMEOUT/)
      const v2 = yield* Effect.either(fromMap({ THREATSTACK_API_KEY: "test-key-1", THREATSTACK_API_VERSION: "2" }))
      expect(Either.isLeft(v2) && String(v2.left)).toMatch(/THREATSTACK_API_VERSION.*for API v2 use ThreatStackV2/)
    })
  )

  it.effect("layerConfig fails with a ConfigurationError that reads as one line per problem", () =>
    Effect.gen(function* () {
      const unset = yield* Effect.flip(fromMap({}))
      expect(unset._tag).toBe("ConfigurationError")
      expect(unset.message).toBe(
        "THREATSTACK_API_KEY is not set: the Threat Stack API key (in Threat Stack: Settings, Application Keys)"
      )
      expect(unset.problems).toEqual([expect.objectContaining({ variable: "THREATSTACK_API_KEY", missing: true })])
      expect(unset.cause._op).toBe("MissingData")
      // an empty or blank key reads as an unset one
      for (const empty of ["", "   "]) {
        expect((yield* Effect.flip(fromMap({ THREATSTACK_API_KEY: empty }))).message).toBe(unset.message)
      }
      // a wrong value names the variable and what is accepted, never Effect's "(Missing data …) or (Invalid data …)"
      const retries = yield* Effect.flip(fromMap({ THREATSTACK_API_KEY: "test-key-1", THREATSTACK_MAX_RETRIES: "abc" }))
      expect(retries.message).toMatch(/^THREATSTACK_MAX_RETRIES is invalid: .*whole number/)
      expect(retries.message).not.toMatch(/Missing data|Invalid data|provided map/)
      // several problems are all listed, wrong values first, each variable once
      const two = yield* Effect.flip(fromMap({ THREATSTACK_API_VERSION: "one" }))
      expect(two.problems.map((p) => [p.variable, p.missing])).toEqual([
        ["THREATSTACK_API_VERSION", false],
        ["THREATSTACK_API_KEY", true]
      ])
    })
  )

  it.effect("a flag-style provider in front of the environment still reports the wrong value, not a missing one", () =>
    Effect.gen(function* () {
      // the shape of a command line's settings: its own map, then the environment (an Or in Effect's ConfigError)
      const provider = ConfigProvider.fromMap(new Map([["THREATSTACK_API_KEY", "test-key-1"]])).pipe(
        ConfigProvider.orElse(() => ConfigProvider.fromMap(new Map([["THREATSTACK_API_VERSION", "one"]])))
      )
      const error = yield* Effect.flip(
        ThreatStackConfig.ThreatStackConfig.pipe(
          Effect.provide(ThreatStackConfig.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(provider))))
        )
      )
      expect(error.problems).toEqual([expect.objectContaining({ variable: "THREATSTACK_API_VERSION", missing: false })])
    })
  )

  it.effect("under Config.nested the variables are named with their prefix", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        ThreatStackConfig.ThreatStackConfig.pipe(
          Effect.provide(
            ThreatStackConfig.layerConfig(Config.nested(ThreatStackConfig.fromEnv, "MYAPP")).pipe(
              Layer.provide(
                Layer.setConfigProvider(
                  ConfigProvider.fromMap(new Map([["MYAPP_THREATSTACK_API_KEY", " "]]), { pathDelim: "_" })
                )
              )
            )
          )
        )
      )
      expect(error.problems.map((p) => p.variable)).toEqual(["MYAPP_THREATSTACK_API_KEY"])
    })
  )

  it.effect("the key is redacted in the settings' printed and serialised forms", () =>
    Effect.gen(function* () {
      const settings = yield* fromMap({ THREATSTACK_API_KEY: SECRET })
      expect(String(settings.apiKey)).not.toContain(SECRET)
      expect(JSON.stringify(settings)).not.toContain(SECRET)
      expect(Redacted.value(settings.apiKey)).toBe(SECRET)
    })
  )

  it.effect("the key is never sent in clear text to a host that is not loopback", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        ThreatStackConfig.make({ apiKey: "test-key-1", baseUrl: "http://api.example.com/api/v1" })
      )
      expect(error.argument).toBe("baseUrl")
      expect(error.message).toContain("refusing to send the API key in clear text to api.example.com")
      const allowed = yield* ThreatStackConfig.make({
        apiKey: "test-key-1",
        baseUrl: "http://api.example.com/api/v1",
        allowInsecureHttp: true
      })
      expect(allowed.baseUrl).toBe("http://api.example.com/api/v1")
      for (const host of ["localhost:8080", "127.0.0.1:1", "[::1]:9"]) {
        expect(
          (yield* ThreatStackConfig.make({ apiKey: "test-key-1", baseUrl: `http://${host}/api/v1` })).baseUrl
        ).toContain(host)
      }
      const fromEnv = yield* Effect.either(
        fromMap({ THREATSTACK_API_KEY: "test-key-1", THREATSTACK_BASE_URL: "http://10.0.0.5/api/v1" })
      )
      expect(Either.isLeft(fromEnv) && String(fromEnv.left)).toMatch(
        /THREATSTACK_BASE_URL.*refusing to send the API key in clear text/
      )
      const insecure = yield* fromMap({
        THREATSTACK_API_KEY: "test-key-1",
        THREATSTACK_BASE_URL: "http://10.0.0.5/api/v1",
        THREATSTACK_ALLOW_INSECURE_HTTP: "true"
      })
      expect(insecure.allowInsecureHttp).toBe(true)
    })
  )

  it.effect("a client-side rate limit from options or THREATSTACK_RATE_LIMIT", () =>
    Effect.gen(function* () {
      const explicit = yield* ThreatStackConfig.make({
        apiKey: "test-key-1",
        rateLimit: { limit: 200, interval: "1 minute" }
      })
      expect(Option.map(explicit.rateLimit, (l) => [l.limit, Duration.toSeconds(l.interval)])).toEqual(
        Option.some([200, 60])
      )
      const slash = yield* fromMap({ THREATSTACK_API_KEY: "test-key-1", THREATSTACK_RATE_LIMIT: "50/10 seconds" })
      expect(Option.map(slash.rateLimit, (l) => [l.limit, Duration.toSeconds(l.interval)])).toEqual(
        Option.some([50, 10])
      )
      const per = yield* fromMap({ THREATSTACK_API_KEY: "test-key-1", THREATSTACK_RATE_LIMIT: "200 per minute" })
      expect(Option.map(per.rateLimit, (l) => Duration.toSeconds(l.interval))).toEqual(Option.some(60))
      expect(Option.isNone((yield* fromMap({ THREATSTACK_API_KEY: "test-key-1" })).rateLimit)).toBe(true)
      const bad = yield* Effect.either(fromMap({ THREATSTACK_API_KEY: "test-key-1", THREATSTACK_RATE_LIMIT: "lots" }))
      expect(Either.isLeft(bad) && String(bad.left)).toMatch(/THREATSTACK_RATE_LIMIT/)
      expect(
        (yield* Effect.flip(
          ThreatStackConfig.make({ apiKey: "test-key-1", rateLimit: { limit: 0, interval: "1 minute" } })
        )).argument
      ).toBe("rateLimit")
    })
  )

  it.effect("THREATSTACK_RATE_LIMIT and the fake's rateLimit read one grammar: the same texts, the same limits", () =>
    Effect.gen(function* () {
      const texts = [
        "200/minute",
        "200/1 minute",
        " 50 / 10 seconds ",
        "200 per minute",
        "3 per 2 hours",
        "200per minute",
        "200 perminute",
        "200/",
        "/minute",
        "x200/minute",
        "200/minute junk",
        "0/minute",
        "200/0 seconds",
        "2.5/minute",
        "lots"
      ]
      const read = (text: string) =>
        Effect.map(
          Effect.either(fromMap({ THREATSTACK_API_KEY: "test-key-1", THREATSTACK_RATE_LIMIT: text })),
          Either.map((settings) =>
            Option.getOrUndefined(Option.map(settings.rateLimit, (l) => [l.limit, Duration.toMillis(l.interval)]))
          )
        )
      const settings = yield* Effect.forEach(texts, (text) => Effect.map(read(text), Either.getOrUndefined))
      const fake = texts.map((text) =>
        Either.getOrUndefined(
          Either.map(FakeThreatStack.parseRateLimit(text), (l) => [l.limit, Duration.toMillis(l.interval)])
        )
      )
      expect(settings).toEqual(fake)
      // both read the valid forms, and only those
      expect(
        settings.map((limit, i) => (limit === undefined ? `${texts[i]}: refused` : `${texts[i]}: ${limit}`))
      ).toEqual([
        "200/minute: 200,60000",
        "200/1 minute: 200,60000",
        " 50 / 10 seconds : 50,10000",
        "200 per minute: 200,60000",
        "3 per 2 hours: 3,7200000",
        "200per minute: refused",
        "200 perminute: refused",
        "200/: refused",
        "/minute: refused",
        "x200/minute: refused",
        "200/minute junk: refused",
        "0/minute: refused",
        "200/0 seconds: refused",
        "2.5/minute: refused",
        "lots: refused"
      ])
    })
  )
})
