import * as sdk from '@aws-sdk/client-securityhub';
import {
  AcceptAdministratorInvitationCommand,
  AcceptInvitationCommand,
  CreateMembersCommand,
  DeclineInvitationsCommand,
  DeleteInvitationsCommand,
  DeleteMembersCommand,
  DisableSecurityHubCommand,
  DisassociateFromAdministratorAccountCommand,
  DisassociateFromMasterAccountCommand,
  DisassociateMembersCommand,
  EnableSecurityHubCommand,
  GetAdministratorAccountCommand,
  GetInvitationsCountCommand,
  GetMasterAccountCommand,
  GetMembersCommand,
  InviteMembersCommand,
  ListInvitationsCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { HubStore, PROCESSING_RESULTS, ROUTES, RunningEmulator, startEmulator, emulatorClient } from '../../../local/emulator';
import { USAGE } from '../../../local/emulator/main';
import { failure } from '../../support/emulator';

type SdkCommand = Parameters<SecurityHubClient['send']>[0];

const A = '111111111111';
const M = '222222222222';
const B = '333333333333';
const REGION = 'us-east-1';

let emu: RunningEmulator;

function client(account: string): SecurityHubClient {
  return emulatorClient(emu.url, account, REGION, { maxAttempts: 1 });
}

async function statusAt(admin: string, member: string): Promise<string | undefined> {
  return emu.store.getMember(admin, REGION, member)?.memberStatus;
}

/** Creates and invites `member`, and returns the id of its invitation from `admin`. */
async function invite(admin: string, member: string): Promise<string> {
  await client(admin).send(new CreateMembersCommand({ AccountDetails: [{ AccountId: member }] }));
  await client(admin).send(new InviteMembersCommand({ AccountIds: [member] }));
  return emu.store.getMember(admin, REGION, member)!.invitationId!;
}

afterEach(async () => {
  await emu?.close();
});

describe('the routing table', () => {
  beforeEach(async () => {
    emu = await startEmulator();
  });

  test('every served operation is reached by the SDK command of that name, at the SDK\'s method and path', async () => {
    const commands = sdk as unknown as Record<string, new (input: object) => SdkCommand>;
    for (const name of Object.values(ROUTES)) {
      const Command = commands[`${name}Command`];
      expect(Command).toBeDefined();
      // The input may be invalid for the operation: only where the request lands matters here.
      await client(M).send(new Command({ AccountIds: [A] })).catch(() => undefined);
    }

    const reached = emu.calls.entries().map((call) => call.operation);
    expect(reached).toEqual(Object.values(ROUTES));
    expect(emu.calls.entries().filter((call) => call.errorType === 'UnknownOperationException')).toEqual([]);
  });

  test('--help lists every served operation with its method and path', () => {
    for (const [route, name] of Object.entries(ROUTES)) {
      expect(USAGE).toMatch(new RegExp(`^ +${name} +${route}$`, 'm'));
    }
  });
});

describe('the legacy "master" operations', () => {
  beforeEach(async () => {
    emu = await startEmulator();
  });

  test('AcceptInvitation, GetMasterAccount and DisassociateFromMasterAccount act like their administrator names', async () => {
    const invitationId = await invite(A, M);
    expect(await client(M).send(new GetMasterAccountCommand({}))).not.toHaveProperty('Master');

    await client(M).send(new AcceptInvitationCommand({ MasterId: A, InvitationId: invitationId }));

    expect(await statusAt(A, M)).toBe('Enabled');
    const { Master } = await client(M).send(new GetMasterAccountCommand({}));
    expect(Master).toEqual({ AccountId: A, InvitationId: invitationId, InvitedAt: expect.any(Date), MemberStatus: 'Enabled' });
    expect((await client(M).send(new GetAdministratorAccountCommand({}))).Administrator).toEqual(Master);

    await client(M).send(new DisassociateFromMasterAccountCommand({}));

    expect(await statusAt(A, M)).toBe('Resigned');
    expect(await client(M).send(new GetMasterAccountCommand({}))).not.toHaveProperty('Master');
  });

  test('fails AcceptInvitation without a pending invitation from that account', async () => {
    const err = await failure(client(M).send(new AcceptInvitationCommand({ MasterId: A, InvitationId: 'abc' })));

    expect(err.name).toBe('InvalidInputException');
    expect(err.message).toContain(`no pending invitation from administrator account ${A}`);
  });

  test('fails DisassociateFromMasterAccount when the account has no administrator', async () => {
    const err = await failure(client(M).send(new DisassociateFromMasterAccountCommand({})));

    expect(err.name).toBe('InvalidInputException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });
});

describe('DeleteInvitations and GetInvitationsCount', () => {
  beforeEach(async () => {
    emu = await startEmulator();
  });

  test('counts the pending invitations, not the accepted one', async () => {
    expect((await client(M).send(new GetInvitationsCountCommand({}))).InvitationsCount).toBe(0);
    const fromA = await invite(A, M);
    await invite(B, M);
    expect((await client(M).send(new GetInvitationsCountCommand({}))).InvitationsCount).toBe(2);

    await client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: fromA }));

    expect((await client(M).send(new GetInvitationsCountCommand({}))).InvitationsCount).toBe(1);
  });

  test('the invited account deletes an administrator\'s invitation; the other stays', async () => {
    await invite(A, M);
    await invite(B, M);

    const out = await client(M).send(new DeleteInvitationsCommand({ AccountIds: [A] }));

    expect(out.UnprocessedAccounts).toEqual([]);
    expect((await client(M).send(new ListInvitationsCommand({}))).Invitations!.map((inv) => inv.AccountId)).toEqual([B]);
    expect(await statusAt(A, M)).toBe('Resigned');
    expect(await statusAt(B, M)).toBe('Invited');
    const err = await failure(client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: 'any' })));
    expect(err.message).toContain('no pending invitation');
  });

  test('answers an account with no invitation to the caller in UnprocessedAccounts', async () => {
    await invite(A, M);

    const out = await client(M).send(new DeleteInvitationsCommand({ AccountIds: [B, A] }));

    expect(out.UnprocessedAccounts).toEqual([{ AccountId: B, ProcessingResult: PROCESSING_RESULTS.noInvitation }]);
    expect(await statusAt(A, M)).toBe('Resigned');
  });
});

