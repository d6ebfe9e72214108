/**
 * The data behind the fake API: a deterministic generated organization (made
 * on demand from a seed, so a million alerts cost no memory) or records a
 * user supplies. Records are plain JSON objects in the v1 wire form; the v2
 * renderings (`fake/V2Records.ts`) and v2-only records (`fake/V2Data.ts`)
 * are derived from them.
 *
 * The v1 generators are typed as the v1 schemas' encoded types, so a schema
 * change the fake does not follow is a compile error.
 *
 * @since 0.1.0
 */
import type { Schema } from "effect"
import type * as Agents from "../Agents.js"
import type * as Alerts from "../Alerts.js"
import type * as Logs from "../Logs.js"
import type * as Organizations from "../Organizations.js"
import type * as Policies from "../Policies.js"
import { idFor, kindCode, nth, parseId, pick, rng, ruleIdFor } from "./fake/Ids.js"

/**
 * A JSON object as the API sends it.
 *
 * @since 0.1.0
 * @category models
 */
export type Json = Readonly<Record<string, unknown>>

/**
 * The v1 resources the generator makes.
 *
 * @since 0.1.0
 * @category models
 */
export type Kind = "agents" | "alerts" | "logs" | "policies" | "users"

/** The v1 wire forms, from the schemas. */
export type AgentWire = Schema.Schema.Encoded<typeof Agents.Agent>
export type AlertWire = Schema.Schema.Encoded<typeof Alerts.Alert>
export type AlertDetailWire = Schema.Schema.Encoded<typeof Alerts.AlertDetail>
export type LogWire = Schema.Schema.Encoded<typeof Logs.Log>
export type PolicyWire = Schema.Schema.Encoded<typeof Policies.Policy>
export type OrganizationWire = Schema.Schema.Encoded<typeof Organizations.Organization>
export type UserWire = Schema.Schema.Encoded<typeof Organizations.OrganizationUser>

/**
 * A time slice in epoch milliseconds, both ends included.
 *
 * @since 0.1.0
 * @category models
 */
export interface Range {
  readonly from: number
  readonly to: number
}

/** Every instant. */
export const always: Range = { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY }

/**
 * One resource of one organization: how many records fall in a time slice,
 * a window of them (newest first), and lookup by id.
 *
 * @since 0.1.0
 * @category models
 */
export interface Collection {
  readonly size: (range: Range) => number
  readonly slice: (range: Range, offset: number, limit: number) => ReadonlyArray<Json>
  readonly find: (id: string) => Json | undefined
}

/** A collection with no records. */
export const empty: Collection = { size: () => 0, slice: () => [], find: () => undefined }

/**
 * An organization the key belongs to, with its data.
 *
 * @since 0.1.0
 * @category models
 */
export interface Org {
  readonly organization: OrganizationWire
  /** The v1 records of each resource, by spec key (`agents`, `alerts`, … and any supplied key). */
  readonly collections: Readonly<Record<string, Collection>>
  /** `GET {path}/{id}` bodies that differ from the listed record: alerts' (with `latest_events` and `rule`). */
  readonly details: Readonly<Record<string, (id: string) => Json | undefined>>
  /** Where the records come from (v2-only records are derived from it). */
  readonly source:
    | { readonly _tag: "Generated"; readonly generation: Generation; readonly index: number }
    | { readonly _tag: "Supplied"; readonly supplied: Supplied }
}

/**
 * Records a user supplies for one organization, in v1 wire form (what the
 * API would send), by resource key. Alerts and logs are filtered by
 * `created_at` / `timestamp`; any other key (a spec's `key`, or the v2-only
 * `cves`, `ec2`, `rulesets`, `rules` in v2 form) is served as given.
 *
 * @since 0.1.0
 * @category models
 */
export interface Supplied {
  readonly organization: OrganizationWire
  readonly agents?: ReadonlyArray<AgentWire | Json>
  readonly alerts?: ReadonlyArray<AlertDetailWire | AlertWire | Json>
  readonly logs?: ReadonlyArray<LogWire | Json>
  readonly policies?: ReadonlyArray<PolicyWire | Json>
  readonly users?: ReadonlyArray<UserWire | Json>
  readonly [key: string]: ReadonlyArray<Json> | OrganizationWire | undefined
}

/**
 * How much to generate, per organization.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counts {
  readonly organizations: number
  readonly agents: number
  readonly alerts: number
  readonly logs: number
  readonly policies: number
  readonly users: number
  /** v2 vulnerabilities (CVEs). */
  readonly cves: number
  /** v2 EC2 servers with no agent (every agent also stands for a monitored server). */
  readonly unmonitoredServers: number
}

/**
 * Generation defaults: a small organization, enough for every example.
 *
 * @since 0.1.0
 */
