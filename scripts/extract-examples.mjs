// Writes every ```ts example of the packages' TSDoc and of docs/recipes.md into test/.examples/ (one
// module each), so that `tsc -p test/.examples` type-checks them all.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"

const out = join("test", ".examples")
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
let count = 0
for (const pkg of ["core", "node"]) {
  const dir = join("packages", pkg, "src")
  for (const file of readdirSync(dir, { recursive: true }).filter(
    (f) => f.endsWith(".ts") && !f.startsWith("internal")
  )) {
    const text = readFileSync(join(dir, file), "utf8")
    for (const match of text.matchAll(/ \* ```ts\n((?: \*.*\n)*?) \* ```/g)) {
      const code = match[1]
        .split("\n")
        .map((line) => line.replace(/^ \* ?/, ""))
        .join("\n")
      const line = text.slice(0, match.index).split("\n").length
      writeFileSync(
        join(out, `${pkg}-${file.replace(/\.ts$/, "").replaceAll("/", "-")}-${line}.ts`),
        `// ${dir}/${file}:${line}\n${code}\nexport {}\n`
      )
      count++
    }
  }
}
// README's guide snippets continue one another (as the v1 guide's do) and are run by test/guide.test.ts and
// test/v2.test.ts; the ones that stand alone (they start with their imports) are type-checked here.
for (const doc of ["docs/recipes.md", "README.md"]) {
  const text = readFileSync(doc, "utf8")
  for (const match of text.matchAll(/```ts\n([\s\S]*?)```/g)) {
    if (doc === "README.md" && !match[1].startsWith("import")) continue
    const line = text.slice(0, match.index).split("\n").length
    writeFileSync(join(out, `${doc.replace(/\W/g, "-")}-${line}.ts`), `// ${doc}:${line}\n${match[1]}\nexport {}\n`)
    count++
  }
}
writeFileSync(
  join(out, "tsconfig.json"),
  JSON.stringify({
    extends: "../../tsconfig.base.json",
    compilerOptions: { noEmit: true, noUnusedLocals: false, noUnusedParameters: false, types: ["node"] },
    include: ["*.ts"]
  })
)
console.log(`${count} examples written to ${out}`)
