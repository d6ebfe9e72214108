/**
 * Hawk v1 request signing (sha256), as used by the Threat Stack v2 API.
 *
 * Runtime-neutral: the hashing is a `HawkCrypto.Implementation` (WebCrypto
 * unless a layer provides another), the rest `TextEncoder` and `btoa`.
 *
 * @internal
 */
import { Redacted } from "effect"
import { type Implementation, webCrypto } from "../HawkCrypto.js"
import { toBase64 } from "./Base64.js"

/** The Hawk credentials: the user id and the API key (unwrapped only at the HMAC key import). */
export interface Credentials {
  readonly id: string
  readonly key: Redacted.Redacted<string>
}

/** The values covered by a Hawk MAC. */
export interface Artifacts {
  readonly method: string
  /** path + "?" + query exactly as sent; no "?" when the query is empty. */
  readonly resource: string
  readonly host: string
  readonly port: number
  /** Unix seconds. */
  readonly ts: number
  readonly nonce: string
  readonly ext?: string | undefined
  readonly hash?: string | undefined
}

const encoder = new TextEncoder()

/** The content type as Hawk hashes it: parameters stripped, trimmed, lower-cased. */
const bareContentType = (contentType: string): string => {
  const semicolon = contentType.indexOf(";")
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase()
}

/**
 * The Hawk payload hash:
 * base64(SHA-256("hawk.1.payload\n" + content type + "\n" + body + "\n")), with
 * the content type's parameters stripped and the body's bytes hashed exactly
 * (strings as UTF-8).
 */
export const payloadHash = async (
  contentType: string,
  body: string | Uint8Array,
  crypto: Implementation = webCrypto
): Promise<string> => {
  const head = encoder.encode(`hawk.1.payload\n${bareContentType(contentType)}\n`)
  const bodyBytes = typeof body === "string" ? encoder.encode(body) : body
  const input = new Uint8Array(head.length + bodyBytes.length + 1)
  input.set(head, 0)
  input.set(bodyBytes, head.length)
  input[input.length - 1] = 0x0a
  return crypto.sha256(input)
}

/**
 * The normalized string a Hawk MAC covers (`hawk.1.header` for requests,
 * `hawk.1.response` for Server-Authorization), one value a line, with a
 * trailing newline. `ext` is escaped as @hapi/hawk and hawk-go do (`\` → `\\`,
 * newline → `\n`).
 */
export const normalized = (type: "header" | "response", artifacts: Artifacts): string => {
  const ext = (artifacts.ext ?? "").replace(/\\/g, "\\\\").replace(/\n/g, "\\n")
  return [
    `hawk.1.${type}`,
    String(artifacts.ts),
    artifacts.nonce,
    artifacts.method.toUpperCase(),
    artifacts.resource,
    artifacts.host.toLowerCase(),
    String(artifacts.port),
    artifacts.hash ?? "",
    ext,
    ""
  ].join("\n")
}

/** base64(HMAC-SHA256(key, normalized)); the key is unwrapped only by the implementation. */
export const mac = async (
  key: Redacted.Redacted<string>,
  normalized: string,
  crypto: Implementation = webCrypto
): Promise<string> => {
  if (Redacted.value(key) === "") throw new Error("Hawk: the API key is empty")
  return crypto.hmacSha256(key, normalized)
}

/** One or more printable ASCII characters other than `"` and `\`: what every Hawk server accepts. */
const attributeValue = /^[\x20\x21\x23-\x5b\x5d-\x7e]+$/

const checked = (name: string, value: string): string => {
  if (!attributeValue.test(value)) {
    throw new Error(`Hawk: the ${name} attribute must be non-empty printable ASCII without '"' or '\\'`)
  }
  return value
}

