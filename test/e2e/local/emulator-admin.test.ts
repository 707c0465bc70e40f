import {
  CreateMembersCommand,
  DeleteMembersCommand,
  DescribeHubCommand,
  DisassociateMembersCommand,
  EnableSecurityHubCommand,
  GetMembersCommand,
  InviteMembersCommand,
  ListInvitationsCommand,
  ListMembersCommand,
  Member,
  SecurityHubClient,
  paginateListMembers,
} from '@aws-sdk/client-securityhub';
import { MEMBER_STATUSES, PROCESSING_RESULTS, RunningEmulator, startEmulator, emulatorClient } from '../../../local/emulator';
import { failure, ids } from '../../support/emulator';

const A = '111111111111';
const M = '222222222222';
const REGION = 'us-east-1';

let emu: RunningEmulator;

function client(account = A, region = REGION): SecurityHubClient {
  return emulatorClient(emu.url, account, region, { maxAttempts: 1 });
}

afterEach(async () => {
  await emu?.close();
});

describe('CreateMembers', () => {
  beforeEach(async () => {
    emu = await startEmulator();
  });

  test('creates new accounts as Created members and keeps their email', async () => {
    const out = await client().send(new CreateMembersCommand({ AccountDetails: [{ AccountId: M, Email: 'm@example.com' }, { AccountId: '444444444444' }] }));

    expect(out.UnprocessedAccounts).toEqual([]);
    const got = await client().send(new GetMembersCommand({ AccountIds: [M, '444444444444'] }));
    expect(got.Members).toEqual([
      expect.objectContaining({ AccountId: M, Email: 'm@example.com', AdministratorId: A, MasterId: A, MemberStatus: 'Created' }),
      expect.objectContaining({ AccountId: '444444444444', MemberStatus: 'Created' }),
    ]);
    expect(got.Members![0].UpdatedAt).toBeInstanceOf(Date);
    expect(got.Members![0].InvitedAt).toBeUndefined();
  });

  test.each(MEMBER_STATUSES.map((status) => [status]))('answers "already a member" for a member in status %s', async (status) => {
    emu.store.seedMember(A, REGION, { accountId: M, status });

    const out = await client().send(new CreateMembersCommand({ AccountDetails: [{ AccountId: M }] }));

    expect(out.UnprocessedAccounts).toEqual([{ AccountId: M, ProcessingResult: PROCESSING_RESULTS.alreadyMember }]);
    expect(emu.store.getMember(A, REGION, M)?.memberStatus).toBe(status);
  });

  test('answers that an account cannot be a member of itself', async () => {
    const out = await client().send(new CreateMembersCommand({ AccountDetails: [{ AccountId: A }] }));

    expect(out.UnprocessedAccounts).toEqual([{ AccountId: A, ProcessingResult: expect.stringMatching(/cannot be a member of itself/) }]);
  });

  test('answers an account id that is not 12 digits as unprocessed', async () => {
    const out = await client().send(new CreateMembersCommand({ AccountDetails: [{ AccountId: '12345' }] }));

    expect(out.UnprocessedAccounts).toEqual([{ AccountId: '12345', ProcessingResult: expect.stringMatching(/expected 12 digits/) }]);
  });

  test('answers the quota message past 1,000 members', async () => {
    for (const accountId of ids(1000)) {
      emu.store.seedMember(A, REGION, { accountId, status: 'Created' });
    }

    const out = await client().send(new CreateMembersCommand({ AccountDetails: [{ AccountId: M }] }));

    expect(out.UnprocessedAccounts).toEqual([{ AccountId: M, ProcessingResult: expect.stringMatching(/quota of 1000 member accounts/) }]);
    expect(emu.store.getMember(A, REGION, M)).toBeUndefined();
  });

  test('accepts exactly 50 accounts', async () => {
    const out = await client().send(new CreateMembersCommand({ AccountDetails: ids(50).map((AccountId) => ({ AccountId })) }));

    expect(out.UnprocessedAccounts).toEqual([]);
    expect(emu.store.listMembers(A, REGION)).toHaveLength(50);
  });

  test.each([[0], [51]])('fails when AccountDetails holds %i accounts', async (count) => {
    const err = await failure(client().send(new CreateMembersCommand({ AccountDetails: ids(count).map((AccountId) => ({ AccountId })) })));

    expect(err.name).toBe('InvalidInputException');
    expect(err.message).toMatch(/1 to 50 account ids/);
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(emu.store.listMembers(A, REGION)).toEqual([]);
  });
});

