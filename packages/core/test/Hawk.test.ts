import { afterEach, describe, expect, it, vi } from "@effect/vitest"
import { Either, Redacted } from "effect"
import * as HapiHawk from "@hapi/hawk"
import * as Hawk from "../src/internal/Hawk.js"
import * as HawkVerifier from "../src/internal/HawkVerifier.js"

// §2.7b of the reference (computed with mohawk 1.1.0).
const ID = "test_user_id"
const KEY = "test_api_key"
const ORG = "5d7bb7c49f4d069836a064c2"
const TS = 1_500_000_000
const NONCE = "abc123"
const HOST = "api.threatstack.com"
const GET_MAC = "dMrqgjE0zf3yC2upEqVB4Z4vy8yITbOlUNA+YfYoZHA="
const POST_BODY = '{"name": "API Test Ruleset", "description": "x", "ruleIds": []}'
const POST_HASH = "6N60RJe5I4RtGIO7fFTakHRKwUDLBE+EX0YDD5NiTTs="
const POST_MAC = "sUVVnSj8v26qp46kpPMZvJrZnoCTExbbzypzkI0W5iA="

const credentials: Hawk.Credentials = { id: ID, key: Redacted.make(KEY) }
const hapiCredentials = { id: ID, key: KEY, algorithm: "sha256" } as const
const hapiLookup = (id: string) => (id === ID ? hapiCredentials : null)
const lookupKey = (id: string) => (id === ID ? KEY : undefined)
const utf8 = (text: string) => new TextEncoder().encode(text)

/** The attributes of a `Hawk k="v", …` header, in the order they appear. */
const attributesOf = (header: string): Array<[string, string]> =>
  [...header.matchAll(/(\w+)="([^"]*)"/g)].map((m): [string, string] => [m[1]!, m[2]!])

/** The same header with its attributes in `order` (absent ones skipped). */
const reorder = (header: string, order: ReadonlyArray<string>): string => {
  const values = new Map(attributesOf(header))
  const present = order.filter((name) => values.has(name))
  expect(present.length).toBe(values.size)
  return `Hawk ${present.map((name) => `${name}="${values.get(name)}"`).join(", ")}`
}

const MOHAWK_ORDER = ["mac", "hash", "id", "ts", "nonce", "ext"]
const HAWK_GO_ORDER = ["id", "mac", "ts", "nonce", "hash", "ext"]

/** Signs a request to `url` with the SDK's signer, as the client would send it. */
const sign = async (
  method: string,
  url: URL,
  options: { ts: number; ext?: string; body?: { contentType: string; text: string } }
) => {
  const target = Hawk.targetOf(url)
  const hash =
    options.body === undefined ? undefined : await Hawk.payloadHash(options.body.contentType, options.body.text)
  const authorization = await Hawk.header(credentials, {
    method,
    ...target,
    ts: options.ts,
    nonce: Hawk.makeNonce(globalThis.crypto.getRandomValues(new Uint8Array(6))),
    ext: options.ext,
    hash
  })
  return { target, authorization }
}

/** The error message of a rejected promise (fails the test if it resolved). */
const rejection = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
  throw new Error("expected a rejection")
}

/** @hapi/hawk's server answer header of a Boom error. */
const wwwAuthenticateOf = (error: unknown): string | undefined => {
  if (typeof error !== "object" || error === null || !("output" in error)) return undefined
  const output: unknown = error.output
  if (typeof output !== "object" || output === null || !("headers" in output)) return undefined
  const headers: unknown = output.headers
  if (typeof headers !== "object" || headers === null || !("WWW-Authenticate" in headers)) return undefined
  const value: unknown = headers["WWW-Authenticate"]
  return typeof value === "string" ? value : undefined
}

