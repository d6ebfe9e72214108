import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Either, Fiber, Layer, Option, Schema, Stream, TestClock } from "effect"
import { Agents, FakeThreatStack, Logs, Resource, ThreatStackClient, ThreatStackConfig } from "@effect-threatstack/core"
import { v1 as call } from "./fakeCalls.js"
import { NOW, fakeOptions } from "./utils.js"

const KEY = FakeThreatStack.defaultApiKey

const withFake = <A, E>(options: FakeThreatStack.Options, f: (fake: FakeThreatStack.Service) => Effect.Effect<A, E>) =>
  Effect.flatMap(FakeThreatStack.make(fakeOptions(options)), f)

const ids = (json: unknown) => (json as ReadonlyArray<{ id: string }>).map((r) => r.id)

describe("FakeThreatStack semantics", () => {
  it.effect("checks the key: 401 with a JSON error otherwise", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const missing = yield* call(fake, "agents", {})
        expect(missing.status).toBe(401)
        expect(missing.json).toEqual({ status: "error", message: "Unauthorized: missing or invalid API key" })
        expect((yield* call(fake, "agents", { authorization: "wrong" })).status).toBe(401)
        expect((yield* call(fake, "agents")).status).toBe(200)
      })
    )
  )

  it.effect("scopes data by the Organization header; 403 for an organization the key is not in", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const [first, second] = fake.organizations
        const byDefault = yield* call(fake, "agents?count=1")
        const asFirst = yield* call(fake, "agents?count=1", { authorization: KEY, organization: first!.id })
        const asSecond = yield* call(fake, "agents?count=1", { authorization: KEY, organization: second!.id })
        expect(byDefault.json).toEqual(asFirst.json)
        expect((asSecond.json as Array<{ organization_id: string }>)[0]?.organization_id).toBe(second!.id)
        const other = yield* call(fake, "agents", { authorization: KEY, organization: "5affffff0000000000000000" })
        expect(other.status).toBe(403)
      })
    )
  )

  it.effect("pages with page/count (limit too), [] past the end, default count 20", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const all = ids((yield* call(fake, "agents?count=100")).json)
        expect(all).toHaveLength(25)
        expect(ids((yield* call(fake, "agents?page=1&count=10")).json)).toEqual(all.slice(10, 20))
        expect(ids((yield* call(fake, "agents?page=1&limit=10")).json)).toEqual(all.slice(10, 20))
        expect((yield* call(fake, "agents?page=3&count=10")).json).toEqual([])
        expect(ids((yield* call(fake, "agents")).json)).toEqual(all.slice(0, 20))
        expect((yield* call(fake, "agents?count=0")).status).toBe(400)
        expect((yield* call(fake, "agents?page=-1")).status).toBe(400)
      })
    )
  )

  it.effect("a count above Resource.maxCount is a 400 naming the ceiling, not a page that size", () =>
    withFake({ counts: { alerts: Resource.maxCount + 5 } }, (fake) =>
      Effect.gen(function* () {
        const most = yield* call(fake, `alerts?count=${Resource.maxCount}`)
        expect([most.status, (most.json as ReadonlyArray<unknown>).length]).toEqual([200, Resource.maxCount])
        for (const query of [`count=${Resource.maxCount + 1}`, "limit=3000000", `count=${"9".repeat(400)}`]) {
          const refused = yield* call(fake, `alerts?${query}`)
          expect(refused.status).toBe(400)
          expect(refused.json).toEqual({
            status: "error",
            message: `invalid count: ${query.split("=")[1]} is above ${Resource.maxCount}, the most records a page holds`
          })
        }
      })
    )
  )

  it.effect("the maxCount option still caps pages silently", () =>
    withFake({ maxCount: 7 }, (fake) =>
      Effect.gen(function* () {
        const capped = yield* call(fake, "agents?count=20")
        expect([capped.status, ids(capped.json).length]).toEqual([200, 7])
      })
    )
  )

  it.effect("filters alerts and logs by start/end in both date forms; 400 for a malformed one", () =>
    withFake({ counts: { alerts: 24 * 60, logs: 60 }, span: "60 days" }, (fake) =>
      Effect.gen(function* () {
        // 1440 alerts over 60 days: one an hour, the newest at NOW - 1 h
        const may31 = (yield* call(fake, "alerts?count=100&start=2017-05-31&end=2017-05-31")).json as Array<{
          created_at: number
        }>
        expect(may31).toHaveLength(24)
        for (const a of may31) {
          expect(a.created_at).toBeGreaterThanOrEqual(Date.UTC(2017, 4, 31))
          expect(a.created_at).toBeLessThan(NOW)
        }
        const hour = (yield* call(fake, "alerts?start=2017-05-31+08%3A00%3A00&end=2017-05-31+10%3A00%3A00"))
          .json as Array<{ created_at: number }>
        expect(hour.map((a) => a.created_at)).toEqual([
          Date.UTC(2017, 4, 31, 10),
          Date.UTC(2017, 4, 31, 9),
          Date.UTC(2017, 4, 31, 8)
        ])
        const logs = (yield* call(fake, "logs?count=100&start=2017-05-31")).json as Array<{ timestamp: number }>
        expect(logs.length).toBe(1)
        const bad = yield* call(fake, "alerts?start=31-05-2017")
        expect(bad.status).toBe(400)
        expect(bad.json).toEqual({ status: "error", message: "invalid start date: 31-05-2017" })
        expect((yield* call(fake, "alerts?start=2017-06-01&end=2017-05-01")).status).toBe(400)
      })
    )
  )

  it.effect("projects fields, comma-separated or repeated", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const comma = (yield* call(fake, "agents?count=2&fields=hostname,ip_address")).json
        const repeated = (yield* call(fake, "agents?count=2&fields=hostname&fields=ip_address")).json
        expect(comma).toEqual(repeated)
        expect(Object.keys((comma as Array<object>)[0]!)).toEqual(["hostname", "ip_address"])
      })
    )
  )

  it.effect("get by id, 404 for unknown ids and routes; users of an organization", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const [agent] = ids((yield* call(fake, "agents?count=1")).json)
        const one = yield* call(fake, `agents/${agent}`)
        expect((one.json as { id: string }).id).toBe(agent)
        const [alert] = ids((yield* call(fake, "alerts?count=1")).json)
        const detail = (yield* call(fake, `alerts/${alert}`)).json as Record<string, unknown>
        expect(detail).toHaveProperty("latest_events")
        expect(detail).toHaveProperty("rule.original_rule.name")
        expect((yield* call(fake, "agents/a9000000ffffffffffffffff")).status).toBe(404)
        expect((yield* call(fake, "alerts/zzz")).status).toBe(404)
        expect((yield* call(fake, "logs/1")).status).toBe(404)
        const users = (yield* call(fake, `organizations/${fake.organizations[1]!.id}/users`)).json as Array<{
          organization_id: string
          role: string
        }>
        expect(users).toHaveLength(5)
        expect(users.every((u) => u.organization_id === fake.organizations[1]!.id)).toBe(true)
        expect(users.filter((u) => u.role === "owner")).toHaveLength(1)
        expect((yield* call(fake, "organizations/nope/users")).status).toBe(404)
      })
    )
  )

  it.effect("the same seed gives the same data; another seed other data", () =>
    Effect.gen(function* () {
      const a = yield* withFake({ seed: 3 }, (fake) => call(fake, "alerts?count=5"))
      const b = yield* withFake({ seed: 3 }, (fake) => call(fake, "alerts?count=5"))
      const c = yield* withFake({ seed: 4 }, (fake) => call(fake, "alerts?count=5"))
      expect(a.body).toBe(b.body)
      expect(a.body).not.toBe(c.body)
    })
  )

  it.effect("records requests with the key redacted", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        yield* call(fake, "alerts?page=2&count=5", { authorization: KEY, organization: fake.organizations[0]!.id })
        const [request] = yield* fake.requests
        expect(request).toEqual({
          method: "GET",
          path: "alerts",
          query: "page=2&count=5",
          headers: { authorization: "<redacted>", organization: fake.organizations[0]!.id }
        })
        yield* fake.clearRequests
        expect(yield* fake.requests).toEqual([])
      })
    )
  )
})