describe('DisableSecurityHub', () => {
  beforeEach(async () => {
    emu = await startEmulator({ autoEnableHubs: false });
    for (const account of [A, M]) {
      await client(account).send(new EnableSecurityHubCommand({}));
    }
  });

  test('disables the caller\'s hub in the region: later calls answer "not subscribed"', async () => {
    await client(A).send(new DisableSecurityHubCommand({}));

    expect(emu.store.getHub(A, REGION)?.enabled).toBe(false);
    const err = await failure(client(A).send(new GetMembersCommand({ AccountIds: [M] })));
    expect(err.name).toBe('InvalidAccessException');
    expect(err.message).toBe(`Account ${A} is not subscribed to AWS Security Hub`);
  });

  test('fails when Security Hub is not enabled', async () => {
    await client(A).send(new DisableSecurityHubCommand({}));

    const err = await failure(client(A).send(new DisableSecurityHubCommand({})));

    expect(err.name).toBe('InvalidAccessException');
    expect(err.$metadata?.httpStatusCode).toBe(401);
  });

  test.each([['Invited'], ['Enabled']] as const)('fails for an administrator with an %s member, changing nothing', async (status) => {
    emu.store.seedMember(A, REGION, { accountId: M, status });
    const before = JSON.stringify(emu.store.toJSON());

    const err = await failure(client(A).send(new DisableSecurityHubCommand({})));

    expect(err.name).toBe('InvalidAccessException');
    expect(err.message).toContain(`administrator of 1 member account(s) in ${REGION} (${M})`);
    expect(JSON.stringify(emu.store.toJSON())).toBe(before);
  });

  test('succeeds for an administrator once its members are disassociated', async () => {
    const invitationId = await invite(A, M);
    await client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: invitationId }));
    await client(A).send(new DisassociateMembersCommand({ AccountIds: [M] }));

    await client(A).send(new DisableSecurityHubCommand({}));

    expect(emu.store.getHub(A, REGION)?.enabled).toBe(false);
  });

  test('a member account that disables Security Hub leaves its administrator', async () => {
    const invitationId = await invite(A, M);
    await client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: invitationId }));

    await client(M).send(new DisableSecurityHubCommand({}));

    expect(await statusAt(A, M)).toBe('Resigned');
    expect(emu.store.administratorOf(M, REGION)).toBeUndefined();
  });
});

