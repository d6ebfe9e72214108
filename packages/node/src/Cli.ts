/**
 * The `threatstack` command line, built with `@effect/cli` on the SDK's
 * public API only.
 *
 * ```
 * threatstack <agents|alerts|logs|organizations|policies> list [--start …] [--end …]
 *             [--fields a,b] [--limit N] [--format table|json|ndjson]
 *             [--page N] [--count N]   (agents, alerts, logs: the resources that page)
 * threatstack <agents|alerts|policies> get ID
 * threatstack organizations users ORG_ID
 * threatstack demo
 * threatstack fake-server [--port N] [--alerts N …]
 * ```
 *
 * The resource commands are built from the resources' specs
 * (`Resource.Spec`): `list` for each, `get` where the spec has it, the paging
 * flags where it pages.
 *
 * Settings come from the `THREATSTACK_*` variables, overridden by
 * `--api-key`, `--org-id`, `--base-url`, `--timeout`; `--demo` points any
 * command at the embedded fake API instead.
 *
 * @since 0.1.0
 */
import { Args, Command, Options } from "@effect/cli"
import { ValidationError } from "@effect/cli"
import {
  Array as Arr,
  ConfigProvider,
  Data,
  Duration,
  Effect,
  Layer,
  Option,
  Predicate,
  Redacted,
  Stream
} from "effect"
import type { ConfigError, Schema } from "effect"
import {
  Agents,
  Alerts,
  FakeThreatStack,
  Logs,
  Organizations,
  Policies,
  Resource,
  ThreatStack,
  ThreatStackClient
} from "@effect-threatstack/core"
import type { ThreatStackError } from "@effect-threatstack/core"
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
 * const failure = new Cli.CliFailure({ message: "alert 42 not found", code: Cli.ExitCode.notFound })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class CliFailure extends Data.TaggedError("CliFailure")<{
  readonly message: string
  readonly code: number
}> {}

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

const withClient = <A, E>(conn: Connection, effect: Effect.Effect<A, E, ThreatStack.Services>) =>
  Effect.provide(effect, clientLayer(conn))

// ---------------------------------------------------------------------------
// the resources: one command per spec

/**
 * The columns a table shows when no `--fields` are given, by spec key (how
 * records read in a terminal is the command line's business, not the API's).
 * A resource without an entry shows every field of its schema.
 */
const COLUMNS: Readonly<Record<string, ReadonlyArray<string>>> = {
  agents: ["id", "hostname", "ip_address", "online", "version", "last_reported_at"],
  alerts: ["id", "created_at", "severity", "title", "dismissed"],
  logs: ["timestamp", "user", "action", "description"],
  organizations: ["id", "name", "role"],
  policies: ["id", "name", "enabled", "agent_count", "alert_rule_count"]
}

const USER_COLUMNS: ReadonlyArray<string> = ["id", "display_name", "email", "role"]

/** A `list` that takes its field names as text: the SDK checks them at run time and refuses unknown ones. */
type ListByText = (
  options: Resource.PagedListOptions,
  fields: ReadonlyArray<string> | undefined
) => Stream.Stream<object, ThreatStackError.ThreatStackError>

/** A resource as the command line uses it, whatever its record type. */
interface CliResource {
  readonly spec: Pick<Resource.Spec, "key" | "singular" | "paging">
  readonly columns: ReadonlyArray<string>
  readonly list: (client: ThreatStackClient.Service) => ListByText
  /** Present when the spec has `get`. */
  readonly get: Option.Option<(client: ThreatStackClient.Service) => Resource.Get<object>>
}

// Records are objects, but a record type built from a generic spec does not say so: the filters below
// (which never drop a decoded record) tell the compiler, without a cast.

const listByText =
  <A, O extends Resource.ListOptions>(list: Resource.List<A, O>) =>
  (options: O, fields: ReadonlyArray<string> | undefined): Stream.Stream<object, ThreatStackError.ThreatStackError> =>
    Stream.filter(
      fields === undefined ? list(options) : list({ ...options, fields: fields as ReadonlyArray<keyof A> }),
      Predicate.isObject
    )

