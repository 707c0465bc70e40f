import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { SecurityHubMembers } from '../../../lib';
import { LocalCliRun, ROOT, runLocalCli } from '../../support/local-cli';

const root = ROOT;
let stateDir: string;

beforeEach(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-cli-errors-'));
});

afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

/** Runs `npm run local -- ...` in the test's state folder. */
function cli(...args: string[]): LocalCliRun {
  return runLocalCli(stateDir, ...args);
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

test('--version prints package.json\'s version and exits 0', () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

  expect(cli('--version')).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
});

/** What a failed command must print: exactly this one line on stderr (the parser's words aside), nothing on stdout, exit 1. */
function expectOneLineError(run: ReturnType<typeof cli>, line: string | RegExp): void {
  expect({ status: run.status, stderr: run.stderr, stdout: run.stdout })
    .toEqual({ status: 1, stderr: typeof line === 'string' ? `${line}\n` : expect.stringMatching(line), stdout: '' });
}

test.each([
  [['frobnicate'], 'error: unknown command "frobnicate": expected one of deploy, plan, destroy, status, drift, import, audit, resign, remove, reset, help'],
  [['status', '--frob'], 'error: unknown option "--frob" for status: expected --help, --version'],
  [['deploy', '-c', 'memberStacks'], 'error: option "-c" needs KEY=VALUE, got "memberStacks": for example -c memberStacks=false'],
])('fails on %j with one line naming it, and exit 1', (argv, line) => {
  expectOneLineError(cli(...argv), line);
});

describe('with members deployed locally', () => {
  const ADMIN = '999999999999';
  const hubState = {
    version: 1,
    hubs: [{
      account: ADMIN,
      region: 'us-east-1',
      enabled: true,
      members: [
        { accountId: '111111111111', administratorId: ADMIN, memberStatus: 'Enabled', updatedAt: '2026-01-01T00:00:00.000Z' },
        { accountId: '333333333333', administratorId: ADMIN, memberStatus: 'Enabled', updatedAt: '2026-01-01T00:00:00.000Z' },
      ],
      invitationsSent: { 111111111111: 1 },
    }],
    organizations: { [ADMIN]: ['333333333333'] },
  };
  const files = (): Record<string, string> => Object.fromEntries(fs.readdirSync(stateDir, { withFileTypes: true })
    .filter((entry) => entry.isFile()).map((entry) => [entry.name, fs.readFileSync(path.join(stateDir, entry.name), 'utf8')]));
  let before: Record<string, string>;
  beforeEach(() => {
    fs.writeFileSync(path.join(stateDir, 'securityhub.json'), JSON.stringify(hubState, null, 2));
    fs.writeFileSync(path.join(stateDir, 'stacks.json'), JSON.stringify({ resources: [], stacks: [] }, null, 2));
    before = files();
  });

  test.each([
    [['resign', '333333333333'], 'error: 333333333333 cannot resign from administrator 999999999999 in us-east-1: it is in that administrator\'s organization, '
      + 'where only the administrator can disassociate it: expected `npm run local -- remove 333333333333`'],
    [['resign', '444444444444'], 'error: 444444444444 is not a member of any administrator in the local Security Hub: expected a member account, as `npm run local -- status` lists them'],
    [['remove', '111111111111', '444444444444'], 'error: 444444444444 is not a member of any administrator in the local Security Hub: expected a member account, as `npm run local -- status` lists them'],
    [['remove', '12'], 'error: invalid account id "12" for remove: expected 12 digits'],
    [['deploy', '-c', 'organizationAccounts=abc'], 'error: invalid -c organizationAccounts account id "abc": expected 12 digits, as a JSON list or separated by commas'],
    [['deploy', '-c', 'organizationAccounts=[1]'], 'error: invalid -c organizationAccounts [1]: expected a list of account ids'],
    [['deploy', '-c', 'members={"a":1}'], 'error: invalid -c members {"a":1}: expected a JSON list such as [{"accountId": "111111111111", "email": "security@example.com"}]'],
    // The JSON parser's own words differ between Node.js versions.
    [['deploy', '-c', 'members=[{'], /^error: invalid -c members "\[\{", not JSON \([^\n]+\): expected a JSON list such as \[\{"accountId": "111111111111", "email": "security@example.com"\}\]\n$/],
    [['deploy', '-c', 'members=[{"accountId":1}]'], 'error: invalid -c members[0] {"accountId":1}: expected {"accountId": "<12 digits>"}, with an optional "email" string'],
    [['destroy', 'Nope'], 'error: stack "Nope" is not deployed locally: expected one of (none)'],
  ])('%j fails with one line naming it, exit 1, and the state as it was', (argv, line) => {
    expectOneLineError(cli(...argv), line);
    expect(files()).toEqual(before);
    // Checked before a synth: nothing was synthesized.
    expect(fs.existsSync(path.join(stateDir, 'cdk.out'))).toBe(false);
  });

  test('a failed synth is one line with the construct\'s own message, exit 1, and the state as it was', () => {
    const run = cli('deploy', '-c', 'administratorAccount=12');

    expect(run.status).toBe(1);
    expect(run.stderr).toBe('error: cdk synth failed, so nothing was deployed and the local Security Hub is unchanged: '
      + 'SecurityHubInvitationAccepter SecurityHubMember-111111111111/Accept: invalid administrator account id "12": expected 12 digits\n');
    expect(run.stdout).not.toContain('Deploying');
    expect(Object.fromEntries(Object.entries(files()).filter(([name]) => name.endsWith('.json')))).toEqual(before);
  }, 180_000);
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

test('npm run --silent local -- drift --json prints the JSON document alone on stdout, as the README shows', () => {
  // The deployed app's cloud assembly, where a deploy would have left it.
  const app = new App({ outdir: path.join(stateDir, 'cdk.out') });
  new SecurityHubMembers(new Stack(app, 'Admin', { env: { account: '999999999999', region: 'us-east-1' } }), 'Members', { members: [{ accountId: '111111111111' }] });
  app.synth();
  const npm = (...args: string[]) => spawnSync('npm', args, { cwd: root, encoding: 'utf8', env: { ...process.env, SECURITYHUB_LOCAL_DIR: stateDir } });

  const silent = npm('run', '--silent', 'local', '--', 'drift', '--json');
  const banner = npm('run', 'local', '--', 'drift', '--json');

  expect(silent.status).toBe(2);
  expect(JSON.parse(silent.stdout)).toMatchObject({ inSync: false, resources: [{ stack: 'Admin', members: [{ accountId: '111111111111', status: 'NotAMember' }] }] });
  // Without --silent, npm's banner comes first: the reason the README says --silent.
  expect(banner.stdout).toMatch(/^\s*> cdk-securityhub-members@/);
}, 180_000);
