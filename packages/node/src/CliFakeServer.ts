/**
 * The `threatstack fake-server` command: the fake API from `FakeServer` on a
 * real port, for programs in any language to test against.
 *
 * @since 0.2.0
 */
import { Command, Options } from "@effect/cli"
import { FakeThreatStack } from "@effect-threatstack/core"
import { Duration, Effect, Option } from "effect"
import { CliFailure, ExitCode } from "./CliCommon.js"
import * as CliOutput from "./CliOutput.js"
import * as FakeServer from "./FakeServer.js"

const count = (name: string, fallback: number) =>
  Options.integer(name).pipe(Options.withDefault(fallback), Options.withDescription(`${name} per organization`))

/**
 * `threatstack fake-server`: serves the fake Threat Stack API (v1 and v2) on a
 * real port until stopped, and prints how to point a client at it.
 *
 * @since 0.2.0
 */
export const command = Command.make(
  "fake-server",
  {
    port: Options.integer("port").pipe(Options.withDefault(0), Options.withDescription("0: any free port")),
    host: Options.text("host").pipe(Options.withDefault("127.0.0.1")),
    seed: Options.integer("seed").pipe(Options.withDefault(1)),
    span: Options.text("span").pipe(
      Options.withDefault("30 days"),
      Options.withDescription("how far back alerts and logs go")
    ),
    apiKey: Options.text("api-key").pipe(Options.withDefault(FakeThreatStack.defaultApiKey)),
    latency: Options.text("latency").pipe(
      Options.optional,
      Options.withDescription("added to every answer, e.g. '20 millis'")
    ),
    organizations: count("organizations", 2),
    agents: count("agents", 25),
    alerts: count("alerts", 500),
    logs: count("logs", 300),
    policies: count("policies", 4),
    users: count("users", 5)
  },
  (o) =>
    Effect.gen(function* () {
      const duration = (flag: string, text: string) =>
        Option.match(Duration.decodeUnknown(text), {
          onNone: () =>
            Effect.fail(
              new CliFailure({
                message: `invalid --${flag} ${JSON.stringify(text)}: expected e.g. '30 days'`,
                code: ExitCode.usage
              })
            ),
          onSome: Effect.succeed
        })
      const span = yield* duration("span", o.span)
      const latency = Option.isSome(o.latency) ? yield* duration("latency", o.latency.value) : undefined
      const server = yield* FakeServer.make({
        port: o.port,
        host: o.host,
        seed: o.seed,
        span,
        apiKey: o.apiKey,
        counts: {
          organizations: o.organizations,
          agents: o.agents,
          alerts: o.alerts,
          logs: o.logs,
          policies: o.policies,
          users: o.users
        },
        faults: latency === undefined ? [] : [{ fault: { _tag: "Latency", delay: latency } }]
      })
      const v2 = server.v2Credentials
      yield* CliOutput.write(
        [
          `Fake Threat Stack API listening at ${server.baseUrl} (v1) and ${server.v2BaseUrl} (v2)`,
          `API key: ${o.apiKey}`,
          `v2 user id: ${v2.userId}, organization id: ${v2.orgId}`,
          `Try v1: THREATSTACK_BASE_URL=${server.baseUrl} THREATSTACK_API_KEY=${o.apiKey} threatstack alerts list`,
          `Try v2: THREATSTACK_V2_BASE_URL=${server.v2BaseUrl} THREATSTACK_API_KEY=${o.apiKey} THREATSTACK_USER_ID=${v2.userId} THREATSTACK_ORG_ID=${v2.orgId} threatstack alerts list`,
          ""
        ].join("\n")
      )
      return yield* Effect.never
    }).pipe(Effect.scoped)
).pipe(Command.withDescription("serve the fake Threat Stack API until stopped"))