export const defaultCounts: Counts = {
  organizations: 2,
  agents: 25,
  alerts: 500,
  logs: 300,
  policies: 4,
  users: 5,
  cves: 40,
  unmonitoredServers: 5
}

/** Which field a resource's records are filtered by `start`/`end` on. */
export const timeFields: Readonly<Record<string, string>> = { alerts: "created_at", logs: "timestamp" }

// ---------------------------------------------------------------------------
// supplied records

/** A record's time in epoch ms: epoch ms as given, or an ISO string parsed. */
export const timeOf = (record: Json, field: string): number => {
  const value = record[field]
  return typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN
}

const arrayCollection = (records: ReadonlyArray<Json>, timeField?: string): Collection => {
  const within = (range: Range) =>
    // Stryker disable next-line ConditionalExpression: the whole range is the fast path only: filtering by it keeps every record too
    timeField === undefined || (range.from === always.from && range.to === always.to)
      ? records
      : records.filter((r) => {
          const t = timeOf(r, timeField)
          return t >= range.from && t <= range.to
        })
  return {
    size: (range) => within(range).length,
    slice: (range, offset, limit) => within(range).slice(offset, offset + limit),
    find: (id) => records.find((r) => r.id === id)
  }
}

const withoutDetail = (alert: Json): Json => {
  const { latest_events: _events, rule: _rule, ...rest } = alert
  return rest
}

/**
 * Serves records a user supplied.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSupplied = (supplied: Supplied): Org => {
  const collections: Record<string, Collection> = {}
  for (const [key, value] of Object.entries(supplied)) {
    // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: the organization is the one value that is not an array, so either check skips it; a collection no spec names is never read
    if (key === "organization" || !Array.isArray(value)) continue
    const records = value as ReadonlyArray<Json>
    collections[key] = arrayCollection(key === "alerts" ? records.map(withoutDetail) : records, timeFields[key])
  }
  const alerts = (supplied.alerts ?? []) as ReadonlyArray<Json>
  return {
    organization: supplied.organization,
    collections,
    details: {
      alerts: (id) => {
        const alert = alerts.find((a) => a.id === id)
        return alert === undefined
          ? undefined
          : { latest_events: [], rule: { original_rule: { name: String(alert.title) } }, ...alert }
      }
    },
    source: { _tag: "Supplied", supplied }
  }
}

// ---------------------------------------------------------------------------
// generated records

/** The rules the generator's alerts come from: v1 `rule_id`s and v2 rules alike. */
export const RULES = [
  "User Login Activity",
  "Suspicious Shell Spawned",
  "Crontab Modified",
  "New Package Installed",
  "SSH Brute Force Attempt",
  "Outbound Connection to Rare Port",
  "Sudo Privilege Escalation",
  "Kernel Module Loaded"
] as const
const FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Radia", "Linus"] as const
const LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Perlman", "Torvalds"] as const
const ROLES = ["web", "db", "worker", "bastion", "cache"] as const
const ACTIONS = ["add", "update", "delete", "login"] as const

/**
 * Generation settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface Generation {
  readonly seed: number
  /** Epoch ms: the newest alert and log are just before it. */
  readonly now: number
  /** How far back alerts and logs are spread, in ms. */
  readonly span: number
  readonly counts: Counts
}

/**
 * Records spread evenly back in time from `now`, newest first: record `i`
 * is at `now - (i + 1) * step`, so a time slice is an index range found by
 * arithmetic, not by scanning.
 */
const timed = (
  count: number,
  g: Generation,
  make: (index: number, at: number) => Json,
  find: (id: string) => number | undefined
): Collection => {
  const step = Math.max(1, Math.floor(g.span / Math.max(1, count)))
  const bounds = (range: Range) => {
    const lo = Math.max(0, Math.ceil((g.now - range.to) / step) - 1)
    const hi = Math.min(count - 1, Math.floor((g.now - range.from) / step) - 1)
    return { lo, hi }
  }
  return {
    size: (range) => {
      const { hi, lo } = bounds(range)
      // Stryker disable next-line ArithmeticOperator: (hi + lo) + 1 is never below the size (lo >= 0), and every reader stops at hi; hi - lo - 1 dies in FakeGenerated.test.ts (a last page of one record)
      return Math.max(0, hi - lo + 1)
    },
    slice: (range, offset, limit) => {
      const { hi, lo } = bounds(range)
      const out: Array<Json> = []
      for (let i = lo + offset; i <= hi && out.length < limit; i++) out.push(make(i, g.now - (i + 1) * step))
      return out
    },
    find: (id) => {
      const i = find(id)
      return i !== undefined && i < count ? make(i, g.now - (i + 1) * step) : undefined
    }
  }
}

