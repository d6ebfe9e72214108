/**
 * The fake's front door (`FakeThreatStack.make`'s `handle`, `httpClient`,
 * `layer`): which base a path falls under (trailing slashes, paths outside
 * both), v1's organization 403s, the rate limiter's 429s per generation,
 * Hawk over the port, method and body the client signed, faults (Status,
 * RateLimit, page matching, Truncate, WrongType), the recorded requests and
 * `maxRecorded`, ids of created records, and the in-memory `HttpClient`
 * (request bodies, Content-Type, ports, 204/304, a dropped connection).
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import { FakeThreatStack } from "@effect-threatstack/core"
import { CREDENTIALS, call, parse, sign, v1, withFake } from "./fakeCalls.js"
import { fakeOptions } from "./utils.js"

const KEY = FakeThreatStack.defaultApiKey
const encode = (text: string) => new TextEncoder().encode(text)
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

/** A Hawk header for `url` as @hapi/hawk's client writes it, at the test clock's time, with this payload if any. */
const hawk = (url: string, method: string, payload?: { readonly text: string; readonly contentType: string }) =>
  sign(url, method, payload === undefined ? {} : { contentType: payload.contentType }, payload?.text)

/** A GET signed for exactly `url`, handed to the handler with no separate host, port or target. */
const signedGet = (fake: FakeThreatStack.Service, url: string, method = "GET") =>
  Effect.flatMap(hawk(url, "GET"), (authorization) =>
    fake.handle({ method, url: new URL(url), headers: { authorization } })
  )

const V2 = "https://api.threatstack.com/v2"
const NOT_MINE = "5affffff0000000000000000"

describe("base paths", () => {
  it.effect("trailing slashes on basePath and v2BasePath are dropped, however many", () =>
    withFake({ basePath: "/custom/v1//", v2BasePath: "/custom/v2///" }, (fake) =>
      Effect.gen(function* () {
        const agents = yield* fake.handle({
          method: "GET",
          url: new URL("https://fake.invalid/custom/v1/agents?count=1"),
          headers: { authorization: KEY }
        })
        expect([agents.status, (parse(agents.body) as ReadonlyArray<unknown>).length]).toEqual([200, 1])
        const alerts = yield* signedGet(fake, "https://api.threatstack.com/custom/v2/alerts?status=active")
        expect(alerts.status).toBe(200)
        const old = yield* v1(fake, "agents")
        expect([old.status, old.json]).toEqual([404, { errors: ["not under /custom/v1 or /custom/v2"] }])
        expect((yield* fake.requests).map((r) => [r.generation, r.path])).toEqual([
          [1, "agents"],
          [2, "alerts"],
          [1, "api/v1/agents"]
        ])
      })
    )
  )

  it.effect("a path outside both bases is a 404 naming them, recorded by its path and query", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const answer = yield* fake.handle({
          method: "GET",
          url: new URL("https://fake.invalid/other/thing?x=1"),
          headers: { authorization: KEY }
        })
        expect(answer).toEqual({
          status: 404,
          headers: { "content-type": "application/json", "x-request-id": "fake-1" },
          body: JSON.stringify({ errors: ["not under /api/v1 or /v2"] }),
          delivery: "whole"
        })
        const [recorded] = yield* fake.requests
        expect(recorded).toEqual({
          method: "GET",
          path: "other/thing",
          query: "x=1",
          headers: { authorization: "<redacted>" }
        })
        expect(recorded?.generation).toBe(1)
      })
    )
  )

  it.effect("the v1 base itself routes to nothing: a 404 'no route'", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const answer = yield* fake.handle({
          method: "GET",
          url: new URL("https://fake.invalid/api/v1"),
          headers: { authorization: KEY }
        })
        expect([answer.status, parse(answer.body)]).toEqual([404, { errors: ["no route "] }])
      })
    )
  )

  it.effect("a v1 basePath of '/' serves v1 at the root, and v2 still answers under /v2", () =>
    withFake({ basePath: "/" }, (fake) =>
      Effect.gen(function* () {
        const alerts = yield* call(fake, "alerts?status=active")
        expect(alerts.status).toBe(200)
        const agents = yield* fake.handle({
          method: "GET",
          url: new URL("https://fake.invalid/agents?count=2"),
          headers: { authorization: KEY }
        })
        expect([agents.status, (parse(agents.body) as ReadonlyArray<unknown>).length]).toEqual([200, 2])
        expect((yield* fake.requests).map((r) => [r.generation, r.path])).toEqual([
          [2, "alerts"],
          [1, "agents"]
        ])
      })
    )
  )

  it.effect("a v2BasePath of '/' serves v2 at the root, and v1 still answers under /api/v1", () =>
    withFake({ v2BasePath: "/" }, (fake) =>
      Effect.gen(function* () {
        const alerts = yield* signedGet(fake, "https://api.threatstack.com/alerts?status=active")
        expect(alerts.status).toBe(200)
        const agents = yield* v1(fake, "agents?count=1")
        expect([agents.status, (agents.json as ReadonlyArray<unknown>).length]).toEqual([200, 1])
        expect((yield* fake.requests).map((r) => [r.generation, r.path])).toEqual([
          [2, "alerts"],
          [1, "agents"]
        ])
      })
    )
  )
})