describe("FakeThreatStack faults", () => {
  it.effect("a sequence of statuses before success (times)", () =>
    withFake({ faults: [{ path: "policies", times: 2, fault: { _tag: "Status", status: 503 } }] }, (fake) =>
      Effect.gen(function* () {
        const statuses: Array<number> = []
        for (let i = 0; i < 3; i++) statuses.push((yield* call(fake, "policies")).status)
        expect(statuses).toEqual([503, 503, 200])
      })
    )
  )

  it.effect("by request number (nth) and by page", () =>
    withFake(
      {
        faults: [
          { path: "agents", nth: 2, fault: { _tag: "Status", status: 500 } },
          { path: "alerts", page: 1, fault: { _tag: "Status", status: 502 } }
        ]
      },
      (fake) =>
        Effect.gen(function* () {
          const agents = [yield* call(fake, "agents"), yield* call(fake, "agents"), yield* call(fake, "agents")]
          expect(agents.map((r) => r.status)).toEqual([200, 500, 200])
          expect((yield* call(fake, "alerts?page=0")).status).toBe(200)
          expect((yield* call(fake, "alerts?page=1")).status).toBe(502)
        })
    )
  )

  it.effect("429 with Retry-After or x-rate-limit-reset", () =>
    withFake(
      {
        faults: [
          { path: "agents", times: 1, fault: { _tag: "RateLimit", retryAfter: 3 } },
          { path: "alerts", times: 1, fault: { _tag: "RateLimit", resetMs: 1200 } }
        ]
      },
      (fake) =>
        Effect.gen(function* () {
          const a = yield* call(fake, "agents")
          expect([a.status, a.headers["retry-after"]]).toEqual([429, "3"])
          const b = yield* call(fake, "alerts")
          expect([b.status, b.headers["x-rate-limit-reset"]]).toEqual([429, "1200"])
        })
    )
  )

  it.effect("latency delays the answer; hang never answers (TestClock)", () =>
    withFake(
      {
        faults: [
          { path: "agents", fault: { _tag: "Latency", delay: "2 seconds" } },
          { path: "alerts", fault: { _tag: "Hang" } }
        ]
      },
      (fake) =>
        Effect.gen(function* () {
          const slow = yield* Effect.fork(call(fake, "agents"))
          const hung = yield* Effect.fork(call(fake, "alerts"))
          yield* TestClock.adjust("1999 millis")
          expect(slow.unsafePoll()).toBeNull()
          yield* TestClock.adjust("1 millis")
          expect((yield* Fiber.join(slow)).status).toBe(200)
          yield* TestClock.adjust("1 hour")
          expect(hung.unsafePoll()).toBeNull()
          yield* Fiber.interrupt(hung)
        })
    )
  )

  it.effect("truncated body, wrong-typed field, HTML page, empty body, dropped connection", () =>
    withFake(
      {
        faults: [
          { path: "agents", fault: { _tag: "Truncate" } },
          { path: "policies", fault: { _tag: "WrongType", field: "name" } },
          { path: "logs", fault: { _tag: "Html", status: 502 } },
          { path: "organizations", fault: { _tag: "EmptyBody", status: 503 } },
          { path: "alerts", fault: { _tag: "Drop" } }
        ]
      },
      (fake) =>
        Effect.gen(function* () {
          const truncated = yield* call(fake, "agents")
          expect(truncated.status).toBe(200)
          expect(() => JSON.parse(truncated.body)).toThrow()
          const wrong = (yield* call(fake, "policies")).json as Array<{ name: unknown }>
          expect(typeof wrong[0]!.name).toBe("number")
          expect(typeof wrong[1]!.name).toBe("string")
          const html = yield* call(fake, "logs")
          expect([html.status, html.headers["content-type"]]).toEqual([502, "text/html"])
          expect(html.body).toMatch(/^<html>/)
          const empty = yield* call(fake, "organizations")
          expect([empty.status, empty.body]).toEqual([503, ""])
          const dropped = yield* call(fake, "alerts")
          expect(dropped.delivery).toBe("drop")
        })
    )
  )

  it.effect("faults added and cleared at run time", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        yield* fake.addFaults({ fault: { _tag: "Status", status: 500 } })
        expect((yield* call(fake, "agents")).status).toBe(500)
        yield* fake.clearFaults
        expect((yield* call(fake, "agents")).status).toBe(200)
      })
    )
  )
})