/** A collection of `count` records made on demand; `find` maps an id back to its index. */
export const untimed = (
  count: number,
  make: (index: number) => Json,
  find: (id: string) => number | undefined
): Collection => ({
  size: () => count,
  slice: (_range, offset, limit) => {
    const out: Array<Json> = []
    for (let i = offset; i < count && out.length < limit; i++) out.push(make(i))
    return out
  },
  find: (id) => {
    const i = find(id)
    return i !== undefined && i < count ? make(i) : undefined
  }
})

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * The people of a generated fake: person `p` has one id, name and e-mail in
 * every organization they belong to. Organization 0's user slots are people
 * 0, 1, 2, …; organization `k`'s slot 1 is person 0 (the key holder, a member
 * of every organization: owner of the first, user elsewhere) and its other
 * slots are people of its own.
 */
const personOf = (org: number, slot: number, users: number): number =>
  org === 0 ? slot : slot === 1 ? 0 : org * users + slot

/** Person `person`'s slot in organization `org`, if they can have one (the users collection refuses a slot past its count). */
const slotOf = (org: number, person: number, users: number): number | undefined => {
  if (org === 0) return person
  // Stryker disable next-line ConditionalExpression,EqualityOperator: every organization knows the key holder without this (State's roleOf), and the directory finds person 0 in organization 0 first
  if (person === 0) return users >= 2 ? 1 : undefined
  const slot = person - org * users
  return slot >= 0 && slot !== 1 ? slot : undefined
}

/** The id of generated person `p`. */
export const personId = (person: number): string => idFor("users", 0, person)

