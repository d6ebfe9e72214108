/**
 * The `threatstack` command line, built with `@effect/cli` on the SDK's
 * public API only.
 *
 * ```
 * threatstack <agents|alerts|logs|organizations|policies> list [--start …] [--end …]
 *             [--page N] [--count N] [--fields a,b] [--limit N] [--format table|json|ndjson]
 * threatstack <agents|alerts|policies> get ID
 * threatstack organizations users ORG_ID
 * threatstack demo
 * threatstack fake-server [--port N] [--alerts N …]
 * ```
 *
 * Settings come from the `THREATSTACK_*` variables, overridden by
 * `--api-key`, `--org-id`, `--base-url`, `--timeout`; `--demo` points any
 * command at the embedded fake API instead.
 *
 * @since 0.1.0
 */
import { Args, Command, Options } from "@effect/cli"
import { ValidationError } from "@effect/cli"
import { ConfigProvider, Duration, Effect, Layer, Option, Redacted, Stream } from "effect"
import type { ConfigError } from "effect"
import { FakeThreatStack, ThreatStack, ThreatStackClient } from "@effect-threatstack/core"
import type { Resource, ThreatStackError } from "@effect-threatstack/core"
import * as CliOutput from "./CliOutput.js"
import * as Demo from "./Demo.js"
import * as FakeServer from "./FakeServer.js"
import * as NodeThreatStack from "./NodeThreatStack.js"

/**
 * Exit codes, one per kind of failure.
 *
 * @example
 * ```ts
 * import { Cli } from "@effect-threatstack/node"
 *
 * if (process.exitCode === Cli.ExitCode.rateLimited) console.error("try again later")
 * ```
 *
 * @since 0.1.0
 */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notFound: 3,
  auth: 4,
  rateLimited: 5,
  timeout: 6,
  api: 7
} as const

/**
 * An expected failure of a command: one line on stderr and an exit code.
 *
 * @example
 * ```ts
 * import { Cli } from "@effect-threatstack/node"
 *
 * const failure = new Cli.CliFailure("alert 42 not found", Cli.ExitCode.notFound)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class CliFailure {
  readonly _tag = "CliFailure"
  constructor(
    readonly message: string,
    readonly code: number
  ) {}
}

/** The generated data of the embedded fake: a busy week, about 30 alerts an hour. */
const demoFake: FakeThreatStack.Options = {
  counts: { alerts: 5_000, agents: 40, logs: 2_000 },
  span: "7 days"
}

// ---------------------------------------------------------------------------
// connection settings, shared by every command that calls the API

const connection = {
  apiKey: Options.redacted("api-key").pipe(
    Options.optional,
    Options.withDescription("API key (default: $THREATSTACK_API_KEY)")
  ),
  orgId: Options.text("org-id").pipe(
    Options.optional,
    Options.withDescription("organization id (default: $THREATSTACK_ORG_ID)")
  ),
  baseUrl: Options.text("base-url").pipe(
    Options.optional,
    Options.withDescription("versioned API base URL (default: $THREATSTACK_BASE_URL or the live API)")
  ),
  timeout: Options.text("timeout").pipe(
    Options.optional,
    Options.withDescription("per-request timeout, seconds or e.g. '30 seconds' (default: $THREATSTACK_TIMEOUT or 120)")
  ),
  demo: Options.boolean("demo").pipe(Options.withDescription("use the embedded fake API: no key needed"))
}

type Connection = {
  readonly apiKey: Option.Option<Redacted.Redacted<string>>
  readonly orgId: Option.Option<string>
  readonly baseUrl: Option.Option<string>
  readonly timeout: Option.Option<string>
  readonly demo: boolean
}

