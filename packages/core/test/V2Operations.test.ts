/**
 * Every v2 operation as a caller meets it, over the in-memory fake: each one
 * a span named for it, each id argument refused by its own name before any
 * request, the inputs each write checks (reasons, texts, queries, e-mail
 * addresses, roles), what a write sends, and what the list options ask for.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, ConfigProvider, Effect, Either, Fiber, Layer, Option, Schema, Stream, TestClock } from "effect"
import { FakeThreatStack, ThreatStackV2, V2 } from "@effect-threatstack/core"
import type { ThreatStackError } from "@effect-threatstack/core"
import { NOW, fakeOptions, spanNames } from "./utils.js"

/** The v2 SDK over a fresh in-memory fake; no retries unless asked. */
const v2Over = (options: FakeThreatStack.Options = {}, settings: Partial<ThreatStackV2.Options> = {}) =>
  ThreatStackV2.layer({ ...FakeThreatStack.defaultV2Credentials, maxRetries: 0, ...settings }).pipe(
    Layer.provideMerge(FakeThreatStack.layer(fakeOptions(options)))
  )

const layer = v2Over({ counts: { alerts: 60, agents: 6 } })

/** A fake whose first v2 request on `path` (and `method`) answers 500, and an SDK that retries once. */
const failingOnce = (path: string | RegExp, method?: string) =>
  v2Over(
    { faults: [{ path, method, generation: 2, times: 1, fault: { _tag: "Status", status: 500 } }] },
    { maxRetries: 1 }
  )

/** The SDK over a fresh fake, keeping the JSON body of every request it sends. */
const capturing = () => {
  const bodies: Array<Record<string, unknown>> = []
  const layer = v2Over(
    {},
    {
      transformClient: HttpClient.tapRequest((request) =>
        Effect.sync(() => {
          if (request.body._tag === "Uint8Array") bodies.push(JSON.parse(new TextDecoder().decode(request.body.body)))
        })
      )
    }
  )
  return { bodies, layer }
}

const all = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

/** The v2 requests the fake saw since `from`: method, path and query. */
const sentSince = (from: number) =>
  Effect.map(FakeThreatStack.FakeThreatStack, (fake) =>
    Effect.map(fake.requests, (requests) =>
      requests
        .filter((r) => r.generation === 2)
        .slice(from)
        .map((r) => `${r.method} ${r.path}${r.query === "" ? "" : `?${r.query}`}`)
    )
  ).pipe(Effect.flatten)

const v2Count = Effect.map(
  Effect.flatMap(FakeThreatStack.FakeThreatStack, (fake) => fake.requests),
  (requests) => requests.filter((r) => r.generation === 2).length
)

/**
 * Joins `fiber`, moving the test clock a second at a time until it is done. Between steps a real millisecond
 * passes: the fake checks each Hawk signature with WebCrypto, whose answer comes from outside Effect, so a retry's
 * sleep may start only after one long adjustment would already have run.
 */
const untilDone = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) =>
  Effect.gen(function* () {
    for (let step = 0; step < 5_000 && Option.isNone(yield* Fiber.poll(fiber)); step++) {
      yield* TestClock.adjust("1 second")
      yield* Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 1)))
    }
    return yield* Fiber.join(fiber)
  })

const refusal = (error: ThreatStackError.ThreatStackError) =>
  error._tag === "InvalidArgument" ? [error.argument, error.detail] : [error._tag, error.message]

const run = <A, E>(effect: Effect.Effect<A, E, ThreatStackV2.ThreatStackV2 | FakeThreatStack.FakeThreatStack>) =>
  Effect.zipRight(TestClock.setTime(NOW), effect).pipe(Effect.provide(layer))