describe("Hawk signer: §2.7b vectors", () => {
  const getArtifacts: Hawk.Artifacts = {
    method: "GET",
    resource: "/v2/agents?status=online",
    host: HOST,
    port: 443,
    ts: TS,
    nonce: NONCE,
    ext: ORG
  }

  it("GET /v2/agents?status=online: normalized string, mac and header", async () => {
    expect(Hawk.normalized("header", getArtifacts)).toBe(
      `hawk.1.header\n1500000000\nabc123\nGET\n/v2/agents?status=online\napi.threatstack.com\n443\n\n${ORG}\n`
    )
    expect(await Hawk.mac(Redacted.make(KEY), Hawk.normalized("header", getArtifacts))).toBe(GET_MAC)
    expect(await Hawk.header(credentials, getArtifacts)).toBe(
      `Hawk id="${ID}", ts="1500000000", nonce="abc123", ext="${ORG}", mac="${GET_MAC}"`
    )
  })

  it("the target of the vector's URL is the vector's resource, host and port", () => {
    expect(Hawk.targetOf(new URL("https://api.threatstack.com/v2/agents?status=online"))).toEqual({
      resource: "/v2/agents?status=online",
      host: HOST,
      port: 443
    })
  })

  it("POST /v2/rulesets: payload hash (string and bytes, content-type params ignored) and mac", async () => {
    expect(await Hawk.payloadHash("application/json", POST_BODY)).toBe(POST_HASH)
    expect(await Hawk.payloadHash("application/json", utf8(POST_BODY))).toBe(POST_HASH)
    expect(await Hawk.payloadHash("Application/JSON; charset=utf-8", POST_BODY)).toBe(POST_HASH)
    expect(await Hawk.payloadHash("text/plain", POST_BODY)).not.toBe(POST_HASH)
    expect(await Hawk.payloadHash("application/json", `${POST_BODY} `)).not.toBe(POST_HASH)
    const header = await Hawk.header(credentials, {
      method: "post",
      resource: "/v2/rulesets",
      host: HOST,
      port: 443,
      ts: TS,
      nonce: NONCE,
      ext: ORG,
      hash: POST_HASH
    })
    expect(header).toBe(
      `Hawk id="${ID}", ts="1500000000", nonce="abc123", hash="${POST_HASH}", ext="${ORG}", mac="${POST_MAC}"`
    )
  })

  it("response vector: hawk.1.response over the request's values and the response hash", async () => {
    const hash = await Hawk.payloadHash("application/json; charset=utf-8", '{"agents":[],"token":null}')
    expect(hash).toBe("TEPeuUHdCJjl9fOm+YQ3bmkI/ArOwTG/CWhRATNdJRI=")
    const normalized = Hawk.normalized("response", { ...getArtifacts, ext: undefined, hash })
    expect(normalized.startsWith("hawk.1.response\n")).toBe(true)
    expect(await Hawk.mac(Redacted.make(KEY), normalized)).toBe("QBTKeEf4OO7oXaf11Z+cqbZtq/2OiCe+k56QzYP7+hQ=")
  })

  it("@hapi/hawk's client computes the same vector macs", () => {
    const get = HapiHawk.client.header("https://api.threatstack.com/v2/agents?status=online", "GET", {
      credentials: hapiCredentials,
      ext: ORG,
      timestamp: TS,
      nonce: NONCE
    })
    expect(get.header).toContain(`mac="${GET_MAC}"`)
    const post = HapiHawk.client.header("https://api.threatstack.com/v2/rulesets", "POST", {
      credentials: hapiCredentials,
      ext: ORG,
      timestamp: TS,
      nonce: NONCE,
      payload: POST_BODY,
      contentType: "application/json"
    })
    expect(post.header).toContain(`hash="${POST_HASH}"`)
    expect(post.header).toContain(`mac="${POST_MAC}"`)
  })
})

describe("Hawk verifier: §2.7b vectors", () => {
  it("accepts the GET vector in mohawk's attribute order", async () => {
    const result = await HawkVerifier.verify({
      authorization: `Hawk mac="${GET_MAC}", id="${ID}", ts="${TS}", nonce="${NONCE}", ext="${ORG}"`,
      method: "GET",
      rawTarget: "/v2/agents?status=online",
      host: HOST,
      port: 443,
      now: TS * 1000,
      lookupKey
    })
    expect(result).toEqual({ _tag: "Ok", id: ID, ext: ORG, ts: TS, nonce: NONCE })
  })

  it("accepts the POST vector with its body", async () => {
    const result = await HawkVerifier.verify({
      authorization: `Hawk mac="${POST_MAC}", hash="${POST_HASH}", id="${ID}", ts="${TS}", nonce="${NONCE}", ext="${ORG}"`,
      method: "POST",
      rawTarget: "/v2/rulesets",
      host: "API.threatstack.com",
      port: 443,
      body: { contentType: "application/json", bytes: utf8(POST_BODY) },
      now: TS * 1000,
      lookupKey
    })
    expect(result).toEqual({ _tag: "Ok", id: ID, ext: ORG, ts: TS, nonce: NONCE })
  })

  it("rejects the GET vector with another query order", async () => {
    const result = await HawkVerifier.verify({
      authorization: `Hawk mac="${GET_MAC}", id="${ID}", ts="${TS}", nonce="${NONCE}", ext="${ORG}"`,
      method: "GET",
      rawTarget: "/v2/agents?status=online&",
      host: HOST,
      port: 443,
      now: TS * 1000,
      lookupKey
    })
    expect(result).toEqual({ _tag: "Unauthorized", message: "Bad mac" })
  })
})

