/**
 * The README's v2 section, run: every v2 operation through the public API,
 * against the in-memory fake and against the fake served on a real port
 * (which checks every Hawk signature) over undici and over `fetch`, plus the write-safety rule counted at
 * the fake and one organization seen through both generations.
 */
import { request as httpRequest } from "node:http"
import { describe, expect, it } from "@effect/vitest"
import { FetchHttpClient, HttpClientRequest } from "@effect/platform"
import { Chunk, Effect, Layer, Option, Schema, Stream } from "effect"
import {
  FakeThreatStack,
  FetchThreatStack,
  ThreatStack,
  type ThreatStackError,
  ThreatStackV2,
  V2
} from "@effect-threatstack/core"
import { FakeServer, NodeThreatStack } from "@effect-threatstack/node"

const NOW = Date.UTC(2017, 5, 1)
const fakeOptions: FakeThreatStack.Options = { now: NOW, span: "60 days", counts: { alerts: 450, agents: 20 } }

const inMemory = (options: FakeThreatStack.Options = {}, settings: Partial<ThreatStackV2.Options> = {}) =>
  Layer.mergeAll(
    ThreatStackV2.layer({ ...FakeThreatStack.defaultV2Credentials, maxRetries: 0, ...settings }),
    ThreatStack.layer({ apiKey: FakeThreatStack.defaultApiKey, maxRetries: 0 })
  ).pipe(Layer.provideMerge(FakeThreatStack.layer({ ...fakeOptions, ...options })))

/** The served fake, and the v2 and v1 SDKs pointed at it over undici (`NodeThreatStack`) or `fetch` (`FetchThreatStack`). */
const served =
  (layers: typeof NodeThreatStack | typeof FetchThreatStack): Fixture =>
  (options = {}, settings = {}) =>
    Layer.unwrapEffect(
      Effect.map(FakeServer.FakeServer, (server) =>
        Layer.mergeAll(
          layers.layerV2({ ...server.v2Credentials, baseUrl: server.v2BaseUrl, maxRetries: 0, ...settings }),
          layers.layer({ apiKey: server.fake.apiKey, baseUrl: server.baseUrl, maxRetries: 0 })
        )
      )
    ).pipe(Layer.provideMerge(FakeServer.layer({ ...fakeOptions, ...options })))

const all = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const requests = Effect.flatMap(FakeThreatStack.FakeThreatStack, (fake) => fake.requests)

/** The SDKs of both generations over one fake: in memory, or served on a port. */
type Fixture = (
  options?: FakeThreatStack.Options,
  settings?: Partial<ThreatStackV2.Options>
) => Layer.Layer<
  ThreatStackV2.ThreatStackV2 | ThreatStack.Services | FakeThreatStack.FakeThreatStack,
  ThreatStackError.InvalidArgument
>

const cases: ReadonlyArray<readonly [string, Fixture]> = [
  ["in memory", inMemory],
  ["served over HTTP", served(NodeThreatStack)],
  ["served over fetch", served(FetchThreatStack)]
]

