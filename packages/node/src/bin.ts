#!/usr/bin/env node
/**
 * The `threatstack` executable.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Exit } from "effect"
import * as Cli from "./Cli.js"

// `threatstack … | head` closes the pipe early: that is a normal end, not an error
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0)
  throw error
})

// Ctrl-C (or a kill) interrupts the command, which cleans up (a JSON array is closed, servers stop);
// the exit code is then the shell's for that signal, 128 + its number: 130 for SIGINT, 143 for SIGTERM
let signalled: number | undefined
process.once("SIGINT", () => {
  signalled = 130
})
process.once("SIGTERM", () => {
  signalled = 143
})

Cli.run(process.argv).pipe(
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    teardown: (exit, onExit) =>
      onExit(
        Exit.isSuccess(exit) && typeof exit.value === "number"
          ? exit.value
          : Exit.isInterrupted(exit) && signalled !== undefined
            ? signalled
            : Cli.ExitCode.unexpected
      )
  })
)
