/**
 * The fake's v2 page tokens: opaque to clients, and refused with a 400 when
 * they are not one the fake could have issued for that listing (another
 * listing's, malformed, or forged with a bad cursor), never a crash or a
 * page from nowhere.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type Page, base64url, call, forge, walk, withFake } from "./fakeCalls.js"
import { NOW } from "./utils.js"

/** A hostname outside ASCII: its bytes put in a token what plain base64 writes as + and /. */
const HOST = "hôte-ü?> ~"

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

  it.effect("a token carries filters of any text: URL-safe characters, taken back as sent, in every page", () =>
    withFake(
      {
        now: NOW,
        data: [
          {
            organization: { id: "5a0000000000000000000000", name: "Acme", role: "owner" },
            agents: Array.from({ length: 250 }, (_, i) => ({ id: `ag${i}`, hostname: HOST, online: true }))
          }
        ]
      },
      (fake) =>
        Effect.gen(function* () {
          const tokens: Array<string> = []
          let answer = yield* call(fake, `agents?status=online&hostname=${encodeURIComponent(HOST)}`)
          for (;;) {
            const page = answer.json as Page<"agents", { id: string }>
            expect(answer.status).toBe(200)
            if (page.token === null) break
            tokens.push(page.token)
            answer = yield* call(fake, `agents?token=${page.token}`)
          }
          expect(tokens.length).toBe(2)
          expect(tokens.join("")).toMatch(/^[A-Za-z0-9_-]+$/)
          // both substitutes are in play, so each must be written and read back
          expect(tokens.join("")).toMatch(/-/)
          expect(tokens.join("")).toMatch(/_/)
          const all = yield* walk<{ id: string }>(
            fake,
            "agents",
            `status=online&hostname=${encodeURIComponent(HOST)}`,
            "agents"
          )
          expect(all.flat().map((agent) => agent.id)).toEqual(Array.from({ length: 250 }, (_, i) => `ag${i}`))
        })
    )
  )

  it.effect("any other token is a 400 that quotes it: another listing's, malformed, or a cursor out of shape", () =>
    withFake({}, (fake) =>
      Effect.gen(function* () {
        const good = { l: "alerts", p: 1, o: 100, q: { status: "active" } }
        const issued = forge(good)
        // a cursor that fits, written in base64's standard alphabet (its filter's bytes make a +)
        const plain = forge({ ...good, q: { status: "active", agentId: "hôte-ü?>" } })
          .replace(/-/g, "+")
          .replace(/_/g, "/")
        expect(plain).toMatch(/[+/]/)
        // a cursor that fits but for one byte that is not UTF-8 (0xff, in place of the X)
        const notUtf8 = new TextEncoder().encode(JSON.stringify({ ...good, q: { status: "activeX" } }))
        notUtf8[notUtf8.indexOf(0x58)] = 0xff
        const tokens = [
          // the issued token, mangled: spaces (which atob skips), the standard alphabet, padding
          ` ${issued}`,
          `${issued} `,
          `${issued.slice(0, 10)} ${issued.slice(10)}`,
          plain,
          `${issued}==`,
          // a cursor whose text is not UTF-8 (the byte 0xff in a filter)
          base64url(notUtf8),
          forge({ ...good, l: "agents" }),
          forge({ ...good, p: -1 }),
          forge({ ...good, p: 1.5 }),
          forge({ ...good, p: "1" }),
          forge({ ...good, o: -100 }),
          forge({ ...good, o: 0.5 }),
          forge({ ...good, q: ["active"] }),
          forge({ ...good, q: { status: 1 } }),
          forge({ ...good, q: null }),
          forge({ ...good, q: "active" }),
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
        expect((yield* call(fake, `alerts?status=active&token=${forge({ ...good, p: 0, o: 0 })}`)).status).toBe(200)
      })
    )
  )
})
