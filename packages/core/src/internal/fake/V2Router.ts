/**
 * The v2 API's routes (reference §4) over one organization's state: token
 * pages (`{ <collection>: […], token }`, 100 a page, 50 for audit logs, the
 * last page `token: null`), the required filters and their 400s, the 404 for
 * an empty filtered vulnerability or ruleset list, and the writes (alert
 * dismissals, rulesets, rules, rule tags, members, invites) that stick.
 *
 * @internal
 */
import type { Collection, Json, Range } from "../FakeData.js"
import { always, empty } from "../FakeData.js"
import type { Answer } from "./Http.js"
import { errors, json, noContent } from "./Http.js"
import type { Rule, Ruleset, TagSet } from "./V2Data.js"
import { monitoredServer } from "./V2Data.js"
import * as Records from "./V2Records.js"
import type { OrgState } from "./State.js"
import { parseRange, parseTime } from "./Time.js"
import * as Token from "./Token.js"

/** One v2 request, as the router reads it. */
export interface Request {
  readonly method: string
  /** Decoded path segments relative to `/v2`, without a trailing empty one. */
  readonly segments: ReadonlyArray<string>
  readonly params: URLSearchParams
  readonly body: Uint8Array
}

/** Who asks, and the fake around the organization. */
export interface Context {
  readonly org: OrgState
  readonly userId: string
  /** The user's role in the organization: `owner`, `user` or `reader`. */
  readonly role: string
  readonly seed: number
  /** The data's "now" (epoch ms): audit logs default to the 30 days before it. */
  readonly dataNow: number
  /** The clock (epoch ms), for what writes stamp. */
  readonly clockNow: number
  /** A fresh id for a created ruleset or rule. */
  readonly newId: () => string
}

const PAGE = 100
const AUDIT_PAGE = 50
const DAY = 86_400_000
const MAX_DISMISS = 512

const bad = (message: string) => errors(400, message)
const notFound = (message: string) => errors(404, message)

type Query = Readonly<Record<string, string>>

/** A listing: the records in their raw order and how each one is kept and rendered. */
interface Source {
  readonly size: number
  readonly at: (offset: number, limit: number) => ReadonlyArray<Json>
  /** The record as answered, or `undefined` to leave it out. */
  readonly select: (record: Json) => unknown
}

const fromCollection = (collection: Collection, range: Range, select: (record: Json) => unknown): Source => ({
  size: collection.size(range),
  at: (offset, limit) => collection.slice(range, offset, limit),
  select
})

const fromArray = (records: ReadonlyArray<Json>, select: (record: Json) => unknown): Source => ({
  size: records.length,
  at: (offset, limit) => records.slice(offset, offset + limit),
  select
})

/** The page number a request's token asks for (0 without one); `undefined` when the token is not ours. */
export const pageOf = (params: URLSearchParams): number | undefined => {
  const token = params.get("token")
  if (token === null || token === "") return 0
  return Token.decode(token)?.page
}

/**
 * A token-paged listing. The first request's filters (those named in
 * `filters`) travel in the token, so a later page may repeat them or not.
 */
const paged = (
  request: Request,
  options: {
    readonly list: string
    readonly key: string
    readonly filters: ReadonlyArray<string>
    readonly pageSize?: number
    readonly build: (query: Query) => Source | Answer
    /** 404 instead of an empty first page, for these filters. */
    readonly notFoundWhenEmpty?: (query: Query) => string | undefined
  }
): Answer => {
  const raw = request.params.get("token")
  let cursor: Token.Cursor | undefined
  if (raw !== null && raw !== "") {
    cursor = Token.decode(raw)
    if (cursor === undefined || cursor.list !== options.list) return bad(`invalid token: ${raw}`)
  }
  let query: Query
  if (cursor !== undefined) {
    query = cursor.query
  } else {
    const q: Record<string, string> = {}
    for (const name of options.filters) {
      const value = request.params.get(name)
      if (value !== null) q[name] = value
    }
    query = q
  }
  const source = options.build(query)
  if (isAnswer(source)) return source
  const pageSize = options.pageSize ?? PAGE
  const out: Array<unknown> = []
  let next: number | null = null
  let position = cursor?.offset ?? 0
  // Stryker disable next-line EqualityOperator: <= reads once more at the end, where the batch is empty and the loop breaks
  scan: while (position < source.size) {
    const batch = source.at(position, 256)
    // Stryker disable next-line ConditionalExpression: every source has records up to its size, so no batch is empty before the loop's own test ends it
    if (batch.length === 0) break
    // Stryker disable next-line EqualityOperator: <= reads one past the batch: an undefined record, skipped like one not selected
    for (let k = 0; k < batch.length; k++) {
      const record = batch[k]
      const selected = record === undefined ? undefined : source.select(record)
      if (selected === undefined) continue
      if (out.length === pageSize) {
        next = position + k
        break scan
      }
      out.push(selected)
    }
    position += batch.length
  }
  if (out.length === 0 && cursor === undefined) {
    const reason = options.notFoundWhenEmpty?.(query)
    if (reason !== undefined) return notFound(reason)
  }
  const token =
    next === null ? null : Token.encode({ list: options.list, page: (cursor?.page ?? 0) + 1, offset: next, query })
  return json(200, { [options.key]: out, token })
}

