/**
 * What the v2 SDK puts on the wire, checked by the reference Hawk
 * implementation (@hapi/hawk's server side), never by our own signer: the
 * request vectors of the v2 reference, queries that need encoding, writes
 * with bodies, retries signed afresh, a stale timestamp answered once.
 */
import { HttpBody, HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import * as HapiHawk from "@hapi/hawk"
import { describe, expect, it } from "@effect/vitest"
import {
  Chunk,
  Clock,
  ConfigProvider,
  Deferred,
  Duration,
  Effect,
  Either,
  Fiber,
  FiberId,
  Layer,
  Option,
  Schema,
  Stream,
  TestClock
} from "effect"
import { ThreatStack, ThreatStackClient, ThreatStackV2, V2 } from "@effect-threatstack/core"
import { spanNames } from "./utils.js"

const USER = "test_user_id"
const KEY = "test_api_key"
const ORG = "5d7bb7c49f4d069836a064c2"
const BASE = "https://api.threatstack.com/v2"

interface Seen {
  readonly method: string
  readonly url: string
  readonly authorization: string
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
  /** The content type as a transport sends it: the header, else the body's. */
  readonly contentType: string | undefined
  /** What @hapi/hawk's server made of the request: its artifacts, or why it refused. */
  readonly verified: Either.Either<HapiHawk.RequestArtifacts, string>
}

/**
 * An HttpClient that checks every request with @hapi/hawk's server (at the
 * test clock's time) and answers from `reply`.
 */
const verifying = (reply: (request: Seen, n: number) => Response) => {
  const seen: Array<Seen> = []
  const client = HttpClient.make((request, url) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      // the body and content type as a transport sends them
      const body =
        request.body._tag === "Uint8Array"
          ? new TextDecoder().decode(request.body.body)
          : request.body._tag === "Raw" && typeof request.body.body === "string"
            ? request.body.body
            : ""
      const contentType =
        request.headers["content-type"] ?? (request.body._tag === "Empty" ? undefined : request.body.contentType)
      const authorization = request.headers.authorization ?? ""
      const verified = yield* Effect.promise(() =>
        HapiHawk.server
          .authenticate(
            {
              method: request.method,
              url: url.pathname + url.search,
              headers: {
                host: `${url.hostname}:${url.port || 443}`,
                authorization,
                "content-type": contentType
              }
            },
            (id) => (id === USER ? { id, key: KEY, algorithm: "sha256" } : null),
            { localtimeOffsetMsec: now - Date.now(), ...(body === "" ? {} : { payload: body }) }
          )
          .then(
            (result) => Either.right(result.artifacts),
            (error: Error) => Either.left(error.message)
          )
      )
      const entry = {
        method: request.method,
        url: url.toString(),
        headers: request.headers,
        authorization,
        body,
        contentType,
        verified
      }
      seen.push(entry)
      return HttpClientResponse.fromWeb(request, reply(entry, seen.length))
    })
  )
  return { seen, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

const v2 = (http: Layer.Layer<HttpClient.HttpClient>, options: Partial<ThreatStackV2.Options> = {}) =>
  ThreatStackV2.layer({
    apiKey: KEY,
    userId: USER,
    orgId: ORG,
    maxRetries: 2,
    retryBaseDelay: "1 second",
    ...options
  }).pipe(Layer.provide(http))

const page = (collection: string, records: ReadonlyArray<object>, token: string | null | undefined) =>
  Response.json(token === undefined ? { [collection]: records } : { [collection]: records, token })

const agent = (id: string) => ({
  id,
  status: "online",
  createdAt: "2019-07-16T20:37:17.828Z",
  lastReportedAt: "2019-07-16T20:42:33.513Z",
  hostname: `${id}.example`
})

const ok = (entry: Seen) => {
  expect(Either.isRight(entry.verified) ? "verified" : entry.verified.left).toBe("verified")
}

describe("v2 requests are Hawk-signed as @hapi/hawk's server checks them", () => {
  it.effect("the reference's GET vector: the same MAC, byte for byte", () => {
    const http = verifying(() => page("agents", [], null))
    return Effect.gen(function* () {
      yield* TestClock.setTime(1_500_000_000_000)
      const ts = yield* ThreatStackV2.ThreatStackV2
      expect(Chunk.size(yield* Stream.runCollect(ts.agents.list({ status: "online" })))).toBe(0)
      const [request] = http.seen
      expect(request?.url).toBe(`${BASE}/agents?status=online`)
      expect(request?.authorization).toContain('mac="dMrqgjE0zf3yC2upEqVB4Z4vy8yITbOlUNA+YfYoZHA="')
      expect(request?.authorization).toContain(`id="${USER}", ts="1500000000", nonce="abc123"`)
      ok(request as Seen)
    }).pipe(Effect.provide(v2(http.layer, { nonce: () => "abc123" })))
  })

  it.effect("the reference's POST vector: the payload hash of the exact body bytes, and the MAC", () => {
    const http = verifying(() => Response.json({ id: "r1", name: "API Test Ruleset", rules: [] }))
    return Effect.gen(function* () {
      yield* TestClock.setTime(1_500_000_000_000)
      const ts = yield* ThreatStackV2.ThreatStackV2
      const exact = '{"name": "API Test Ruleset", "description": "x", "ruleIds": []}'
      yield* ts.client.execute(
        HttpClientRequest.post("rulesets").pipe(HttpClientRequest.bodyText(exact, "application/json")),
        Schema.Unknown
      )
      const [request] = http.seen
      expect(request?.authorization).toContain('hash="6N60RJe5I4RtGIO7fFTakHRKwUDLBE+EX0YDD5NiTTs="')
      expect(request?.authorization).toContain('mac="sUVVnSj8v26qp46kpPMZvJrZnoCTExbbzypzkI0W5iA="')
      ok(request as Seen)
    }).pipe(Effect.provide(v2(http.layer, { nonce: () => "abc123" })))
  })

  it.effect("queries that need encoding and a token with = / + and a space are signed as sent", () => {
    const awkward = "a=b/c+d e"
    const http = verifying((_, n) =>
      n === 1 ? page("agents", [agent("a1")], awkward) : page("agents", [agent("a2")], "")
    )
    return Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 10, 1))
      const ts = yield* ThreatStackV2.ThreatStackV2
      const agents = yield* Stream.runCollect(
        ts.agents.list({ status: "online", hostname: "web 01+a/b", from: "2026-10-01T08:00:00.5Z" })
      )
      expect(Chunk.toReadonlyArray(agents).map((a) => a.id)).toEqual(["a1", "a2"])
      expect(http.seen.length).toBe(2)
      for (const request of http.seen) ok(request)
      const second = new URL(http.seen[1]?.url ?? "")
      expect(second.searchParams.get("token")).toBe(awkward)
      expect(second.searchParams.get("hostname")).toBe("web 01+a/b")
      expect(second.searchParams.get("from")).toBe("2026-10-01T08:00:00")
    }).pipe(Effect.provide(v2(http.layer)))
  })

  it.effect("every operation sends a request @hapi/hawk accepts, writes with their bodies", () => {
    const rule = {
      id: "u1",
      rulesetId: "s1",
      name: "Sudo",
      title: "Sudo",
      type: "Host",
      severityOfAlerts: 2,
      alertDescription: "sudo ran",
      filter: "command = 'sudo'"
    }
    const ruleset = { id: "s1", name: "Web", rules: ["u1"] }
    const member = { id: "m1", email: "ada@example.com", role: "user", lastAuthenticatedAt: 1_500_000_000_000 }
    const alert = { id: "al1", title: "Sudo: web-001", createdAt: "2017-05-01T00:00:00.000Z", severity: 1 }
    const tags = { inclusion: [{ source: "ec2", key: "Env", value: "prod" }], exclusion: [] }
    const http = verifying((request) => {
      const path = new URL(request.url).pathname.replace("/v2/", "")
      const answers: ReadonlyArray<readonly [RegExp, () => Response]> = [
        [/^agents$/, () => page("agents", [agent("a1")], null)],
        [/^agents\//, () => Response.json(agent("a1"))],
        [/^alerts$/, () => page("alerts", [alert], null)],
        [/^alerts\/severity-counts$/, () => Response.json({ severityCounts: [{ severity: 1, count: 3 }] })],
        [/^alerts\/dismiss$/, () => Response.json({})],
        [/^alerts\/[^/]+\/events$/, () => Response.json({ events: [{ type: "audit" }] })],
        [/^alerts\//, () => Response.json(alert)],
        [/^vulnerabilities\/suppressions$/, () => page("suppressions", [{ id: "x" }], null)],
        [/^vulnerabilities\/[^/]+\/servers$/, () => page("servers", [{ agentId: "a1" }], null)],
        [/^vulnerabilities\//, () => Response.json({ cveNumber: "CVE-1", severity: "high" })],
        [/^vulnerabilities$/, () => page("cves", [{ cveNumber: "CVE-1", severity: "high" }], null)],
        [/^aws\/ec2$/, () => page("servers", [{ id: "i-1", monitored: true }], null)],
        [
          /^rulesets\/[^/]+\/rules\/[^/]+$/,
          () => (request.method === "DELETE" ? Response.json({}) : Response.json(rule))
        ],
        [
          /^rulesets\/[^/]+\/rules$/,
          () => (request.method === "POST" ? Response.json(rule) : Response.json({ rules: [rule] }))
        ],
        [/^rulesets\/[^/]+$/, () => (request.method === "DELETE" ? Response.json({}) : Response.json(ruleset))],
        [
          /^rulesets$/,
          () => (request.method === "POST" ? Response.json(ruleset) : Response.json({ rulesets: [ruleset] }))
        ],
        [/^rules\/[^/]+\/tags$/, () => Response.json(tags)],
        [/^organizations\/members\//, () => new Response(null, { status: 204 })],
        [
          /^organizations\/members$/,
          () => (request.method === "POST" ? Response.json(member) : Response.json({ members: [member] }))
        ],
        [
          /^organizations\/invites$/,
          () => Response.json({ sentToEmail: "b@example.com", role: "reader", status: "sent" })
        ],
        [/^auditlogs$/, () => page("recs", [{ id: "r1", eventTime: "2017-05-01T00:00:00Z" }], null)]
      ]
      return (
        answers.find(([pattern]) => pattern.test(path))?.[1]() ??
        Response.json({ errors: ["no route"] }, { status: 404 })
      )
    })
    return Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 10, 1))
      const ts = yield* ThreatStackV2.ThreatStackV2
      const all = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)
      expect((yield* all(ts.agents.list({ status: "online" })))[0]?.hostname).toBe("a1.example")
      expect(Option.isSome(yield* ts.agents.get("a1"))).toBe(true)
      expect((yield* all(ts.alerts.list({ severity: 1, ruleId: "u1" })))[0]?.severity).toBe(1)
      expect(Option.map(yield* ts.alerts.get("al1"), (a) => a.title)).toEqual(Option.some("Sudo: web-001"))
      expect(yield* ts.alerts.events("al1")).toEqual([{ type: "audit" }])
      expect(yield* ts.alerts.severityCounts({ from: "2017-05-01", until: "2017-05-31" })).toEqual([
        { severity: 1, count: 3 }
      ])
      yield* ts.alerts.dismiss({ ids: ["al1"], reason: "MAINTENANCE" })
      yield* ts.alerts.dismissWhere({
        from: "2017-05-01",
        until: "2017-05-02",
        severity: 3,
        reason: "OTHER",
        text: "noise"
      })
      expect((yield* all(ts.vulnerabilities.list({ active: true })))[0]?.cveNumber).toBe("CVE-1")
      expect(Option.isSome(yield* ts.vulnerabilities.get("CVE-1"))).toBe(true)
      expect((yield* all(ts.vulnerabilities.servers("CVE-1")))[0]?.agentId).toBe("a1")
      expect((yield* all(ts.vulnerabilities.suppressions())).length).toBe(1)
      expect((yield* all(ts.servers.list({ monitored: true })))[0]?.id).toBe("i-1")
      expect((yield* all(ts.rulesets.list()))[0]?.ruleIds).toEqual(["u1"])
      expect(Option.map(yield* ts.rulesets.get("s1"), (r) => r.ruleIds)).toEqual(Option.some(["u1"]))
      expect((yield* ts.rulesets.create({ name: "Web", ruleIds: ["u1"] })).ruleIds).toEqual(["u1"])
      yield* ts.rulesets.update("s1", { name: "Web", description: "nginx", ruleIds: ["u1"] })
      yield* ts.rulesets.delete("s1")
      expect((yield* all(ts.rules.list("s1")))[0]?.name).toBe("Sudo")
      expect(Option.isSome(yield* ts.rules.get("s1", "u1"))).toBe(true)
      const { id: _id, rulesetId: _set, ...input } = rule
      yield* ts.rules.create("s1", input)
      yield* ts.rules.update("s1", "u1", input)
      yield* ts.rules.delete("s1", "u1")
      expect(yield* ts.rules.tags("u1")).toEqual(Option.some(tags))
      expect(yield* ts.rules.setTags("u1", tags)).toEqual(tags)
      expect((yield* all(ts.members.list({ enabledOnly: true })))[0]?.email).toBe("ada@example.com")
      expect((yield* ts.members.add({ id: "m1", role: "user" })).id).toBe("m1")
      yield* ts.members.remove("m1")
      expect((yield* ts.members.invite({ email: "b@example.com", role: "reader" })).status).toBe("sent")
      expect((yield* all(ts.auditLogs.list({ userId: "u9", operation: "delete" })))[0]?.id).toBe("r1")

      expect(http.seen.length).toBe(30)
      for (const request of http.seen) ok(request)
      const byPath = (method: string, path: string) =>
        http.seen.find((r) => r.method === method && new URL(r.url).pathname === `/v2/${path}`)
      expect(JSON.parse(byPath("POST", "rulesets")?.body ?? "")).toEqual({ name: "Web", ruleIds: ["u1"] })
      expect(JSON.parse(byPath("PUT", "rulesets/s1/rules/u1")?.body ?? "")).toEqual(input)
      const dismissals = http.seen
        .filter((r) => new URL(r.url).pathname === "/v2/alerts/dismiss")
        .map((r) => JSON.parse(r.body))
      expect(dismissals).toEqual([
        { ids: ["al1"], dismissReason: "MAINTENANCE" },
        {
          from: "2017-05-01T00:00:00",
          until: "2017-05-02T23:59:59",
          severity: 3,
          dismissReason: "OTHER",
          dismissReasonText: "noise"
        }
      ])
      expect(new URL(http.seen.at(-1)?.url ?? "").searchParams.get("userID")).toBe("u9")
      expect(new URL(byPath("GET", "vulnerabilities")?.url ?? "").search).toBe("?status=active")
    }).pipe(Effect.provide(v2(http.layer)))
  })

  it.live("a retried request is signed again: a fresh nonce, and both verify", () => {
    const http = verifying((_, n) =>
      n === 1 ? Response.json({ errors: ["busy"] }, { status: 503 }) : page("agents", [], null)
    )
    return Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      yield* Stream.runCollect(ts.agents.list({ status: "offline" }))
      expect(http.seen.length).toBe(2)
      for (const request of http.seen) ok(request)
      const nonces = http.seen.map((r) => /nonce="([^"]+)"/.exec(r.authorization)?.[1])
      expect(new Set(nonces).size).toBe(2)
      const times = http.seen.map((r) => Number(/ts="(\d+)"/.exec(r.authorization)?.[1]))
      expect(times[1]).toBeGreaterThanOrEqual(times[0] ?? Number.POSITIVE_INFINITY)
    }).pipe(Effect.provide(v2(http.layer, { retryBaseDelay: "10 millis" })))
  })

  it.effect("a stale-timestamp answer is retried once with the server's time (a tsm under our key)", () => {
    const serverTs = Math.floor(Date.UTC(2026, 10, 1, 0, 10) / 1000)
    const tsm = HapiHawk.crypto.calculateTsMac(serverTs, { key: KEY, algorithm: "sha256" })
    const http = verifying((_, n) =>
      n === 1
        ? Response.json(
            { errors: ["Stale timestamp"] },
            {
              status: 401,
              headers: { "www-authenticate": `Hawk ts="${serverTs}", tsm="${tsm}", error="Stale timestamp"` }
            }
          )
        : page("agents", [], null)
    )
    return Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 10, 1))
      const ts = yield* ThreatStackV2.ThreatStackV2
      yield* Stream.runCollect(ts.agents.list({ status: "online" }))
      expect(http.seen.length).toBe(2)
      expect(Number(/ts="(\d+)"/.exec(http.seen[1]?.authorization ?? "")?.[1])).toBe(serverTs)
    }).pipe(Effect.provide(v2(http.layer)))
  })

  it.effect("the resend after a stale timestamp has a timeout of its own", () => {
    // each answer takes 300 ms of a 400 ms timeout: the first send and its resend would not fit in one
    const serverTs = Math.floor(Date.UTC(2026, 10, 1, 0, 10) / 1000)
    const tsm = HapiHawk.crypto.calculateTsMac(serverTs, { key: KEY, algorithm: "sha256" })
    let sent = 0
    // the test moves the clock only once each request has arrived: a step taken before would leave it behind
    const first = Deferred.unsafeMake<void>(FiberId.none)
    const resend = Deferred.unsafeMake<void>(FiberId.none)
    const slow = HttpClient.make((request) => {
      const n = ++sent
      return Deferred.succeed(n === 1 ? first : resend, undefined).pipe(
        Effect.zipRight(Effect.sleep("300 millis")),
        Effect.as(
          HttpClientResponse.fromWeb(
            request,
            n === 1
              ? Response.json(
                  { errors: ["Stale timestamp"] },
                  {
                    status: 401,
                    headers: { "www-authenticate": `Hawk ts="${serverTs}", tsm="${tsm}", error="Stale timestamp"` }
                  }
                )
              : page("agents", [agent("a1")], null)
          )
        )
      )
    })
    return Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 10, 1))
      const ts = yield* ThreatStackV2.ThreatStackV2
      const fiber = yield* Effect.fork(Stream.runCollect(ts.agents.list({ status: "online" })))
      for (const arrived of [first, resend]) {
        yield* Deferred.await(arrived)
        yield* TestClock.adjust("300 millis")
      }
      const agents = yield* Fiber.join(fiber)
      expect([Chunk.size(agents), sent]).toEqual([1, 2])
    }).pipe(Effect.provide(v2(Layer.succeed(HttpClient.HttpClient, slow), { timeout: "400 millis", maxRetries: 0 })))
  })

  it.effect("a server that answers every request with a stale timestamp gets one resync, not a loop", () => {
    const serverTs = Math.floor(Date.UTC(2026, 10, 1, 0, 10) / 1000)
    const tsm = HapiHawk.crypto.calculateTsMac(serverTs, { key: KEY, algorithm: "sha256" })
    const http = verifying(() =>
      Response.json(
        { errors: ["Stale timestamp"] },
        {
          status: 401,
          headers: { "www-authenticate": `Hawk ts="${serverTs}", tsm="${tsm}", error="Stale timestamp"` }
        }
      )
    )
    return Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 10, 1))
      const ts = yield* ThreatStackV2.ThreatStackV2
      const error = yield* Effect.flip(Stream.runCollect(ts.agents.list({ status: "online" })))
      expect(error._tag === "ThreatStackAPIError" && [error.reason, error.status, error.attempts]).toEqual([
        "Unauthorized",
        401,
        1
      ])
      expect(http.seen.length).toBe(2)
    }).pipe(Effect.provide(v2(http.layer)))
  })

  it.effect("a stale-timestamp answer whose tsm is not under our key is an Unauthorized error", () => {
    const http = verifying(() =>
      Response.json(
        { errors: ["Stale timestamp"] },
        { status: 401, headers: { "www-authenticate": 'Hawk ts="1", tsm="forged", error="Stale timestamp"' } }
      )
    )
    return Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const error = yield* Effect.flip(Stream.runCollect(ts.agents.list({ status: "online" })))
      expect(error._tag === "ThreatStackAPIError" && error.reason).toBe("Unauthorized")
      expect(http.seen.length).toBe(1)
    }).pipe(Effect.provide(v2(http.layer)))
  })

  it.effect("a 401 whose challenge is not a stale timestamp is Unauthorized at once: no clock taken from it", () => {
    const http = verifying(() =>
      Response.json(
        { errors: ["Bad mac"] },
        { status: 401, headers: { "www-authenticate": 'Hawk ts="1", tsm="t", error="Bad mac"' } }
      )
    )
    return Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const error = yield* Effect.flip(Stream.runCollect(ts.agents.list({ status: "online" })))
      expect(error._tag === "ThreatStackAPIError" && [error.reason, error.attempts]).toEqual(["Unauthorized", 1])
      expect(http.seen.length).toBe(1)
    }).pipe(Effect.provide(v2(http.layer)))
  })

  const text = '{"name":"Raw, café"}'
  it.effect.each([
    [
      "its own content type",
      HttpBody.raw(text, { contentType: "text/plain; charset=utf-8" }),
      {},
      "text/plain; charset=utf-8"
    ],
    ["a content-type header", HttpBody.raw(text), { "content-type": "text/plain" }, "text/plain"],
    ["no content type: sent and signed as application/json", HttpBody.raw(text), {}, "application/json"]
  ] as const)(
    "client.execute with a raw text body and %s: sent with that type, the payload hash checked",
    ([, body, headers, contentType]) => {
      const http = verifying(() => Response.json({ id: "r1" }))
      return Effect.gen(function* () {
        const ts = yield* ThreatStackV2.ThreatStackV2
        const created = yield* ts.client.execute(
          HttpClientRequest.post("rulesets").pipe(
            HttpClientRequest.setHeaders(headers),
            HttpClientRequest.setBody(body)
          ),
          Schema.Struct({ id: Schema.String })
        )
        expect(created).toEqual({ id: "r1" })
        const sent = http.seen[0]
        expect(sent?.verified).toEqual(Either.right(expect.objectContaining({ hash: expect.any(String) })))
        expect([sent?.body, sent?.contentType]).toEqual([text, contentType])
      }).pipe(Effect.provide(v2(http.layer)))
    }
  )

  it.effect("withOrganization signs with the other organization as ext; a bad id fails before any request", () => {
    const http = verifying(() => page("agents", [], null))
    return Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 10, 1))
      const ts = yield* ThreatStackV2.ThreatStackV2
      const other = ts.withOrganization("6e8cc8d5a05e17a947b175d3")
      expect(other.orgId).toBe("6e8cc8d5a05e17a947b175d3")
      expect(ts.withOrganization("6e8cc8d5a05e17a947b175d3")).toBe(other)
      yield* Stream.runCollect(other.agents.list({ status: "online" }))
      const verified = http.seen[0]?.verified
      expect(verified !== undefined && Either.isRight(verified) && verified.right.ext).toBe("6e8cc8d5a05e17a947b175d3")
      const bad = yield* Effect.flip(Stream.runCollect(ts.withOrganization('a"b').agents.list({ status: "online" })))
      expect(bad._tag === "InvalidArgument" && bad.argument).toBe("orgId")
      expect(http.seen.length).toBe(1)
    }).pipe(Effect.provide(v2(http.layer)))
  })
})

