/**
 * v2 page tokens: opaque, URL-safe (base64url, no padding), carrying the
 * list they belong to, the page number, where the next page starts and the
 * filters of the first request, so a token works with or without the
 * original filters repeated.
 *
 * @internal
 */

/** What a token says. */
export interface Cursor {
  /** The list (`alerts`, `vulnerabilities/CVE-…/servers`). */
  readonly list: string
  /** The page this token asks for (the first page, without a token, is 0). */
  readonly page: number
  /** The position in the underlying (unfiltered, time-sliced) records where the page starts. */
  readonly offset: number
  /** The filters of the walk's first request. */
  readonly query: Readonly<Record<string, string>>
}

const toBase64Url = (text: string): string => {
  const bytes = new TextEncoder().encode(text)
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  // Stryker disable next-line Regex: btoa's padding is only ever at the end
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

const fromBase64Url = (token: string): string | undefined => {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined
  try {
    const binary = atob(token.replace(/-/g, "+").replace(/_/g, "/"))
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0))
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch {
    // not base64 after all, or not UTF-8
  }
  return undefined
}

/** Writes a token. */
export const encode = (cursor: Cursor): string =>
  toBase64Url(JSON.stringify({ l: cursor.list, p: cursor.page, o: cursor.offset, q: cursor.query }))

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const isStringRecord = (value: unknown): value is Readonly<Record<string, string>> =>
  isObject(value) && Object.values(value).every((v) => typeof v === "string")

const isCount = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 0

/** Reads a token; `undefined` when it is not one of ours. */
export const decode = (token: string): Cursor | undefined => {
  const text = fromBase64Url(token)
  if (text === undefined) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // not JSON: parsed stays undefined, refused just below
  }
  if (!isObject(parsed)) return undefined
  const { l, o, p, q } = parsed
  if (typeof l !== "string" || !isCount(p) || !isCount(o) || !isStringRecord(q)) return undefined
  return { list: l, page: p, offset: o, query: q }
}
