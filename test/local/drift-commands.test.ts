/**
 * `npm run local -- resign | remove | drift`: the local ways to make a member drift, and the
 * bundled drift command run on a deployed app against the local Security Hub.
 */
import { Stack } from 'aws-cdk-lib';
import { SecurityHubMembers } from '../../lib';
import { localDrift, localRemove, localResign } from '../../local/drift';
import { MUTATING_OPERATIONS, RunningEmulator, startEmulator } from '../../local/emulator';
import { synth } from '../cli/helpers';

const ADMIN = '999999999999';
const REGION = 'us-east-1';

describe('local drift commands', () => {
  let emulator: RunningEmulator;
  let printed: string[];

  beforeEach(async () => {
    emulator = await startEmulator();
    printed = [];
    jest.spyOn(console, 'log').mockImplementation((line?: unknown) => {
      printed.push(String(line));
    });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await emulator.close();
  });

  const status = (account: string): string | undefined => emulator.store.getMember(ADMIN, REGION, account)?.memberStatus;

  test('resign makes an Enabled member disassociate itself and an Invited one decline: both Resigned', async () => {
    emulator.store.seedMember(ADMIN, REGION, { accountId: '111111111111', status: 'Enabled' });
    emulator.store.seedMember(ADMIN, REGION, { accountId: '222222222222', status: 'Invited' });

    expect(await localResign(emulator, ['111111111111', '222222222222'])).toBe(0);

    expect([status('111111111111'), status('222222222222')]).toEqual(['Resigned', 'Resigned']);
    expect(emulator.calls.entries().map((c) => [c.operation, c.account])).toEqual([
      ['DisassociateFromAdministratorAccount', '111111111111'],
      ['DeclineInvitations', '222222222222'],
    ]);
    expect(printed).toContain(`111111111111 at administrator ${ADMIN} in ${REGION}: Enabled -> Resigned`);
  });

  test('remove makes the administrator disassociate the member: Removed', async () => {
    emulator.store.seedMember(ADMIN, REGION, { accountId: '111111111111', status: 'Enabled' });

    expect(await localRemove(emulator, ['111111111111'])).toBe(0);

    expect(status('111111111111')).toBe('Removed');
    expect(emulator.calls.entries().map((c) => [c.operation, c.account])).toEqual([['DisassociateMembers', ADMIN]]);
  });

  test('fails when the account id is not 12 digits, and changes nothing', async () => {
    expect(await localRemove(emulator, ['1234'])).toBe(2);
    expect(printed[0]).toBe('Usage: npm run local -- remove ACCOUNT_ID [...]: expected 12-digit member account ids, got "1234"');
    expect(emulator.calls.total()).toBe(0);
  });

  test('drift runs the bundled command on the deployed app and returns its exit code', async () => {
    const cdkOut = synth((app) => {
      new SecurityHubMembers(new Stack(app, 'Admin', { env: { account: ADMIN, region: REGION } }), 'Members', { members: [{ accountId: '111111111111' }] });
    });
    emulator.store.seedMember(ADMIN, REGION, { accountId: '111111111111', status: 'Enabled' });
    expect(await localDrift(emulator, cdkOut, ['--json'])).toBe(0);

    await localResign(emulator, ['111111111111']);
    emulator.calls.reset();
    expect(await localDrift(emulator, cdkOut, ['--json'])).toBe(2);
    expect(emulator.calls.entries().filter((c) => MUTATING_OPERATIONS.has(c.operation))).toEqual([]);
    expect(emulator.calls.countsByOperation()).toEqual({ DescribeHub: 1, GetMembers: 1, ListMembers: 1 });
  });

  test('drift says to deploy first when nothing was deployed', async () => {
    expect(await localDrift(emulator, '/nonexistent/cdk.out', [])).toBe(1);
    expect(printed).toEqual(['Nothing was deployed locally yet: run `npm run local -- deploy` first.']);
  });
});