describe("v2 paging and arguments", () => {
  it.effect.each([
    ["null", null],
    ["an empty string", ""],
    ["a missing token", undefined]
  ] as const)("%s ends the listing", ([, last]) => {
    const http = verifying((_, n) => (n === 1 ? page("alerts", [], "t1") : page("alerts", [], last)))
    return Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      yield* Stream.runCollect(ts.alerts.list())
      expect(http.seen.length).toBe(2)
      expect(new URL(http.seen[0]?.url ?? "").searchParams.get("status")).toBe("active")
    }).pipe(Effect.provide(v2(http.layer)))
  })

  it.effect("a token that comes back twice ends the listing with InvalidResponse, not a loop", () => {
    const http = verifying((_, n) => page("alerts", [], n % 2 === 1 ? "t1" : "t2"))
    return Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const error = yield* Effect.flip(Stream.runCollect(ts.alerts.list()))
      expect(error._tag === "ThreatStackAPIError" && error.reason).toBe("InvalidResponse")
      expect(error.message).toMatch(/token of an earlier page again \(page 3/)
      expect(error._tag === "ThreatStackAPIError" && [error.method, error.url]).toEqual([
        "GET",
        "https://api.threatstack.com/v2/alerts"
      ])
      expect(http.seen.length).toBe(3)
    }).pipe(Effect.provide(v2(http.layer)))
  })

  it.effect.each([42, { next: "t2" }, ["t2"], true])(
    "a token that is not a string (%j) is InvalidResponse at token",
    (token) => {
      const http = verifying(() => Response.json({ alerts: [], token }))
      return Effect.gen(function* () {
        const ts = yield* ThreatStackV2.ThreatStackV2
        const error = yield* Effect.flip(Stream.runCollect(ts.alerts.list()))
        expect(error._tag === "ThreatStackAPIError" && [error.reason, error.path]).toEqual(["InvalidResponse", "token"])
        expect(http.seen.length).toBe(1)
      }).pipe(Effect.provide(v2(http.layer)))
    }
  )

  it.effect("client.list: a bare JSON array (as s3export answers) is one page of records; an envelope pages on", () => {
    const Enrollment = Schema.Array(Schema.Struct({ id: Schema.String }))
    const http = verifying((request) =>
      request.url.includes("s3export")
        ? Response.json([{ id: "e1" }, { id: "e2" }])
        : request.url.includes("token=t2")
          ? page("enrollments", [{ id: "e4" }], null)
          : page("enrollments", [{ id: "e3" }], "t2")
    )
    return Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const decode = Schema.decodeUnknownEither(Enrollment)
      const bare = yield* Stream.runCollect(
        ts.client.list("S3Export", "integrations/s3export", {}, "enrollments", decode)
      )
      expect(Chunk.toReadonlyArray(bare).map((e) => e.id)).toEqual(["e1", "e2"])
      const paged = yield* Stream.runCollect(ts.client.list("Exports", "exports", {}, "enrollments", decode))
      expect(Chunk.toReadonlyArray(paged).map((e) => e.id)).toEqual(["e3", "e4"])
      expect(http.seen.length).toBe(3)
    }).pipe(Effect.provide(v2(http.layer)))
  })

  it.effect.each([
    ["null", null],
    ["a string", "no"]
  ] as const)("a page whose body is %s is InvalidResponse, not a defect", ([, body]) => {
    const http = verifying(() => Response.json(body))
    return Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const error = yield* Effect.flip(Stream.runCollect(ts.alerts.list()))
      expect(error._tag === "ThreatStackAPIError" && error.reason).toBe("InvalidResponse")
    }).pipe(Effect.provide(v2(http.layer)))
  })

  it.effect("client.list with maxPages: a listing past it ends with InvalidResponse naming the bound", () => {
    const http = verifying((_, n) => page("alerts", [], `t${n}`))
    return Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const decode = Schema.decodeUnknownEither(Schema.Array(Schema.Unknown))
      const error = yield* Effect.flip(
        Stream.runCollect(ts.client.list("Alerts", "alerts", {}, "alerts", decode, { maxPages: 3 }))
      )
      expect(error._tag === "ThreatStackAPIError" && [error.reason, error.method, error.url, error.detail]).toEqual([
        "InvalidResponse",
        "GET",
        "https://api.threatstack.com/v2/alerts",
        "the listing went past maxPages (3 pages), each with a new token"
      ])
      expect(http.seen.length).toBe(3)
    }).pipe(Effect.provide(v2(http.layer)))
  })

  it.effect("v2 requests say who sends them and that JSON is wanted", () => {
    const http = verifying(() => page("alerts", [], null))
    return Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      yield* Stream.runCollect(ts.alerts.list())
      expect([http.seen[0]?.headers.accept, http.seen[0]?.headers["user-agent"]]).toEqual([
        "application/json",
        `effect-threatstack/${ThreatStackClient.version}`
      ])
    }).pipe(Effect.provide(v2(http.layer)))
  })

  it.effect("a range with milliseconds: the server's whole seconds are asked, what falls outside is dropped", () => {
    // the server answers whole seconds: 08:00:00 to 08:00:01 holds the records 100 ms either side of the range
    const at = (ms: number) => new Date(Date.UTC(2017, 4, 1, 8, 0, 0) + ms).toISOString()
    const times = [150, 250, 500, 750, 850]
    const http = verifying((request) =>
      request.url.includes("audit")
        ? page(
            "recs",
            times.map((ms, i) => ({ id: `r${i}`, eventTime: at(ms) })),
            null
          )
        : page(
            "alerts",
            times.map((ms, i) => ({ id: `a${i}`, title: "t", severity: 1, createdAt: at(ms) })),
            null
          )
    )
    return Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const range = { from: at(250), until: at(750) }
      const records = yield* Stream.runCollect(ts.auditLogs.list(range))
      expect(Chunk.toReadonlyArray(records).map((r) => r.id)).toEqual(["r1", "r2", "r3"])
      const alerts = yield* Stream.runCollect(ts.alerts.list(range))
      expect(Chunk.toReadonlyArray(alerts).map((a) => a.id)).toEqual(["a1", "a2", "a3"])
      expect(http.seen.map((r) => new URL(r.url).searchParams.get("from"))).toEqual([
        "2017-05-01T08:00:00",
        "2017-05-01T08:00:00"
      ])
    }).pipe(Effect.provide(v2(http.layer)))
  })

  it.effect("a ruleset's rules under rules or ruleIds read as ruleIds; without either, none", () => {
    const http = verifying(() =>
      page(
        "rulesets",
        [
          { id: "rs1", name: "a" },
          { id: "rs2", name: "b", rules: ["r1"] },
          { id: "rs3", name: "c", ruleIds: ["r2"] }
        ],
        null
      )
    )
    return Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const sets = Chunk.toReadonlyArray(yield* Stream.runCollect(ts.rulesets.list()))
      expect(sets.map((r) => [r.id, r.ruleIds])).toEqual([
        ["rs1", []],
        ["rs2", ["r1"]],
        ["rs3", ["r2"]]
      ])
    }).pipe(Effect.provide(v2(http.layer)))
  })

  it.effect("with a tracer, each page of a v2 listing is a span named for the operation", () => {
    const http = verifying((_, n) => page("alerts", [], n === 1 ? "t2" : null))
    const { names, tracer: recording } = spanNames()
    return Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      yield* Stream.runCollect(ts.alerts.list())
      expect(names.filter((name) => name.endsWith(".list"))).toEqual(["V2.Alerts.list", "V2.Alerts.list"])
    }).pipe(Effect.provide(v2(http.layer)), Effect.withTracer(recording))
  })

  it.effect("an option outside its values is InvalidArgument naming it and the values, before any request", () => {
    const http = verifying(() => page("alerts", [], null))
    return Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const status = yield* Effect.flip(Stream.runCollect(ts.alerts.list({ status: "open" as "active" })))
      expect(status._tag === "InvalidArgument" && [status.argument, status.detail]).toEqual([
        "status",
        'expected one of "active", "dismissed", got "open"'
      ])
      const reason = yield* Effect.flip(ts.alerts.dismiss({ ids: ["a1"], reason: "BORED" as "MAINTENANCE" }))
      expect(reason._tag === "InvalidArgument" && reason.argument).toBe("reason")
      expect(http.seen.length).toBe(0)
    }).pipe(Effect.provide(v2(http.layer)))
  })

  it.effect(
    "a 404 on a filtered vulnerability or ruleset list, or a CVE's servers, is an empty stream; unfiltered it is NotFound",
    () => {
      const http = verifying(() => Response.json({ errors: ["no data"] }, { status: 404 }))
      return Effect.gen(function* () {
        const ts = yield* ThreatStackV2.ThreatStackV2
        expect(Chunk.size(yield* Stream.runCollect(ts.vulnerabilities.list({ agentId: "a1" })))).toBe(0)
        expect(Chunk.size(yield* Stream.runCollect(ts.rulesets.list({ agentId: "a1" })))).toBe(0)
        expect((yield* Effect.flip(Stream.runCollect(ts.rulesets.list())))._tag).toBe("NotFound")
        expect((yield* Effect.flip(Stream.runCollect(ts.vulnerabilities.list())))._tag).toBe("NotFound")
        // a CVE no server has: none
        expect(Chunk.size(yield* Stream.runCollect(ts.vulnerabilities.servers("CVE-2017-0001")))).toBe(0)
      }).pipe(Effect.provide(v2(http.layer)))
    }
  )

  it.effect("dismiss sends ids in batches of 512", () => {
    const http = verifying(() => Response.json({}))
    return Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const ids = Array.from({ length: 1000 }, (_, i) => `alert-${i}`)
      yield* ts.alerts.dismiss({ ids, reason: "BUSINESS_OP" })
      expect(http.seen.map((r) => (JSON.parse(r.body) as { ids: Array<string> }).ids.length)).toEqual([512, 488])
    }).pipe(Effect.provide(v2(http.layer)))
  })

  it.effect("bad arguments fail before any request, naming the argument", () => {
    const http = verifying(() => Response.json({}))
    return Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const argument = <A>(effect: Effect.Effect<A, unknown>) =>
        Effect.map(Effect.flip(effect), (e) => (e as { readonly argument?: string }).argument)
      expect(yield* argument(ts.alerts.dismiss({ ids: ["a"], reason: "OTHER" }))).toBe("text")
      expect(yield* argument(ts.alerts.dismiss({ ids: ["a"], reason: "MAINTENANCE", text: "why" }))).toBe("text")
      expect(yield* argument(ts.alerts.dismiss({ ids: ["a"], reason: "LATER" as "OTHER" }))).toBe("reason")
      expect(
        yield* argument(ts.alerts.dismissWhere({ from: "2017-05-01", until: "2017-05-02", reason: "MAINTENANCE" }))
      ).toBe("severity")
      expect(yield* argument(Stream.runCollect(ts.alerts.list({ from: "2017-05-02", until: "2017-05-01" })))).toBe(
        "from"
      )
      expect(yield* argument(Stream.runCollect(ts.agents.list({} as V2.Agents.ListOptions)))).toBe("status")
      expect(yield* argument(Stream.runCollect(ts.agents.list({ status: "asleep" as "online" })))).toBe("status")
      expect(yield* argument(ts.rulesets.create({ name: "" }))).toBe("name")
      expect(yield* argument(ts.rulesets.get(".."))).toBe("id")
      expect(yield* argument(ts.members.invite({ email: "nobody", role: "user" }))).toBe("email")
      expect(yield* argument(ts.members.add({ id: "m1", role: "admin" as "user" }))).toBe("role")
      expect(http.seen.length).toBe(0)
    }).pipe(Effect.provide(v2(http.layer)))
  })
})

