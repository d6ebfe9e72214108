/**
 * How the command line writes records: `ndjson` and `json` stream chunk by
 * chunk with stdout's backpressure respected (memory stays flat on a
 * million-record export), `table` aligns the useful columns for people.
 * Progress goes to stderr, only when stderr is a terminal.
 *
 * @since 0.1.0
 */
import { Chunk, Clock, DateTime, Effect, Fiber, Ref, Stream } from "effect"

/**
 * The output formats.
 *
 * @example
 * ```ts
 * import type { CliOutput } from "@effect-threatstack/node"
 *
 * const format: CliOutput.Format = "ndjson"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Format = "table" | "json" | "ndjson"

/**
 * A record as JSON: timestamps become ISO-8601 strings. Every own field is
 * kept, `__proto__` included (built with `Object.fromEntries`, which defines
 * fields rather than assigning them).
 *
 * @example
 * ```ts
 * import { DateTime } from "effect"
 * import { CliOutput } from "@effect-threatstack/node"
 *
 * CliOutput.toPlain({ at: DateTime.unsafeMake(0) }) // { at: "1970-01-01T00:00:00.000Z" }
 * ```
 *
 * @since 0.1.0
 */
export const toPlain = (value: unknown): unknown => {
  if (DateTime.isDateTime(value)) return DateTime.formatIso(value)
  if (Array.isArray(value)) return value.map(toPlain)
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]))
  }
  return value
}

/**
 * Characters that must not reach a terminal as they are: C0 and C1 controls
 * (ESC starts the sequences that move the cursor, recolour or retitle the
 * terminal), DEL, line and paragraph separators, and the bidirectional
 * overrides that reorder what is shown.
 */
const isControl = (code: number): boolean =>
  code < 0x20 ||
  (code >= 0x7f && code < 0xa0) ||
  code === 0x2028 ||
  code === 0x2029 ||
  (code >= 0x202a && code <= 0x202e) ||
  (code >= 0x2066 && code <= 0x2069)

const NAMED: Readonly<Record<number, string>> = { 10: "\\n", 13: "\\r", 9: "\\t", 27: "\\e" }

/**
 * Text from the server made safe for a terminal: each control character
 * written as an escape (`\n`, `\t`, `\e`, `\u202e`), so one value stays on
 * one line and cannot rewrite the screen.
 *
 * @example
 * ```ts
 * import { CliOutput } from "@effect-threatstack/node"
 *
 * CliOutput.escapeControls("a\u001b]0;owned\u0007b\nc") // "a\\e]0;owned\\u0007b\\nc"
 * ```
 *
 * @since 0.2.0
 */
export const escapeControls = (text: string): string => {
  let out = ""
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    out += isControl(code) ? (NAMED[code] ?? `\\u${code.toString(16).padStart(4, "0")}`) : text[i]
  }
  return out
}

/**
 * Writes text to stdout, waiting for the pipe to drain when it is full.
 *
 * @example
 * ```ts
 * import { CliOutput } from "@effect-threatstack/node"
 *
 * const hello = CliOutput.write("hello\n")
 * ```
 *
 * @since 0.1.0
 */
export const write = (text: string): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (process.stdout.write(text)) resume(Effect.void)
    else process.stdout.once("drain", () => resume(Effect.void))
  })

/**
 * A time as people read it, in UTC to the second: `2017-05-01 08:00:00 UTC`.
 * Tables and the demo's report both write times this way.
 *
 * @example
 * ```ts
 * import { DateTime } from "effect"
 * import { CliOutput } from "@effect-threatstack/node"
 *
 * CliOutput.formatUtc(DateTime.unsafeMake("2017-05-01T08:00:00.250Z")) // "2017-05-01 08:00:00 UTC"
 * ```
 *
 * @since 0.2.0
 */
export const formatUtc = (at: DateTime.DateTime): string =>
  DateTime.formatIso(at)
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, " UTC")

const SEVERITIES: Readonly<Record<number, string>> = { 1: "high", 2: "medium", 3: "low" }

/**
 * A severity as people read it, the same everywhere (tables, records, the
 * demo): its number and its name, `1 high`, `2 medium`, `3 low`.
 *
 * @example
 * ```ts
 * import { CliOutput } from "@effect-threatstack/node"
 *
 * CliOutput.severity(1) // "1 high"
 * ```
 *
 * @since 0.2.0
 */
export const severity = (level: number): string => {
  const name = SEVERITIES[level]
  return name === undefined ? String(level) : `${level} ${name}`
}

/** The fields that hold an alert severity (1 to 3): v1 and v2 alerts, v2 rules. */
const SEVERITY_FIELDS = new Set(["severity", "severityOfAlerts"])

/** A cell as people read it: timestamps as `2017-05-01 08:00:00 UTC`, severities named, control characters escaped. */
const cell = (value: unknown, field = ""): string => {
  if (typeof value === "number" && SEVERITY_FIELDS.has(field)) return severity(value)
  if (DateTime.isDateTime(value)) return formatUtc(value)
  if (value === null || value === undefined) return "-"
  const text = escapeControls(typeof value === "object" ? JSON.stringify(toPlain(value)) : String(value))
  return text.length > 60 ? `${text.slice(0, 59)}…` : text
}

