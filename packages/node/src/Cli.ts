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
import { Args, CliConfig, Command, CommandDescriptor, type HelpDoc, Options, ValidationError } from "@effect/cli"
import type { CliApp, Span } from "@effect/cli"
import {
  Array as Arr,
  Duration,
  Effect,
  FiberRef,
  HashMap,
  HashSet,
  Logger,
  LogLevel,
  Option,
  Predicate,
  Stream
} from "effect"
import type { Schema } from "effect"
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
  start: CliCommon.time("start", "start", "v1: from this time"),
  end: CliCommon.time("end", "end", "v1: until this time")
}

/** Only for resources whose spec pages by number (`paging: "pages"`). */
const pageOptions = {
  page: CliCommon.integer("page", 0, "v1: only this page (0-based)").pipe(Options.optional),
  count: CliCommon.integer("count", 1, "v1: page size (default 100 when walking)").pipe(Options.optional)
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
        Option.getOrElse(fields, () => resource.columns),
        resource.spec.key
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
          yield* CliOutput.writeStream(Stream.fromIterable(users), o.format, USER_COLUMNS, "users")
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

const v1Commands = Arr.map(v1Resources, v1ResourceCommand)

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
    ...v1Commands,
    ...CliV2.commands,
    demoCommand,
    CliFakeServer.command
  ])
)

/** What an API error is, in words: its reason split into lower-case words (`RateLimited`: `rate limited`). */
const reasonWords = (reason: string): string => reason.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()

/** The request a failure answered: `[GET https://…/alerts, 3 attempts]`. */
const requestOf = (error: { readonly method: string; readonly url: string; readonly attempts: number }): string =>
  `[${error.method} ${error.url}, ${CliOutput.count(error.attempts, "attempt")}]`

/**
 * An API error on one line, each thing said once: `unauthorized (HTTP 401):
 * missing or invalid API key [GET …, 1 attempt]`. The server's words lose a
 * leading repeat of the reason (`Unauthorized: …`).
 */
