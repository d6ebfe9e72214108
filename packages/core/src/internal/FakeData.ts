/**
 * The data behind the fake API: a deterministic generated organization (made
 * on demand from a seed, so a million alerts cost no memory) or records a
 * user supplies. Records are plain JSON objects in the API's wire form.
 *
 * @since 0.1.0
 */
import type { Schema } from "effect"
import type * as Agents from "../Agents.js"
import type * as Alerts from "../Alerts.js"
import type * as Logs from "../Logs.js"
import type * as Organizations from "../Organizations.js"
import type * as Policies from "../Policies.js"

/**
 * A JSON object as the API sends it.
 *
 * @example
 * ```ts
 * import type { FakeData } from "@effect-threatstack/core"
 *
 * const record: FakeData.Json = { id: "p1", name: "Base Policy" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Json = Readonly<Record<string, unknown>>

/**
 * The resources the fake serves lists of.
 *
 * @example
 * ```ts
 * import type { FakeData } from "@effect-threatstack/core"
 *
 * const kind: FakeData.Kind = "alerts"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Kind = "agents" | "alerts" | "logs" | "policies" | "users"

/**
 * A time slice in epoch milliseconds, both ends included.
 *
 * @example
 * ```ts
 * import type { FakeData } from "@effect-threatstack/core"
 *
 * const may: FakeData.Range = { from: Date.UTC(2017, 4, 1), to: Date.UTC(2017, 5, 1) - 1 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Range {
  readonly from: number
  readonly to: number
}

/**
 * One resource of one organization: how many records fall in a time slice,
 * a window of them (newest first), and lookup by id.
 *
 * @example
 * ```ts
 * import { FakeData } from "@effect-threatstack/core"
 *
 * const org = FakeData.generated({ seed: 1, now: Date.now(), span: 86_400_000, counts: FakeData.defaultCounts }, 0)
 * const all = { from: 0, to: Date.now() }
 * org.collections.alerts.slice(all, 0, 10) // the ten newest alerts
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Collection {
  readonly size: (range: Range) => number
  readonly slice: (range: Range, offset: number, limit: number) => ReadonlyArray<Json>
  readonly find: (id: string) => Json | undefined
}

/**
 * An organization the key belongs to, with its data.
 *
 * @example
 * ```ts
 * import { FakeData } from "@effect-threatstack/core"
 *
 * const org: FakeData.Org = FakeData.fromSupplied({ organization: { id: "o1", name: "Acme", role: "owner" } })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Org {
  readonly organization: Json & { readonly id: string }
  readonly collections: Readonly<Record<Kind, Collection>>
  /** The body of `GET alerts/{id}`: the alert with `latest_events` and `rule`. */
  readonly alertDetail: (id: string) => Json | undefined
}

/**
 * Records a user supplies for one organization, in wire form (what the API
 * would send). Alerts and logs are filtered by `created_at` / `timestamp`.
 *
 * @example
 * ```ts
 * import type { FakeData } from "@effect-threatstack/core"
 *
 * const org: FakeData.Supplied = {
 *   organization: { id: "org1", name: "Acme", role: "owner" },
 *   policies: []
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Supplied {
  readonly organization: Schema.Schema.Encoded<typeof Organizations.Organization>
  readonly agents?: ReadonlyArray<Schema.Schema.Encoded<typeof Agents.Agent> | Json>
  readonly alerts?: ReadonlyArray<Schema.Schema.Encoded<typeof Alerts.AlertDetail> | Json>
  readonly logs?: ReadonlyArray<Schema.Schema.Encoded<typeof Logs.Log> | Json>
  readonly policies?: ReadonlyArray<Schema.Schema.Encoded<typeof Policies.Policy> | Json>
  readonly users?: ReadonlyArray<Schema.Schema.Encoded<typeof Organizations.OrganizationUser> | Json>
}

/**
 * How much to generate, per organization.
 *
 * @example
 * ```ts
 * import { FakeData } from "@effect-threatstack/core"
 *
 * const big: FakeData.Counts = { ...FakeData.defaultCounts, alerts: 1_000_000 }
 * ```
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
}

/**
 * Generation defaults: a small organization, enough for every example.
 *
 * @example
 * ```ts
 * import { FakeData } from "@effect-threatstack/core"
 *
 * FakeData.defaultCounts.alerts // 500 per organization
 * ```
 *
 * @since 0.1.0
 */
