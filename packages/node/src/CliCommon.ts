/**
 * What the command line's two generations share: exit codes and the
 * expected failure, the choice of API generation, the connection flags and
 * the layers they build (v1, v2, the embedded fake, a dry run), and the
 * safety of writes (confirmation, ids from stdin, a rule from a file).
 *
 * @since 0.2.0
 */
import { createInterface } from "node:readline"
import { readFile } from "node:fs/promises"
import { HttpClient, HttpClientResponse } from "@effect/platform"
import type { HttpClientRequest } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { HelpDoc, Options, ValidationError } from "@effect/cli"
import { Config, ConfigProvider, Data, Effect, Either, Layer, Option, Redacted } from "effect"
import { type FakeThreatStack, ThreatStack, ThreatStackError, ThreatStackV2, TimeRange } from "@effect-threatstack/core"
import * as CliOutput from "./CliOutput.js"
import * as FakeServer from "./FakeServer.js"
import * as NodeHawkCrypto from "./NodeHawkCrypto.js"

/**
 * Exit codes, one per kind of failure.
 *
 * @example
 * ```ts
 * import { Cli } from "@effect-threatstack/node"
 *
 * if (process.exitCode === Cli.ExitCode.rateLimited) console.error("try again later")
 * if (process.exitCode === Cli.ExitCode.outcomeUnknown) console.error("look before you try again")
 * ```
 *
 * @since 0.1.0
 */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  /** A bad flag or argument, or a write that needs `--yes` and has no terminal to ask on. */
  usage: 2,
  notFound: 3,
  auth: 4,
  rateLimited: 5,
  timeout: 6,
  api: 7,
  /** v2: the write clashes with what exists (a ruleset name already taken, a member already there). */
  conflict: 8,
  /** v2: a create may or may not have been applied (timeout, dropped connection, 5xx): look before retrying. */
  outcomeUnknown: 9,
  /** The confirmation was declined: nothing was sent. */
  cancelled: 10
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

/**
 * A usage error (exit 2) with this message.
 *
 * @since 0.2.0
 * @category errors
 */
export const usage = (message: string): CliFailure => new CliFailure({ message, code: ExitCode.usage })

/**
 * The generated data of the embedded fake: a busy week, about 30 alerts an hour.
 *
 * @since 0.2.0
 */
export const demoFake: FakeThreatStack.Options = {
  counts: { alerts: 5_000, agents: 40, logs: 2_000 },
  span: "7 days"
}

// ---------------------------------------------------------------------------
// flags that check their values and name themselves when they are wrong

const invalidFlag = (message: string) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(message)))

/**
 * Words as a list people read: `a`, `a or b`, `a, b or c`.
 *
 * @since 0.2.0
 */