describe("v1 organizations", () => {
  it.effect("a key that belongs to no organization gets 403 saying so; v2 credentials then name none", () =>
    withFake({ data: [] }, (fake) =>
      Effect.gen(function* () {
        const answer = yield* v1(fake, "agents")
        expect([answer.status, answer.json]).toEqual([
          403,
          { status: "error", message: "the API key belongs to no organization" }
        ])
        expect(fake.v2Credentials).toEqual({ userId: CREDENTIALS.userId, apiKey: KEY, orgId: "" })
      })
    )
  )

  it.effect("an Organization header the key is not in gets 403 naming it", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const answer = yield* v1(fake, "agents", { authorization: KEY, organization: NOT_MINE })
        expect([answer.status, answer.json]).toEqual([
          403,
          { status: "error", message: `no access to organization ${NOT_MINE}` }
        ])
      })
    )
  )
})

describe("v2 organizations and paths", () => {
  it.effect("Hawk with no ext is a 403 naming no organization; an ext not the user's, a 403 naming it", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const none = yield* call(fake, "alerts", { ext: undefined })
        expect([none.status, none.json]).toEqual([403, { errors: ["The request names no organization (Hawk ext)"] }])
        const other = yield* call(fake, "alerts", { ext: NOT_MINE })
        expect([other.status, other.json]).toEqual([
          403,
          { errors: [`The user is not allowed to perform this action: not a member of organization ${NOT_MINE}`] }
        ])
      })
    )
  )

  it.effect("a malformed percent-encoding in a v2 path is a 400 quoting the path", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const answer = yield* call(fake, "alerts/%E0%A4%A")
        expect([answer.status, answer.json]).toEqual([
          400,
          { errors: ["malformed percent-encoding in the path: alerts/%E0%A4%A"] }
        ])
      })
    )
  )
})

describe("rate limit", () => {
  it.effect("v1's 429 has v1's error shape, remaining 0 and the reset in ms", () =>
    withFake({ rateLimit: { limit: 1, interval: "1 minute" } }, (fake) =>
      Effect.gen(function* () {
        const first = yield* v1(fake, "agents?count=1")
        expect([first.status, first.headers["x-rate-limit-remaining"]]).toEqual([200, "0"])
        const second = yield* v1(fake, "agents?count=1")
        expect(second).toEqual({
          status: 429,
          headers: {
            "content-type": "application/json",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": "60000",
            "x-request-id": "fake-2"
          },
          body: JSON.stringify({ status: "error", message: "rate limit exceeded" }),
          delivery: "whole",
          json: { status: "error", message: "rate limit exceeded" }
        })
      })
    )
  )

  it.effect("v2's 429 has v2's error shape, remaining 0 and the reset in ms", () =>
    withFake({ rateLimit: { limit: 1, interval: "1 minute" } }, (fake) =>
      Effect.gen(function* () {
        expect((yield* call(fake, "alerts?status=active")).status).toBe(200)
        const second = yield* call(fake, "alerts?status=active")
        expect([second.status, second.headers, second.json]).toEqual([
          429,
          {
            "content-type": "application/json",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": "60000",
            "x-request-id": "fake-2"
          },
          { errors: ["Rate limit hit"] }
        ])
      })
    )
  )
})

