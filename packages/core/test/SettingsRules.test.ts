/**
 * The settings' rules a user relies on: the key goes in clear text only to
 * this machine (never to a host that merely starts or ends like it), the
 * retry defaults and their variables, and each bad value refused naming the
 * option (or the variable it came from).
 */
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Either, Layer, Option, Redacted } from "effect"
import { ThreatStackConfig } from "@effect-threatstack/core"

const KEY = "tsk_test_4b1d9e2c7a5f8306"

const fromMap = (entries: Record<string, string>) =>
  Effect.either(
    ThreatStackConfig.ThreatStackConfig.pipe(
      Effect.provide(
        ThreatStackConfig.layerConfig().pipe(
          Layer.provide(
            Layer.setConfigProvider(
              ConfigProvider.fromMap(new Map(Object.entries({ THREATSTACK_API_KEY: KEY, ...entries })))
            )
          )
        )
      )
    )
  )

/** The option a refused `make` names, and its message. */
const refused = (options: Partial<ThreatStackConfig.Options>) =>
  Effect.map(Effect.flip(ThreatStackConfig.make({ apiKey: KEY, ...options })), (error) => ({
    argument: error.argument,
    message: error.message
  }))

const millis = (duration: Duration.Duration) => Duration.toMillis(duration)

describe("the key in clear text goes to this machine only", () => {
  it.effect.each([
    "localhost.evil.example",
    "127.0.0.1.nip.io",
    "evil-localhost",
    "notlocalhost:8080",
    "localhost-evil.example",
    "10.127.0.0.1.example"
  ])("http://%s is refused", (host) =>
    Effect.gen(function* () {
      const error = yield* refused({ baseUrl: `http://${host}/api/v1` })
      expect(error.argument).toBe("baseUrl")
      expect(error.message).toContain("refusing to send the API key in clear text")
    })
  )

  it.effect("loopback names and addresses are accepted over http, the whole 127/8 block included", () =>
    Effect.gen(function* () {
      for (const host of [
        "localhost",
        "LOCALHOST:3000",
        "127.0.0.1",
        "127.10.200.3:8080",
        "127.255.255.254",
        "[::1]"
      ]) {
        const settings = yield* ThreatStackConfig.make({ apiKey: KEY, baseUrl: `http://${host}/api/v1` })
        expect(settings.baseUrl.toLowerCase()).toBe(`http://${host.toLowerCase()}/api/v1`)
        expect(settings.allowInsecureHttp).toBe(false)
      }
      // https needs no exception, to any host
      expect(
        (yield* ThreatStackConfig.make({ apiKey: KEY, baseUrl: "https://localhost.evil.example/v1" })).baseUrl
      ).toBe("https://localhost.evil.example/v1")
    })
  )
})

