/**
 * The v2 shapes of the records both generations share (reference §4):
 * agents, alerts, members and audit records are rendered from the same v1
 * records, camelCase and ISO strings, so the two generations never disagree.
 *
 * @internal
 */
import type { Json } from "../FakeData.js"
import { timeOf } from "../FakeData.js"
import { nth, pick, rngOf } from "./Ids.js"

/** A tag on an agent or an EC2 server. */
export type Tag = {
  readonly source: string
  readonly key: string
  readonly value: string
}

/** `GET /v2/agents` items (reference §4.1). */
export type Agent = {
  readonly id: string
  readonly instanceId: string | null
  readonly status: "online" | "offline"
  readonly createdAt: string
  readonly lastReportedAt: string | null
  readonly version: string
  readonly name: string
  readonly description: string
  readonly hostname: string
  readonly ipAddresses: {
    readonly private: ReadonlyArray<string>
    readonly link_local: ReadonlyArray<string>
    readonly public: ReadonlyArray<string>
  }
  readonly tags: ReadonlyArray<Tag>
  readonly agentType: "investigate" | "monitor"
  readonly osVersion: string
  readonly kernel: string
  readonly agentModuleHealth: Readonly<Record<string, string | boolean>>
  readonly isContainerAgent: boolean
}

/** The dismiss reasons of `POST /v2/alerts/dismiss`. */
export const dismissReasons = ["BUSINESS_OP", "COMPANY_POLICY", "MAINTENANCE", "OTHER"] as const

/** How and when an alert was dismissed. */
export type Dismissal = {
  /** Epoch ms. */
  readonly at: number
  readonly reason: string
  readonly text: string | null
  /** The user id of whoever dismissed it. */
  readonly by: string | null
}

/** `GET /v2/alerts` items (reference §4.2). */
export type Alert = {
  readonly id: string
  readonly title: string
  readonly dataSource: string
  readonly createdAt: string
  readonly isDismissed: boolean
  readonly dismissedAt: string | null
  readonly dismissReason: string | null
  readonly dismissReasonText: string | null
  readonly dismissedBy: string | null
  readonly severity: number
  readonly agentId: string | null
  readonly ruleId: string | null
  readonly rulesetId: string | null
  readonly aggregates: ReadonlyArray<{ readonly fieldName: string; readonly fieldValue: string }>
}

/** `GET /v2/organizations/members` items (reference §4.6). */
export type Member = {
  readonly id: string
  readonly displayName: string
  readonly email: string
  /** Epoch milliseconds. */
  readonly lastAuthenticatedAt: number
  readonly role: string
  readonly ssoEnabled: boolean
  readonly mfaEnabled: boolean
  readonly userEnabled: boolean
}

/** `GET /v2/auditlogs` items (reference §4.7). */
export type Rec = {
  readonly id: string
  readonly userEmail: string
  readonly userId: string
  readonly organizationId: string
  readonly result: string
  readonly crud: string
  readonly action: string
  readonly source: string
  readonly description: string
  readonly eventTime: string
  readonly context: Readonly<Record<string, unknown>>
}

const str = (value: unknown, fallback = ""): string => (typeof value === "string" ? value : fallback)
const isoOf = (record: Json, field: string): string | null => {
  const ms = timeOf(record, field)
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null
}

const OS = ["ubuntu 16.04", "ubuntu 18.04", "amzn 2", "centos 7"] as const
const KERNELS = ["4.4.0-1042-aws", "4.15.0-1021-aws", "4.14.77-81.59.amzn2.x86_64", "3.10.0-957.el7.x86_64"] as const
const ENVIRONMENTS = ["production", "staging", "development"] as const

/** An agent's EC2 instance id, derived from its id (every agent stands for an EC2 server). */
export const instanceIdOf = (seed: number, agentId: string): string => {
  const random = rngOf(seed, `instance:${agentId}`)
  return `i-0${Array.from({ length: 16 }, () => Math.floor(random() * 16).toString(16)).join("")}`
}

/** A v1 agent in v2 form. */
export const agent = (seed: number, v1: Json): Agent => {
  const id = str(v1.id)
  const random = rngOf(seed, `agent:${id}`)
  const ip = typeof v1.ip_address === "string" ? v1.ip_address : undefined
  const version = str(v1.version, "2.4.0")
  const os = pick(random, OS)
  const kernel = nth(KERNELS, OS.indexOf(os))
  // Stryker disable next-line EqualityOperator: < or <=: the draw equals the bound for none of the seeds' records (the seed snapshot would show it)
  const monitor = random() < 0.25
  // Stryker disable next-line EqualityOperator: < or <=: the draw equals the bound for none of the seeds' records (the seed snapshot would show it)
  const hasPublic = random() < 0.4
  const environment = pick(random, ENVIRONMENTS)
  const ebpf = !version.startsWith("1.") && !version.startsWith("2.")
  return {
    id,
    instanceId: instanceIdOf(seed, id),
    status: v1.online === true ? "online" : "offline",
    createdAt: isoOf(v1, "created_at") ?? new Date(0).toISOString(),
    lastReportedAt: isoOf(v1, "last_reported_at"),
    version,
    name: str(v1.name, str(v1.hostname)),
    description: str(v1.description),
    hostname: str(v1.hostname),
    ipAddresses: {
      private: ip === undefined ? [] : [ip],
      link_local: [
        `fe80::${Math.floor(random() * 0xffff).toString(16)}:ff:fe${Math.floor(random() * 0xff).toString(16)}:1`
      ],
      public: hasPublic
        ? [`54.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`]
        : []
    },
    tags: [
      { source: "ec2", key: "Environment", value: environment },
      { source: "ec2", key: "Name", value: str(v1.hostname) }
    ],
    agentType: monitor ? "monitor" : "investigate",
    osVersion: os,
    kernel,
    agentModuleHealth: ebpf
      ? { isHealthy: true, dnsTracer: "HEALTHY", networkTracer: "HEALTHY", processSandbox: "HEALTHY" }
      : { isHealthy: true, dnsTracer: "UNSUPPORTED", networkTracer: "UNSUPPORTED", processSandbox: "UNSUPPORTED" },
    isContainerAgent: false
  }
}

