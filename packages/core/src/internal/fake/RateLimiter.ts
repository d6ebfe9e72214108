/**
 * The fake server's rate limiter: per organization, a fixed window of
 * `interval` that opens with its first request and admits `limit` requests.
 * Time comes from the caller (Effect's `Clock`), so `TestClock` drives it.
 *
 * @internal
 */

/** The verdict for one request. */
export type Verdict =
  | { readonly _tag: "Admitted"; readonly remaining: number }
  | { readonly _tag: "Limited"; readonly resetMs: number }

/** A limiter over any number of organizations. */
export interface Limiter {
  readonly take: (org: string, now: number) => Verdict
}

/** Makes a limiter: `limit` requests per `intervalMs` per organization. */
export const make = (limit: number, intervalMs: number): Limiter => {
  const windows = new Map<string, { start: number; used: number }>()
  return {
    take: (org, now) => {
      let window = windows.get(org)
      if (window === undefined || now >= window.start + intervalMs || now < window.start) {
        window = { start: now, used: 0 }
        windows.set(org, window)
      }
      if (window.used >= limit) return { _tag: "Limited", resetMs: Math.max(1, window.start + intervalMs - now) }
      window.used++
      return { _tag: "Admitted", remaining: limit - window.used }
    }
  }
}
