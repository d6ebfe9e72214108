/**
 * The fake served on a real port: both generations on one port, v2 Hawk
 * checked over the wire as received (requests signed by @hapi/hawk's client,
 * sent with fetch or written byte by byte on a socket), and requests the fake
 * cannot read answered with a 400 instead of a crash. Every server binds
 * 127.0.0.1 and is closed by its scope, whatever the test's outcome.
 */
import { connect } from "node:net"
import * as HapiHawk from "@hapi/hawk"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { FakeThreatStack, ThreatStackError } from "@effect-threatstack/core"
import { FakeServer } from "@effect-threatstack/node"

const CREDENTIALS = FakeThreatStack.defaultV2Credentials

interface Signing {
  readonly method?: string
  readonly body?: string
  /** Sign this body instead of the one sent. */
  readonly signedBody?: string
  /** Sign this URL instead of the one sent. */
  readonly signedUrl?: string
  readonly key?: string
  readonly ext?: string
  /** Seconds added to the real clock in `ts`. */
  readonly skew?: number
  readonly rewrite?: (header: string) => string
}

const hawkHeader = (url: string | HapiHawk.RequestArtifacts, method: string, signing: Signing, payload?: string) => {
  const { header } = HapiHawk.client.header(url as string, method, {
    credentials: { id: CREDENTIALS.userId, key: signing.key ?? CREDENTIALS.apiKey, algorithm: "sha256" },
    ext: signing.ext ?? CREDENTIALS.orgId,
    timestamp: Math.floor(Date.now() / 1000) + (signing.skew ?? 0),
    ...(payload === undefined ? {} : { payload, contentType: "application/json" })
  })
  return signing.rewrite === undefined ? header : signing.rewrite(header)
}

/** fetch with a Hawk header from @hapi/hawk's client. */
const hawkFetch = (url: string, signing: Signing = {}) =>
  Effect.promise(async () => {
    const method = signing.method ?? "GET"
    const authorization = hawkHeader(signing.signedUrl ?? url, method, signing, signing.signedBody ?? signing.body)
    const response = await fetch(url, {
      method,
      headers: { authorization, ...(signing.body === undefined ? {} : { "content-type": "application/json" }) },
      ...(signing.body === undefined ? {} : { body: signing.body })
    })
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: text === "" ? undefined : (JSON.parse(text) as unknown)
    }
  })

/** Writes `request` on a fresh socket and reads the whole answer. */
const rawExchange = (port: number, request: string) =>
  Effect.async<{ readonly status: number; readonly body: string }>((resume) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request))
    let data = ""
    socket.setEncoding("utf8")
    socket.on("data", (chunk: string) => {
      data += chunk
    })
    socket.on("close", () => {
      const [head = "", ...rest] = data.split("\r\n\r\n")
      resume(Effect.succeed({ status: Number(head.split(" ")[1]), body: rest.join("\r\n\r\n") }))
    })
    socket.on("error", () => undefined)
    return Effect.sync(() => socket.destroy())
  })

const served = <A, E>(options: FakeServer.Options, f: (server: FakeServer.Service) => Effect.Effect<A, E>) =>
  Effect.scoped(Effect.flatMap(FakeServer.make({ host: "127.0.0.1", ...options }), f))

