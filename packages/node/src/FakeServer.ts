/**
 * The fake Threat Stack API (`FakeThreatStack` from the core package) served
 * on a real port, both generations at once: v1 under `/api/v1`, v2 under
 * `/v2`. Only the socket is added here: the API's semantics live in the core
 * handler. What v2's Hawk check needs is taken from the wire as received: the
 * request target exactly as on the request line (never a re-serialised URL),
 * the `Host` header's host and port, and the body's bytes. A request target
 * the fake cannot read gets a 400, never a crash. Faults that need a socket
 * are real: `Drop` writes half the body and destroys the connection, `Hang`
 * never answers.
 *
 * Served with `node:http` directly rather than through `HttpServer`: the
 * faults need the raw socket, and the fake must not be the bottleneck of the
 * benchmarks.
 *
 * A port or host it cannot listen on (a port in use, an address not of this
 * machine, a port out of range) fails `make` with `InvalidArgument`
 * (`port` or `host`), never a defect.
 *
 * @since 0.1.0
 */
import { createServer } from "node:http"
import type { IncomingMessage, Server, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type { HttpClient } from "@effect/platform"
import { Context, Effect, FiberSet, Layer } from "effect"
import type { Scope } from "effect"
import { FakeThreatStack, ThreatStack, ThreatStackError } from "@effect-threatstack/core"
import type { ThreatStackConfig } from "@effect-threatstack/core"
import * as NodeThreatStack from "./NodeThreatStack.js"

/**
 * Where the fake listens, and the fake itself (to read requests, add faults).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FakeServer } from "@effect-threatstack/node"
 *
 * // what a script needs to point the official v2 client at the fake
 * const settings = Effect.map(FakeServer.FakeServer, (server: FakeServer.Service) => ({
 *   baseUrl: server.v2BaseUrl,
 *   ...server.v2Credentials
 * }))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The v1 base URL, e.g. `http://127.0.0.1:49152/api/v1`. */
  readonly baseUrl: string
  /** The v2 base URL, e.g. `http://127.0.0.1:49152/v2`. */
  readonly v2BaseUrl: string
  /** The v2 (Hawk) credentials the fake accepts: user id, API key, organization id. */
  readonly v2Credentials: FakeThreatStack.V2Credentials
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
  /** 0 to 65535. Default 0: an ephemeral port. */
  readonly port?: number | undefined
  /** A host name or address of this machine. Default `127.0.0.1`. */
  readonly host?: string | undefined
}

/** `host:port`, with an IPv6 address in brackets. */
const hostPort = (host: string, port: number) => `${host.includes(":") ? `[${host}]` : host}:${port}`

/** Why `listen` failed, in words, and which option to change. */
const listenFailure = (host: string, port: number, error: unknown): ThreatStackError.InvalidArgument => {
  const code = error instanceof Error && "code" in error ? error.code : undefined
  const [argument, why] =
    code === "EADDRINUSE"
      ? ["port", "the port is in use"]
      : code === "EACCES"
        ? ["port", "permission denied (ports below 1024 need privileges)"]
        : code === "EADDRNOTAVAIL"
          ? ["host", "the address is not one of this machine's"]
          : code === "ENOTFOUND" || code === "EAI_AGAIN"
            ? ["host", "the host name does not resolve"]
            : ["host", error instanceof Error ? error.message : String(error)]
  return new ThreatStackError.InvalidArgument({ argument, detail: `cannot listen on ${hostPort(host, port)}: ${why}` })
}

/** Starts listening, or fails with why not. */
const listen = (server: Server, host: string, port: number) =>
  Effect.async<void, ThreatStackError.InvalidArgument>((resume) => {
    const failed = (error: unknown) => resume(Effect.fail(listenFailure(host, port, error)))
    server.once("error", failed)
    try {
      server.listen(port, host, () => {
        server.off("error", failed)
        resume(Effect.void)
      })
    } catch (error) {
      server.off("error", failed)
      failed(error)
    }
  })

