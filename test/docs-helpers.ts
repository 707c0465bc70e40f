/** What the docs tests share. */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/** The Markdown files the check covers, relative to the repository root. */
export function markdownFiles(root = ROOT): string[] {
  const docs = fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  const examples = fs.readdirSync(path.join(root, 'examples'))
    .map((d) => `examples/${d}/README.md`)
    .filter((f) => fs.existsSync(path.join(root, f)));
  const community = ['CONTRIBUTING.md', 'SECURITY.md', 'CODE_OF_CONDUCT.md'].filter((f) => fs.existsSync(path.join(root, f)));
  return ['README.md', ...community, ...docs, ...examples];
}
