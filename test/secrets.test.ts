/**
 * Every error kind, triggered over real HTTP with debug logging and tracing
 * on: the key's text appears in no message, `String(error)`,
 * `JSON.stringify(error)`, `Cause.pretty`, log line or span attribute/event.
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, Context, Effect, Layer, Logger, LogLevel, Option, Stream, Tracer } from "effect"
import type { Exit } from "effect"
import { ThreatStack, ThreatStackClient, ThreatStackV2 } from "@effect-threatstack/core"
import type { FakeThreatStack, ThreatStackError } from "@effect-threatstack/core"
import { FakeServer, NodeThreatStack } from "@effect-threatstack/node"

const SECRET = "tsk_live_5f3c9a7e1b2d4c6e8f0a1b2c3d4e5f60"

/** A tracer that keeps every span's name, attributes and events as text. */
const recordingTracer = () => {
  const seen: Array<string> = []
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) => {
      const attributes = new Map<string, unknown>()
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId: Math.random().toString(16).slice(2),
        traceId: Option.match(parent, { onNone: () => "trace", onSome: (p) => p.traceId }),
        parent,
        context,
        status: { _tag: "Started", startTime },
        attributes,
        links: Array.from(links),
        sampled: true,
        kind,
        // what an exporter records: attributes, and the outcome (never the success value)
        end: (_endTime: bigint, exit: Exit.Exit<unknown, unknown>) => {
          const outcome = exit._tag === "Success" ? "ok" : Cause.pretty(exit.cause)
          seen.push(`${name} ${JSON.stringify(Object.fromEntries(attributes), bigints)} ${outcome}`)
          // a tracer that formats the whole exit (success value included), as some exporters do
          seen.push(`${name} exit ${JSON.stringify(exit, bigints)}`)
        },
        attribute: (key, value) => {
          attributes.set(key, value)
        },
        event: (event, _time, attrs) => {
          seen.push(`${name} event ${event} ${JSON.stringify(attrs ?? {}, bigints)}`)
        },
        addLinks: () => {}
      }
      return span
    },
    context: (f) => f()
  })
  return { seen, layer: Layer.setTracer(tracer) }
}

const bigints = (_key: string, value: unknown) => (typeof value === "bigint" ? value.toString() : value)