describe("FakeThreatStack faults written as text (parseFault, parseRateLimit)", () => {
  const parsed = (text: string) => Either.getOrThrow(FakeThreatStack.parseFault(text))

  it.effect("the command line's form drives the fake: 503 twice on v1 alerts, other paths untouched", () =>
    withFake({ faults: [parsed("status=503,path=/api/v1/alerts,times=2")] }, (fake) =>
      Effect.gen(function* () {
        const statuses: Array<number> = []
        for (let i = 0; i < 3; i++) statuses.push((yield* call(fake, "alerts")).status)
        expect(statuses).toEqual([503, 503, 200])
        expect((yield* call(fake, "agents")).status).toBe(200)
      })
    )
  )

  it.effect("a glob path, a method, a page, and a body that keeps its commas", () =>
    withFake(
      {
        faults: [parsed('path=alerts*,page=1,method=get,status=502,body={"a":1,"b":2}'), parsed("path=agents/*,drop")]
      },
      (fake) =>
        Effect.gen(function* () {
          expect((yield* call(fake, "alerts?page=0")).status).toBe(200)
          const second = yield* call(fake, "alerts?page=1")
          expect([second.status, second.body]).toEqual([502, '{"a":1,"b":2}'])
          expect((yield* call(fake, "agents")).delivery).toBe("whole")
          const first = ids((yield* call(fake, "agents?count=1")).json)[0]
          expect((yield* call(fake, `agents/${first}`)).delivery).toBe("drop")
        })
    )
  )

  it("every fault and matcher of FaultRule has a written form", () => {
    expect(parsed("latency=250 millis,generation=2,nth=3")).toEqual({
      fault: { _tag: "Latency", delay: Duration.millis(250) },
      generation: 2,
      nth: 3
    })
    expect(parsed("rate-limit,retry-after=2,reset-ms=1500,path=/v2/alerts")).toEqual({
      fault: { _tag: "RateLimit", retryAfter: 2, resetMs: 1500 },
      path: "alerts",
      generation: 2
    })
    expect(parsed("html=502")).toEqual({ fault: { _tag: "Html", status: 502 } })
    expect(parsed("empty=503,method=POST")).toEqual({ fault: { _tag: "EmptyBody", status: 503 }, method: "POST" })
    expect(parsed("wrong-type=severity")).toEqual({ fault: { _tag: "WrongType", field: "severity" } })
    expect(parsed("hang,times=1")).toEqual({ fault: { _tag: "Hang" }, times: 1 })
    expect(parsed(" truncate , path = policies ")).toEqual({ fault: { _tag: "Truncate" }, path: "policies" })
    // keys in any case; a glob's other characters stand for themselves
    expect(parsed("STATUS=500,Path=/api/v1/a+b.c*")).toEqual({
      fault: { _tag: "Status", status: 500 },
      path: /^a\+b\.c.*$/,
      generation: 1
    })
    // a body runs to the end of the spec, its commas and inner spaces kept
    expect(parsed("status=400,body= a,  b")).toEqual({ fault: { _tag: "Status", status: 400, body: " a,  b" } })
    expect(parsed("status=503,path=/v2")).toEqual({ fault: { _tag: "Status", status: 503 }, path: "", generation: 2 })
    // a generation the path already says is no contradiction
    expect(parsed("status=503,path=/v2/alerts,generation=2")).toEqual({
      fault: { _tag: "Status", status: 503 },
      path: "alerts",
      generation: 2
    })
    expect(parsed("status=503,generation=1")).toEqual({ fault: { _tag: "Status", status: 503 }, generation: 1 })
  })

  it("a bad spec is an InvalidArgument naming the problem and the expected form", () => {
    const problems: ReadonlyArray<readonly [string, string]> = [
      ["", "no fault: give one of status, latency, rate-limit, html, empty, wrong-type, hang, truncate, drop;"],
      ["path=alerts", "no fault"],
      ["   ", "no fault"],
      ["status=503,drop", "one fault per spec, got status and drop"],
      ["status=abc", 'status must be a whole number from 100 to 599, got "abc"'],
      ["status=99", "status must be a whole number from 100 to 599"],
      ["latency=fast", 'latency must be a duration such as "200 millis", got "fast"'],
      ["status=503,times=0", "times must be a whole number ≥ 1"],
      ["status=503,page=-1", "page must be a whole number ≥ 0"],
      ["status=503,generation=3", "generation must be a whole number from 1 to 2"],
      ["status=503,path=/api/v2/alerts", "path must be relative (alerts) or start with /api/v1/ or /v2/"],
      ["status=503,path=/v2alerts", 'path must be relative (alerts) or start with /api/v1/ or /v2/, got "/v2alerts"'],
      ["status=503,path=/v2/alerts,generation=1", "generation=1 contradicts path=/v2/alerts"],
      ["drop,retry-after=2", "retry-after goes with rate-limit"],
      ["drop,body=x", "body goes with status"],
      ["status=503,times=1,times=2", "times is given twice"],
      ["status=503,,times=2", "an empty item between commas"],
      ["status=503,colour=red", 'unknown key "colour"'],
      ["status=503,method=GET POST", "method must be a word such as GET"],
      ["status=600", "status must be a whole number from 100 to 599"],
      ["html=abc", 'html must be a whole number from 100 to 599, got "abc"'],
      ["empty=700", "empty must be a whole number from 100 to 599"],
      ["latency=0 millis", 'latency must be a duration such as "200 millis", got "0 millis"'],
      ["latency=Infinity", "latency must be a duration"],
      ["rate-limit=5", 'rate-limit takes no value (add retry-after=S or reset-ms=MS), got "5"'],
      ["rate-limit,retry-after=-1", "retry-after must be a whole number ≥ 0"],
      ["rate-limit,reset-ms=1.5", "reset-ms must be a whole number ≥ 0"],
      ["wrong-type", "wrong-type needs a field name, e.g. wrong-type=severity"],
      ["hang=1", "hang takes no value"],
      ["truncate=yes", "truncate takes no value"],
      ["drop=1", "drop takes no value"],
      ["status=503,nth=0", "nth must be a whole number ≥ 1"],
      ["status=503,generation=0", "generation must be a whole number from 1 to 2"]
    ]
    for (const [text, problem] of problems) {
      const error = Either.getLeft(FakeThreatStack.parseFault(text)).pipe(Option.getOrThrow)
      expect(error._tag).toBe("InvalidArgument")
      expect(error.argument).toBe("fault")
      expect(error.message).toContain(problem)
      expect(error.message).toContain(`${JSON.stringify(text)}: `)
      expect(error.message).toMatch(/expected e\.g\. "status=503,path=alerts,times=2"$/)
    }
  })

  it.effect("parseRateLimit gives the rateLimit option: the fake's limiter answers 429 past it", () =>
    Effect.gen(function* () {
      expect(Either.getOrThrow(FakeThreatStack.parseRateLimit("200/minute"))).toEqual({
        limit: 200,
        interval: Duration.minutes(1)
      })
      expect(Either.getOrThrow(FakeThreatStack.parseRateLimit("50 per 10 seconds"))).toEqual({
        limit: 50,
        interval: Duration.seconds(10)
      })
      const rateLimit = Either.getOrThrow(FakeThreatStack.parseRateLimit("2/1 hour"))
      yield* TestClock.setTime(NOW)
      const fake = yield* FakeThreatStack.make(fakeOptions({ rateLimit }))
      const statuses: Array<number> = []
      for (let i = 0; i < 3; i++) statuses.push((yield* call(fake, "agents")).status)
      expect(statuses).toEqual([200, 200, 429])
      // a clock set back (a test that rewinds TestClock) opens a new window, not a wait longer than the interval
      yield* TestClock.setTime(NOW - 1_000)
      expect((yield* call(fake, "agents")).status).toBe(200)
      const notRate = "not a number of requests per interval"
      for (const [bad, problem] of [
        ["", notRate],
        ["200", notRate],
        ["-5/minute", notRate],
        ["x/minute", notRate],
        ["0/minute", 'the limit must be a whole number ≥ 1, got "0"'],
        ["200/fortnight", 'the interval must be a duration such as "200 millis", got "1 fortnight"'],
        ["200/0 seconds", 'the interval must be a duration such as "200 millis", got "0 seconds"']
      ] as const) {
        const error = Either.getLeft(FakeThreatStack.parseRateLimit(bad)).pipe(Option.getOrThrow)
        expect(error.argument).toBe("rateLimit")
        expect(error.message).toContain(`${JSON.stringify(bad)}: ${problem}; expected e.g. "200/minute"`)
      }
    })
  )
})

