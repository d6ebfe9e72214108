/**
 * The SDK's HTTP clients (`NodeThreatStack.layerHttpClient` and
 * `makeHttpClient` over undici, `FetchThreatStack.layerHttpClient` over
 * `fetch`) end each request themselves at the timeout, over real HTTP: a
 * server that never answers, one that stops mid-body, one that trickles a
 * byte at a time past the deadline, and (undici) a connection that never
 * opens. Each ends in the SDK's `Timeout` (`OutcomeUnknown` for a create), the
 * request is aborted (the server sees its connection close), and a request
 * that ended leaves no timer behind.
 */
import type { ServerResponse } from "node:http"
import { connect } from "node:net"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "@effect/platform"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Undici from "@effect/platform-node/Undici"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Layer, Option, Schema, Supervisor } from "effect"
import { FetchThreatStack, ThreatStack, ThreatStackClient } from "@effect-threatstack/core"
import type { ThreatStackConfig, ThreatStackError } from "@effect-threatstack/core"
import { NodeThreatStack } from "@effect-threatstack/node"
import { alertDetail } from "../packages/core/test/scriptedHttp.js"
import { eventually, rawServer, timers } from "./rawServer.js"

const KEY = "tsk_test_deadline_0c5e7a9b"

/** An alert as `GET alerts/{id}` sends it. */
const alertBody = (id: string) => JSON.stringify(alertDetail(id))

/** What the server does with a request, chosen by its last path segment. */
const behaviours: Record<string, (res: ServerResponse) => void> = {
  // no status line, ever
  silent: () => {},
  // the headers and half the body, then nothing
  stalls: (res) => {
    const body = alertBody("stalls")
    res.writeHead(200, { "content-type": "application/json", "content-length": String(body.length) })
    res.write(body.slice(0, body.length / 2))
  },
  // a body declared far larger than the tests' maxResponseBytes: a little of it, then nothing
  oversize: (res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "100000" })
    res.write(`[${" ".repeat(999)}`)
  },
  // a byte every 20 ms: never idle for long, never done within the deadline
  trickles: (res) => {
    const body = alertBody("trickles")
    res.writeHead(200, { "content-type": "application/json", "content-length": String(body.length) })
    let at = 0
    const timer = setInterval(() => {
      if (at >= body.length) return clearInterval(timer)
      res.write(body[at++])
    }, 20)
    res.on("close", () => clearInterval(timer))
  }
}

/** The API under `/api`: a request is answered by the behaviour its last path segment names, or with that alert. */
const server = Effect.map(
  rawServer((_req, res, path) => {
    const name = path.split("/").pop() ?? ""
    const behave = behaviours[name]
    if (behave !== undefined) return behave(res)
    const body = alertBody(name)
    res.writeHead(200, { "content-type": "application/json", "content-length": String(body.length) })
    res.end(body)
  }),
  (s) => ({ ...s, baseUrl: `${s.base}/api` })
)

/** The v1 SDK over `http`, pointed at `baseUrl`. */
const sdk = (baseUrl: string, settings: Partial<ThreatStackConfig.Options>, http: Layer.Layer<HttpClient.HttpClient>) =>
  ThreatStack.layer({ apiKey: KEY, baseUrl, maxRetries: 0, ...settings }).pipe(Layer.provide(http))

/** Each of the SDK's HTTP clients, and the platform's client it is built on. */
const transports = [
  { name: "NodeThreatStack's (undici)", http: NodeThreatStack.layerHttpClient, platform: NodeHttpClient.layerUndici },
  { name: "FetchThreatStack's (fetch)", http: FetchThreatStack.layerHttpClient, platform: FetchHttpClient.layer }
]

const getAlert = (id: string) => Effect.flatMap(ThreatStack.ThreatStack, (c) => c.alerts.get(id))

/** The attempts an error reports (every error of a request has them). */
const attemptsOf = (error: ThreatStackError.ThreatStackError) => ("attempts" in error ? error.attempts : undefined)

/** Counts the fibers started under it. */
class FiberCount extends Supervisor.AbstractSupervisor<number> {
  started = 0
  readonly value = Effect.sync(() => this.started)
  override onStart(): void {
    this.started++
  }
}

