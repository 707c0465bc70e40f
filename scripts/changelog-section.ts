/**
 * The CHANGELOG.md section of one version, for the body of its GitHub release (the release
 * workflow). Usage: `npx tsx scripts/changelog-section.ts X.Y.Z [CHANGELOG.md]`; prints the
 * section without its heading, and fails when the version has no section or an empty one, so a
 * version is not released without its notes.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The text under `## [version]` up to the next `## ` heading or the link definitions, trimmed. */
export function changelogSection(markdown: string, version: string): string {
  const lines = markdown.split('\n');
  const heading = new RegExp(`^## \\[${version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\](\\s|$)`);
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) {
    throw new Error(`CHANGELOG.md has no "## [${version}]" section`);
  }
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => line.startsWith('## ') || /^\[[^\]]+\]:\s/.test(line));
  const section = (end < 0 ? rest : rest.slice(0, end)).join('\n').trim();
  if (section === '') {
    throw new Error(`CHANGELOG.md's "## [${version}]" section is empty`);
  }
  return section;
}

if (require.main === module) {
  const [version, file = path.join(__dirname, '..', 'CHANGELOG.md')] = process.argv.slice(2);
  if (!version) {
    process.stderr.write('usage: changelog-section.ts X.Y.Z [CHANGELOG.md]\n');
    process.exit(1);
  }
  try {
    process.stdout.write(`${changelogSection(fs.readFileSync(file, 'utf8'), version)}\n`);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
}