describe("FakeThreatStack request record", () => {
  it.effect("keeps only the newest maxRecorded requests", () =>
    withFake({ maxRecorded: 3 }, (fake) =>
      Effect.gen(function* () {
        for (let page = 0; page < 10; page++) yield* call(fake, `agents?page=${page}`)
        expect((yield* fake.requests).map((r) => r.query)).toEqual(["page=7", "page=8", "page=9"])
        const last = yield* call(fake, "agents")
        expect(last.headers["x-request-id"]).toBe("fake-11")
      })
    )
  )
})

describe("FakeThreatStack routes v1 by the resource specs", () => {
  const WidgetsSpec = Resource.spec({
    name: "Widgets",
    key: "widgets",
    singular: "widget",
    generation: 1,
    path: "widgets",
    paging: "pages",
    schema: Schema.Struct({ id: Schema.String, name: Schema.String }),
    get: true
  })
  const widgets = Array.from({ length: 5 }, (_, i) => ({ id: `w${i}`, name: `Widget ${i}` }))
  const WidgetsLayer = ThreatStackClient.layer.pipe(
    Layer.provide(ThreatStackConfig.layer({ apiKey: FakeThreatStack.defaultApiKey, maxRetries: 0 })),
    Layer.provideMerge(
      FakeThreatStack.layer({
        specs: [...FakeThreatStack.defaultSpecs, WidgetsSpec],
        data: [{ organization: { id: "o1", name: "Acme", role: "owner" }, widgets }]
      })
    )
  )

  it.effect("a throwaway spec with its own data is served, through the SDK (list, get, 404)", () =>
    Effect.gen(function* () {
      const client = yield* ThreatStackClient.ThreatStackClient
      const service = Resource.make(client, WidgetsSpec)
      const all = yield* Stream.runCollect(service.list({ count: 2 }))
      expect(Chunk.toReadonlyArray(all).map((w) => w.name)).toEqual(widgets.map((w) => w.name))
      const pages = (yield* FakeThreatStack.FakeThreatStack.pipe(Effect.flatMap((fake) => fake.requests))).map(
        (r) => r.query
      )
      expect(pages).toEqual(["page=0&count=2", "page=1&count=2", "page=2&count=2", "page=3&count=2"])
      expect(Option.map(yield* service.get("w3"), (w) => w.name)).toEqual(Option.some("Widget 3"))
      expect(yield* service.get("nope")).toEqual(Option.none())
    }).pipe(Effect.provide(WidgetsLayer))
  )

  it.effect("a spec left out is not routed; a spec without get has no get", () =>
    withFake({ specs: [Agents.spec, Logs.spec] }, (fake) =>
      Effect.gen(function* () {
        expect((yield* call(fake, "agents")).status).toBe(200)
        expect((yield* call(fake, "policies")).status).toBe(404)
        expect((yield* call(fake, "logs/x")).status).toBe(404)
        expect((yield* call(fake, "organizations")).status).toBe(200)
      })
    )
  )

  it.effect("v1 also accepts the ISO forms of start/end (its own parser, not the client's)", () =>
    withFake({ counts: { alerts: 24 * 60 }, span: "60 days" }, (fake) =>
      Effect.gen(function* () {
        const hour = (yield* call(fake, "alerts?start=2017-05-31T08:00:00Z&end=2017-05-31T10")).json as Array<{
          created_at: number
        }>
        expect(hour.map((a) => a.created_at)).toEqual([
          Date.UTC(2017, 4, 31, 10),
          Date.UTC(2017, 4, 31, 9),
          Date.UTC(2017, 4, 31, 8)
        ])
        expect((yield* call(fake, "alerts?start=2017-05-31T25")).status).toBe(400)
      })
    )
  )

  it.effect("a million generated alerts: a page far down costs one page", () =>
    withFake({ counts: { alerts: 1_000_000 } }, (fake) =>
      Effect.gen(function* () {
        const deep = (yield* call(fake, "alerts?page=9999&count=100")).json as Array<{ id: string }>
        expect(deep).toHaveLength(100)
        expect(deep[0]!.id).toBe(`a1000000${(999_900).toString(16).padStart(16, "0")}`)
      })
    )
  )
})