const apiError = (error: ThreatStackError.ThreatStackAPIError, what = reasonWords(error.reason)): string => {
  const status = error.status === undefined ? "" : ` (HTTP ${error.status})`
  const wait = error.retryAfter === undefined ? "" : `, retry after ${Duration.format(error.retryAfter)}`
  const repeat = new RegExp(`^\\s*(${error.reason}|${reasonWords(error.reason)})\\s*[:.-]\\s*`, "i")
  const detail = error.detail.replace(repeat, "")
  const at = error.path === undefined ? "" : ` at ${error.path}`
  return `${what}${status}${wait}: ${detail}${at} ${requestOf(error)}`
}

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
  error: ThreatStackError.ThreatStackError | ThreatStackError.ConfigurationError | CliFailure
): CliFailure => {
  const fail = (message: string, code: number) => new CliFailure({ message, code })
  switch (error._tag) {
    case "CliFailure":
      return error
    case "InvalidArgument":
      return fail(error.message, ExitCode.usage)
    case "NotFound":
      return fail(
        `${/\bnot found\b/i.test(error.detail) ? error.detail : `not found: ${error.detail}`} ${requestOf(error)}`,
        ExitCode.notFound
      )
    case "Timeout":
      return fail(`timeout: ${error.message}`, ExitCode.timeout)
    case "ThreatStackAPIError":
      switch (error.reason) {
        case "Unauthorized":
        case "Forbidden":
          return fail(apiError(error), ExitCode.auth)
        case "RateLimited":
          return fail(apiError(error, "rate limited, retries spent"), ExitCode.rateLimited)
        case "Conflict":
          return fail(apiError(error), ExitCode.conflict)
        case "OutcomeUnknown":
          return fail(
            apiError(error, "outcome unknown, it may have been applied: look before trying again"),
            ExitCode.outcomeUnknown
          )
        default:
          return fail(apiError(error), ExitCode.api)
      }
    case "ConfigurationError": {
      const missing = REQUIRED.find((r) => error.problems.some((p) => p.missing && p.variable === r.variable))
      return fail(
        missing === undefined
          ? error.message
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

// ---------------------------------------------------------------------------
// the words before the options, help, and @effect/cli's own errors

type Descriptor = CommandDescriptor.Command<unknown>

/** A command of the tree: its own help, and what may follow it. */
interface Node {
  readonly path: ReadonlyArray<string>
  readonly help: () => HelpDoc.HelpDoc
  readonly children: ReadonlyArray<readonly [string, Node]>
}

const config = CliConfig.defaultConfig

/** Subcommands in the order people look for them: `list`, `get`, then the others by name. */
const byUse = (names: Iterable<string>): ReadonlyArray<string> => {
  const rank = (name: string) => ["list", "get"].indexOf(name) >>> 0
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
}

const leafNode = (path: ReadonlyArray<string>, descriptor: Descriptor): Node => ({
  path,
  help: () => CommandDescriptor.getHelp(descriptor, config),
  children: []
})

const groupNode = (
  path: ReadonlyArray<string>,
  descriptor: Descriptor,
  children: HashMap.HashMap<string, Descriptor>
): Node => ({
  path,
  help: () => CommandDescriptor.getHelp(descriptor, config),
  children: byUse(HashMap.keys(children)).map((name) => [
    name,
    leafNode([...path, name], HashMap.unsafeGet(children, name))
  ])
})

const nameOf = (descriptor: Descriptor): string => Arr.fromIterable(CommandDescriptor.getNames(descriptor))[0] ?? ""

const groupEntry = (descriptor: Descriptor) =>
  [nameOf(descriptor), CommandDescriptor.getSubcommands(descriptor)] as const

/** The commands that hold others, by name. */
const groups: ReadonlyMap<string, HashMap.HashMap<string, Descriptor>> = new Map(
  [
    agentsCommand.descriptor,
    alertsCommand.descriptor,
    ...[...v1Commands, ...CliV2.commands].map((c) => c.descriptor)
  ].map(groupEntry)
)

/** The whole tree, in help order (the order of `command`'s subcommands). */
const tree: Node = (() => {
  const top = Command.getSubcommands(command)
  const order = [...groups.keys(), nameOf(demoCommand.descriptor), nameOf(CliFakeServer.command.descriptor)]
  return {
    path: [],
    help: () => Command.getHelp(command, config),
    children: order.map((name) => {
      const descriptor = HashMap.unsafeGet(top, name)
      const children = groups.get(name)
      return [name, children === undefined ? leafNode([name], descriptor) : groupNode([name], descriptor, children)]
    })
  }
})()

const BUILT_IN = new Set(["--help", "-h", "--version", "--completions", "--wizard"])

/** Where the words before the options lead: a command, help for one, or what is wrong with them. */
type Route =
  | { readonly _tag: "Run"; readonly node: Node }
  | { readonly _tag: "Help"; readonly node: Node }
  | { readonly _tag: "Wrong"; readonly message: string }

const choices = (node: Node) => CliCommon.orList(node.children.map(([name]) => name))

const commandLine = (node: Node) => ["threatstack", ...node.path].join(" ")

/** The words of a command line before `--` (what follows it is operands, never options). */
const wordsOf = (args: ReadonlyArray<string>): ReadonlyArray<string> => {
  const end = args.indexOf("--")
  return end === -1 ? args : args.slice(0, end)
}

/**
 * Walks the command words: each must name a subcommand of the one before
 * until a command that runs is reached. `--help` anywhere asks for the help
 * of the command reached; a bare `threatstack` shows the top help.
 */
const route = (args: ReadonlyArray<string>): Route => {
  const words = wordsOf(args)
  const help = words.includes("--help") || words.includes("-h")
  let node = tree
  for (const [i, word] of words.entries()) {
    if (node.children.length === 0) break
    const next = node.children.find(([name]) => name === word)
    if (next !== undefined) {
      node = next[1]
      continue
    }
    if (help) return { _tag: "Help", node }
    if (BUILT_IN.has(word.split("=")[0] ?? word)) return { _tag: "Run", node }
    const where = node === tree ? "" : ` of '${commandLine(node)}'`
    if (word.startsWith("-")) {
      return { _tag: "Wrong", message: `options go after the command: ${movedOption(words, i) ?? choices(node)}` }
    }
    return { _tag: "Wrong", message: `'${word}' is not a command${where}: use ${choices(node)}` }
  }
  if (help || node === tree) return { _tag: "Help", node }
  if (node.children.length > 0) {
    return { _tag: "Wrong", message: `'${commandLine(node)}' needs a subcommand: ${choices(node)}` }
  }
  return { _tag: "Run", node }
}

/**
 * The line with the option at `at` (and its value, when the word after it is
 * not a command) moved to the end, when that makes a command that runs:
 * `threatstack alerts list --demo`; else nothing.
 */
const movedOption = (words: ReadonlyArray<string>, at: number): string | undefined => {
  const taken = words[at + 1] !== undefined && !isCommandWord(words[at + 1] ?? "") ? 2 : 1
  const moved = [...words.slice(0, at), ...words.slice(at + taken), ...words.slice(at, at + taken)]
  return route(moved)._tag === "Run" ? ["threatstack", ...moved].join(" ") : undefined
}

const isCommandWord = (word: string): boolean => {
  const visit = (node: Node): boolean => node.children.some(([name, child]) => name === word || visit(child))
  return visit(tree)
}

// -- rendering

const spanText = (span: Span.Span): string => {
  switch (span._tag) {
    case "Text":
    case "URI":
      return span.value
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
    default:
      return spanText(span.value)
  }
}

type Block = HelpDoc.Header | HelpDoc.Paragraph | HelpDoc.DescriptionList | HelpDoc.Enumeration

const blocks = (doc: HelpDoc.HelpDoc): ReadonlyArray<Block> => {
  switch (doc._tag) {
    case "Empty":
      return []
    case "Sequence":
      return [...blocks(doc.left), ...blocks(doc.right)]
    default:
      return [doc]
  }
}

/** The text of a help document on one line: what `@effect/cli` says when it refuses a command line. */
const plainText = (doc: HelpDoc.HelpDoc): string =>
  blocks(doc)
    .map((block) => {
      switch (block._tag) {
        case "DescriptionList":
          return block.definitions.map(([term, text]) => `${spanText(term)}: ${plainText(text)}`).join("; ")
        case "Enumeration":
          return block.elements.map(plainText).join("; ")
        default:
          return spanText(block.value)
      }
    })
    .join(" ")
    .trim()

/** What `@effect/cli` says of every flag of a kind, which tells the reader nothing. */
const BOILERPLATE = [
  /^A user-defined piece of text/,
  /^A true or false value\.$/,
  /^An? (integer|floating point|date|path)/,
  /^One of the following: /,
  /^This setting is optional\./,
  /^This (option|argument) can be set from environment variables\.$/
]

const REPEATED = /^This (option|argument) may be repeated zero or more times\.$/

interface Entry {
  readonly term: string
  readonly text: string
}

/** The sections of a command's help: its description, and its arguments and options without the built-in ones. */
const sections = (doc: HelpDoc.HelpDoc) => {
  let header = ""
  const description: Array<string> = []
  const entries: Record<"ARGUMENTS" | "OPTIONS", Array<Entry>> = { ARGUMENTS: [], OPTIONS: [] }
  for (const block of blocks(doc)) {
    if (block._tag === "Header") header = spanText(block.value)
    else if (block._tag === "Paragraph" && header === "DESCRIPTION") description.push(spanText(block.value))
    else if (block._tag === "DescriptionList" && (header === "ARGUMENTS" || header === "OPTIONS")) {
      for (const [span, text] of block.definitions) {
        const term = spanText(span).replace(/^\((.*)\)$/, "$1")
        if (BUILT_IN.has(term.split(" ")[0] ?? "") || /^(-h, )?--help|^--log-level/.test(term)) continue
        const words = blocks(text).flatMap((b) => (b._tag === "Paragraph" ? [spanText(b.value)] : []))
        const said = words
          .filter((w) => !BOILERPLATE.some((re) => re.test(w)))
          .map((w) => (REPEATED.test(w) ? "(repeatable)" : w))
        entries[header].push({ term, text: said.join(" ") })
      }
    }
  }
  return { description: description.join(" "), arguments: entries.ARGUMENTS, options: entries.OPTIONS }
}

/** Whether what goes to `stream` may be coloured: a terminal, and `NO_COLOR` unset or empty. */
const colourOn = (stream: NodeJS.WriteStream): boolean => stream.isTTY === true && (process.env.NO_COLOR ?? "") === ""

const width = (): number => Math.max(40, Math.min(process.stdout.isTTY ? (process.stdout.columns ?? 80) : 80, 120))

/** `text` in lines of at most `room` characters, broken at spaces. */
const wrap = (text: string, room: number): ReadonlyArray<string> => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > room) {
      lines.push(line)
      line = word
    } else line = line === "" ? word : `${line} ${word}`
  }
  return line === "" ? lines : [...lines, line]
}

const bold = (text: string) => (colourOn(process.stdout) ? `\x1b[1m${text}\x1b[0m` : text)

/** Terms and their texts in two columns, texts wrapped to the width; a long term puts its text on the next line. */
const columns = (entries: ReadonlyArray<Entry>): string => {
  const termWidth = Math.min(28, Math.max(0, ...entries.map((e) => e.term.length)))
  const room = Math.max(20, width() - termWidth - 4)
  return entries
    .flatMap(({ term, text }) => {
      const lines = wrap(text, room)
      const pad = " ".repeat(termWidth + 4)
      if (term.length > termWidth) return [`  ${bold(term)}`, ...lines.map((l) => pad + l)]
      const [first = "", ...rest] = lines
      return [
        `  ${bold(term)}${" ".repeat(termWidth - term.length + 2)}${first}`.trimEnd(),
        ...rest.map((l) => pad + l)
      ]
    })
    .join("\n")
}

const LOG_LEVELS = ["all", "trace", "debug", "info", "warning", "error", "fatal", "none"] as const

const GLOBAL: ReadonlyArray<Entry> = [
  { term: "-h, --help", text: "show the help of the command it follows" },
  { term: "--version", text: "show the version" },
  {
    term: "--log-level LEVEL",
    text: `${LOG_LEVELS.join("|")}, anywhere on the line: log at this level and above, on stderr`
  },
  { term: "--completions SHELL", text: "sh|bash|fish|zsh: print a completion script" }
]

const paragraph = (text: string) => wrap(text, width()).join("\n")

const section = (title: string, body: string) => `${bold(title)}\n${body}`

const summaryOf = (node: Node): string => sections(node.help()).description

/** A command and its arguments: `alerts get <ID>`. */
const synopsis = (node: Node): string => [...node.path, ...sections(node.help()).arguments.map((a) => a.term)].join(" ")

/** The help of a command, as plain text (bold titles and flags on a terminal without `NO_COLOR`). */
const renderHelp = (node: Node): string => {
  const own = sections(node.help())
  const parts: Array<string> = []
  if (node === tree) {
    parts.push(paragraph(`threatstack ${ThreatStackClient.version}: ${own.description}`))
    parts.push(section("USAGE", "  threatstack <command> <subcommand> [options]"))
    const commands = node.children.flatMap(([, child]) =>
      child.children.length === 0
        ? [{ term: synopsis(child), text: summaryOf(child) }]
        : child.children.map(([, leaf]) => ({ term: synopsis(leaf), text: summaryOf(leaf) }))
    )
    parts.push(section("COMMANDS", columns(commands)))
    parts.push(section("GLOBAL OPTIONS", columns(GLOBAL)))
    parts.push(paragraph("'threatstack <command> <subcommand> --help' shows the options of a command."))
  } else if (node.children.length > 0) {
    parts.push(section("USAGE", `  ${commandLine(node)} <subcommand> [options]`))
    if (own.description !== "") parts.push(paragraph(own.description))
    parts.push(
      section(
        "SUBCOMMANDS",
        columns(
          node.children.map(([, child]) => ({ term: synopsis(child).replace(/^\S+ /, ""), text: summaryOf(child) }))
        )
      )
    )
  } else {
    const args = own.arguments.map((a) => a.term).join(" ")
    parts.push(section("USAGE", `  ${commandLine(node)} [options]${args === "" ? "" : ` ${args}`}`))
    if (own.description !== "") parts.push(paragraph(own.description))
    if (own.arguments.length > 0) parts.push(section("ARGUMENTS", columns(own.arguments)))
    if (own.options.length > 0) parts.push(section("OPTIONS", columns(own.options)))
    if (own.options.some((o) => o.term.endsWith(" TIME"))) parts.push(paragraph(`TIME: ${CliCommon.TIME_FORMS}.`))
    parts.push(section("GLOBAL OPTIONS", columns(GLOBAL)))
  }
  return `${parts.join("\n\n")}\n`
}

/** What `@effect/cli` says when it refuses a command line, in the words of this one. */
const refusal = (said: string, node: Node, args: ReadonlyArray<string>): string => {
  const command = `'${commandLine(node)}'`
  // a flag built with Options.integer and the like: '<value>' is not a integer (a float, a date, …)
  const notA = /^'(.*)' is not an? (.*)$/.exec(said)
  if (notA !== null) {
    const [, value = "", kind = ""] = notA
    const at = args.findIndex((arg, i) => arg.startsWith("-") && (args[i + 1] === value || arg.endsWith(`=${value}`)))
    const flag = at === -1 ? "" : `${(args[at] ?? "").split("=")[0]} must be `
    return `${flag}${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind}, not '${value}'`
  }
  const unknown = /^Received unknown argument: '(.*)'$/.exec(said)?.[1]
  if (unknown !== undefined) {
    const option = sections(node.help()).options.find((o) => o.term.split(" ")[0] === unknown)
    if (option !== undefined) return `${unknown} needs a value: ${option.term}`
    return `${command} has no option or argument '${unknown}' (see ${commandLine(node)} --help)`
  }
  const missing = /^Expected to find option: '(.*)'$/.exec(said)?.[1] ?? /^Missing argument (.*)$/.exec(said)?.[1]
  if (missing !== undefined) return `${command} needs ${missing} (see ${commandLine(node)} --help)`
  return said
}

// -- log level

/**
 * `--log-level LEVEL` taken out of the command line wherever it is (before
 * a `--`), and the rest of the line.
 */
const takeLogLevel = (
  args: ReadonlyArray<string>
): { readonly args: ReadonlyArray<string>; readonly level: Option.Option<string> } => {
  const rest: Array<string> = []
  let level = Option.none<string>()
  let done = false
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ""
    if (arg === "--") done = true
    if (!done && arg === "--log-level") {
      level = Option.some(args[i + 1] ?? "")
      i++
    } else if (!done && arg.startsWith("--log-level=")) level = Option.some(arg.slice("--log-level=".length))
    else rest.push(arg)
  }
  return { args: rest, level }
}

