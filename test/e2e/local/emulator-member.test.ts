import {
  AcceptAdministratorInvitationCommand,
  CreateMembersCommand,
  DeclineInvitationsCommand,
  DeleteMembersCommand,
  DisassociateFromAdministratorAccountCommand,
  DisassociateMembersCommand,
  GetAdministratorAccountCommand,
  GetMembersCommand,
  Invitation,
  InviteMembersCommand,
  ListInvitationsCommand,
  ListMembersCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { RunningEmulator, startEmulator, emulatorClient } from '../../../local/emulator';
import { failure } from '../../support/emulator';

const A = '111111111111';
const M = '222222222222';
const B = '333333333333';
const REGION = 'us-east-1';
const OTHER_REGION = 'eu-west-1';

let emu: RunningEmulator;

function client(account: string, region = REGION): SecurityHubClient {
  return emulatorClient(emu.url, account, region, { maxAttempts: 1 });
}

async function statusAt(admin: string, member: string, region = REGION): Promise<string | undefined> {
  const out = await client(admin, region).send(new GetMembersCommand({ AccountIds: [member] }));
  return out.Members?.[0]?.MemberStatus;
}

async function invite(admin: string, member: string, region = REGION): Promise<string> {
  await client(admin, region).send(new CreateMembersCommand({ AccountDetails: [{ AccountId: member }] }));
  await client(admin, region).send(new InviteMembersCommand({ AccountIds: [member] }));
  const invitations = (await client(member, region).send(new ListInvitationsCommand({}))).Invitations!;
  return invitations.find((inv) => inv.AccountId === admin)!.InvitationId!;
}

beforeEach(async () => {
  emu = await startEmulator();
});

afterEach(async () => {
  await emu.close();
});

describe('the two-account flow', () => {
  test('create, invite, accept, resign, re-invite, remove and delete', async () => {
    const admin = client(A);
    const member = client(M);

    await admin.send(new CreateMembersCommand({ AccountDetails: [{ AccountId: M, Email: 'm@example.com' }] }));
    expect(await statusAt(A, M)).toBe('Created');
    expect((await member.send(new ListInvitationsCommand({}))).Invitations).toEqual([]);

    await admin.send(new InviteMembersCommand({ AccountIds: [M] }));
    expect(await statusAt(A, M)).toBe('Invited');
    const [invitation] = (await member.send(new ListInvitationsCommand({}))).Invitations!;
    expect(invitation).toEqual({ AccountId: A, InvitationId: expect.any(String), InvitedAt: expect.any(Date), MemberStatus: 'Invited' });
    expect(await member.send(new GetAdministratorAccountCommand({}))).not.toHaveProperty('Administrator');

    await member.send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: invitation.InvitationId }));
    expect(await statusAt(A, M)).toBe('Enabled');
    expect((await admin.send(new ListMembersCommand({}))).Members!.map((m) => m.AccountId)).toEqual([M]);
    expect((await member.send(new GetAdministratorAccountCommand({}))).Administrator).toEqual({
      AccountId: A, InvitationId: invitation.InvitationId, InvitedAt: invitation.InvitedAt, MemberStatus: 'Enabled',
    });
    expect((await member.send(new ListInvitationsCommand({}))).Invitations).toEqual([]);

    await member.send(new DisassociateFromAdministratorAccountCommand({}));
    expect(await statusAt(A, M)).toBe('Resigned');
    expect(emu.store.administratorOf(M, REGION)).toBeUndefined();
    expect((await admin.send(new ListMembersCommand({}))).Members).toEqual([]);

    await admin.send(new InviteMembersCommand({ AccountIds: [M] }));
    const [again] = (await member.send(new ListInvitationsCommand({}))).Invitations!;
    await member.send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: again.InvitationId }));
    await admin.send(new DisassociateMembersCommand({ AccountIds: [M] }));
    expect(await statusAt(A, M)).toBe('Removed');
    expect(await member.send(new GetAdministratorAccountCommand({}))).not.toHaveProperty('Administrator');

    const deleted = await admin.send(new DeleteMembersCommand({ AccountIds: [M] }));
    expect(deleted.UnprocessedAccounts).toEqual([]);
    expect(await statusAt(A, M)).toBeUndefined();
    expect(emu.store.invitationCount(A, REGION, M)).toBe(2);
    expect(emu.store.duplicateInvitations()).toBe(0);
  });

  test('withdraws a pending invitation when the administrator disassociates the member', async () => {
    await invite(A, M);
    await client(A).send(new DisassociateMembersCommand({ AccountIds: [M] }));

    expect((await client(M).send(new ListInvitationsCommand({}))).Invitations).toEqual([]);
    expect(await statusAt(A, M)).toBe('Removed');
  });
});

describe('ListInvitations', () => {
  test('pages over more than 50 invitations in administrator order', async () => {
    const admins = Array.from({ length: 55 }, (_, i) => String(700000000000 + i));
    for (const admin of admins) {
      emu.store.seedMember(admin, REGION, { accountId: M, status: 'Invited' });
    }
    // Members in other statuses have no pending invitation.
    emu.store.seedMember(A, REGION, { accountId: M, status: 'Removed' });
    emu.store.seedMember(B, REGION, { accountId: M, status: 'Created' });

    const seen: Invitation[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await client(M).send(new ListInvitationsCommand({ NextToken: token }));
      seen.push(...out.Invitations!);
      token = out.NextToken;
      pages++;
    } while (token);

    expect(pages).toBe(2);
    expect(seen.map((inv) => inv.AccountId)).toEqual(admins);
    const small = await client(M).send(new ListInvitationsCommand({ MaxResults: 10 }));
    expect(small.Invitations).toHaveLength(10);
    expect(small.NextToken).toBeDefined();
  });

  test.each([[0], [51]])('fails when MaxResults is %i', async (maxResults) => {
    const err = await failure(client(M).send(new ListInvitationsCommand({ MaxResults: maxResults })));

    expect(err.name).toBe('InvalidInputException');
  });

  test('fails when NextToken is garbage', async () => {
    const err = await failure(client(M).send(new ListInvitationsCommand({ NextToken: 'abc' })));

    expect(err.name).toBe('InvalidInputException');
  });
});