describe("the served fake: both generations on one port", () => {
  it.live("v1 with the raw key, v2 with Hawk, from the same data", () =>
    served({}, (server) =>
      Effect.gen(function* () {
        expect(server.v2BaseUrl).toBe(`http://127.0.0.1:${server.port}/v2`)
        expect(server.baseUrl).toBe(`http://127.0.0.1:${server.port}/api/v1`)
        expect(server.v2Credentials).toEqual(CREDENTIALS)
        const v1 = yield* Effect.promise(() =>
          fetch(`${server.baseUrl}/alerts?count=3`, { headers: { authorization: server.fake.apiKey } }).then(
            (r) => r.json() as Promise<ReadonlyArray<{ id: string; severity: number }>>
          )
        )
        const v2 = yield* hawkFetch(`${server.v2BaseUrl}/alerts/${v1[0]!.id}`)
        expect(v2.status).toBe(200)
        expect(v2.json).toMatchObject({ id: v1[0]!.id, severity: v1[0]!.severity })
        const page = yield* hawkFetch(`${server.v2BaseUrl}/alerts?status=active`)
        const token = (page.json as { token: string }).token
        const next = yield* hawkFetch(`${server.v2BaseUrl}/alerts?token=${token}`)
        expect(next.status).toBe(200)
        const requests = yield* server.fake.requests
        expect(requests.map((r) => [r.generation, r.path, r.page])).toEqual([
          [1, "alerts", undefined],
          [2, `alerts/${v1[0]!.id}`, 0],
          [2, "alerts", 0],
          [2, "alerts", 1]
        ])
        expect(requests.every((r) => r.headers.authorization === "<redacted>")).toBe(true)
      })
    )
  )
})

describe("the served fake's base paths", () => {
  it.live("a basePath of '/' serves v1 at the origin, which baseUrl then is; v2 stays under /v2", () =>
    served({ basePath: "/" }, (server) =>
      Effect.gen(function* () {
        expect(server.baseUrl).toBe(`http://127.0.0.1:${server.port}`)
        const v1 = yield* Effect.promise(() =>
          fetch(`${server.baseUrl}/alerts?count=3`, { headers: { authorization: server.fake.apiKey } }).then(
            (r) => r.json() as Promise<ReadonlyArray<unknown>>
          )
        )
        expect(v1).toHaveLength(3)
        const v2 = yield* hawkFetch(`${server.v2BaseUrl}/alerts?status=active`)
        expect(v2.status).toBe(200)
        expect((yield* server.fake.requests).map((r) => [r.generation, r.path])).toEqual([
          [1, "alerts"],
          [2, "alerts"]
        ])
      })
    )
  )
})

