/**
 * The `threatstack` command line, built with `@effect/cli` on the SDK's
 * public API only, for both API generations.
 *
 * ```
 * threatstack <agents|alerts|logs|organizations|policies> list [--start …] [--end …]     (v1)
 *             [--fields a,b] [--limit N] [--format table|json|ndjson]
 *             [--page N] [--count N]   (agents, alerts, logs: the resources that page)
 * threatstack <agents|alerts|policies> get ID
 * threatstack organizations users ORG_ID
 * threatstack agents list --api-version 2 --status online|offline [--from …] [--until …]  (v2)
 * threatstack alerts list --api-version 2 [--status …] [--severity N] [--agent-id …] …
 * threatstack alerts events|severity-counts|dismiss …                                     (v2)
 * threatstack <vulnerabilities|servers|rulesets|rules|members|audit-logs> …               (v2)
 * threatstack demo [--api-version 2] [--live]
 * threatstack fake-server [--port N] [--alerts N …]
 * ```
 *
 * The v1 resource commands are built from the resources' specs
 * (`Resource.Spec`): `list` for each, `get` where the spec has it, the paging
 * flags where it pages; the v2 ones are in `CliV2`. `agents` and `alerts`
 * exist in both generations: `--api-version` (or
 * `$THREATSTACK_API_VERSION`) picks one, and without either a user id
 * (`$THREATSTACK_USER_ID`, `--user-id`) means v2. A command of one
 * generation only refuses an `--api-version` that names the other.
 *
 * Settings come from the `THREATSTACK_*` variables, overridden by
 * `--api-key`, `--org-id`, `--user-id`, `--base-url`, `--timeout`; `--demo`
 * points any command at the embedded fake API instead.
 *
 * @since 0.1.0
 */
import { Args, Command, Options } from "@effect/cli"
import { ValidationError } from "@effect/cli"
import { Array as Arr, Effect, Option, Predicate, Stream } from "effect"
import type { ConfigError, Schema } from "effect"
import {
  Agents,
  Alerts,
  Logs,
  Organizations,
  Policies,
  Resource,
  ThreatStack,
  ThreatStackClient,
  ThreatStackV2
} from "@effect-threatstack/core"
import type { ThreatStackError } from "@effect-threatstack/core"
import * as CliCommon from "./CliCommon.js"
import { CliFailure, ExitCode, type Generation } from "./CliCommon.js"
import * as CliOutput from "./CliOutput.js"
import * as CliV2 from "./CliV2.js"
import * as Demo from "./Demo.js"
import * as CliFakeServer from "./CliFakeServer.js"

export {
  /**
   * An expected failure of a command: one line on stderr and an exit code.
   *
   * @since 0.1.0
   */
  CliFailure,
  /**
   * Exit codes, one per kind of failure.
   *
   * @since 0.1.0
   */
  ExitCode
} from "./CliCommon.js"

const withClient = <A, E>(conn: CliCommon.Connection, effect: Effect.Effect<A, E, ThreatStack.Services>) =>
  Effect.provide(effect, CliCommon.v1Layer(conn))

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

const agents = fromSpec(Agents.spec)
const alerts = fromSpec(Alerts.spec)

/** The resources of v1 only, in help order: a new spec here is a new command. */
const v1Resources: Arr.NonEmptyReadonlyArray<CliResource> = [
  fromSpec(Logs.spec),
  fromSpec(Organizations.spec),
  fromSpec(Policies.spec)
]

// ---------------------------------------------------------------------------
// list

const timeOptions = {
  start: Options.text("start").pipe(
    Options.optional,
    Options.withDescription("v1: 2017-05-01 or '2017-05-01 08:00:00' (UTC)")
  ),
  end: Options.text("end").pipe(
    Options.optional,
    Options.withDescription("v1: 2017-05-31 or '2017-05-31 23:00:00' (UTC)")
  )
}

/** Only for resources whose spec pages by number (`paging: "pages"`). */
const pageOptions = {
  page: Options.integer("page").pipe(Options.optional, Options.withDescription("v1: only this page (0-based)")),
  count: Options.integer("count").pipe(
    Options.optional,
    Options.withDescription("v1: page size (default 100 when walking)")
  )
}

type ListFlags = CliCommon.Connection & {
  readonly start: Option.Option<string>
  readonly end: Option.Option<string>
  readonly fields: Option.Option<string>
  readonly limit: Option.Option<number>
  readonly format: CliOutput.Format
}

const optional = <A>(o: Option.Option<A>): A | undefined => Option.getOrUndefined(o)

