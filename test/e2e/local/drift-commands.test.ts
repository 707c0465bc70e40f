/**
 * `npm run local -- resign | remove | drift`: the local ways to make a member drift, and the
 * bundled drift command run on a deployed app against the local Security Hub.
 */
import { Stack } from 'aws-cdk-lib';
import { SecurityHubMembers } from '../../../lib';
import { UsageError } from '../../../local/cli-args';
import { localDrift, localRemove, localResign } from '../../../local/drift';
import { MUTATING_OPERATIONS, RunningEmulator, startEmulator } from '../../../local/emulator';
import { synth } from '../../support/drift-cli';

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
    await expect(localRemove(emulator, ['1234'])).rejects.toThrow(new UsageError('invalid account id "1234" for remove: expected 12 digits'));
    expect(emulator.calls.total()).toBe(0);
  });

  test('fails on an account that is a member nowhere, before changing the others', async () => {
    emulator.store.seedMember(ADMIN, REGION, { accountId: '111111111111', status: 'Enabled' });

    await expect(localResign(emulator, ['111111111111', '444444444444'])).rejects.toThrow(new UsageError(
      '444444444444 is not a member of any administrator in the local Security Hub: expected a member account, as `npm run local -- status` lists them'));
    expect(status('111111111111')).toBe('Enabled');
    expect(emulator.calls.total()).toBe(0);
  });

  test('fails on an organization account resigning, naming it and the command that can disassociate it', async () => {
    emulator.store.setOrganization(ADMIN, ['333333333333']);
    emulator.store.seedMember(ADMIN, REGION, { accountId: '333333333333', status: 'Enabled' });

    await expect(localResign(emulator, ['333333333333'])).rejects.toThrow(new UsageError('333333333333 cannot resign from administrator 999999999999 in us-east-1: '
      + 'it is in that administrator\'s organization, where only the administrator can disassociate it: expected `npm run local -- remove 333333333333`'));
    expect(status('333333333333')).toBe('Enabled');
    expect(emulator.calls.total()).toBe(0);
  });

  test('fails on a member that is in no status to resign, and acts where another membership can', async () => {
    emulator.store.seedMember(ADMIN, REGION, { accountId: '111111111111', status: 'Removed' });

    await expect(localResign(emulator, ['111111111111'])).rejects.toThrow(new UsageError(
      '111111111111 is Removed at administrator 999999999999 in us-east-1: only an Invited or Enabled member can resign'));

    emulator.store.seedMember(ADMIN, 'eu-west-1', { accountId: '111111111111', status: 'Enabled' });
    expect(await localResign(emulator, ['111111111111'])).toBe(0);
    expect(emulator.store.getMember(ADMIN, 'eu-west-1', '111111111111')?.memberStatus).toBe('Resigned');
    expect(printed).toContain('111111111111 is Removed at administrator 999999999999 in us-east-1: only an Invited or Enabled member can resign: left as it is.');
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
    await expect(localDrift(emulator, '/nonexistent/cdk.out', [])).rejects.toThrow(new UsageError('nothing was deployed locally yet: expected `npm run local -- deploy` first'));
  });
});
