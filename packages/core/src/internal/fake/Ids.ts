/**
 * Deterministic ids and randomness for the fake's generated data: ids that
 * encode what they name (so lookup needs no storage) and a small seeded PRNG.
 *
 * @internal
 */

/** What a generated id names: each kind has its own two-hex-digit code. */
export type IdKind = "org" | "agents" | "alerts" | "logs" | "policies" | "users"

const KIND_CODE: Readonly<Record<IdKind, number>> = {
  org: 0x5a,
  agents: 0xa9,
  alerts: 0xa1,
  logs: 0x10,
  policies: 0xb0,
  users: 0xee
}

/** The code of a kind, also used to seed its records' PRNG. */
export const kindCode = (kind: IdKind): number => KIND_CODE[kind]

/** A 24-hex-char id that encodes what it names, so lookup needs no storage. */
export const idFor = (kind: IdKind, org: number, index: number): string =>
  // Stryker disable next-line StringLiteral: every kind's code has two hex digits already
  KIND_CODE[kind].toString(16).padStart(2, "0") +
  org.toString(16).padStart(6, "0") +
  index.toString(16).padStart(16, "0")

/** The index an {@link idFor} id encodes, when it is one of that kind and organization. */
export const parseId = (kind: IdKind, org: number, id: string): number | undefined => {
  if (!/^[0-9a-f]{24}$/.test(id) || id.slice(0, 8) !== idFor(kind, org, 0).slice(0, 8)) return undefined
  return Number.parseInt(id.slice(8), 16)
}

/** A generated rule's id, UUID-shaped like the v2 API's (and the v1 alerts' `rule_id`). */
export const ruleIdFor = (org: number, index: number): string =>
  `${org.toString(16).padStart(8, "0")}-a1e7-4000-8000-${index.toString(16).padStart(12, "0")}`

/** The index a {@link ruleIdFor} id encodes for this organization. */
export const parseRuleId = (org: number, id: string): number | undefined => {
  const match = /^([0-9a-f]{8})-a1e7-4000-8000-([0-9a-f]{12})$/.exec(id)
  // Stryker disable next-line StringLiteral: both groups are in every match
  if (match === null || Number.parseInt(match[1] ?? "", 16) !== org) return undefined
  // Stryker disable next-line StringLiteral: both groups are in every match
  return Number.parseInt(match[2] ?? "", 16)
}

/** A small fast PRNG (mulberry32) seeded from the seed and the record's place. */
export const rng = (seed: number, code: number, org: number, index: number): (() => number) => {
  let state =
    (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^
      Math.imul(code + org * 7919, 0xc2b2ae35) ^
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

/** A PRNG seeded from a string (an id), for facts derived from any record, generated or supplied. */
export const rngOf = (seed: number, text: string): (() => number) => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return rng(seed, 0x77, 0, h >>> 0)
}

/** Item `i` of a non-empty list, wrapping around. */
export const nth = <A>(items: ReadonlyArray<A>, i: number): A => items[i % items.length] as A

/** A random item of a non-empty list. */
export const pick = <A>(random: () => number, items: ReadonlyArray<A>): A =>
  nth(items, Math.floor(random() * items.length))

/** A UUID-shaped id (version 4 layout) for records created at run time, from a counter. */
export const uuidFor = (salt: number, counter: number): string => {
  const random = rng(salt, 0x42, 0, counter)
  const hex = (digits: number) => Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join("")
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + Math.floor(random() * 4)).toString(16)}${hex(3)}-${hex(12)}`
}