/**
 * The `Authorization` header value, in @hapi/hawk's attribute order:
 * `Hawk id="…", ts="…", nonce="…"[, hash="…"][, ext="…"], mac="…"`.
 *
 * Throws an Error (naming the attribute, never the key) when the id or nonce
 * is empty, when the id, nonce, hash or ext contains `"`, `\` or a character
 * outside printable ASCII, or when ts is not a non-negative integer.
 */
export const header = async (
  credentials: Credentials,
  artifacts: Artifacts,
  crypto: Implementation = webCrypto
): Promise<string> => {
  if (!Number.isSafeInteger(artifacts.ts) || artifacts.ts < 0) {
    throw new Error("Hawk: ts must be a non-negative integer (unix seconds)")
  }
  const parts = [
    `id="${checked("id", credentials.id)}"`,
    `ts="${artifacts.ts}"`,
    `nonce="${checked("nonce", artifacts.nonce)}"`
  ]
  if (artifacts.hash !== undefined && artifacts.hash !== "") parts.push(`hash="${checked("hash", artifacts.hash)}"`)
  if (artifacts.ext !== undefined && artifacts.ext !== "") parts.push(`ext="${checked("ext", artifacts.ext)}"`)
  parts.push(`mac="${await mac(credentials.key, normalized("header", artifacts), crypto)}"`)
  return `Hawk ${parts.join(", ")}`
}

/**
 * What a request to `url` signs: resource = pathname + search (`URL.search`
 * is empty for a bare trailing "?", so send the URL without one), host
 * lower-cased (IPv6 in brackets, as `URL.hostname` gives it), port from the URL
 * or 443/80 by protocol.
 */
export const targetOf = (url: URL): { resource: string; host: string; port: number } => {
  let port: number
  if (url.port !== "") port = Number(url.port)
  else if (url.protocol === "https:") port = 443
  else if (url.protocol === "http:") port = 80
  else throw new Error(`Hawk: no default port for the ${url.protocol} protocol`)
  return { resource: url.pathname + url.search, host: url.hostname.toLowerCase(), port }
}

/**
 * A nonce: the URL-safe base64 (no padding) of `bytes`, supplied by the caller
 * (at least 4 bytes, giving at least 6 characters).
 */
export const makeNonce = (bytes: Uint8Array): string => {
  if (bytes.length < 4) throw new Error("Hawk: a nonce needs at least 4 random bytes")
  // Stryker disable next-line Regex: base64 has "=" only as its padding, at the end
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

const challengeAttribute = /\s*([A-Za-z]+)="([^"\\]*)"\s*/y

/**
 * Parses a `WWW-Authenticate: Hawk ts="…", tsm="…", error="…"` answer (the
 * stale-timestamp challenge, attributes in any order). Undefined when it is
 * not a Hawk challenge carrying all three with an integer `ts`. The `tsm` can
 * be checked with `mac(key, "hawk.1.ts\n" + ts + "\n")`.
 */
export const parseWwwAuthenticate = (header: string): { ts: number; tsm: string; error: string } | undefined => {
  // Stryker disable next-line Regex: one space or several: the attribute pattern takes the rest
  const scheme = /^\s*hawk\s+/i.exec(header)
  if (scheme === null) return undefined
  const attributes = new Map<string, string>()
  let position = scheme[0].length
  while (position < header.length) {
    challengeAttribute.lastIndex = position
    const match = challengeAttribute.exec(header)
    if (match === null) return undefined
    // Stryker disable next-line StringLiteral: both groups take part in every match; the defaults are for the types
    const [whole, name = "", value = ""] = match
    if (attributes.has(name)) return undefined
    attributes.set(name, value)
    position += whole.length
    if (position < header.length) {
      if (header[position] !== ",") return undefined
      position += 1
      if (position >= header.length) return undefined
    }
  }
  const ts = attributes.get("ts")
  const tsm = attributes.get("tsm")
  const error = attributes.get("error")
  if (ts === undefined || tsm === undefined || error === undefined || !/^\d+$/.test(ts)) return undefined
  return { ts: Number(ts), tsm, error }
}
