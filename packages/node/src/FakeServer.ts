/**
 * The fake Threat Stack API (`FakeThreatStack` from the core package) served
 * on a real port. Only the socket is added here: the API's semantics live in
 * the core handler. Faults that need a socket are real: `Drop` writes half
 * the body and destroys the connection, `Hang` never answers.
 *
 * Served with `node:http` directly rather than through `HttpServer`: the
 * faults need the raw socket, and the fake must not be the bottleneck of the
 * benchmarks.
 *
 * @since 0.1.0
 */
import { createServer } from "node:http"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Context, Effect, FiberSet, Layer } from "effect"
import type { Scope } from "effect"
import { FakeThreatStack, ThreatStack } from "@effect-threatstack/core"
import type { ThreatStackConfig, ThreatStackError } from "@effect-threatstack/core"

/**
 * Where the fake listens, and the fake itself (to read requests, add faults).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FakeServer } from "@effect-threatstack/node"
 *
 * const port = Effect.map(FakeServer.FakeServer, (server: FakeServer.Service) => server.port)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The versioned base URL, e.g. `http://127.0.0.1:49152/api/v1`. */
  readonly baseUrl: string
  readonly port: number
  readonly fake: FakeThreatStack.Service
}

/**
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FakeServer } from "@effect-threatstack/node"
 *
 * const url = Effect.map(FakeServer.FakeServer, (server) => server.baseUrl)
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class FakeServer extends Context.Tag("@effect-threatstack/node/FakeServer")<FakeServer, Service>() {}

/**
 * Options: the fake's, plus where to listen.
 *
 * @example
 * ```ts
 * import type { FakeServer } from "@effect-threatstack/node"
 *
 * const options: FakeServer.Options = { port: 8080, counts: { alerts: 1_000_000 } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends FakeThreatStack.Options {
  /** Default 0: an ephemeral port. */
  readonly port?: number | undefined
  /** Default `127.0.0.1`. */
  readonly host?: string | undefined
}

const headersOf = (req: IncomingMessage): Record<string, string | undefined> => {
  const out: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(req.headers)) out[name] = Array.isArray(value) ? value.join(", ") : value
  return out
}

const send = (res: ServerResponse, answer: FakeThreatStack.FakeResponse) => {
  const bytes = Buffer.from(answer.body)
  res.writeHead(answer.status, { ...answer.headers, "content-length": String(bytes.length) })
  if (answer.delivery === "whole") {
    res.end(bytes)
    return
  }
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy())
}

/**
 * Serves a fake on a port until the scope closes.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FakeServer } from "@effect-threatstack/node"
 *
 * Effect.scoped(
 *   Effect.gen(function* () {
 *     const server = yield* FakeServer.make({ port: 0 })
 *     yield* Effect.log(server.baseUrl)
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, never, Scope.Scope> =>
  Effect.gen(function* () {
    const fake = yield* FakeThreatStack.make(options)
    const run = yield* FiberSet.makeRuntime<never, void, never>()
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://fake.invalid")
      const fiber = run(
        Effect.map(fake.handle({ method: req.method ?? "GET", url, headers: headersOf(req) }), (answer) =>
          send(res, answer)
        )
      )
      res.on("close", () => fiber.unsafeInterruptAsFork(fiber.id()))
    })
    server.keepAliveTimeout = 60_000
    yield* Effect.acquireRelease(
      Effect.async<void>((resume) => {
        server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resume(Effect.void))
      }),
      () =>
        Effect.async<void>((resume) => {
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
        })
    )
    const address = server.address() as AddressInfo
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address
    return { baseUrl: `http://${host}:${address.port}${options.basePath ?? "/api/v1"}`, port: address.port, fake }
  })

/**
 * The served fake as a layer: `FakeServer` and `FakeThreatStack`.
 *
 * @example
 * ```ts
 * import { FakeServer } from "@effect-threatstack/node"
 *
 * const ServerLive = FakeServer.layer({ counts: { alerts: 1_000_000 } })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<FakeServer | FakeThreatStack.FakeThreatStack> =>
  Layer.scopedContext(
    Effect.map(make(options), (server) =>
      Context.make(FakeServer, server).pipe(Context.add(FakeThreatStack.FakeThreatStack, server.fake))
    )
  )

/**
 * The served fake and every SDK service pointed at it over Node's real HTTP
 * client: what end-to-end tests and the demo use.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { ThreatStack } from "@effect-threatstack/core"
 * import { FakeServer } from "@effect-threatstack/node"
 *
 * Effect.gen(function* () {
 *   const client = yield* ThreatStack.ThreatStack
 *   return yield* Stream.runCollect(client.policies.list())
 * }).pipe(Effect.provide(FakeServer.layerWithClient()))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithClient = (
  options: Options = {},
  settings: Omit<ThreatStackConfig.Options, "apiKey" | "baseUrl"> & { readonly apiKey?: string } = {}
): Layer.Layer<ThreatStack.Services | FakeServer | FakeThreatStack.FakeThreatStack, ThreatStackError.InvalidArgument> =>
  Layer.unwrapEffect(
    Effect.map(FakeServer, (server) =>
      ThreatStack.layer({ apiKey: server.fake.apiKey, ...settings, baseUrl: server.baseUrl }).pipe(
        Layer.provide(NodeHttpClient.layerUndici)
      )
    )
  ).pipe(Layer.provideMerge(layer(options)))
