/**
 * The fake's generated and supplied v1 data, beyond what the seed snapshot
 * walks: ids up to the counts and not one past, listings that add up to the
 * counts, the second organization's records, counts of zero, people who
 * belong to several organizations, e-mails that stay unique past the list of
 * names, and a supplied alert's detail beside its list entry.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { FakeThreatStack } from "@effect-threatstack/core"
import { ORG1, call, v1, walk, withFake } from "./fakeCalls.js"
import { NOW } from "./utils.js"

type Records = ReadonlyArray<Record<string, unknown>>

/** Generated person `p`'s user id. */
const person = (p: number) => `ee000000${p.toString(16).padStart(16, "0")}`
/** Generated record `i` of a kind (its two-digit code) in organization 0. */
const id = (code: string, i: number) => `${code}000000${i.toString(16).padStart(16, "0")}`

const list = (fake: FakeThreatStack.Service, target: string, headers?: Record<string, string>) =>
  Effect.map(v1(fake, target, headers), (answer) => answer.json as Records)

describe("the fake's generated data", () => {
  it.effect("a get answers ids up to the counts, and not the one past them", () =>
    withFake({ counts: { agents: 3, alerts: 4 } }, (fake) =>
      Effect.gen(function* () {
        expect((yield* v1(fake, `agents/${id("a9", 2)}`)).status).toBe(200)
        expect((yield* v1(fake, `agents/${id("a9", 3)}`)).status).toBe(404)
        expect((yield* v1(fake, `alerts/${id("a1", 3)}`)).status).toBe(200)
        expect((yield* v1(fake, `alerts/${id("a1", 4)}`)).status).toBe(404)
      })
    )
  )

  it.effect("v2's active and dismissed alerts add up to every alert, each once", () =>
    withFake({ counts: { alerts: 150 } }, (fake) =>
      Effect.gen(function* () {
        const active = (yield* walk<{ id: string }>(fake, "alerts", "status=active", "alerts")).flat()
        const dismissed = (yield* walk<{ id: string }>(fake, "alerts", "status=dismissed", "alerts")).flat()
        const all = [...active, ...dismissed].map((alert) => alert.id).sort()
        expect(all).toEqual(Array.from({ length: 150 }, (_, i) => id("a1", i)))
      })
    )
  )

  it.effect("a listing whose last page holds one record serves it: 51 audit records are 50 and 1", () =>
    withFake({ counts: { logs: 51 } }, (fake) =>
      Effect.gen(function* () {
        const pages = yield* walk<{ id: string }>(fake, "auditlogs", "from=2017-01-01", "recs")
        expect(pages.map((page) => page.length)).toEqual([50, 1])
        expect(new Set(pages.flat().map((rec) => rec.id)).size).toBe(51)
      })
    )
  )

  it.effect("the second organization's agents are its own: their ids and addresses say so", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const agents = yield* list(fake, "agents?count=3", {
          authorization: FakeThreatStack.defaultApiKey,
          organization: ORG1
        })
        expect(agents.map((a) => [a.id, a.agent_id, a.ip_address, a.organization_id])).toEqual([
          ["a90000010000000000000000", "ag0000010000000000000000", "10.1.0.0", ORG1],
          ["a90000010000000000000001", "ag0000010000000000000001", "10.1.0.1", ORG1],
          ["a90000010000000000000002", "ag0000010000000000000002", "10.1.0.2", ORG1]
        ])
      })
    )
  )

  it.effect("with no agents or policies, alerts name neither", () =>
    withFake({ counts: { agents: 0, policies: 0, alerts: 3 } }, (fake) =>
      Effect.gen(function* () {
        const alerts = yield* list(fake, "alerts")
        expect(alerts.map((a) => [a.agent_id, a.alert_policy_id])).toEqual([
          [null, null],
          [null, null],
          [null, null]
        ])
      })
    )
  )

  it.effect("e-mails stay unique when there are more people than names", () =>
    withFake({ counts: { users: 10 } }, (fake) =>
      Effect.gen(function* () {
        const users = yield* list(fake, "organizations/5a0000000000000000000000/users")
        const emails = users.map((u) => u.email)
        expect(emails.length).toBe(10)
        expect(new Set(emails).size).toBe(10)
        // the eight names first, then the same names numbered
        expect(emails.slice(7)).toEqual([
          "linus.torvalds@example.com",
          "ada.lovelace8@example.com",
          "grace.hopper9@example.com"
        ])
      })
    )
  )

  it.effect("the key holder is in every organization; the others' people are found in theirs, and no one else", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        // with 5 users an organization: organization 0 holds people 0-4; organization 1 holds
        // person 0 in its slot 1 and people 5, 7, 8 and 9 in its others (6 is nobody)
        const add = (who: number, ext?: string) =>
          Effect.map(
            call(fake, "organizations/members", {
              method: "POST",
              body: { id: person(who), role: "user" },
              ...(ext === undefined ? {} : { ext })
            }),
            (answer) => [answer.status, answer.json]
          )
        const members = (ext?: string) =>
          Effect.map(call(fake, "organizations/members", ext === undefined ? {} : { ext }), (answer) =>
            (answer.json as { members: ReadonlyArray<{ id: string }> }).members.map((m) => m.id)
          )
        expect(yield* members(ORG1)).toEqual([5, 0, 7, 8, 9].map(person))
        expect((yield* add(3))[0]).toBe(409)
        expect((yield* add(0, ORG1))[0]).toBe(409)
        expect((yield* add(5, ORG1))[0]).toBe(409)
        for (const [who, ext] of [
          [6, undefined],
          [6, ORG1],
          [10, undefined]
        ] as const) {
          expect(yield* add(who, ext)).toEqual([404, { errors: [`user ${person(who)} not found`] }])
        }
        // a person of the other organization, from the directory
        expect((yield* add(7))[0]).toBe(200)
        expect((yield* add(2, ORG1))[0]).toBe(200)
        expect(yield* members()).toEqual([0, 1, 2, 3, 4, 7].map(person))
        expect(yield* members(ORG1)).toEqual([5, 0, 7, 8, 9, 2].map(person))
      })
    )
  )
})

