/**
 * `npm run local -- deploy --fail-after` end to end, as a person adopting an existing fleet would
 * rehearse it (docs/rollbacks.md): members invited by hand long before the first deploy, a first
 * deploy of the sample app that fails after its SecurityHubMembers succeeded, and CloudFormation's
 * rollback keeping them (rule R13, docs/design.md).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HubStore, loadStoreFile, saveStoreFile } from '../../../local/emulator';
import { LocalCliRun, runLocalCli } from '../../support/local-cli';

jest.setTimeout(300_000);

const ADMIN = '999999999999';
const REGION = 'us-east-1';
let stateDir: string;

beforeEach(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-fail-after-'));
});

afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

/** Runs `npm run local -- ...` in the test's state folder. */
function cli(...args: string[]): LocalCliRun {
  return runLocalCli(stateDir, ...args);
}

test('a first deploy that fails after the members resource keeps the members invited by hand before it', () => {
  // The sample app (cdk.json) declares 111111111111, 222222222222 and the organization account 333333333333.
  const store = new HubStore();
  store.seedMember(ADMIN, REGION, { accountId: '111111111111', status: 'Enabled', invitedAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-02T00:00:00.000Z' });
  store.seedMember(ADMIN, REGION, { accountId: '444444444444', status: 'Enabled', invitedAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-02T00:00:00.000Z' });
  saveStoreFile(store, path.join(stateDir, 'securityhub.json'));

  const run = cli('deploy', '-c', 'memberStacks=false', '--fail-after', 'Members');

  expect(run.stderr).toBe('');
  expect(run.status).toBe(1);
  expect(run.stdout).toContain('FAILED          the deploy was made to fail after Members succeeded (--fail-after Members)');
  expect(run.stdout).toContain('rollback (ROLLBACK_IN_PROGRESS)');
  expect(run.stdout).toMatch(/kept \(a member before the failed deploy\)\s+111111111111 +\[us-east-1, administrator 999999999999\]/);
  expect(run.stdout).toMatch(/removed\s+222222222222/);
  // The kept account is said once, not counted again as unchanged.
  expect(run.stdout.split('Rollback Delete')[1]).not.toContain('unchanged');
  const after = loadStoreFile(path.join(stateDir, 'securityhub.json'));
  const statuses = Object.fromEntries(after.listMembers(ADMIN, REGION).map((m) => [m.accountId, m.memberStatus]));
  // The organization account the failed deploy enabled can only be disassociated (docs/design.md, "Organization accounts").
  expect(statuses).toEqual({ '111111111111': 'Enabled', '333333333333': 'Removed', '444444444444': 'Enabled' });
});

test('--fail-after naming no resource of the app fails before anything is deployed', () => {
  const run = cli('deploy', '-c', 'memberStacks=false', '--fail-after', 'Bucket');

  // A usage error, like every local CLI error: one line on stderr, exit 1.
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('--fail-after "Bucket" names no custom resource of the stacks being deployed');
  expect(fs.existsSync(path.join(stateDir, 'stacks.json'))).toBe(false);
});
