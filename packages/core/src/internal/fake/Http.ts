/**
 * The fake's answers: JSON bodies, the two generations' error shapes.
 *
 * @internal
 */

/** An answer of the fake (structurally `FakeThreatStack.FakeResponse`). */
export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly delivery: "whole" | "drop"
}

/** A JSON answer. */
export const json = (status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Answer => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
  delivery: "whole"
})

/** v1's error body: `{"status":"error","message":…}`. */
export const v1Error = (status: number, message: string, headers: Readonly<Record<string, string>> = {}): Answer =>
  json(status, { status: "error", message }, headers)

/** The `{"errors":[…]}` body (v2's, and v1's 404s). */
export const errors = (status: number, message: string, headers: Readonly<Record<string, string>> = {}): Answer =>
  json(status, { errors: [message] }, headers)

/** 204, no body. */
export const noContent: Answer = { status: 204, headers: {}, body: "", delivery: "whole" }