const logLevel = (text: string): Effect.Effect<LogLevel.LogLevel, CliFailure> => {
  const level = LogLevel.allLevels.find((l) => l.label.toLowerCase() === text.toLowerCase())
  return level === undefined || !(LOG_LEVELS as ReadonlyArray<string>).includes(text.toLowerCase())
    ? Effect.fail(CliCommon.usage(`--log-level must be ${CliCommon.orList(LOG_LEVELS)}, not '${text}'`))
    : Effect.succeed(level)
}

/**
 * Log lines go to stderr, always, whatever loggers the runtime installed
 * (`NodeRuntime.runMain` installs one on stdout): stdout holds only what was
 * asked for (records, JSON). Coloured when stderr is a terminal and
 * `NO_COLOR` is unset.
 */
const logToStderr = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.locally(
    effect,
    FiberRef.currentLoggers,
    HashSet.make(
      Logger.prettyLogger({
        stderr: true,
        colors: colourOn(process.stderr)
      })
    )
  )

/** `@effect/cli` prints its refusals itself, coloured: this console drops them, and they are reported as ours. */
const withoutCliErrors = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.consoleWith((console) => Effect.withConsole(effect, { ...console, error: () => Effect.void }))

const report = (failure: CliFailure) =>
  Effect.sync(() => {
    process.stderr.write(`threatstack: ${CliOutput.escapeControls(failure.message)}\n`)
    return failure.code
  })

