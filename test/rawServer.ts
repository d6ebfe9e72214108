/**
 * A bare `node:http` server for the tests over real HTTP that need answers
 * the fake API does not give (a server that never answers, stalls mid-body,
 * trickles), a real-time wait for what it records, and a count of the
 * process's timers.
 */
import { createServer } from "node:http"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, Schedule } from "effect"

/** What a test sees of its server. */
export interface RawServer {
  /** `http://127.0.0.1:PORT` */
  readonly base: string
  readonly port: number
  /** `METHOD /path` of each request, as it arrived. */
  readonly arrived: Array<string>
  /** `METHOD /path` of each request whose connection closed. */
  readonly closed: Array<string>
}

/**
 * A server on 127.0.0.1 answering each request with `handle` (given the
 * path, without the query); closed with the scope, every connection
 * dropped.
 */
export const rawServer = (handle: (req: IncomingMessage, res: ServerResponse, path: string) => void) =>
  Effect.acquireRelease(
    Effect.async<RawServer & { readonly http: ReturnType<typeof createServer> }>((resume) => {
      const arrived: Array<string> = []
      const closed: Array<string> = []
      const http = createServer((req, res) => {
        const path = (req.url ?? "").split("?")[0] ?? ""
        arrived.push(`${req.method} ${path}`)
        res.on("close", () => closed.push(`${req.method} ${path}`))
        handle(req, res, path)
      })
      http.listen(0, "127.0.0.1", () => {
        const port = (http.address() as AddressInfo).port
        resume(Effect.succeed({ base: `http://127.0.0.1:${port}`, port, arrived, closed, http }))
      })
    }),
    ({ http }) =>
      Effect.async<void>((resume) => {
        http.closeAllConnections()
        http.close(() => resume(Effect.void))
      })
  )

/** Waits (real time) until `check` holds, looking every 10 ms. */
export const eventually = (check: () => boolean) =>
  Effect.repeat(Effect.sync(check), { until: (ok) => ok, schedule: Schedule.spaced("10 millis") })

/** The timers this process holds (Node's own count of them). */
export const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length