describe("every v2 operation is a span named for it", () => {
  it.effect("with a tracer, each call opens its operation's span", () => {
    const { names, tracer: recording } = spanNames()
    return run(
      Effect.gen(function* () {
        const ts = yield* ThreatStackV2.ThreatStackV2
        const [agent] = yield* all(ts.agents.list({ status: "online" }))
        yield* ts.agents.get(agent?.id ?? "")
        const [alert] = yield* all(ts.alerts.list())
        yield* ts.alerts.get(alert?.id ?? "")
        yield* ts.alerts.events(alert?.id ?? "")
        yield* ts.alerts.severityCounts()
        yield* ts.alerts.dismiss({ ids: [alert?.id ?? ""], reason: "MAINTENANCE" })
        yield* ts.alerts.dismissWhere({
          from: new Date(NOW - 3_600_000),
          until: new Date(NOW),
          severity: 3,
          reason: "MAINTENANCE"
        })
        const [cve] = yield* all(ts.vulnerabilities.list())
        yield* ts.vulnerabilities.get(cve?.cveNumber ?? "")
        yield* all(ts.vulnerabilities.servers(cve?.cveNumber ?? ""))
        yield* all(ts.vulnerabilities.suppressions())
        yield* all(ts.servers.list())
        const ruleset = yield* ts.rulesets.create({ name: "Spans" })
        yield* all(ts.rulesets.list())
        yield* ts.rulesets.get(ruleset.id)
        yield* ts.rulesets.update(ruleset.id, { name: "Spans, renamed" })
        const input = { name: "r", title: "r", type: "Host", severityOfAlerts: 3, alertDescription: "d" } as const
        const rule = yield* ts.rules.create(ruleset.id, input)
        yield* all(ts.rules.list(ruleset.id))
        yield* ts.rules.get(ruleset.id, rule.id)
        yield* ts.rules.update(ruleset.id, rule.id, input)
        yield* ts.rules.setTags(rule.id, { inclusion: [], exclusion: [] })
        yield* ts.rules.tags(rule.id)
        yield* ts.rules.delete(ruleset.id, rule.id)
        yield* ts.rulesets.delete(ruleset.id)
        const members = yield* all(ts.members.list())
        const leaving = members.find((m) => m.role !== "owner")
        yield* ts.members.remove(leaving?.id ?? "")
        yield* ts.members.add({ id: leaving?.id ?? "", role: "reader" })
        yield* ts.members.invite({ email: "grace@example.com", role: "reader" })
        yield* all(ts.auditLogs.list())
      }).pipe(Effect.withTracer(recording))
    ).pipe(
      Effect.tap(() =>
        Effect.sync(() =>
          expect(new Set(names.filter((name) => name.startsWith("V2.")))).toEqual(
            new Set([
              "V2.Agents.list",
              "V2.Agents.get",
              "V2.Alerts.list",
              "V2.Alerts.get",
              "V2.Alerts.events",
              "V2.Alerts.severityCounts",
              "V2.Alerts.dismiss",
              "V2.Alerts.dismissWhere",
              "V2.Vulnerabilities.list",
              "V2.Vulnerabilities.get",
              "V2.Vulnerabilities.servers.list",
              "V2.Vulnerabilities.suppressions.list",
              "V2.Servers.list",
              "V2.Rulesets.create",
              "V2.Rulesets.list",
              "V2.Rulesets.get",
              "V2.Rulesets.update",
              "V2.Rulesets.delete",
              "V2.Rules.create",
              "V2.Rules.list",
              "V2.Rules.get",
              "V2.Rules.update",
              "V2.Rules.setTags",
              "V2.Rules.tags",
              "V2.Rules.delete",
              "V2.Members.list",
              "V2.Members.remove",
              "V2.Members.add",
              "V2.Members.invite",
              "V2.AuditLogs.list"
            ])
          )
        )
      )
    )
  })
})