describe("Hawk signer, checked by @hapi/hawk's server", () => {
  const hapiAuthenticate = (
    method: string,
    signed: { target: { resource: string; host: string; port: number }; authorization: string },
    options: { url?: string; contentType?: string; payload?: string } = {}
  ) =>
    HapiHawk.server.authenticate(
      {
        method,
        url: options.url ?? signed.target.resource,
        headers: {
          host: `${signed.target.host}:${signed.target.port}`,
          authorization: signed.authorization,
          "content-type": options.contentType
        }
      },
      hapiLookup,
      options.payload === undefined ? {} : { payload: options.payload }
    )

  const queries: ReadonlyArray<[string, () => URL, string]> = [
    ["a plain query", () => new URL("https://api.threatstack.com/v2/agents?status=online"), "/v2/agents?status=online"],
    [
      "URLSearchParams: space as +, + as %2B, / as %2F, = as %3D",
      () => {
        const url = new URL("https://api.threatstack.com/v2/alerts")
        url.searchParams.set("status", "active")
        url.searchParams.set("q", "a b+c/d=e")
        return url
      },
      "/v2/alerts?status=active&q=a+b%2Bc%2Fd%3De"
    ],
    [
      "a raw space (sent as %20) and a token with literal =",
      () => new URL("https://api.threatstack.com/v2/alerts?status=active&q=a b&token=eyJwIjoxfQ=="),
      "/v2/alerts?status=active&q=a%20b&token=eyJwIjoxfQ=="
    ],
    [
      "pre-encoded %20, %2B, %2F, %3A kept as written",
      () => new URL("http://127.0.0.1:8080/v2/alerts?from=2020-01-01T00%3A00%3A00Z&q=a%20b%2Bc%2Fd"),
      "/v2/alerts?from=2020-01-01T00%3A00%3A00Z&q=a%20b%2Bc%2Fd"
    ],
    [
      "IPv6 host and an explicit port",
      () => new URL("http://[::1]:8080/v2/agents?status=offline"),
      "/v2/agents?status=offline"
    ],
    ["no query", () => new URL("https://api.threatstack.com/help/hawk/self-test"), "/help/hawk/self-test"]
  ]

  for (const [name, url, resource] of queries) {
    it(`GET, ${name}`, async () => {
      const signed = await sign("GET", url(), { ts: Math.floor(Date.now() / 1000), ext: ORG })
      expect(signed.target.resource).toBe(resource)
      const { artifacts } = await hapiAuthenticate("GET", signed)
      expect(artifacts.ext).toBe(ORG)
      expect(artifacts.resource).toBe(resource)
      // and the independent verifier agrees
      const ours = await HawkVerifier.verify({
        authorization: signed.authorization,
        method: "GET",
        rawTarget: resource,
        host: signed.target.host,
        port: signed.target.port,
        now: Date.now(),
        lookupKey
      })
      expect(ours._tag).toBe("Ok")
    })
  }

  it("rejects the same request received with the query encoded differently", async () => {
    const signed = await sign("GET", new URL("https://api.threatstack.com/v2/alerts?q=a%20b"), {
      ts: Math.floor(Date.now() / 1000),
      ext: ORG
    })
    expect(await rejection(hapiAuthenticate("GET", signed, { url: "/v2/alerts?q=a+b" }))).toBe("Bad mac")
  })

  it("POST with a JSON body (non-ASCII, content-type parameters) is accepted; a changed body is not", async () => {
    const body = '{"name":"Règles – 规则 🚨","description":"x","ruleIds":[]}'
    const contentType = "application/json; charset=utf-8"
    const signed = await sign("POST", new URL("http://localhost:8080/v2/rulesets"), {
      ts: Math.floor(Date.now() / 1000),
      ext: ORG,
      body: { contentType, text: body }
    })
    expect(signed.authorization).toMatch(
      /^Hawk id="[^"]+", ts="\d+", nonce="[\w-]{8}", hash="[^"]+", ext="[^"]+", mac="/
    )
    const { artifacts } = await hapiAuthenticate("POST", signed, { contentType, payload: body })
    expect(artifacts.hash).toBe(HapiHawk.crypto.calculatePayloadHash(body, "sha256", contentType))
    expect(await rejection(hapiAuthenticate("POST", signed, { contentType, payload: body.replace("x", "y") }))).toBe(
      "Bad payload hash"
    )
  })

  it("a header with another key is refused", async () => {
    const signed = await Hawk.header(
      { id: ID, key: Redacted.make("another_key") },
      {
        method: "GET",
        ...Hawk.targetOf(new URL("https://api.threatstack.com/v2/agents")),
        ts: Math.floor(Date.now() / 1000),
        nonce: NONCE
      }
    )
    expect(
      await rejection(
        hapiAuthenticate("GET", { target: { resource: "/v2/agents", host: HOST, port: 443 }, authorization: signed })
      )
    ).toBe("Bad mac")
  })
})

