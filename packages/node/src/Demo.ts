/**
 * The demo: the Python v1 guide's closing example in Effect form. List the
 * ids of the alerts of the last hour, fetch the details of each, handle
 * errors by type, and print a short report.
 *
 * @since 0.1.0
 */
import { Array as Arr, Chunk, DateTime, Effect, Option, Order, Stream } from "effect"
import { ThreatStack } from "@effect-threatstack/core"
import type { Alerts, ThreatStackError } from "@effect-threatstack/core"
import * as CliOutput from "./CliOutput.js"

/**
 * What the demo found.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Demo } from "@effect-threatstack/node"
 *
 * const high = Effect.map(Demo.lastHour, (report: Demo.Report) => report.details.filter((a) => a.severity === 1).length)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Report {
  readonly from: DateTime.Utc
  readonly to: DateTime.Utc
  readonly listed: number
  readonly details: ReadonlyArray<Alerts.AlertDetail>
  /** Listed alerts whose details were gone by the time we asked (404). */
  readonly vanished: number
}

/**
 * Runs the guide's closing example over the client in context.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Demo } from "@effect-threatstack/node"
 *
 * const text = Effect.map(Demo.lastHour, Demo.render)
 * ```
 *
 * @since 0.1.0
 */
export const lastHour: Effect.Effect<Report, ThreatStackError.ThreatStackError, ThreatStack.ThreatStack> = Effect.gen(
  function* () {
    const client = yield* ThreatStack.ThreatStack
    const to = yield* DateTime.now
    const from = DateTime.subtract(to, { hours: 1 })
    const ids = yield* client.alerts.list({ start: from, end: to, fields: ["id"] }).pipe(
      Stream.map((alert) => alert.id),
      Stream.runCollect
    )
    const found = yield* client.alerts.getMany(ids, { concurrency: 8 })
    const details = Arr.getSomes(found)
    return { from, to, listed: Chunk.size(ids), details, vanished: found.filter(Option.isNone).length }
  }
)

const SEVERITY: Readonly<Record<number, string>> = { 1: "high", 2: "medium", 3: "low" }

/**
 * The report as text: counts by severity and the newest alerts with their
 * rule names.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Demo } from "@effect-threatstack/node"
 *
 * const text = Effect.map(Demo.lastHour, (report) => Demo.render(report, 5))
 * ```
 *
 * @since 0.1.0
 */
export const render = (report: Report, newest = 8): string => {
  const bySeverity = [1, 2, 3].map((s) => `${SEVERITY[s]} ${report.details.filter((a) => a.severity === s).length}`)
  const sorted = Arr.sort(
    report.details,
    Order.reverse(Order.mapInput(DateTime.Order, (a: Alerts.AlertDetail) => a.created_at))
  )
  const rows = sorted
    .slice(0, newest)
    .map(
      (a) =>
        `  ${CliOutput.formatUtc(a.created_at)}  ${(SEVERITY[a.severity] ?? String(a.severity)).padEnd(6)}  ${a.rule.original_rule.name.padEnd(
          32
        )}  ${a.latest_events.length} events  ${a.dismissed ? "dismissed" : "active"}`
    )
  return [
    `Alerts of the last hour (${CliOutput.formatUtc(report.from)} to ${CliOutput.formatUtc(report.to)})`,
    `  listed ${report.listed} (fields=id), fetched ${report.details.length} in detail` +
      (report.vanished > 0 ? `, ${report.vanished} gone before we asked` : ""),
    `  by severity: ${bySeverity.join(" · ")}`,
    "",
    `Newest ${rows.length}:`,
    ...rows,
    ""
  ].join("\n")
}
