/**
 * The fake server's Hawk v1 (sha256) checker. Deliberately independent of the
 * SDK's signer (`Hawk.ts`): its own header parser, normalized string and HMAC,
 * so a bug in one is not mirrored by the other. WebCrypto only, no Node built-ins.
 *
 * @internal
 */
import { Either } from "effect"

/** The attributes of a parsed `Authorization: Hawk …` header. */
export interface AuthorizationAttributes {
  readonly id: string
  readonly ts: number
  readonly nonce: string
  readonly mac: string
  readonly hash: string | undefined
  readonly ext: string | undefined
}

/** What `verify` checks: the request exactly as the server received it. */
export interface VerifyInput {
  readonly authorization: string | undefined
  readonly method: string
  /** The request target exactly as received (raw path and query, no re-encoding). */
  readonly rawTarget: string
  /** The Host header's host (lower-cased here). */
  readonly host: string
  /** The Host header's port, or the listener's port. */
  readonly port: number
  /**
   * The request body and Content-Type. Pass the Content-Type with empty bytes
   * when there is no body but the header is there: a signed hash is then
   * checked against the empty payload of that type.
   */
  readonly body?: { readonly contentType: string; readonly bytes: Uint8Array } | undefined
  /** The server clock, in milliseconds. */
  readonly now: number
  /** Allowed clock skew either way, in seconds (default 60). */
  readonly skewSeconds?: number | undefined
  /** The API key of a user id, undefined when the id is unknown. */
  readonly lookupKey: (id: string) => string | undefined
}

/** The outcome of `verify`. */
export type VerifyResult =
  | {
      readonly _tag: "Ok"
      readonly id: string
      readonly ext: string | undefined
      readonly ts: number
      readonly nonce: string
    }
  | { readonly _tag: "Unauthorized"; readonly message: string }
  | { readonly _tag: "Stale"; readonly message: string; readonly wwwAuthenticate: string }

const known = new Set(["id", "ts", "nonce", "hash", "ext", "mac"])
const mayBeEmpty = new Set(["hash", "ext"])
/** name="value", the value printable ASCII without `"` and `\`. */
const pair = /([A-Za-z]+)="([\x20\x21\x23-\x5b\x5d-\x7e]*)"/y
const spaces = /[ \t]*/y

const skipSpaces = (text: string, from: number): number => {
  spaces.lastIndex = from
  spaces.exec(text)
  return spaces.lastIndex
}

/**
 * Parses `Hawk k="v", …` with the attributes in any order (mohawk, @hapi/hawk
 * and hawk-go each use their own). Requires id, ts (digits), nonce and mac;
 * rejects unknown or duplicate attributes and malformed syntax (Left: why).
 */
export const parseAuthorization = (header: string): Either.Either<AuthorizationAttributes, string> => {
  const scheme = /^[ \t]*(\S+)[ \t]+/.exec(header)
  if (scheme === null) return Either.left("expected 'Hawk' followed by attributes")
  // Stryker disable next-line LogicalOperator,StringLiteral: the group is there whenever the pattern matched
  if (scheme[1]?.toLowerCase() !== "hawk") return Either.left(`unsupported scheme '${scheme[1] ?? ""}'`)
  const values = new Map<string, string>()
  let at = scheme[0].length
  for (;;) {
    pair.lastIndex = at
    const match = pair.exec(header)
    if (match === null) return Either.left(`malformed attribute at offset ${at}`)
    // Stryker disable next-line StringLiteral: both groups are there whenever the pattern matched
    const [whole, name = "", value = ""] = match
    if (!known.has(name)) return Either.left(`unknown attribute '${name}'`)
    if (values.has(name)) return Either.left(`duplicate attribute '${name}'`)
    if (value === "" && !mayBeEmpty.has(name)) return Either.left(`empty attribute '${name}'`)
    values.set(name, value)
    at = skipSpaces(header, at + whole.length)
    if (at === header.length) break
    if (header[at] !== ",") return Either.left(`expected ',' at offset ${at}`)
    at = skipSpaces(header, at + 1)
  }
  const id = values.get("id")
  const ts = values.get("ts")
  const nonce = values.get("nonce")
  const mac = values.get("mac")
  if (id === undefined) return Either.left("missing attribute 'id'")
  if (ts === undefined) return Either.left("missing attribute 'ts'")
  if (nonce === undefined) return Either.left("missing attribute 'nonce'")
  if (mac === undefined) return Either.left("missing attribute 'mac'")
  if (!/^\d{1,15}$/.test(ts)) return Either.left("attribute 'ts' is not a unix time in seconds")
  const hash = values.get("hash")
  const ext = values.get("ext")
  return Either.right({
    id,
    ts: Number(ts),
    nonce,
    mac,
    hash: hash === "" ? undefined : hash,
    ext: ext === "" ? undefined : ext
  })
}