describe('InviteMembers', () => {
  beforeEach(async () => {
    emu = await startEmulator({ uninvitableAccounts: ['777777777777'] });
  });

  test.each([['Created'], ['Removed'], ['Resigned']] as const)('invites a %s member and the member sees the invitation', async (status) => {
    emu.store.seedMember(A, REGION, { accountId: M, status });

    const out = await client().send(new InviteMembersCommand({ AccountIds: [M] }));

    expect(out.UnprocessedAccounts).toEqual([]);
    const member = emu.store.getMember(A, REGION, M)!;
    expect(member.memberStatus).toBe('Invited');
    const invitations = await client(M).send(new ListInvitationsCommand({}));
    expect(invitations.Invitations).toEqual([{
      AccountId: A,
      InvitationId: member.invitationId,
      InvitedAt: new Date(member.invitedAt!),
      MemberStatus: 'Invited',
    }]);
    expect(emu.store.invitationCount(A, REGION, M)).toBe(1);
    expect(emu.store.duplicateInvitations()).toBe(0);
  });

  test('sends a second invitation to an Invited member and counts it', async () => {
    await client().send(new CreateMembersCommand({ AccountDetails: [{ AccountId: M }] }));
    await client().send(new InviteMembersCommand({ AccountIds: [M] }));
    const first = (await client(M).send(new ListInvitationsCommand({}))).Invitations![0].InvitationId;

    const out = await client().send(new InviteMembersCommand({ AccountIds: [M] }));

    expect(out.UnprocessedAccounts).toEqual([]);
    const invitations = (await client(M).send(new ListInvitationsCommand({}))).Invitations!;
    expect(invitations).toHaveLength(1);
    expect(invitations[0].InvitationId).not.toBe(first);
    expect(emu.store.duplicateInvitations()).toBe(1);
    expect(emu.store.invitationCount(A, REGION, M)).toBe(2);
  });

  test('answers an Enabled, suspended, missing or uninvitable account as unprocessed', async () => {
    emu.store.seedMember(A, REGION, { accountId: M, status: 'Enabled' });
    emu.store.seedMember(A, REGION, { accountId: '555555555555', status: 'AccountSuspended' });
    emu.store.seedMember(A, REGION, { accountId: '777777777777', status: 'Created' });

    const out = await client().send(new InviteMembersCommand({ AccountIds: [M, '555555555555', '666666666666', '777777777777'] }));

    expect(out.UnprocessedAccounts).toEqual([
      { AccountId: M, ProcessingResult: expect.stringMatching(/already associated/) },
      { AccountId: '555555555555', ProcessingResult: expect.stringMatching(/suspended/) },
      { AccountId: '666666666666', ProcessingResult: expect.stringMatching(/not a member/) },
      { AccountId: '777777777777', ProcessingResult: 'The account could not be invited: the email address is not verified.' },
    ]);
    expect(emu.store.getMember(A, REGION, '777777777777')?.memberStatus).toBe('Created');
    expect(emu.store.invitationCount(A, REGION, '777777777777')).toBe(0);
  });

  test('changes the uninvitable accounts at run time', async () => {
    emu.store.seedMember(A, REGION, { accountId: '777777777777', status: 'Created' });
    emu.setFaults({ uninvitableAccounts: [] });

    const out = await client().send(new InviteMembersCommand({ AccountIds: ['777777777777'] }));

    expect(out.UnprocessedAccounts).toEqual([]);
  });

  test.each([[0], [51]])('fails when AccountIds holds %i accounts', async (count) => {
    const err = await failure(client().send(new InviteMembersCommand({ AccountIds: ids(count) })));

    expect(err.name).toBe('InvalidInputException');
    expect(err.message).toMatch(/50/);
  });
});