for (const { name: transport, http, platform } of transports) {
  describe(`${transport} HTTP client ends each request at the timeout`, () => {
    for (const name of ["silent", "stalls", "trickles"]) {
      it.scopedLive(
        `a server that ${name === "silent" ? "never answers" : name} ends in Timeout, the request aborted`,
        () =>
          Effect.gen(function* () {
            const s = yield* server
            const error = yield* Effect.flip(getAlert(name)).pipe(
              Effect.provide(sdk(s.baseUrl, { timeout: "300 millis", maxRetries: 1, retryBaseDelay: "1 millis" }, http))
            )
            expect(error._tag).toBe("Timeout")
            if (error._tag !== "Timeout") return
            expect([error.url, Duration.toMillis(error.timeout), error.attempts]).toEqual([
              `${s.baseUrl}/alerts/${name}`,
              300,
              2
            ])
            expect(s.arrived).toEqual([`GET /api/alerts/${name}`, `GET /api/alerts/${name}`])
            // each attempt's connection was dropped by the client, not left to the server
            yield* eventually(() => s.closed.length === 2)
            expect(s.closed).toEqual([`GET /api/alerts/${name}`, `GET /api/alerts/${name}`])
          })
      )
    }

    it.scopedLive("a create the server never answers is OutcomeUnknown, sent once", () =>
      Effect.gen(function* () {
        const s = yield* server
        const error = yield* Effect.flatMap(ThreatStackClient.ThreatStackClient, (c) =>
          Effect.flip(c.execute(HttpClientRequest.post("v1/silent"), Schema.Unknown))
        ).pipe(
          Effect.provide(sdk(s.baseUrl, { timeout: "200 millis", maxRetries: 3, retryBaseDelay: "1 millis" }, http))
        )
        expect(error._tag).toBe("ThreatStackAPIError")
        if (error._tag !== "ThreatStackAPIError") return
        expect([error.reason, error.attempts]).toEqual(["OutcomeUnknown", 1])
        expect(error.detail).toMatch(/^no answer within 200ms after the request was sent; not retried/)
        expect(s.arrived).toEqual(["POST /api/v1/silent"])
      })
    )

    it.scopedLive("a body declared larger than maxResponseBytes ends the request at once, not at the deadline", () =>
      Effect.gen(function* () {
        const s = yield* server
        const before = timers()
        const error = yield* Effect.flip(getAlert("oversize")).pipe(
          Effect.provide(sdk(s.baseUrl, { timeout: "60 seconds", maxResponseBytes: 10_000 }, http))
        )
        expect(error._tag).toBe("ThreatStackAPIError")
        if (error._tag !== "ThreatStackAPIError") return
        expect([error.reason, error.attempts]).toEqual(["InvalidResponse", 1])
        expect(error.detail).toMatch(/larger than maxResponseBytes/)
        // the connection is dropped by the client, and the deadline's timer with it
        yield* eventually(() => s.closed.length === 1)
        expect(s.closed).toEqual(["GET /api/alerts/oversize"])
        expect(timers() - before).toBeLessThan(1)
      })
    )

    it.scopedLive("an attempt runs in the caller's fiber: the timeout takes no fiber of its own", () =>
      Effect.gen(function* () {
        const s = yield* server
        const fibersFor = (layer: Layer.Layer<HttpClient.HttpClient>) =>
          Effect.gen(function* () {
            const count = new FiberCount()
            const alert = yield* getAlert("al1").pipe(Effect.supervised(count))
            expect(Option.isSome(alert)).toBe(true)
            return count.started
          }).pipe(Effect.provide(sdk(s.baseUrl, { timeout: "10 seconds" }, layer)))
        // the platform's client alone: the SDK times the attempt out in a fiber of its own
        expect(yield* fibersFor(platform)).toBe(1)
        expect(yield* fibersFor(http)).toBe(0)
      })
    )

    it.scopedLive("answers within the timeout come back, and leave no timer behind", () =>
      Effect.gen(function* () {
        const s = yield* server
        const before = timers()
        const ids = Array.from({ length: 20 }, (_, i) => `al${i}`)
        const alerts = yield* Effect.forEach(ids, getAlert, { concurrency: 4 }).pipe(
          Effect.provide(sdk(s.baseUrl, { timeout: "60 seconds" }, http))
        )
        expect(alerts.map((a) => Option.map(a, (x) => x.id))).toEqual(ids.map(Option.some))
        // a timer left per request would be 20 here
        expect(timers() - before).toBeLessThan(5)
      })
    )

    for (const [name, when] of [
      ["silent", "before the answer"],
      ["stalls", "mid-body"]
    ] as const) {
      it.scopedLive(`a caller that interrupts ${when} ends the request in flight, and its timer`, () =>
        Effect.gen(function* () {
          const s = yield* server
          // the SDK (and its connections) outlive the interrupted call: only the request may close
          yield* Effect.gen(function* () {
            const before = timers()
            const fiber = yield* Effect.fork(getAlert(name))
            yield* eventually(() => s.arrived.length === 1)
            // mid-body: the headers and half the body have had time to come
            yield* Effect.sleep("50 millis")
            expect(Exit.isInterrupted(yield* Fiber.interrupt(fiber))).toBe(true)
            yield* eventually(() => s.closed.length === 1)
            expect(s.closed).toEqual([`GET /api/alerts/${name}`])
            expect(timers() - before).toBeLessThan(1)
          }).pipe(Effect.provide(sdk(s.baseUrl, { timeout: "60 seconds" }, http)))
        })
      )
    }
  })
}

