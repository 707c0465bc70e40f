import {
  CreateMembersCommand,
  DeleteMembersCommand,
  DisassociateMembersCommand,
  GetMembersCommand,
  InviteMembersCommand,
  ListInvitationsCommand,
  ListMembersCommand,
} from '@aws-sdk/client-securityhub';
import { PROCESSING_RESULTS } from '../../local/emulator';
import { ADMINISTRATOR, errorAnswer, hubFixture, okAnswer } from './hub';

const M1 = '222222222222';
const M2 = '333333333333';
const ORG = '444444444444';
const REFUSED = '555555555555';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

describe('hubFixture', () => {
  test('starts from the given members, organization and refused invitations', async () => {
    const hub = hubFixture({
      members: { [M1]: 'Enabled', [M2]: 'Created', [REFUSED]: 'Created' },
      organization: [ORG],
      uninvitable: [REFUSED],
    });
    const client = hub.client();

    const got = await client.send(new GetMembersCommand({ AccountIds: [M1, M2, ORG] }));
    expect(got.Members?.map((m) => [m.AccountId, m.MemberStatus])).toEqual([[M1, 'Enabled'], [M2, 'Created']]);
    expect(got.UnprocessedAccounts).toEqual([{ AccountId: ORG, ProcessingResult: PROCESSING_RESULTS.notMember }]);

    await client.send(new CreateMembersCommand({ AccountDetails: [{ AccountId: ORG }] }));
    const invited = await client.send(new InviteMembersCommand({ AccountIds: [M2, ORG, REFUSED] }));
    expect(invited.UnprocessedAccounts).toEqual([
      { AccountId: ORG, ProcessingResult: PROCESSING_RESULTS.organizationInvite },
      { AccountId: REFUSED, ProcessingResult: PROCESSING_RESULTS.uninvitable },
    ]);
    expect(hub.statuses()).toEqual({ [M1]: 'Enabled', [M2]: 'Invited', [ORG]: 'Enabled', [REFUSED]: 'Created' });

    hub.refuseInvites([]);
    await client.send(new InviteMembersCommand({ AccountIds: [REFUSED] }));
    expect(hub.statuses()[REFUSED]).toBe('Invited');
  });

  test('keeps each region\'s hub apart, seeded with membersByRegion', async () => {
    const hub = hubFixture({ members: { [M1]: 'Enabled' }, membersByRegion: { 'eu-west-1': { [M2]: { status: 'Invited', email: 'm2@example.com' } } } });

    const listed = await hub.client('eu-west-1').send(new ListMembersCommand({ OnlyAssociated: false }));
    expect(listed.Members?.map((m) => [m.AccountId, m.MemberStatus, m.Email])).toEqual([[M2, 'Invited', 'm2@example.com']]);
    expect(hub.statuses('eu-west-1')).toEqual({ [M2]: 'Invited' });
    expect(hub.calls()).toEqual([{ operation: 'ListMembers', region: 'eu-west-1', accountIds: [], httpStatus: 200 }]);
  });

  test('fails the next call of an operation with a lost answer: applied, answered 500', async () => {
    const hub = hubFixture({ members: { [M2]: 'Created' } });
    hub.failNext('InviteMembers', 'lostAnswer');

    await expect(hub.client(undefined, { maxAttempts: 1 }).send(new InviteMembersCommand({ AccountIds: [M2] })))
      .rejects.toMatchObject({ name: 'InternalException', $metadata: { httpStatusCode: 500 } });
    expect(hub.statuses()).toEqual({ [M2]: 'Invited' });
    // Only the next call: the one after it is answered.
    await hub.client().send(new InviteMembersCommand({ AccountIds: [M2] }));
    expect(hub.calls('InviteMembers').map((c) => c.httpStatus)).toEqual([500, 200]);
  });

  test('intercepts the next call of an operation, passing it on or answering instead', async () => {
    const hub = hubFixture({ members: { [M1]: 'Enabled', [M2]: 'Removed' } });
    hub.interceptNext('DisassociateMembers', async (request, serve) => {
      // The service applied it, then the answer is replaced.
      await serve(request);
      return errorAnswer(403, 'AccessDeniedException', 'not allowed now');
    });
    hub.interceptNext('DeleteMembers', async () => errorAnswer(429, 'LimitExceededException', 'Rate exceeded'));
    const client = hub.client(undefined, { maxAttempts: 1 });

    await expect(client.send(new DisassociateMembersCommand({ AccountIds: [M1] })))
      .rejects.toMatchObject({ name: 'AccessDeniedException', message: 'not allowed now', $metadata: { httpStatusCode: 403 } });
    await expect(client.send(new DeleteMembersCommand({ AccountIds: [M2] })))
      .rejects.toMatchObject({ name: 'LimitExceededException', $metadata: { httpStatusCode: 429 } });
    expect(hub.statuses()).toEqual({ [M1]: 'Removed', [M2]: 'Removed' });
    // The answered-instead call never reached the emulator's log.
    expect(hub.callCounts()).toEqual({ DisassociateMembers: 1 });
    expect(() => hub.interceptNext('GetFindings', async (r, serve) => serve(r))).toThrow(/cannot intercept "GetFindings"/);
  });

  test('records the calls of the administrator, with the account ids they named', async () => {
    const hub = hubFixture();
    const asMember = hub.client(undefined, { credentials: hub.credentialsOf(M1) });
    await hub.client().send(new CreateMembersCommand({ AccountDetails: [{ AccountId: M1 }, { AccountId: M2 }] }));
    await asMember.send(new ListMembersCommand({}));

    expect(hub.administrator).toBe(ADMINISTRATOR);
    expect(hub.calls()).toEqual([{ operation: 'CreateMembers', region: 'us-east-1', accountIds: [M1, M2], httpStatus: 200 }]);
    expect(hub.emulator.calls.total({ account: M1 })).toBe(1);
  });

  test('seeds members between calls, keeps what was sent, and answers success instead of the emulator', async () => {
    const hub = hubFixture({ members: { [M1]: 'Created' } });
    hub.seed({ [M2]: { status: 'Invited', invitedAt: '2025-01-01T00:00:00.000Z' } }, 'eu-west-1');
    hub.interceptNext('InviteMembers', async () => okAnswer({ UnprocessedAccounts: [] }));

    await hub.client().send(new InviteMembersCommand({ AccountIds: [M1] }));
    await hub.client().send(new CreateMembersCommand({ AccountDetails: [{ AccountId: ORG, Email: 'org@example.com' }] }));

    // The success was not the emulator's: M1 is still Created, and the log has no InviteMembers.
    expect(hub.statuses()).toEqual({ [M1]: 'Created', [ORG]: 'Created' });
    expect(hub.statuses('eu-west-1')).toEqual({ [M2]: 'Invited' });
    expect(hub.emulator.store.getMember(ADMINISTRATOR, 'eu-west-1', M2)?.invitedAt).toBe('2025-01-01T00:00:00.000Z');
    expect(hub.callCounts()).toEqual({ CreateMembers: 1 });
    expect(hub.requests('InviteMembers')).toEqual([{ AccountIds: [M1] }]);
    expect(hub.requests('CreateMembers')).toEqual([{ AccountDetails: [{ AccountId: ORG, Email: 'org@example.com' }] }]);
  });

  test('keeps the query of GET requests and the order of every operation sent, the intercepted ones included', async () => {
    const hub = hubFixture({ members: { [M1]: 'Invited' } });
    const asMember = hub.client(undefined, { credentials: hub.credentialsOf(M1) });
    hub.interceptNext('GetMembers', async () => okAnswer({ Members: [], UnprocessedAccounts: [] }));

    const listed = await asMember.send(new ListInvitationsCommand({ MaxResults: 5, NextToken: '' }));
    await hub.client().send(new GetMembersCommand({ AccountIds: [M1] }));

    expect(listed.Invitations?.map((i) => [i.AccountId, i.MemberStatus])).toEqual([[ADMINISTRATOR, 'Invited']]);
    expect(hub.queries('ListInvitations')).toEqual([{ MaxResults: '5', NextToken: '' }]);
    expect(hub.queries('GetMembers')).toEqual([{}]);
    expect(hub.operations()).toEqual(['ListInvitations', 'GetMembers']);
  });
});