const recordingLogger = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ annotations, message }) => {
    lines.push(`${JSON.stringify(message)} ${JSON.stringify(Object.fromEntries(annotations))}`)
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

type Trigger = Effect.Effect<unknown, ThreatStackError.ThreatStackError, ThreatStack.ThreatStack>

const list = (f: (c: ThreatStack.Service) => Stream.Stream<unknown, ThreatStackError.ThreatStackError>): Trigger =>
  Effect.flatMap(ThreatStack.ThreatStack, (c) => Stream.runDrain(f(c)))

const cases: ReadonlyArray<{
  name: string
  tag: string
  faults: ReadonlyArray<FakeThreatStack.FaultRule>
  trigger: Trigger
}> = [
  {
    name: "InvalidArgument",
    tag: "InvalidArgument",
    faults: [],
    trigger: list((c) => c.alerts.list({ start: "2017-99-01" }))
  },
  {
    name: "NotFound",
    tag: "NotFound",
    faults: [],
    trigger: Effect.flatMap(ThreatStack.ThreatStack, (c) => c.organizations.users("nope"))
  },
  { name: "Timeout", tag: "Timeout", faults: [{ fault: { _tag: "Hang" } }], trigger: list((c) => c.policies.list()) },
  ...[400, 401, 403, 418, 500].map((status) => ({
    name: `status ${status}`,
    tag: "ThreatStackAPIError",
    faults: [{ fault: { _tag: "Status", status } as const }],
    trigger: list((c) => c.policies.list())
  })),
  {
    name: "429",
    tag: "ThreatStackAPIError",
    faults: [{ fault: { _tag: "RateLimit", resetMs: 1 } }],
    trigger: list((c) => c.agents.list())
  },
  {
    name: "truncated",
    tag: "ThreatStackAPIError",
    faults: [{ fault: { _tag: "Truncate" } }],
    trigger: list((c) => c.agents.list())
  },
  {
    name: "wrong type",
    tag: "ThreatStackAPIError",
    faults: [{ fault: { _tag: "WrongType", field: "hostname" } }],
    trigger: list((c) => c.agents.list())
  },
  {
    name: "dropped",
    tag: "ThreatStackAPIError",
    faults: [{ fault: { _tag: "Drop" } }],
    trigger: list((c) => c.agents.list())
  }
]

const settings = { apiKey: SECRET, maxRetries: 1, retryBaseDelay: "1 millis", timeout: "200 millis" } as const

describe("the API key is never shown", () => {
  it.live.each(cases)("$name: not in the error, its Cause, the logs or the spans", ({ faults, tag, trigger }) =>
    Effect.gen(function* () {
      const tracer = recordingTracer()
      const logger = recordingLogger()
      const error = yield* Effect.flip(trigger).pipe(
        Effect.withSpan("test"),
        Effect.provide(FakeServer.layerWithClient({ apiKey: SECRET, faults }, settings)),
        Effect.provide(Layer.mergeAll(tracer.layer, logger.layer, Logger.minimumLogLevel(LogLevel.All)))
      )
      expect(error._tag).toBe(tag)
      const texts = [
        error.message,
        String(error),
        JSON.stringify(error),
        Cause.pretty(Cause.fail(error)),
        ...logger.lines,
        ...tracer.seen
      ]
      for (const text of texts) expect(text).not.toContain(SECRET)
      expect(tracer.seen.length).toBeGreaterThan(0)
    })
  )

  it.live("a refused connection (Transport) over undici", () =>
    Effect.gen(function* () {
      const tracer = recordingTracer()
      const logger = recordingLogger()
      const error = yield* Effect.flip(list((c) => c.policies.list())).pipe(
        Effect.provide(NodeThreatStack.layer({ ...settings, baseUrl: "http://127.0.0.1:1/api/v1" })),
        Effect.provide(Layer.mergeAll(tracer.layer, logger.layer, Logger.minimumLogLevel(LogLevel.All)))
      )
      expect(error._tag === "ThreatStackAPIError" && [error.reason, error.attempts]).toEqual(["Transport", 2])
      expect(logger.lines.some((l) => l.includes("retried"))).toBe(true)
      expect(tracer.seen.some((s) => s.includes("threatstack.retry"))).toBe(true)
      for (const text of [
        error.message,
        JSON.stringify(error),
        Cause.pretty(Cause.fail(error)),
        ...logger.lines,
        ...tracer.seen
      ]) {
        expect(text).not.toContain(SECRET)
      }
    })
  )

  it.live("v2 over HTTP: no span (attributes, events, status, exit as JSON) holds the key", () =>
    Effect.gen(function* () {
      const tracer = recordingTracer()
      const server = yield* FakeServer.FakeServer
      const v2 = NodeThreatStack.layerV2({
        ...server.v2Credentials,
        baseUrl: server.v2BaseUrl,
        maxRetries: 1,
        retryBaseDelay: "1 millis"
      })
      const fake = server.fake
      const run = <A, E>(effect: Effect.Effect<A, E, ThreatStackV2.ThreatStackV2>) =>
        effect.pipe(Effect.withSpan("test"), Effect.provide(v2), Effect.provide(tracer.layer))
      yield* run(
        Effect.flatMap(ThreatStackV2.ThreatStackV2, (ts) => Stream.runDrain(ts.agents.list({ status: "online" })))
      )
      yield* fake.addFaults({
        generation: 2,
        path: "alerts",
        fault: { _tag: "Status", status: 500, body: `{"message":"${SECRET}"}` }
      })
      const error = yield* run(
        Effect.flip(Effect.flatMap(ThreatStackV2.ThreatStackV2, (ts) => Stream.runDrain(ts.alerts.list())))
      )
      expect(error._tag).toBe("ThreatStackAPIError")
      expect(tracer.seen.some((s) => s.startsWith("ThreatStackV2.request exit"))).toBe(true)
      for (const text of [...tracer.seen, JSON.stringify(error), error.message]) expect(text).not.toContain(SECRET)
    }).pipe(Effect.provide(FakeServer.layer({ apiKey: SECRET })))
  )

  it("the SDK's services and settings print no key", () =>
    Effect.gen(function* () {
      const context = yield* Layer.build(NodeThreatStack.layer(settings))
      const settingsService = Context.unsafeGet(context, ThreatStackClient.ThreatStackClient).settings
      const texts = [
        String(settingsService),
        JSON.stringify(settingsService),
        String(settingsService.apiKey),
        JSON.stringify(context),
        String(Context.unsafeGet(context, ThreatStack.ThreatStack))
      ]
      for (const text of texts) expect(text).not.toContain(SECRET)
    }).pipe(Effect.scoped, Effect.runPromise))
})