/** The port and host as given, checked. */
const checkAddress = (options: Options) =>
  Effect.gen(function* () {
    const port = options.port ?? 0
    const host = options.host ?? "127.0.0.1"
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      return yield* new ThreatStackError.InvalidArgument({
        argument: "port",
        detail: `expected a whole number from 0 to 65535 (0: any free port), got ${port}`
      })
    }
    if (host.trim() === "") {
      return yield* new ThreatStackError.InvalidArgument({
        argument: "host",
        detail: "expected a host name or address such as 127.0.0.1, got an empty one"
      })
    }
    return { port, host }
  })

const headersOf = (req: IncomingMessage): Record<string, string | undefined> => {
  const out: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(req.headers)) out[name] = Array.isArray(value) ? value.join(", ") : value
  return out
}

const send = (res: ServerResponse, answer: FakeThreatStack.FakeResponse) => {
  if (res.headersSent || res.destroyed) return
  const bytes = Buffer.from(answer.body)
  const noBody = answer.status === 204 || answer.status === 304
  res.writeHead(answer.status, noBody ? answer.headers : { ...answer.headers, "content-length": String(bytes.length) })
  if (noBody) {
    res.end()
    return
  }
  if (answer.delivery === "whole") {
    res.end(bytes)
    return
  }
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy())
}

const badRequest = (res: ServerResponse, message: string) =>
  send(res, {
    status: 400,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ errors: [message] }),
    delivery: "whole"
  })

/** The most a request body may hold. */
const maxBody = 10 * 1024 * 1024

/**
 * The host and port a client addressed, from the `Host` header
 * (`host`, `host:port`, `[v6]:port`); without a port, the scheme's (80).
 */
const addressed = (header: string | undefined): { readonly host: string; readonly port: number } | undefined => {
  if (header === undefined || header === "") return undefined
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+)(?::(\d{1,5}))?$/.exec(header.trim())
  if (match === null) return undefined
  const port = match[2] === undefined ? 80 : Number(match[2])
  return port > 65535 ? undefined : { host: (match[1] ?? "").toLowerCase(), port }
}

/**
 * The origin-form target of a request line (an absolute-form one loses its
 * scheme and authority, which must be a valid one: `http://[/…` is not).
 */
