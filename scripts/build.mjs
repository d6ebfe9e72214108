// Builds the package in the current directory: ESM with declarations (tsc) into
// dist/esm, CommonJS (esbuild, file by file, no bundling) into dist/cjs with the
// same declarations beside it, each folder marked with its module type; and, for
// the package with a command line (src/bin.ts), its bin bundled into dist/bin
// (see bundle-bin.mjs).
import { execFileSync } from "node:child_process"
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"
import { bundleBin } from "./bundle-bin.mjs"

const require = createRequire(import.meta.url)
const run = (command, args) => execFileSync(command, args, { stdio: "inherit" })

rmSync("dist", { recursive: true, force: true })
run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"])

const sources = readdirSync("src", { recursive: true })
  .filter((f) => f.endsWith(".ts"))
  .map((f) => join("src", f))
require("esbuild").buildSync({
  entryPoints: sources,
  format: "cjs",
  platform: "node",
  target: "node18",
  sourcemap: true,
  outdir: "dist/cjs",
  logLevel: "warning"
})

for (const file of readdirSync("dist/esm", { recursive: true })) {
  if (file.endsWith(".d.ts") || file.endsWith(".d.ts.map")) cpSync(join("dist/esm", file), join("dist/cjs", file))
}
writeFileSync("dist/esm/package.json", `${JSON.stringify({ type: "module", sideEffects: false })}\n`)
writeFileSync("dist/cjs/package.json", `${JSON.stringify({ type: "commonjs", sideEffects: false })}\n`)
for (const bin of ["dist/esm/bin.js", "dist/cjs/bin.js"]) {
  if (existsSync(bin)) chmodSync(bin, 0o755)
}
mkdirSync("dist", { recursive: true })
if (existsSync("src/bin.ts")) bundleBin()