describe("Hawk verifier, given @hapi/hawk client headers", () => {
  const T = 1_700_000_000
  const query = "/v2/alerts?status=active&q=a+b%2B%2F%20c&token=eyJwIjoxfQ=="
  const getHeader = () =>
    HapiHawk.client.header(`https://api.threatstack.com${query}`, "GET", {
      credentials: hapiCredentials,
      ext: ORG,
      timestamp: T,
      nonce: "Xy-_12"
    })
  const body = '{"name":"Ruleset é","ruleIds":["a","b"]}'
  const postHeader = (payload = body) =>
    HapiHawk.client.header("http://127.0.0.1:8080/v2/rulesets", "POST", {
      credentials: hapiCredentials,
      ext: ORG,
      timestamp: T,
      nonce: "n0nce1",
      payload,
      contentType: "application/json"
    })
  const getInput = (authorization: string | undefined): HawkVerifier.VerifyInput => ({
    authorization,
    method: "GET",
    rawTarget: query,
    host: HOST,
    port: 443,
    now: T * 1000 + 5_000,
    lookupKey
  })
  const postInput = (authorization: string, bytes: Uint8Array = utf8(body)): HawkVerifier.VerifyInput => ({
    authorization,
    method: "POST",
    rawTarget: "/v2/rulesets",
    host: "127.0.0.1",
    port: 8080,
    body: { contentType: "application/json", bytes },
    now: T * 1000,
    lookupKey
  })

  afterEach(() => {
    vi.useRealTimers()
  })

  it("accepts a GET in @hapi/hawk's, mohawk's and hawk-go's attribute orders", async () => {
    const { header, artifacts } = getHeader()
    expect(artifacts.resource).toBe(query)
    expect(attributesOf(header).map(([name]) => name)).toEqual(["id", "ts", "nonce", "ext", "mac"])
    for (const authorization of [header, reorder(header, MOHAWK_ORDER), reorder(header, HAWK_GO_ORDER)]) {
      expect(await HawkVerifier.verify(getInput(authorization))).toEqual({
        _tag: "Ok",
        id: ID,
        ext: ORG,
        ts: T,
        nonce: "Xy-_12"
      })
    }
  })

  it("accepts a POST with its body, in all three orders", async () => {
    const { header } = postHeader()
    expect(attributesOf(header).map(([name]) => name)).toEqual(["id", "ts", "nonce", "hash", "ext", "mac"])
    for (const authorization of [header, reorder(header, MOHAWK_ORDER), reorder(header, HAWK_GO_ORDER)]) {
      const result = await HawkVerifier.verify(postInput(authorization))
      expect(result._tag).toBe("Ok")
    }
  })

  it("rejects a tampered query", async () => {
    const { header } = getHeader()
    const result = await HawkVerifier.verify({ ...getInput(header), rawTarget: query.replace("active", "dismissed") })
    expect(result).toEqual({ _tag: "Unauthorized", message: "Bad mac" })
    const reencoded = await HawkVerifier.verify({ ...getInput(header), rawTarget: query.replace("%20", "+") })
    expect(reencoded).toEqual({ _tag: "Unauthorized", message: "Bad mac" })
  })

  it("rejects another host, port or method", async () => {
    const { header } = getHeader()
    expect((await HawkVerifier.verify({ ...getInput(header), host: "api.threatstack.co" }))._tag).toBe("Unauthorized")
    expect((await HawkVerifier.verify({ ...getInput(header), port: 80 }))._tag).toBe("Unauthorized")
    expect((await HawkVerifier.verify({ ...getInput(header), method: "DELETE" }))._tag).toBe("Unauthorized")
  })

  it("rejects a tampered body", async () => {
    const { header } = postHeader()
    const result = await HawkVerifier.verify(postInput(header, utf8(body.replace("é", "e"))))
    expect(result).toEqual({ _tag: "Unauthorized", message: "Bad payload hash" })
  })

  it("rejects a tampered hash attribute (it is part of the mac)", async () => {
    const { header } = postHeader()
    const otherHash = HapiHawk.crypto.calculatePayloadHash("{}", "sha256", "application/json")
    const tampered = header.replace(/hash="[^"]*"/, `hash="${otherHash}"`)
    expect(tampered).not.toBe(header)
    expect(await HawkVerifier.verify(postInput(tampered, utf8("{}")))).toEqual({
      _tag: "Unauthorized",
      message: "Bad mac"
    })
  })

  it("checks the payload hash with the media type alone, as Hawk does: parameters and case left out", async () => {
    const contentType = "Application/JSON; charset=utf-8"
    const { header } = HapiHawk.client.header("http://127.0.0.1:8080/v2/rulesets", "POST", {
      credentials: hapiCredentials,
      ext: ORG,
      timestamp: T,
      nonce: "n0nce1",
      payload: body,
      contentType
    })
    expect(HapiHawk.crypto.calculatePayloadHash(body, "sha256", contentType)).toBe(
      HapiHawk.crypto.calculatePayloadHash(body, "sha256", "application/json")
    )
    const result = await HawkVerifier.verify({ ...postInput(header), body: { contentType, bytes: utf8(body) } })
    expect(result._tag).toBe("Ok")
    // signed with no content type and no body: the hash of nothing, typed as nothing
    const empty = HapiHawk.client.header("http://127.0.0.1:8080/v2/rulesets", "POST", {
      credentials: hapiCredentials,
      ext: ORG,
      timestamp: T,
      nonce: "n0nce2",
      payload: "",
      contentType: ""
    }).header
    expect(empty).toContain("hash=")
    expect((await HawkVerifier.verify({ ...postInput(empty), body: undefined }))._tag).toBe("Ok")
  })

  it("rejects a wrong key and an unknown id", async () => {
    const { header } = getHeader()
    // an id whose key is empty is unknown, not a key of nothing
    expect(await HawkVerifier.verify({ ...getInput(header), lookupKey: () => "" })).toEqual({
      _tag: "Unauthorized",
      message: `Unknown Hawk id '${ID}'`
    })
    const wrongKey = await HawkVerifier.verify({ ...getInput(header), lookupKey: () => "not_the_key" })
    expect(wrongKey).toEqual({ _tag: "Unauthorized", message: "Bad mac" })
    const unknown = await HawkVerifier.verify({ ...getInput(header), lookupKey: () => undefined })
    expect(unknown._tag).toBe("Unauthorized")
    expect(unknown._tag === "Unauthorized" && unknown.message).toMatch(/Unknown Hawk id/)
  })

  it("rejects a missing hash when a body is present", async () => {
    const { header } = HapiHawk.client.header("http://127.0.0.1:8080/v2/rulesets", "POST", {
      credentials: hapiCredentials,
      ext: ORG,
      timestamp: T,
      nonce: "n0nce1"
    })
    expect(header).not.toContain("hash=")
    const result = await HawkVerifier.verify(postInput(header))
    expect(result._tag).toBe("Unauthorized")
    expect(result._tag === "Unauthorized" && result.message).toMatch(/Missing payload hash/)
    // without a body the same header is fine
    expect((await HawkVerifier.verify({ ...postInput(header), body: undefined }))._tag).toBe("Ok")
  })

  it("a hash without a body is checked against the empty payload", async () => {
    // RM signs GET/DELETE with content=None, content_type='application/json'
    const { header } = postHeader("")
    expect(header).toContain("hash=")
    expect((await HawkVerifier.verify(postInput(header, new Uint8Array(0))))._tag).toBe("Ok")
    // EX delete_ruleset.py signs a body it does not send
    const signedBody = postHeader('{"server_ids": []}').header
    expect(await HawkVerifier.verify({ ...postInput(signedBody), body: undefined })).toEqual({
      _tag: "Unauthorized",
      message: "Bad payload hash"
    })
  })

  it("answers a stale timestamp with @hapi/hawk's WWW-Authenticate challenge", async () => {
    const { header, artifacts } = getHeader()
    const now = (T + 61) * 1000 + 400
    const result = await HawkVerifier.verify({ ...getInput(header), now })
    if (result._tag !== "Stale") throw new Error(`expected Stale, got ${result._tag}`)
    const tsm = HapiHawk.crypto.calculateTsMac(T + 61, hapiCredentials)
    expect(result.wwwAuthenticate).toBe(`Hawk ts="${T + 61}", tsm="${tsm}", error="Stale timestamp"`)
    // @hapi/hawk's client accepts the challenge's tsm, and refuses it under another key
    expect(() =>
      HapiHawk.client.authenticate(
        { headers: { "www-authenticate": result.wwwAuthenticate } },
        hapiCredentials,
        artifacts
      )
    ).not.toThrow()
    expect(() =>
      HapiHawk.client.authenticate(
        { headers: { "www-authenticate": result.wwwAuthenticate } },
        { ...hapiCredentials, key: "other" },
        artifacts
      )
    ).toThrow(/Invalid server timestamp hash/)
    // the signer parses it and can check the tsm itself
    const parsed = Hawk.parseWwwAuthenticate(result.wwwAuthenticate)
    expect(parsed).toEqual({ ts: T + 61, tsm, error: "Stale timestamp" })
    expect(await Hawk.mac(Redacted.make(KEY), `hawk.1.ts\n${T + 61}\n`)).toBe(tsm)
    // the edge of the window is still fresh, either way
    expect((await HawkVerifier.verify({ ...getInput(header), now: (T + 60) * 1000 }))._tag).toBe("Ok")
    expect((await HawkVerifier.verify({ ...getInput(header), now: (T - 60) * 1000 }))._tag).toBe("Ok")
    expect((await HawkVerifier.verify({ ...getInput(header), now: (T - 61) * 1000 }))._tag).toBe("Stale")
    expect((await HawkVerifier.verify({ ...getInput(header), now, skewSeconds: 120 }))._tag).toBe("Ok")
    // a stale header with a bad mac gets no tsm
    expect((await HawkVerifier.verify({ ...getInput(header), now, lookupKey: () => "x" }))._tag).toBe("Unauthorized")
  })

  it("emits byte for byte what @hapi/hawk's server emits for a stale timestamp", async () => {
    const { header } = getHeader()
    const now = T * 1000 + 3_600_000 + 250
    vi.useFakeTimers({ toFake: ["Date"] })
    vi.setSystemTime(now)
    const hapiError = await HapiHawk.server
      .authenticate({ method: "GET", url: query, headers: { host: `${HOST}:443`, authorization: header } }, hapiLookup)
      .then(
        () => undefined,
        (error: unknown) => error
      )
    const expected = wwwAuthenticateOf(hapiError)
    expect(expected).toMatch(/^Hawk ts="\d+", tsm="[^"]+", error="Stale timestamp"$/)
    const ours = await HawkVerifier.verify({ ...getInput(header), now })
    expect(ours).toEqual({ _tag: "Stale", message: "Stale timestamp", wwwAuthenticate: expected })
  })

  it("rejects a missing or malformed header", async () => {
    expect(await HawkVerifier.verify(getInput(undefined))).toEqual({
      _tag: "Unauthorized",
      message: "Missing Authorization header"
    })
    expect(await HawkVerifier.verify(getInput(" \t "))).toEqual({
      _tag: "Unauthorized",
      message: "Missing Authorization header"
    })
    const malformed = await HawkVerifier.verify(getInput('Hawk id="x" ts="1"'))
    expect(malformed._tag === "Unauthorized" && malformed.message).toMatch(/^Malformed Hawk Authorization header/)
  })
})