describe("v2 settings", () => {
  const fromMap = (map: Record<string, string>) =>
    Effect.map(ThreatStackV2.ThreatStackV2, (ts) => ts.settings).pipe(
      Effect.provide(ThreatStackV2.layerConfig().pipe(Layer.provide(verifying(() => Response.json({})).layer))),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(map))))
    )

  it.effect("layerConfig reads the v2 variables beside the v1 ones", () =>
    Effect.gen(function* () {
      const settings = yield* fromMap({
        THREATSTACK_API_KEY: KEY,
        THREATSTACK_USER_ID: USER,
        THREATSTACK_ORG_ID: ORG,
        THREATSTACK_BASE_URL: "http://127.0.0.1:1/api/v1",
        THREATSTACK_V2_BASE_URL: "http://127.0.0.1:2/v2",
        THREATSTACK_TIMEOUT: "45"
      })
      expect([settings.userId, settings.orgId, settings.baseUrl]).toEqual([USER, ORG, "http://127.0.0.1:2/v2"])
      expect(Duration.toSeconds(settings.timeout)).toBe(45)
      const defaults = yield* fromMap({ THREATSTACK_API_KEY: KEY, THREATSTACK_USER_ID: USER, THREATSTACK_ORG_ID: ORG })
      expect(defaults.baseUrl).toBe(BASE)
    })
  )

  it.effect("a missing user id or a bad organization id is a ConfigurationError naming the variable", () =>
    Effect.gen(function* () {
      const missing = yield* Effect.either(fromMap({ THREATSTACK_API_KEY: KEY, THREATSTACK_ORG_ID: ORG }))
      expect(Either.isLeft(missing) && String(missing.left)).toMatch(/THREATSTACK_USER_ID/)
      // an empty user id is as missing as an unset one, and the message says what the variable is for
      const empty = yield* Effect.flip(
        fromMap({ THREATSTACK_API_KEY: KEY, THREATSTACK_USER_ID: "", THREATSTACK_ORG_ID: ORG })
      )
      expect(empty._tag).toBe("ConfigurationError")
      expect(empty.message).toBe(
        "THREATSTACK_USER_ID is not set: the Threat Stack user id that goes with the API key (v2 signs requests with both)"
      )
      const bad = yield* Effect.either(
        fromMap({ THREATSTACK_API_KEY: KEY, THREATSTACK_USER_ID: USER, THREATSTACK_ORG_ID: "with space" })
      )
      expect(Either.isLeft(bad) && String(bad.left)).toMatch(/THREATSTACK_ORG_ID.*Hawk header cannot carry/)
    })
  )

  it.effect("a user id or organization id a header cannot carry is refused before any request", () =>
    Effect.gen(function* () {
      for (const [field, value] of [
        ["userId", "user\r\nX-Injected: 1"],
        ["userId", "   "],
        ["orgId", "org\nX-Injected: 1"],
        ["orgId", "caf\u00e9"]
      ] as const) {
        const error = yield* Effect.flip(V2.Client.make({ apiKey: KEY, userId: USER, orgId: ORG, [field]: value }))
        expect(error._tag).toBe("InvalidArgument")
        expect(error.argument).toBe(field)
      }
    })
  )

  it.effect("the v1 layer asked for apiVersion 2 points at ThreatStackV2", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Layer.build(
          ThreatStack.layer({ apiKey: KEY, apiVersion: 2 }).pipe(
            Layer.provide(verifying(() => Response.json({})).layer)
          )
        )
      )
      expect(error.message).toMatch(/ThreatStackV2/)
    }).pipe(Effect.scoped)
  )
})