// ---------------------------------------------------------------------------
// body validation

type Body = Readonly<Record<string, unknown>>

const parseBody = (request: Request): Body | Answer => {
  const text = new TextDecoder().decode(request.body)
  if (text.trim() === "") return bad("Invalid request body: expected a JSON object")
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return bad("Invalid request body: not JSON")
  }
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Body)
    : bad("Invalid request body: expected a JSON object")
}

const isAnswer = (value: unknown): value is Answer =>
  typeof value === "object" && value !== null && "status" in value && "delivery" in value

const unknownKeys = (body: Body, allowed: ReadonlyArray<string>): Answer | undefined => {
  const extra = Object.keys(body).filter((k) => !allowed.includes(k))
  return extra.length === 0 ? undefined : bad(`Invalid keys: ${extra.join(", ")}`)
}

const isStringArray = (value: unknown): value is ReadonlyArray<string> =>
  Array.isArray(value) && value.every((v) => typeof v === "string")

const chars = (text: string) => Array.from(text).length

const bool = (raw: string | undefined): boolean | undefined | "invalid" => {
  if (raw === undefined) return undefined
  const lower = raw.toLowerCase()
  return lower === "true" || lower === "1" ? true : lower === "false" || lower === "0" ? false : "invalid"
}

const severityOf = (raw: unknown): number | undefined | "invalid" => {
  if (raw === undefined || raw === null) return undefined
  const n = typeof raw === "number" ? raw : typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : Number.NaN
  return n === 1 || n === 2 || n === 3 ? n : "invalid"
}

const iso = (ms: number) => new Date(ms).toISOString()

// ---------------------------------------------------------------------------
// rules and rulesets

const RULE_TYPES = ["Host", "File", "CloudTrail", "ThreatIntel", "Winsec", "KubernetesAudit", "KubernetesConfig"]
const RULE_KEYS = [
  "name",
  "title",
  "type",
  "severityOfAlerts",
  "alertDescription",
  "aggregateFields",
  "filter",
  "window",
  "threshold",
  "suppressions",
  "enabled",
  "fileIntegrityPaths",
  "ignoreFiles",
  "eventsToMonitor",
  // read-only fields a client may send back from a GET: ignored
  "id",
  "rulesetId",
  "createdAt",
  "updatedAt"
]
/** The server's own words (reference §4.5, captured by BX). */
export const alertDescriptionMessage =
  "Validation failed: body has invalid alertDescription value.  Must be between 1 and 300 characters long."

const positiveInt = (value: unknown) => typeof value === "number" && Number.isInteger(value) && value > 0