describe("HawkVerifier.parseAuthorization", () => {
  const full = `id="u", ts="123", nonce="n", hash="h", ext="e", mac="m"`

  it("reads the attributes in any order, with or without spaces", () => {
    const expected = { id: "u", ts: 123, nonce: "n", mac: "m", hash: "h", ext: "e" }
    expect(HawkVerifier.parseAuthorization(`Hawk ${full}`)).toEqual(Either.right(expected))
    expect(HawkVerifier.parseAuthorization(`hawk mac="m",hash="h",id="u",ts="123",nonce="n",ext="e"  `)).toEqual(
      Either.right(expected)
    )
    expect(HawkVerifier.parseAuthorization(`Hawk id="u", mac="m", ts="123", nonce="n"`)).toEqual(
      Either.right({ id: "u", ts: 123, nonce: "n", mac: "m", hash: undefined, ext: undefined })
    )
    // hash and ext may be given empty, which is the same as left out; any spaces after the scheme
    expect(HawkVerifier.parseAuthorization(`Hawk \t id="u", ts="123", nonce="n", hash="", ext="", mac="m"`)).toEqual(
      Either.right({ id: "u", ts: 123, nonce: "n", mac: "m", hash: undefined, ext: undefined })
    )
  })

  const bad: ReadonlyArray<[string, RegExp]> = [
    [`Basic dXNlcjpwYXNz`, /unsupported scheme/],
    [`Hawk`, /expected 'Hawk'/],
    [`Hawk ${full}, app="a"`, /unknown attribute 'app'/],
    [`Hawk ${full}, id="v"`, /duplicate attribute 'id'/],
    [`Hawk id="u", ts="123", nonce="n"`, /missing attribute 'mac'/],
    [`Hawk ts="123", nonce="n", mac="m"`, /missing attribute 'id'/],
    [`Hawk id="u", ts="12a", nonce="n", mac="m"`, /'ts'/],
    [`Hawk id="u", ts="a12", nonce="n", mac="m"`, /'ts' is not a unix time/],
    [`Hawk id="u", ts="1234567890123456", nonce="n", mac="m"`, /'ts' is not a unix time/],
    [`Hawk id="u", nonce="n", mac="m"`, /missing attribute 'ts'/],
    [`Hawk id="u", ts="123", mac="m"`, /missing attribute 'nonce'/],
    [`\nHawk id="u", ts="123", nonce="n", mac="m"`, /expected 'Hawk'/],
    [`Hawk id="", ts="123", nonce="n", mac="m"`, /empty attribute 'id'/],
    [`Hawk ${full},`, /malformed attribute/],
    [`Hawk id="u" ts="123", nonce="n", mac="m"`, /expected ','/],
    [`Hawk id="u", ts="123", nonce="n", mac="m\\"x"`, /malformed attribute|expected ','/],
    [`Hawk id=u, ts="123", nonce="n", mac="m"`, /malformed attribute/],
    [`Hawk id="u\u00e9", ts="123", nonce="n", mac="m"`, /malformed attribute/]
  ]
  for (const [header, message] of bad) {
    it(`rejects ${JSON.stringify(header)}`, () => {
      const result = HawkVerifier.parseAuthorization(header)
      if (Either.isRight(result)) throw new Error("expected a Left")
      expect(result.left).toMatch(message)
    })
  }
})

