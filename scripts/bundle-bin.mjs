// The published `threatstack` command, built into dist/bin of the package in the current directory
// (called by build.mjs when the package has src/bin.ts):
//   cli.cjs          src/bin.ts and everything it imports (effect, @effect/cli, undici, the SDK) in one
//                    CommonJS file: tree-shaken, minified, no import resolved at run time but Node's own
//   threatstack.cjs  the bin: bin/launcher.cjs, which answers `--version` from version.txt and runs cli.cjs
//                    for everything else (with a V8 code cache, see there)
//   version.txt      what `cli.cjs --version` prints, captured here so that the launcher prints the same
//   THIRD-PARTY-NOTICES.txt  the licences of the bundled packages
// The SDK's own modules (dist/esm, dist/cjs) stay unbundled; only the bin is one file.
import { execFileSync } from "node:child_process"
import { chmodSync, copyFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { join } from "node:path"

const require = createRequire(import.meta.url)
const OUT = "dist/bin"

/** The root folder of the npm package a bundled file belongs to, or undefined for the workspace's own sources. */
const packageRoot = (file) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1]

/** One section per bundled package: name, version, licence, and its licence file's text when it ships one. */
const licences = (inputs) => {
  const roots = [...new Set(inputs.map(packageRoot).filter((root) => root !== undefined))].sort()
  return roots
    .map((root) => {
      const {
        name,
        version,
        license = "licence in its files"
      } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
      const file = readdirSync(root).find((f) => /^licen[cs]e/i.test(f))
      const text = file === undefined ? "" : `\n\n${readFileSync(join(root, file), "utf8").trim()}`
      return `${name}@${version} (${license})${text}\n`
    })
    .join(`\n${"-".repeat(72)}\n\n`)
}

export const bundleBin = () => {
  const cli = join(OUT, "cli.cjs")
  const { metafile } = require("esbuild").buildSync({
    entryPoints: ["src/bin.ts"],
    outfile: cli,
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    minify: true,
    legalComments: "none",
    metafile: true,
    logLevel: "warning"
  })
  // the launcher compiles cli.cjs as a function body, where a `#!` line is not allowed
  writeFileSync(cli, readFileSync(cli, "utf8").replace(/^#!.*\n/, ""))
  const inputs = Object.entries(metafile.outputs[cli].inputs)
  const bundled = inputs.filter(([, input]) => input.bytesInOutput > 0).map(([file]) => file)
  writeFileSync(join(OUT, "THIRD-PARTY-NOTICES.txt"), licences(bundled))
  writeFileSync(join(OUT, "version.txt"), execFileSync(process.execPath, [cli, "--version"]))
  copyFileSync("bin/launcher.cjs", join(OUT, "threatstack.cjs"))
  chmodSync(join(OUT, "threatstack.cjs"), 0o755)
}