describe('AcceptAdministratorInvitation', () => {
  test('accepting the accepted invitation again changes nothing', async () => {
    const invitationId = await invite(A, M);
    await client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: invitationId }));

    await client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: invitationId }));

    expect(await statusAt(A, M)).toBe('Enabled');
    expect(emu.calls.countsByOperation({ account: M }).AcceptAdministratorInvitation).toBe(2);
  });

  test('fails when the invitation id is wrong', async () => {
    await invite(A, M);

    const err = await failure(client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: 'wrong' })));

    expect(err.name).toBe('InvalidInputException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(await statusAt(A, M)).toBe('Invited');
  });

  test('fails when there is no invitation from that administrator', async () => {
    await client(A).send(new CreateMembersCommand({ AccountDetails: [{ AccountId: M }] }));

    const err = await failure(client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: 'any' })));

    expect(err.name).toBe('InvalidInputException');
    expect(err.message).toMatch(/no pending invitation from administrator account 111111111111/);
  });

  test('fails when the member already has another administrator, naming it', async () => {
    const fromA = await invite(A, M);
    const fromB = await invite(B, M);
    await client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: fromA }));

    const err = await failure(client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: B, InvitationId: fromB })));

    expect(err.name).toBe('InvalidInputException');
    expect(err.message).toMatch(/already associated with administrator account 111111111111/);
    expect(await statusAt(B, M)).toBe('Invited');
  });

  test('fails when the member is itself an administrator with members', async () => {
    const invitationId = await invite(A, M);
    emu.store.seedMember(M, REGION, { accountId: B, status: 'Enabled' });

    const err = await failure(client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: invitationId })));

    expect(err.name).toBe('InvalidInputException');
    expect(err.message).toMatch(/cannot also be a member/);
  });
});

describe('DeclineInvitations', () => {
  test('declines an invitation and the administrator sees Resigned', async () => {
    await invite(A, M);

    const out = await client(M).send(new DeclineInvitationsCommand({ AccountIds: [A, B] }));

    expect(out.UnprocessedAccounts).toEqual([{ AccountId: B, ProcessingResult: expect.stringMatching(/no pending invitation/) }]);
    expect((await client(M).send(new ListInvitationsCommand({}))).Invitations).toEqual([]);
    expect(await statusAt(A, M)).toBe('Resigned');
  });

  test('fails when AccountIds is empty', async () => {
    const err = await failure(client(M).send(new DeclineInvitationsCommand({ AccountIds: [] })));

    expect(err.name).toBe('InvalidInputException');
  });
});

describe('DisassociateFromAdministratorAccount and GetAdministratorAccount', () => {
  test('answers no administrator while only invited', async () => {
    await invite(A, M);

    const out = await client(M).send(new GetAdministratorAccountCommand({}));

    expect(out.Administrator).toBeUndefined();
  });

  test('fails when the member has no administrator', async () => {
    const err = await failure(client(M).send(new DisassociateFromAdministratorAccountCommand({})));

    expect(err.name).toBe('InvalidInputException');
    expect(err.message).toMatch(/not associated with an administrator account/);
  });
});

describe('isolation', () => {
  test('keeps relationships per region', async () => {
    const invitationId = await invite(A, M, REGION);

    expect((await client(M, OTHER_REGION).send(new ListInvitationsCommand({}))).Invitations).toEqual([]);
    expect((await client(A, OTHER_REGION).send(new ListMembersCommand({ OnlyAssociated: false }))).Members).toEqual([]);
    const err = await failure(client(M, OTHER_REGION).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: invitationId })));
    expect(err.name).toBe('InvalidInputException');

    // The same pair can have a different relationship in another region.
    await invite(A, M, OTHER_REGION);
    expect(await statusAt(A, M, OTHER_REGION)).toBe('Invited');
    await client(M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: invitationId }));
    expect(await statusAt(A, M, REGION)).toBe('Enabled');
    expect(await statusAt(A, M, OTHER_REGION)).toBe('Invited');
  });

  test('keeps members per administrator account', async () => {
    await client(A).send(new CreateMembersCommand({ AccountDetails: [{ AccountId: M }] }));

    const fromB = await client(B).send(new ListMembersCommand({ OnlyAssociated: false }));
    const createdByB = await client(B).send(new CreateMembersCommand({ AccountDetails: [{ AccountId: M }] }));

    expect(fromB.Members).toEqual([]);
    expect(createdByB.UnprocessedAccounts).toEqual([]);
    expect(emu.store.listMembers(A, REGION).map((m) => m.administratorId)).toEqual([A]);
    expect(emu.store.listMembers(B, REGION).map((m) => m.administratorId)).toEqual([B]);
  });

  test('reads the account from an AKID-style access key id', async () => {
    const akid = new SecurityHubClient({ endpoint: emu.url, region: REGION, credentials: { accessKeyId: 'AKID999999999999', secretAccessKey: 'x' }, maxAttempts: 1 });

    await akid.send(new CreateMembersCommand({ AccountDetails: [{ AccountId: M }] }));

    expect(emu.store.getMember('999999999999', REGION, M)?.memberStatus).toBe('Created');
    expect(emu.calls.entries({ operation: 'CreateMembers' })[0]).toEqual(expect.objectContaining({ account: '999999999999', region: REGION, accountIds: [M] }));
  });
});