/**
 * Renders rows as an aligned text table of the given columns.
 *
 * @example
 * ```ts
 * import { CliOutput } from "@effect-threatstack/node"
 *
 * CliOutput.table([{ id: "a", name: "Acme" }], ["id", "name"])
 * // "ID  NAME\na   Acme\n"
 * ```
 *
 * @since 0.1.0
 */
export const table = (rows: ReadonlyArray<object>, columns: ReadonlyArray<string>): string => {
  const cells = rows.map((row) => columns.map((c) => cell((row as Record<string, unknown>)[c], c)))
  const header = columns.map((c) => escapeControls(c.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()))
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)))
  const line = (values: ReadonlyArray<string>) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd()
  return `${[line(header), ...cells.map(line)].join("\n")}\n`
}

/**
 * Renders one record as `key: value` lines.
 *
 * @example
 * ```ts
 * import { CliOutput } from "@effect-threatstack/node"
 *
 * CliOutput.vertical({ id: "a1", name: "Acme" }) // "id    a1\nname  Acme\n"
 * ```
 *
 * @since 0.1.0
 */
export const vertical = (record: object): string => {
  const entries = Object.entries(record).map(([k, v]) => [escapeControls(k), cell(v, k)] as const)
  const width = Math.max(...entries.map(([k]) => k.length))
  return `${entries.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}\n`
}

/**
 * `n` things, with the noun in the plural unless there is one: `1 page`,
 * `2,000 records`.
 *
 * @example
 * ```ts
 * import { CliOutput } from "@effect-threatstack/node"
 *
 * CliOutput.count(1, "page") // "1 page"
 * ```
 *
 * @since 0.2.0
 */
export const count = (n: number, noun: string): string => `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`

/** Progress on stderr while a listing runs, if stderr is a terminal. */
const withProgress = <E, R>(
  run: (onChunk: (size: number) => Effect.Effect<void>) => Effect.Effect<void, E, R>
): Effect.Effect<void, E, R> => {
  if (!process.stderr.isTTY) return run(() => Effect.void)
  return Effect.gen(function* () {
    const counts = yield* Ref.make({ records: 0, pages: 0 })
    const started = yield* Clock.currentTimeMillis
    const show = Effect.gen(function* () {
      const { pages, records } = yield* Ref.get(counts)
      const seconds = Math.max(0.001, ((yield* Clock.currentTimeMillis) - started) / 1000)
      const rate = Math.round(records / seconds)
      yield* Effect.sync(() =>
        process.stderr.write(
          `\r${count(records, "record")} · ${count(pages, "page")} · ${rate.toLocaleString("en-US")} records/s `
        )
      )
    })
    const ticker = yield* Effect.fork(Effect.forever(Effect.zipRight(Effect.sleep("250 millis"), show)))
    yield* run((size) => Ref.update(counts, (c) => ({ records: c.records + size, pages: c.pages + 1 }))).pipe(
      Effect.ensuring(
        Effect.zipRight(
          Fiber.interrupt(ticker),
          Effect.sync(() => process.stderr.write("\r\x1b[K"))
        )
      )
    )
  })
}

/**
 * Writes a stream of records to stdout in the chosen format. A table shows
 * `columns`, or without them every field its records have (records whose
 * shape the API does not pin, such as v2 alert events); an empty one says
 * `no <what>` on a terminal and writes nothing to a pipe. A `json` array is
 * closed even when the stream fails or is interrupted midway (the exit code
 * says it failed), so what was written still parses.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { CliOutput } from "@effect-threatstack/node"
 *
 * const out = CliOutput.writeStream(Stream.make({ id: "a" }, { id: "b" }), "ndjson", ["id"], "records")
 * ```
 *
 * @since 0.1.0
 */
export const writeStream = <E, R>(
  stream: Stream.Stream<object, E, R>,
  format: Format,
  columns: ReadonlyArray<string> | undefined,
  what: string
): Effect.Effect<void, E, R> =>
  withProgress((onChunk) => {
    const counted = Stream.mapChunksEffect(stream, (chunk) => Effect.as(onChunk(chunk.length), chunk))
    switch (format) {
      case "ndjson":
        return Stream.runForEachChunk(counted, (chunk) =>
          chunk.length === 0
            ? Effect.void
            : write(
                `${Chunk.join(
                  Chunk.map(chunk, (r) => JSON.stringify(toPlain(r))),
                  "\n"
                )}\n`
              )
        )
      case "json":
        return Effect.gen(function* () {
          let first = true
          yield* write("[")
          yield* Stream.runForEachChunk(counted, (chunk) => {
            if (chunk.length === 0) return Effect.void
            const body = Chunk.join(
              Chunk.map(chunk, (r) => JSON.stringify(toPlain(r))),
              ",\n"
            )
            const text = (first ? "\n" : ",\n") + body
            first = false
            return write(text)
          }).pipe(Effect.ensuring(Effect.suspend(() => write(first ? "]\n" : "\n]\n"))))
        })
      case "table":
        return Effect.flatMap(Stream.runCollect(counted), (chunk) => {
          const rows = Chunk.toReadonlyArray(chunk)
          if (rows.length === 0) return process.stdout.isTTY ? write(`no ${what}\n`) : Effect.void
          return write(table(rows, columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))]))
        })
    }
  })
