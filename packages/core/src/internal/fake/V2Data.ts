/**
 * The records only v2 has, generated on demand like the v1 ones:
 * vulnerabilities (CVEs), EC2 servers without an agent, and the rulesets and
 * rules the generated alerts come from (one ruleset per v1 policy, holding
 * the generator's rules, so every alert's `ruleId`/`rulesetId` is real).
 * Supplied organizations serve what they supply under the keys `cves`,
 * `ec2`, `rulesets`, `rules` (v2 form), and nothing else.
 *
 * @internal
 */
import type { Collection, Generation, Json, Org } from "../FakeData.js"
import { always, empty, RULES, untimed } from "../FakeData.js"
import { idFor, nth, parseId, parseRuleId, pick, rng, ruleIdFor } from "./Ids.js"
import type { Tag } from "./V2Records.js"
import { instanceIdOf } from "./V2Records.js"

/** `GET /v2/vulnerabilities` items (reference §4.3). */
export type Cve = {
  readonly cveNumber: string
  readonly reportedPackage: string
  readonly systemPackage: string
  readonly vectorType: "network" | "local"
  readonly severity: "low" | "medium" | "high"
  readonly isSuppressed: boolean
  readonly securityNotices: ReadonlyArray<string>
  readonly agents: ReadonlyArray<{ readonly agentId: string }>
}

/** `GET /v2/aws/ec2` items (reference §4.4); `agents` only with `verbose=true`. */
export type Ec2Server = {
  readonly id: string
  readonly kernelId: string | null
  readonly instanceType: string
  readonly privateDnsName: string
  readonly privateIpAddress: string
  readonly groups: ReadonlyArray<{ readonly id: string; readonly name: string }>
  readonly subnetId: string
  readonly keyName: string
  readonly region: string
  readonly launchTime: string
  readonly imageId: string
  readonly architecture: string
  readonly publicDnsName: string
  readonly publicIpAddress: string | null
  readonly vpcId: string
  readonly awsProfile: { readonly id: string; readonly orgName: string; readonly description: string }
  readonly monitored: boolean
  readonly tags: ReadonlyArray<Tag>
  readonly state: string
  readonly stateCode: number
  readonly agents?: ReadonlyArray<Json>
}

/** A ruleset as the API answers it: `rules` are rule ids (requests say `ruleIds`). */
export type Ruleset = {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly createdAt: string
  readonly updatedAt: string
  readonly rules: ReadonlyArray<string>
}

/** A rule (reference §4.5); file rules add `fileIntegrityPaths`, `ignoreFiles`, `eventsToMonitor`. */
export interface Rule {
  readonly rulesetId: string
  readonly id: string
  readonly name: string
  readonly title: string
  readonly type: string
  readonly createdAt: string
  readonly updatedAt: string
  readonly severityOfAlerts: number
  readonly alertDescription: string
  readonly aggregateFields: ReadonlyArray<string>
  readonly filter: string
  readonly window: number
  readonly threshold: number
  readonly suppressions: ReadonlyArray<string>
  readonly enabled: boolean
  readonly [extra: string]: unknown
}

/** A rule's tags. */
export type TagSet = {
  readonly inclusion: ReadonlyArray<Tag>
  readonly exclusion: ReadonlyArray<Tag>
}

/** The v2-only records of one organization. */
export interface V2Base {
  readonly cves: Collection
  readonly unmonitored: Collection
  readonly rulesets: Collection
  readonly rules: Collection
  readonly tags: (ruleId: string) => TagSet | undefined
}

const PACKAGES = [
  "openssl 1.0.2g",
  "bash 4.3",
  "sudo 1.8.16",
  "curl 7.47.0",
  "linux-image 4.4.0",
  "binutils 2.25.1",
  "glibc 2.23",
  "openssh 7.2p2",
  "accountsservice 0.6.35",
  "git 2.7.4"
] as const
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1"] as const
const TYPES = ["t3.micro", "t3.large", "m5.xlarge", "c5.2xlarge"] as const

const supplied = (org: Org, key: string): Collection => org.collections[key] ?? empty

/** Supplied CVEs are in v2 form, without an `id`: found by their `cveNumber`, as the generated ones are. */
const suppliedCves = (org: Org): Collection => {
  const cves = supplied(org, "cves")
  return { ...cves, find: (number) => cves.slice(always, 0, cves.size(always)).find((c) => c.cveNumber === number) }
}

/** The CVE number of generated CVE `j`. */
const cveNumber = (j: number) => `CVE-${2015 + (j % 5)}-${10000 + j}`
const parseCve = (id: string): number | undefined => {
  // Stryker disable next-line Regex: the number is compared with the one generated for its index next, so text before or after it is refused anyway
  const match = /^CVE-(\d{4})-(\d{5,})$/.exec(id)
  if (match === null) return undefined
  const j = Number(match[2]) - 10000
  // Stryker disable next-line ConditionalExpression: a negative index's number has at most four digits, which the pattern refuses, so j >= 0 holds here (the other mutants are killed)
  return j >= 0 && cveNumber(j) === id ? j : undefined
}