const originForm = (target: string): string | undefined => {
  if (target.startsWith("/")) return target
  const absolute = /^https?:\/\/([^/?#]*)(.*)$/i.exec(target)
  if (absolute === null || !URL.canParse(`http://${absolute[1] ?? ""}/`)) return undefined
  const rest = absolute[2] ?? ""
  return rest.startsWith("/") ? rest : `/${rest}`
}

/**
 * Serves a fake on a port until the scope closes. Fails with
 * `InvalidArgument` (`port` or `host`) for a port out of range or in use, or
 * an address it cannot listen on.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { FakeServer } from "@effect-threatstack/node"
 *
 * Effect.scoped(
 *   Effect.gen(function* () {
 *     const server = yield* FakeServer.make({ port: 0 })
 *     yield* Effect.log(`v1 ${server.baseUrl}, v2 ${server.v2BaseUrl} as ${server.v2Credentials.userId}`)
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, ThreatStackError.InvalidArgument, Scope.Scope> =>
  Effect.gen(function* () {
    const where = yield* checkAddress(options)
    const fake = yield* FakeThreatStack.make(options)
    const run = yield* FiberSet.makeRuntime<never, void, never>()
    let listening: AddressInfo | undefined
    const serve = (req: IncomingMessage, res: ServerResponse, body: Uint8Array) => {
      const rawTarget = originForm(req.url ?? "")
      const headers = headersOf(req)
      const local = listening
      const target = addressed(headers.host) ?? {
        host: local?.address ?? "127.0.0.1",
        port: local?.port ?? 80
      }
      let url: URL
      try {
        if (rawTarget === undefined) throw new Error("not an origin-form target")
        url = new URL(rawTarget, `http://${target.host}:${target.port}`)
      } catch {
        badRequest(res, `the request target cannot be read: ${JSON.stringify(req.url ?? "")}`)
        return
      }
      const fiber = run(
        Effect.map(
          fake.handle({
            method: req.method ?? "GET",
            url,
            headers,
            rawTarget,
            body,
            host: target.host,
            port: target.port
          }),
          (answer) => send(res, answer)
        ).pipe(
          // a bug of the fake's own is a 500, never an exception out of the request handler
          Effect.catchAllCause(() =>
            Effect.sync(() =>
              send(res, {
                status: 500,
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ errors: ["the fake could not answer this request"] }),
                delivery: "whole"
              })
            )
          )
        )
      )
      res.on("close", () => fiber.unsafeInterruptAsFork(fiber.id()))
    }
    const server = createServer((req, res) => {
      try {
        const chunks: Array<Buffer> = []
        let size = 0
        let refused = false
        req.on("data", (chunk: Buffer) => {
          size += chunk.byteLength
          if (size > maxBody) {
            if (!refused) {
              refused = true
              send(res, {
                status: 413,
                headers: { "content-type": "application/json", connection: "close" },
                body: JSON.stringify({ errors: ["request body too large"] }),
                delivery: "whole"
              })
            }
            return
          }
          chunks.push(chunk)
        })
        req.on("end", () => {
          if (refused) return
          try {
            serve(req, res, new Uint8Array(Buffer.concat(chunks)))
          } catch {
            badRequest(res, "the request cannot be read")
          }
        })
        req.on("error", () => res.destroy())
      } catch {
        badRequest(res, "the request cannot be read")
      }
    })
    // a request line or header the HTTP parser rejects: answer 400 rather than drop the socket silently
    server.on("clientError", (_error, socket) => {
      if (socket.writable) {
        const body = JSON.stringify({ errors: ["malformed request"] })
        socket.end(
          `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
        )
      } else {
        socket.destroy()
      }
    })
    server.keepAliveTimeout = 60_000
    yield* Effect.acquireRelease(listen(server, where.host, where.port), () =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        server.closeAllConnections()
      })
    )
    const address = server.address() as AddressInfo
    listening = address
    const origin = `http://${hostPort(address.address, address.port)}`
    return {
      baseUrl: `${origin}${(options.basePath ?? "/api/v1").replace(/\/+$/, "")}`,
      v2BaseUrl: `${origin}${(options.v2BasePath ?? "/v2").replace(/\/+$/, "")}`,
      v2Credentials: fake.v2Credentials,
      port: address.port,
      fake
    }
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
export const layer = (
  options: Options = {}
): Layer.Layer<FakeServer | FakeThreatStack.FakeThreatStack, ThreatStackError.InvalidArgument> =>
  Layer.scopedContext(
    Effect.map(make(options), (server) =>
      Context.make(FakeServer, server).pipe(Context.add(FakeThreatStack.FakeThreatStack, server.fake))
    )
  )

/**
 * The served fake and every SDK service pointed at it over Node's real HTTP
 * client (`NodeThreatStack.layerHttpClient`, undici, unless you pass another
 * `HttpClient` layer): what end-to-end tests and the demo use.
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
  settings: Omit<ThreatStackConfig.Options, "apiKey" | "baseUrl"> & { readonly apiKey?: string } = {},
  http: Layer.Layer<HttpClient.HttpClient> = NodeThreatStack.layerHttpClient
): Layer.Layer<ThreatStack.Services | FakeServer | FakeThreatStack.FakeThreatStack, ThreatStackError.InvalidArgument> =>
  Layer.unwrapEffect(
    Effect.map(FakeServer, (server) =>
      ThreatStack.layer({ apiKey: server.fake.apiKey, ...settings, baseUrl: server.baseUrl }).pipe(Layer.provide(http))
    )
  ).pipe(Layer.provideMerge(layer(options)))