describe("an id that is no id is refused by its argument's name, before any request", () => {
  const calls: ReadonlyArray<
    readonly [string, (ts: ThreatStackV2.Service) => Effect.Effect<unknown, ThreatStackError.ThreatStackError>]
  > = [
    ["id", (ts) => ts.agents.get(" ")],
    ["id", (ts) => ts.alerts.get(" ")],
    ["id", (ts) => ts.alerts.events(" ")],
    ["ids[1]", (ts) => ts.alerts.dismiss({ ids: ["a1", " "], reason: "MAINTENANCE" })],
    ["cve", (ts) => ts.vulnerabilities.get(" ")],
    ["cve", (ts) => all(ts.vulnerabilities.servers(" "))],
    ["id", (ts) => ts.rulesets.get(" ")],
    ["id", (ts) => ts.rulesets.update(" ", { name: "n" })],
    ["id", (ts) => ts.rulesets.delete(" ")],
    ["rulesetId", (ts) => all(ts.rules.list(" "))],
    ["ruleId", (ts) => ts.rules.get("rs1", " ")],
    ["ruleId", (ts) => ts.rules.tags(" ")],
    ["ruleId", (ts) => ts.rules.setTags(" ", { inclusion: [], exclusion: [] })],
    ["id", (ts) => ts.members.add({ id: " ", role: "reader" })],
    ["userId", (ts) => ts.members.remove(" ")]
  ]
  it.effect.each(calls.map(([argument, call], i) => [`${i}: ${argument}`, argument, call] as const))(
    "%s",
    ([, argument, call]) =>
      run(
        Effect.gen(function* () {
          const ts = yield* ThreatStackV2.ThreatStackV2
          const before = yield* v2Count
          expect(refusal(yield* Effect.flip(call(ts)))).toEqual([argument, 'expected a non-empty id, got " "'])
          expect(yield* v2Count).toBe(before)
        })
      )
  )
})