/** Generated CVE `j` affects these agent indexes: none when `j % 6 === 5` (inactive); agents `i % 5 === 4` have none. */
const affected = (j: number, agents: number): ReadonlyArray<number> => {
  if (agents === 0) return []
  const out = new Set<number>()
  const wanted = j % 6 === 5 ? 0 : 1 + (j % 4)
  for (let t = 0; t < wanted; t++) {
    const a = (j * 7 + t * 11) % agents
    if (a % 5 !== 4) out.add(a)
  }
  return [...out].sort((x, y) => x - y)
}

const generatedBase = (g: Generation, org: number, v1: Org): V2Base => {
  const { counts, now, seed } = g
  const DAY = 86_400_000
  const agentId = (i: number) => idFor("agents", org, i)
  const cve = (j: number): Cve => {
    const random = rng(seed, 0xc7, org, j)
    const pkg = pick(random, PACKAGES)
    return {
      cveNumber: cveNumber(j),
      reportedPackage: pkg,
      systemPackage: `${pkg}-0ubuntu${1 + Math.floor(random() * 9)}.x86_64`,
      // Stryker disable next-line EqualityOperator: < or <=: a draw is a multiple of 2^-32, never exactly 0.6
      vectorType: random() < 0.6 ? "network" : "local",
      severity: pick(random, ["low", "medium", "high"] as const),
      isSuppressed: j % 7 === 3,
      securityNotices: j % 3 === 0 ? [`USN-${3000 + j}-1`] : [],
      agents: affected(j, counts.agents).map((a) => ({ agentId: agentId(a) }))
    }
  }
  const server = (i: number): Ec2Server => {
    const random = rng(seed, 0xec, org, i)
    const instance = `i-0${(0xec0000 + org * 4096 + i).toString(16).padStart(16, "0")}`
    const octets = `${Math.floor(random() * 256)}-${Math.floor(random() * 256)}`
    const region = pick(random, REGIONS)
    return {
      id: instance,
      kernelId: null,
      instanceType: pick(random, TYPES),
      privateDnsName: `ip-172-31-${octets}.${region}.compute.internal`,
      privateIpAddress: `172.31.${octets.replace("-", ".")}`,
      groups: [{ id: `sg-${(0x5a000 + i).toString(16)}`, name: "default" }],
      subnetId: `subnet-${(0x5b000 + org).toString(16)}`,
      keyName: "ops",
      region,
      launchTime: new Date(now - Math.floor((1 + random() * 100) * DAY)).toISOString(),
      imageId: `ami-${(0xa0000 + i).toString(16)}`,
      architecture: "x86_64",
      publicDnsName: "",
      publicIpAddress: null,
      vpcId: `vpc-${(0x5c000 + org).toString(16)}`,
      awsProfile: { id: idFor("org", org, 1), orgName: v1.organization.name, description: "main account" },
      monitored: false,
      tags: [{ source: "ec2", key: "Name", value: `unmonitored-${i}` }],
      state: "running",
      stateCode: 16
    }
  }
  const P = counts.policies
  const ruleCount = P > 0 ? RULES.length : 0
  const policies = v1.collections.policies ?? empty
  const ruleset = (k: number): Ruleset | undefined => {
    const policy = policies.slice(always, k, 1)[0]
    if (policy === undefined) return undefined
    const rules: Array<string> = []
    for (let r = 0; r < ruleCount; r++) if (r % P === k) rules.push(ruleIdFor(org, r))
    return {
      id: String(policy.id),
      name: String(policy.name),
      description: typeof policy.description === "string" ? policy.description : "",
      createdAt: String(policy.created_at),
      updatedAt: String(policy.updated_at),
      rules
    }
  }
  const rule = (r: number): Rule => {
    const at = new Date(now - 180 * DAY + r * DAY).toISOString()
    const name = nth(RULES, r)
    const base = {
      // Stryker disable next-line ArithmeticOperator,MethodExpression: a rule is answered with the ruleset of the request's path, never with this field
      rulesetId: idFor("policies", org, r % Math.max(1, P)),
      id: ruleIdFor(org, r),
      name,
      title: name,
      type: r === 2 ? "File" : "Host",
      createdAt: at,
      updatedAt: at,
      severityOfAlerts: 1 + (r % 3),
      alertDescription: `${name} was seen on a monitored server.`,
      aggregateFields: ["user", "exe"],
      filter: `event_type = "audit" and rule = ${r}`,
      window: r % 2 === 0 ? 3600 : 86400,
      threshold: 1,
      suppressions: r === 0 ? ["user = 'backup'"] : [],
      enabled: true
    }
    return r === 2
      ? {
          ...base,
          fileIntegrityPaths: [{ path: "/etc/crontab", recursive: false }],
          ignoreFiles: [],
          eventsToMonitor: ["ALL"]
        }
      : base
  }
  return {
    cves: untimed(counts.cves, cve, parseCve),
    unmonitored: untimed(counts.unmonitoredServers, server, (id) => {
      // Stryker disable next-line Regex: no route looks an EC2 server up by id (the API has none), so this find is never called
      const match = /^i-0([0-9a-f]{16})$/.exec(id)
      // Stryker disable next-line ArithmeticOperator,StringLiteral: no route looks an EC2 server up by id (the API has none), so this find is never called
      return match === null ? undefined : Number.parseInt(match[1] ?? "", 16) - (0xec0000 + org * 4096)
    }),
    rulesets: {
      size: () => P,
      slice: (_range, offset, limit) => {
        const out: Array<Json> = []
        // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: the one reader (the state's whole list) asks from 0 for all P rulesets, which all exist, so either test ends the loop at P
        for (let k = offset; k < P && out.length < limit; k++) {
          const found = ruleset(k)
          if (found !== undefined) out.push(found)
        }
        return out
      },
      find: (id) => {
        const k = parseId("policies", org, id)
        // Stryker disable next-line ConditionalExpression,EqualityOperator: past the last policy, ruleset(k) finds none and answers undefined anyway
        return k === undefined || k >= P ? undefined : ruleset(k)
      }
    },
    rules: untimed(ruleCount, rule, (id) => parseRuleId(org, id)),
    tags: (ruleId) => {
      const r = parseRuleId(org, ruleId)
      // Stryker disable next-line ConditionalExpression,EqualityOperator: tags are asked only of a rule found first, and a generated rule's index is below ruleCount (the other mutants are killed)
      if (r === undefined || r >= ruleCount || r % 2 === 1) return undefined
      return { inclusion: [{ source: "ec2", key: "Environment", value: "production" }], exclusion: [] }
    }
  }
}

