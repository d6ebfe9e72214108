/**
 * The packages as a user installs them: built, packed with `pnpm pack`, and
 * installed into a fresh npm project with the README's own install line (the
 * two package names replaced by the tarballs). Shared by the packaging test
 * and `pnpm bench:cli`.
 */
import { execFile } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const ROOT = fileURLToPath(new URL("../", import.meta.url))
export const PACKAGES = ["core", "node"] as const

/** npm without its audit, funding and update notices. */
export const NPM_QUIET = {
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_loglevel: "error",
  npm_config_update_notifier: "false"
}

export const read = (path: string) => readFileSync(join(ROOT, path), "utf8")

/** The fenced blocks of a markdown text, in order. */
export const fences = (text: string) =>
  Array.from(text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm), (m) => ({ lang: m[1]!, code: m[2]!, at: m.index }))

export const README = read("README.md")
/** The README's introduction: from the top to the first section of the guide. */
export const INTRO = README.slice(0, README.indexOf("\n## The v1 guide"))

/** The install line: the one `sh` block of the introduction that installs the two packages. */
export const installBlocks = fences(INTRO).filter((f) => f.lang === "sh" && f.code.startsWith("npm install "))
export const INSTALL = installBlocks[0]?.code.trim() ?? ""

/** Where `packAndInstall(dir)` leaves the tarball of a package. */
export const tarball = (dir: string, pkg: string) => join(dir, "packs", `effect-threatstack-${pkg}-0.1.0.tgz`)

/**
 * Runs a command without blocking this process (a fake server in it keeps answering, vitest's worker keeps
 * reporting), and returns its stdout.
 */
export const sh = (command: string, args: ReadonlyArray<string>, cwd: string, env: Record<string, string> = {}) =>
  new Promise<string>((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, env: { ...process.env, ...env }, encoding: "utf8", timeout: 240_000 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`${command} ${args.join(" ")}: ${error.message}\n${stdout}\n${stderr}`))
          : resolve(stdout)
    )
  })

/** Builds and packs both packages into `dir/packs`, and installs them in `dir` as a new npm project. */
export const packAndInstall = async (dir: string) => {
  mkdirSync(join(dir, "packs"))
  await sh("pnpm", ["run", "build"], ROOT)
  for (const pkg of PACKAGES) {
    await sh("pnpm", ["pack", "--pack-destination", join(dir, "packs")], join(ROOT, "packages", pkg))
  }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }))
  // the README's line, exactly, with the tarballs in place of the two package names
  let line = INSTALL
  for (const pkg of PACKAGES) line = line.replace(` @effect-threatstack/${pkg} `, ` '${tarball(dir, pkg)}' `)
  if (line.includes("@effect-threatstack/")) throw new Error(`the README's install line is not as expected: ${INSTALL}`)
  await sh("sh", ["-c", line], dir, NPM_QUIET)
}