describe("what the writes check", () => {
  it.effect("dismissing: a reason from the list; a text with OTHER, and only with OTHER", () =>
    run(
      Effect.gen(function* () {
        const ts = yield* ThreatStackV2.ThreatStackV2
        const ids = ["a1"]
        const refused = (options: Parameters<ThreatStackV2.Service["alerts"]["dismiss"]>[0]) =>
          Effect.map(Effect.flip(ts.alerts.dismiss(options)), refusal)
        expect(yield* refused({ ids, reason: undefined as unknown as "OTHER" })).toEqual([
          "reason",
          'expected one of "BUSINESS_OP", "COMPANY_POLICY", "MAINTENANCE", "OTHER", got undefined'
        ])
        expect(yield* refused({ ids, reason: "OTHER" })).toEqual(["text", "a dismissal with reason OTHER needs a text"])
        expect(yield* refused({ ids, reason: "OTHER", text: "  " })).toEqual([
          "text",
          "a dismissal with reason OTHER needs a text"
        ])
        expect(yield* refused({ ids, reason: "MAINTENANCE", text: "patching" })).toEqual([
          "text",
          "a text is only sent with reason OTHER, not MAINTENANCE"
        ])
        expect(yield* v2Count).toBe(0)
      })
    )
  )

  it.effect("dismissing with OTHER sends the text; any other reason sends none", () =>
    run(
      Effect.gen(function* () {
        const ts = yield* ThreatStackV2.ThreatStackV2
        const [first, second] = yield* all(ts.alerts.list())
        yield* ts.alerts.dismiss({ ids: [first?.id ?? ""], reason: "OTHER", text: "a drill" })
        yield* ts.alerts.dismiss({ ids: [second?.id ?? ""], reason: "COMPANY_POLICY" })
        const read = (id: string | undefined) =>
          Effect.map(
            ts.alerts.get(id ?? ""),
            Option.map((a) => [a.dismissReason, a.dismissReasonText ?? null])
          )
        expect(yield* read(first?.id)).toEqual(Option.some(["OTHER", "a drill"]))
        expect(yield* read(second?.id)).toEqual(Option.some(["COMPANY_POLICY", null]))
      })
    )
  )

  it.effect("dismissing 1,025 ids takes three requests of at most 512, in order", () =>
    run(
      Effect.gen(function* () {
        const ts = yield* ThreatStackV2.ThreatStackV2
        const alerts = yield* all(ts.alerts.list())
        const ids = Array.from({ length: 1025 }, (_, i) => alerts[i % alerts.length]?.id ?? "")
        const before = yield* v2Count
        yield* ts.alerts.dismiss({ ids, reason: "MAINTENANCE" })
        expect((yield* sentSince(before)).filter((s) => s === "POST alerts/dismiss").length).toBe(3)
        const dismissed = new Set((yield* all(ts.alerts.list({ status: "dismissed" }))).map((a) => a.id))
        expect(alerts.filter((a) => !dismissed.has(a.id))).toEqual([])
        expect(yield* all(ts.alerts.list())).toEqual([])
        // exactly two batches' worth: two requests, no empty third one
        const mark = yield* v2Count
        yield* ts.alerts.dismiss({ ids: ids.slice(0, 1024), reason: "MAINTENANCE" })
        expect((yield* sentSince(mark)).length).toBe(2)
      })
    )
  )

  it.effect("dismissing by query: both ends, at least one filter, each sent under the API's name", () =>
    run(
      Effect.gen(function* () {
        const ts = yield* ThreatStackV2.ThreatStackV2
        const from = new Date(NOW - 86_400_000)
        const until = new Date(NOW)
        const refused = (options: Parameters<ThreatStackV2.Service["alerts"]["dismissWhere"]>[0]) =>
          Effect.map(Effect.flip(ts.alerts.dismissWhere(options)), refusal)
        expect(
          yield* refused({ from, until: undefined as unknown as Date, severity: 1, reason: "MAINTENANCE" })
        ).toEqual(["from", "dismissing by query needs both from and until"])
        expect(
          yield* refused({ from: undefined as unknown as Date, until, severity: 1, reason: "MAINTENANCE" })
        ).toEqual(["from", "dismissing by query needs both from and until"])
        expect(yield* refused({ from, until, reason: "MAINTENANCE" })).toEqual([
          "severity",
          "dismissing by query needs at least one of severity, ruleId, agentId"
        ])
        expect((yield* refused({ from: "yesterday", until, severity: 1, reason: "MAINTENANCE" }))[0]).toBe("from")
        expect((yield* refused({ from, until: "tomorrow", severity: 1, reason: "MAINTENANCE" }))[0]).toBe("until")
        expect((yield* refused({ from, until, severity: 4 as 3, reason: "MAINTENANCE" }))[0]).toBe("severity")
        // whole seconds only: an edge with milliseconds would dismiss alerts outside the range
        expect(
          yield* refused({
            from: "2017-05-31T00:00:00.500Z",
            until: "2017-05-31T01:00:00Z",
            severity: 1,
            reason: "MAINTENANCE"
          })
        ).toEqual([
          "from",
          "dismissing by query takes whole seconds (the API's unit); a range with milliseconds would dismiss alerts outside it"
        ])
        const listed = yield* Effect.flip(all(ts.alerts.list({ severity: 4 as 3 })))
        expect(refusal(listed)[0]).toBe("severity")
        expect(yield* v2Count).toBe(0)
      })
    )
  )

  it.effect("dismissing by query sends each filter under the API's name, and only those given", () => {
    const sent = capturing()
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const ts = yield* ThreatStackV2.ThreatStackV2
      const from = "2017-05-31T00:00:00Z"
      const until = "2017-05-31T23:59:59Z"
      for (const filter of [{ severity: 2 as const }, { ruleId: "r1" }, { agentId: "ag1" }]) {
        yield* ts.alerts.dismissWhere({ from, until, reason: "OTHER", text: "drill", ...filter })
      }
      // the API's form: whole seconds, UTC, no zone
      const common = {
        from: "2017-05-31T00:00:00",
        until: "2017-05-31T23:59:59",
        dismissReason: "OTHER",
        dismissReasonText: "drill"
      }
      expect(sent.bodies).toEqual([
        { ...common, severity: 2 },
        { ...common, ruleID: "r1" },
        { ...common, agentID: "ag1" }
      ])
    }).pipe(Effect.provide(sent.layer))
  })

  it.effect("members: an e-mail address and a role from the list", () =>
    run(
      Effect.gen(function* () {
        const ts = yield* ThreatStackV2.ThreatStackV2
        const invite = (email: unknown, role: unknown) =>
          Effect.map(Effect.flip(ts.members.invite({ email, role } as { email: string; role: "reader" })), refusal)
        for (const email of [
          "grace",
          "grace@",
          "@example.com",
          "grace@example.com and more",
          " grace@example.com",
          42
        ]) {
          expect(yield* invite(email, "reader")).toEqual([
            "email",
            `expected an e-mail address, got ${JSON.stringify(email)}`
          ])
        }
        expect((yield* invite("grace@example.com", "boss"))[0]).toBe("role")
        expect((yield* invite("grace@example.com", undefined))[0]).toBe("role")
        const add = yield* Effect.flip(ts.members.add({ id: "u1", role: undefined as unknown as "reader" }))
        expect(refusal(add)[0]).toBe("role")
        expect(yield* v2Count).toBe(0)
      })
    )
  )
})