/** The SDK, configured from flags over the environment, or the embedded fake. */
const clientLayer = (
  conn: Connection
): Layer.Layer<ThreatStack.Services, ConfigError.ConfigError | ThreatStackError.InvalidArgument> => {
  if (conn.demo) return FakeServer.layerWithClient(demoFake)
  const given: ReadonlyArray<readonly [string, Option.Option<string>]> = [
    ["THREATSTACK_API_KEY", Option.map(conn.apiKey, Redacted.value)],
    ["THREATSTACK_ORG_ID", conn.orgId],
    ["THREATSTACK_BASE_URL", conn.baseUrl],
    ["THREATSTACK_TIMEOUT", conn.timeout]
  ]
  const flags = new Map(given.flatMap(([name, value]) => (Option.isSome(value) ? [[name, value.value] as const] : [])))
  const provider = ConfigProvider.fromMap(flags).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))
  return NodeThreatStack.layerConfig().pipe(Layer.provide(Layer.setConfigProvider(provider)))
}

const withClient = <A, E>(conn: Connection, effect: Effect.Effect<A, E, ThreatStack.ThreatStack>) =>
  Effect.provide(effect, clientLayer(conn))

// ---------------------------------------------------------------------------
// list

const listOptions = {
  start: Options.text("start").pipe(
    Options.optional,
    Options.withDescription("2017-05-01 or '2017-05-01 08:00:00' (UTC)")
  ),
  end: Options.text("end").pipe(Options.optional, Options.withDescription("2017-05-31 or '2017-05-31 23:00:00' (UTC)")),
  page: Options.integer("page").pipe(Options.optional, Options.withDescription("only this page (0-based)")),
  count: Options.integer("count").pipe(
    Options.optional,
    Options.withDescription("page size (default 100 when walking)")
  ),
  fields: Options.text("fields").pipe(Options.optional, Options.withDescription("comma-separated field names")),
  limit: Options.integer("limit").pipe(Options.optional, Options.withDescription("stop after N records")),
  format: Options.choice("format", ["table", "json", "ndjson"]).pipe(
    Options.withDefault("table" as const),
    Options.withDescription("table for people; json and ndjson stream")
  )
}

type ResourceName = "agents" | "alerts" | "logs" | "organizations" | "policies"

/** The columns a table shows when no `--fields` are given. */
const COLUMNS: Readonly<Record<ResourceName | "users", ReadonlyArray<string>>> = {
  agents: ["id", "hostname", "ip_address", "online", "version", "last_reported_at"],
  alerts: ["id", "created_at", "severity", "title", "dismissed"],
  logs: ["timestamp", "user", "action", "description"],
  organizations: ["id", "name", "role"],
  policies: ["id", "name", "enabled", "agent_count", "alert_rule_count"],
  users: ["id", "display_name", "email", "role"]
}

const optional = <A>(o: Option.Option<A>): A | undefined => Option.getOrUndefined(o)

/**
 * The listing of one resource through the SDK. `--fields` come as text, so
 * they are handed to the SDK as the resource's field names; the SDK checks
 * them at run time and refuses unknown ones with `InvalidArgument`.
 */
const listStream = (
  client: ThreatStack.Service,
  resource: ResourceName,
  options: Resource.PagedListOptions,
  fields: ReadonlyArray<string> | undefined
): Stream.Stream<object, ThreatStackError.ThreatStackError> => {
  // organizations and policies do not page: the SDK refuses page/count for them with its own message
  switch (resource) {
    case "agents":
      return listWith(client.agents.list, options, fields)
    case "alerts":
      return listWith(client.alerts.list, options, fields)
    case "logs":
      return listWith(client.logs.list, options, fields)
    case "organizations":
      return listWith(client.organizations.list, options, fields)
    case "policies":
      return listWith(client.policies.list, options, fields)
  }
}

/** Text field names are handed over as the resource's field names; the SDK refuses unknown ones at run time. */
const listWith = <A extends object, O extends Resource.ListOptions>(
  list: Resource.List<A, O>,
  options: O,
  fields: ReadonlyArray<string> | undefined
): Stream.Stream<object, ThreatStackError.ThreatStackError> =>
  fields === undefined ? list(options) : list({ ...options, fields: fields as ReadonlyArray<keyof A> })