const getObject =
  <A>(get: Resource.Get<A>): Resource.Get<object> =>
  (id) =>
    Effect.map(get(id), Option.flatMap(Option.liftPredicate(Predicate.isObject)))

/**
 * The command line's view of a spec. Its operations come from
 * `Resource.make`, with the spec's `paging` and `get` narrowed to literals so
 * that the operations' types are known here.
 */
const fromSpec = <
  F extends Schema.Struct.Fields,
  D extends Schema.Struct.Fields,
  P extends "pages" | "none",
  G extends boolean
>(
  spec: Resource.Spec<F, D, P, G>
): CliResource => ({
  spec,
  columns: COLUMNS[spec.key] ?? Object.keys(spec.schema.fields),
  list: (client) =>
    spec.paging === "pages"
      ? listByText(Resource.make(client, { ...spec, paging: "pages" as const }).list)
      : listByText(Resource.make(client, { ...spec, paging: "none" as const }).list),
  get: spec.get
    ? Option.some((client) => getObject(Resource.make(client, { ...spec, get: true as const }).get))
    : Option.none()
})

/** Every resource the command line offers, in help order: a new spec here is a new command. */
const resources: Arr.NonEmptyReadonlyArray<CliResource> = [
  fromSpec(Agents.spec),
  fromSpec(Alerts.spec),
  fromSpec(Logs.spec),
  fromSpec(Organizations.spec),
  fromSpec(Policies.spec)
]

// ---------------------------------------------------------------------------
// list

const timeOptions = {
  start: Options.text("start").pipe(
    Options.optional,
    Options.withDescription("2017-05-01 or '2017-05-01 08:00:00' (UTC)")
  ),
  end: Options.text("end").pipe(Options.optional, Options.withDescription("2017-05-31 or '2017-05-31 23:00:00' (UTC)"))
}

/** Only for resources whose spec pages by number (`paging: "pages"`). */
const pageOptions = {
  page: Options.integer("page").pipe(Options.optional, Options.withDescription("only this page (0-based)")),
  count: Options.integer("count").pipe(
    Options.optional,
    Options.withDescription("page size (default 100 when walking)")
  )
}

const outputOptions = {
  fields: Options.text("fields").pipe(Options.optional, Options.withDescription("comma-separated field names")),
  limit: Options.integer("limit").pipe(Options.optional, Options.withDescription("stop after N records")),
  format: Options.choice("format", ["table", "json", "ndjson"]).pipe(
    Options.withDefault("table" as const),
    Options.withDescription("table for people; json and ndjson stream")
  )
}

type ListFlags = Connection & {
  readonly start: Option.Option<string>
  readonly end: Option.Option<string>
  readonly fields: Option.Option<string>
  readonly limit: Option.Option<number>
  readonly format: CliOutput.Format
}

const optional = <A>(o: Option.Option<A>): A | undefined => Option.getOrUndefined(o)

const runList = (resource: CliResource, o: ListFlags, paging: Pick<Resource.PagedListOptions, "page" | "count">) => {
  const fields = Option.map(o.fields, (f) =>
    f
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "")
  )
  const options: Resource.PagedListOptions = { start: optional(o.start), end: optional(o.end), ...paging }
  return withClient(
    o,
    Effect.flatMap(ThreatStackClient.ThreatStackClient, (client) => {
      const stream = resource.list(client)(options, optional(fields))
      const limited = Option.match(o.limit, { onNone: () => stream, onSome: (n) => Stream.take(stream, n) })
      return CliOutput.writeStream(
        limited,
        o.format,
        Option.getOrElse(fields, () => resource.columns)
      )
    })
  )
}

