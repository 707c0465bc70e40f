/**
 * `npm run local -- deploy -c region=...`: the local deploy knows a stack by account, region and
 * name, as CloudFormation does, so the sample app's stacks in a new region are new stacks and the
 * old ones stay deployed, listed as no longer in the app (docs/design.md, "Local Security Hub and
 * local deploys").
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LocalCliRun, runLocalCli } from '../../support/local-cli';

let stateDir: string;

beforeAll(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-cli-identity-'));
});
afterAll(() => fs.rmSync(stateDir, { recursive: true, force: true }));

/** Runs `npm run local -- ...` in the test's state folder. */
function cli(...args: string[]): LocalCliRun {
  return runLocalCli(stateDir, ...args);
}

/** The members of the local Security Hub, as `status` prints them: administrator, region, member. */
function members(): string[] {
  return cli('status').stdout.trim().split('\n').slice(1).map((line) => line.split(/\s+/).slice(0, 3).join(' '));
}

const ADMIN_ONLY = ['-c', 'memberStacks=false', '-c', 'organizationAccounts=[]'];

test('a deploy to another region creates new stacks and leaves the old ones deployed and untouched; destroy names one by ACCOUNT/REGION/NAME', () => {
  expect(cli('deploy', ...ADMIN_ONLY, '-c', 'members=[{"accountId":"111111111111"}]').status).toBe(0);

  const moved = cli('deploy', ...ADMIN_ONLY, '-c', 'members=[{"accountId":"111111111111"}]', '-c', 'region=eu-west-1');

  expect(moved.status).toBe(0);
  expect(moved.stdout).toContain('SecurityHubAdministrator  (account 999999999999, eu-west-1)\n  Create ');
  expect(moved.stdout).not.toMatch(/^ {2}(?:Delete|Update|Unchanged) /m);
  expect(moved.stdout).toContain('\nNo longer in the app, still deployed (as `cdk deploy` would leave them): SecurityHubAdministrator (account 999999999999, us-east-1)\n'
    + 'Delete it with: npm run local -- destroy 999999999999/us-east-1/SecurityHubAdministrator\n');
  expect(members()).toEqual(['999999999999 eu-west-1 111111111111', '999999999999 us-east-1 111111111111']);

  const ambiguous = cli('destroy', 'SecurityHubAdministrator');

  expect(ambiguous).toEqual({
    status: 1,
    stdout: '',
    stderr: 'error: stack "SecurityHubAdministrator" names 2 stacks deployed locally, in different accounts or regions: '
      + 'expected one of 999999999999/us-east-1/SecurityHubAdministrator, 999999999999/eu-west-1/SecurityHubAdministrator\n',
  });

  const destroyed = cli('destroy', '999999999999/us-east-1/SecurityHubAdministrator');

  expect(destroyed.status).toBe(0);
  expect(members()).toEqual(['999999999999 eu-west-1 111111111111']);
}, 300_000);