/** The v2-only records of an organization. */
export const base = (org: Org): V2Base => {
  if (org.source._tag === "Generated") return generatedBase(org.source.generation, org.source.index, org)
  return {
    cves: suppliedCves(org),
    unmonitored: supplied(org, "ec2"),
    rulesets: supplied(org, "rulesets"),
    rules: supplied(org, "rules"),
    tags: () => undefined
  }
}

/** A monitored EC2 server: the one an agent stands for. */
export const monitoredServer = (seed: number, v2Agent: Json & { readonly id: string }, orgName: string): Ec2Server => {
  const instance = typeof v2Agent.instanceId === "string" ? v2Agent.instanceId : instanceIdOf(seed, v2Agent.id)
  const addresses = v2Agent.ipAddresses as { private?: ReadonlyArray<string>; public?: ReadonlyArray<string> }
  // Stryker disable next-line OptionalChaining: the agent is one Records.agent rendered, whose ipAddresses always has both lists
  const privateIp = addresses?.private?.[0] ?? "10.0.0.1"
  // Stryker disable next-line OptionalChaining: the agent is one Records.agent rendered, whose ipAddresses always has both lists
  const publicIp = addresses?.public?.[0] ?? null
  const digits = Number.parseInt(instance.slice(-4), 16)
  return {
    id: instance,
    kernelId: null,
    instanceType: nth(TYPES, digits),
    privateDnsName: `ip-${privateIp.replace(/\./g, "-")}.ec2.internal`,
    privateIpAddress: privateIp,
    // Stryker disable next-line StringLiteral: split answers at least one piece, so the default is never used (the other strings are killed)
    groups: [{ id: `sg-${instance.slice(-8)}`, name: String(v2Agent.hostname).split("-")[0] ?? "default" }],
    subnetId: `subnet-${instance.slice(-8)}`,
    keyName: "ops",
    region: nth(REGIONS, digits),
    launchTime: String(v2Agent.createdAt),
    imageId: `ami-${instance.slice(-8)}`,
    architecture: "x86_64",
    publicDnsName: publicIp === null ? "" : `ec2-${publicIp.replace(/\./g, "-")}.compute-1.amazonaws.com`,
    publicIpAddress: publicIp,
    vpcId: `vpc-${instance.slice(-6)}`,
    awsProfile: { id: "main", orgName, description: "main account" },
    monitored: true,
    tags: Array.isArray(v2Agent.tags) ? (v2Agent.tags as ReadonlyArray<Tag>) : [],
    state: "running",
    stateCode: 16
  }
}