const listCommand = (resource: ResourceName) =>
  Command.make("list", { ...connection, ...listOptions }, (o) => {
    const fields = Option.map(o.fields, (f) =>
      f
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "")
    )
    const options: Resource.PagedListOptions = {
      start: optional(o.start),
      end: optional(o.end),
      page: optional(o.page),
      count: optional(o.count)
    }
    return withClient(
      o,
      Effect.flatMap(ThreatStack.ThreatStack, (client) => {
        const stream = listStream(client, resource, options, optional(fields))
        const limited = Option.match(o.limit, { onNone: () => stream, onSome: (n) => Stream.take(stream, n) })
        return CliOutput.writeStream(
          limited,
          o.format,
          Option.getOrElse(fields, () => COLUMNS[resource])
        )
      })
    )
  }).pipe(Command.withDescription(`list ${resource}`))

// ---------------------------------------------------------------------------
// get, users

const format = Options.choice("format", ["table", "json"]).pipe(Options.withDefault("table" as const))

const printOne = (record: object, fmt: "table" | "json") =>
  CliOutput.write(
    fmt === "json" ? `${JSON.stringify(CliOutput.toPlain(record), null, 2)}\n` : CliOutput.vertical(record)
  )

const SINGULAR = { agents: "agent", alerts: "alert", policies: "policy" } as const

const getCommand = (resource: "agents" | "alerts" | "policies") =>
  Command.make("get", { ...connection, format, id: Args.text({ name: "ID" }) }, (o) =>
    withClient(
      o,
      Effect.gen(function* () {
        const client = yield* ThreatStack.ThreatStack
        const found: Option.Option<object> = yield* client[resource].get(o.id)
        if (Option.isNone(found)) {
          return yield* Effect.fail(new CliFailure(`${SINGULAR[resource]} ${o.id} not found`, ExitCode.notFound))
        }
        yield* printOne(found.value, o.format)
      })
    )
  ).pipe(Command.withDescription(`get one of the ${resource} by id (exit code ${ExitCode.notFound} when not found)`))

const usersCommand = Command.make(
  "users",
  { ...connection, format: listOptions.format, orgId: Args.text({ name: "ORG_ID" }), org: connection.orgId },
  (o) =>
    withClient(
      { ...o, orgId: o.org },
      Effect.gen(function* () {
        const client = yield* ThreatStack.ThreatStack
        const users = yield* client.organizations.users(o.orgId)
        yield* CliOutput.writeStream(Stream.fromIterable(users), o.format, COLUMNS.users)
      })
    )
).pipe(Command.withDescription("list the users of an organization"))

const resourceCommand = (resource: ResourceName) => {
  const base = Command.make(resource).pipe(Command.withDescription(`the ${resource} resource`))
  switch (resource) {
    case "agents":
    case "alerts":
    case "policies":
      return base.pipe(Command.withSubcommands([listCommand(resource), getCommand(resource)]))
    case "logs":
      return base.pipe(Command.withSubcommands([listCommand(resource)]))
    case "organizations":
      return base.pipe(Command.withSubcommands([listCommand(resource), usersCommand]))
  }
}

// ---------------------------------------------------------------------------
// demo, fake-server

const demoCommand = Command.make(
  "demo",
  {
    ...connection,
    live: Options.boolean("live").pipe(
      Options.withDescription("run against the API configured by THREATSTACK_* instead of the embedded fake")
    )
  },
  (o) =>
    withClient(
      { ...o, demo: !o.live },
      Effect.gen(function* () {
        yield* CliOutput.write(
          o.live
            ? "Threat Stack demo, against the configured API\n\n"
            : "Threat Stack demo, against the embedded fake API (no key needed)\n\n"
        )
        const report = yield* Demo.lastHour
        yield* CliOutput.write(Demo.render(report))
      })
    )
).pipe(Command.withDescription("the v1 guide's closing example: the alerts of the last hour, then the details of each"))

const count = (name: string, fallback: number) =>
  Options.integer(name).pipe(Options.withDefault(fallback), Options.withDescription(`${name} per organization`))