describe('GetMembers', () => {
  beforeEach(async () => {
    emu = await startEmulator();
  });

  test('answers members and "not a member" for the others, deleted ones included', async () => {
    emu.store.seedMember(A, REGION, { accountId: M, status: 'Invited', email: 'm@example.com' });
    emu.store.seedMember(A, REGION, { accountId: '444444444444', status: 'Created' });
    await client().send(new DeleteMembersCommand({ AccountIds: ['444444444444'] }));

    const out = await client().send(new GetMembersCommand({ AccountIds: [M, '444444444444', '666666666666'] }));

    expect(out.Members).toEqual([expect.objectContaining({ AccountId: M, MemberStatus: 'Invited', InvitedAt: expect.any(Date) })]);
    expect(out.UnprocessedAccounts).toEqual([
      { AccountId: '444444444444', ProcessingResult: PROCESSING_RESULTS.notMember },
      { AccountId: '666666666666', ProcessingResult: PROCESSING_RESULTS.notMember },
    ]);
  });

  test('answers the seeded legacy status string on the wire', async () => {
    emu.store.seedMember(A, REGION, { accountId: M, status: 'Enabled', reportedStatus: 'ASSOCIATED' });

    const out = await client().send(new GetMembersCommand({ AccountIds: [M] }));

    expect(out.Members![0].MemberStatus).toBe('ASSOCIATED');
  });

  test('answers timestamps as ISO 8601 UTC with Z on the wire', async () => {
    emu.store.seedMember(A, REGION, { accountId: M, status: 'Invited' });
    const signed = `AWS4-HMAC-SHA256 Credential=${A}/20240501/${REGION}/securityhub/aws4_request, SignedHeaders=host, Signature=x`;

    const res = await fetch(`${emu.url}/members/get`, { method: 'POST', headers: { Authorization: signed }, body: JSON.stringify({ AccountIds: [M] }) });
    const body = await res.json() as { Members: Array<{ InvitedAt: string; UpdatedAt: string }> };

    expect(res.status).toBe(200);
    expect(body.Members[0].InvitedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(body.Members[0].UpdatedAt).toMatch(/Z$/);
  });

  test.each([[0], [51]])('fails when AccountIds holds %i accounts', async (count) => {
    const err = await failure(client().send(new GetMembersCommand({ AccountIds: ids(count) })));

    expect(err.name).toBe('InvalidInputException');
  });
});

describe('ListMembers', () => {
  beforeEach(async () => {
    emu = await startEmulator();
    // 120 members: every third one Enabled, the rest spread over the other statuses.
    const others = MEMBER_STATUSES.filter((status) => status !== 'Enabled');
    ids(120).forEach((accountId, i) => {
      emu.store.seedMember(A, REGION, { accountId, status: i % 3 === 0 ? 'Enabled' : others[i % others.length] });
    });
  });

  async function listAll(onlyAssociated: boolean | undefined, maxResults?: number): Promise<{ members: Member[]; pages: number }> {
    const members: Member[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await client().send(new ListMembersCommand({ OnlyAssociated: onlyAssociated, MaxResults: maxResults, NextToken: token }));
      members.push(...out.Members!);
      token = out.NextToken;
      pages++;
    } while (token);
    return { members, pages };
  }

  test('lists every member in any status over pages of 50 when OnlyAssociated is false', async () => {
    const { members, pages } = await listAll(false);

    expect(pages).toBe(3);
    expect(members.map((m) => m.AccountId)).toEqual(ids(120));
    expect(new Set(members.map((m) => m.MemberStatus))).toEqual(new Set(MEMBER_STATUSES));
  });

  test('lists only Enabled members by default', async () => {
    const { members, pages } = await listAll(undefined);

    expect(pages).toBe(1);
    expect(members).toHaveLength(40);
    expect(members.every((m) => m.MemberStatus === 'Enabled')).toBe(true);
  });

  test('honours MaxResults and works with the SDK paginator', async () => {
    const { members, pages } = await listAll(true, 7);
    expect(pages).toBe(6);
    expect(members).toHaveLength(40);

    const viaPaginator: string[] = [];
    for await (const page of paginateListMembers({ client: client(), pageSize: 50 }, { OnlyAssociated: false })) {
      viaPaginator.push(...page.Members!.map((m) => m.AccountId!));
    }
    expect(viaPaginator).toEqual(ids(120));
  });

  test('keeps page boundaries right when a member is deleted between pages', async () => {
    const first = await client().send(new ListMembersCommand({ OnlyAssociated: false, MaxResults: 10 }));
    emu.store.seedMember(A, REGION, { accountId: ids(1, 500000000001)[0], status: 'Created' });
    await client().send(new DeleteMembersCommand({ AccountIds: ids(1, 500000000001) }));

    const second = await client().send(new ListMembersCommand({ OnlyAssociated: false, MaxResults: 10, NextToken: first.NextToken }));

    expect(second.Members![0].AccountId).toBe(ids(1, 500000000010)[0]);
  });

  test('lists nothing for an administrator without members', async () => {
    const out = await client('888888888888').send(new ListMembersCommand({ OnlyAssociated: false }));

    expect(out.Members).toEqual([]);
    expect(out.NextToken).toBeUndefined();
  });

  test.each([[0], [51]])('fails when MaxResults is %i', async (maxResults) => {
    const err = await failure(client().send(new ListMembersCommand({ MaxResults: maxResults })));

    expect(err.name).toBe('InvalidInputException');
    expect(err.message).toMatch(/MaxResults must be an integer from 1 to 50/);
  });

  test('fails when NextToken is not one it made', async () => {
    for (const admin of ids(3, 600000000000)) {
      emu.store.seedMember(admin, REGION, { accountId: A, status: 'Invited' });
    }
    const invitationToken = (await client().send(new ListInvitationsCommand({ MaxResults: 1 }))).NextToken;

    const garbage = await failure(client().send(new ListMembersCommand({ NextToken: 'garbage' })));
    const foreign = await failure(client().send(new ListMembersCommand({ NextToken: invitationToken })));

    expect(invitationToken).toBeDefined();
    expect(garbage.name).toBe('InvalidInputException');
    expect(foreign.name).toBe('InvalidInputException');
  });
});

describe('DisassociateMembers', () => {
  beforeEach(async () => {
    emu = await startEmulator();
  });

  test('removes Invited and Enabled members and leaves the others alone', async () => {
    const statuses = { [M]: 'Invited', '444444444444': 'Enabled', '555555555555': 'Created', '666666666666': 'Resigned', '777777777777': 'AccountSuspended' } as const;
    for (const [accountId, status] of Object.entries(statuses)) {
      emu.store.seedMember(A, REGION, { accountId, status });
    }

    const out = await client().send(new DisassociateMembersCommand({ AccountIds: [...Object.keys(statuses), '888888888888'] }));

    expect(Object.keys(out).filter((key) => key !== '$metadata')).toEqual([]);
    expect(emu.store.listMembers(A, REGION).map((m) => [m.accountId, m.memberStatus])).toEqual([
      [M, 'Removed'],
      ['444444444444', 'Removed'],
      ['555555555555', 'Created'],
      ['666666666666', 'Resigned'],
      ['777777777777', 'AccountSuspended'],
    ]);
    // The invitation is withdrawn and the former Enabled member has no administrator any more.
    expect(emu.store.invitationsFor(M, REGION)).toEqual([]);
    expect(emu.store.administratorOf('444444444444', REGION)).toBeUndefined();
    expect(emu.store.getMember(A, REGION, '888888888888')).toBeUndefined();
  });

  test('fails when AccountIds is empty', async () => {
    const err = await failure(client().send(new DisassociateMembersCommand({ AccountIds: [] })));

    expect(err.name).toBe('InvalidInputException');
  });
});

describe('DeleteMembers', () => {
  beforeEach(async () => {
    emu = await startEmulator();
  });

  test('deletes members not associated and refuses associated ones', async () => {
    const statuses = { [M]: 'Invited', '444444444444': 'Enabled', '555555555555': 'Created', '666666666666': 'Resigned', '777777777777': 'AccountSuspended', '999999999999': 'Removed' } as const;
    for (const [accountId, status] of Object.entries(statuses)) {
      emu.store.seedMember(A, REGION, { accountId, status });
    }

    const out = await client().send(new DeleteMembersCommand({ AccountIds: [...Object.keys(statuses), '888888888888'] }));

    expect(out.UnprocessedAccounts).toEqual([
      { AccountId: M, ProcessingResult: 'You must disassociate a member account before you can delete it.' },
      { AccountId: '444444444444', ProcessingResult: 'You must disassociate a member account before you can delete it.' },
      { AccountId: '888888888888', ProcessingResult: PROCESSING_RESULTS.notMember },
    ]);
    const left = await client().send(new ListMembersCommand({ OnlyAssociated: false }));
    expect(left.Members!.map((m) => m.AccountId)).toEqual([M, '444444444444']);
  });

  test('lets a deleted account be created and invited again', async () => {
    emu.store.seedMember(A, REGION, { accountId: M, status: 'Removed' });
    await client().send(new DeleteMembersCommand({ AccountIds: [M] }));

    const created = await client().send(new CreateMembersCommand({ AccountDetails: [{ AccountId: M }] }));
    const invited = await client().send(new InviteMembersCommand({ AccountIds: [M] }));

    expect(created.UnprocessedAccounts).toEqual([]);
    expect(invited.UnprocessedAccounts).toEqual([]);
    expect(emu.store.getMember(A, REGION, M)?.memberStatus).toBe('Invited');
  });

  test('fails when AccountIds holds more than 50 accounts', async () => {
    const err = await failure(client().send(new DeleteMembersCommand({ AccountIds: ids(51) })));

    expect(err.name).toBe('InvalidInputException');
  });
});

describe('EnableSecurityHub and DescribeHub', () => {
  test('enables a hub on first use by default', async () => {
    emu = await startEmulator();
    await client().send(new ListMembersCommand({}));

    const hub = await client().send(new DescribeHubCommand({}));

    expect(hub.HubArn).toBe(`arn:aws:securityhub:${REGION}:${A}:hub/default`);
    expect(hub.SubscribedAt).toMatch(/Z$/);
  });

  test('enables a hub, describes it, and fails when enabling it again', async () => {
    emu = await startEmulator({ autoEnableHubs: false });

    await client().send(new EnableSecurityHubCommand({ EnableDefaultStandards: false, ControlFindingGenerator: 'STANDARD_CONTROL' }));
    const hub = await client().send(new DescribeHubCommand({ HubArn: `arn:aws:securityhub:${REGION}:${A}:hub/default` }));
    const again = await failure(client().send(new EnableSecurityHubCommand({})));

    expect(hub).toEqual(expect.objectContaining({ HubArn: `arn:aws:securityhub:${REGION}:${A}:hub/default`, ControlFindingGenerator: 'STANDARD_CONTROL' }));
    expect(again.name).toBe('ResourceConflictException');
    expect(again.$metadata?.httpStatusCode).toBe(409);
  });

  test('fails when a hub is not enabled and auto-enable is off', async () => {
    emu = await startEmulator({ autoEnableHubs: false });

    const describe = await failure(client().send(new DescribeHubCommand({})));
    const list = await failure(client().send(new ListMembersCommand({})));
    const create = await failure(client().send(new CreateMembersCommand({ AccountDetails: [{ AccountId: M }] })));

    for (const err of [describe, list, create]) {
      expect(err.name).toBe('InvalidAccessException');
      expect(err.message).toBe(`Account ${A} is not subscribed to AWS Security Hub`);
      expect(err.$metadata?.httpStatusCode).toBe(401);
    }
    expect(emu.store.getMember(A, REGION, M)).toBeUndefined();
  });

  test('fails when DescribeHub names another hub', async () => {
    emu = await startEmulator();

    const err = await failure(client().send(new DescribeHubCommand({ HubArn: `arn:aws:securityhub:${REGION}:${M}:hub/default` })));

    expect(err.name).toBe('ResourceNotFoundException');
  });

  test('fails when ControlFindingGenerator is unknown', async () => {
    emu = await startEmulator();

    const err = await failure(client().send(new EnableSecurityHubCommand({ ControlFindingGenerator: 'NOPE' as 'SECURITY_CONTROL' })));

    expect(err.name).toBe('InvalidInputException');
    expect(emu.store.getHub(A, REGION)).toBeUndefined();
  });
});