/** Checks a rule body; on create `alertDescription` is optional, on update required. */
const ruleFrom = (
  body: Body,
  mode: "create" | "update",
  fixed: { readonly id: string; readonly rulesetId: string; readonly createdAt: string; readonly updatedAt: string }
): Rule | Answer => {
  const invalidKeys = unknownKeys(body, RULE_KEYS)
  if (invalidKeys !== undefined) return invalidKeys
  const description = body.alertDescription
  if (
    (mode === "update" && description === undefined) ||
    (description !== undefined &&
      (typeof description !== "string" || chars(description) < 1 || chars(description) > 300))
  ) {
    return bad(alertDescriptionMessage)
  }
  if (typeof body.name !== "string" || chars(body.name) < 1 || chars(body.name) > 200) {
    return bad("Validation failed: body has invalid name value.  Must be between 1 and 200 characters long.")
  }
  const type = RULE_TYPES.find((t) => typeof body.type === "string" && t.toLowerCase() === body.type.toLowerCase())
  if (type === undefined)
    return bad(`Validation failed: body has invalid type value.  Must be one of ${RULE_TYPES.join(", ")}.`)
  const severity = severityOf(body.severityOfAlerts)
  if (typeof body.severityOfAlerts !== "number" || severity === undefined || severity === "invalid") {
    return bad("Validation failed: body has invalid severityOfAlerts value.  Must be 1, 2 or 3.")
  }
  if (body.title !== undefined && typeof body.title !== "string")
    return bad("Validation failed: body has invalid title value.")
  if (body.filter !== undefined && typeof body.filter !== "string")
    return bad("Validation failed: body has invalid filter value.")
  for (const key of ["aggregateFields", "suppressions", "ignoreFiles", "eventsToMonitor"] as const) {
    if (body[key] !== undefined && !isStringArray(body[key])) {
      return bad(`Validation failed: body has invalid ${key} value.  Must be an array of strings.`)
    }
  }
  if (isStringArray(body.aggregateFields) && body.aggregateFields.includes("rule_id")) {
    return bad("Validation failed: aggregateFields value rule_id is deprecated.")
  }
  for (const key of ["window", "threshold"] as const) {
    if (body[key] !== undefined && !positiveInt(body[key])) {
      return bad(`Validation failed: body has invalid ${key} value.  Must be a positive whole number.`)
    }
  }
  if (body.enabled !== undefined && typeof body.enabled !== "boolean") {
    return bad("Validation failed: body has invalid enabled value.  Must be a boolean.")
  }
  if (body.fileIntegrityPaths !== undefined) {
    const paths = body.fileIntegrityPaths
    const ok =
      Array.isArray(paths) &&
      paths.every(
        (p: unknown) =>
          // Stryker disable next-line ConditionalExpression: a string, number or boolean entry has no path, so the path check refuses it anyway
          typeof p === "object" &&
          p !== null &&
          typeof (p as Body).path === "string" &&
          ((p as Body).recursive === undefined || typeof (p as Body).recursive === "boolean")
      )
    if (!ok) return bad("Validation failed: body has invalid fileIntegrityPaths value.")
  }
  const rule: Rule = {
    rulesetId: fixed.rulesetId,
    id: fixed.id,
    name: body.name,
    title: typeof body.title === "string" ? body.title : body.name,
    type,
    createdAt: fixed.createdAt,
    updatedAt: fixed.updatedAt,
    severityOfAlerts: severity,
    alertDescription: typeof description === "string" ? description : "",
    aggregateFields: isStringArray(body.aggregateFields) ? body.aggregateFields : [],
    filter: typeof body.filter === "string" ? body.filter : "",
    window: positiveInt(body.window) ? (body.window as number) : 3600,
    threshold: positiveInt(body.threshold) ? (body.threshold as number) : 1,
    suppressions: isStringArray(body.suppressions) ? body.suppressions : [],
    enabled: typeof body.enabled === "boolean" ? body.enabled : true
  }
  return type === "File"
    ? {
        ...rule,
        fileIntegrityPaths: Array.isArray(body.fileIntegrityPaths)
          ? (body.fileIntegrityPaths as ReadonlyArray<Body>).map((p) => ({
              path: String(p.path),
              recursive: p.recursive === true
            }))
          : [],
        ignoreFiles: isStringArray(body.ignoreFiles) ? body.ignoreFiles : [],
        eventsToMonitor: isStringArray(body.eventsToMonitor) ? body.eventsToMonitor : ["ALL"]
      }
    : rule
}

/** Checks a ruleset body (create, or full replace) against the other rulesets' names and the known rules. */
const rulesetFrom = (context: Context, body: Body, current: Ruleset | undefined): Ruleset | Answer => {
  const invalidKeys = unknownKeys(body, ["name", "description", "ruleIds", "id", "rules", "createdAt", "updatedAt"])
  if (invalidKeys !== undefined) return invalidKeys
  if (typeof body.name !== "string" || chars(body.name) < 1 || chars(body.name) > 200) {
    return bad("Validation failed: body has invalid name value.  Must be between 1 and 200 characters long.")
  }
  if (body.description !== undefined && body.description !== null && typeof body.description !== "string") {
    return bad("Validation failed: body has invalid description value.")
  }
  if (body.ruleIds !== undefined && !isStringArray(body.ruleIds)) {
    return bad("Validation failed: body has invalid ruleIds value.  Must be an array of rule ids.")
  }
  const name = body.name
  if (context.org.rulesets().some((r) => r.name === name && r.id !== current?.id)) {
    return errors(409, "Resource already exists")
  }
  const ruleIds = isStringArray(body.ruleIds) ? body.ruleIds : (current?.rules ?? [])
  const missing = ruleIds.filter((id) => context.org.rule(id) === undefined)
  if (missing.length > 0) return notFound(`ruleIds not found: ${missing.join(", ")}`)
  const now = iso(context.clockNow)
  return {
    id: current?.id ?? context.newId(),
    name,
    description: typeof body.description === "string" ? body.description : (current?.description ?? ""),
    createdAt: current?.createdAt ?? now,
    updatedAt: now,
    rules: [...new Set(ruleIds)]
  }
}