export const orList = (words: ReadonlyArray<string>): string =>
  words.length <= 1 ? words.join("") : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`

/**
 * `--name N`: a whole number of at least `min`. A wrong value is a usage
 * error that names the flag: `--limit must be a whole number of 1 or more, not '0'`.
 *
 * @since 0.2.0
 */
export const integer = (name: string, min: number, description: string): Options.Options<number> =>
  Options.text(name).pipe(
    Options.withPseudoName("N"),
    Options.withDescription(description),
    Options.mapEffect((text) => {
      const n = /^[+-]?\d+$/.test(text.trim()) ? Number(text) : Number.NaN
      return Number.isSafeInteger(n) && n >= min
        ? Effect.succeed(n)
        : invalidFlag(`--${name} must be a whole number of ${min} or more, not '${text}'`)
    })
  )

/**
 * `--name VALUE` where VALUE is one of `choices` (the text given on the
 * command line, and what it stands for). Help shows them as `a|b|c`; a wrong
 * one is a usage error that names the flag and lists them.
 *
 * @since 0.2.0
 */
export const choiceOf = <A>(
  name: string,
  choices: ReadonlyArray<readonly [string, A]>,
  description: string
): Options.Options<A> => {
  const names = choices.map(([text]) => text)
  return Options.text(name).pipe(
    Options.withPseudoName(names.join("|")),
    Options.withDescription(description),
    Options.mapEffect((text) => {
      const found = choices.find(([choice]) => choice === text)
      return found === undefined
        ? invalidFlag(`--${name} must be ${orList(names)}, not '${text}'`)
        : Effect.succeed(found[1])
    })
  )
}

/**
 * `--name VALUE` where VALUE is one of `choices`, as given.
 *
 * @since 0.2.0
 */
export const choice = <const C extends string>(
  name: string,
  choices: ReadonlyArray<C>,
  description: string
): Options.Options<C> =>
  choiceOf(
    name,
    choices.map((c) => [c, c] as const),
    description
  )

/**
 * What a `TIME` flag accepts, for its help and its error.
 *
 * @since 0.2.0
 */
export const TIME_FORMS =
  "2017-05-01, '2017-05-01 08:00:00', or ISO 8601 with a T: 2017-05-01T08:00, 2017-05-01T08:00:00.250Z, 2017-05-01T10:00:00+02:00 (no zone: UTC)"

/**
 * `--name TIME`, optional: a date or a time in one of the forms the API
 * takes (see `TimeRange.parseWire`), checked here so that a wrong one names
 * the flag and the forms: `edge` says whether it starts or ends a range. The
 * text is kept as given; the SDK reads it again.
 *
 * @since 0.2.0
 */
export const time = (
  name: string,
  edge: "start" | "end",
  description: string
): Options.Options<Option.Option<string>> =>
  Options.text(name).pipe(
    Options.withPseudoName("TIME"),
    Options.withDescription(`${description} (forms of TIME below)`),
    Options.mapEffect((text) =>
      Either.match(TimeRange.parse(edge, text), {
        onLeft: (error) =>
          TimeRange.parseWire(text) === undefined
            ? invalidFlag(`--${name} must be a date or a time (${TIME_FORMS}), not '${text}'`)
            : invalidFlag(`--${name}: ${error.detail}`),
        onRight: () => Effect.succeed<string>(text)
      })
    ),
    Options.optional
  )

// ---------------------------------------------------------------------------
// the generation

/**
 * An API generation: 1 (`/api/v1`, raw key) or 2 (`/v2`, Hawk).
 *
 * @since 0.2.0
 * @category models
 */
export type Generation = 1 | 2

/**
 * `--api-version 1|2`.
 *
 * @since 0.2.0
 */
export const apiVersion = choiceOf(
  "api-version",
  [
    ["1", 1 as const],
    ["2", 2 as const]
  ],
  "API generation, 1 or 2 (default: $THREATSTACK_API_VERSION, else 2 when a user id is set, else 1)"
).pipe(Options.optional)

const envText = (name: string) =>
  Config.option(Config.string(name)).pipe(
    Config.map(Option.filter((value) => value.trim() !== "")),
    Effect.orElseSucceed(() => Option.none<string>())
  )

/**
 * The generation a command uses. A command that exists in one generation
 * only uses it, and an `--api-version` that says otherwise is a usage error
 * (`$THREATSTACK_API_VERSION` only picks between generations, so a shell
 * that exports it can still run every command). A command that exists in
 * both uses `--api-version`, else `$THREATSTACK_API_VERSION`, else v2 when a
 * user id is given (`--user-id` or `$THREATSTACK_USER_ID`), else v1.
 *
 * @since 0.2.0
 */
export const generationOf = (
  command: string,
  exists: ReadonlyArray<Generation>,
  flag: Option.Option<Generation>,
  userId: Option.Option<string> = Option.none()
): Effect.Effect<Generation, CliFailure> =>
  Effect.gen(function* () {
    const only = exists.length === 1 ? exists[0] : undefined
    if (only !== undefined) {
      if (Option.isSome(flag) && flag.value !== only) {
        return yield* usage(`${command} exists in v${only} only: --api-version ${flag.value} does not apply`)
      }
      return only
    }
    if (Option.isSome(flag)) return flag.value
    const fromEnv = yield* envText("THREATSTACK_API_VERSION")
    if (Option.isSome(fromEnv)) {
      const text = fromEnv.value.trim()
      if (text === "1" || text === "2") return text === "1" ? 1 : 2
      return yield* usage(`THREATSTACK_API_VERSION must be 1 or 2, not ${JSON.stringify(fromEnv.value)}`)
    }
    if (Option.isSome(userId)) return 2
    return Option.isSome(yield* envText("THREATSTACK_USER_ID")) ? 2 : 1
  })

// ---------------------------------------------------------------------------
// connection settings

/**
 * The connection flags of the v1 commands.
 *
 * @since 0.2.0
 */
export const connection = {
  apiKey: Options.redacted("api-key").pipe(
    Options.withPseudoName("KEY"),
    Options.optional,
    Options.withDescription("API key (default: $THREATSTACK_API_KEY; never printed)")
  ),
  orgId: Options.text("org-id").pipe(
    Options.withPseudoName("ID"),
    Options.optional,
    Options.withDescription("organization id (default: $THREATSTACK_ORG_ID; required by v2)")
  ),
  baseUrl: Options.text("base-url").pipe(
    Options.withPseudoName("URL"),
    Options.optional,
    Options.withDescription(
      "versioned API base URL (default: $THREATSTACK_BASE_URL for v1, $THREATSTACK_V2_BASE_URL for v2, or the live API)"
    )
  ),
  timeout: Options.text("timeout").pipe(
    Options.withPseudoName("DURATION"),
    Options.optional,
    Options.withDescription("per-request timeout, seconds or e.g. '30 seconds' (default: $THREATSTACK_TIMEOUT or 120)")
  ),
  demo: Options.boolean("demo").pipe(Options.withDescription("use the embedded fake API: no key needed"))
}

/**
 * The connection flags of the v2 commands: v1's plus the user id the key
 * belongs to.
 *
 * @since 0.2.0
 */
export const v2Connection = {
  ...connection,
  userId: Options.text("user-id").pipe(
    Options.withPseudoName("ID"),
    Options.optional,
    Options.withDescription("v2: the user id the key belongs to (default: $THREATSTACK_USER_ID)")
  )
}

/**
 * The flags of every v2 command: the v2 connection and `--api-version`.
 *
 * @since 0.2.0
 */
export const v2Options = { ...v2Connection, apiVersion }

/**
 * The connection flags as parsed.
 *
 * @since 0.2.0
 * @category models
 */
export interface Connection {
  readonly apiKey: Option.Option<Redacted.Redacted<string>>
  readonly orgId: Option.Option<string>
  readonly baseUrl: Option.Option<string>
  readonly timeout: Option.Option<string>
  readonly demo: boolean
}

/**
 * The v2 connection flags as parsed.
 *
 * @since 0.2.0
 * @category models
 */
export interface V2Connection extends Connection {
  readonly userId: Option.Option<string>
}

/**
 * The flags of every v2 command as parsed.
 *
 * @since 0.2.0
 * @category models
 */
export interface V2Flags extends V2Connection {
  readonly apiVersion: Option.Option<Generation>
}

/**
 * Fails when flags of one generation are given to a command running in the
 * other: `flags` maps each flag's name to its parsed value (given when
 * `Some`, `true` or a non-empty array).
 *
 * @since 0.2.0
 */
export const onlyIn = (
  flagsOf: Generation,
  running: Generation,
  flags: Readonly<Record<string, unknown>>
): Effect.Effect<void, CliFailure> => {
  if (flagsOf === running) return Effect.void
  const entries: ReadonlyArray<readonly [string, unknown]> = Object.entries(flags)
  const given = entries
    .filter(
      ([, value]) =>
        value === true || (Option.isOption(value) && Option.isSome(value)) || (Array.isArray(value) && value.length > 0)
    )
    .map(([name]) => `--${name}`)
  if (given.length === 0) return Effect.void
  const hint =
    flagsOf === 2
      ? "pass --api-version 2 (or set THREATSTACK_USER_ID)"
      : "v2 takes --from/--until and its own filters (see --help)"
  const noun = given.length === 1 ? `is a v${flagsOf} flag` : `are v${flagsOf} flags`
  return Effect.fail(usage(`${given.join(", ")} ${noun}: ${hint}`))
}

/**
 * The command line's transport: Node's own `node:http`, not undici (the
 * SDK's default in `NodeThreatStack`). A command makes a few requests and
 * exits; undici's parser is half the bundled command's size and its
 * WebAssembly compiling delays the exit.
 */
const http = NodeHttpClient.layer

/** A setting a flag can give: its variable, the flag, and the flag's value when given. */
type Given = readonly [variable: string, flag: string, value: Option.Option<string>]

/**
 * The SDK's layer configured from the flags over the environment: a flag's
 * value is read as its variable, and a problem with it is reported under
 * the flag's name (`--timeout is invalid: …`), not the variable's.
 */
const fromFlags = <A, R>(
  given: ReadonlyArray<Given>,
  layer: Layer.Layer<A, ThreatStackError.ConfigurationError, R>
): Layer.Layer<A, ThreatStackError.ConfigurationError, R> => {
  const values = new Map<string, string>()
  const flags = new Map<string, string>()
  for (const [variable, flag, value] of given) {
    if (Option.isSome(value)) {
      values.set(variable, value.value)
      flags.set(variable, flag)
    }
  }
  const provider = ConfigProvider.fromMap(values).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))
  return layer.pipe(
    Layer.mapError(
      (error) =>
        new ThreatStackError.ConfigurationError({
          cause: error.cause,
          problems: error.problems.map((p) => ({ ...p, variable: flags.get(p.variable) ?? p.variable }))
        })
    ),
    Layer.provide(Layer.setConfigProvider(provider))
  )
}

/**
 * The v1 SDK, configured from flags over the environment, or the embedded fake.
 *
 * @since 0.2.0
 * @category layers
 */
export const v1Layer = (
  conn: Connection
): Layer.Layer<ThreatStack.Services, ThreatStackError.ConfigurationError | ThreatStackError.InvalidArgument> => {
  if (conn.demo) return FakeServer.layerWithClient(demoFake, {}, http)
  return fromFlags(
    [
      ["THREATSTACK_API_KEY", "--api-key", Option.map(conn.apiKey, Redacted.value)],
      ["THREATSTACK_ORG_ID", "--org-id", conn.orgId],
      ["THREATSTACK_BASE_URL", "--base-url", conn.baseUrl],
      ["THREATSTACK_TIMEOUT", "--timeout", conn.timeout]
    ],
    ThreatStack.layerConfig().pipe(Layer.provide(http))
  )
}

/**
 * A request a dry run would have sent: method, path, JSON body.
 *
 * @since 0.2.0
 * @category models
 */
export interface Unsent {
  readonly method: string
  readonly path: string
  readonly body: unknown
}

/** The body of a request as JSON, when it has one. */
const bodyOf = (request: HttpClientRequest.HttpClientRequest): unknown => {
  const body = request.body
  if (body._tag !== "Uint8Array") return undefined
  const text = new TextDecoder().decode(body.body)
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * An `HttpClient` that sends reads and keeps writes: every request other
 * than a `GET` is recorded in `unsent` and answered `200 {}` without
 * leaving the process.
 */
const keepingWrites = (unsent: Array<Unsent>): Layer.Layer<HttpClient.HttpClient> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.transform(client, (send, request) => {
        if (request.method === "GET") return send
        return Effect.sync(() => {
          unsent.push({ method: request.method, path: new URL(request.url).pathname, body: bodyOf(request) })
          return HttpClientResponse.fromWeb(
            request,
            new Response("{}", { status: 200, headers: { "content-type": "application/json" } })
          )
        })
      })
    )
  ).pipe(Layer.provide(http))

/**
 * The v2 service, configured from flags over the environment
 * (`THREATSTACK_API_KEY`, `THREATSTACK_USER_ID`, `THREATSTACK_ORG_ID`,
 * `THREATSTACK_V2_BASE_URL`, `THREATSTACK_TIMEOUT`, …), or over the embedded
 * fake with the credentials it accepts. With `unsent`, writes are recorded
 * there instead of sent (a dry run).
 *
 * @since 0.2.0
 * @category layers
 */
export const v2Layer = (
  conn: V2Connection,
  unsent?: Array<Unsent>
): Layer.Layer<ThreatStackV2.ThreatStackV2, ThreatStackError.ConfigurationError | ThreatStackError.InvalidArgument> => {
  const transport = unsent === undefined ? http : keepingWrites(unsent)
  if (conn.demo) {
    return Layer.unwrapScoped(
      Effect.map(FakeServer.make(demoFake), (server) =>
        ThreatStackV2.layer({ ...server.v2Credentials, baseUrl: server.v2BaseUrl })
      )
    ).pipe(Layer.provide(NodeHawkCrypto.layer), Layer.provide(transport))
  }
  return fromFlags(
    [
      ["THREATSTACK_API_KEY", "--api-key", Option.map(conn.apiKey, Redacted.value)],
      ["THREATSTACK_USER_ID", "--user-id", conn.userId],
      ["THREATSTACK_ORG_ID", "--org-id", conn.orgId],
      ["THREATSTACK_V2_BASE_URL", "--base-url", conn.baseUrl],
      ["THREATSTACK_TIMEOUT", "--timeout", conn.timeout]
    ],
    ThreatStackV2.layerConfig().pipe(Layer.provide(NodeHawkCrypto.layer), Layer.provide(transport))
  )
}

/**
 * Runs an effect with the v2 service.
 *
 * @since 0.2.0
 */
export const withV2 = <A, E>(
  conn: V2Connection,
  f: (ts: ThreatStackV2.Service) => Effect.Effect<A, E>
): Effect.Effect<A, E | ThreatStackError.ConfigurationError | ThreatStackError.InvalidArgument> =>
  Effect.provide(Effect.flatMap(ThreatStackV2.ThreatStackV2, f), v2Layer(conn))

// ---------------------------------------------------------------------------
// writes: confirmation, stdin, files

/**
 * Asks `question` on the terminal; true for `y` or `yes`.
 *
 * @since 0.2.0
 */
export const ask = (question: string): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true })
    let answered = false
    rl.question(`${question} [y/N] `, (answer) => {
      answered = true
      rl.close()
      resume(Effect.succeed(/^\s*y(es)?\s*$/i.test(answer)))
    })
    rl.once("close", () => {
      if (answered) return
      process.stderr.write("\n")
      resume(Effect.succeed(false))
    })
    return Effect.sync(() => rl.close())
  })

/**
 * The confirmation a write that removes or dismisses more than one thing
 * needs: `--yes`, else a `y` on the terminal (stdin a TTY), else a usage
 * error that says to pass `--yes`. A declined prompt fails with exit code
 * `cancelled`.
 *
 * @since 0.2.0
 */
export const confirm = (question: string, yes: boolean): Effect.Effect<void, CliFailure> => {
  if (yes) return Effect.void
  if (!process.stdin.isTTY) {
    return Effect.fail(usage(`${question.replace(/\?$/, "")}: not a terminal to ask on, pass --yes to confirm`))
  }
  return Effect.flatMap(ask(question), (ok) =>
    ok ? Effect.void : Effect.fail(new CliFailure({ message: "not confirmed: nothing sent", code: ExitCode.cancelled }))
  )
}

/**
 * All of stdin as text.
 *
 * @since 0.2.0
 */
export const readStdin: Effect.Effect<string, CliFailure> = Effect.tryPromise({
  try: async () => {
    const chunks: Array<Buffer> = []
    for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
    return Buffer.concat(chunks).toString("utf8")
  },
  catch: (error) => usage(`cannot read stdin: ${error instanceof Error ? error.message : String(error)}`)
})

/**
 * What a lone `-` on the command line becomes before `@effect/cli` parses
 * it (which would take it for the start of an option and stop reading
 * options there): ids and files read stdin for either.
 *
 * @since 0.2.0
 */
export const STDIN = "/dev/stdin"

const isStdin = (arg: string | undefined) => arg === "-" || arg === STDIN

/**
 * The command line with each lone `-` made {@link STDIN}, so that options may
 * follow it (`alerts dismiss - --reason MAINTENANCE`).
 *
 * @since 0.2.0
 */
export const stdinArgs = (argv: ReadonlyArray<string>): ReadonlyArray<string> =>
  argv.map((arg) => (arg === "-" ? STDIN : arg))

/**
 * The ids a command was given: the arguments, or, when the only one is
 * `-`, the lines of stdin (trimmed, blank ones skipped). Each id once, in
 * order.
 *
 * @since 0.2.0
 */
export const idsFrom = (args: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<string>, CliFailure> =>
  Effect.gen(function* () {
    if (args.some(isStdin) && args.length > 1) {
      return yield* usage("'-' reads the ids from stdin and must be the only id")
    }
    const ids = isStdin(args[0])
      ? (yield* readStdin)
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter((line) => line !== "")
      : args
    return [...new Set(ids)]
  })

/**
 * The JSON of a file (`-`: stdin), or a usage error that names it.
 *
 * @since 0.2.0
 */
export const readJsonFile = (path: string): Effect.Effect<unknown, CliFailure> =>
  Effect.gen(function* () {
    const text = isStdin(path)
      ? yield* readStdin
      : yield* Effect.tryPromise({
          try: () => readFile(path, "utf8"),
          catch: (error) => usage(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`)
        })
    return yield* Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: (error) =>
        usage(`${sourceName(path)} is not JSON: ${error instanceof Error ? error.message : String(error)}`)
    })
  })