describe("NodeThreatStack's HTTP client ends a request waiting for a connection at the timeout", () => {
  it.scopedLive("a connection that never opens ends in Timeout at the deadline, not at the connect timeout", () =>
    Effect.gen(function* () {
      // a connector that never calls back: the request waits for a connection until something ends it
      const connecting: Array<string> = []
      const agent = yield* Effect.acquireRelease(
        Effect.sync(
          () =>
            new Undici.Agent({
              connect: (options) => {
                connecting.push(String(options.hostname))
              },
              connectTimeout: 60_000
            })
        ),
        (a) => Effect.promise(() => a.destroy())
      )
      const http = Layer.succeed(HttpClient.HttpClient, NodeThreatStack.makeHttpClient(agent))
      const error = yield* Effect.flip(getAlert("al1")).pipe(
        Effect.provide(sdk("http://127.0.0.1:9/api", { timeout: "200 millis" }, http))
      )
      expect([error._tag, attemptsOf(error)]).toEqual(["Timeout", 1])
      expect(connecting).toEqual(["127.0.0.1"])
    })
  )

  it.scopedLive(
    "a request that timed out waiting for a connection is aborted when one comes, and told nothing more",
    () =>
      Effect.gen(function* () {
        // a dispatcher of the user's that keeps each request waiting until the test hands it a connection
        const waiting: Array<Undici.Dispatcher.DispatchHandler> = []
        class Waiting extends Undici.Dispatcher {
          override dispatch(_options: Undici.Dispatcher.DispatchOptions, handler: Undici.Dispatcher.DispatchHandler) {
            waiting.push(handler)
            return true
          }
        }
        const http = Layer.succeed(HttpClient.HttpClient, NodeThreatStack.makeHttpClient(new Waiting()))
        const error = yield* Effect.flip(getAlert("al1")).pipe(
          Effect.provide(sdk("http://127.0.0.1:9/api", { timeout: "100 millis" }, http))
        )
        expect([error._tag, attemptsOf(error)]).toEqual(["Timeout", 1])
        // the connection comes: the request is aborted with the deadline at once, and not handed on
        const aborted: Array<unknown> = []
        expect(waiting.length).toBe(1)
        expect(() => waiting[0]?.onConnect?.((reason) => aborted.push(reason))).not.toThrow()
        expect(aborted.map((reason) => (reason instanceof Error ? reason.message : reason))).toEqual([
          "no answer within 100 ms"
        ])
        // a dispatcher that answers all the same: the answer is refused (false: pause), not handed on
        expect(waiting[0]?.onHeaders?.(200, [], () => {}, "OK")).toBe(false)
        expect(waiting[0]?.onData?.(Buffer.from("{}"))).toBe(false)
      })
  )

  it.scopedLive("a connection that opens after the deadline carries no request", () =>
    Effect.gen(function* () {
      const s = yield* server
      // a connector that opens the connection 300 ms late, past the 100 ms deadline
      const agent = yield* Effect.acquireRelease(
        Effect.sync(
          () =>
            new Undici.Agent({
              connect: (_options, done) => {
                setTimeout(() => {
                  const socket = connect(s.port, "127.0.0.1")
                  socket.once("connect", () => done(null, socket))
                }, 300)
              }
            })
        ),
        (a) => Effect.promise(() => a.destroy())
      )
      const http = Layer.succeed(HttpClient.HttpClient, NodeThreatStack.makeHttpClient(agent))
      const error = yield* Effect.flip(getAlert("al1")).pipe(
        Effect.provide(sdk(s.baseUrl, { timeout: "100 millis" }, http))
      )
      expect([error._tag, attemptsOf(error)]).toEqual(["Timeout", 1])
      // the connection came, and the timed-out request was not written to it
      yield* Effect.sleep("400 millis")
      expect(s.arrived).toEqual([])
    })
  )
})