describe("retry defaults and their variables", () => {
  it.effect("by default: 3 retries from 500 ms, no wait over 30 s, no budget, no trace propagation", () =>
    Effect.gen(function* () {
      const settings = yield* ThreatStackConfig.make({ apiKey: KEY })
      expect(settings.maxRetries).toBe(3)
      expect(millis(settings.retryBaseDelay)).toBe(500)
      expect(millis(settings.maxRetryWait)).toBe(30_000)
      expect(Option.isNone(settings.retrySchedule)).toBe(true)
      expect(Option.isNone(settings.rateLimit)).toBe(true)
      expect(Option.isNone(settings.transformClient)).toBe(true)
      expect(settings.tracePropagation).toBe(false)
      expect(settings.allowInsecureHttp).toBe(false)
      const env = Either.getOrThrow(yield* fromMap({}))
      expect([env.maxRetries, millis(env.retryBaseDelay), millis(env.maxRetryWait)]).toEqual([3, 500, 30_000])
    })
  )

  it.effect("THREATSTACK_MAX_RETRIES, THREATSTACK_RETRY_BASE_DELAY and THREATSTACK_MAX_RETRY_WAIT are read", () =>
    Effect.gen(function* () {
      const settings = Either.getOrThrow(
        yield* fromMap({
          THREATSTACK_MAX_RETRIES: "5",
          THREATSTACK_RETRY_BASE_DELAY: "2",
          THREATSTACK_MAX_RETRY_WAIT: "10 seconds",
          THREATSTACK_MAX_RESPONSE_BYTES: " 1024 ",
          THREATSTACK_TRACE_PROPAGATION: "true"
        })
      )
      expect([settings.maxRetries, millis(settings.retryBaseDelay), millis(settings.maxRetryWait)]).toEqual([
        5, 2_000, 10_000
      ])
      expect(settings.maxResponseBytes).toBe(1024)
      expect(settings.tracePropagation).toBe(true)
      const fractions = Either.getOrThrow(
        yield* fromMap({
          THREATSTACK_RETRY_BASE_DELAY: "0.25",
          THREATSTACK_MAX_RETRY_WAIT: "1.5",
          THREATSTACK_MAX_RETRIES: "0"
        })
      )
      expect([fractions.maxRetries, millis(fractions.retryBaseDelay), millis(fractions.maxRetryWait)]).toEqual([
        0, 250, 1_500
      ])
    })
  )

  it.effect.each([
    ["THREATSTACK_MAX_RETRIES", "-1"],
    ["THREATSTACK_MAX_RETRIES", "1.5"],
    ["THREATSTACK_MAX_RETRIES", "three"],
    ["THREATSTACK_RETRY_BASE_DELAY", "soon"],
    ["THREATSTACK_RETRY_BASE_DELAY", "0"],
    ["THREATSTACK_MAX_RETRY_WAIT", "-5"],
    ["THREATSTACK_MAX_RESPONSE_BYTES", "1e6"],
    ["THREATSTACK_RATE_LIMIT", "200/0 seconds"],
    ["THREATSTACK_RATE_LIMIT", "0/1 minute"]
  ] as const)("%s=%s is refused naming the variable", ([name, value]) =>
    Effect.gen(function* () {
      const result = yield* fromMap({ [name]: value })
      expect(Either.isLeft(result) && String(result.left)).toContain(name)
    })
  )
})

describe("each bad value is refused naming its option", () => {
  it.effect("maxRetries must be a whole number ≥ 0; 0 turns retries off", () =>
    Effect.gen(function* () {
      for (const maxRetries of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        const error = yield* refused({ maxRetries })
        expect(error.argument).toBe("maxRetries")
        expect(error.message).toContain("expected a whole number ≥ 0")
      }
      expect((yield* ThreatStackConfig.make({ apiKey: KEY, maxRetries: 0 })).maxRetries).toBe(0)
    })
  )

  it.effect("the base URL must be absolute http(s)", () =>
    Effect.gen(function* () {
      for (const baseUrl of [
        "file:///etc/passwd",
        "//app.threatstack.com/api/v1",
        "app.threatstack.com/api/v1",
        "ws://x/v1",
        // a doubled letter: "https://" is inside it, but it is no http(s) URL
        "hhttps://app.threatstack.com/api/v1"
      ]) {
        const error = yield* refused({ baseUrl })
        expect(error.argument).toBe("baseUrl")
        expect(error.message).toContain("expected an absolute http(s) URL")
      }
      expect((yield* ThreatStackConfig.make({ apiKey: KEY, baseUrl: "HTTPS://example.com/v1//" })).baseUrl).toBe(
        "HTTPS://example.com/v1"
      )
    })
  )

  it.effect(
    "durations must be finite and above zero: timeout, retryBaseDelay, maxRetryWait, the budget's interval",
    () =>
      Effect.gen(function* () {
        for (const key of ["timeout", "retryBaseDelay", "maxRetryWait"] as const) {
          const infinite = yield* refused({ [key]: Duration.infinity })
          expect(infinite).toEqual({
            argument: key,
            message: `invalid ${key}: expected a finite duration above zero, got Infinity`
          })
          expect((yield* refused({ [key]: "0 millis" })).argument).toBe(key)
          expect((yield* refused({ [key]: "whenever" })).message).toContain("expected a duration such as 30 seconds")
        }
        const interval = yield* refused({ rateLimit: { limit: 10, interval: Duration.infinity } })
        expect(interval.argument).toBe("rateLimit")
        expect(interval.message).toContain("expected a finite duration above zero")
      })
  )

  it.effect("a budget of 1 request is accepted; 0, 1.5 or a shape that is not { limit, interval } are not", () =>
    Effect.gen(function* () {
      const one = yield* ThreatStackConfig.make({ apiKey: KEY, rateLimit: { limit: 1, interval: "1 second" } })
      expect(Option.map(one.rateLimit, (budget) => [budget.limit, millis(budget.interval)])).toEqual(
        Option.some([1, 1_000])
      )
      for (const limit of [0, 1.5, -3]) {
        const error = yield* refused({ rateLimit: { limit, interval: "1 second" } })
        expect(error).toEqual({
          argument: "rateLimit",
          message: `invalid rateLimit: expected a whole number of requests ≥ 1, got ${limit}`
        })
      }
      const shapeless = yield* refused({
        rateLimit: "200/1 minute" as unknown as ThreatStackConfig.Options["rateLimit"]
      })
      expect(shapeless.message).toContain("expected { limit, interval }")
      for (const rateLimit of [{ limit: 5 }, { interval: "1 second" }]) {
        const partial = yield* refused({ rateLimit: rateLimit as unknown as ThreatStackConfig.Options["rateLimit"] })
        expect(partial.message).toContain("expected { limit, interval }")
      }
    })
  )

  it.effect("an organization id is trimmed from the environment too; blank means none", () =>
    Effect.gen(function* () {
      const trimmed = Either.getOrThrow(yield* fromMap({ THREATSTACK_ORG_ID: "  org9\t" }))
      expect(trimmed.orgId).toEqual(Option.some("org9"))
      const blank = Either.getOrThrow(yield* fromMap({ THREATSTACK_ORG_ID: "   " }))
      expect(blank.orgId).toEqual(Option.none())
      const inner = yield* fromMap({ THREATSTACK_ORG_ID: "org 9" })
      expect(Either.isLeft(inner) && String(inner.left)).toContain("THREATSTACK_ORG_ID")
    })
  )
})

