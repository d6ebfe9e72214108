/**
 * One organization as both generations see it: the generated (or supplied)
 * records under the writes made through the API, kept in memory as maps of
 * what changed (dismissals, rulesets, rules, rule tags, members).
 * Nothing is materialised: a million alerts cost nothing until touched, and a
 * dismissal by query is kept as the query, not as the alerts it matched.
 *
 * @internal
 */
import type { Collection, Json, Org, Range } from "../FakeData.js"
import { always, empty } from "../FakeData.js"
import type { Rule, Ruleset, TagSet, V2Base } from "./V2Data.js"
import { base as v2Base } from "./V2Data.js"
import type { Dismissal } from "./V2Records.js"
import { baseDismissal, severityOf } from "./V2Records.js"

/** What a dismissal by query selects. */
export interface DismissQuery {
  readonly range: Range
  readonly severity?: number | undefined
  readonly ruleId?: string | undefined
  readonly agentId?: string | undefined
}

/** What the state needs from the fake around it. */
export interface Context {
  readonly seed: number
  /** The v2 user (Hawk id) of the fake's key: a member of every organization unless removed. */
  readonly keyHolder: string
  /** A user known to the fake (in any organization), in v1 form. */
  readonly directory: (userId: string) => Json | undefined
}

/** One organization's records under its writes. */
export interface OrgState {
  readonly id: string
  readonly org: Org
  readonly v2: V2Base
  /** A v1 resource's records as served (alerts with v2 dismissals, users as members). */
  readonly collection: (key: string) => Collection | undefined
  /** A `GET {path}/{id}` body that differs from the listed record. */
  readonly detail: (key: string, id: string) => Json | undefined
  /** The alerts as generated or supplied, without dismissals made through the API. */
  readonly baseAlerts: Collection
  readonly dismissalOf: (alert: Json) => Dismissal | undefined
  /** Dismisses these alerts (those not dismissed yet); answers the ids that do not exist, dismissing none then. */
  readonly dismissIds: (ids: ReadonlyArray<string>, dismissal: Dismissal) => ReadonlyArray<string>
  readonly dismissQuery: (query: DismissQuery, dismissal: Dismissal) => void
  /** The members, in v1 user form. */
  readonly members: () => ReadonlyArray<Json>
  readonly roleOf: (userId: string) => string | undefined
  readonly addMember: (userId: string, role: string) => "added" | "exists" | "unknown"
  readonly removeMember: (userId: string) => boolean
  readonly rulesets: () => ReadonlyArray<Ruleset>
  readonly ruleset: (id: string) => Ruleset | undefined
  readonly putRuleset: (ruleset: Ruleset) => void
  readonly deleteRuleset: (id: string) => void
  readonly rule: (id: string) => Rule | undefined
  readonly putRule: (rule: Rule) => void
  readonly deleteRule: (id: string) => void
  readonly tags: (ruleId: string) => TagSet | undefined
  readonly setTags: (ruleId: string, tags: TagSet) => void
}

const all = <A>(collection: Collection): ReadonlyArray<A> =>
  collection.slice(always, 0, collection.size(always)) as unknown as ReadonlyArray<A>

const arrayCollection = (records: ReadonlyArray<Json>): Collection => ({
  size: () => records.length,
  slice: (_range, offset, limit) => records.slice(offset, offset + limit),
  find: (id) => records.find((r) => r.id === id)
})

/** The same records, each passed through `f` (lazily, as they are read). */
const mapCollection = (collection: Collection, f: (record: Json) => Json): Collection => ({
  size: collection.size,
  slice: (range, offset, limit) => collection.slice(range, offset, limit).map(f),
  find: (id) => {
    const found = collection.find(id)
    return found === undefined ? undefined : f(found)
  }
})

/** Changes over a keyed base: replaced or deleted (`null`) records, then created ones in order. */
const overlay = <A extends { readonly id: string }>(
  baseAll: () => ReadonlyArray<A>,
  baseFind: (id: string) => A | undefined
) => {
  const changes = new Map<string, A | null>()
  // Stryker disable next-line ArrayDeclaration: an id in this list with no record put under it is skipped, and every id put is a fresh UUID, never the placeholder
  const created: Array<string> = []
  const find = (id: string): A | undefined => {
    const changed = changes.get(id)
    if (changed !== undefined) return changed ?? undefined
    return baseFind(id)
  }
  return {
    find,
    all: (): ReadonlyArray<A> => {
      const out: Array<A> = []
      for (const record of baseAll()) {
        const changed = changes.get(record.id)
        if (changed === null) continue
        out.push(changed ?? record)
      }
      for (const id of created) {
        const record = changes.get(id)
        if (record !== null && record !== undefined) out.push(record)
      }
      return out
    },
    put: (record: A) => {
      if (!changes.has(record.id) && baseFind(record.id) === undefined) created.push(record.id)
      changes.set(record.id, record)
    },
    remove: (id: string) => {
      changes.set(id, null)
    }
  }
}

