/**
 * The command line's v2 commands, over `ThreatStackV2`.
 *
 * ```
 * threatstack vulnerabilities list [--active] [--agent-id ID] [--has-security-notices]
 * threatstack vulnerabilities get CVE | servers CVE | suppressions
 * threatstack servers list [--monitored | --unmonitored] [--verbose]
 * threatstack rulesets list [--agent-id ID] | get ID
 * threatstack rulesets create --name N [--description D] [--rule-id ID …]
 * threatstack rulesets update ID [--name N] [--description D] [--rule-id ID …]
 * threatstack rulesets delete ID [--yes]
 * threatstack rules list RULESET_ID | get RULESET_ID RULE_ID | tags RULE_ID
 * threatstack rules create RULESET_ID --file rule.json | update RULESET_ID RULE_ID --file rule.json
 * threatstack rules delete RULESET_ID RULE_ID
 * threatstack members list [--enabled-only] | add --id ID --role R | remove USER_ID | invite --email E --role R
 * threatstack audit-logs list [--from …] [--until …] [--operation OP] [--user-email E] [--by-user-id ID]
 * threatstack alerts events ID | severity-counts [--from …] [--until …]
 * threatstack alerts dismiss ID… --reason R [--text T] | dismiss --where --from … --until … [--severity N] …
 * ```
 *
 * The v2 parts of `agents` and `alerts` (which exist in both generations)
 * are here too; `Cli` puts them beside the v1 ones. Every write takes
 * `--dry-run`; a write that removes or dismisses more than one thing (a
 * dismissal of several alerts, any `dismiss --where`, `rulesets delete`,
 * which takes the ruleset's rules with it) asks on a terminal and needs
 * `--yes` elsewhere.
 *
 * @since 0.2.0
 */
import { Args, Command, Options } from "@effect/cli"
import { Effect, Option, ParseResult, Schema, Stream } from "effect"
import { ThreatStackError, ThreatStackV2, TimeRange, V2 } from "@effect-threatstack/core"
import * as CliCommon from "./CliCommon.js"
import { CliFailure, ExitCode, recordFormat, usage } from "./CliCommon.js"
import * as CliOutput from "./CliOutput.js"

type Listing = {
  readonly fields: Option.Option<string>
  readonly limit: Option.Option<number>
  readonly format: CliOutput.Format
}

type Failure = ThreatStackError.ThreatStackError | CliFailure | ThreatStackError.ConfigurationError

/** The columns a v2 table shows when no `--fields` are given, by spec key. */
const COLUMNS = {
  agents: ["id", "hostname", "status", "agentType", "version", "lastReportedAt"],
  alerts: ["id", "createdAt", "severity", "title", "isDismissed"],
  vulnerabilities: ["cveNumber", "severity", "reportedPackage", "vectorType", "isSuppressed"],
  affected: ["agentId", "hostname"],
  servers: ["id", "region", "instanceType", "state", "monitored", "privateIpAddress"],
  rulesets: ["id", "name", "description", "ruleIds"],
  rules: ["id", "name", "type", "severityOfAlerts", "enabled", "alertDescription"],
  members: ["id", "displayName", "email", "role", "mfaEnabled", "userEnabled"],
  auditLogs: ["eventTime", "userEmail", "action", "result", "description"]
} as const