describe("what the list options ask for", () => {
  it.effect("each option is sent as the API names it; unset ones are not sent", () =>
    run(
      Effect.gen(function* () {
        const ts = yield* ThreatStackV2.ThreatStackV2
        yield* all(ts.vulnerabilities.list({ active: true }))
        yield* all(ts.vulnerabilities.list({ active: false }))
        yield* all(ts.vulnerabilities.list())
        yield* all(ts.servers.list({ monitored: true, verbose: true }))
        yield* all(ts.members.list({ enabledOnly: true }))
        yield* all(ts.rulesets.list({ agentId: "ag1" }))
        yield* all(ts.alerts.list({ status: "dismissed", severity: 1 }))
        yield* ts.alerts.severityCounts({ from: "2017-05-30T00:00:00Z", until: "2017-05-31T00:00:00Z" })
        const sent = yield* sentSince(0)
        expect(sent.filter((s) => !s.includes("token="))).toEqual([
          "GET vulnerabilities?status=active",
          "GET vulnerabilities?active=false",
          "GET vulnerabilities",
          "GET aws/ec2?monitored=true&verbose=true",
          "GET organizations/members?enabledOnly=true",
          "GET rulesets?agentId=ag1",
          "GET alerts?status=dismissed&severity=1",
          "GET alerts/severity-counts?from=2017-05-30T00%3A00%3A00&until=2017-05-31T00%3A00%3A00"
        ])
      })
    )
  )

  it.effect("a rule input is sent with its own fields only: an id or times from a fetched rule stay home", () => {
    const sent = capturing()
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const ts = yield* ThreatStackV2.ThreatStackV2
      const ruleset = yield* ts.rulesets.create({ name: "Inputs" })
      const input = { name: "r", title: "r", type: "Host", severityOfAlerts: 3, alertDescription: "d" } as const
      const rule = yield* ts.rules.create(ruleset.id, input)
      const fetched = Option.getOrThrow(yield* ts.rules.get(ruleset.id, rule.id))
      const updated = yield* ts.rules.update(ruleset.id, rule.id, { ...fetched, title: "renamed" })
      expect(updated.title).toBe("renamed")
      const body = sent.bodies.at(-1) ?? {}
      expect(body.title).toBe("renamed")
      expect(["id", "rulesetId", "createdAt", "updatedAt"].filter((key) => key in body)).toEqual([])
      const tags = { inclusion: [{ source: "ec2", key: "Environment", value: "production" }], exclusion: [] }
      yield* ts.rules.setTags(rule.id, { ...tags, extra: true } as V2.Rules.TagSet)
      expect(sent.bodies.at(-1)).toEqual(tags)
    }).pipe(Effect.provide(sent.layer))
  })
})