describe("Hawk over what the client signed", () => {
  it.effect("the port is the URL's, else the scheme's (80 for http, 443 for https)", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        for (const url of [
          "http://localhost:8080/v2/alerts?status=active",
          "https://localhost:8443/v2/alerts?status=active",
          "http://api.example/v2/alerts?status=active",
          "https://api.example/v2/alerts?status=active"
        ]) {
          const answer = yield* signedGet(fake, url)
          expect([url, answer.status]).toEqual([url, 200])
        }
      })
    )
  )

  it.effect("the method is matched whatever its case, and recorded as sent", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const answer = yield* signedGet(fake, `${V2}/alerts?status=active`, "get")
        expect(answer.status).toBe(200)
        expect((yield* fake.requests).map((r) => [r.method, r.hawk])).toEqual([["get", true]])
      })
    )
  )

  it.effect("bodies are checked against the signed payload hash, with or without a Content-Type", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const body = JSON.stringify({ name: "Mine" })
        const cases: ReadonlyArray<{
          readonly what: string
          readonly method: string
          readonly path: string
          readonly contentType: string | undefined
          readonly body: string
          readonly signed: { readonly text: string; readonly contentType: string } | undefined
          readonly status: number
          readonly json?: unknown
        }> = [
          {
            what: "a body with no Content-Type, signed as of type ''",
            method: "POST",
            path: "rulesets",
            contentType: undefined,
            body,
            signed: { text: body, contentType: "" },
            status: 200
          },
          {
            what: "a Content-Type and an empty body, signed as the empty payload of that type",
            method: "GET",
            path: "alerts?status=active",
            contentType: "application/json",
            body: "",
            signed: { text: "", contentType: "application/json" },
            status: 200
          },
          {
            what: "a body with no Content-Type, signed as JSON",
            method: "POST",
            path: "rulesets",
            contentType: undefined,
            body,
            signed: { text: body, contentType: "application/json" },
            status: 401,
            json: { errors: ["Bad payload hash"] }
          },
          {
            what: "a body with no payload hash",
            method: "POST",
            path: "rulesets",
            contentType: "application/json",
            body,
            signed: undefined,
            status: 401,
            json: { errors: ["Missing payload hash: the request has a body"] }
          },
          {
            what: "a body other than the one signed",
            method: "POST",
            path: "rulesets",
            contentType: "application/json",
            body,
            signed: { text: JSON.stringify({ name: "Other" }), contentType: "application/json" },
            status: 401,
            json: { errors: ["Bad payload hash"] }
          }
        ]
        for (const c of cases) {
          const url = `${V2}/${c.path}`
          const authorization = yield* hawk(url, c.method, c.signed)
          const answer = yield* fake.handle({
            method: c.method,
            url: new URL(url),
            headers: { authorization, "content-type": c.contentType },
            body: encode(c.body)
          })
          expect([c.what, answer.status]).toEqual([c.what, c.status])
          if (c.json !== undefined) expect(parse(answer.body)).toEqual(c.json)
        }
      })
    )
  )
})