const listCommand = (resource: CliResource) => {
  const description = `list ${resource.spec.key}`
  return resource.spec.paging === "pages"
    ? Command.make("list", { ...connection, ...timeOptions, ...pageOptions, ...outputOptions }, (o) =>
        runList(resource, o, { page: optional(o.page), count: optional(o.count) })
      ).pipe(Command.withDescription(description))
    : Command.make("list", { ...connection, ...timeOptions, ...outputOptions }, (o) => runList(resource, o, {})).pipe(
        Command.withDescription(description)
      )
}

// ---------------------------------------------------------------------------
// get, users

const format = Options.choice("format", ["table", "json"]).pipe(Options.withDefault("table" as const))

const printOne = (record: object, fmt: "table" | "json") =>
  CliOutput.write(
    fmt === "json" ? `${JSON.stringify(CliOutput.toPlain(record), null, 2)}\n` : CliOutput.vertical(record)
  )

const getCommand = (resource: CliResource, get: (client: ThreatStackClient.Service) => Resource.Get<object>) =>
  Command.make("get", { ...connection, format, id: Args.text({ name: "ID" }) }, (o) =>
    withClient(
      o,
      Effect.gen(function* () {
        const found = yield* get(yield* ThreatStackClient.ThreatStackClient)(o.id)
        if (Option.isNone(found)) {
          return yield* new CliFailure({
            message: `${resource.spec.singular} ${o.id} not found`,
            code: ExitCode.notFound
          })
        }
        yield* printOne(found.value, o.format)
      })
    )
  ).pipe(
    Command.withDescription(`get one of the ${resource.spec.key} by id (exit code ${ExitCode.notFound} when not found)`)
  )

/** `organizations users ORG_ID`: the one operation that is not `list` or `get`. */
const usersCommand = Command.make(
  "users",
  { ...connection, format: outputOptions.format, orgId: Args.text({ name: "ORG_ID" }), org: connection.orgId },
  (o) =>
    withClient(
      { ...o, orgId: o.org },
      Effect.gen(function* () {
        const client = yield* ThreatStack.ThreatStack
        const users = yield* client.organizations.users(o.orgId)
        yield* CliOutput.writeStream(Stream.fromIterable(users), o.format, USER_COLUMNS)
      })
    )
).pipe(Command.withDescription("list the users of an organization"))

const resourceCommand = (resource: CliResource) =>
  Command.make(resource.spec.key).pipe(
    Command.withDescription(`the ${resource.spec.key} resource`),
    Command.withSubcommands([
      listCommand(resource),
      ...Option.match(resource.get, { onNone: () => [], onSome: (get) => [getCommand(resource, get)] }),
      ...(resource.spec.key === Organizations.spec.key ? [usersCommand] : [])
    ])
  )

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
  Command.withSubcommands(Arr.appendAll(Arr.map(resources, resourceCommand), [demoCommand, fakeServerCommand]))
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
  const fail = (message: string, code: number) => new CliFailure({ message, code })
  switch (error._tag) {
    case "CliFailure":
      return error
    case "InvalidArgument":
      return fail(error.message, ExitCode.usage)
    case "NotFound":
      return fail(error.message, ExitCode.notFound)
    case "Timeout":
      return fail(`timeout: ${error.message}`, ExitCode.timeout)
    case "ThreatStackAPIError":
      switch (error.reason) {
        case "Unauthorized":
        case "Forbidden":
          return fail(error.message, ExitCode.auth)
        case "RateLimited":
          return fail(`rate limited after retries: ${error.message}`, ExitCode.rateLimited)
        default:
          return fail(error.message, ExitCode.api)
      }
    default:
      return fail(
        missingKey(error)
          ? "no API key: set THREATSTACK_API_KEY or pass --api-key (or try --demo)"
          : `configuration: ${String(error)}`,
        ExitCode.usage
      )
  }
}

/** Whether the settings failed for want of the key: a `MissingData` at its variable, anywhere in the error's tree. */
const missingKey = (error: ConfigError.ConfigError): boolean => {
  switch (error._op) {
    case "And":
    case "Or":
      return missingKey(error.left) || missingKey(error.right)
    case "MissingData":
      return error.path.includes("THREATSTACK_API_KEY")
    default:
      return false
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