describe("the specs say what the API serves", () => {
  const specs = [
    V2.Agents.spec,
    V2.Alerts.spec,
    V2.Vulnerabilities.spec,
    V2.Servers.spec,
    V2.Rulesets.spec,
    V2.Members.spec,
    V2.AuditLogs.spec
  ]
  it.effect.each(specs.map((spec) => [spec.name, spec] as const))(
    "%s: a page's records are under its collection",
    ([, spec]) =>
      run(
        Effect.gen(function* () {
          const ts = yield* ThreatStackV2.ThreatStackV2
          const query: Record<string, string> =
            spec.name === "V2.Agents" ? { status: "online" } : spec.name === "V2.Alerts" ? { status: "active" } : {}
          const page = yield* ts.client.execute(HttpClientRequest.get(spec.path, { urlParams: query }), Schema.Unknown)
          expect(Object.keys(page as object)).toContain(spec.collection)
          expect(Array.isArray((page as Record<string, unknown>)[spec.collection ?? ""])).toBe(true)
          // a spec with get: the first record's id answers; without: there is no such route
          const [first] = (page as Record<string, ReadonlyArray<Record<string, unknown>>>)[spec.collection ?? ""] ?? []
          const id = String(first?.id ?? first?.cveNumber ?? "x")
          const one = yield* Effect.either(
            ts.client.execute(HttpClientRequest.get(`${spec.path}/${id}`), Schema.Unknown)
          )
          expect(one._tag === "Right" ? "read" : "no such read").toBe(spec.get ? "read" : "no such read")
        })
      )
  )
})

describe("writes and their inputs", () => {
  it.effect("a ruleset name of 1 to 200 characters; a description only when given", () => {
    const sent = capturing()
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const ts = yield* ThreatStackV2.ThreatStackV2
      for (const name of ["", "x".repeat(201)]) {
        expect(refusal(yield* Effect.flip(ts.rulesets.create({ name })))).toEqual([
          "name",
          "expected a ruleset name of 1 to 200 characters"
        ])
      }
      expect(refusal(yield* Effect.flip(ts.rulesets.create(undefined as unknown as V2.Rulesets.RulesetInput)))[0]).toBe(
        "name"
      )
      expect(sent.bodies).toEqual([])
      yield* ts.rulesets.create({ name: "x" })
      yield* ts.rulesets.create({ name: "y".repeat(200), description: "two hundred" })
      expect(sent.bodies.map((b) => [b.name, b.description])).toEqual([
        ["x", undefined],
        ["y".repeat(200), "two hundred"]
      ])
      expect(sent.bodies.map((b) => "description" in b)).toEqual([false, true])
    }).pipe(Effect.provide(sent.layer))
  })

  it.effect("members: no argument at all is refused by name; add sends the id and role", () => {
    const sent = capturing()
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const ts = yield* ThreatStackV2.ThreatStackV2
      expect(refusal(yield* Effect.flip(ts.members.add(undefined as never)))[0]).toBe("id")
      expect(refusal(yield* Effect.flip(ts.members.invite(undefined as never)))).toEqual([
        "email",
        "expected an e-mail address, got undefined"
      ])
      const leaving = (yield* all(ts.members.list())).find((m) => m.role !== "owner")
      yield* ts.members.remove(leaving?.id ?? "")
      const added = yield* ts.members.add({ id: leaving?.id ?? "", role: "reader" })
      expect(added.id).toBe(leaving?.id)
      expect(sent.bodies.at(-1)).toEqual({ id: leaving?.id, role: "reader" })
    }).pipe(Effect.provide(sent.layer))
  })

  it.effect("setting a rule's tags is retried like a read: a 500 on the first try, set on the second", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const ts = yield* ThreatStackV2.ThreatStackV2
      const [ruleset] = yield* all(ts.rulesets.list())
      const [rule] = yield* all(ts.rules.list(ruleset?.id ?? ""))
      const tags = { inclusion: [{ source: "ec2", key: "Environment", value: "production" }], exclusion: [] }
      expect(yield* untilDone(yield* Effect.fork(ts.rules.setTags(rule?.id ?? "", tags)))).toEqual(tags)
      expect((yield* sentSince(0)).filter((s) => s === `POST rules/${rule?.id}/tags`).length).toBe(2)
    }).pipe(Effect.provide(failingOnce(/^rules\/[^/]+\/tags$/, "POST")))
  )

  it.effect("dismissing is retried like a read: a 500 on the first try, dismissed on the second", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const ts = yield* ThreatStackV2.ThreatStackV2
      const [alert] = yield* all(ts.alerts.list())
      yield* untilDone(yield* Effect.fork(ts.alerts.dismiss({ ids: [alert?.id ?? ""], reason: "MAINTENANCE" })))
      expect(Option.map(yield* ts.alerts.get(alert?.id ?? ""), (a) => a.isDismissed)).toEqual(Option.some(true))
    }).pipe(Effect.provide(failingOnce("alerts/dismiss")))
  )
})