const tagsFrom = (body: Body): TagSet | Answer => {
  const invalidKeys = unknownKeys(body, ["inclusion", "exclusion"])
  if (invalidKeys !== undefined) return invalidKeys
  const read = (value: unknown): ReadonlyArray<Records.Tag> | undefined => {
    if (value === undefined) return []
    if (!Array.isArray(value)) return undefined
    const out: Array<Records.Tag> = []
    for (const tag of value as ReadonlyArray<unknown>) {
      // Stryker disable next-line ConditionalExpression: a string, number or boolean tag has no source, key or value, so the next check refuses it anyway
      if (typeof tag !== "object" || tag === null) return undefined
      const { key, source, value: v } = tag as Body
      if (typeof source !== "string" || typeof key !== "string" || typeof v !== "string") return undefined
      out.push({ source, key, value: v })
    }
    return out
  }
  const inclusion = read(body.inclusion)
  const exclusion = read(body.exclusion)
  if (inclusion === undefined || exclusion === undefined) {
    return bad("Validation failed: inclusion and exclusion must be arrays of { source, key, value }.")
  }
  return { inclusion, exclusion }
}

// ---------------------------------------------------------------------------
// the routes

/** Answers a v2 request (already authenticated) for the context's organization. */
export const route = (context: Context, request: Request): Answer => {
  const { method, segments } = request
  const { org } = context
  const [resource, second, third, fourth] = segments
  const path = segments.join("/")
  const methodNotAllowed = () => errors(405, `method ${method} not allowed on /v2/${path}`)
  const noRoute = () => notFound(`no route /v2/${path}`)
  if (segments.length > 4) return noRoute()
  if (method !== "GET" && context.role === "reader") {
    return errors(403, "The user is not allowed to perform this action")
  }
  const write = (f: (body: Body) => Answer): Answer => {
    const body = parseBody(request)
    return isAnswer(body) ? body : f(body)
  }
  const agents = org.collection("agents") ?? empty
  const v2Agent = (record: Json) => Records.agent(context.seed, record)
  const v2Alert = (record: Json) => Records.alert(record, org.dismissalOf(record))

  switch (resource) {
    case "agents": {
      if (third !== undefined) return noRoute()
      if (method !== "GET") return methodNotAllowed()
      if (second !== undefined) {
        const found = agents.find(second)
        return found === undefined ? notFound(`agent ${second} not found`) : json(200, v2Agent(found))
      }
      return paged(request, {
        list: "agents",
        key: "agents",
        filters: ["status", "type", "hostname", "from", "until"],
        build: (q) => {
          if (q.status !== "online" && q.status !== "offline") {
            return bad(
              q.status === undefined
                ? "status is required: online or offline"
                : `invalid status: ${q.status} (expected online or offline)`
            )
          }
          if (q.type !== undefined && q.type !== "monitor" && q.type !== "investigate") {
            return bad(`invalid type: ${q.type} (expected monitor or investigate)`)
          }
          const range = parseRange("from", q.from, "until", q.until)
          if (range._tag === "Left") return bad(range.message)
          return fromCollection(agents, always, (record) => {
            const agent = v2Agent(record)
            const created = Date.parse(agent.createdAt)
            return agent.status === q.status &&
              (q.type === undefined || agent.agentType === q.type) &&
              (q.hostname === undefined || agent.hostname === q.hostname) &&
              created >= range.from &&
              created <= range.to
              ? agent
              : undefined
          })
        }
      })
    }

    case "alerts": {
      if (second === "dismiss" && third === undefined) {
        if (method !== "POST") return methodNotAllowed()
        return write((body) => dismiss(context, body))
      }
      if (method !== "GET") return methodNotAllowed()
      if (second === "severity-counts" && third === undefined) {
        const range = parseRange("from", request.params.get("from"), "until", request.params.get("until"))
        if (range._tag === "Left") return bad(range.message)
        const status = request.params.get("status")
        if (status !== null && status !== "active" && status !== "dismissed") return bad(`invalid status: ${status}`)
        const counts = [0, 0, 0]
        const size = org.baseAlerts.size(range)
        // Stryker disable next-line EqualityOperator: <= asks for one more slice, past the end, which is empty
        for (let offset = 0; offset < size; offset += 1000) {
          for (const record of org.baseAlerts.slice(range, offset, 1000)) {
            if (status !== null && (org.dismissalOf(record) !== undefined) !== (status === "dismissed")) continue
            const severity = Records.severityOf(record)
            counts[severity - 1] = (counts[severity - 1] ?? 0) + 1
          }
        }
        return json(200, { severityCounts: counts.map((count, i) => ({ severity: i + 1, count })) })
      }
      if (second !== undefined) {
        if (fourth !== undefined || (third !== undefined && third !== "events")) return noRoute()
        const found = org.baseAlerts.find(second)
        if (found === undefined) return notFound(`alert ${second} not found`)
        if (third === undefined) return json(200, v2Alert(found))
        const detail = org.detail("alerts", second)
        const events = Array.isArray(detail?.latest_events) ? (detail.latest_events as ReadonlyArray<Json>) : []
        return json(200, { events: events.map((event, i) => ({ id: `${second}-${i}`, alertId: second, ...event })) })
      }
      return paged(request, {
        list: "alerts",
        key: "alerts",
        filters: ["status", "severity", "agentId", "ruleId", "rulesetId", "from", "until"],
        build: (q) => {
          if (q.status !== "active" && q.status !== "dismissed") {
            return bad(
              q.status === undefined
                ? "status is required: active or dismissed"
                : `invalid status: ${q.status} (expected active or dismissed)`
            )
          }
          const severity = severityOf(q.severity)
          if (severity === "invalid") return bad(`invalid severity: ${q.severity} (expected 1, 2 or 3)`)
          const range = parseRange("from", q.from, "until", q.until)
          if (range._tag === "Left") return bad(range.message)
          const dismissed = q.status === "dismissed"
          return fromCollection(org.baseAlerts, range, (record) => {
            if (severity !== undefined && Records.severityOf(record) !== severity) return undefined
            if (q.agentId !== undefined && record.agent_id !== q.agentId) return undefined
            if (q.ruleId !== undefined && record.rule_id !== q.ruleId) return undefined
            if (q.rulesetId !== undefined && record.alert_policy_id !== q.rulesetId) return undefined
            const dismissal = org.dismissalOf(record)
            return (dismissal !== undefined) === dismissed ? Records.alert(record, dismissal) : undefined
          })
        }
      })
    }

    case "vulnerabilities": {
      if (method !== "GET") return methodNotAllowed()
      const cveFilters = (q: Query): ((cve: Json) => boolean) | Answer => {
        if (q.status !== undefined && q.status !== "active" && q.status !== "inactive") {
          return bad(`invalid status: ${q.status} (expected active)`)
        }
        const active = bool(q.active)
        if (active === "invalid") return bad(`invalid active: ${q.active} (expected true or false)`)
        const notices = bool(q.hasSecurityNotices)
        if (notices === "invalid") return bad(`invalid hasSecurityNotices: ${q.hasSecurityNotices}`)
        const wantActive = q.status !== undefined ? q.status === "active" : active
        return (cve) => {
          const affected = Array.isArray(cve.agents) ? (cve.agents as ReadonlyArray<Json>) : []
          const cveNotices = Array.isArray(cve.securityNotices) ? cve.securityNotices : []
          return (
            (wantActive === undefined || affected.length > 0 === wantActive) &&
            (notices === undefined || cveNotices.length > 0 === notices) &&
            (q.agentId === undefined || affected.some((a) => a.agentId === q.agentId))
          )
        }
      }
      const cveList = (list: string, key: string, extra: (cve: Json) => boolean) =>
        paged(request, {
          list,
          key,
          filters: ["status", "active", "agentId", "hasSecurityNotices"],
          build: (q) => {
            const keep = cveFilters(q)
            if (isAnswer(keep)) return keep
            return fromCollection(org.v2.cves, always, (cve) => (extra(cve) && keep(cve) ? cve : undefined))
          },
          notFoundWhenEmpty: (q) =>
            q.agentId === undefined ? undefined : `no vulnerability data for agent ${q.agentId}`
        })
      if (second === undefined) return cveList("vulnerabilities", "cves", () => true)
      if (second === "suppressions" && third === undefined) {
        return cveList("vulnerabilities/suppressions", "suppressions", (cve) => cve.isSuppressed === true)
      }
      if (second === "package" && third !== undefined && fourth === undefined) {
        return cveList(
          `vulnerabilities/package/${third}`,
          "cves",
          (cve) => String(cve.reportedPackage).split(" ")[0] === third
        )
      }
      if (fourth !== undefined || (third !== undefined && third !== "servers")) return noRoute()
      const cve = org.v2.cves.find(second)
      if (cve === undefined) return notFound(`vulnerability ${second} not found`)
      if (third === undefined) return json(200, cve)
      const affected = Array.isArray(cve.agents) ? (cve.agents as ReadonlyArray<Json>) : []
      return paged(request, {
        list: `vulnerabilities/${second}/servers`,
        key: "servers",
        // Stryker disable next-line ArrayDeclaration: a CVE's servers take no filters; naming one only copies that parameter into the token, and the pages are the same
        filters: [],
        build: () =>
          fromArray(affected, (a) => {
            const agentId = String(a.agentId)
            const agent = agents.find(agentId)
            return agent === undefined ? { agentId } : { agentId, hostname: String(agent.hostname) }
          })
      })
    }

    case "aws": {
      if (second !== "ec2" || third !== undefined) return noRoute()
      if (method !== "GET") return methodNotAllowed()
      return paged(request, {
        list: "aws/ec2",
        key: "servers",
        filters: ["monitored", "verbose"],
        build: (q) => {
          const monitored = bool(q.monitored)
          const verbose = bool(q.verbose)
          if (monitored === "invalid") return bad(`invalid monitored: ${q.monitored} (expected true or false)`)
          if (verbose === "invalid") return bad(`invalid verbose: ${q.verbose} (expected true or false)`)
          const monitoredCount = agents.size(always)
          const unmonitored = org.v2.unmonitored
          return {
            size: monitoredCount + unmonitored.size(always),
            at: (offset, limit) => {
              // Stryker disable next-line ConditionalExpression,EqualityOperator: past the agents, a slice of them is empty anyway
              const head = offset < monitoredCount ? agents.slice(always, offset, limit) : []
              const tail =
                // Stryker disable next-line ConditionalExpression,EqualityOperator: with the batch full of agents, the slice of servers asked for is 0 long, so empty anyway
                head.length < limit
                  ? // Stryker disable next-line ArithmeticOperator: a longer batch reads the same: its records keep their positions and a page still stops at its size (offset + monitoredCount is killed)
                    unmonitored.slice(always, Math.max(0, offset - monitoredCount), limit - head.length)
                  : []
              return [...head.map((agent) => ({ agent })), ...tail.map((server) => ({ server }))]
            },
            select: (entry) => {
              const server = entry.server as Json | undefined
              if (server !== undefined) return monitored === true ? undefined : server
              if (monitored === false) return undefined
              const agent = v2Agent(entry.agent as Json)
              const rendered = monitoredServer(context.seed, agent, org.org.organization.name)
              if (verbose !== true) return rendered
              const {
                agentModuleHealth: _h,
                agentType: _t,
                instanceId: _i,
                ipAddresses: _a,
                tags: _g,
                ...summary
              } = agent
              return { ...rendered, agents: [summary] }
            }
          }
        }
      })
    }

    case "rulesets":
      return rulesets(context, request, methodNotAllowed, noRoute, write)

    case "rules": {
      if (second === undefined || third !== "tags" || fourth !== undefined) return noRoute()
      const rule = org.rule(second)
      if (rule === undefined) return notFound(`rule ${second} not found`)
      if (method === "GET") {
        const tags = org.tags(second)
        return tags === undefined || (tags.inclusion.length === 0 && tags.exclusion.length === 0)
          ? notFound(`No tags found for rule ${second}`)
          : json(200, tags)
      }
      if (method !== "POST") return methodNotAllowed()
      return write((body) => {
        const tags = tagsFrom(body)
        if (isAnswer(tags)) return tags
        org.setTags(second, tags)
        return json(200, tags)
      })
    }

    case "organizations": {
      if (second === "members") {
        if (fourth !== undefined) return noRoute()
        if (third !== undefined) {
          if (method !== "DELETE") return methodNotAllowed()
          return org.removeMember(third) ? noContent : notFound(`member ${third} not found`)
        }
        if (method === "GET") {
          const enabledOnly = bool(request.params.get("enabledOnly") ?? undefined)
          if (enabledOnly === "invalid") return bad(`invalid enabledOnly: ${request.params.get("enabledOnly")}`)
          const members = org.members().map((user) => Records.member(context.seed, user))
          return json(200, { members: enabledOnly === true ? members.filter((m) => m.userEnabled) : members })
        }
        if (method !== "POST") return methodNotAllowed()
        return write((body) => {
          const invalidKeys = unknownKeys(body, ["id", "role"])
          if (invalidKeys !== undefined) return invalidKeys
          if (typeof body.id !== "string" || body.id === "") return bad("Validation failed: body has invalid id value.")
          const role = roleCheck(context, body.role)
          if (isAnswer(role)) return role
          const outcome = org.addMember(body.id, role)
          if (outcome === "exists") return errors(409, "Resource already exists")
          if (outcome === "unknown") return notFound(`user ${body.id} not found`)
          const added = org.members().find((m) => m.id === body.id)
          return json(200, added === undefined ? {} : Records.member(context.seed, added))
        })
      }
      if (second === "invites" && third === undefined) {
        if (method !== "POST" && method !== "PUT") return methodNotAllowed()
        return write((body) => {
          const invalidKeys = unknownKeys(body, ["email", "role"])
          if (invalidKeys !== undefined) return invalidKeys
          if (typeof body.email !== "string" || !/^[^@\s]+@[^@\s]+$/.test(body.email)) {
            return bad("Validation failed: body has invalid email value.")
          }
          const role = roleCheck(context, body.role)
          if (isAnswer(role)) return role
          // the API lists no invites, so the fake keeps none
          return json(200, { sentToEmail: body.email, role, status: "pending" })
        })
      }
      return noRoute()
    }

    case "auditlogs": {
      if (second !== undefined) return noRoute()
      if (method !== "GET") return methodNotAllowed()
      return paged(request, {
        list: "auditlogs",
        key: "recs",
        pageSize: AUDIT_PAGE,
        filters: ["from", "until", "operation", "userEmail", "userID", "userId"],
        build: (q) => {
          const from = q.from === undefined ? undefined : parseTime(q.from)
          const until = q.until === undefined ? undefined : parseTime(q.until)
          if (q.from !== undefined && from === undefined) return bad(`invalid from date: ${q.from}`)
          if (q.until !== undefined && until === undefined) return bad(`invalid until date: ${q.until}`)
          const to = until?.to ?? Math.max(context.dataNow, from?.to ?? Number.NEGATIVE_INFINITY)
          const range = { from: from?.from ?? to - 30 * DAY, to }
          if (range.from > range.to) return bad("The from parameter needs to be before the until parameter")
          const userId = q.userID ?? q.userId
          const logs = org.collection("logs") ?? empty
          return fromCollection(logs, range, (log) => {
            const at = typeof log.timestamp === "number" ? log.timestamp : Date.parse(String(log.timestamp))
            const recId = `${org.id.slice(0, 8)}${Math.max(0, at).toString(16).padStart(16, "0")}`
            const rec = Records.rec(log, recId)
            return (q.operation === undefined ||
              rec.crud === q.operation.toLowerCase() ||
              rec.action.endsWith(`.${q.operation.toLowerCase()}`)) &&
              (q.userEmail === undefined || rec.userEmail.toLowerCase() === q.userEmail.toLowerCase()) &&
              (userId === undefined || rec.userId === userId)
              ? rec
              : undefined
          })
        }
      })
    }
  }
  return noRoute()
}