export const defaultCounts: Counts = {
  organizations: 2,
  agents: 25,
  alerts: 500,
  logs: 300,
  policies: 4,
  users: 5
}

// ---------------------------------------------------------------------------
// supplied records

const timeOf = (record: Json, field: string): number => {
  const value = record[field]
  return typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN
}

const arrayCollection = (records: ReadonlyArray<Json>, timeField?: string): Collection => {
  const within = (range: Range) =>
    timeField === undefined
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
 * @example
 * ```ts
 * import { FakeData } from "@effect-threatstack/core"
 *
 * const org = FakeData.fromSupplied({ organization: { id: "o1", name: "Acme", role: "owner" }, policies: [] })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSupplied = (supplied: Supplied): Org => {
  const alerts = (supplied.alerts ?? []) as ReadonlyArray<Json>
  const listed = arrayCollection(alerts.map(withoutDetail), "created_at")
  return {
    organization: supplied.organization,
    collections: {
      agents: arrayCollection((supplied.agents ?? []) as ReadonlyArray<Json>),
      alerts: listed,
      logs: arrayCollection((supplied.logs ?? []) as ReadonlyArray<Json>, "timestamp"),
      policies: arrayCollection((supplied.policies ?? []) as ReadonlyArray<Json>),
      users: arrayCollection((supplied.users ?? []) as ReadonlyArray<Json>)
    },
    alertDetail: (id) => {
      const alert = alerts.find((a) => a.id === id)
      return alert === undefined
        ? undefined
        : { latest_events: [], rule: { original_rule: { name: String(alert.title) } }, ...alert }
    }
  }
}

// ---------------------------------------------------------------------------
// generated records

const KIND_CODE: Readonly<Record<Kind | "org", number>> = {
  org: 0x5a,
  agents: 0xa9,
  alerts: 0xa1,
  logs: 0x10,
  policies: 0xb0,
  users: 0xee
}

/** A 24-hex-char id that encodes what it names, so lookup needs no storage. */
const idFor = (kind: Kind | "org", org: number, index: number): string =>
  KIND_CODE[kind].toString(16).padStart(2, "0") +
  org.toString(16).padStart(6, "0") +
  index.toString(16).padStart(16, "0")

const parseId = (kind: Kind, org: number, id: string): number | undefined => {
  if (!/^[0-9a-f]{24}$/.test(id) || id.slice(0, 8) !== idFor(kind, org, 0).slice(0, 8)) return undefined
  return parseInt(id.slice(8), 16)
}

/** A small fast PRNG (mulberry32) seeded from the seed and the record's place. */
const rng = (seed: number, kind: Kind, org: number, index: number) => {
  let state =
    (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^
      Math.imul(KIND_CODE[kind] + org * 7919, 0xc2b2ae35) ^
      Math.imul(index + 1, 0x27d4eb2f)) >>>
    0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Item `i` of a non-empty list, wrapping around. */
const nth = <A>(items: ReadonlyArray<A>, i: number): A => items[i % items.length] as A

const pick = <A>(random: () => number, items: ReadonlyArray<A>): A => nth(items, Math.floor(random() * items.length))

const RULES = [
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
 * @example
 * ```ts
 * import type { FakeData } from "@effect-threatstack/core"
 *
 * const week: FakeData.Generation = {
 *   seed: 7,
 *   now: Date.now(),
 *   span: 7 * 86_400_000,
 *   counts: { organizations: 1, agents: 10, alerts: 100, logs: 50, policies: 2, users: 3 }
 * }
 * ```
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
  idKind: Kind,
  org: number
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
      return Math.max(0, hi - lo + 1)
    },
    slice: (range, offset, limit) => {
      const { hi, lo } = bounds(range)
      const out: Array<Json> = []
      for (let i = lo + offset; i <= hi && out.length < limit; i++) out.push(make(i, g.now - (i + 1) * step))
      return out
    },
    find: (id) => {
      const i = parseId(idKind, org, id)
      return i !== undefined && i < count ? make(i, g.now - (i + 1) * step) : undefined
    }
  }
}

const untimed = (count: number, make: (index: number) => Json, kind: Kind, org: number): Collection => ({
  size: () => count,
  slice: (_range, offset, limit) => {
    const out: Array<Json> = []
    for (let i = offset; i < count && out.length < limit; i++) out.push(make(i))
    return out
  },
  find: (id) => {
    const i = parseId(kind, org, id)
    return i !== undefined && i < count ? make(i) : undefined
  }
})

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * Generates organization number `org` (0-based) on demand.
 *
 * @example
 * ```ts
 * import { FakeData } from "@effect-threatstack/core"
 *
 * const org = FakeData.generated({ seed: 1, now: Date.now(), span: 86_400_000, counts: FakeData.defaultCounts }, 0)
 * org.organization.name // "Acme Security"
 * ```
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
  const userEmail = (i: number) => `${nth(FIRST, i).toLowerCase()}.${nth(LAST, i).toLowerCase()}@example.com`

  const agent = (i: number): Json => {
    const r = rng(seed, "agents", org, i)
    const created = now - 90 * DAY + Math.floor(r() * 60 * DAY)
    const online = r() > 0.2
    return {
      id: agentId(i),
      agent_id: idFor("agents", org, i).replace(/^a9/, "ag"),
      hostname: hostname(i),
      ip_address: `10.${org % 256}.${(i >> 8) & 255}.${i & 255}`,
      name: hostname(i),
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

  const alert = (i: number, at: number): Json => {
    const r = rng(seed, "alerts", org, i)
    const rule = Math.floor(r() * RULES.length)
    const severity = r() < 0.2 ? 1 : r() < 0.5 ? 2 : 3
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
      unread: r() < 0.6,
      key: `${rule}:${agentIndex}`,
      agent_id: counts.agents > 0 ? agentId(agentIndex) : null,
      rule_id: `rule-${org}-${rule}`,
      alert_policy_id: counts.policies > 0 ? policyId(rule % counts.policies) : null,
      created_at: at,
      expires_at: at + DAY,
      last_notified_at: iso(at + 1_000),
      last_updated_at: iso(at + 2_000)
    }
  }

  const alerts = timed(counts.alerts, g, alert, "alerts", org)

  const log = (i: number, at: number): Json => {
    const r = rng(seed, "logs", org, i)
    const user = Math.floor(r() * Math.max(1, counts.users))
    const agentIndex = Math.floor(r() * Math.max(1, counts.agents))
    const action = pick(r, ACTIONS)
    return {
      timestamp: at,
      user: userEmail(user),
      type: action === "login" ? "user" : "agent",
      action,
      description: action === "login" ? `${userEmail(user)} logged in` : `agent ${hostname(agentIndex)} ${action}d`,
      source: `queue:${action}`,
      user_id: idFor("users", org, user),
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

  const policy = (i: number): Json => {
    const r = rng(seed, "policies", org, i)
    return {
      id: policyId(i),
      name: i === 0 ? "Base Policy" : `Policy ${i}`,
      description: r() > 0.3 ? `Rules for ${nth(ROLES, i)} servers` : null,
      enabled: true,
      read_only: i === 0,
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

  const user = (i: number): Json => ({
    id: idFor("users", org, i),
    display_name: `${nth(FIRST, i)} ${nth(LAST, i)}`,
    name: { first: nth(FIRST, i), last: nth(LAST, i) },
    email: userEmail(i),
    role: i === 0 ? "owner" : "user",
    organization_id: orgId,
    updated_at: iso(now - (i + 1) * DAY)
  })

  return {
    organization: {
      id: orgId,
      name: org === 0 ? "Acme Security" : `Acme Subsidiary ${org}`,
      role: org === 0 ? "owner" : "user"
    },
    collections: {
      agents: untimed(counts.agents, agent, "agents", org),
      alerts,
      logs: timed(counts.logs, g, log, "logs", org),
      policies: untimed(counts.policies, policy, "policies", org),
      users: untimed(counts.users, user, "users", org)
    },
    alertDetail: (id) => {
      const found = alerts.find(id)
      if (found === undefined) return undefined
      const at = found.created_at as number
      const name = String(found.title).split(":")[0]
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
        rule: { original_rule: { name, severity: found.severity, type: "Host", enabled: true } }
      }
    }
  }
}
