import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

// The suites Stryker runs against each mutant of packages/core/src: the core package's own tests, and
// the fast cross-package ones over the fake server. Left out: packaging and the CLI (spawned processes),
// faults and v2 (real-clock waits), the benchmarks.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: ["packages/core/test/**/*.test.ts", "test/fake-server.test.ts", "test/secrets.test.ts"],
    exclude: ["**/node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