describe.each(cases)("v2 against the fake, %s", (_, layerOf) => {
  it.live("client.execute signs what it sends: a path ending in a bare '?' or a fragment too", () =>
    Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const plain = yield* ts.client.execute(HttpClientRequest.get(V2.Rulesets.spec.path), Schema.Unknown)
      const bare = yield* ts.client.execute(HttpClientRequest.get(`${V2.Rulesets.spec.path}?`), Schema.Unknown)
      expect(bare).toEqual(plain)
      for (const target of ["#frag", "?#frag", "?limit=5#frag"]) {
        const fragment = yield* ts.client.execute(
          HttpClientRequest.get(`${V2.Rulesets.spec.path}${target}`),
          Schema.Unknown
        )
        expect(fragment).toHaveProperty("rulesets")
      }
      expect(plain).toHaveProperty("rulesets")
    }).pipe(Effect.provide(layerOf()))
  )

  it.live("listing with filters follows the tokens; counts agree with the listing", () =>
    Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const counts = yield* ts.alerts.severityCounts()
      const active = yield* all(ts.alerts.list())
      const high = yield* all(ts.alerts.list({ severity: 1 }))
      expect(high.every((a) => a.severity === 1 && a.isDismissed !== true)).toBe(true)
      const byCount = counts.reduce((sum, c) => sum + c.count, 0)
      const dismissed = yield* all(ts.alerts.list({ status: "dismissed" }))
      expect(active.length + dismissed.length).toBe(byCount)
      expect(new Set(active.map((a) => a.id)).size).toBe(active.length)
      const pages = (yield* requests).filter((r) => r.generation === 2 && r.path === "alerts").length
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(active.length / 100))
      const may = yield* all(ts.alerts.list({ from: "2017-05-01", until: "2017-05-01T23:59:59Z" }))
      for (const alert of may) expect(alert.createdAt.epochMillis).toBeGreaterThanOrEqual(Date.UTC(2017, 4, 1))
      const agents = yield* all(ts.agents.list({ status: "online" }))
      expect(agents.length).toBeGreaterThan(0)
      expect(Option.map(yield* ts.agents.get(agents[0]?.id ?? ""), (a) => a.hostname)).toEqual(
        Option.some(agents[0]?.hostname)
      )
      expect(Option.isNone(yield* ts.agents.get("no-such-agent"))).toBe(true)
    }).pipe(Effect.provide(layerOf()))
  )

  it.live("an alert dismissed through v2 reads as dismissed through v1, and leaves the active listing", () =>
    Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const v1 = yield* ThreatStack.ThreatStack
      const [first, second] = yield* all(ts.alerts.list({ severity: 3 }).pipe(Stream.take(2)))
      const ids = [first?.id ?? "", second?.id ?? ""]
      for (const id of ids) expect(Option.map(yield* v1.alerts.get(id), (a) => a.dismissed)).toEqual(Option.some(false))
      yield* ts.alerts.dismiss({ ids, reason: "MAINTENANCE" })
      for (const id of ids) {
        expect(Option.map(yield* v1.alerts.get(id), (a) => a.dismissed)).toEqual(Option.some(true))
        expect(Option.map(yield* ts.alerts.get(id), (a) => [a.isDismissed, a.dismissReason])).toEqual(
          Option.some([true, "MAINTENANCE"])
        )
      }
      const stillActive = yield* all(ts.alerts.list({ severity: 3 }))
      expect(stillActive.some((a) => ids.includes(a.id))).toBe(false)
    }).pipe(Effect.provide(layerOf()))
  )

  it.live("dismissWhere by query dismisses exactly the active alerts it names, and no other", () =>
    Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const window = { from: "2017-05-20", until: "2017-05-25" }
      const before = yield* all(ts.alerts.list(window))
      const agentId = before[0]?.agentId ?? ""
      const named = before.filter((a) => a.agentId === agentId).map((a) => a.id)
      const others = before.filter((a) => a.agentId !== agentId).map((a) => a.id)
      expect(named.length).toBeGreaterThan(0)
      expect(others.length).toBeGreaterThan(0)
      // the README's example, on one agent over five days
      yield* ts.alerts.dismissWhere({ ...window, agentId, reason: "OTHER", text: "patching" })
      expect(yield* all(ts.alerts.list({ ...window, agentId }))).toEqual([])
      for (const id of named) {
        expect(Option.map(yield* ts.alerts.get(id), (a) => [a.isDismissed, a.dismissReason])).toEqual(
          Option.some([true, "OTHER"])
        )
      }
      const after = yield* all(ts.alerts.list(window))
      expect(after.map((a) => a.id).sort()).toEqual([...others].sort())
    }).pipe(Effect.provide(layerOf()))
  )

  it.live("a ruleset and its rules: create, read back, name taken, validation in the API's words, delete", () =>
    Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const ruleset = yield* ts.rulesets.create({ name: "Web servers", description: "nginx hosts" })
      const rule = yield* ts.rules.create(ruleset.id, {
        name: "Sudo usage",
        title: "Sudo usage",
        type: "Host",
        severityOfAlerts: 2,
        alertDescription: "Someone ran sudo on a web server",
        filter: "command = 'sudo'",
        window: 3600,
        threshold: 1,
        enabled: true
      })
      expect(Option.map(yield* ts.rulesets.get(ruleset.id), (r) => r.ruleIds)).toEqual(Option.some([rule.id]))
      expect((yield* all(ts.rules.list(ruleset.id))).map((r) => r.name)).toEqual(["Sudo usage"])
      const taken = yield* Effect.flip(ts.rulesets.create({ name: "Web servers" }))
      expect(taken._tag === "ThreatStackAPIError" && [taken.reason, taken.status]).toEqual(["Conflict", 409])
      const tooLong = yield* Effect.flip(
        ts.rules.update(ruleset.id, rule.id, {
          name: "Sudo usage",
          title: "Sudo usage",
          type: "Host",
          severityOfAlerts: 2,
          alertDescription: "x".repeat(301)
        })
      )
      expect(tooLong._tag === "ThreatStackAPIError" && tooLong.reason).toBe("BadRequest")
      expect(tooLong._tag === "ThreatStackAPIError" && tooLong.detail).toBe(
        "Validation failed: body has invalid alertDescription value.  Must be between 1 and 300 characters long."
      )
      yield* ts.rules.delete(ruleset.id, rule.id)
      yield* ts.rulesets.delete(ruleset.id)
      expect(Option.isNone(yield* ts.rulesets.get(ruleset.id))).toBe(true)
    }).pipe(Effect.provide(layerOf()))
  )

  it.live("members: list, invite, remove; vulnerabilities, servers, audit logs, rule tags read", () =>
    Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const members = yield* all(ts.members.list())
      expect(members.length).toBeGreaterThan(1)
      const invited = yield* ts.members.invite({ email: "grace@example.com", role: "reader" })
      expect(invited.sentToEmail).toBe("grace@example.com")
      const leaving = members.find((m) => m.role !== "owner")
      yield* ts.members.remove(leaving?.id ?? "")
      expect((yield* all(ts.members.list())).some((m) => m.id === leaving?.id)).toBe(false)
      const cves = yield* all(ts.vulnerabilities.list({ active: true }))
      expect(cves.length).toBeGreaterThan(0)
      expect(Option.isSome(yield* ts.vulnerabilities.get(cves[0]?.cveNumber ?? ""))).toBe(true)
      yield* all(ts.vulnerabilities.servers(cves[0]?.cveNumber ?? ""))
      yield* all(ts.vulnerabilities.suppressions())
      expect((yield* all(ts.servers.list())).length).toBeGreaterThan(0)
      expect((yield* all(ts.auditLogs.list())).length).toBeGreaterThan(0)
      const [ruleset] = yield* all(ts.rulesets.list())
      const [rule] = yield* all(ts.rules.list(ruleset?.id ?? ""))
      const tags = { inclusion: [{ source: "ec2", key: "Environment", value: "production" }], exclusion: [] }
      expect(yield* ts.rules.setTags(rule?.id ?? "", tags)).toEqual(tags)
      expect(yield* ts.rules.tags(rule?.id ?? "")).toEqual(Option.some(tags))
    }).pipe(Effect.provide(layerOf()))
  )

  it.live("a POST that creates is never sent twice: a 500 and a dropped connection each end in OutcomeUnknown", () =>
    Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const fake = yield* FakeThreatStack.FakeThreatStack
      const posts = Effect.map(requests, (rs) => rs.filter((r) => r.method === "POST" && r.path === "rulesets").length)
      yield* fake.addFaults({
        generation: 2,
        method: "POST",
        path: "rulesets",
        times: 1,
        fault: { _tag: "Status", status: 500 }
      })
      const afterServerError = yield* Effect.flip(ts.rulesets.create({ name: "Once" }))
      expect(afterServerError._tag === "ThreatStackAPIError" && afterServerError.reason).toBe("OutcomeUnknown")
      expect(yield* posts).toBe(1)
      yield* fake.addFaults({ generation: 2, method: "POST", path: "rulesets", times: 1, fault: { _tag: "Drop" } })
      const afterDrop = yield* Effect.flip(ts.rulesets.create({ name: "Twice" }))
      expect(afterDrop._tag === "ThreatStackAPIError" && afterDrop.reason).toBe("OutcomeUnknown")
      expect(yield* posts).toBe(2)
      // the dropped answer came after the fake had created it: exactly one, never a duplicate
      expect((yield* all(ts.rulesets.list())).filter((r) => r.name === "Twice").length).toBe(1)
    }).pipe(Effect.provide(layerOf({}, { maxRetries: 3, retryBaseDelay: "1 millis" })))
  )

  it.live("another organization of the same key, and one the user is not in (Forbidden)", () =>
    Effect.gen(function* () {
      const ts = yield* ThreatStackV2.ThreatStackV2
      const fake = yield* FakeThreatStack.FakeThreatStack
      const other = fake.organizations[1]?.id ?? ""
      const theirs = yield* all(ts.withOrganization(other).agents.list({ status: "online" }))
      const ours = yield* all(ts.agents.list({ status: "online" }))
      expect(theirs.some((a) => ours.some((b) => b.id === a.id))).toBe(false)
      const error = yield* Effect.flip(
        all(ts.withOrganization("ffffffffffffffffffffffff").agents.list({ status: "online" }))
      )
      expect(error._tag === "ThreatStackAPIError" && error.reason).toBe("Forbidden")
    }).pipe(Effect.provide(layerOf()))
  )

  it.live("a wrong key is Unauthorized, and the key shows nowhere in the error", () =>
    Effect.gen(function* () {
      const secret = "v2-wrong-key-must-not-show"
      const error = yield* Effect.flip(
        Effect.flatMap(ThreatStackV2.ThreatStackV2, (ts) => all(ts.agents.list({ status: "online" })))
      ).pipe(Effect.provide(layerOf({}, { apiKey: secret })))
      expect(error._tag === "ThreatStackAPIError" && [error.reason, error.status]).toEqual(["Unauthorized", 401])
      for (const text of [error.message, String(error), JSON.stringify(error)]) expect(text).not.toContain(secret)
    })
  )
})

