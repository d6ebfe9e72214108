/**
 * One rate gate per client, shared by every fiber that uses it:
 *
 * - when any request is told to wait (429 with `Retry-After` or
 *   `x-rate-limit-reset`), every request of the client waits it out, not
 *   just the one that was told;
 * - an optional client-side limit of `limit` requests per `interval`, for
 *   organizations that know their quota: no window of `interval` *at the
 *   server* ever holds more than `limit` requests, whatever the network
 *   delays. A request holds one of `limit` slots from when it is sent until
 *   `interval` after it ended (answered, failed or interrupted): the server
 *   saw it somewhere in between, so the request that reuses the slot
 *   arrives at least `interval` later. A fiber interrupted while waiting
 *   for a slot holds none.
 *
 * @since 0.1.0
 */
import { Clock, Deferred, Duration, Effect, Exit, FiberId, Option } from "effect"
/**
 * A client-side request budget: `limit` requests per `interval` (the
 * `rateLimit` setting, e.g. `"200/1 minute"`, once parsed).
 *
 * @since 0.1.0
 * @category models
 */
export interface Limit {
  readonly limit: number
  readonly interval: Duration.Duration
}

/**
 * Splits a rate limit written as text (`200/minute`, `200/1 minute`,
 * `50/10 seconds`, `200 per minute`) into the count and the interval, a bare
 * unit read as one of it (`minute` is `1 minute`); `undefined` when the text
 * is not of that form. The one grammar of `THREATSTACK_RATE_LIMIT` and of
 * the fake's `rateLimit`: each caller checks the parts with its own words.
 */
export const splitLimit = (text: string): { readonly count: string; readonly interval: string } | undefined => {
  const match = /^\s*(\d+)\s*(?:\/|\s+per\s+)\s*(.+?)\s*$/.exec(text)
  if (match === null) return undefined
  // Stryker disable next-line StringLiteral: both groups always take part in a match; the defaults only satisfy the type checker
  const [, count = "", every = ""] = match
  // Stryker disable next-line Regex: an interval with a digit later but not first ("minute 2") is no duration with or without "1 " in front: refused either way
  return { count, interval: /^\d/.test(every) ? every : `1 ${every}` }
}

/**
 * The gate: Pipeline makes one per client with {@link unsafeMake}, runs every
 * attempt through `withSlot` and calls `pause` on a 429 that says how long.
 *
 * @since 0.1.0
 * @category models
 */
export interface RateGate {
  /**
   * Runs one request under the gate: waits for a server-asked pause and a
   * slot, holds the slot while the request runs and for `interval` after
   * it ends. Interrupted while waiting, it holds nothing.
   */
  readonly withSlot: <A, E, R>(request: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Hold every request of the client for `duration` from now. */
  readonly pause: (duration: Duration.Duration) => Effect.Effect<void>
}

/**
 * Makes a gate, with a budget or without. Synchronous, because a client is
 * built synchronously; the gate's state lives in this closure.
 */
export const unsafeMake = (limit: Option.Option<Limit>): RateGate => {
  /** Epoch ms until which the server asked us to hold (0: never asked, nothing to look up). */
  let pausedUntil = 0

  const waitPause: Effect.Effect<void> = Effect.suspend(() =>
    // Stryker disable next-line ConditionalExpression: a fast path: with no pause ever asked, 0 <= now and the clock look also ends at once
    pausedUntil === 0
      ? Effect.void
      : Effect.flatMap(Clock.currentTimeMillis, (now) =>
          pausedUntil <= now
            ? Effect.void
            : // the pause may have been extended while we slept: look again
              Effect.zipRight(Effect.sleep(Duration.millis(pausedUntil - now)), waitPause)
        )
  )

  /** The slots of a budget: a request holds one from when it is sent until `interval` after it ends. */
  const budgeted = (budget: Limit) => {
    const interval = Duration.toMillis(budget.interval)
    /** Slots held by requests under way. */
    let busy = 0
    /**
     * When the slots of ended requests free up, oldest first (ends come in
     * clock order and `interval` is fixed, so appending keeps it sorted).
     * `busy + freeAt.length` never exceeds the budget.
     */
    const freeAt: Array<number> = []
    /** Completed, then replaced, whenever a request ends: waiters for a busy slot look again. */
    let changed = Deferred.unsafeMake<void>(FiberId.none)

    const notify = () => {
      const done = changed
      changed = Deferred.unsafeMake<void>(FiberId.none)
      Deferred.unsafeDone(done, Exit.void)
    }

    /**
     * One synchronous look at the slots: take one (`undefined`), or the wait
     * before looking again. No other fiber runs between the look and the take.
     */
    const take: Effect.Effect<Effect.Effect<void> | undefined> = Effect.map(Clock.currentTimeMillis, (now) => {
      while (freeAt.length > 0 && (freeAt[0] ?? 0) <= now) freeAt.shift()
      if (busy + freeAt.length < budget.limit) {
        busy++
        return undefined
      }
      // nothing frees a slot before the oldest ended request's `interval` has passed (later ends free later);
      // with every slot under way, wait for one to end
      const next = freeAt[0]
      return next === undefined ? Deferred.await(changed) : Effect.sleep(Duration.millis(next - now))
    })

    /** The slot of a request that has ended: free again `interval` from now. */
    const release = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.sync(() => {
        busy--
        freeAt.push(now + interval)
        notify()
      })
    )

    return <A, E, R>(request: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      Effect.uninterruptibleMask((restore) => {
        // waiting is interruptible and holds nothing; taking, and arming the release, is not
        const acquire: Effect.Effect<void> = Effect.zipRight(
          restore(waitPause),
          Effect.flatMap(take, (wait) => (wait === undefined ? Effect.void : Effect.zipRight(restore(wait), acquire)))
        )
        return Effect.zipRight(acquire, Effect.ensuring(restore(request), release))
      })
  }

  const withSlot = Option.match(limit, {
    onNone:
      () =>
      <A, E, R>(request: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
        Effect.zipRight(waitPause, request),
    onSome: budgeted
  })

  return {
    withSlot,
    pause: (duration) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.sync(() => {
          pausedUntil = Math.max(pausedUntil, now + Duration.toMillis(duration))
        })
      )
  }
}