const runList = (resource: CliResource, o: ListFlags, paging: Pick<Resource.PagedListOptions, "page" | "count">) => {
  const fields = CliCommon.fieldNames(o.fields)
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

/** The generation a command of one generation only runs in, checked against `--api-version`. */
const v1Only = (command: string, o: { readonly apiVersion: Option.Option<Generation> }) =>
  CliCommon.generationOf(command, [1], o.apiVersion)

const listCommand = (resource: CliResource) => {
  const description = `list ${resource.spec.key}`
  const name = `${resource.spec.key} list`
  const options = {
    ...CliCommon.connection,
    apiVersion: CliCommon.apiVersion,
    ...timeOptions,
    ...CliCommon.outputOptions
  }
  return resource.spec.paging === "pages"
    ? Command.make("list", { ...options, ...pageOptions }, (o) =>
        Effect.zipRight(v1Only(name, o), runList(resource, o, { page: optional(o.page), count: optional(o.count) }))
      ).pipe(Command.withDescription(description))
    : Command.make("list", options, (o) => Effect.zipRight(v1Only(name, o), runList(resource, o, {}))).pipe(
        Command.withDescription(description)
      )
}

/**
 * A command of both generations: the generation it runs in (see
 * `CliCommon.generationOf`), and a usage error for flags of the other one.
 */
const inEither = <E1, E2>(
  command: string,
  o: CliCommon.V2Flags,
  flags: { readonly v1: Readonly<Record<string, unknown>>; readonly v2: Readonly<Record<string, unknown>> },
  v1: Effect.Effect<void, E1>,
  v2: Effect.Effect<void, E2>
): Effect.Effect<void, E1 | E2 | CliFailure> =>
  Effect.gen(function* () {
    const generation = yield* CliCommon.generationOf(command, [1, 2], o.apiVersion, o.userId)
    yield* CliCommon.onlyIn(1, generation, flags.v1)
    yield* CliCommon.onlyIn(2, generation, flags.v2)
    return yield* generation === 1 ? v1 : v2
  })

const bothListOptions = {
  ...CliCommon.v2Options,
  ...timeOptions,
  ...pageOptions,
  ...CliCommon.outputOptions
}

const agentsList = Command.make("list", { ...bothListOptions, ...CliV2.agentFilters }, (o) =>
  inEither(
    "agents list",
    o,
    {
      v1: { start: o.start, end: o.end, page: o.page, count: o.count },
      v2: { status: o.status, type: o.type, hostname: o.hostname, from: o.from, until: o.until }
    },
    runList(agents, o, { page: optional(o.page), count: optional(o.count) }),
    CliV2.listAgents(o)
  )
).pipe(Command.withDescription("list agents (v2 needs --status)"))

const alertsList = Command.make("list", { ...bothListOptions, ...CliV2.alertFilters }, (o) =>
  inEither(
    "alerts list",
    o,
    {
      v1: { start: o.start, end: o.end, page: o.page, count: o.count },
      v2: {
        status: o.status,
        severity: o.severity,
        "agent-id": o["agent-id"],
        "rule-id": o["rule-id"],
        "ruleset-id": o["ruleset-id"],
        from: o.from,
        until: o.until
      }
    },
    runList(alerts, o, { page: optional(o.page), count: optional(o.count) }),
    CliV2.listAlerts(o)
  )
).pipe(Command.withDescription("list alerts (v2: active ones unless --status dismissed)"))

// ---------------------------------------------------------------------------
// get, users

const getV1 = (
  resource: CliResource,
  get: (client: ThreatStackClient.Service) => Resource.Get<object>,
  o: CliCommon.Connection & { readonly id: string; readonly format: "table" | "json" }
) =>
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
      yield* CliCommon.printOne(found.value, o.format)
    })
  )

const getDescription = (resource: CliResource) =>
  `get one of the ${resource.spec.key} by id (exit code ${ExitCode.notFound} when not found)`

const getCommand = (resource: CliResource, get: (client: ThreatStackClient.Service) => Resource.Get<object>) =>
  Command.make(
    "get",
    {
      ...CliCommon.connection,
      apiVersion: CliCommon.apiVersion,
      format: CliCommon.recordFormat,
      id: Args.text({ name: "ID" })
    },
    (o) => Effect.zipRight(v1Only(`${resource.spec.key} get`, o), getV1(resource, get, o))
  ).pipe(Command.withDescription(getDescription(resource)))

/** `get` of a resource of both generations. */
const getInEither = (
  resource: CliResource,
  v2: (ts: ThreatStackV2.Service, id: string) => Effect.Effect<Option.Option<object>, ThreatStackError.ThreatStackError>
) =>
  Command.make("get", { ...CliCommon.v2Options, format: CliCommon.recordFormat, id: Args.text({ name: "ID" }) }, (o) =>
    inEither(
      `${resource.spec.key} get`,
      o,
      { v1: {}, v2: {} },
      Option.isSome(resource.get)
        ? getV1(resource, resource.get.value, o)
        : Effect.fail(CliCommon.usage(`${resource.spec.key} has no get in v1`)),
      CliV2.getOne(resource.spec, o, v2)
    )
  ).pipe(Command.withDescription(getDescription(resource)))