const ROLES = ["owner", "user", "reader"]

/** A role a member or invite may be given by this user: owners may give `owner`, others `user`/`reader`. */
const roleCheck = (context: Context, role: unknown): string | Answer => {
  if (typeof role !== "string" || !ROLES.includes(role)) {
    return bad("Validation failed: body has invalid role value.  Must be owner, user or reader.")
  }
  if (role === "owner" && context.role !== "owner") return errors(403, "The user is not allowed to perform this action")
  return role
}

const dismiss = (context: Context, body: Body): Answer => {
  const invalidKeys = unknownKeys(body, [
    "ids",
    "dismissReason",
    "dismissReasonText",
    "from",
    "until",
    "severity",
    "ruleId",
    "ruleID",
    "agentId",
    "agentID"
  ])
  if (invalidKeys !== undefined) return invalidKeys
  const reason = body.dismissReason
  if (typeof reason !== "string" || !(Records.dismissReasons as ReadonlyArray<string>).includes(reason)) {
    return bad(`Validation failed: dismissReason must be one of ${Records.dismissReasons.join(", ")}.`)
  }
  const text = body.dismissReasonText
  if (text !== undefined && text !== null && typeof text !== "string") {
    return bad("Validation failed: body has invalid dismissReasonText value.")
  }
  if (reason === "OTHER" && (typeof text !== "string" || text.trim() === "")) {
    return bad("Validation failed: dismissReasonText is required when dismissReason is OTHER.")
  }
  const dismissal: Records.Dismissal = {
    at: context.clockNow,
    reason,
    text: typeof text === "string" && text !== "" ? text : null,
    by: context.userId
  }
  if (body.ids !== undefined) {
    const ids = body.ids
    if (!isStringArray(ids) || ids.length === 0 || ids.some((id) => id === "")) {
      return bad("Validation failed: ids must be a non-empty array of alert ids.")
    }
    if (ids.length > MAX_DISMISS) return bad(`Validation failed: at most ${MAX_DISMISS} ids at once.`)
    const missing = context.org.dismissIds(ids, dismissal)
    if (missing.length > 0) return notFound(`alerts not found: ${missing.join(", ")}`)
    return json(200, {})
  }
  if (typeof body.from !== "string" || typeof body.until !== "string") {
    return bad("Validation failed: dismissing by query needs from and until (or ids).")
  }
  const range = parseRange("from", body.from, "until", body.until)
  if (range._tag === "Left") return bad(range.message)
  const severity = severityOf(body.severity)
  if (severity === "invalid") return bad("Validation failed: body has invalid severity value.  Must be 1, 2 or 3.")
  const ruleId = body.ruleId ?? body.ruleID
  const agentId = body.agentId ?? body.agentID
  if (ruleId !== undefined && typeof ruleId !== "string")
    return bad("Validation failed: body has invalid ruleId value.")
  if (agentId !== undefined && typeof agentId !== "string")
    return bad("Validation failed: body has invalid agentId value.")
  context.org.dismissQuery({ range: { from: range.from, to: range.to }, severity, ruleId, agentId }, dismissal)
  return json(200, {})
}

