/**
 * The fake's v1 routes, called raw as a client would: field filters, page
 * and count parameters, the routes of the organizations, a resource's list
 * paged or whole, the ids it answers to (exactly the ones it issued), and
 * the errors for everything else, in the server's words.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { FakeThreatStack, Resource } from "@effect-threatstack/core"
import { v1, withFake } from "./fakeCalls.js"

type Records = ReadonlyArray<Record<string, unknown>>

const ALERT0 = "a10000000000000000000000"
const ALERT1 = "a10000000000000000000001"
const ORG0 = "5a0000000000000000000000"
const RULE1 = "00000000-a1e7-4000-8000-000000000001"

/** The v1 error body: `{ status: "error", message }`. */
const refused = (status: number, message: string) => ({ status, json: { status: "error", message } })
/** The `{ errors: [...] }` body of v1's 404s. */
const notFound = (message: string) => ({ status: 404, json: { errors: [message] } })

const answer = (fake: FakeThreatStack.Service, target: string, method = "GET") =>
  Effect.map(v1(fake, target, undefined, method), ({ status, json }) => ({ status, json }))

describe("the fake's v1 routes", () => {
  it.effect("fields: comma-separated or repeated, trimmed; empty names and unknown fields left out", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const keys = (target: string) =>
          Effect.map(v1(fake, target), (a) => (a.json as Records).map((record) => Object.keys(record)))
        const two = [
          ["id", "title"],
          ["id", "title"]
        ]
        expect(yield* keys("alerts?count=2&fields=id,title")).toEqual(two)
        expect(yield* keys(`alerts?count=2&fields=${encodeURIComponent(" id , title ")}`)).toEqual(two)
        expect(yield* keys("alerts?count=2&fields=id&fields=title")).toEqual(two)
        expect(yield* keys("alerts?count=2&fields=id,,nope,title,")).toEqual(two)
        // no name at all is no filter: whole records
        const whole = yield* keys("alerts?count=2")
        expect(whole[0]?.length).toBeGreaterThan(10)
        expect(yield* keys("alerts?count=2&fields=")).toEqual(whole)
        expect(yield* keys("alerts?count=2&fields=,")).toEqual(whole)
        // a get and the organizations take them too
        expect(Object.keys((yield* v1(fake, `alerts/${ALERT0}?fields=title`)).json as object)).toEqual(["title"])
        expect(yield* keys("organizations?fields=name")).toEqual([["name"], ["name"]])
      })
    )
  )

  it.effect("page and count: digits only, count from 1; anything else is a 400 that quotes it", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const ids = (target: string) => Effect.map(v1(fake, target), (a) => (a.json as Records).map((r) => r.id))
        expect(yield* ids("alerts?page=0&count=1")).toEqual([ALERT0])
        expect(yield* ids("alerts?page=1&count=1")).toEqual([ALERT1])
        expect(yield* ids("alerts?page=000001&limit=1")).toEqual([ALERT1])
        for (const page of ["-1", "%2B1", "%201", "1%20", "1e1", "1.0", "0x1", "one", ""]) {
          expect(yield* answer(fake, `alerts?page=${page}`)).toEqual(
            refused(400, `invalid page: ${decodeURIComponent(page)}`)
          )
        }
        for (const count of ["0", "%2B1", "%201", "1e1", "2.5", ""]) {
          expect(yield* answer(fake, `alerts?count=${count}`)).toEqual(
            refused(400, `invalid count: ${decodeURIComponent(count)}`)
          )
        }
      })
    )
  )

  it.effect("a list the API does not page is whole, whatever page and count say", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const size = (target: string) => Effect.map(v1(fake, target), (a) => (a.json as Records).length)
        expect(yield* size("policies")).toBe(4)
        expect(yield* size("policies?page=1&count=1")).toBe(4)
        expect(yield* size(`organizations/${ORG0}/users`)).toBe(5)
        expect(yield* size(`organizations/${ORG0}/users?page=1&count=1`)).toBe(5)
        // a paged one is paged by them
        expect(yield* size("agents?page=1&count=2")).toBe(2)
      })
    )
  )

  it.effect("the organizations' routes: the list, an organization's users, and nothing else", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const organizations = yield* v1(fake, "organizations")
        expect([organizations.status, organizations.headers["content-type"]]).toEqual([200, "application/json"])
        expect(yield* answer(fake, "organizations/nope/users")).toEqual(notFound("organization nope not found"))
        expect(yield* answer(fake, `organizations/${ORG0}`)).toEqual(notFound(`no route organizations/${ORG0}`))
        expect(yield* answer(fake, `organizations/${ORG0}/agents`)).toEqual(
          notFound(`no route organizations/${ORG0}/agents`)
        )
        expect(yield* answer(fake, `organizations/${ORG0}/users/more`)).toEqual(
          notFound(`no route organizations/${ORG0}/users/more`)
        )
      })
    )
  )

  it.effect(
    "a get answers to the ids the fake issued, exactly: another kind's, organization's or a longer one is a 404",
    () =>
      withFake({}, (fake) =>
        Effect.gen(function* () {
          expect((yield* answer(fake, `alerts/${ALERT1}`)).status).toBe(200)
          for (const id of [
            "a90000000000000000000001", // an agent's
            "a10000010000000000000001", // an alert of the second organization
            `${ALERT1}0`,
            `${ALERT1}z`,
            `${ALERT1.slice(0, 8)}00000000${ALERT1.slice(8)}`, // the same index, written longer
            "nope"
          ]) {
            expect(yield* answer(fake, `alerts/${id}`)).toEqual(notFound("alert not found"))
          }
          expect(yield* answer(fake, `alerts/${ALERT1}/more`)).toEqual(notFound(`no route alerts/${ALERT1}/more`))
        })
      )
  )

  it.effect("v1 has no writes, no v2 routes and no other paths", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        expect(yield* answer(fake, "alerts", "POST")).toEqual(refused(405, "method POST not allowed"))
        expect(yield* answer(fake, `alerts/${ALERT0}`, "DELETE")).toEqual(refused(405, "method DELETE not allowed"))
        expect(yield* answer(fake, "rulesets")).toEqual(notFound("no route rulesets"))
        expect(yield* answer(fake, `rules/${RULE1}/tags`)).toEqual(notFound(`no route rules/${RULE1}/tags`))
        expect(yield* answer(fake, "alertz/x")).toEqual(notFound("no route alertz/x"))
      })
    )
  )

  it.effect(
    "a spec of the user's: served at its whole path, by id only when it has a get, and only in its generation",
    () =>
      withFake(
        {
          specs: [
            ...FakeThreatStack.defaultSpecs,
            Resource.spec({
              name: "Archived widgets",
              key: "widgets",
              singular: "widget",
              generation: 1,
              path: "widgets/archived",
              paging: "pages",
              schema: Schema.Struct({ id: Schema.String }),
              get: false
            }),
            // v2's specs are v2's: v1 does not serve them
            { key: "widgets", singular: "widget", generation: 2, path: "gadgets", paging: "token", get: true }
          ],
          data: [{ organization: { id: ORG0, name: "Acme", role: "owner" }, widgets: [{ id: "w1" }] }]
        },
        (fake) =>
          Effect.gen(function* () {
            expect(yield* answer(fake, "widgets/archived")).toEqual({ status: 200, json: [{ id: "w1" }] })
            expect(yield* answer(fake, "widgets/current")).toEqual(notFound("no route widgets/current"))
            expect(yield* answer(fake, "widgets/archived/w1")).toEqual(notFound("no route widgets/archived/w1"))
            expect(yield* answer(fake, "gadgets")).toEqual(notFound("no route gadgets"))
          })
      )
  )
})
