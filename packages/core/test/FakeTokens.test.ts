/**
 * The fake's v2 page tokens: opaque to clients, and refused with a 400 when
 * they are not one the fake could have issued for that listing (another
 * listing's, malformed, or forged with a bad cursor), never a crash or a
 * page from nowhere.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type Page, call, walk, withFake } from "./fakeCalls.js"

/** A token as the fake encodes one: base64url of its JSON cursor, no padding. */
const forge = (cursor: unknown) => {
  const bytes = new TextEncoder().encode(typeof cursor === "string" ? cursor : JSON.stringify(cursor))
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "")
}

describe("the fake's v2 page tokens", () => {
  it.effect("a token it issued is a cursor: decoded, it is the listing, the page, the offset and the filters", () =>
    withFake({ counts: { alerts: 1_000 } }, (fake) =>
      Effect.gen(function* () {
        const first = (yield* call(fake, "alerts?status=active&severity=2")).json as Page<"alerts", { id: string }>
        const raw = first.token ?? ""
        expect(raw).toMatch(/^[A-Za-z0-9_-]+$/)
        const cursor = JSON.parse(
          new TextDecoder().decode(
            Uint8Array.from(atob(raw.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))
          )
        )
        expect(cursor).toEqual({ l: "alerts", p: 1, o: expect.any(Number), q: { status: "active", severity: "2" } })
        // a cursor written by hand is served as the fake's own: the filters come from it, not from the query
        const pages = yield* walk<{ id: string }>(fake, "alerts", "status=active&severity=2", "alerts")
        const again = (yield* call(fake, `alerts?status=dismissed&token=${forge(cursor)}`)).json as Page<
          "alerts",
          { id: string }
        >
        expect(again.alerts).toEqual(pages[1])
      })
    )
  )

  it.effect("any other token is a 400 that quotes it: another listing's, malformed, or a cursor out of shape", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const good = { l: "alerts", p: 1, o: 100, q: { status: "active" } }
        const tokens = [
          forge({ ...good, l: "agents" }),
          forge({ ...good, p: -1 }),
          forge({ ...good, p: 1.5 }),
          forge({ ...good, p: "1" }),
          forge({ ...good, o: -100 }),
          forge({ ...good, o: 0.5 }),
          forge({ ...good, q: ["active"] }),
          forge({ ...good, q: { status: 1 } }),
          forge({ ...good, q: null }),
          forge({ p: 1, o: 100, q: {} }),
          forge("[1, 2]"),
          forge("null"),
          forge("42"),
          forge("{"),
          "_w", // the byte 0xff: not UTF-8
          "YWxlcnRz+",
          "YWxlcnRz=",
          "a"
        ]
        for (const token of tokens) {
          const answer = yield* call(fake, `alerts?status=active&token=${encodeURIComponent(token)}`)
          expect({ token, status: answer.status, json: answer.json }).toEqual({
            token,
            status: 400,
            json: { errors: [`invalid token: ${token}`] }
          })
        }
        // the shape it refuses is only the shape: a forged cursor that fits is a page
        expect((yield* call(fake, `alerts?status=active&token=${forge(good)}`)).status).toBe(200)
      })
    )
  )
})