const fakeServerCommand = Command.make(
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
              new CliFailure(`invalid --${flag} ${JSON.stringify(text)}: expected e.g. '30 days'`, ExitCode.usage)
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
      yield* CliOutput.write(
        [
          `Fake Threat Stack API listening at ${server.baseUrl}`,
          `API key: ${o.apiKey}`,
          `Try: THREATSTACK_BASE_URL=${server.baseUrl} THREATSTACK_API_KEY=${o.apiKey} threatstack alerts list`,
          ""
        ].join("\n")
      )
      return yield* Effect.never
    }).pipe(Effect.scoped)
).pipe(Command.withDescription("serve the fake Threat Stack API until stopped"))

/**
 * The whole command tree.
 *
 * @example
 * ```ts
 * import { Command } from "@effect/cli"
 * import { Cli } from "@effect-threatstack/node"
 *
 * const main = Command.run(Cli.command, { name: "threatstack", version: "0.1.0" })
 * ```
 *
 * @since 0.1.0
 */
export const command = Command.make("threatstack").pipe(
  Command.withDescription("The Threat Stack API from the command line (Effect SDK)"),
  Command.withSubcommands([
    resourceCommand("agents"),
    resourceCommand("alerts"),
    resourceCommand("logs"),
    resourceCommand("organizations"),
    resourceCommand("policies"),
    demoCommand,
    fakeServerCommand
  ])
)

/**
 * Maps every failure to one line and an exit code. The key never appears:
 * the SDK's errors do not hold it.
 *
 * @example
 * ```ts
 * import { ThreatStackError } from "@effect-threatstack/core"
 * import { Cli } from "@effect-threatstack/node"
 *
 * Cli.failureOf(new ThreatStackError.InvalidArgument({ argument: "count", detail: "got 0" })).code // 2
 * ```
 *
 * @since 0.1.0
 */
export const failureOf = (
  error: ThreatStackError.ThreatStackError | ConfigError.ConfigError | CliFailure
): CliFailure => {
  switch (error._tag) {
    case "CliFailure":
      return error
    case "InvalidArgument":
      return new CliFailure(error.message, ExitCode.usage)
    case "NotFound":
      return new CliFailure(error.message, ExitCode.notFound)
    case "Timeout":
      return new CliFailure(`timeout: ${error.message}`, ExitCode.timeout)
    case "ThreatStackAPIError":
      switch (error.reason) {
        case "Unauthorized":
        case "Forbidden":
          return new CliFailure(error.message, ExitCode.auth)
        case "RateLimited":
          return new CliFailure(`rate limited after retries: ${error.message}`, ExitCode.rateLimited)
        default:
          return new CliFailure(error.message, ExitCode.api)
      }
    default: {
      const text = String(error)
      return new CliFailure(
        /THREATSTACK_API_KEY/.test(text) && /Missing data/.test(text)
          ? "no API key: set THREATSTACK_API_KEY or pass --api-key (or try --demo)"
          : `configuration: ${text}`,
        ExitCode.usage
      )
    }
  }
}

/**
 * Runs the command line on `argv` (as `process.argv`) and returns the exit code.
 *
 * @example
 * ```ts
 * import { NodeContext, NodeRuntime } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { Cli } from "@effect-threatstack/node"
 *
 * Cli.run(["node", "threatstack", "policies", "list", "--demo"]).pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain)
 * ```
 *
 * @since 0.1.0
 */
export const run = (argv: ReadonlyArray<string>) =>
  Command.run(command, { name: "threatstack", version: ThreatStackClient.version })(argv).pipe(
    Effect.as(ExitCode.ok as number),
    Effect.catchIf(
      ValidationError.isValidationError,
      // @effect/cli has already printed what was wrong, with the usage
      () => Effect.succeed(ExitCode.usage as number)
    ),
    Effect.catchAll((error) => {
      const failure = failureOf(error)
      return Effect.sync(() => {
        process.stderr.write(`threatstack: ${failure.message}\n`)
        return failure.code as number
      })
    })
  )
