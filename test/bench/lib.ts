/**
 * Helpers shared by the benchmark scripts: fake servers in child processes
 * (so that the server does not share the client's event loop), timing, medians.
 */
import { execFileSync, spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { readFileSync } from "node:fs"
import { constants, type PerformanceEntry, PerformanceObserver } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { getHeapSpaceStatistics } from "node:v8"

export const ROOT = fileURLToPath(new URL("../../", import.meta.url))
export const BIN = `${ROOT}packages/node/bin/threatstack.js`
export const KEY = "fake-threatstack-api-key"

/** Pin servers to core 1 and clients to core 0 when `taskset` and two cores exist (Linux). */
export const PIN = (() => {
  try {
    return execFileSync("nproc").toString().trim() !== "1" && execFileSync("which", ["taskset"]).length > 0
  } catch {
    return false
  }
})()

/** Runs a client command on core 0 when pinning. */
export const pinned = (args: ReadonlyArray<string>): ReadonlyArray<string> =>
  PIN ? ["taskset", "-c", "0", ...args] : args

export interface Server {
  readonly baseUrl: string
  readonly process: ChildProcess
  /** Milliseconds from spawn to the URL being printed (Node + tsx start included). */
  readonly readyMs: number
  /** Peak resident memory of the server process so far, in MB (Linux). */
  readonly peakRssMb: () => number
  readonly stop: () => void
}

/** Starts `threatstack fake-server` with these flags and waits for its URL. */
export const startServer = (flags: ReadonlyArray<string>): Promise<Server> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    // the server gets a core of its own when it can, so that it and the client do not take turns
    const args = [process.execPath, BIN, "fake-server", "--port", "0", ...flags]
    const [command, ...rest] = PIN ? ["taskset", "-c", "1", ...args] : args
    const child = spawn(command!, rest, { stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      const match = /listening at (\S+)/.exec(out)
      if (match) {
        resolve({
          baseUrl: match[1]!,
          process: child,
          readyMs: performance.now() - started,
          peakRssMb: () => {
            const status = readFileSync(`/proc/${child.pid}/status`, "utf8")
            return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024
          },
          stop: () => child.kill("SIGTERM")
        })
      }
    })
    child.on("exit", (code) => reject(new Error(`fake-server exited with ${code}: ${out}`)))
  })

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Times `f` once, in milliseconds. */
export const time = async (f: () => Promise<unknown>): Promise<number> => {
  const started = performance.now()
  await f()
  return performance.now() - started
}

/** Medians of alternating runs, with every run kept (for the spread). */
export interface Alternated {
  /** Median milliseconds of `a`, of `b`. */
  readonly a: number
  readonly b: number
  /** Every run's milliseconds, in order; `as[i]` and `bs[i]` ran one after the other. */
  readonly as: ReadonlyArray<number>
  readonly bs: ReadonlyArray<number>
}

/**
 * Runs `a` and `b` alternately `runs` times after `warmups` runs of each
 * (default one) and returns the median milliseconds of each, and every run.
 */
export const alternate = async (
  runs: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  warmups = 1
): Promise<Alternated> => {
  for (let i = 0; i < warmups; i++) {
    await a()
    await b()
  }
  const as: Array<number> = []
  const bs: Array<number> = []
  for (let i = 0; i < runs; i++) {
    as.push(await time(a))
    bs.push(await time(b))
  }
  return { a: median(as), b: median(bs), as, bs }
}

/**
 * A ratio of alternating runs: `of(a ms, b ms)` for each pair of runs that
 * ran one after the other; the median of those and their spread (lowest,
 * highest). Pairs cancel most of a busy machine's drift.
 */
export const pairRatios = (
  t: Alternated,
  of: (a: number, b: number) => number
): { readonly median: number; readonly low: number; readonly high: number } => {
  const ratios = t.as.map((a, i) => of(a, t.bs[i]!))
  return { median: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios) }
}

/**
 * The plain client the SDK is measured against: fetch, JSON.parse, no
 * validation. `fetcher`: the runtime's `fetch` unless given (`bench:layers`
 * gives one that answers from memory).
 */
export const plainList = async (baseUrl: string, count = 100, fetcher: typeof fetch = fetch): Promise<number> => {
  let records = 0
  for (let page = 0; ; page++) {
    const response = await fetcher(`${baseUrl}/alerts?page=${page}&count=${count}`, { headers: { authorization: KEY } })
    const list = JSON.parse(await response.text()) as Array<unknown>
    if (list.length === 0) return records
    records += list.length
  }
}

export const plainGet = async (baseUrl: string, id: string): Promise<unknown> => {
  const response = await fetch(`${baseUrl}/alerts/${id}`, { headers: { authorization: KEY } })
  return JSON.parse(await response.text())
}