/** `organizations users ORG_ID`: the one operation that is not `list` or `get`. */
const usersCommand = Command.make(
  "users",
  {
    ...CliCommon.connection,
    apiVersion: CliCommon.apiVersion,
    format: CliCommon.outputOptions.format,
    orgId: Args.text({ name: "ORG_ID" }),
    org: CliCommon.connection.orgId
  },
  (o) =>
    Effect.zipRight(
      v1Only("organizations users", o),
      withClient(
        { ...o, orgId: o.org },
        Effect.gen(function* () {
          const client = yield* ThreatStack.ThreatStack
          const users = yield* client.organizations.users(o.orgId)
          yield* CliOutput.writeStream(Stream.fromIterable(users), o.format, USER_COLUMNS)
        })
      )
    )
).pipe(Command.withDescription("list the users of an organization"))

/** A resource of v1 only: `list`, `get` when its spec has it, and `users` for organizations. */
const v1ResourceCommand = (resource: CliResource) =>
  Command.make(resource.spec.key).pipe(
    Command.withDescription(`v1: the ${resource.spec.key}`),
    Command.withSubcommands([
      listCommand(resource),
      ...Option.match(resource.get, { onNone: () => [], onSome: (get) => [getCommand(resource, get)] }),
      ...(resource.spec.key === Organizations.spec.key ? [usersCommand] : [])
    ])
  )

const agentsCommand = Command.make(agents.spec.key).pipe(
  Command.withDescription("v1 and v2: the agents"),
  Command.withSubcommands([agentsList, getInEither(agents, (ts, id) => ts.agents.get(id))])
)

const alertsCommand = Command.make(alerts.spec.key).pipe(
  Command.withDescription("v1 and v2: the alerts (events, severity-counts and dismiss: v2)"),
  Command.withSubcommands([alertsList, getInEither(alerts, (ts, id) => ts.alerts.get(id)), ...CliV2.alertCommands])
)

// ---------------------------------------------------------------------------
// demo

const demoCommand = Command.make(
  "demo",
  {
    ...CliCommon.v2Options,
    live: Options.boolean("live").pipe(
      Options.withDescription(
        "run against the API configured by THREATSTACK_* instead of the embedded fake (the v2 tour then dismisses nothing)"
      )
    )
  },
  (o) => {
    const against = o.live ? "against the configured API" : "against the embedded fake API (no key needed)"
    const conn = { ...o, demo: !o.live }
    return inEither(
      "demo",
      o,
      { v1: {}, v2: {} },
      withClient(
        conn,
        Effect.gen(function* () {
          yield* CliOutput.write(`Threat Stack demo, ${against}\n\n`)
          const report = yield* Demo.lastHour
          yield* CliOutput.write(Demo.render(report))
        })
      ),
      CliCommon.withV2(conn, (ts) =>
        Effect.gen(function* () {
          yield* CliOutput.write(`Threat Stack demo (v2), ${against}\n\n`)
          const report = yield* Demo.tourV2({ dismiss: !o.live }).pipe(
            Effect.provideService(ThreatStackV2.ThreatStackV2, ts)
          )
          yield* CliOutput.write(Demo.renderV2(report))
        })
      )
    )
  }
).pipe(
  Command.withDescription(
    "v1: the guide's closing example (the alerts of the last hour, then the details of each); v2: a tour ending in a dismissal"
  )
)

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
    agentsCommand,
    alertsCommand,
    ...Arr.map(v1Resources, v1ResourceCommand),
    ...CliV2.commands,
    demoCommand,
    CliFakeServer.command
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
        case "Conflict":
          return fail(`conflict: ${error.message}`, ExitCode.conflict)
        case "OutcomeUnknown":
          return fail(
            `outcome unknown, it may have been applied: look before trying again: ${error.message}`,
            ExitCode.outcomeUnknown
          )
        default:
          return fail(error.message, ExitCode.api)
      }
    default: {
      const missing = missingSetting(error)
      return fail(
        missing === undefined
          ? `configuration: ${String(error)}`
          : `no ${missing.what}: set ${missing.variable} or pass ${missing.flag} (or try --demo)`,
        ExitCode.usage
      )
    }
  }
}

/** The settings a command cannot do without, in the order they are reported. */
const REQUIRED = [
  { variable: "THREATSTACK_API_KEY", what: "API key", flag: "--api-key" },
  { variable: "THREATSTACK_USER_ID", what: "user id", flag: "--user-id" },
  { variable: "THREATSTACK_ORG_ID", what: "organization id", flag: "--org-id" }
] as const

/** Whether the settings failed for want of a variable: a `MissingData` at its path, anywhere in the error's tree. */
const missingVariable = (error: ConfigError.ConfigError, variable: string): boolean => {
  switch (error._op) {
    case "And":
    case "Or":
      return missingVariable(error.left, variable) || missingVariable(error.right, variable)
    case "MissingData":
      return error.path.includes(variable)
    default:
      return false
  }
}

/** The first required setting the error says is missing. */
const missingSetting = (error: ConfigError.ConfigError) => REQUIRED.find((r) => missingVariable(error, r.variable))

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
  Command.run(command, { name: "threatstack", version: ThreatStackClient.version })(CliCommon.stdinArgs(argv)).pipe(
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