/**
 * Generates organization number `org` (0-based) on demand.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generated = (g: Generation, org: number): Org => {
  const { counts, now, seed } = g
  const orgId = idFor("org", org, 0)
  const DAY = 86_400_000
  const hostname = (i: number) => `${nth(ROLES, i)}-${String(i).padStart(3, "0")}.org${org}.internal`
  const agentId = (i: number) => idFor("agents", org, i)
  const policyId = (i: number) => idFor("policies", org, i)
  const person = (slot: number) => personOf(org, slot, counts.users)
  const emailOf = (p: number) =>
    `${nth(FIRST, p).toLowerCase()}.${nth(LAST, p).toLowerCase()}${p >= FIRST.length ? p : ""}@example.com`

  const agent = (i: number): AgentWire => {
    const r = rng(seed, kindCode("agents"), org, i)
    const created = now - 90 * DAY + Math.floor(r() * 60 * DAY)
    // Stryker disable next-line EqualityOperator: a random draw equals the bound with probability 0
    const online = r() > 0.2
    return {
      id: agentId(i),
      // Stryker disable next-line Regex: an agent's id starts with its kind code, a9, and has no other
      agent_id: idFor("agents", org, i).replace(/^a9/, "ag"),
      hostname: hostname(i),
      ip_address: `10.${org % 256}.${(i >> 8) & 255}.${i & 255}`,
      name: hostname(i),
      // Stryker disable next-line EqualityOperator: a random draw equals the bound with probability 0
      description: r() > 0.5 ? `${nth(ROLES, i)} server` : null,
      version: pick(r, ["2.4.0", "2.4.1", "2.5.0"]),
      status: "active",
      online,
      enabled: true,
      pause: false,
      activated_at: iso(created + 60_000),
      created_at: iso(created),
      updated_at: iso(now - Math.floor(r() * DAY)),
      last_reported_at: iso(online ? now - Math.floor(r() * 60_000) : now - Math.floor((1 + r()) * DAY)),
      policy_id: policyId(i % Math.max(1, counts.policies)),
      organization_id: orgId
    }
  }

  const alert = (i: number, at: number): AlertWire => {
    const r = rng(seed, kindCode("alerts"), org, i)
    const rule = Math.floor(r() * RULES.length)
    // Stryker disable next-line EqualityOperator: a random draw equals the bound with probability 0
    const severity = r() < 0.2 ? 1 : r() < 0.5 ? 2 : 3
    // Stryker disable next-line EqualityOperator: a random draw equals the bound with probability 0
    const dismissed = r() < 0.3
    const agentIndex = Math.floor(r() * Math.max(1, counts.agents))
    return {
      id: idFor("alerts", org, i),
      title: `${RULES[rule]}: ${hostname(agentIndex)}`,
      type: "rule",
      severity,
      count: 1 + Math.floor(r() * 40),
      active: !dismissed,
      dismissed,
      // Stryker disable next-line EqualityOperator: a random draw equals the bound with probability 0
      unread: r() < 0.6,
      key: `${rule}:${agentIndex}`,
      agent_id: counts.agents > 0 ? agentId(agentIndex) : null,
      rule_id: ruleIdFor(org, rule),
      alert_policy_id: counts.policies > 0 ? policyId(rule % counts.policies) : null,
      created_at: at,
      expires_at: at + DAY,
      last_notified_at: iso(at + 1_000),
      last_updated_at: iso(at + 2_000)
    }
  }

  const alerts = timed(counts.alerts, g, alert, (id) => parseId("alerts", org, id))

  const log = (i: number, at: number): LogWire => {
    const r = rng(seed, kindCode("logs"), org, i)
    const user = person(Math.floor(r() * Math.max(1, counts.users)))
    const agentIndex = Math.floor(r() * Math.max(1, counts.agents))
    const action = pick(r, ACTIONS)
    return {
      timestamp: at,
      user: emailOf(user),
      type: action === "login" ? "user" : "agent",
      action,
      description: action === "login" ? `${emailOf(user)} logged in` : `agent ${hostname(agentIndex)} ${action}d`,
      source: `queue:${action}`,
      user_id: personId(user),
      organization_id: orgId,
      context: [
        {
          id: agentId(agentIndex),
          type: "agent",
          name: hostname(agentIndex),
          agent: {
            name: hostname(agentIndex),
            policy_id: policyId(agentIndex % Math.max(1, counts.policies)),
            id: agentId(agentIndex)
          }
        }
      ]
    }
  }

  const policy = (i: number): PolicyWire => {
    const r = rng(seed, kindCode("policies"), org, i)
    return {
      id: policyId(i),
      name: i === 0 ? "Base Policy" : `Policy ${i}`,
      // Stryker disable next-line EqualityOperator: a random draw equals the bound with probability 0
      description: r() > 0.3 ? `Rules for ${nth(ROLES, i)} servers` : null,
      enabled: true,
      read_only: i === 0,
      // Stryker disable next-line EqualityOperator: a random draw equals the bound with probability 0
      firewall_enabled: r() > 0.5,
      created_at: iso(now - 200 * DAY + i * DAY),
      updated_at: iso(now - Math.floor(r() * 30 * DAY)),
      organization_id: orgId,
      alert_policy_id: policyId(i),
      agent_count: Math.ceil(counts.agents / Math.max(1, counts.policies)),
      firewall_rule_count: Math.floor(r() * 10),
      alert_rule_count: RULES.length,
      file_integrity_rules: [],
      alert_policy: RULES.slice(0, 3).map((title, k) => ({
        title,
        description: null,
        enabled: true,
        severity: 1 + (k % 3),
        filter: `event_type = "audit" and rule = ${k}`,
        exclusions: []
      }))
    }
  }

  const user = (slot: number): UserWire => {
    const p = person(slot)
    return {
      id: personId(p),
      display_name: `${nth(FIRST, p)} ${nth(LAST, p)}`,
      name: { first: nth(FIRST, p), last: nth(LAST, p) },
      email: emailOf(p),
      role: slot === 0 ? "owner" : "user",
      organization_id: orgId,
      updated_at: iso(now - (slot + 1) * DAY)
    }
  }

  const alertDetail = (id: string): AlertDetailWire | undefined => {
    const found = alerts.find(id) as AlertWire | undefined
    if (found === undefined) return undefined
    const at = found.created_at as number
    const originalRule = {
      // Stryker disable next-line StringLiteral: split always gives a first part
      name: String(found.title).split(":")[0] ?? "",
      severity: found.severity,
      type: "Host",
      enabled: true
    }
    return {
      ...found,
      latest_events: [0, 1].map((k) => ({
        timestamp: at - k * 5_000,
        type: "audit",
        syscall: "execve",
        exe: k === 0 ? "/bin/bash" : "/usr/bin/curl",
        user: "root",
        agent_id: found.agent_id
      })),
      rule: { original_rule: originalRule }
    }
  }

  const organization: OrganizationWire = {
    id: orgId,
    name: org === 0 ? "Acme Security" : `Acme Subsidiary ${org}`,
    role: org === 0 ? "owner" : "user"
  }
  return {
    organization,
    collections: {
      agents: untimed(counts.agents, agent, (id) => parseId("agents", org, id)),
      alerts,
      // Stryker disable next-line ArrowFunction: no route gets a log by id (v1's Logs spec has no get; v2's audit logs are listed only)
      logs: timed(counts.logs, g, log, (id) => parseId("logs", org, id)),
      policies: untimed(counts.policies, policy, (id) => parseId("policies", org, id)),
      users: untimed(counts.users, user, (id) => {
        const p = parseId("users", 0, id)
        return p === undefined ? undefined : slotOf(org, p, counts.users)
      })
    },
    details: { alerts: alertDetail },
    source: { _tag: "Generated", generation: g, index: org }
  }
}
