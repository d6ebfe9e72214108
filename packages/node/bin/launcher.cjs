#!/usr/bin/env node
// The installed `threatstack` command: dist/bin/threatstack.cjs of the published package (scripts/bundle-bin.mjs
// puts it there, beside cli.cjs and version.txt). In the workspace, bin/threatstack.js runs the sources instead.
//
// `threatstack --version` is answered from version.txt, which the build captured from the command line itself,
// without loading the command line. Every other command runs cli.cjs, the whole command line in one file.
// Compiling that file is a large part of a short command's time, so V8's compiled code for it is kept in the
// user's cache folder ($XDG_CACHE_HOME or ~/.cache, %LOCALAPPDATA% on Windows, then effect-threatstack/) and
// reused by the next run: what Node 22's `module.enableCompileCache()` does, done here so that Node 20 has it too.
// The file is named by a hash of cli.cjs and of the Node version and platform; V8 refuses data that it did not make
// for this source and these flags, and the cache is then written again. NODE_DISABLE_COMPILE_CACHE=1 (Node's
// own switch) turns it off. A cache that cannot be read or written only means a slower start.
"use strict"
const { createHash } = require("node:crypto")
const fs = require("node:fs")
const { createRequire } = require("node:module")
const { homedir } = require("node:os")
const path = require("node:path")
const vm = require("node:vm")

/** Where the code cache of `source` is kept, or undefined when it is turned off or there is no cache folder. */
const cacheFileOf = (source) => {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return undefined
  const xdg = process.env.XDG_CACHE_HOME
  const base =
    process.platform === "win32"
      ? process.env.LOCALAPPDATA
      : xdg && path.isAbsolute(xdg)
        ? xdg
        : path.join(homedir(), ".cache")
  if (!base) return undefined
  const key = createHash("sha256").update(`${process.version} ${process.platform} ${process.arch}\n`).update(source)
  return path.join(base, "effect-threatstack", `cli-${key.digest("hex").slice(0, 32)}.v8`)
}

const readOrUndefined = (file) => {
  try {
    return fs.readFileSync(file)
  } catch {
    return undefined
  }
}

/** Writes what V8 compiled during this run (written whole, then renamed: a concurrent run never reads half of it). */
const save = (file, script) => {
  const partial = `${file}.${process.pid}`
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
    fs.writeFileSync(partial, script.createCachedData(), { mode: 0o600 })
    fs.renameSync(partial, file)
  } catch {
    try {
      fs.rmSync(partial, { force: true })
    } catch {
      // no folder to write in: nothing was written
    }
  }
}

/** Runs a CommonJS file as `require` would, compiled with the code cache. */
const run = (file) => {
  const source = fs.readFileSync(file, "utf8")
  const cacheFile = cacheFileOf(source)
  const cachedData = cacheFile === undefined ? undefined : readOrUndefined(cacheFile)
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {
    filename: file,
    lineOffset: -1,
    cachedData,
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER
  })
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected)) {
    // at exit, so that the cache holds the functions this command compiled, not only the outer one
    process.once("exit", () => save(cacheFile, script))
  }
  const module = { exports: {} }
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file))
}

const args = process.argv.slice(2)
if (args.length === 1 && args[0] === "--version") {
  process.stdout.write(fs.readFileSync(path.join(__dirname, "version.txt")))
} else {
  run(path.join(__dirname, "cli.cjs"))
}
