/**
 * Faults and a rate limit written as text, for the command line
 * (`threatstack fake-server --fault … --rate-limit …`) and anyone scripting
 * the fake from a string. The grammar is in `FakeThreatStack.parseFault`'s
 * documentation; errors are one sentence saying what is wrong and the
 * expected form.
 *
 * @internal
 */
import { Duration, Either, Option } from "effect"
import type { Fault, FaultRule } from "../../FakeThreatStack.js"
import { splitLimit } from "../RateLimit.js"

/** An example of the fault form, quoted in every error. */
export const faultExample = "status=503,path=alerts,times=2"

/** An example of the rate-limit form, quoted in every error. */
export const rateLimitExample = "200/minute"

type Parsed<A> = Either.Either<A, string>

const whole = (key: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): Parsed<number> =>
  /^\d+$/.test(raw) && Number(raw) >= min && Number(raw) <= max
    ? Either.right(Number(raw))
    : Either.left(
        `${key} must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`}, got ${JSON.stringify(raw)}`
      )

const status = (key: string, raw: string) => whole(key, raw, 100, 599)

/** A positive, finite duration: `200 millis`, `1.5 seconds`. */
const duration = (key: string, raw: string): Parsed<Duration.Duration> =>
  Option.match(
    Option.filter(Duration.decodeUnknown(raw), (d) => Duration.isFinite(d) && Duration.toMillis(d) > 0),
    {
      onNone: () => Either.left(`${key} must be a duration such as "200 millis", got ${JSON.stringify(raw)}`),
      onSome: Either.right
    }
  )

/** `*` matches any characters; everything else literally. */
const glob = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`
  )

/** `alerts`, `alerts/*`, `/api/v1/alerts` (v1 only), `/v2/alerts` (v2 only). */
const path = (raw: string): Parsed<{ readonly path: string | RegExp; readonly generation?: 1 | 2 }> => {
  const base = /^\/(api\/v1|v2)(?:\/(.*))?$/.exec(raw)
  if (raw.startsWith("/") && base === null) {
    return Either.left(`path must be relative (alerts) or start with /api/v1/ or /v2/, got ${JSON.stringify(raw)}`)
  }
  const relative = base === null ? raw : (base[2] ?? "")
  const generation = base === null ? undefined : base[1] === "v2" ? 2 : 1
  return Either.right({
    path: relative.includes("*") ? glob(relative) : relative,
    ...(generation === undefined ? {} : { generation })
  })
}

/** The keys that name the fault itself (exactly one per spec), with how each builds it. */
const kinds: Record<string, (raw: string, all: ReadonlyMap<string, string>) => Parsed<Fault>> = {
  status: (raw, all) =>
    Either.map(status("status", raw), (code) => {
      const body = all.get("body")
      return body === undefined ? { _tag: "Status", status: code } : { _tag: "Status", status: code, body }
    }),
  latency: (raw) => Either.map(duration("latency", raw), (delay) => ({ _tag: "Latency", delay })),
  "rate-limit": (raw, all) =>
    raw !== ""
      ? Either.left(`rate-limit takes no value (add retry-after=S or reset-ms=MS), got ${JSON.stringify(raw)}`)
      : Either.gen(function* () {
          const retryAfter = all.get("retry-after")
          const resetMs = all.get("reset-ms")
          return {
            _tag: "RateLimit",
            ...(retryAfter === undefined ? {} : { retryAfter: yield* whole("retry-after", retryAfter, 0) }),
            ...(resetMs === undefined ? {} : { resetMs: yield* whole("reset-ms", resetMs, 0) })
          } as const
        }),
  html: (raw) => Either.map(status("html", raw), (code) => ({ _tag: "Html", status: code })),
  empty: (raw) => Either.map(status("empty", raw), (code) => ({ _tag: "EmptyBody", status: code })),
  "wrong-type": (raw) =>
    raw === ""
      ? Either.left("wrong-type needs a field name, e.g. wrong-type=severity")
      : Either.right({ _tag: "WrongType", field: raw }),
  hang: (raw) => (raw === "" ? Either.right({ _tag: "Hang" }) : Either.left("hang takes no value")),
  truncate: (raw) => (raw === "" ? Either.right({ _tag: "Truncate" }) : Either.left("truncate takes no value")),
  drop: (raw) => (raw === "" ? Either.right({ _tag: "Drop" }) : Either.left("drop takes no value"))
}