describe('blank account ids and emails', () => {
  beforeEach(async () => {
    emu = await startEmulator();
    emu.store.seedMember(A, REGION, { accountId: B, status: 'Invited' });
    emu.store.seedMember(M, REGION, { accountId: '444444444444', status: 'Created' });
  });

  // Each request also names a valid account the call would otherwise change.
  const requests: Array<[string, (blank: string) => [string, object]]> = [
    ['CreateMembers AccountId', (blank) => [A, new CreateMembersCommand({ AccountDetails: [{ AccountId: M }, { AccountId: blank }] })]],
    ['CreateMembers Email', (blank) => [A, new CreateMembersCommand({ AccountDetails: [{ AccountId: M }, { AccountId: '555555555555', Email: blank }] })]],
    ['InviteMembers', (blank) => [A, new InviteMembersCommand({ AccountIds: [B, blank] })]],
    ['GetMembers', (blank) => [A, new GetMembersCommand({ AccountIds: [B, blank] })]],
    ['DisassociateMembers', (blank) => [A, new DisassociateMembersCommand({ AccountIds: [B, blank] })]],
    ['DeleteMembers', (blank) => [M, new DeleteMembersCommand({ AccountIds: ['444444444444', blank] })]],
    ['DeclineInvitations', (blank) => [B, new DeclineInvitationsCommand({ AccountIds: [A, blank] })]],
    ['DeleteInvitations', (blank) => [B, new DeleteInvitationsCommand({ AccountIds: [A, blank] })]],
    ['AcceptAdministratorInvitation AdministratorId', (blank) => [B, new AcceptAdministratorInvitationCommand({ AdministratorId: blank, InvitationId: 'x' })]],
    ['AcceptAdministratorInvitation InvitationId', (blank) => [B, new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: blank })]],
    ['AcceptInvitation MasterId', (blank) => [B, new AcceptInvitationCommand({ MasterId: blank, InvitationId: 'x' })]],
  ];
  const cases = requests.flatMap(([name, make]) => ['', '   ', '\t'].map((blank) => [name, JSON.stringify(blank), make, blank] as const));

  test.each(cases)('fails %s with %s as a whole request, before any change', async (_name, shown, make, blank) => {
    const before = JSON.stringify(emu.store.toJSON());
    const [caller, command] = make(blank);

    const err = await failure(client(caller).send(command as SdkCommand));

    expect(err.name).toBe('InvalidInputException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(err.message).toContain(`${shown} must contain a non-space character (pattern .*\\S.*)`);
    expect(JSON.stringify(emu.store.toJSON())).toBe(before);
  });

  test('still answers a non-blank invalid id in UnprocessedAccounts', async () => {
    const out = await client(A).send(new CreateMembersCommand({ AccountDetails: [{ AccountId: ' 12 ' }, { AccountId: M, Email: ' x ' }] }));

    expect(out.UnprocessedAccounts).toEqual([{ AccountId: ' 12 ', ProcessingResult: PROCESSING_RESULTS.invalidAccountId }]);
    expect(await statusAt(A, M)).toBe('Created');
  });
});

describe('accepting again after leaving', () => {
  beforeEach(async () => {
    emu = await startEmulator();
  });

  test('a member that disassociated itself accepts the same invitation again, as the user guide says', async () => {
    const invitationId = await invite(A, M);
    await client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: invitationId }));
    await client(M).send(new DisassociateFromAdministratorAccountCommand({}));

    const { Invitations } = await client(M).send(new ListInvitationsCommand({}));
    expect(Invitations).toEqual([{ AccountId: A, InvitationId: invitationId, InvitedAt: expect.any(Date), MemberStatus: 'Resigned' }]);

    await client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: invitationId }));

    expect(await statusAt(A, M)).toBe('Enabled');
    expect(emu.store.administratorOf(M, REGION)).toBe(A);
    expect(emu.store.invitationCount(A, REGION, M)).toBe(1);
  });

  test('a member that disassociated itself accepts the administrator\'s new invitation after a re-invite', async () => {
    const first = await invite(A, M);
    await client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: first }));
    await client(M).send(new DisassociateFromAdministratorAccountCommand({}));
    await client(A).send(new InviteMembersCommand({ AccountIds: [M] }));
    const second = emu.store.getMember(A, REGION, M)!.invitationId!;

    const stale = await failure(client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: first })));
    await client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: second }));

    expect(stale.name).toBe('InvalidInputException');
    expect(second).not.toBe(first);
    expect(await statusAt(A, M)).toBe('Enabled');
  });

  test.each([
    ['declined', (): Promise<unknown> => client(M).send(new DeclineInvitationsCommand({ AccountIds: [A] }))],
    ['was removed by its administrator', (): Promise<unknown> => client(A).send(new DisassociateMembersCommand({ AccountIds: [M] }))],
  ])('a member that %s has no invitation left to accept', async (_how, leave) => {
    const invitationId = await invite(A, M);
    await leave();

    const err = await failure(client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: invitationId })));

    expect(err.name).toBe('InvalidInputException');
    expect((await client(M).send(new ListInvitationsCommand({}))).Invitations).toEqual([]);
  });

  test('the kept invitation survives the state file', async () => {
    const invitationId = await invite(A, M);
    await client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: invitationId }));
    await client(M).send(new DisassociateFromAdministratorAccountCommand({}));

    const restored = HubStore.fromJSON(JSON.parse(JSON.stringify(emu.store.toJSON())));

    expect(restored.invitationsFor(M, REGION).map((inv) => inv.invitationId)).toEqual([invitationId]);
  });
});