/** The dismissal a v1 record already dismissed carries (generated or supplied), derived from its id. */
export const baseDismissal = (seed: number, v1: Json, by: string | null): Dismissal | undefined => {
  if (v1.dismissed !== true) return undefined
  const random = rngOf(seed, `dismissal:${str(v1.id)}`)
  const created = timeOf(v1, "created_at")
  const reason = pick(random, dismissReasons)
  return {
    at: (Number.isFinite(created) ? created : 0) + Math.floor((0.1 + random()) * 3_600_000),
    reason,
    text: reason === "OTHER" ? "Known noise from a scheduled job" : null,
    by
  }
}

/** A v1 alert's severity as v2 reads it (and filters and counts it): 3 when the record has none. */
export const severityOf = (v1: Json): number => (typeof v1.severity === "number" ? v1.severity : 3)

/** A v1 alert in v2 form, with its dismissal (if any). */
export const alert = (v1: Json, dismissal: Dismissal | undefined): Alert => {
  const key = str(v1.key)
  return {
    id: str(v1.id),
    title: str(v1.title),
    dataSource: "agent",
    createdAt: isoOf(v1, "created_at") ?? new Date(0).toISOString(),
    isDismissed: dismissal !== undefined,
    dismissedAt: dismissal === undefined ? null : new Date(dismissal.at).toISOString(),
    dismissReason: dismissal?.reason ?? null,
    dismissReasonText: dismissal?.text ?? null,
    dismissedBy: dismissal?.by ?? null,
    severity: severityOf(v1),
    agentId: typeof v1.agent_id === "string" ? v1.agent_id : null,
    ruleId: typeof v1.rule_id === "string" ? v1.rule_id : null,
    rulesetId: typeof v1.alert_policy_id === "string" ? v1.alert_policy_id : null,
    aggregates: key === "" ? [] : [{ fieldName: "key", fieldValue: key }]
  }
}

/** A v1 organization user in v2 member form. */
export const member = (seed: number, v1: Json): Member => {
  const id = str(v1.id)
  const random = rngOf(seed, `member:${id}`)
  const updated = timeOf(v1, "updated_at")
  const name = v1.name as { first?: unknown; last?: unknown } | undefined
  const displayName =
    typeof v1.display_name === "string"
      ? v1.display_name
      : `${str(name?.first)} ${str(name?.last)}`.trim() || str(v1.email)
  return {
    id,
    displayName,
    email: str(v1.email),
    lastAuthenticatedAt: Number.isFinite(updated) ? updated : 0,
    role: str(v1.role, "user"),
    // Stryker disable next-line EqualityOperator: < or <=: the draw equals the bound for none of the seeds' records (the seed snapshot would show it)
    ssoEnabled: random() < 0.3,
    // Stryker disable next-line EqualityOperator: < or <=: the draw equals the bound for none of the seeds' records (the seed snapshot would show it)
    mfaEnabled: random() < 0.7,
    // Stryker disable next-line EqualityOperator: < or <=: the draw equals the bound for none of the seeds' records (the seed snapshot would show it)
    userEnabled: random() < 0.9
  }
}

const CRUD: Readonly<Record<string, string>> = { add: "create", update: "update", delete: "delete", login: "read" }

/** A v1 log in v2 audit-record form; `id` is stable (from the organization and the instant). */
export const rec = (v1: Json, id: string): Rec => {
  const action = str(v1.action)
  const context = Array.isArray(v1.context) ? (v1.context[0] as Json | undefined) : undefined
  return {
    id,
    userEmail: str(v1.user),
    userId: str(v1.user_id),
    organizationId: str(v1.organization_id),
    result: "success",
    crud: CRUD[action] ?? action,
    action: `${str(v1.type, "event")}.${action}`,
    source: action === "login" ? "ui" : "api",
    description: str(v1.description),
    eventTime: isoOf(v1, "timestamp") ?? new Date(0).toISOString(),
    context: context === undefined ? {} : { agentId: str(context.id), agentName: str(context.name) }
  }
}