const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text)

const base64 = (buffer: ArrayBuffer): string => {
  const bytes = new Uint8Array(buffer)
  const chars: Array<string> = []
  for (let i = 0; i < bytes.length; i++) chars.push(String.fromCharCode(bytes[i] ?? 0))
  return btoa(chars.join(""))
}

const hmacSha256 = async (key: string, message: string): Promise<string> => {
  const imported = await globalThis.crypto.subtle.importKey(
    "raw",
    utf8(key),
    { name: "HMAC", hash: { name: "SHA-256" } },
    // Stryker disable next-line BooleanLiteral: whether the key could be exported; it never is
    false,
    ["sign"]
  )
  return base64(await globalThis.crypto.subtle.sign("HMAC", imported, utf8(message)))
}

const hashPayload = async (contentType: string, body: Uint8Array): Promise<string> => {
  const semicolon = contentType.indexOf(";")
  const mediaType = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase()
  const prefix = utf8(`hawk.1.payload\n${mediaType}\n`)
  const all = new Uint8Array(prefix.byteLength + body.byteLength + 1)
  all.set(prefix)
  all.set(body, prefix.byteLength)
  all[all.byteLength - 1] = 10
  return base64(await globalThis.crypto.subtle.digest("SHA-256", all))
}

/** Compares without an early exit, so timing does not reveal the matching prefix. */
const sameString = (a: string, b: string): boolean => {
  let difference = a.length ^ b.length
  // Stryker disable next-line MethodExpression: strings of different lengths already differ above; the longer loop keeps the time the same
  const length = Math.max(a.length, b.length)
  // Stryker disable next-line EqualityOperator: one more turn compares 0 with 0
  for (let i = 0; i < length; i++) difference |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0)
  return difference === 0
}

const requestString = (input: VerifyInput, attributes: AuthorizationAttributes): string => {
  // Hawk escapes a backslash and a newline in ext here; the parser admits neither in an attribute, so there is none to escape
  const ext = attributes.ext ?? ""
  return (
    "hawk.1.header\n" +
    `${attributes.ts}\n` +
    `${attributes.nonce}\n` +
    `${input.method.toUpperCase()}\n` +
    `${input.rawTarget}\n` +
    `${input.host.toLowerCase()}\n` +
    `${input.port}\n` +
    `${attributes.hash ?? ""}\n` +
    `${ext}\n`
  )
}

const unauthorized = (message: string): VerifyResult => ({ _tag: "Unauthorized", message })

/**
 * Checks a Hawk-signed request as @hapi/hawk's server does: MAC over the raw
 * target, Host header host and port, the header's `hash` (always) and `ext`;
 * then the payload (a non-empty body needs a matching `hash`; a `hash` without
 * a body must be that of the empty payload); then the clock (± `skewSeconds`),
 * answering a stale timestamp with @hapi/hawk's `WWW-Authenticate` challenge.
 */
export const verify = async (input: VerifyInput): Promise<VerifyResult> => {
  if (input.authorization === undefined || input.authorization.trim() === "") {
    return unauthorized("Missing Authorization header")
  }
  const parsed = parseAuthorization(input.authorization)
  if (Either.isLeft(parsed)) return unauthorized(`Malformed Hawk Authorization header: ${parsed.left}`)
  const attributes = parsed.right
  const key = input.lookupKey(attributes.id)
  if (key === undefined || key === "") return unauthorized(`Unknown Hawk id '${attributes.id}'`)

  const expected = await hmacSha256(key, requestString(input, attributes))
  if (!sameString(expected, attributes.mac)) return unauthorized("Bad mac")

  const bytes = input.body?.bytes ?? new Uint8Array(0)
  if (bytes.byteLength > 0 && attributes.hash === undefined) {
    return unauthorized("Missing payload hash: the request has a body")
  }
  if (attributes.hash !== undefined) {
    const payload = await hashPayload(input.body?.contentType ?? "", bytes)
    if (!sameString(payload, attributes.hash)) return unauthorized("Bad payload hash")
  }

  const skew = input.skewSeconds ?? 60
  if (Math.abs(attributes.ts * 1000 - input.now) > skew * 1000) {
    const serverTs = Math.floor(input.now / 1000)
    const tsm = await hmacSha256(key, `hawk.1.ts\n${serverTs}\n`)
    return {
      _tag: "Stale",
      message: "Stale timestamp",
      wwwAuthenticate: `Hawk ts="${serverTs}", tsm="${tsm}", error="Stale timestamp"`
    }
  }
  return { _tag: "Ok", id: attributes.id, ext: attributes.ext, ts: attributes.ts, nonce: attributes.nonce }
}
