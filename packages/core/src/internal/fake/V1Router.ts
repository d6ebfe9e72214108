/**
 * The v1 API's routes, driven by the resource specs: for each spec of
 * generation 1, `GET {path}` lists its records (paged with `page`/`count`
 * when the spec pages, whole otherwise) and, when the spec has `get`,
 * `GET {path}/{id}` answers one (the detail record where the data has one:
 * alerts with `latest_events` and `rule`). Organizations stay special:
 * `organizations` lists the key's organizations, `organizations/{id}/users`
 * an organization's users.
 *
 * @internal
 */
import { maxCount as countCeiling } from "../../Resource.js"
import type { Collection, Json, Range } from "../FakeData.js"
import { empty } from "../FakeData.js"
import type { Answer } from "./Http.js"
import { errors, json, v1Error } from "./Http.js"
import type { OrgState } from "./State.js"
import { parseRange } from "./Time.js"

/** What the router needs of a spec (a `Resource.Spec` has all of it). */
export interface RoutedSpec {
  readonly key: string
  readonly singular: string
  readonly generation: 1 | 2
  readonly path: string
  readonly paging: "pages" | "token" | "none"
  readonly get: boolean
}

/** The router's settings. */
export interface Settings {
  readonly specs: ReadonlyArray<RoutedSpec>
  /** The page size when a request has no `count`. */
  readonly defaultCount: number
  /**
   * The most records a page holds, whatever `count` asks (a server that caps
   * pages silently). A `count` above `Resource.maxCount` is refused with a
   * 400 whatever this says.
   */
  readonly maxCount: number
}

const project = (record: Json, fields: ReadonlyArray<string> | undefined): Json => {
  if (fields === undefined) return record
  const out: Record<string, unknown> = {}
  // Stryker disable next-line ConditionalExpression: a field set to undefined is left out of the JSON body as well
  for (const f of fields) if (f in record) out[f] = record[f]
  return out
}

const wholeNumber = (raw: string | null, min: number): number | undefined | "invalid" => {
  if (raw === null) return undefined
  return /^\d+$/.test(raw) && Number(raw) >= min ? Number(raw) : "invalid"
}

const startsWith = (segments: ReadonlyArray<string>, prefix: ReadonlyArray<string>) =>
  prefix.every((part, i) => segments[i] === part)

/**
 * Answers a v1 request for the organization `org` (already authorized).
 * `segments` are the decoded path segments relative to the base path.
 */
export const route = (
  settings: Settings,
  org: OrgState,
  organizations: ReadonlyArray<OrgState>,
  method: string,
  segments: ReadonlyArray<string>,
  params: URLSearchParams
): Answer => {
  const path = segments.join("/")
  if (method !== "GET") return v1Error(405, `method ${method} not allowed`)
  const page = wholeNumber(params.get("page"), 0)
  const rawCount = params.get("count") ?? params.get("limit")
  const count = wholeNumber(rawCount, 1)
  if (page === "invalid") return v1Error(400, `invalid page: ${params.get("page")}`)
  if (count === "invalid") return v1Error(400, `invalid count: ${rawCount}`)
  if (count !== undefined && count > countCeiling) {
    return v1Error(400, `invalid count: ${rawCount} is above ${countCeiling}, the most records a page holds`)
  }
  const parsed = parseRange("start", params.get("start"), "end", params.get("end"))
  if (parsed._tag === "Left") return v1Error(400, parsed.message)
  const range: Range = { from: parsed.from, to: parsed.to }
  const fieldValues = params
    .getAll("fields")
    .flatMap((f) => f.split(","))
    .map((f) => f.trim())
    .filter((f) => f !== "")
  const fields = fieldValues.length === 0 ? undefined : fieldValues

  const list = (collection: Collection, paged: boolean): Answer => {
    if (!paged) {
      return json(
        200,
        collection.slice(range, 0, collection.size(range)).map((r) => project(r, fields))
      )
    }
    const size = Math.min(count ?? settings.defaultCount, settings.maxCount)
    return json(
      200,
      collection.slice(range, (page ?? 0) * size, size).map((r) => project(r, fields))
    )
  }
  const one = (record: Json | undefined, what: string): Answer =>
    record === undefined ? errors(404, `${what} not found`) : json(200, project(record, fields))

  // organizations stay special: the key's organizations, and an organization's users
  if (segments[0] === "organizations") {
    if (segments.length === 1)
      return json(
        200,
        organizations.map((o) => project(o.org.organization, fields))
      )
    if (segments.length === 3 && segments[2] === "users") {
      const target = organizations.find((o) => o.id === segments[1])
      if (target === undefined) return errors(404, `organization ${segments[1]} not found`)
      return list(target.collection("users") ?? empty, false)
    }
    return errors(404, `no route ${path}`)
  }

  for (const spec of settings.specs) {
    if (spec.generation !== 1) continue
    const prefix = spec.path.split("/")
    if (!startsWith(segments, prefix)) continue
    const rest = segments.slice(prefix.length)
    if (rest.length === 0) return list(org.collection(spec.key) ?? empty, spec.paging === "pages")
    if (rest.length === 1 && spec.get) {
      // Stryker disable next-line StringLiteral: rest has one segment here
      const id = rest[0] ?? ""
      return one(org.detail(spec.key, id) ?? org.collection(spec.key)?.find(id), spec.singular)
    }
  }
  return errors(404, `no route ${path}`)
}
