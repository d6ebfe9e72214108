/**
 * The fake's generated data is a fixed function of its seed, release to
 * release: users' tests assert on it ("seed 1's first alert is ..."), so a
 * change to how data is generated must be a change someone sees and writes in
 * the changelog. Every read route of both generations is walked whole; the
 * snapshot keeps each answer's status, size, first record, and a fingerprint
 * of the whole answer (SHA-256 of its bodies). On purpose changes, refresh it
 * with `pnpm vitest run packages/core/test/FakeSeed.test.ts -u`.
 */
import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { FakeThreatStack } from "@effect-threatstack/core"
import { type Answer, ORG1, call, v1, withFake } from "./fakeCalls.js"

interface Seen {
  readonly status: number
  readonly records: number
  readonly first: unknown
  readonly fingerprint: string
}

const fingerprint = (bodies: ReadonlyArray<string>) =>
  createHash("sha256").update(bodies.join("\n")).digest("hex").slice(0, 16)

/** One answer, as the snapshot keeps it. */
const seen = (answer: Answer, records: ReadonlyArray<unknown> | undefined): Seen => ({
  status: answer.status,
  records: records?.length ?? 1,
  first: records === undefined ? answer.json : records[0],
  fingerprint: fingerprint([answer.body])
})

/** A v2 listing walked page by page to its end. */
const walked = (fake: FakeThreatStack.Service, path: string, key: string) =>
  Effect.gen(function* () {
    const bodies: Array<string> = []
    const records: Array<unknown> = []
    let answer = yield* call(fake, path)
    for (;;) {
      bodies.push(answer.body)
      const page = answer.json as { readonly token?: string | null } & Record<string, unknown>
      if (answer.status !== 200) break
      records.push(...((page[key] as ReadonlyArray<unknown> | undefined) ?? []))
      if (page.token === null || page.token === undefined) break
      const token = encodeURIComponent(page.token)
      answer = yield* call(fake, `${path}${path.includes("?") ? "&" : "?"}token=${token}`)
    }
    return {
      status: answer.status,
      records: records.length,
      first: records[0],
      fingerprint: fingerprint(bodies)
    } satisfies Seen
  })

const dump = (fake: FakeThreatStack.Service) =>
  Effect.gen(function* () {
    const out: Record<string, Seen> = {}
    const list = function* (path: string, headers?: Record<string, string>) {
      const answer = yield* v1(fake, path, headers)
      out[`v1 ${path}${headers === undefined ? "" : " (second organization)"}`] = seen(
        answer,
        answer.json as ReadonlyArray<unknown>
      )
      return answer.json as ReadonlyArray<{ readonly id: string }>
    }
    const one = function* (path: string) {
      out[`v1 ${path}`] = seen(yield* v1(fake, path), undefined)
    }
    const agents = yield* list("agents?count=1000")
    const alerts = yield* list("alerts?count=1000")
    yield* list("logs?count=1000")
    const policies = yield* list("policies?count=1000")
    const organizations = yield* list("organizations")
    yield* list("alerts?count=1000", { authorization: FakeThreatStack.defaultApiKey, organization: ORG1 })
    yield* list(`organizations/${organizations[0]?.id}/users`)
    for (const path of [
      `agents/${agents[0]?.id}`,
      `alerts/${alerts[0]?.id}`,
      `alerts/${alerts[7]?.id}`,
      `policies/${policies[0]?.id}`
    ]) {
      yield* one(path)
    }

    /** Walks a listing (with `key`) or reads one answer, which it returns. */
    const v2 = function* (path: string, key?: string) {
      if (key !== undefined) {
        out[`v2 ${path}`] = yield* walked(fake, path, key)
        return undefined
      }
      const answer = yield* call(fake, path)
      out[`v2 ${path}`] = seen(answer, undefined)
      return answer.json
    }
    yield* v2("agents?status=online", "agents")
    yield* v2("agents?status=offline", "agents")
    yield* v2(`agents/${agents[0]?.id}`)
    yield* v2("alerts?status=active", "alerts")
    yield* v2("alerts?status=dismissed", "alerts")
    yield* v2(`alerts/${alerts[0]?.id}`)
    yield* v2(`alerts/${alerts[7]?.id}/events`)
    yield* v2("alerts/severity-counts")
    yield* v2("vulnerabilities", "cves")
    yield* v2("vulnerabilities/suppressions", "suppressions")
    const cves = (
      (yield* call(fake, "vulnerabilities")).json as { readonly cves: ReadonlyArray<Record<string, unknown>> }
    ).cves
    const cve = cves.find((c) => Array.isArray(c.agents) && c.agents.length > 0) ?? cves[0]
    yield* v2(`vulnerabilities/${cve?.cveNumber}`)
    yield* v2(`vulnerabilities/${cve?.cveNumber}/servers`, "servers")
    yield* v2(`vulnerabilities/package/${String(cve?.reportedPackage).split(" ")[0]}`, "cves")
    yield* v2("aws/ec2", "servers")
    yield* v2("aws/ec2?verbose=true", "servers")
    const { rulesets } = (yield* v2("rulesets")) as { readonly rulesets: ReadonlyArray<{ id: string }> }
    yield* v2(`rulesets/${rulesets[0]?.id}`)
    const { rules } = (yield* v2(`rulesets/${rulesets[0]?.id}/rules`)) as {
      readonly rules: ReadonlyArray<{ id: string }>
    }
    yield* v2(`rulesets/${rulesets[0]?.id}/rules/${rules[0]?.id}`)
    yield* v2(`rules/${rules[0]?.id}/tags`)
    yield* v2("organizations/members")
    yield* v2("auditlogs", "recs")
    return out
  })

