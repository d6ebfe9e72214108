/**
 * The command line run in this process, as the tests that need no terminal
 * run it: stdout and stderr captured (neither a terminal), the exit code
 * returned.
 */
import { NodeContext } from "@effect/platform-node"
import { vi } from "@effect/vitest"
import { Effect } from "effect"
import { Cli } from "@effect-threatstack/node"

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs the command line in this process; what it writes to stdout and stderr is kept, not shown. */
export const cli = async (...args: ReadonlyArray<string>): Promise<Run> => {
  const kept = { stdout: "", stderr: "" }
  const keep = (into: "stdout" | "stderr") =>
    vi.spyOn(process[into], "write").mockImplementation((chunk: string | Uint8Array) => {
      kept[into] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8")
      return true
    })
  keep("stdout")
  keep("stderr")
  try {
    const code = await Effect.runPromise(
      Cli.run(["node", "threatstack", ...args]).pipe(Effect.provide(NodeContext.layer))
    )
    return { code, ...kept }
  } finally {
    vi.restoreAllMocks()
  }
}
