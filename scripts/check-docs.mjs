// Every export of the packages' sources has a TSDoc comment with an @example.
// Prints each one that does not, and exits 1 if any.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const missing = []
for (const pkg of ["core", "node"]) {
  const dir = join("packages", pkg, "src")
  for (const file of readdirSync(dir, { recursive: true }).filter((f) => f.endsWith(".ts") && !f.startsWith("internal") && f !== "index.ts" && f !== "bin.ts")) {
    const lines = readFileSync(join(dir, file), "utf8").split("\n")
    const functions = new Set()
    lines.forEach((line, i) => {
      const match = /^export (?:declare )?(?:const|function|class|interface|type|abstract class) (\w+)/.exec(line)
      if (!match) return
      // overloads of one function share the first signature's comment
      if (line.startsWith("export function")) {
        if (functions.has(match[1])) return
        functions.add(match[1])
      }
      let j = i - 1
      if (lines[j]?.trim() !== "*/") {
        missing.push(`${dir}/${file}:${i + 1} ${match[1]}: no TSDoc comment`)
        return
      }
      while (j > 0 && !lines[j].trim().startsWith("/**")) j--
      const comment = lines.slice(j, i).join("\n")
      if (!comment.includes("@example")) missing.push(`${dir}/${file}:${i + 1} ${match[1]}: no @example`)
    })
  }
}
for (const line of missing) console.log(line)
console.log(
  missing.length === 0 ? "every export has TSDoc with an example" : `${missing.length} exports lack TSDoc or an example`
)
process.exit(missing.length === 0 ? 0 : 1)