describe("the v2 settings", () => {
  const base = { apiKey: "tsk_test_4b1d9e2c7a5f8306", userId: "u1", orgId: "5d7bb7c49f4d069836a064c2" }
  const refused = (options: Partial<V2.Client.Options>) =>
    Effect.map(Effect.flip(V2.Client.make({ ...base, ...options } as V2.Client.Options)), refusal)

  it.effect("ids are trimmed; blank ones and ones a Hawk header cannot carry are refused by name", () =>
    Effect.gen(function* () {
      const settings = yield* V2.Client.make({ ...base, userId: "  u1  ", orgId: " 5d7b " })
      expect([settings.userId, settings.orgId]).toEqual(["u1", "5d7b"])
      expect(yield* refused({ userId: "   " })).toEqual(["userId", 'expected a non-empty user id, got "   "'])
      expect(yield* refused({ orgId: "" })).toEqual(["orgId", 'expected a non-empty organization id, got ""'])
      expect(yield* refused({ userId: 'u"1' })).toEqual([
        "userId",
        "the user id holds a character a Hawk header cannot carry (space, quote, backslash, control or non-ASCII)"
      ])
      expect(yield* refused({ orgId: "a b" })).toEqual([
        "orgId",
        "the organization id holds a character a Hawk header cannot carry (space, quote, backslash, control or non-ASCII)"
      ])
      expect(yield* refused({ nonce: 42 as unknown as () => string })).toEqual([
        "nonce",
        "expected a function returning a nonce, got 42"
      ])
    })
  )

  it.effect("from the environment, a bad user id names its variable", () =>
    Effect.gen(function* () {
      const provider = ConfigProvider.fromMap(
        new Map([
          ["THREATSTACK_API_KEY", base.apiKey],
          ["THREATSTACK_USER_ID", "a b"],
          ["THREATSTACK_ORG_ID", base.orgId]
        ])
      )
      const error = yield* Effect.flip(Effect.withConfigProvider(V2.Client.fromEnv, provider))
      expect(String(error)).toContain("THREATSTACK_USER_ID")
      const baseUrl = ConfigProvider.fromMap(
        new Map([
          ["THREATSTACK_API_KEY", base.apiKey],
          ["THREATSTACK_USER_ID", base.userId],
          ["THREATSTACK_ORG_ID", base.orgId],
          ["THREATSTACK_V2_BASE_URL", "ftp://api.example"]
        ])
      )
      expect(String(yield* Effect.flip(Effect.withConfigProvider(V2.Client.fromEnv, baseUrl)))).toContain(
        "THREATSTACK_V2_BASE_URL"
      )
    })
  )
})

