// Every export of the packages' public sources has a TSDoc comment that says something (a description, an
// @example where one shows a real use). Internal modules (src/internal) are not public and not checked.
// Prints each export that has none, and exits 1 if any.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

const missing = []
for (const pkg of ["core", "node"]) {
  const dir = join("packages", pkg, "src")
  const files = readdirSync(dir, { recursive: true }).filter(
    (f) => f.endsWith(".ts") && !f.startsWith("internal") && !f.endsWith("index.ts") && f !== "bin.ts"
  )
  for (const file of files) {
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
      const text = lines
        .slice(j, i)
        .map((l) => l.replace(/^\s*\/?\*+\/?\s?/, ""))
        .filter((l) => l.trim() !== "" && !l.trim().startsWith("@since") && !l.trim().startsWith("@category"))
      if (text.length === 0) missing.push(`${dir}/${file}:${i + 1} ${match[1]}: the TSDoc comment says nothing`)
    })
  }
}
for (const line of missing) console.log(line)
console.log(
  missing.length === 0 ? "every export has a TSDoc comment" : `${missing.length} exports lack a TSDoc comment`
)
process.exit(missing.length === 0 ? 0 : 1)
