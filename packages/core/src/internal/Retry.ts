/**
 * Retries: which failures are retried (decided here, never by a user's
 * schedule), and the timing as a `Schedule`: exponential backoff with
 * jitter, the server's `Retry-After` / `x-rate-limit-reset` as a floor, the
 * `maxRetryWait` cap. Every retry is logged and recorded on the current span.
 *
 * @internal
 */
import { Clock, Duration, Effect, Option, Schedule } from "effect"
import type { RequestError } from "./Pipeline.js"
import type { CommonSettings } from "./Settings.js"

/**
 * How a request may be retried:
 * - `idempotent`: reads, PUT, DELETE, and writes that are safe to repeat;
 *   every transient failure is retried;
 * - `create`: a write that must not be applied twice; it is retried only
 *   when it cannot have reached the server (refused connection, 429, 503
 *   with `Retry-After`). Other transient failures end in `OutcomeUnknown`.
 */
export type Safety = "idempotent" | "create"

/** Statuses that will not get better by asking again. */
const PERMANENT_5XX = new Set([501, 505])

/** Whether a failure is transient: 408, 429, 5xx but 501/505, a transport failure, a timeout. */
export const isTransient = (error: RequestError): boolean => {
  if (error._tag === "Timeout") return true
  if (error._tag !== "ThreatStackAPIError") return false
  switch (error.reason) {
    case "RateLimited":
    case "Transport":
      return true
    case "ServerError":
      return !PERMANENT_5XX.has(error.status ?? 500)
    case "UnexpectedStatus":
      return error.status === 408
    default:
      return false
  }
}

/** `Retry-After` (seconds or an HTTP date) or `x-rate-limit-reset` (milliseconds). */
export const waitHint = (headers: Readonly<Record<string, string>>, now: number): Duration.Duration | undefined => {
  const retryAfter = headers["retry-after"]
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter)
    if (retryAfter.trim() !== "" && Number.isFinite(seconds) && seconds >= 0) return Duration.seconds(seconds)
    const date = Date.parse(retryAfter)
    if (Number.isFinite(date)) return Duration.millis(Math.max(0, date - now))
  }
  const reset = headers["x-rate-limit-reset"]
  if (reset !== undefined) {
    const ms = Number(reset)
    if (reset.trim() !== "" && Number.isFinite(ms) && ms >= 0) return Duration.millis(ms)
  }
  return undefined
}

const causeOf = (error: RequestError): string => (error._tag === "ThreatStackAPIError" ? error.reason : error._tag)

/**
 * The retry schedule of a pipeline: the user's timing (or exponential
 * backoff from `retryBaseDelay`, doubling, jitter 0.5–1×, `maxRetries`
 * times), stopped at the first failure that is not transient; jitter is
 * applied first, then the server's wait hint is taken as a floor, then the
 * `maxRetryWait` cap.
 */
export const schedule = (settings: CommonSettings): Schedule.Schedule<unknown, RequestError> => {
  const timing: Schedule.Schedule<unknown, RequestError> = Option.getOrElse(settings.retrySchedule, () =>
    Schedule.exponential(settings.retryBaseDelay, 2).pipe(
      Schedule.jitteredWith({ min: 0.5, max: 1 }),
      Schedule.intersect(Schedule.recurs(settings.maxRetries))
    )
  )
  return Schedule.identity<RequestError>().pipe(
    Schedule.whileInput(isTransient),
    Schedule.intersect(timing),
    Schedule.modifyDelayEffect(([error], computed) => {
      const hint = error._tag === "ThreatStackAPIError" ? error.retryAfter : undefined
      const wanted = hint === undefined ? computed : Duration.max(hint, computed)
      // whole milliseconds: jitter makes fractions that the clock cannot sleep
      const delay = Duration.millis(Math.round(Duration.toMillis(Duration.min(wanted, settings.maxRetryWait))))
      return Effect.as(announce(error, delay), delay)
    })
  )
}

/** A retry as a debug log line and an event on the current span (the error carries its attempt number). */
const announce = (error: RequestError, delay: Duration.Duration) =>
  Effect.zipRight(
    Effect.logDebug("Threat Stack request retried").pipe(
      Effect.annotateLogs({
        cause: causeOf(error),
        attempt: error.attempts,
        delay: Duration.format(delay),
        url: error.url
      })
    ),
    Effect.all([Effect.currentSpan, Clock.currentTimeNanos]).pipe(
      Effect.tap(([span, now]) =>
        span.event("threatstack.retry", now, {
          "threatstack.retry.cause": causeOf(error),
          "threatstack.retry.attempt": error.attempts,
          "threatstack.retry.delay_ms": Duration.toMillis(delay)
        })
      ),
      Effect.ignore
    )
  )