describe("the fake's data for a seed", () => {
  it.effect("is what it was: every read route of both generations, seed 1 and the default counts", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const data = yield* dump(fake)
        // every route answered with data (a 404 here would snapshot an error)
        expect(Object.entries(data).filter(([, s]) => s.status !== 200)).toEqual([])
        yield* Effect.promise(() =>
          expect(`${JSON.stringify(data, null, 2)}\n`).toMatchFileSnapshot("./__snapshots__/fake-seed-1.json")
        )
      })
    )
  )

  it.effect("records created at run time get ids that are the same for a seed, in the order they are made", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const ids: Array<string> = []
        for (const name of ["One", "Two", "Three"]) {
          ids.push(((yield* call(fake, "rulesets", { method: "POST", body: { name } })).json as { id: string }).id)
        }
        const rule = { name: "Shell", type: "Host", alertDescription: "a shell", severityOfAlerts: 1, filter: "x" }
        const created = yield* call(fake, `rulesets/${ids[0]}/rules`, { method: "POST", body: rule })
        ids.push((created.json as { id: string }).id)
        // version 4's layout, as the API's ids have
        for (const id of ids)
          expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
        expect(ids).toEqual([
          "7d673768-ddf5-4ab2-9a73-59bcfb55f869",
          "009fc7fe-d7f9-4bc9-b52a-3d8412e11b19",
          "973149ae-b7f3-4ed3-872f-f5d6f0430d19",
          "902a38fe-e87d-49ce-8c0f-f579de9e7e2e"
        ])
      })
    )
  )

  it.effect("another seed is other data on every route but the fixed ones", () =>
    Effect.gen(function* () {
      const one = yield* withFake({}, dump)
      const two = yield* withFake({ seed: 2 }, dump)
      // the routes are the same, their ids aside (a package name or CVE picked from the data)
      const routes = Object.keys(one)
      const twos = Object.values(two)
      expect(twos.length).toBe(routes.length)
      const same = routes.filter((route, i) => one[route]?.fingerprint === twos[i]?.fingerprint)
      // organizations, their users and the rules are fixed; everything else is drawn from the seed
      expect(same).toEqual([
        "v1 organizations",
        "v1 organizations/5a0000000000000000000000/users",
        "v2 vulnerabilities/CVE-2015-10000/servers",
        "v2 rulesets/b00000000000000000000000/rules",
        "v2 rulesets/b00000000000000000000000/rules/00000000-a1e7-4000-8000-000000000000",
        "v2 rules/00000000-a1e7-4000-8000-000000000000/tags"
      ])
    })
  )
})
