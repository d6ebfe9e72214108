import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

// The suites Stryker runs against each mutant of packages/core/src: the core package's own tests, and
// the fast cross-package ones over the fake server. Left out: packaging and the CLI (spawned processes),
// faults and v2 (real-clock waits), the benchmarks.
//
// `MUTATION_TESTS` (comma-separated globs) narrows the run to some suites. Code every listing runs through
// (the record decoder, the in-memory fake) is covered by most of the suite, so each of its mutants would rerun
// nearly all of it; with the suites written for that code, a run takes minutes instead of hours, and the score
// is a lower bound (a mutant only the other suites would kill counts as survived).
const narrowed = process.env.MUTATION_TESTS?.split(",").filter((glob) => glob !== "")

export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: narrowed ?? ["packages/core/test/**/*.test.ts", "test/fake-server.test.ts", "test/secrets.test.ts"],
    exclude: ["**/node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