describe("the served fake checks Hawk over the wire", () => {
  it.live("accepts hapi-signed reads and writes; rejects a tampered query, a tampered body, a wrong key", () =>
    served({}, (server) =>
      Effect.gen(function* () {
        const base = server.v2BaseUrl
        expect((yield* hawkFetch(`${base}/agents?status=online`)).status).toBe(200)
        const body = JSON.stringify({ name: "Served ruleset", ruleIds: [] })
        const created = yield* hawkFetch(`${base}/rulesets`, { method: "POST", body })
        expect(created.status).toBe(200)
        expect(created.json).toMatchObject({ name: "Served ruleset", rules: [] })
        const query = yield* hawkFetch(`${base}/agents?status=offline`, { signedUrl: `${base}/agents?status=online` })
        expect([query.status, query.json]).toEqual([401, { errors: ["Bad mac"] }])
        const tampered = yield* hawkFetch(`${base}/rulesets`, { method: "POST", body, signedBody: `${body} ` })
        expect([tampered.status, tampered.json]).toEqual([401, { errors: ["Bad payload hash"] }])
        expect((yield* hawkFetch(`${base}/agents?status=online`, { key: "wrong-key" })).status).toBe(401)
      })
    )
  )

  it.live("a stale timestamp: 401 with WWW-Authenticate; another organization: 403", () =>
    served({}, (server) =>
      Effect.gen(function* () {
        const stale = yield* hawkFetch(`${server.v2BaseUrl}/agents?status=online`, { skew: -120 })
        expect(stale.status).toBe(401)
        expect(stale.headers.get("www-authenticate")).toMatch(/^Hawk ts="\d+", tsm="[^"]+", error="Stale timestamp"$/)
        const other = yield* hawkFetch(`${server.v2BaseUrl}/agents?status=online`, { ext: "5affffff0000000000000000" })
        expect(other.status).toBe(403)
      })
    )
  )

  it.live("attributes in mohawk's order are accepted", () =>
    served({}, (server) =>
      Effect.gen(function* () {
        const mohawkOrder = (header: string) => {
          const attributes = new Map(
            [...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? "", m[2] ?? ""] as const)
          )
          return `Hawk ${["mac", "hash", "id", "ts", "nonce", "ext"]
            .filter((name) => attributes.has(name))
            .map((name) => `${name}="${attributes.get(name)}"`)
            .join(", ")}`
        }
        expect((yield* hawkFetch(`${server.v2BaseUrl}/agents?status=online`, { rewrite: mohawkOrder })).status).toBe(
          200
        )
        const body = JSON.stringify({ name: "mohawk", ruleIds: [] })
        expect(
          (yield* hawkFetch(`${server.v2BaseUrl}/rulesets`, { method: "POST", body, rewrite: mohawkOrder })).status
        ).toBe(200)
      })
    )
  )

  it.live("the MAC covers the request target exactly as received, never a re-serialised URL", () =>
    served({}, (server) =>
      Effect.gen(function* () {
        // `new URL` would turn ' into %27: the fake must MAC the bytes of the request line
        const search = "?status=online&hostname=o'brien"
        const header = hawkHeader(
          {
            protocol: "http:",
            hostname: "127.0.0.1",
            port: String(server.port),
            pathname: "/v2/agents",
            search
          } as unknown as HapiHawk.RequestArtifacts,
          "GET",
          {}
        )
        const request = (target: string) =>
          `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: ${header}\r\nConnection: close\r\n\r\n`
        const raw = yield* rawExchange(server.port, request(`/v2/agents${search}`))
        expect([raw.status, raw.body]).toEqual([200, JSON.stringify({ agents: [], token: null })])
        const normalised = yield* rawExchange(server.port, request("/v2/agents?status=online&hostname=o%27brien"))
        expect(normalised.status).toBe(401)
        // the parameters in another order are another request target
        const sorted = hawkHeader(`${server.v2BaseUrl}/agents?status=online&type=monitor`, "GET", {})
        const reordered = yield* rawExchange(
          server.port,
          `GET /v2/agents?type=monitor&status=online HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: ${sorted}\r\nConnection: close\r\n\r\n`
        )
        expect(reordered.status).toBe(401)
      })
    )
  )
})