const rulesets = (
  context: Context,
  request: Request,
  methodNotAllowed: () => Answer,
  noRoute: () => Answer,
  write: (f: (body: Body) => Answer) => Answer
): Answer => {
  const { org } = context
  const { method } = request
  // route() has answered more than four segments with a 404 already
  const [, rulesetId, sub, ruleId] = request.segments
  if (rulesetId === undefined) {
    if (method === "GET") {
      const agentId = request.params.get("agentId")
      if (agentId === null) return json(200, { rulesets: org.rulesets() })
      const agent = (org.collection("agents") ?? empty).find(agentId)
      const policy = agent?.policy_id
      const applied = org.rulesets().filter((r) => r.id === policy)
      return applied.length === 0 ? notFound(`no rulesets for agent ${agentId}`) : json(200, { rulesets: applied })
    }
    if (method !== "POST") return methodNotAllowed()
    return write((body) => {
      const ruleset = rulesetFrom(context, body, undefined)
      if (isAnswer(ruleset)) return ruleset
      org.putRuleset(ruleset)
      return json(200, ruleset)
    })
  }
  const ruleset = org.ruleset(rulesetId)
  if (ruleset === undefined) return notFound(`ruleset ${rulesetId} not found`)
  if (sub === undefined) {
    switch (method) {
      case "GET":
        return json(200, ruleset)
      case "PUT":
        return write((body) => {
          const updated = rulesetFrom(context, body, ruleset)
          if (isAnswer(updated)) return updated
          org.putRuleset(updated)
          return json(200, updated)
        })
      case "DELETE":
        org.deleteRuleset(rulesetId)
        return json(200, {})
      default:
        return methodNotAllowed()
    }
  }
  if (sub !== "rules") return noRoute()
  const withRuleset = (rule: Rule): Rule => ({ ...rule, rulesetId })
  if (ruleId === undefined) {
    if (method === "GET") {
      const rules: Array<Rule> = []
      for (const id of ruleset.rules) {
        const rule = org.rule(id)
        if (rule !== undefined) rules.push(withRuleset(rule))
      }
      return json(200, { rules })
    }
    if (method !== "POST") return methodNotAllowed()
    return write((body) => {
      const now = iso(context.clockNow)
      const rule = ruleFrom(body, "create", { id: context.newId(), rulesetId, createdAt: now, updatedAt: now })
      if (isAnswer(rule)) return rule
      org.putRule(rule)
      org.putRuleset({ ...ruleset, rules: [...ruleset.rules, rule.id], updatedAt: now })
      return json(200, rule)
    })
  }
  const rule = ruleset.rules.includes(ruleId) ? org.rule(ruleId) : undefined
  if (rule === undefined) return notFound(`rule ${ruleId} not found in ruleset ${rulesetId}`)
  switch (method) {
    case "GET":
      return json(200, withRuleset(rule))
    case "PUT":
      return write((body) => {
        const updated = ruleFrom(body, "update", {
          id: rule.id,
          rulesetId,
          createdAt: rule.createdAt,
          updatedAt: iso(context.clockNow)
        })
        if (isAnswer(updated)) return updated
        org.putRule(updated)
        return json(200, updated)
      })
    case "DELETE":
      org.deleteRule(ruleId)
      org.putRuleset({
        ...ruleset,
        rules: ruleset.rules.filter((id) => id !== ruleId),
        updatedAt: iso(context.clockNow)
      })
      return json(200, {})
    default:
      return methodNotAllowed()
  }
}