const optional = <A>(o: Option.Option<A>): A | undefined => Option.getOrUndefined(o)
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`

const text = (name: string, description: string, pseudoName = "TEXT") =>
  Options.text(name).pipe(Options.withPseudoName(pseudoName), Options.optional, Options.withDescription(description))
const flag = (name: string, description: string) => Options.boolean(name).pipe(Options.withDescription(description))

const timeFilters = {
  from: CliCommon.time("from", "start", "v2: from this time"),
  until: CliCommon.time("until", "end", "v2: until this time")
}

const severity = CliCommon.choiceOf(
  "severity",
  [
    ["1", 1 as const],
    ["2", 2 as const],
    ["3", 3 as const]
  ],
  "1 high, 2 medium, 3 low"
).pipe(Options.optional)

/** Runs `f` with the v2 service, after checking the command exists in v2 only (no `--api-version 1`). */
const onlyV2 = <A, E>(
  command: string,
  o: CliCommon.V2Flags,
  f: (ts: ThreatStackV2.Service) => Effect.Effect<A, E>
): Effect.Effect<A, E | CliFailure | ThreatStackError.ConfigurationError | ThreatStackError.InvalidArgument> =>
  Effect.zipRight(CliCommon.generationOf(command, [2], o.apiVersion), CliCommon.withV2(o, f))

const pick = (record: object, names: ReadonlyArray<string>): object => {
  const fields = new Map<string, unknown>(Object.entries(record))
  return Object.fromEntries(names.map((name) => [name, fields.get(name)]))
}

/**
 * Writes a v2 listing: `--fields` keeps those fields (v2 has no server-side
 * projection), `--limit` stops early, `--format` as for v1.
 *
 * @since 0.2.0
 */
export const writeListing = <E>(
  stream: Stream.Stream<object, E>,
  o: Listing,
  columns: ReadonlyArray<string> | undefined,
  what: string
): Effect.Effect<void, E> => {
  const fields = CliCommon.fieldNames(o.fields)
  const picked = Option.match(fields, {
    onNone: () => stream,
    onSome: (names) => Stream.map(stream, (record) => pick(record, names))
  })
  const limited = Option.match(o.limit, { onNone: () => picked, onSome: (n) => Stream.take(picked, n) })
  return CliOutput.writeStream(
    limited,
    o.format,
    Option.getOrElse(fields, () => columns),
    what
  )
}

const notFound = (message: string) => new CliFailure({ message, code: ExitCode.notFound })

const printFound = (what: string, format: "table" | "json") =>
  Option.match({
    onNone: () => Effect.fail(notFound(`${what} not found`)),
    onSome: (record: object) => CliCommon.printOne(record, format)
  })

/**
 * `get` in v2: the record, or exit code 3 when the API answers 404.
 *
 * @since 0.2.0
 */
export const getOne = (
  spec: { readonly singular: string },
  o: CliCommon.V2Connection & { readonly format: "table" | "json"; readonly id: string },
  get: (
    ts: ThreatStackV2.Service,
    id: string
  ) => Effect.Effect<Option.Option<object>, ThreatStackError.ThreatStackError>
) => CliCommon.withV2(o, (ts) => Effect.flatMap(get(ts, o.id), printFound(`${spec.singular} ${o.id}`, o.format)))

/** `get ID` of a v2-only resource. */
const getCommand = (
  spec: { readonly key: string; readonly singular: string },
  argument: string,
  get: (
    ts: ThreatStackV2.Service,
    id: string
  ) => Effect.Effect<Option.Option<object>, ThreatStackError.ThreatStackError>
) =>
  Command.make("get", { ...CliCommon.v2Options, format: recordFormat, id: Args.text({ name: argument }) }, (o) =>
    onlyV2(`${spec.key} get`, o, (ts) =>
      Effect.flatMap(get(ts, o.id), printFound(`${spec.singular} ${o.id}`, o.format))
    )
  ).pipe(Command.withDescription(`get one ${spec.singular} (exit code ${ExitCode.notFound} when not found)`))

// ---------------------------------------------------------------------------
// writes

const writeOptions = {
  dryRun: flag("dry-run", "print what would be sent (method, path, JSON body) and send nothing")
}

const yes = {
  yes: flag("yes", "confirm without asking (needed when stdin is not a terminal)").pipe(Options.withAlias("y"))
}

type WriteFlags = CliCommon.V2Flags & { readonly dryRun: boolean }

/** An answer the dry run made up (its `200 {}` to a write), not one from the API. */
const madeUp = (error: unknown): boolean =>
  error instanceof ThreatStackError.ThreatStackAPIError && error.reason === "InvalidResponse" && error.method !== "GET"

const renderUnsent = (unsent: ReadonlyArray<CliCommon.Unsent>): string =>
  [
    ...unsent.map(
      (request) =>
        `${request.method} ${request.path}\n${request.body === undefined ? "" : `${JSON.stringify(request.body, null, 2)}\n`}`
    ),
    `dry run: ${plural(unsent.length, "request")} not sent\n`
  ].join("\n")

/**
 * Runs a write: `perform` with the v2 service, then `report` of its result;
 * with `--dry-run`, `perform` runs over a client that sends reads (what a
 * write needs to know first) and keeps writes, which are printed instead.
 */
const runWrite = <A>(
  o: WriteFlags,
  perform: (ts: ThreatStackV2.Service) => Effect.Effect<A, ThreatStackError.ThreatStackError | CliFailure>,
  report: (result: A) => Effect.Effect<void, CliFailure>
): Effect.Effect<void, Failure> => {
  if (!o.dryRun) return Effect.flatMap(CliCommon.withV2(o, perform), report)
  return Effect.gen(function* () {
    const unsent: Array<CliCommon.Unsent> = []
    yield* Effect.provide(Effect.flatMap(ThreatStackV2.ThreatStackV2, perform), CliCommon.v2Layer(o, unsent)).pipe(
      Effect.asVoid,
      Effect.catchIf(madeUp, () => Effect.void)
    )
    yield* CliOutput.write(renderUnsent(unsent))
  })
}

const isReason =
  (reason: ThreatStackError.Reason) =>
  (error: unknown): boolean =>
    error instanceof ThreatStackError.ThreatStackAPIError && error.reason === reason

/** A conflict (409) as one line of ours, exit code `conflict`. */
const onConflict =
  (message: string) =>
  <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E | CliFailure> =>
    Effect.catchIf(effect, isReason("Conflict"), () =>
      Effect.fail(new CliFailure({ message, code: ExitCode.conflict }))
    )

const done = (line: string) => () => CliOutput.write(`${line}\n`)

// ---------------------------------------------------------------------------
// agents and alerts: the v2 halves of commands that exist in both generations

/**
 * The v2 filters of `agents list`.
 *
 * @since 0.2.0
 */
export const agentFilters = {
  status: CliCommon.choice("status", ["online", "offline"], "v2, required there: online or offline").pipe(
    Options.optional
  ),
  type: CliCommon.choice("type", ["monitor", "investigate"], "v2: the agent type").pipe(Options.optional),
  hostname: text("hostname", "v2: only this hostname"),
  ...timeFilters
}

/**
 * `agents list` in v2.
 *
 * @since 0.2.0
 */
export const listAgents = (
  o: CliCommon.V2Flags & Listing & Command.Command.ParseConfig<typeof agentFilters>
): Effect.Effect<void, Failure> =>
  Option.match(o.status, {
    onNone: () => Effect.fail(usage("agents list in v2 needs --status online or --status offline")),
    onSome: (status) =>
      CliCommon.withV2(o, (ts) =>
        writeListing(
          ts.agents.list({
            status,
            type: optional(o.type),
            hostname: optional(o.hostname),
            from: optional(o.from),
            until: optional(o.until)
          }),
          o,
          COLUMNS.agents,
          "agents"
        )
      )
  })

/**
 * The v2 filters of `alerts list`.
 *
 * @since 0.2.0
 */
export const alertFilters = {
  status: CliCommon.choice("status", ["active", "dismissed"], "v2: active (default) or dismissed").pipe(
    Options.optional
  ),
  severity,
  "agent-id": text("agent-id", "v2: the alerts of this agent"),
  "rule-id": text("rule-id", "v2: the alerts of this rule (active alerts only)"),
  "ruleset-id": text("ruleset-id", "v2: the alerts of this ruleset (active alerts only)"),
  ...timeFilters
}

/**
 * `alerts list` in v2.
 *
 * @since 0.2.0
 */
export const listAlerts = (o: CliCommon.V2Flags & Listing & Command.Command.ParseConfig<typeof alertFilters>) =>
  CliCommon.withV2(o, (ts) =>
    writeListing(
      ts.alerts.list({
        status: optional(o.status),
        severity: optional(o.severity),
        agentId: optional(o["agent-id"]),
        ruleId: optional(o["rule-id"]),
        rulesetId: optional(o["ruleset-id"]),
        from: optional(o.from),
        until: optional(o.until)
      }),
      o,
      COLUMNS.alerts,
      "alerts"
    )
  )

const events = Command.make(
  "events",
  { ...CliCommon.v2Options, ...CliCommon.outputOptions, id: Args.text({ name: "ID" }) },
  (o) =>
    onlyV2("alerts events", o, (ts) =>
      Effect.flatMap(ts.alerts.events(o.id), (found) =>
        writeListing(Stream.fromIterable(found), o, undefined, "events")
      )
    )
).pipe(Command.withDescription("v2: the events that raised an alert"))

const severityCounts = Command.make(
  "severity-counts",
  { ...CliCommon.v2Options, ...timeFilters, format: CliCommon.outputOptions.format },
  (o) =>
    onlyV2("alerts severity-counts", o, (ts) =>
      Effect.flatMap(ts.alerts.severityCounts({ from: optional(o.from), until: optional(o.until) }), (counts) =>
        CliOutput.writeStream(
          Stream.fromIterable<object>(
            o.format === "table"
              ? counts.map((c) => ({ severity: CliOutput.severity(c.severity), count: c.count }))
              : counts
          ),
          o.format,
          ["severity", "count"],
          "alerts"
        )
      )
    )
).pipe(Command.withDescription("v2: how many alerts of each severity (dismissed ones included)"))

const dismiss = Command.make(
  "dismiss",
  {
    ...CliCommon.v2Options,
    ...writeOptions,
    ...yes,
    ids: Args.text({ name: "ID" }).pipe(
      Args.repeated,
      Args.withDescription("alert ids; '-' alone reads them from stdin, one a line")
    ),
    reason: CliCommon.choice(
      "reason",
      ["BUSINESS_OP", "COMPANY_POLICY", "MAINTENANCE", "OTHER"],
      "why: BUSINESS_OP, COMPANY_POLICY, MAINTENANCE or OTHER (OTHER needs --text)"
    ),
    text: text("text", "the words of an OTHER reason"),
    where: flag("where", "dismiss by query: the alerts from --from until --until matching the filters below"),
    ...timeFilters,
    severity,
    ruleId: text("rule-id", "with --where: the alerts of this rule"),
    agentId: text("agent-id", "with --where: the alerts of this agent")
  },
  (o) =>
    Effect.gen(function* () {
      yield* CliCommon.generationOf("alerts dismiss", [2], o.apiVersion)
      // what the SDK would refuse is refused before anyone is asked to confirm
      if (o.reason === "OTHER" && Option.isNone(o.text)) return yield* usage("--reason OTHER needs --text")
      if (o.reason !== "OTHER" && Option.isSome(o.text)) return yield* usage("--text goes with --reason OTHER only")
      const because = { reason: o.reason, text: optional(o.text) }
      if (o.where) {
        if (o.ids.length > 0) return yield* usage("give alert ids or --where, not both")
        const from = Option.getOrUndefined(o.from)
        const until = Option.getOrUndefined(o.until)
        if (from === undefined || until === undefined) return yield* usage("--where needs --from and --until")
        const criteria = [
          ...Option.toArray(Option.map(o.severity, (s) => `severity ${s}`)),
          ...Option.toArray(Option.map(o.ruleId, (id) => `rule ${id}`)),
          ...Option.toArray(Option.map(o.agentId, (id) => `agent ${id}`))
        ]
        if (criteria.length === 0) {
          return yield* usage("--where needs at least one of --severity, --rule-id, --agent-id")
        }
        const window = yield* TimeRange.toV2Query({ from, until })
        const what = `the alerts from ${window.from} until ${window.until} (UTC) with ${criteria.join(" or ")}`
        if (!o.dryRun) yield* CliCommon.confirm(`Dismiss ${what}?`, o.yes)
        return yield* runWrite(
          o,
          (ts) =>
            ts.alerts.dismissWhere({
              from,
              until,
              severity: optional(o.severity),
              ruleId: optional(o.ruleId),
              agentId: optional(o.agentId),
              ...because
            }),
          done(`dismissed ${what} (${o.reason})`)
        )
      }
      const query: ReadonlyArray<readonly [string, Option.Option<unknown>]> = [
        ["from", o.from],
        ["until", o.until],
        ["severity", o.severity],
        ["rule-id", o.ruleId],
        ["agent-id", o.agentId]
      ]
      for (const [name, value] of query) {
        if (Option.isSome(value)) return yield* usage(`--${name} selects alerts with --where only`)
      }
      const ids = yield* CliCommon.idsFrom(o.ids)
      if (ids.length === 0) {
        return yield* usage(
          o.ids.length > 0
            ? "no alert ids on stdin"
            : "give the ids of the alerts to dismiss ('-' reads them from stdin), or --where with --from and --until"
        )
      }
      if (ids.length > 1 && !o.dryRun) yield* CliCommon.confirm(`Dismiss ${ids.length} alerts?`, o.yes)
      return yield* runWrite(
        o,
        (ts) => ts.alerts.dismiss({ ids, ...because }),
        done(`dismissed ${plural(ids.length, "alert")} (${o.reason})`)
      )
    })
).pipe(
  Command.withDescription(
    "v2: dismiss alerts by id, or by query with --where (more than one asks first: --yes when not on a terminal)"
  )
)

/**
 * The subcommands of `alerts` that exist in v2 only.
 *
 * @since 0.2.0
 */
export const alertCommands = [events, severityCounts, dismiss] as const

// ---------------------------------------------------------------------------
// the v2-only resources

const vulnerabilities = (() => {
  const spec = V2.Vulnerabilities.spec
  const list = Command.make(
    "list",
    {
      ...CliCommon.v2Options,
      ...CliCommon.outputOptions,
      active: flag("active", "only the CVEs still present"),
      agentId: text("agent-id", "the CVEs of this agent"),
      hasSecurityNotices: flag("has-security-notices", "only CVEs with a security notice")
    },
    (o) =>
      onlyV2(`${spec.key} list`, o, (ts) =>
        writeListing(
          ts.vulnerabilities.list({
            active: o.active ? true : undefined,
            agentId: optional(o.agentId),
            hasSecurityNotices: o.hasSecurityNotices ? true : undefined
          }),
          o,
          COLUMNS.vulnerabilities,
          "vulnerabilities"
        )
      )
  ).pipe(Command.withDescription(`list ${spec.key}`))
  const servers = Command.make(
    "servers",
    { ...CliCommon.v2Options, ...CliCommon.outputOptions, cve: Args.text({ name: "CVE" }) },
    (o) =>
      onlyV2(`${spec.key} servers`, o, (ts) =>
        writeListing(ts.vulnerabilities.servers(o.cve), o, COLUMNS.affected, "servers")
      )
  ).pipe(Command.withDescription("the servers a CVE affects"))
  const suppressions = Command.make("suppressions", { ...CliCommon.v2Options, ...CliCommon.outputOptions }, (o) =>
    onlyV2(`${spec.key} suppressions`, o, (ts) =>
      writeListing(ts.vulnerabilities.suppressions(), o, undefined, "suppressions")
    )
  ).pipe(Command.withDescription("the vulnerability suppressions"))
  const get = getCommand(spec, "CVE", (ts, id) => ts.vulnerabilities.get(id))
  return Command.make(spec.key).pipe(
    Command.withDescription(`v2: the ${spec.key} (CVEs)`),
    Command.withSubcommands([list, ...(spec.get ? [get] : []), servers, suppressions])
  )
})()

const servers = (() => {
  const spec = V2.Servers.spec
  const list = Command.make(
    "list",
    {
      ...CliCommon.v2Options,
      ...CliCommon.outputOptions,
      monitored: flag("monitored", "only servers with an agent"),
      unmonitored: flag("unmonitored", "only servers without an agent"),
      verbose: flag("verbose", "with the agents of each monitored server")
    },
    (o) =>
      o.monitored && o.unmonitored
        ? Effect.fail(usage("--monitored or --unmonitored, not both"))
        : onlyV2(`${spec.key} list`, o, (ts) =>
            writeListing(
              ts.servers.list({
                monitored: o.monitored ? true : o.unmonitored ? false : undefined,
                verbose: o.verbose ? true : undefined
              }),
              o,
              COLUMNS.servers,
              "servers"
            )
          )
  ).pipe(Command.withDescription("list the EC2 servers, monitored or not"))
  return Command.make(spec.key).pipe(
    Command.withDescription(`v2: the EC2 ${spec.key}`),
    Command.withSubcommands([list])
  )
})()

const rulesets = (() => {
  const spec = V2.Rulesets.spec
  const list = Command.make(
    "list",
    { ...CliCommon.v2Options, ...CliCommon.outputOptions, agentId: text("agent-id", "the rulesets of this agent") },
    (o) =>
      onlyV2(`${spec.key} list`, o, (ts) =>
        writeListing(ts.rulesets.list({ agentId: optional(o.agentId) }), o, COLUMNS.rulesets, "rulesets")
      )
  ).pipe(Command.withDescription(`list ${spec.key}`))
  const get = getCommand(spec, "ID", (ts, id) => ts.rulesets.get(id))
  const ruleIds = Options.text("rule-id").pipe(
    Options.repeated,
    Options.withDescription("a rule it holds (repeat for each)")
  )
  const create = Command.make(
    "create",
    {
      ...CliCommon.v2Options,
      ...writeOptions,
      format: recordFormat,
      name: Options.text("name").pipe(Options.withDescription("1 to 200 characters, unique in the organization")),
      description: text("description", "what it is for"),
      ruleIds
    },
    (o) =>
      Effect.zipRight(
        CliCommon.generationOf(`${spec.key} create`, [2], o.apiVersion),
        runWrite(
          o,
          (ts) =>
            ts.rulesets
              .create({ name: o.name, description: optional(o.description), ruleIds: o.ruleIds })
              .pipe(onConflict(`a ruleset named ${JSON.stringify(o.name)} exists already`)),
          (created) => CliCommon.printOne(created, o.format)
        )
      )
  ).pipe(Command.withDescription(`create a ruleset (exit code ${ExitCode.conflict} when the name is taken)`))
  const update = Command.make(
    "update",
    {
      ...CliCommon.v2Options,
      ...writeOptions,
      format: recordFormat,
      id: Args.text({ name: "ID" }),
      name: text("name", "the new name"),
      description: text("description", "the new description"),
      ruleIds
    },
    (o) =>
      Effect.gen(function* () {
        yield* CliCommon.generationOf(`${spec.key} update`, [2], o.apiVersion)
        if (Option.isNone(o.name) && Option.isNone(o.description) && o.ruleIds.length === 0) {
          return yield* usage("nothing to update: give --name, --description or --rule-id")
        }
        return yield* runWrite(
          o,
          (ts) =>
            Effect.gen(function* () {
              // an update replaces the whole ruleset: what is not given is kept from the current one
              const complete = Option.isSome(o.name) && Option.isSome(o.description) && o.ruleIds.length > 0
              const current = complete ? Option.none() : yield* ts.rulesets.get(o.id)
              if (!complete && Option.isNone(current)) return yield* notFound(`ruleset ${o.id} not found`)
              const kept = Option.getOrUndefined(current)
              const name = Option.getOrElse(o.name, () => kept?.name ?? "")
              return yield* ts.rulesets
                .update(o.id, {
                  name,
                  description: Option.getOrElse(o.description, () => kept?.description ?? undefined),
                  ruleIds: o.ruleIds.length > 0 ? o.ruleIds : (kept?.ruleIds ?? [])
                })
                .pipe(onConflict(`a ruleset named ${JSON.stringify(name)} exists already`))
            }),
          (updated) => CliCommon.printOne(updated, o.format)
        )
      })
  ).pipe(Command.withDescription("update a ruleset: what is not given is kept (--rule-id replaces the rule list)"))
  const remove = Command.make(
    "delete",
    { ...CliCommon.v2Options, ...writeOptions, ...yes, id: Args.text({ name: "ID" }) },
    (o) =>
      Effect.gen(function* () {
        yield* CliCommon.generationOf(`${spec.key} delete`, [2], o.apiVersion)
        if (!o.dryRun) yield* CliCommon.confirm(`Delete ruleset ${o.id} and its rules?`, o.yes)
        return yield* runWrite(o, (ts) => ts.rulesets.delete(o.id), done(`deleted ruleset ${o.id}`))
      })
  ).pipe(Command.withDescription("delete a ruleset and its rules (asks first: --yes when not on a terminal)"))
  return Command.make(spec.key).pipe(
    Command.withDescription(`v2: the ${spec.key}, which hold the rules`),
    Command.withSubcommands([list, ...(spec.get ? [get] : []), create, update, remove])
  )
})()

/** A rule from a JSON file (`-`: stdin), checked against `RuleInput`; fields it does not have (an id, times) are dropped. */
const ruleFromFile = (path: string): Effect.Effect<V2.Rules.RuleInput, CliFailure> =>
  Effect.flatMap(CliCommon.readJsonFile(path), (json) =>
    Effect.mapError(Schema.decodeUnknown(V2.Rules.RuleInput)(json), (error) => {
      const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
      const at = issue === undefined || issue.path.length === 0 ? "" : ` at ${issue.path.join(".")}`
      return usage(`${CliCommon.sourceName(path)} is not a rule${at}: ${issue?.message ?? "invalid"}`)
    })
  )

const rules = (() => {
  const spec = V2.Rules.spec
  const rulesetId = Args.text({ name: "RULESET_ID" })
  const ruleId = Args.text({ name: "RULE_ID" })
  const file = Options.text("file").pipe(
    Options.withDescription("the rule as JSON ('-': stdin); a rule from `rules get --format json` will do")
  )
  const list = Command.make("list", { ...CliCommon.v2Options, ...CliCommon.outputOptions, rulesetId }, (o) =>
    onlyV2(`${spec.key} list`, o, (ts) => writeListing(ts.rules.list(o.rulesetId), o, COLUMNS.rules, "rules"))
  ).pipe(Command.withDescription("list the rules of a ruleset"))
  const get = Command.make("get", { ...CliCommon.v2Options, format: recordFormat, rulesetId, ruleId }, (o) =>
    onlyV2(`${spec.key} get`, o, (ts) =>
      Effect.flatMap(
        ts.rules.get(o.rulesetId, o.ruleId),
        printFound(`rule ${o.ruleId} of ruleset ${o.rulesetId}`, o.format)
      )
    )
  ).pipe(Command.withDescription(`get one rule (exit code ${ExitCode.notFound} when not found)`))
  const tags = Command.make("tags", { ...CliCommon.v2Options, format: recordFormat, ruleId }, (o) =>
    onlyV2(`${spec.key} tags`, o, (ts) =>
      Effect.flatMap(ts.rules.tags(o.ruleId), (found) => {
        const set = Option.getOrElse(found, () => ({ inclusion: [], exclusion: [] }))
        if (o.format === "json") return CliCommon.printOne(set, "json")
        const rows = [
          ...set.inclusion.map((tag) => ({ filter: "include", ...tag })),
          ...set.exclusion.map((tag) => ({ filter: "exclude", ...tag }))
        ]
        return CliOutput.write(CliOutput.table(rows, ["filter", "source", "key", "value"]))
      })
    )
  ).pipe(Command.withDescription("the EC2 tag filters of a rule (none: an empty table)"))
  const create = Command.make(
    "create",
    { ...CliCommon.v2Options, ...writeOptions, format: recordFormat, rulesetId, file },
    (o) =>
      Effect.gen(function* () {
        yield* CliCommon.generationOf(`${spec.key} create`, [2], o.apiVersion)
        const rule = yield* ruleFromFile(o.file)
        return yield* runWrite(
          o,
          (ts) => ts.rules.create(o.rulesetId, rule),
          (created) => CliCommon.printOne(created, o.format)
        )
      })
  ).pipe(Command.withDescription("create a rule in a ruleset from a JSON file"))
  const update = Command.make(
    "update",
    { ...CliCommon.v2Options, ...writeOptions, format: recordFormat, rulesetId, ruleId, file },
    (o) =>
      Effect.gen(function* () {
        yield* CliCommon.generationOf(`${spec.key} update`, [2], o.apiVersion)
        const rule = yield* ruleFromFile(o.file)
        return yield* runWrite(
          o,
          (ts) => ts.rules.update(o.rulesetId, o.ruleId, rule),
          (updated) => CliCommon.printOne(updated, o.format)
        )
      })
  ).pipe(Command.withDescription("replace a rule with the one in a JSON file"))
  const remove = Command.make("delete", { ...CliCommon.v2Options, ...writeOptions, rulesetId, ruleId }, (o) =>
    Effect.zipRight(
      CliCommon.generationOf(`${spec.key} delete`, [2], o.apiVersion),
      runWrite(
        o,
        (ts) => ts.rules.delete(o.rulesetId, o.ruleId),
        done(`deleted rule ${o.ruleId} of ruleset ${o.rulesetId}`)
      )
    )
  ).pipe(Command.withDescription("delete one rule"))
  return Command.make(spec.key).pipe(
    Command.withDescription(`v2: the ${spec.key} of the rulesets`),
    Command.withSubcommands([list, ...(spec.get ? [get] : []), tags, create, update, remove])
  )
})()

const members = (() => {
  const spec = V2.Members.spec
  const role = CliCommon.choice(
    "role",
    ["owner", "user", "reader"],
    "owner, user or reader (only an owner may grant owner)"
  )
  const list = Command.make(
    "list",
    {
      ...CliCommon.v2Options,
      ...CliCommon.outputOptions,
      enabledOnly: flag("enabled-only", "leave out disabled users")
    },
    (o) =>
      onlyV2(`${spec.key} list`, o, (ts) =>
        writeListing(ts.members.list({ enabledOnly: o.enabledOnly ? true : undefined }), o, COLUMNS.members, "members")
      )
  ).pipe(Command.withDescription("list the members of the organization"))
  const add = Command.make(
    "add",
    {
      ...CliCommon.v2Options,
      ...writeOptions,
      format: recordFormat,
      id: Options.text("id").pipe(Options.withDescription("the user id of an existing Threat Stack user")),
      role
    },
    (o) =>
      Effect.zipRight(
        CliCommon.generationOf(`${spec.key} add`, [2], o.apiVersion),
        runWrite(
          o,
          (ts) => ts.members.add({ id: o.id, role: o.role }).pipe(onConflict(`user ${o.id} is a member already`)),
          (added) => CliCommon.printOne(added, o.format)
        )
      )
  ).pipe(Command.withDescription("add an existing user to the organization"))
  const remove = Command.make(
    "remove",
    { ...CliCommon.v2Options, ...writeOptions, member: Args.text({ name: "USER_ID" }) },
    (o) =>
      Effect.zipRight(
        CliCommon.generationOf(`${spec.key} remove`, [2], o.apiVersion),
        runWrite(o, (ts) => ts.members.remove(o.member), done(`removed member ${o.member}`))
      )
  ).pipe(Command.withDescription("remove a member from the organization"))
  const invite = Command.make(
    "invite",
    {
      ...CliCommon.v2Options,
      ...writeOptions,
      format: recordFormat,
      email: Options.text("email").pipe(Options.withDescription("where the invitation goes")),
      role
    },
    (o) =>
      Effect.zipRight(
        CliCommon.generationOf(`${spec.key} invite`, [2], o.apiVersion),
        runWrite(
          o,
          (ts) => ts.members.invite({ email: o.email, role: o.role }),
          (sent) => CliCommon.printOne(sent, o.format)
        )
      )
  ).pipe(Command.withDescription("invite someone by e-mail"))
  return Command.make(spec.key).pipe(
    Command.withDescription(`v2: the ${spec.key} of the organization`),
    Command.withSubcommands([list, add, remove, invite])
  )
})()

const auditLogs = (() => {
  const spec = V2.AuditLogs.spec
  const list = Command.make(
    "list",
    {
      ...CliCommon.v2Options,
      ...CliCommon.outputOptions,
      ...timeFilters,
      operation: text("operation", "e.g. create, update, delete"),
      userEmail: text("user-email", "what this user did"),
      byUserId: text("by-user-id", "what the user of this id did (--user-id is the key's own)")
    },
    (o) =>
      onlyV2(`${spec.key} list`, o, (ts) =>
        writeListing(
          ts.auditLogs.list({
            from: optional(o.from),
            until: optional(o.until),
            operation: optional(o.operation),
            userEmail: optional(o.userEmail),
            userId: optional(o.byUserId)
          }),
          o,
          COLUMNS.auditLogs,
          "audit log entries"
        )
      )
  ).pipe(Command.withDescription("list the audit log, newest first (default: the last 30 days)"))
  return Command.make(spec.key).pipe(Command.withDescription("v2: who did what, when"), Command.withSubcommands([list]))
})()

/**
 * The commands of the resources that exist in v2 only, in help order.
 *
 * @since 0.2.0
 */
export const commands = [vulnerabilities, servers, rulesets, rules, members, auditLogs] as const