describe("the served fake answers what it cannot read with a 400", () => {
  it.live("a malformed request line, an asterisk target, bad percent-encoding; and it keeps serving", () =>
    served({}, (server) =>
      Effect.gen(function* () {
        const garbage = yield* rawExchange(server.port, "THIS IS NOT HTTP\r\n\r\n")
        expect(garbage.status).toBe(400)
        const asterisk = yield* rawExchange(
          server.port,
          `OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n\r\n`
        )
        expect(asterisk.status).toBe(400)
        const v1 = yield* Effect.promise(() =>
          fetch(`${server.baseUrl}/agents/%zz`, { headers: { authorization: server.fake.apiKey } })
        )
        expect(v1.status).toBe(400)
        const v2 = yield* hawkFetch(`${server.v2BaseUrl}/agents/%E0%A4%A`)
        expect(v2.status).toBe(400)
        const absolute = yield* rawExchange(
          server.port,
          `GET http://127.0.0.1:${server.port}/api/v1/agents?count=1 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: ${server.fake.apiKey}\r\nConnection: close\r\n\r\n`
        )
        expect(absolute.status).toBe(200)
        expect((yield* hawkFetch(`${server.v2BaseUrl}/agents?status=online`)).status).toBe(200)
      })
    )
  )

  it.live("an absolute-form target with a broken authority, a lone % in the path: 400, not served", () =>
    served({}, (server) =>
      Effect.gen(function* () {
        const request = (target: string) =>
          `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAuthorization: ${server.fake.apiKey}\r\nConnection: close\r\n\r\n`
        for (const target of ["http://[/api/v1/agents", "http://[::1/api/v1/agents", "http:///api/v1/agents"]) {
          const broken = yield* rawExchange(server.port, request(target))
          expect([broken.status, JSON.parse(broken.body)]).toEqual([
            400,
            { errors: [`the request target cannot be read: ${JSON.stringify(target)}`] }
          ])
        }
        const percent = yield* rawExchange(server.port, request("/api/v1/policies/%"))
        expect([percent.status, JSON.parse(percent.body)]).toEqual([
          400,
          { status: "error", message: "malformed percent-encoding in the path: policies/%" }
        ])
        expect((yield* rawExchange(server.port, request("/api/v1/policies"))).status).toBe(200)
      })
    )
  )

  it.live("a rate limit over the wire: x-rate-limit-remaining, then 429 with x-rate-limit-reset", () =>
    served({ rateLimit: { limit: 2, interval: "1 minute" } }, (server) =>
      Effect.gen(function* () {
        const first = yield* hawkFetch(`${server.v2BaseUrl}/agents?status=online`)
        expect(first.headers.get("x-rate-limit-remaining")).toBe("1")
        const v1 = yield* Effect.promise(() =>
          fetch(`${server.baseUrl}/agents`, { headers: { authorization: server.fake.apiKey } })
        )
        expect(v1.headers.get("x-rate-limit-remaining")).toBe("0")
        const limited = yield* hawkFetch(`${server.v2BaseUrl}/agents?status=online`)
        expect(limited.status).toBe(429)
        expect(Number(limited.headers.get("x-rate-limit-reset"))).toBeGreaterThan(50_000)
      })
    )
  )

  it.live("a 204 member removal has no body over the wire", () =>
    served({}, (server) =>
      Effect.gen(function* () {
        const members = (yield* hawkFetch(`${server.v2BaseUrl}/organizations/members`)).json as {
          members: ReadonlyArray<{ id: string }>
        }
        const removed = yield* hawkFetch(`${server.v2BaseUrl}/organizations/members/${members.members[2]!.id}`, {
          method: "DELETE"
        })
        expect([removed.status, removed.text]).toEqual([204, ""])
      })
    )
  )
})

describe("the served fake where it cannot listen: a typed error, never a defect", () => {
  it.live("a port in use, an address not of this machine, a name that does not resolve", () =>
    served({}, (server) =>
      Effect.gen(function* () {
        const failures = [
          [{ port: server.port }, "port", `cannot listen on 127.0.0.1:${server.port}: the port is in use`],
          [{ host: "192.0.2.1" }, "host", "cannot listen on 192.0.2.1:0: the address is not one of this machine's"],
          [
            { host: "no-such-host.invalid" },
            "host",
            "cannot listen on no-such-host.invalid:0: the host name does not resolve"
          ]
        ] as const
        for (const [options, argument, detail] of failures) {
          const error = yield* Effect.flip(served(options, () => Effect.void))
          expect(error).toBeInstanceOf(ThreatStackError.InvalidArgument)
          expect([error.argument, error.detail]).toEqual([argument, detail])
        }
        // the server whose port it is keeps serving
        const still = yield* Effect.promise(() =>
          fetch(`${server.baseUrl}/policies`, { headers: { authorization: server.fake.apiKey } })
        )
        expect(still.status).toBe(200)
      })
    )
  )

  it.live("a port out of range or not whole, an empty host: InvalidArgument before anything starts", () =>
    Effect.gen(function* () {
      for (const port of [-1, 65536, 70000, 1.5, Number.NaN]) {
        const error = yield* Effect.flip(served({ port }, () => Effect.void))
        expect([error.argument, error.detail]).toEqual([
          "port",
          `expected a whole number from 0 to 65535 (0: any free port), got ${port}`
        ])
      }
      const empty = yield* Effect.flip(served({ host: " " }, () => Effect.void))
      expect(empty.argument).toBe("host")
    })
  )
})