describe("faults", () => {
  it.effect("a Status fault answers in the generation's error shape, with its headers; with a body, that body", () =>
    withFake(
      {
        faults: [
          { path: "agents", fault: { _tag: "Status", status: 503, headers: { "retry-after": "7" } } },
          { generation: 2, path: "alerts", fault: { _tag: "Status", status: 502, headers: { "x-cache": "miss" } } },
          {
            path: "policies",
            fault: { _tag: "Status", status: 500, body: "oops", headers: { "content-type": "text/plain" } }
          }
        ]
      },
      (fake) =>
        Effect.gen(function* () {
          const agents = yield* v1(fake, "agents")
          expect([agents.status, agents.headers, agents.json]).toEqual([
            503,
            { "content-type": "application/json", "retry-after": "7", "x-request-id": "fake-1" },
            { status: "error", message: "injected 503" }
          ])
          const alerts = yield* call(fake, "alerts")
          expect([alerts.status, alerts.headers, alerts.json]).toEqual([
            502,
            { "content-type": "application/json", "x-cache": "miss", "x-request-id": "fake-2" },
            { errors: ["injected 502"] }
          ])
          const policies = yield* v1(fake, "policies")
          expect([policies.status, policies.headers, policies.body]).toEqual([
            500,
            { "content-type": "text/plain", "x-request-id": "fake-3" },
            "oops"
          ])
        })
    )
  )

  it.effect("a RateLimit fault is a 429 in the generation's shape carrying only the hints it was given", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<{
        readonly fault: FakeThreatStack.Fault
        readonly hints: Readonly<Record<string, string>>
      }> = [
        { fault: { _tag: "RateLimit", retryAfter: 2 }, hints: { "retry-after": "2" } },
        { fault: { _tag: "RateLimit", resetMs: 1500 }, hints: { "x-rate-limit-reset": "1500" } },
        { fault: { _tag: "RateLimit" }, hints: {} }
      ]
      for (const { fault, hints } of cases) {
        yield* withFake({ faults: [{ path: "alerts", fault }] }, (fake) =>
          Effect.gen(function* () {
            const old = yield* v1(fake, "alerts")
            expect([old.status, old.headers, old.json]).toEqual([
              429,
              { "content-type": "application/json", ...hints, "x-request-id": "fake-1" },
              { status: "error", message: "rate limit exceeded" }
            ])
            const current = yield* call(fake, "alerts")
            expect([current.status, current.headers, current.json]).toEqual([
              429,
              { "content-type": "application/json", ...hints, "x-request-id": "fake-2" },
              { errors: ["rate limit exceeded"] }
            ])
          })
        )
      }
    })
  )

  it.effect("page: 0 matches a v1 request with no page parameter, as well as page=0", () =>
    withFake({ faults: [{ path: "agents", page: 0, fault: { _tag: "Status", status: 503 } }] }, (fake) =>
      Effect.gen(function* () {
        const statuses = []
        for (const query of ["agents", "agents?page=0", "agents?page=1"]) statuses.push((yield* v1(fake, query)).status)
        expect(statuses).toEqual([503, 503, 200])
      })
    )
  )

  it.effect("a Truncate fault alone cuts the body in half but delivers it whole", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const full = yield* v1(fake, "agents?count=3")
        yield* fake.addFaults({ path: "agents", fault: { _tag: "Truncate" } })
        const cut = yield* v1(fake, "agents?count=3")
        expect([cut.status, cut.body, cut.delivery]).toEqual([
          200,
          full.body.slice(0, Math.floor(full.body.length / 2)),
          "whole"
        ])
      })
    )
  )

  it.effect("WrongType on a v2 page changes the first record of its collection, not the page", () =>
    withFake({ faults: [{ path: "alerts", fault: { _tag: "WrongType", field: "title" } }] }, (fake) =>
      Effect.gen(function* () {
        const page = (yield* call(fake, "alerts?status=active")).json as {
          readonly alerts: ReadonlyArray<{ readonly title: unknown }>
          readonly token: unknown
        }
        expect(Object.keys(page).sort()).toEqual(["alerts", "token"])
        expect(page.alerts[0]?.title).toBe(12345)
        expect(typeof page.alerts[1]?.title).toBe("string")
      })
    )
  )

  it.effect("WrongType puts a string where a number was", () =>
    withFake({ faults: [{ path: "alerts", fault: { _tag: "WrongType", field: "created_at" } }] }, (fake) =>
      Effect.gen(function* () {
        const alerts = (yield* v1(fake, "alerts?count=2")).json as ReadonlyArray<{ readonly created_at: unknown }>
        expect(alerts[0]?.created_at).toBe("not-the-right-type")
        expect(typeof alerts[1]?.created_at).toBe("number")
      })
    )
  )

  it.effect("WrongType leaves a body with no record in it as it is", () =>
    withFake(
      {
        faults: [
          { path: "agents", fault: { _tag: "EmptyBody", status: 502 } },
          { path: "policies", fault: { _tag: "Truncate" } },
          { path: "logs", fault: { _tag: "Status", status: 200, body: "null" } },
          { fault: { _tag: "WrongType", field: "id" } }
        ]
      },
      (fake) =>
        Effect.gen(function* () {
          const policies = yield* v1(fake, "policies?count=2")
          yield* fake.clearFaults
          const whole = yield* v1(fake, "policies?count=2")
          expect(policies.body).toBe(whole.body.slice(0, Math.floor(whole.body.length / 2)))
          yield* fake.addFaults(
            { path: "agents", fault: { _tag: "EmptyBody", status: 502 } },
            { path: "logs", fault: { _tag: "Status", status: 200, body: "null" } },
            { fault: { _tag: "WrongType", field: "id" } }
          )
          const answers = []
          for (const answer of [
            yield* v1(fake, "agents"),
            yield* v1(fake, "logs"),
            yield* v1(fake, "alerts?page=100000"),
            yield* call(fake, "alerts?status=active&severity=1&from=2000-01-01T00:00:00Z&until=2000-01-02T00:00:00Z")
          ])
            answers.push([answer.status, answer.body])
          expect(answers).toEqual([
            [502, ""],
            [200, "null"],
            [200, "[]"],
            [200, JSON.stringify({ alerts: [], token: null })]
          ])
        })
    )
  )
})

