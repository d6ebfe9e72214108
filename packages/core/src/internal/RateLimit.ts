/**
 * One rate gate per client, shared by every fiber that uses it:
 *
 * - when any request is told to wait (429 with `Retry-After` or
 *   `x-rate-limit-reset`), every request of the client waits it out, not
 *   just the one that was told;
 * - an optional client-side limit of `limit` requests per `interval`, for
 *   organizations that know their quota: no window of `interval` ever holds
 *   more than `limit` requests.
 *
 * @since 0.1.0
 */
import { Clock, Duration, Effect, Option, Ref } from "effect"

/**
 * A client-side request budget, e.g. `{ limit: 200, interval: "1 minute" }`.
 *
 * @example
 * ```ts
 * import { Duration } from "effect"
 * import type { RateLimit } from "@effect-threatstack/core"
 *
 * const quota: RateLimit.Limit = { limit: 200, interval: Duration.minutes(1) }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Limit {
  readonly limit: number
  readonly interval: Duration.Duration
}

/**
 * The gate.
 *
 * @example
 * ```ts
 * import { Duration, Effect, Option } from "effect"
 * import { RateLimit } from "@effect-threatstack/core"
 *
 * Effect.gen(function* () {
 *   const gate: RateLimit.RateGate = yield* RateLimit.make(Option.none())
 *   yield* gate.pause(Duration.seconds(5)) // every request of this gate now waits 5 s
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RateGate {
  /** Wait until a request may be sent (a server-asked pause, then a slot of the budget). */
  readonly enter: Effect.Effect<void>
  /** Hold every request of the client for `duration` from now. */
  readonly pause: (duration: Duration.Duration) => Effect.Effect<void>
}

/**
 * Makes a gate, with a budget or without.
 *
 * @example
 * ```ts
 * import { Duration, Effect, Option } from "effect"
 * import { RateLimit } from "@effect-threatstack/core"
 *
 * Effect.gen(function* () {
 *   const gate = yield* RateLimit.make(Option.some({ limit: 200, interval: Duration.minutes(1) }))
 *   yield* gate.enter // before each request
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (limit: Option.Option<Limit>): Effect.Effect<RateGate> => Effect.sync(() => unsafeMake(limit))

/** {@link make}, synchronously. */
export const unsafeMake = (limit: Option.Option<Limit>): RateGate => {
  /** Epoch ms until which the server asked us to hold. */
  const pausedUntil = Ref.unsafeMake(0)
  /**
   * Send times of the last `limit` requests, a ring with the oldest at
   * `next`. Each reservation reads and writes it in one synchronous step,
   * which no other fiber can interleave.
   */
  const window = { times: [] as Array<number>, next: 0, last: 0 }

  const waitPause: Effect.Effect<void> = Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    const until = yield* Ref.get(pausedUntil)
    if (until <= now) return
    yield* Effect.sleep(Duration.millis(until - now))
    // the pause may have been extended while we slept
    yield* waitPause
  })

  const takeSlot = (budget: Limit) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const full = window.times.length === budget.limit
      const oldest = full ? (window.times[window.next] ?? 0) : Number.NEGATIVE_INFINITY
      const slot = Math.max(now, oldest + Duration.toMillis(budget.interval), window.last)
      if (full) {
        window.times[window.next] = slot
        window.next = (window.next + 1) % budget.limit
      } else {
        window.times.push(slot)
      }
      window.last = slot
      if (slot > now) yield* Effect.sleep(Duration.millis(slot - now))
    })

  return {
    enter: Option.match(limit, {
      onNone: () => waitPause,
      onSome: (budget) => Effect.zipRight(waitPause, takeSlot(budget))
    }),
    pause: (duration) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Ref.update(pausedUntil, (until) => Math.max(until, now + Duration.toMillis(duration)))
      )
  }
}
