/**
 * docs/drift.md's "Try it locally" lines, run as written against a fresh local state: each line
 * whose comment claims an exit code ends with it, and every other line ends with 0.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT, runLocalCli } from '../support/local-cli';
import { requireFreshBundles } from '../support/fresh-bundles';

// The local deploy runs the handler bundles in assets/.
requireFreshBundles();

/** The `npm run local -- ...` lines of the section's first sh block, with the exit code each claims. */
function tryItLocallyLines(): { line: string; args: string[]; exitCode: number }[] {
  const markdown = fs.readFileSync(path.join(ROOT, 'docs', 'drift.md'), 'utf8');
  const section = markdown.split(/^## Try it locally$/m)[1];
  const block = /```sh\n([\s\S]*?)```/.exec(section ?? '');
  if (!block) {
    throw new Error('docs/drift.md has no ```sh block under "## Try it locally"');
  }
  return block[1].trim().split('\n').map((line) => {
    const m = /^npm run local -- ([^#]+?)\s*(?:#\s*(.*))?$/.exec(line);
    if (!m) {
      throw new Error(`docs/drift.md: not an npm run local line: ${line}`);
    }
    // Quotes would need a shell; the lines are plain words so that they run here as written.
    if (/['"$`\\]/.test(m[1])) {
      throw new Error(`docs/drift.md: a line with quoting, which this test does not run: ${line}`);
    }
    const claimed = /\bexit (\d+)\b/.exec(m[2] ?? '');
    return { line, args: m[1].split(/\s+/), exitCode: claimed ? Number(claimed[1]) : 0 };
  });
}

describe('docs/drift.md, Try it locally', () => {
  let stateDir: string;
  beforeAll(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-doc-'));
  });
  afterAll(() => {
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  test('claims exit codes 0 and 2 somewhere, as the section is about drift', () => {
    const codes = tryItLocallyLines().map((l) => l.exitCode);
    expect(codes).toEqual(expect.arrayContaining([0, 2]));
  });

  test('every line ends with the exit code its comment claims, in order', () => {
    const results = tryItLocallyLines().map(({ line, args, exitCode }) => {
      const run = runLocalCli(stateDir, ...args);
      return { line, claimed: exitCode, status: run.status, stderr: run.stderr.trim() };
    });
    expect(results.filter((r) => r.status !== r.claimed)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(8);
  }, 300_000);
});