describe("Hawk signer helpers", () => {
  it("targetOf: bare '?', default ports, IPv6, case, encoded path", () => {
    expect(Hawk.targetOf(new URL("http://127.0.0.1:8080/x?"))).toEqual({
      resource: "/x",
      host: "127.0.0.1",
      port: 8080
    })
    expect(Hawk.targetOf(new URL("http://[::1]/x"))).toEqual({ resource: "/x", host: "[::1]", port: 80 })
    expect(Hawk.targetOf(new URL("HTTPS://API.ThreatStack.COM/a%2Fb?q=a+b"))).toEqual({
      resource: "/a%2Fb?q=a+b",
      host: HOST,
      port: 443
    })
    expect(Hawk.targetOf(new URL("https://api.threatstack.com:8443/"))).toEqual({
      resource: "/",
      host: HOST,
      port: 8443
    })
    expect(() => Hawk.targetOf(new URL("ftp://example.com/x"))).toThrow(/ftp:/)
    expect(() => Hawk.targetOf(new URL("wss://example.com/x"))).toThrow(/wss:/)
  })

  it("makeNonce: URL-safe base64 of the given bytes, at least 6 characters", () => {
    expect(Hawk.makeNonce(new Uint8Array([0xfb, 0xff, 0xbf, 0x00, 0x01, 0x02]))).toBe("-_-_AAEC")
    expect(Hawk.makeNonce(new Uint8Array([1, 2, 3, 4]))).toBe("AQIDBA")
    expect(() => Hawk.makeNonce(new Uint8Array([1, 2, 3]))).toThrow(/4 random bytes/)
  })

  it("header refuses unsafe attribute values, without revealing the key", async () => {
    const artifacts: Hawk.Artifacts = { method: "GET", resource: "/", host: HOST, port: 443, ts: TS, nonce: NONCE }
    const cases: ReadonlyArray<[Hawk.Credentials, Hawk.Artifacts, RegExp]> = [
      [{ ...credentials, id: 'a"b' }, artifacts, /the id attribute/],
      [credentials, { ...artifacts, ext: "a\\b" }, /the ext attribute/],
      [credentials, { ...artifacts, ext: "a\nb" }, /the ext attribute/],
      [credentials, { ...artifacts, ext: "café" }, /the ext attribute/],
      [credentials, { ...artifacts, nonce: "" }, /the nonce attribute/],
      [credentials, { ...artifacts, ts: 1.5 }, /ts must be/],
      [credentials, { ...artifacts, ts: -1 }, /ts must be/],
      [credentials, { ...artifacts, hash: 'a"b' }, /the hash attribute/]
    ]
    for (const [creds, values, message] of cases) {
      const error = await rejection(Hawk.header(creds, values))
      expect(error).toMatch(message)
      expect(error).not.toContain(KEY)
    }
    const empty = await rejection(Hawk.mac(Redacted.make(""), "x"))
    expect(empty).toMatch(/empty/)
  })

  it("header leaves out an empty hash or ext, as @hapi/hawk does", async () => {
    const artifacts: Hawk.Artifacts = { method: "GET", resource: "/", host: HOST, port: 443, ts: TS, nonce: NONCE }
    const header = await Hawk.header(credentials, { ...artifacts, hash: "", ext: "" })
    expect(attributesOf(header).map(([name]) => name)).toEqual(["id", "ts", "nonce", "mac"])
    expect(header).toBe(await Hawk.header(credentials, artifacts))
  })

  it("the payload hash reads the content type as @hapi/hawk does: parameters and spaces around it dropped", async () => {
    for (const contentType of ["application/json ; charset=utf-8", " Application/JSON", "application/json;"]) {
      expect(await Hawk.payloadHash(contentType, POST_BODY)).toBe(POST_HASH)
      expect(HapiHawk.crypto.calculatePayloadHash(POST_BODY, "sha256", contentType)).toBe(POST_HASH)
    }
  })

  it("normalized escapes ext like @hapi/hawk", () => {
    const base: Hawk.Artifacts = { method: "get", resource: "/", host: "H", port: 80, ts: 1, nonce: "n" }
    expect(Hawk.normalized("header", { ...base, ext: "a\\b\nc" })).toBe(
      "hawk.1.header\n1\nn\nGET\n/\nh\n80\n\na\\\\b\\nc\n"
    )
  })

  it("parseWwwAuthenticate: the stale answer in any order; undefined otherwise", () => {
    expect(Hawk.parseWwwAuthenticate('Hawk ts="1500000061", tsm="abc+/=", error="Stale timestamp"')).toEqual({
      ts: 1_500_000_061,
      tsm: "abc+/=",
      error: "Stale timestamp"
    })
    expect(Hawk.parseWwwAuthenticate('hawk error="Stale timestamp",tsm="t", ts="5"')).toEqual({
      ts: 5,
      tsm: "t",
      error: "Stale timestamp"
    })
    expect(Hawk.parseWwwAuthenticate('Hawk error="Bad mac"')).toBeUndefined()
    expect(Hawk.parseWwwAuthenticate('Basic realm="x"')).toBeUndefined()
    expect(Hawk.parseWwwAuthenticate('Hawk ts="soon", tsm="t", error="Stale timestamp"')).toBeUndefined()
    expect(Hawk.parseWwwAuthenticate('Hawk ts="5", tsm="t", error="Stale timestamp",')).toBeUndefined()
    // spaces around the scheme are fine; anything before it, or an attribute given twice or unseparated, is not
    expect(Hawk.parseWwwAuthenticate('  Hawk   ts="5", tsm="t", error="Stale timestamp"')).toEqual({
      ts: 5,
      tsm: "t",
      error: "Stale timestamp"
    })
    expect(Hawk.parseWwwAuthenticate('xHawk ts="5", tsm="t", error="Stale timestamp"')).toBeUndefined()
    expect(Hawk.parseWwwAuthenticate('Bearer, Hawk ts="5", tsm="t", error="Stale timestamp"')).toBeUndefined()
    expect(Hawk.parseWwwAuthenticate('Hawk ts="5", ts="6", tsm="t", error="Stale timestamp"')).toBeUndefined()
    expect(Hawk.parseWwwAuthenticate('Hawk ts="5" tsm="t", error="Stale timestamp"')).toBeUndefined()
    expect(Hawk.parseWwwAuthenticate('Hawk ts="5"xtsm="t", error="Stale timestamp"')).toBeUndefined()
    expect(Hawk.parseWwwAuthenticate('Hawk ts="5a", tsm="t", error="Stale timestamp"')).toBeUndefined()
    expect(Hawk.parseWwwAuthenticate('Hawk ts="a5", tsm="t", error="Stale timestamp"')).toBeUndefined()
  })
})