describe("the fake's supplied v1 alerts", () => {
  const T = NOW - 86_400_000
  const options: FakeThreatStack.Options = {
    now: NOW,
    data: [
      {
        organization: { id: "5a0000000000000000000000", name: "Acme", role: "owner" },
        alerts: [
          { id: "bare", title: "Shell: web-1", created_at: T },
          {
            id: "full",
            title: "Login",
            created_at: T,
            latest_events: [{ id: "e1" }],
            rule: { original_rule: { name: "Logins" } }
          }
        ],
        policies: [{ id: "p1", name: "Base", rule: "kept", latest_events: ["kept"] }]
      }
    ]
  }

  it.effect("a list leaves an alert's detail out; a get has it, given or made from the title", () =>
    withFake(options, (fake) =>
      Effect.gen(function* () {
        const listed = yield* list(fake, "alerts?fields=id,latest_events,rule")
        expect(listed).toEqual([{ id: "bare" }, { id: "full" }])
        const bare = (yield* v1(fake, "alerts/bare")).json as Record<string, unknown>
        expect([bare.latest_events, bare.rule]).toEqual([[], { original_rule: { name: "Shell: web-1" } }])
        const full = (yield* v1(fake, "alerts/full")).json as Record<string, unknown>
        expect([full.latest_events, full.rule]).toEqual([[{ id: "e1" }], { original_rule: { name: "Logins" } }])
        expect((yield* v1(fake, "alerts/none")).status).toBe(404)
        // only alerts have a detail to leave out: any other record is served as given
        expect(yield* list(fake, "policies")).toEqual([
          { id: "p1", name: "Base", rule: "kept", latest_events: ["kept"] }
        ])
      })
    )
  )
})