describe("the rules spec, whose path holds the ruleset", () => {
  it.effect("its path with a ruleset's id serves its collection, and one rule by id", () =>
    run(
      Effect.gen(function* () {
        const ts = yield* ThreatStackV2.ThreatStackV2
        const ruleset = yield* ts.rulesets.create({ name: "Spec" })
        const input = { name: "r", title: "r", type: "Host", severityOfAlerts: 3, alertDescription: "d" } as const
        const rule = yield* ts.rules.create(ruleset.id, input)
        const path = V2.Rules.spec.path.replace("{rulesetId}", ruleset.id)
        const page = (yield* ts.client.execute(HttpClientRequest.get(path), Schema.Unknown)) as Record<string, unknown>
        expect(page[V2.Rules.spec.collection ?? ""]).toEqual([expect.objectContaining({ id: rule.id })])
        const one = yield* Effect.either(ts.client.execute(HttpClientRequest.get(`${path}/${rule.id}`), Schema.Unknown))
        expect(one._tag === "Right" ? "read" : "no such read").toBe(V2.Rules.spec.get ? "read" : "no such read")
      })
    )
  )
})

describe("inputs and records the v2 schemas check", () => {
  it.effect("agents by type: monitor or investigate", () =>
    run(
      Effect.gen(function* () {
        const ts = yield* ThreatStackV2.ThreatStackV2
        for (const type of ["monitor", "investigate"] as const) yield* all(ts.agents.list({ status: "online", type }))
        const wrong = yield* Effect.flip(all(ts.agents.list({ status: "online", type: "watch" as "monitor" })))
        expect(refusal(wrong)).toEqual(["type", 'expected one of "monitor", "investigate", got "watch"'])
      })
    )
  )

  it.effect("a rule or tag set the schema refuses is InvalidArgument naming it, before any request", () =>
    run(
      Effect.gen(function* () {
        const ts = yield* ThreatStackV2.ThreatStackV2
        const before = yield* v2Count
        const rule = { name: "r", title: "r", type: "Host", severityOfAlerts: "high", alertDescription: "d" }
        expect(refusal(yield* Effect.flip(ts.rules.create("rs1", rule as unknown as V2.Rules.RuleInput)))[0]).toBe(
          "rule"
        )
        const tags = { inclusion: [{ source: "ec2", key: "Environment" }], exclusion: [] }
        expect(refusal(yield* Effect.flip(ts.rules.setTags("r1", tags as unknown as V2.Rules.TagSet)))[0]).toBe("tags")
        expect(yield* v2Count).toBe(before)
      })
    )
  )

  it("nested records are checked: an agent's tag, a rule's file path, a CVE's agent, an invitation", () => {
    const refuses = <A, I>(schema: Schema.Schema<A, I>, value: unknown) =>
      Either.isLeft(Schema.decodeUnknownEither(schema)(value))
    expect(refuses(Schema.Array(V2.Agents.Tag), [{ source: "ec2", key: "Environment" }])).toBe(true)
    const paths = Schema.Struct({ paths: V2.Rules.Rule.fields.fileIntegrityPaths })
    expect(refuses(paths, { paths: [{ path: "/etc" }] })).toBe(true)
    expect(refuses(paths, { paths: [{ path: "/etc", recursive: true }] })).toBe(false)
    expect(refuses(Schema.Struct({ agents: V2.Vulnerabilities.Cve.fields.agents }), { agents: [{}] })).toBe(true)
    expect(refuses(V2.Members.Invitation, { sentToEmail: "grace@example.com", role: "reader" })).toBe(true)
    expect(refuses(Schema.Array(V2.Alerts.SeverityCount), [{ severity: 1 }])).toBe(true)
    expect(refuses(V2.Members.Invitation, { sentToEmail: "grace@example.com", role: "reader", status: "sent" })).toBe(
      false
    )
  })
})
