/**
 * An `HttpClient` scripted by the test: each request is answered by `reply`
 * (given the URL and the request's number, from 1), after `down`
 * milliseconds of TestClock time. Each request is recorded with the clock's
 * time when it arrived, so that tests can assert on when it was sent.
 */
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { Clock, Effect, Layer } from "effect"
import { ThreatStack } from "@effect-threatstack/core"
import type { ThreatStackConfig } from "@effect-threatstack/core"

/** A key that is nothing else: it must never show. */
export const KEY = "tsk_test_4b1d9e2c7a5f8306"

/** A realistic clock (Nov 1st 2026): timing arithmetic with the wrong sign cannot hide behind a clock at zero. */
export const EPOCH = Date.UTC(2026, 10, 1, 9, 30, 0)

export interface Seen {
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  /** TestClock milliseconds since {@link EPOCH} when the request arrived. */
  readonly at: number
}

export const scripted = (
  reply: (url: URL, n: number) => Response = () => Response.json([]),
  down: (n: number) => number = () => 0
) => {
  const seen: Array<Seen> = []
  const client = HttpClient.make((request, url) =>
    Effect.gen(function* () {
      seen.push({ url, headers: { ...request.headers }, at: (yield* Clock.currentTimeMillis) - EPOCH })
      const n = seen.length
      const wait = down(n)
      if (wait > 0) yield* Effect.sleep(wait)
      return HttpClientResponse.fromWeb(request, reply(url, n))
    })
  )
  return { seen, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

/** The v1 SDK over a scripted client; no retries unless asked. */
export const v1Over = (http: Layer.Layer<HttpClient.HttpClient>, options: Partial<ThreatStackConfig.Options> = {}) =>
  ThreatStack.layer({ apiKey: KEY, maxRetries: 0, ...options }).pipe(Layer.provide(http))

/** A v1 error body with a status and headers. */
export const status = (code: number, headers: Record<string, string> = {}) =>
  Response.json({ message: `status ${code}` }, { status: code, headers })

/** A v1 agent id (24 hex digits) numbered `i`. */
export const agentId = (i: number) => `a9${i.toString(16).padStart(22, "0")}`

/** A v1 alert as `GET alerts` sends it, with `fields` over the defaults. */
export const alertRecord = (fields: Record<string, unknown> = {}) => ({
  id: "al1",
  title: "Crontab Modified",
  type: "rule",
  severity: 2,
  count: 3,
  active: true,
  dismissed: false,
  unread: true,
  key: "k1",
  agent_id: "ag1",
  rule_id: "r1",
  alert_policy_id: null,
  created_at: "2017-05-10T00:00:00.000Z",
  expires_at: null,
  last_notified_at: "2017-05-10T00:00:01.000Z",
  last_updated_at: "2017-05-10T00:00:02.000Z",
  ...fields
})

/** An alert as `GET alerts/{id}` sends it: the listing's record with its events and rule. */
export const alertDetail = (id: string) =>
  alertRecord({ id, latest_events: [], rule: { original_rule: { name: "Crontab Modified" } } })