describe("the API key as given", () => {
  it.effect(
    "a key read from a file with its line break, or pasted with spaces, is trimmed; as a string or Redacted",
    () =>
      Effect.gen(function* () {
        for (const apiKey of [`${KEY}\n`, `  ${KEY} `, Redacted.make(`${KEY}\r\n`)]) {
          const settings = yield* ThreatStackConfig.make({ apiKey })
          expect(Redacted.value(settings.apiKey)).toBe(KEY)
        }
      })
  )

  it.effect("a key given as a plain string is redacted in the settings", () =>
    Effect.gen(function* () {
      const settings = yield* ThreatStackConfig.make({ apiKey: KEY })
      expect(Redacted.isRedacted(settings.apiKey)).toBe(true)
      expect(String(settings.apiKey)).not.toContain(KEY)
      expect(JSON.stringify(settings)).not.toContain(KEY)
    })
  )
})

describe("a base URL with a terminal's control characters pasted into it is refused", () => {
  it.effect.each([
    ["a bracketed-paste end marker (ESC [201~)", "https://example.com/api/v1\u001b[201~"],
    ["a backspace sent as DEL", "https://example.com/api/v1x\u007f"],
    ["a NUL", "https://example.com/api\u0000/v1"]
  ])("%s", ([, baseUrl]) =>
    Effect.gen(function* () {
      const error = yield* refused({ baseUrl })
      expect(error).toEqual({
        argument: "baseUrl",
        message: "invalid baseUrl: the URL holds a space or a control character"
      })
    })
  )
})

describe("a base URL that is not one", () => {
  it.effect("a URL object instead of its text is refused, saying what is expected", () =>
    Effect.gen(function* () {
      const error = yield* refused({ baseUrl: new URL("https://example.com/api/v1") as unknown as string })
      expect(error.argument).toBe("baseUrl")
      expect(error.message).toBe(
        "invalid baseUrl: expected an absolute URL such as https://app.threatstack.com/api/v1, got https://example.com/api/v1"
      )
    })
  )

  it.effect("a host left out (https://$HOST:8443/… with HOST unset) is refused, showing the URL", () =>
    Effect.gen(function* () {
      const error = yield* refused({ baseUrl: "https://:8443/api/v1" })
      expect(error.message).toBe(
        'invalid baseUrl: expected an absolute URL such as https://app.threatstack.com/api/v1, got "https://:8443/api/v1"'
      )
    })
  )

  it.effect("a user name alone before @ (the key put in the URL) is refused as credentials, without the key", () =>
    Effect.gen(function* () {
      const error = yield* refused({ baseUrl: `https://${KEY}@app.threatstack.com/api/v1` })
      expect(error.argument).toBe("baseUrl")
      expect(error.message).toContain("the URL holds credentials")
      expect(error.message).not.toContain(KEY)
    })
  )
})