/**
 * Runs the command line on `argv` (as `process.argv`) and returns the exit
 * code. The words before the options are checked here (a wrong one is named,
 * with what is allowed there), `--help` is rendered here (plain when stdout
 * is not a terminal or `NO_COLOR` is set), `--log-level` is taken from
 * anywhere on the line, logs go to stderr, and every failure is one line on
 * stderr starting `threatstack:`.
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
export const run = (argv: ReadonlyArray<string>): Effect.Effect<number, never, CliApp.CliApp.Environment> =>
  Effect.gen(function* () {
    const taken = takeLogLevel(CliCommon.stdinArgs(argv).slice(2))
    const level = Option.isSome(taken.level) ? yield* logLevel(taken.level.value) : LogLevel.Info
    const where = route(taken.args)
    if (where._tag === "Help") {
      yield* CliOutput.write(renderHelp(where.node))
      return ExitCode.ok
    }
    if (where._tag === "Wrong") return yield* CliCommon.usage(where.message)
    // anywhere on the line, as @effect/cli takes it, but one line: its own answer ends in a blank one
    if (wordsOf(taken.args).includes("--version")) {
      yield* CliOutput.write(`${ThreatStackClient.version}\n`)
      return ExitCode.ok
    }
    yield* withoutCliErrors(
      Command.run(command, { name: "threatstack", version: ThreatStackClient.version })([
        ...argv.slice(0, 2),
        ...taken.args
      ])
    ).pipe(
      Effect.mapError((error) =>
        ValidationError.isValidationError(error)
          ? CliCommon.usage(refusal(plainText(error.error), where.node, taken.args))
          : failureOf(error)
      ),
      Logger.withMinimumLogLevel(level),
      logToStderr
    )
    return ExitCode.ok
  }).pipe(Effect.catchAll(report))
