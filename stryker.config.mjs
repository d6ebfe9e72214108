// Mutation testing of the core SDK (issue #17): `pnpm test:mutation`.
// A script you run by hand, not part of CI: the whole core is about 7,200 mutants, 2 to 2.5 hours
// on two idle cores; `--mutate <files>` runs a part.
// The per-file table Stryker prints goes to test/mutation/summary.txt.
//
// - Stryker 9.6.x: Stryker 10 needs Node 22; 9.6 works with vitest 3.2.
// - pnpm's layout hides the plugins from @stryker-mutator/core: they are named by path.
// - inPlace: in a sandbox copy, tests would still import the workspace packages
//   (@effect-threatstack/core) unmutated, through pnpm's symlinks to the real tree.
// - concurrency: 2 is the figure for an idle two-core machine; on a shared one run
//   `STRYKER_CONCURRENCY=1 pnpm test:mutation`. Run a few modules with
//   `pnpm test:mutation --mutate packages/core/src/internal/Retry.ts,packages/core/src/TimeRange.ts`.
import { fileURLToPath } from "node:url"

const plugin = (name) => fileURLToPath(import.meta.resolve(name))

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  packageManager: "pnpm",
  plugins: [plugin("@stryker-mutator/vitest-runner"), plugin("@stryker-mutator/typescript-checker")],
  testRunner: "vitest",
  // the package and CLI suites (and the spawned or real-clock suites under test/) are left out
  vitest: { configFile: "test/mutation/vitest.config.ts" },
  checkers: ["typescript"],
  tsconfigFile: "test/mutation/tsconfig.json",
  mutate: ["packages/core/src/**/*.ts"],
  inPlace: true,
  // vitest strips types without checking them: no file needs a @ts-nocheck, so none outside `mutate` is rewritten
  disableTypeChecks: false,
  coverageAnalysis: "perTest",
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 2),
  // the suites run on TestClock; a mutant that makes a request wait forever ends at the tests' own timeout
  timeoutMS: 20_000,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true
}
