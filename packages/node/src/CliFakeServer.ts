/**
 * The `threatstack fake-server` command: the fake API from `FakeServer` on a
 * real port, for programs in any language to test against, with the
 * in-memory fake's fault scripting and rate limit as flags.
 *
 * @since 0.2.0
 */
import { Command, Options } from "@effect/cli"
import { FakeThreatStack } from "@effect-threatstack/core"
import type { ThreatStackError } from "@effect-threatstack/core"
import { Duration, Effect, Either, Option } from "effect"
import { usage } from "./CliCommon.js"
import * as CliOutput from "./CliOutput.js"
import * as FakeServer from "./FakeServer.js"

/** A count flag: what it counts, its default and its least value. */
const count = (name: keyof FakeThreatStack.Counts, what: string, min = 0) => ({
  min,
  option: Options.integer(name).pipe(
    Options.withPseudoName("N"),
    Options.withDefault(FakeThreatStack.defaultCounts[name]),
    Options.withDescription(`${what} (default ${FakeThreatStack.defaultCounts[name]}, at least ${min})`)
  )
})

const counts = {
  organizations: count("organizations", "organizations the API key belongs to", 1),
  agents: count("agents", "agents per organization"),
  alerts: count("alerts", "alerts per organization"),
  logs: count("logs", "log events per organization"),
  policies: count("policies", "policies per organization"),
  users: count("users", "users (v2 members) per organization, the key holder included")
}

type CountName = keyof typeof counts

/** The flags' values as counts, or the first one below its least value. */
const checkCounts = (given: Readonly<Record<CountName, number>>) =>
  Effect.forEach(Object.entries(counts), ([name, { min }]) => {
    const value = given[name as CountName]
    return value >= min
      ? Effect.succeed([name, value] as const)
      : Effect.fail(usage(`invalid --${name} ${value}: expected a whole number ≥ ${min}`))
  }).pipe(Effect.map((entries): Partial<FakeThreatStack.Counts> => Object.fromEntries(entries)))

/** A text flag parsed by the fake's own parser; its error names the flag and the expected form. */
const parsed = <A>(flag: string, result: Either.Either<A, ThreatStackError.InvalidArgument>) =>
  Either.match(result, {
    onLeft: (error) => Effect.fail(usage(`invalid --${flag} ${error.detail}`)),
    onRight: Effect.succeed
  })

const duration = (flag: string, text: string) =>
  Option.match(Duration.decodeUnknown(text), {
    onNone: () => Effect.fail(usage(`invalid --${flag} ${JSON.stringify(text)}: expected e.g. '30 days'`)),
    onSome: Effect.succeed
  })

/**
 * `threatstack fake-server`: serves the fake Threat Stack API (v1 and v2) on a
 * real port until stopped, and prints how to point a client at it.
 * `--fault` (repeatable) and `--rate-limit` take the forms of
 * `FakeThreatStack.parseFault` and `FakeThreatStack.parseRateLimit`. A bad
 * flag, or a port or host it cannot listen on, is one line and exit 2.
 *
 * @since 0.2.0
 */
export const command = Command.make(
  "fake-server",
  {
    port: Options.integer("port").pipe(
      Options.withPseudoName("PORT"),
      Options.withDefault(0),
      Options.withDescription("port to listen on, 0 to 65535 (default 0: any free port)")
    ),
    host: Options.text("host").pipe(
      Options.withPseudoName("HOST"),
      Options.withDefault("127.0.0.1"),
      Options.withDescription("address to listen on (default 127.0.0.1: this machine only)")
    ),
    seed: Options.integer("seed").pipe(
      Options.withPseudoName("N"),
      Options.withDefault(1),
      Options.withDescription("seed of the generated data: the same seed gives the same records (default 1)")
    ),
    span: Options.text("span").pipe(
      Options.withPseudoName("DURATION"),
      Options.withDefault("30 days"),
      Options.withDescription("how far back alerts and logs go (default '30 days')")
    ),
    apiKey: Options.text("api-key").pipe(
      Options.withPseudoName("KEY"),
      Options.withDefault(FakeThreatStack.defaultApiKey),
      Options.withDescription(
        `the key the fake accepts, v1 and v2 (default ${FakeThreatStack.defaultApiKey}, a well-known test key)`
      )
    ),
    latency: Options.text("latency").pipe(
      Options.withPseudoName("DURATION"),
      Options.optional,
      Options.withDescription("added to every answer, e.g. '20 millis'")
    ),
    faults: Options.text("fault").pipe(
      Options.withPseudoName("SPEC"),
      Options.repeated,
      Options.withDescription(
        "a scripted fault, e.g. 'status=503,path=/api/v1/alerts,times=2': one of status=CODE[,body=TEXT] " +
          "latency=DURATION rate-limit[,retry-after=S][,reset-ms=MS] html=CODE empty=CODE wrong-type=FIELD hang " +
          "truncate drop, matched by path=alerts|/api/v1/alerts|/v2/alerts* method=M page=N generation=1|2 nth=N times=N"
      )
    ),
    rateLimit: Options.text("rate-limit").pipe(
      Options.withPseudoName("N/INTERVAL"),
      Options.optional,
      Options.withDescription("requests per organization per interval, then 429, e.g. '200/minute' (default none)")
    ),
    organizations: counts.organizations.option,
    agents: counts.agents.option,
    alerts: counts.alerts.option,
    logs: counts.logs.option,
    policies: counts.policies.option,
    users: counts.users.option
  },
  (o) =>
    Effect.gen(function* () {
      const span = yield* duration("span", o.span)
      const latency = Option.isSome(o.latency) ? yield* duration("latency", o.latency.value) : undefined
      const faults = yield* Effect.forEach(o.faults, (text) => parsed("fault", FakeThreatStack.parseFault(text)))
      const rateLimit = Option.isSome(o.rateLimit)
        ? yield* parsed("rate-limit", FakeThreatStack.parseRateLimit(o.rateLimit.value))
        : undefined
      const server = yield* FakeServer.make({
        port: o.port,
        host: o.host,
        seed: o.seed,
        span,
        apiKey: o.apiKey,
        counts: yield* checkCounts(o),
        rateLimit,
        faults: [...(latency === undefined ? [] : [{ fault: { _tag: "Latency", delay: latency } } as const]), ...faults]
      }).pipe(Effect.mapError((error) => usage(`invalid --${error.argument}: ${error.detail}`)))
      const v2 = server.v2Credentials
      yield* CliOutput.write(
        [
          `Fake Threat Stack API listening at ${server.baseUrl} (v1) and ${server.v2BaseUrl} (v2)`,
          `API key: ${o.apiKey}`,
          `v2 user id: ${v2.userId}, organization id: ${v2.orgId}`,
          ...o.faults.map((text) => `Fault: ${text}`),
          ...(Option.isSome(o.rateLimit) ? [`Rate limit: ${o.rateLimit.value} per organization`] : []),
          `Try v1: THREATSTACK_BASE_URL=${server.baseUrl} THREATSTACK_API_KEY=${o.apiKey} threatstack alerts list`,
          `Try v2: THREATSTACK_V2_BASE_URL=${server.v2BaseUrl} THREATSTACK_API_KEY=${o.apiKey} THREATSTACK_USER_ID=${v2.userId} THREATSTACK_ORG_ID=${v2.orgId} threatstack alerts list`,
          ""
        ].join("\n")
      )
      return yield* Effect.never
    }).pipe(Effect.scoped)
).pipe(Command.withDescription("serve the fake Threat Stack API until stopped"))
