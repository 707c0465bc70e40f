import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { requireFreshBundles } from './fresh-bundles';

let root: string;

/** Writes a file of the fake project, `ageSeconds` in the past. */
function write(relative: string, ageSeconds: number): void {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '// content\n');
  const at = new Date(Date.now() - ageSeconds * 1000);
  fs.utimesSync(file, at, at);
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-fresh-'));
  write('lambda/members/index.ts', 100);
  write('cli/index.ts', 100);
  write('assets/members-handler/index.js', 50);
  // Older than the other bundle by a clear margin, so it is the oldest whatever the clock between
  // the two writes (with equal ages either could come out older by a millisecond).
  write('assets/cli/index.js', 60);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

test('passes when every bundle is newer than its sources', () => {
  expect(() => requireFreshBundles(root)).not.toThrow();
});

test('fails with the command to run when a source changed after the bundles were made', () => {
  write('lambda/members/index.ts', 0);
  expect(() => requireFreshBundles(root)).toThrow(
    `stale bundles in assets/ (${path.join('lambda', 'members', 'index.ts')} changed after ${path.join('assets', 'cli', 'index.js')} was made): run \`npm run build\``,
  );
});

test('fails with the command to run when a bundle is missing', () => {
  fs.rmSync(path.join(root, 'assets'), { recursive: true });
  expect(() => requireFreshBundles(root)).toThrow(`stale bundles in assets/ (${path.join('assets', 'cli', 'index.js')} is missing): run \`npm run build\``);
});