describe("recorded requests", () => {
  it.effect("a v2 request without a query records an empty one, its page, and the Hawk outcome", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        yield* call(fake, "rulesets")
        const [recorded] = yield* fake.requests
        expect(recorded).toEqual({
          method: "GET",
          path: "rulesets",
          query: "",
          headers: { authorization: "<redacted>" },
          generation: 2,
          page: 0,
          token: undefined,
          hawk: true
        })
      })
    )
  )

  it.effect("maxRecorded keeps the newest requests only; 0 keeps none", () =>
    Effect.gen(function* () {
      for (const [maxRecorded, kept] of [
        [2, ["agents?page=3", "agents?page=4"]],
        [1, ["agents?page=4"]],
        [0, []]
      ] as const) {
        yield* withFake({ maxRecorded }, (fake) =>
          Effect.gen(function* () {
            for (let page = 0; page < 5; page++) yield* v1(fake, `agents?page=${page}`)
            const seen = (yield* fake.requests).map((r) => `${r.path}?${r.query}`)
            expect([maxRecorded, seen]).toEqual([maxRecorded, kept])
          })
        )
      }
    })
  )
})

describe("created records", () => {
  it.effect("created records get a new id each, the same ones for the same seed", () =>
    Effect.gen(function* () {
      const created = () =>
        withFake({}, (fake) =>
          Effect.gen(function* () {
            const ids = []
            for (const name of ["One", "Two", "Three"]) {
              const answer = yield* call(fake, "rulesets", { method: "POST", body: { name } })
              ids.push((answer.json as { readonly id: string }).id)
            }
            return ids
          })
        )
      const first = yield* created()
      expect(first).toEqual([
        "7d673768-ddf5-4ab2-9a73-59bcfb55f869",
        "009fc7fe-d7f9-4bc9-b52a-3d8412e11b19",
        "973149ae-b7f3-4ed3-872f-f5d6f0430d19"
      ])
      expect(yield* created()).toEqual(first)
    })
  )
})

