import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
let stateDir: string;

beforeEach(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-cli-errors-'));
});

afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

/** Runs `npm run local -- ...` as the npm script does, in a state folder of its own. */
function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['local/cli.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, SECURITYHUB_LOCAL_DIR: stateDir },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('the npm script runs the CLI without building first', () => {
  const scripts = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts as Record<string, string>;

  expect(scripts.local).toBe('tsx local/cli.ts');
});

test('--help prints the usage and exits 0', () => {
  const run = cli('--help');

  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^Usage: npm run local -- <command> \[options\]/);
  expect(run.stdout).toContain('reset');
});

test.each([
  [['frobnicate'], 'error: unknown command "frobnicate"'],
  [['status', '--frob'], 'error: unknown option "--frob" for status'],
])('fails on %j with exit 2, naming it, and the usage', (argv, message) => {
  const run = cli(...argv);

  expect(run.status).toBe(2);
  expect(run.stderr.split('\n')[0]).toMatch(new RegExp(`^${message.replace(/[[\]"-]/g, '\\$&')}`));
  expect(run.stderr).toContain('Usage: npm run local -- <command> [options]');
  expect(run.stdout).toBe('');
});

describe('a corrupt state file', () => {
  test.each([['status'], ['deploy'], ['destroy']])('%s names securityhub.json and the way out in one line, and leaves it as it is', (command) => {
    const file = path.join(stateDir, 'securityhub.json');
    fs.writeFileSync(file, '{"version": 1,\n "hubs": [');

    const run = cli(command);

    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: cannot read emulator state file .*securityhub\.json: .* start over with `npm run local -- reset`/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"version": 1,\n "hubs": [');
    expect(fs.existsSync(path.join(stateDir, 'cdk.out'))).toBe(false);
  });

  test.each([['nope'], ['{"resources": 3}']])('deploy and destroy name stacks.json holding %s, and leave it as it is', (content) => {
    const file = path.join(stateDir, 'stacks.json');
    fs.writeFileSync(file, content);

    for (const command of ['deploy', 'destroy']) {
      const run = cli(command);

      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: cannot read the local deploy's state file .*stacks\.json: .*`npm run local -- reset`/)]);
      expect(fs.readFileSync(file, 'utf8')).toBe(content);
    }
  });

  test('reset deletes the state files and nothing else in the folder', () => {
    fs.writeFileSync(path.join(stateDir, 'securityhub.json'), 'garbage');
    fs.writeFileSync(path.join(stateDir, 'stacks.json'), 'garbage');
    fs.mkdirSync(path.join(stateDir, 'assets'));
    fs.writeFileSync(path.join(stateDir, 'notes.txt'), 'mine');

    const run = cli('reset');

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('The local Security Hub is empty and nothing is deployed.');
    expect(fs.readdirSync(stateDir)).toEqual(['notes.txt']);
    expect(cli('status').stdout).toContain('The local Security Hub has no members.');
  });
});