/**
 * The plain client with read-ahead: `inFlight` page requests in flight,
 * pages taken in order until an empty one; the requests still in flight then
 * are aborted (as the SDK interrupts its own).
 */
export const plainListAhead = async (baseUrl: string, inFlight: number, count = 100): Promise<number> => {
  const controller = new AbortController()
  const fetchPage = async (page: number) => {
    const response = await fetch(`${baseUrl}/alerts?page=${page}&count=${count}`, {
      headers: { authorization: KEY },
      signal: controller.signal
    })
    return JSON.parse(await response.text()) as Array<unknown>
  }
  const pending: Array<Promise<Array<unknown>>> = []
  let next = 0
  for (; next < inFlight; next++) pending.push(fetchPage(next))
  let records = 0
  for (;;) {
    const list = await pending.shift()!
    if (list.length === 0) {
      controller.abort()
      // the aborted ones reject: nobody waits for them
      for (const left of pending) left.catch(() => undefined)
      return records
    }
    records += list.length
    pending.push(fetchPage(next++))
  }
}

/** Plain gets of `ids`, `inFlight` at a time (a pool of workers), results in input order. */
export const plainGetMany = async (
  baseUrl: string,
  ids: ReadonlyArray<string>,
  inFlight: number
): Promise<Array<unknown>> => {
  const results: Array<unknown> = new Array(ids.length)
  let next = 0
  const worker = async () => {
    while (next < ids.length) {
      const i = next++
      results[i] = await plainGet(baseUrl, ids[i]!)
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  return results
}

/** The id of generated alert `i` of the first organization. */
export const alertId = (i: number) => `a1000000${i.toString(16).padStart(16, "0")}`

/** The v2 base URL the fake serves beside a v1 base URL (the same port, `/v2`). */
export const v2BaseOf = (v1BaseUrl: string) => v1BaseUrl.replace(/\/api\/v1$/, "/v2")

/**
 * The plain v2 client the SDK is measured against: fetch, a Hawk header from
 * @hapi/hawk for each request, JSON.parse, no validation; tokens followed
 * until a page comes without one.
 */
export const plainListV2 = async (
  v2BaseUrl: string,
  credentials: { readonly userId: string; readonly apiKey: string; readonly orgId: string }
): Promise<number> => {
  const Hawk = await import("@hapi/hawk")
  let records = 0
  let token: string | undefined
  for (;;) {
    const url = `${v2BaseUrl}/alerts?status=active${token === undefined ? "" : `&token=${encodeURIComponent(token)}`}`
    const { header } = Hawk.client.header(url, "GET", {
      credentials: { id: credentials.userId, key: credentials.apiKey, algorithm: "sha256" },
      ext: credentials.orgId
    })
    const response = await fetch(url, { headers: { authorization: header } })
    const page = JSON.parse(await response.text()) as { alerts: Array<unknown>; token?: string | null }
    records += page.alerts.length
    if (typeof page.token !== "string" || page.token === "") return records
    token = page.token
  }
}

/**
 * The garbage collection while `f` runs, from Node's `gc` performance
 * entries: milliseconds in all, and how many were scavenges (young
 * generation). Steadier than wall time on a busy machine: it moves with what
 * a client allocates and keeps alive, not with what else the machine does.
 * `promotedBytes`: how much V8's old space grew meanwhile, which is what
 * scavenges moved there (with what was made there directly) while no full
 * collection ran (`undefined` if one did): objects kept alive past a
 * scavenge end up there, and only a full collection frees them.
 */
export const collections = async <A>(
  f: () => Promise<A>
): Promise<{
  readonly ms: number
  readonly scavenges: number
  readonly promotedBytes: number | undefined
  readonly value: A
}> => {
  let ms = 0
  let scavenges = 0
  let full = 0
  const count = (entries: ReadonlyArray<PerformanceEntry>) => {
    for (const entry of entries) {
      ms += entry.duration
      // a gc entry's detail says which collection it was (not in this @types/node's PerformanceEntry)
      const detail = (entry as PerformanceEntry & { readonly detail?: { readonly kind?: number } }).detail
      if (detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++
      else if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) full++
    }
  }
  const oldSpace = () =>
    getHeapSpaceStatistics().find((space) => space.space_name === "old_space")?.space_used_size ?? 0
  const observer = new PerformanceObserver((list) => count(list.getEntries()))
  observer.observe({ entryTypes: ["gc"] })
  try {
    const before = oldSpace()
    const value = await f()
    const grown = oldSpace() - before
    // an entry is delivered after its collection: let the last ones in
    await new Promise((resolve) => setTimeout(resolve, 10))
    count(observer.takeRecords())
    return { ms, scavenges, promotedBytes: full === 0 ? grown : undefined, value }
  } finally {
    observer.disconnect()
  }
}
