import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleOutputs, bundleStaleness } from '../../local/handler-bundles';

let root: string;

/** Writes a file and sets its modification time, in seconds after an arbitrary epoch. */
function write(relative: string, at: number): void {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, relative);
  fs.utimesSync(file, 1_700_000_000 + at, 1_700_000_000 + at);
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-bundles-'));
  write('lambda/members/index.ts', 10);
  write('lambda/accepter/index.ts', 10);
  write('cli/index.ts', 10);
  write('lambda/shared/batch.ts', 10);
  write('lib/shared/contract.ts', 10);
  write('lib/security-hub-members.ts', 10);
  write('scripts/bundle-handlers.mjs', 10);
  write('package-lock.json', 10);
  write('assets/members-handler/index.js', 20);
  write('assets/accepter-handler/index.js', 20);
  write('assets/cli/index.js', 20);
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

test('expects one bundle per handler folder with an index.ts, and the drift command\'s', () => {
  expect(bundleOutputs(root).map((file) => path.relative(root, file))).toEqual([
    path.join('assets', 'accepter-handler', 'index.js'),
    path.join('assets', 'cli', 'index.js'),
    path.join('assets', 'members-handler', 'index.js'),
  ]);
});

test('expects the plan step\'s decision bundle when its script is there', () => {
  write('pipeline/plan-decision/index.ts', 10);
  write('assets/plan-decision/index.js', 20);

  expect(bundleOutputs(root).map((file) => path.relative(root, file))).toContain(path.join('assets', 'plan-decision', 'index.js'));
  expect(bundleStaleness(root)).toBeUndefined();
  write('pipeline/plan-decision/decide.ts', 30);
  expect(bundleStaleness(root)).toBe(`${path.join('pipeline', 'plan-decision', 'decide.ts')} changed after ${path.join('assets', 'accepter-handler', 'index.js')} was made`);
});

test('is up to date when every bundle is newer than every input', () => {
  expect(bundleStaleness(root)).toBeUndefined();
});

test('a construct-only change in lib/ does not make the bundles stale', () => {
  write('lib/security-hub-members.ts', 30);

  expect(bundleStaleness(root)).toBeUndefined();
});

test.each([
  ['lambda/shared/batch.ts'],
  ['cli/index.ts'],
  ['lib/shared/contract.ts'],
  ['scripts/bundle-handlers.mjs'],
  ['package-lock.json'],
])('is stale when %s changed after a bundle was made', (input) => {
  write(input, 30);

  expect(bundleStaleness(root)).toBe(`${path.normalize(input)} changed after ${path.join('assets', 'accepter-handler', 'index.js')} was made`);
});

test('compares with the oldest bundle', () => {
  write('assets/members-handler/index.js', 5);

  expect(bundleStaleness(root)).toMatch(/changed after assets.members-handler.index\.js was made$/);
});

test('is stale when a bundle is missing', () => {
  fs.rmSync(path.join(root, 'assets', 'members-handler'), { recursive: true });

  expect(bundleStaleness(root)).toBe(`${path.join('assets', 'members-handler', 'index.js')} is missing`);
});