/** Keys that only qualify a kind: the kind they belong to. */
const qualifiers: Record<string, string> = { body: "status", "retry-after": "rate-limit", "reset-ms": "rate-limit" }

const matchers = new Set(["path", "method", "page", "generation", "nth", "times"])

/** Splits `a=1,b=2,body=x,y` into pairs; `body=` takes the rest of the spec, commas included. */
const pairs = (text: string): Parsed<ReadonlyMap<string, string>> => {
  const out = new Map<string, string>()
  let rest = text
  while (rest !== "") {
    const bodyAt = /^body=/.test(rest)
    const comma = bodyAt ? -1 : rest.indexOf(",")
    const item = comma === -1 ? rest : rest.slice(0, comma)
    rest = comma === -1 ? "" : rest.slice(comma + 1)
    const equals = item.indexOf("=")
    const key = (equals === -1 ? item : item.slice(0, equals)).trim().toLowerCase()
    const value = equals === -1 ? "" : bodyAt ? item.slice(equals + 1) : item.slice(equals + 1).trim()
    if (key === "") return Either.left("an empty item between commas")
    if (!(key in kinds) && !(key in qualifiers) && !matchers.has(key))
      return Either.left(`unknown key ${JSON.stringify(key)}`)
    if (out.has(key)) return Either.left(`${key} is given twice`)
    out.set(key, value)
  }
  return Either.right(out)
}

/** The fault rule a spec describes, or what is wrong with it (without the expected form). */
export const parseFault = (text: string): Parsed<FaultRule> =>
  Either.gen(function* () {
    const all = yield* pairs(text.trim())
    const named = [...all.keys()].filter((key) => key in kinds)
    if (named.length !== 1) {
      return yield* Either.left(
        named.length === 0
          ? `no fault: give one of ${Object.keys(kinds).join(", ")}`
          : `one fault per spec, got ${named.join(" and ")}`
      )
    }
    // Stryker disable next-line StringLiteral: named holds one key of kinds here
    const kind = named[0] ?? ""
    const build = kinds[kind]
    // Stryker disable next-line StringLiteral: named holds only keys of kinds
    if (build === undefined) return yield* Either.left(`unknown fault ${kind}`)
    for (const [key, owner] of Object.entries(qualifiers)) {
      if (all.has(key) && owner !== kind) return yield* Either.left(`${key} goes with ${owner}`)
    }
    // Stryker disable next-line StringLiteral: the kind is a key of all
    const fault = yield* build(all.get(kind) ?? "", all)
    const rule: { -readonly [K in keyof FaultRule]: FaultRule[K] } = { fault }
    const where = all.get("path")
    if (where !== undefined) Object.assign(rule, yield* path(where))
    const generation = all.get("generation")
    if (generation !== undefined) {
      const given = yield* whole("generation", generation, 1, 2)
      if (rule.generation !== undefined && rule.generation !== given) {
        return yield* Either.left(`generation=${given} contradicts path=${where}`)
      }
      rule.generation = given === 1 ? 1 : 2
    }
    const method = all.get("method")
    if (method !== undefined) {
      if (!/^[A-Za-z]+$/.test(method))
        return yield* Either.left(`method must be a word such as GET, got ${JSON.stringify(method)}`)
      rule.method = method.toUpperCase()
    }
    const page = all.get("page")
    if (page !== undefined) rule.page = yield* whole("page", page, 0)
    const nth = all.get("nth")
    if (nth !== undefined) rule.nth = yield* whole("nth", nth, 1)
    const times = all.get("times")
    if (times !== undefined) rule.times = yield* whole("times", times, 1)
    return rule
  })

/** `200/minute`, `200/1 minute`, `50/10 seconds`, `200 per minute`. */
export const parseRateLimit = (
  text: string
): Parsed<{ readonly limit: number; readonly interval: Duration.Duration }> => {
  const parts = splitLimit(text)
  if (parts === undefined) return Either.left(`not a number of requests per interval`)
  return Either.gen(function* () {
    const limit = yield* whole("the limit", parts.count, 1)
    const interval = yield* duration("the interval", parts.interval)
    return { limit, interval }
  })
}