/** Builds an organization's state. */
export const make = (org: Org, context: Context): OrgState => {
  const id = org.organization.id
  const v2 = v2Base(org)
  const baseAlerts = org.collections.alerts ?? empty
  const baseUsers = org.collections.users ?? empty

  // --- dismissals
  const dismissedIds = new Map<string, Dismissal>()
  const dismissQueries: Array<{ readonly query: DismissQuery; readonly dismissal: Dismissal }> = []
  let owner: string | null | undefined
  const generatedDismisser = () => {
    // Stryker disable next-line ConditionalExpression: only a cache: the organization's first user is the same every time (never caching, it is looked up again; `false`, no dismisser, is killed)
    if (owner === undefined) {
      const first = baseUsers.slice(always, 0, 1)[0]
      owner = typeof first?.id === "string" ? first.id : null
    }
    return owner
  }
  const matches = (query: DismissQuery, alert: Json) => {
    const created = typeof alert.created_at === "number" ? alert.created_at : Date.parse(String(alert.created_at))
    return (
      created >= query.range.from &&
      created <= query.range.to &&
      (query.severity === undefined || severityOf(alert) === query.severity) &&
      (query.ruleId === undefined || alert.rule_id === query.ruleId) &&
      (query.agentId === undefined || alert.agent_id === query.agentId)
    )
  }
  const dismissalOf = (alert: Json): Dismissal | undefined => {
    if (alert.dismissed === true) return baseDismissal(context.seed, alert, generatedDismisser())
    const byId = dismissedIds.get(String(alert.id))
    if (byId !== undefined) return byId
    return dismissQueries.find((q) => matches(q.query, alert))?.dismissal
  }
  const v1Alert = (alert: Json): Json =>
    alert.dismissed !== true && dismissalOf(alert) !== undefined ? { ...alert, dismissed: true, active: false } : alert

  // --- members
  const memberChanges = new Map<string, string | null>()
  // Stryker disable next-line ArrayDeclaration: an id in this list with no role set is skipped, and no user of the data is called by the placeholder
  const addedMembers: Array<string> = []
  const roleOf = (userId: string): string | undefined => {
    const changed = memberChanges.get(userId)
    if (changed !== undefined) return changed ?? undefined
    const found = baseUsers.find(userId)
    if (found !== undefined) return String(found.role)
    return userId === context.keyHolder ? org.organization.role : undefined
  }
  const members = (): ReadonlyArray<Json> => {
    const out: Array<Json> = []
    for (const user of all<Json>(baseUsers)) {
      const changed = memberChanges.get(String(user.id))
      if (changed === null) continue
      out.push(changed === undefined ? user : { ...user, role: changed })
    }
    for (const userId of addedMembers) {
      const role = memberChanges.get(userId)
      const known = context.directory(userId)
      // Stryker disable next-line ConditionalExpression: a member added has a role (null once removed) and is in the directory (addMember checked), so only the null test can skip one (killed)
      if (role === null || role === undefined || known === undefined) continue
      out.push({ ...known, role, organization_id: id })
    }
    return out
  }

  // --- rulesets, rules, tags
  const rulesets = overlay<Ruleset>(
    () => all<Ruleset>(v2.rulesets),
    (rid) => v2.rulesets.find(rid) as Ruleset | undefined
  )
  const rules = overlay<Rule>(
    () => all<Rule>(v2.rules),
    (rid) => v2.rules.find(rid) as Rule | undefined
  )
  const tagChanges = new Map<string, TagSet>()

  return {
    id,
    org,
    v2,
    collection: (key) => {
      if (key === "alerts") return mapCollection(baseAlerts, v1Alert)
      if (key === "users") return arrayCollection(members())
      return org.collections[key]
    },
    detail: (key, recordId) => {
      const detail = org.details[key]?.(recordId)
      // Stryker disable next-line ConditionalExpression: only alerts have detail bodies, so a detail found is an alert's (the other mutants are killed)
      return detail !== undefined && key === "alerts" ? v1Alert(detail) : detail
    },
    baseAlerts,
    dismissalOf,
    dismissIds: (ids, dismissal) => {
      const found = ids.map((alertId) => [alertId, baseAlerts.find(alertId)] as const)
      const missing = found.filter(([, alert]) => alert === undefined).map(([alertId]) => alertId)
      if (missing.length > 0) return missing
      for (const [alertId, alert] of found) {
        // Stryker disable next-line ConditionalExpression: every id was found (missing ones were answered above), so the alert is there (the other mutants are killed)
        if (alert !== undefined && dismissalOf(alert) === undefined) dismissedIds.set(alertId, dismissal)
      }
      return []
    },
    dismissQuery: (query, dismissal) => {
      dismissQueries.push({ query, dismissal })
    },
    members,
    roleOf,
    addMember: (userId, role) => {
      if (roleOf(userId) !== undefined) return "exists"
      // Stryker disable next-line ConditionalExpression: the key holder removed can no longer call into the organization, so never adds themselves back (the other mutants are killed)
      const inBase = baseUsers.find(userId) !== undefined || userId === context.keyHolder
      if (!inBase && context.directory(userId) === undefined) return "unknown"
      if (!inBase && !addedMembers.includes(userId)) addedMembers.push(userId)
      memberChanges.set(userId, role)
      return "added"
    },
    removeMember: (userId) => {
      if (roleOf(userId) === undefined) return false
      memberChanges.set(userId, null)
      return true
    },
    rulesets: rulesets.all,
    ruleset: rulesets.find,
    putRuleset: rulesets.put,
    deleteRuleset: rulesets.remove,
    rule: rules.find,
    putRule: rules.put,
    deleteRule: rules.remove,
    tags: (ruleId) => tagChanges.get(ruleId) ?? v2.tags(ruleId),
    setTags: (ruleId, tags) => {
      tagChanges.set(ruleId, tags)
    }
  }
}