/**
 * How a file argument reads in a message: its path, or `stdin`.
 *
 * @since 0.2.0
 */
export const sourceName = (path: string): string => (isStdin(path) ? "stdin" : path)

// ---------------------------------------------------------------------------
// output

/**
 * `--fields`, `--limit`, `--format` of every listing.
 *
 * @since 0.2.0
 */
export const outputOptions = {
  fields: Options.text("fields").pipe(
    Options.withPseudoName("A,B"),
    Options.optional,
    Options.withDescription("comma-separated field names")
  ),
  limit: integer("limit", 1, "stop after N records (1 or more)").pipe(Options.optional),
  format: choice(
    "format",
    ["table", "json", "ndjson"],
    "table for people; json (one array) and ndjson (a record a line) stream (default: table)"
  ).pipe(Options.withDefault("table" as const))
}

/**
 * `--format table|json` of the commands that print one record.
 *
 * @since 0.2.0
 */
export const recordFormat = choice("format", ["table", "json"], "table for people, or JSON (default: table)").pipe(
  Options.withDefault("table" as const)
)

/**
 * `--fields a,b` as names, blanks dropped.
 *
 * @since 0.2.0
 */
export const fieldNames = (fields: Option.Option<string>): Option.Option<ReadonlyArray<string>> =>
  Option.map(fields, (f) =>
    f
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "")
  )

/**
 * Prints one record: `key value` lines for people, or indented JSON.
 *
 * @since 0.2.0
 */
export const printOne = (record: object, format: "table" | "json"): Effect.Effect<void> =>
  CliOutput.write(
    format === "json" ? `${JSON.stringify(CliOutput.toPlain(record), null, 2)}\n` : CliOutput.vertical(record)
  )
