/**
 * The installed package's `cdk-securityhub-members local`, in-process through the command's own
 * dispatch (cli/main.ts): the user's synthesized app, read as it is, its state beside it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { run } from '../../../cli/main';
import { SecurityHubInvitationAccepter, SecurityHubMembers } from '../../../lib';
import { DEFAULT_APP, takeInstalledOptions, UsageError } from '../../../local/cli-args';
import { INSTALLED_STATE_DIR, installedStateDir, packageRoot, runInstalledLocal } from '../../../local/installed';
import { requireFreshBundles } from '../../support/fresh-bundles';

// The deploy runs the handler bundles that the app's synth copied from assets/.
requireFreshBundles();

const ROOT = path.join(__dirname, '..', '..', '..');
const ADMIN = '999999999999';

test('takes --app and --organization out of the arguments, wherever they stand', () => {
  expect(takeInstalledOptions(['deploy'])).toEqual({ app: DEFAULT_APP, rest: ['deploy'] });
  expect(takeInstalledOptions(['--app', 'out', 'drift', '--json'])).toEqual({ app: 'out', rest: ['drift', '--json'] });
  expect(takeInstalledOptions(['deploy', 'Admin', '--app=a', '--organization', '333333333333', '--app', 'b']))
    .toEqual({ app: 'b', organization: '333333333333', rest: ['deploy', 'Admin'] });
  expect(() => takeInstalledOptions(['deploy', '--app'])).toThrow(new UsageError('option "--app" needs DIR, got nothing: the synthesized app to rehearse, the folder cdk synth wrote'));
  expect(() => takeInstalledOptions(['deploy', '--app', '--verbose'])).toThrow(/^option "--app" needs DIR, got "--verbose"/);
  expect(() => takeInstalledOptions(['deploy', '--organization='])).toThrow(/^option "--organization" needs ID,ID\.\.\., got nothing/);
});

test('keeps the state beside the app folder, or in SECURITYHUB_LOCAL_DIR', () => {
  expect(installedStateDir('/p/cdk.out', {})).toBe(path.join('/p', INSTALLED_STATE_DIR));
  expect(installedStateDir('/p/cdk.out', { SECURITYHUB_LOCAL_DIR: '/elsewhere' })).toBe('/elsewhere');
  expect(packageRoot(path.join(ROOT, 'local'))).toBe(ROOT);
  expect(() => packageRoot(os.tmpdir())).toThrow(/no package\.json of cdk-securityhub-members above/);
});

test('the command\'s --help names the local subcommand, and `local --help` is the local usage with --app', async () => {
  const out: string[] = [];
  const deps = { stdout: (line: string) => out.push(line), stderr: (line: string) => out.push(line), now: () => 0, sleep: async () => {} };

  expect(await run(['--help'], deps)).toBe(0);
  expect(out.join('\n')).toMatch(/^ {7}cdk-securityhub-members local <deploy\|destroy\|status\|drift\|audit\|\.\.\.> \[--app DIR\]$/m);
  out.length = 0;
  expect(await run(['local', '--help'], deps)).toBe(0);
  const usage = out.join('\n');
  expect(usage).toMatch(/^Usage: npx cdk-securityhub-members local <command> \[options\]/);
  expect(usage).toMatch(/^ {6}--app DIR +\(every command\) the synthesized app to rehearse/m);
  expect(usage).toMatch(/^ {6}--organization ID,ID\.\.\. +\(deploy\)/m);
  // -c is the clone's synth's; the installed command synthesizes nothing.
  expect(usage).not.toContain('--context');
});

describe('on a synthesized app', () => {
  let dir: string;
  let out: string[];
  let err: string[];
  const local = (...args: string[]): Promise<number> => runInstalledLocal([...args, '--app', path.join(dir, 'cdk.out')], {
    stdout: (line) => out.push(...line.split('\n')),
    stderr: (line) => err.push(line),
    env: {},
  });

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-installed-'));
    const app = new App({ outdir: path.join(dir, 'cdk.out') });
    const admin = new Stack(app, 'Admin', { env: { account: ADMIN, region: 'us-east-1' } });
    new SecurityHubMembers(admin, 'Members', { members: [{ accountId: '111111111111' }, { accountId: '333333333333' }] });
    const member = new Stack(app, 'Member', { env: { account: '111111111111', region: 'us-east-1' } });
    new SecurityHubInvitationAccepter(member, 'Accept', { administratorAccountId: ADMIN });
    member.addStackDependency(admin);
    app.synth();
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  beforeEach(() => {
    out = [];
    err = [];
  });

  test('refuses -c, which only a synth takes, and --organization outside deploy, before anything runs', async () => {
    expect(await local('deploy', '-c', 'members=[]')).toBe(1);
    expect(await local('status', '--organization', '333333333333')).toBe(1);
    expect(err).toEqual([
      expect.stringMatching(/^error: option "-c" does not apply to npx cdk-securityhub-members local deploy, which deploys the app in .*cdk\.out as it was synthesized: /),
      'error: option "--organization" applies to deploy only, got "status": the other commands play the organization the latest deploy saw',
    ]);
    expect(fs.existsSync(path.join(dir, INSTALLED_STATE_DIR))).toBe(false);
  });

  test('deploys, lists, audits and destroys the app\'s members, the organization account enabled without an invitation; reset keeps the app', async () => {
    expect(await local('deploy', '--organization', '333333333333')).toBe(0);
    expect(out).toEqual(expect.arrayContaining([
      expect.stringMatching(/^ +created and invited +111111111111 +\[us-east-1, administrator 999999999999\]$/),
      expect.stringMatching(/^ +created \(organization account, Enabled\) 333333333333 /),
      expect.stringMatching(/^ +accepted \(Enabled\) +111111111111 /),
    ]));

    out = [];
    expect(await local('status')).toBe(0);
    expect(out.slice(1).map((line) => line.split(/ +/).slice(0, 4))).toEqual([
      [ADMIN, 'us-east-1', '111111111111', 'Enabled'],
      [ADMIN, 'us-east-1', '333333333333', 'Enabled'],
    ]);

    // The package's own bundled drift command, found from the package's root, reads the same app: in sync.
    expect(await local('drift', '--json')).toBe(0);

    out = [];
    expect(await local('destroy')).toBe(0);
    expect(out).toContain('Destroyed.');
    out = [];
    expect(await local('reset')).toBe(0);
    expect(out).toEqual([expect.stringMatching(/^Deleted .*securityhub\.json, .*stacks\.json, .*assets\. The local Security Hub is empty/)]);
    // The app is the user's: a reset leaves it.
    expect(fs.existsSync(path.join(dir, 'cdk.out', 'manifest.json'))).toBe(true);
    expect(err).toEqual([]);
  });

  test('reset keeps the app even when SECURITYHUB_LOCAL_DIR is the folder that holds it', async () => {
    fs.writeFileSync(path.join(dir, 'stacks.json'), JSON.stringify({ resources: [], stacks: [] }));
    const run = (...args: string[]) => runInstalledLocal([...args, '--app', path.join(dir, 'cdk.out')], {
      stdout: (line) => out.push(line),
      stderr: (line) => err.push(line),
      env: { SECURITYHUB_LOCAL_DIR: dir },
    });

    expect(await run('reset')).toBe(0);
    expect(out).toEqual([expect.stringMatching(/^Deleted .*stacks\.json\. The local Security Hub is empty/)]);
    expect(fs.existsSync(path.join(dir, 'cdk.out', 'manifest.json'))).toBe(true);
    expect(err).toEqual([]);
  });

  test('names the synth to run when there is no app', async () => {
    expect(await runInstalledLocal(['drift', '--app', path.join(dir, 'nowhere')], { stdout: () => {}, stderr: (line) => err.push(line), env: {} })).toBe(1);
    expect(err).toEqual([expect.stringMatching(/^error: no synthesized app in .*nowhere: expected `cdk synth` first, or --app DIR naming the folder it wrote$/)]);
  });
});
