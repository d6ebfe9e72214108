/**
 * The demos. v1: the Python v1 guide's closing example in Effect form (list
 * the ids of the alerts of the last hour, fetch the details of each, handle
 * errors by type, print a short report). v2: a tour of the v2 API (severity
 * counts, the newest high-severity alerts with their rule, a ruleset with
 * its rules, a dismissal and the counts again).
 *
 * @since 0.1.0
 */
import { Array as Arr, Chunk, DateTime, Effect, Option, Order, Stream } from "effect"
import { ThreatStack, ThreatStackV2 } from "@effect-threatstack/core"
import type { Alerts, ThreatStackError, V2 } from "@effect-threatstack/core"
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
  const bySeverity = [1, 2, 3].map(
    (s) => `${CliOutput.severity(s)}: ${report.details.filter((a) => a.severity === s).length}`
  )
  const sorted = Arr.sort(
    report.details,
    Order.reverse(Order.mapInput(DateTime.Order, (a: Alerts.AlertDetail) => a.created_at))
  )
  const rows = sorted
    .slice(0, newest)
    .map(
      (a) =>
        `  ${CliOutput.formatUtc(a.created_at)}  ${CliOutput.severity(a.severity).padEnd(8)}  ${a.rule.original_rule.name.padEnd(
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
  ]
    .map(CliOutput.escapeControls)
    .join("\n")
}

// ---------------------------------------------------------------------------
// the v2 tour

/**
 * What the v2 tour saw and did.
 *
 * @example
 * ```ts
 * import { Effect, Option } from "effect"
 * import { Demo } from "@effect-threatstack/node"
 *
 * const dismissedId = Effect.map(Demo.tourV2({ dismiss: true }), (tour: Demo.Tour) =>
 *   Option.map(tour.dismissed, (alert) => alert.id)
 * )
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Tour {
  readonly from: DateTime.Utc
  readonly until: DateTime.Utc
  /** Alerts of the window by severity, dismissed ones included. */
  readonly counts: ReadonlyArray<V2.Alerts.SeverityCount>
  /** Active high-severity alerts of the window. */
  readonly activeHigh: number
  /** The newest active high-severity alerts, each with its rule (`None` when it has none or it is gone). */
  readonly newest: ReadonlyArray<{ readonly alert: V2.Alerts.Alert; readonly rule: Option.Option<V2.Rules.Rule> }>
  /** The ruleset of the newest alert (or the first one), with its rules. */
  readonly ruleset: Option.Option<{
    readonly ruleset: V2.Rulesets.Ruleset
    readonly rules: ReadonlyArray<V2.Rules.Rule>
  }>
  /** The alert the tour dismissed, as read back afterwards; `None` when it dismissed nothing. */
  readonly dismissed: Option.Option<V2.Alerts.Alert>
  readonly countsAfter: ReadonlyArray<V2.Alerts.SeverityCount>
  readonly activeHighAfter: number
}

/** The words of the tour's dismissal. */
const DISMISS_TEXT = "dismissed by the threatstack demo"

/**
 * Tours the v2 API in context over the last 24 hours: severity counts, the
 * newest active high-severity alerts with their rule
 * (`rules.get(alert.rulesetId, alert.ruleId)`), a ruleset with its rules,
 * then, with `dismiss`, the dismissal of the newest of those alerts and the
 * counts again.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Demo } from "@effect-threatstack/node"
 *
 * const text = Effect.map(Demo.tourV2({ dismiss: false }), Demo.renderV2)
 * ```
 *
 * @since 0.2.0
 */
export const tourV2 = (options: {
  readonly dismiss: boolean
  readonly newest?: number | undefined
}): Effect.Effect<Tour, ThreatStackError.ThreatStackError, ThreatStackV2.ThreatStackV2> =>
  Effect.gen(function* () {
    const ts = yield* ThreatStackV2.ThreatStackV2
    const until = yield* DateTime.now
    const from = DateTime.subtract(until, { hours: 24 })
    const activeHigh = ts.alerts.list({ status: "active", severity: 1, from, until })
    const counts = yield* ts.alerts.severityCounts({ from, until })
    const high = Arr.sort(
      Chunk.toReadonlyArray(yield* Stream.runCollect(activeHigh)),
      Order.reverse(Order.mapInput(DateTime.Order, (a: V2.Alerts.Alert) => a.createdAt))
    )
    const known = new Map<string, Option.Option<V2.Rules.Rule>>()
    const ruleOf = (alert: V2.Alerts.Alert) => {
      const { ruleId, rulesetId } = alert
      if (ruleId == null || rulesetId == null) return Effect.succeedNone
      const key = `${rulesetId}/${ruleId}`
      const seen = known.get(key)
      if (seen !== undefined) return Effect.succeed(seen)
      return Effect.tap(ts.rules.get(rulesetId, ruleId), (rule) => Effect.sync(() => known.set(key, rule)))
    }
    const newest = yield* Effect.forEach(high.slice(0, options.newest ?? 5), (alert) =>
      Effect.map(ruleOf(alert), (rule) => ({ alert, rule }))
    )
    const rulesetId = Option.orElse(Option.fromNullable(high[0]?.rulesetId), () => Option.none<string>())
    const found = Option.isSome(rulesetId)
      ? yield* ts.rulesets.get(rulesetId.value)
      : Option.fromNullable(Chunk.unsafeHead(yield* Stream.runCollect(Stream.take(ts.rulesets.list(), 1))))
    const ruleset = Option.isSome(found)
      ? Option.some({
          ruleset: found.value,
          rules: Chunk.toReadonlyArray(yield* Stream.runCollect(ts.rules.list(found.value.id)))
        })
      : Option.none()
    const target = high[0]
    let dismissed = Option.none<V2.Alerts.Alert>()
    if (options.dismiss && target !== undefined) {
      yield* ts.alerts.dismiss({ ids: [target.id], reason: "OTHER", text: DISMISS_TEXT })
      dismissed = yield* ts.alerts.get(target.id)
    }
    return {
      from,
      until,
      counts,
      activeHigh: high.length,
      newest,
      ruleset,
      dismissed,
      countsAfter: yield* ts.alerts.severityCounts({ from, until }),
      activeHighAfter: yield* Stream.runCount(activeHigh)
    }
  })

const bySeverity = (counts: ReadonlyArray<V2.Alerts.SeverityCount>) =>
  [1, 2, 3].map((s) => `${CliOutput.severity(s)}: ${counts.find((c) => c.severity === s)?.count ?? 0}`).join(" · ")

/**
 * The tour as text.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Demo } from "@effect-threatstack/node"
 *
 * const text = Effect.map(Demo.tourV2({ dismiss: true, newest: 3 }), Demo.renderV2)
 * ```
 *
 * @since 0.2.0
 */
export const renderV2 = (tour: Tour): string => {
  const newest = tour.newest.map(({ alert, rule }) => {
    const title = alert.title.length > 48 ? `${alert.title.slice(0, 47)}…` : alert.title
    const ruleText = Option.match(rule, {
      onNone: () => "(no rule)",
      onSome: (r) => `rule "${r.name}" (${r.type}${r.window === undefined ? "" : `, window ${r.window} s`})`
    })
    return `  ${CliOutput.formatUtc(alert.createdAt)}  ${title.padEnd(48)}  ${ruleText}`
  })
  const ruleset = Option.match(tour.ruleset, {
    onNone: () => ["No ruleset."],
    onSome: ({ ruleset, rules }) => [
      `Ruleset "${ruleset.name}" (${ruleset.id}), ${rules.length} rule${rules.length === 1 ? "" : "s"}:`,
      ...rules.map(
        (r) =>
          `  ${r.id}  ${r.name.padEnd(32)}  ${r.type.padEnd(5)}  ${CliOutput.severity(r.severityOfAlerts).padEnd(8)}  ${r.enabled === false ? "disabled" : "enabled"}`
      )
    ]
  })
  const dismissal = Option.match(tour.dismissed, {
    onNone: () => ["Nothing dismissed (the tour dismisses only on the embedded fake)."],
    onSome: (a) => [
      `Dismissed alert ${a.id} (reason ${a.dismissReason ?? "?"}: "${a.dismissReasonText ?? ""}"); read back:` +
        ` isDismissed ${a.isDismissed ?? false}` +
        (a.dismissedAt == null ? "" : `, at ${CliOutput.formatUtc(a.dismissedAt)}`),
      `Again, by severity: ${bySeverity(tour.countsAfter)} (dismissed alerts still count);` +
        ` active high ${tour.activeHighAfter}`
    ]
  })
  return [
    `Alerts of the last 24 hours (${CliOutput.formatUtc(tour.from)} to ${CliOutput.formatUtc(tour.until)})`,
    `  by severity: ${bySeverity(tour.counts)}; active high ${tour.activeHigh}`,
    "",
    `Newest ${newest.length} active high-severity alerts, with their rule:`,
    ...newest,
    "",
    ...ruleset,
    "",
    ...dismissal,
    ""
  ]
    .map(CliOutput.escapeControls)
    .join("\n")
}