/** Posts `text` to a v2 path through the fake's HttpClient with this body form, signed as JSON. */
const postThrough = (
  fake: FakeThreatStack.Service,
  path: string,
  text: string,
  body: (request: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest
) =>
  Effect.gen(function* () {
    const url = `${V2}/${path}`
    const authorization = yield* hawk(url, "POST", { text, contentType: "application/json" })
    return yield* FakeThreatStack.httpClient(fake).execute(
      HttpClientRequest.post(url).pipe(HttpClientRequest.setHeader("authorization", authorization), body)
    )
  })

describe("httpClient", () => {
  it.effect("hands the fake the body's bytes, whatever the body's form, so Hawk payload hashes check out", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const forms: ReadonlyArray<
          readonly [
            string,
            (bytes: Uint8Array) => (request: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest
          ]
        > = [
          ["bytes", (bytes) => HttpClientRequest.bodyUint8Array(bytes, "application/json")],
          ["text", (bytes) => HttpClientRequest.bodyText(decode(bytes), "application/json")],
          [
            "a stream of three chunks",
            (bytes) =>
              HttpClientRequest.bodyStream(Stream.make(bytes.slice(0, 5), bytes.slice(5, 20), bytes.slice(20)), {
                contentType: "application/json"
              })
          ]
        ]
        for (const [form, body] of forms) {
          const text = JSON.stringify({ name: `Made from ${form}`, description: "through the HttpClient" })
          const response = yield* postThrough(fake, "rulesets", text, body(encode(text)))
          const created = (yield* response.json) as { readonly name: string }
          expect([response.status, created.name]).toEqual([200, `Made from ${form}`])
        }
      })
    )
  )

  it.effect("a request's Content-Type comes from its body unless it sets its own", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const text = JSON.stringify({ name: "Mine" })
        const other = JSON.stringify({ name: "Also mine" })
        const statuses = []
        statuses.push(
          (yield* postThrough(fake, "rulesets", text, HttpClientRequest.bodyText(text, "application/json"))).status
        )
        statuses.push(
          (yield* postThrough(fake, "rulesets", other, (request) =>
            request.pipe(
              HttpClientRequest.bodyText(other, "application/json"),
              HttpClientRequest.setHeader("content-type", "application/json; charset=utf-8")
            )
          )).status
        )
        const get = yield* FakeThreatStack.httpClient(fake).execute(
          HttpClientRequest.get(`${V2}/rulesets`).pipe(
            HttpClientRequest.setHeader("authorization", yield* hawk(`${V2}/rulesets`, "GET"))
          )
        )
        statuses.push(get.status)
        expect(statuses).toEqual([200, 200, 200])
        // less the tracing headers (`b3`, `traceparent`) the HttpClient adds
        const sent = (yield* fake.requests).map(({ headers: { b3: _b3, traceparent: _tp, ...rest } }) => rest)
        expect(sent).toEqual([
          { authorization: "<redacted>", "content-length": "15", "content-type": "application/json" },
          { authorization: "<redacted>", "content-length": "20", "content-type": "application/json; charset=utf-8" },
          { authorization: "<redacted>" }
        ])
      })
    )
  )

  it.effect("the port is the URL's, else the scheme's", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const client = FakeThreatStack.httpClient(fake)
        for (const url of [
          "http://localhost:8080/v2/rulesets",
          "https://localhost:8443/v2/rulesets",
          "http://api.example/v2/rulesets",
          "https://api.example/v2/rulesets"
        ]) {
          const response = yield* client.execute(
            HttpClientRequest.get(url).pipe(HttpClientRequest.setHeader("authorization", yield* hawk(url, "GET")))
          )
          expect([url, response.status]).toEqual([url, 200])
        }
      })
    )
  )

  it.effect("a 204 or 304 answer comes through with no body, other statuses with theirs", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const client = FakeThreatStack.httpClient(fake)
        const seen = []
        for (const status of [204, 304, 502]) {
          yield* fake.clearFaults
          yield* fake.addFaults({ path: "agents", fault: { _tag: "EmptyBody", status } })
          const response = yield* client.execute(
            HttpClientRequest.get("https://fake.invalid/api/v1/agents").pipe(
              HttpClientRequest.setHeader("authorization", KEY)
            )
          )
          seen.push([response.status, yield* response.text, response.headers["x-request-id"]])
        }
        expect(seen).toEqual([
          [204, "", "fake-1"],
          [304, "", "fake-2"],
          [502, "", "fake-3"]
        ])
      })
    )
  )

  it.effect("a Drop fault answers the status and half the body, then fails as a lost connection", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const client = FakeThreatStack.httpClient(fake)
        const get = client.execute(
          HttpClientRequest.get("https://fake.invalid/api/v1/agents?count=3").pipe(
            HttpClientRequest.setHeader("authorization", KEY)
          )
        )
        const whole = yield* Effect.flatMap(get, (response) => response.text)
        yield* fake.addFaults({ path: "agents", fault: { _tag: "Drop" } })
        const response = yield* get
        expect(response.status).toBe(200)
        const parts = Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.either(response.stream)))
        const received = parts.flatMap((part) => (Either.isRight(part) ? [decode(part.right)] : [])).join("")
        // the first half arrives, then the connection is lost
        expect(received).toBe(whole.slice(0, Math.floor(whole.length / 2)))
        expect(received.length).toBeGreaterThan(0)
        const failure = parts.find(Either.isLeft)
        expect(failure?.left.reason).toBe("Decode")
        expect(failure?.left.cause).toEqual(new Error("connection dropped mid-body"))
      })
    )
  )
})

describe("layer", () => {
  it.effect("provides the service and an HttpClient answered by it", () =>
    Effect.gen(function* () {
      const client = yield* HttpClient.HttpClient
      const response = yield* client.execute(
        HttpClientRequest.get("https://fake.invalid/api/v1/agents?count=2").pipe(
          HttpClientRequest.setHeader("authorization", KEY)
        )
      )
      expect([response.status, ((yield* response.json) as ReadonlyArray<unknown>).length]).toEqual([200, 2])
      const fake = yield* FakeThreatStack.FakeThreatStack
      expect((yield* fake.requests).map((r) => `${r.path}?${r.query}`)).toEqual(["agents?count=2"])
    }).pipe(Effect.provide(FakeThreatStack.layer(fakeOptions({}))))
  )
})