/**
 * A `fetch` that sends the URL's path and query exactly as written, as a
 * browser's does: a bare trailing "?" stays on the wire (Node's drops it).
 * GET only, which is all the test below sends.
 */
const verbatimFetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> =>
  new Promise((resolve, reject) => {
    const url = input instanceof Request ? input.url : String(input)
    const { hostname, port, origin } = new URL(url)
    const target = url.slice(origin.length).replace(/#.*$/, "")
    const sent = httpRequest(
      {
        host: hostname,
        port,
        method: init?.method ?? "GET",
        path: target,
        headers: Object.fromEntries(new Headers(init?.headers))
      },
      (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (chunk: Buffer) => chunks.push(chunk))
        res.on("end", () => {
          const headers = new Headers()
          for (const [name, value] of Object.entries(res.headers))
            if (typeof value === "string") headers.set(name, value)
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers }))
        })
        res.on("error", reject)
      }
    )
    sent.on("error", reject)
    sent.end()
  })

describe("v2 over a fetch that keeps a bare '?', as a browser's does", () => {
  it.live("client.execute of a path ending in '?' is sent without it, so the signature holds", () =>
    Effect.gen(function* () {
      const seen: Array<string> = []
      const recording = (input: RequestInfo | URL, init?: RequestInit) => {
        seen.push(input instanceof Request ? input.url : String(input))
        return verbatimFetch(input, init)
      }
      const ts = yield* ThreatStackV2.ThreatStackV2
      // the request's Fetch: FetchThreatStack's client takes it over the layer's
      const bare = yield* ts.client
        .execute(HttpClientRequest.get(`${V2.Rulesets.spec.path}?`), Schema.Unknown)
        .pipe(Effect.provideService(FetchHttpClient.Fetch, recording))
      expect(bare).toHaveProperty("rulesets")
      expect(seen).toHaveLength(1)
      expect(seen[0]).toMatch(/\/v2\/rulesets$/)
      const [recorded] = (yield* requests).filter((r) => r.generation === 2)
      expect([recorded?.path, recorded?.query]).toEqual(["rulesets", ""])
    }).pipe(Effect.provide(served(FetchThreatStack)()))
  )
})
