import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { OUTCOME_REFUSED, OUTCOME_REMOVED } from '../../../lib/shared/contract';
import { PROCESSING_RESULTS } from '../../../local/emulator';
import { decodeCreated, encodeCreated } from '../../../lambda/members/wait';
import { errorAnswer, okAnswer } from '../../support/hub';
import { ADMIN, CONTEXT as context, membersEvent as event, membersHarness, MembersHarness, withEmails as members } from '../../support/members-events';
import { emptyStack, wireStack } from '../../support/stack-model';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
/** The emulator's refusals, as the handler quotes them (without the final period). */
const UNINVITABLE = PROCESSING_RESULTS.uninvitable.replace(/\.$/, '');
const SUSPENDED = PROCESSING_RESULTS.suspended.replace(/\.$/, '');

// The stack declares no other SecurityHubMembers: rule R10 keeps nothing (ownership.test.ts covers it).
const cfn = mockClient(CloudFormationClient);
let run: MembersHarness;

const handler: MembersHarness['handler'] = (e, c) => run.handler(e, c);
const isComplete: MembersHarness['isComplete'] = (e, c) => run.isComplete(e, c);
const state = () => run.hub.statuses();
const records = () => run.records();
const mutatingCalls = () => run.mutatingCalls();
const idsOf = (operation: string) => run.idsOf(operation);
/** The account ids of every request of `operation` sent, answered by the emulator or not. */
const sentIds = (operation: string) => run.hub.requests(operation).map((body) => body.AccountIds);
/** A hub and handler that try each call once: a failure the emulator answers is the call's last. */
const oneAttempt = (members: Parameters<typeof membersHarness>[0] = {}) => membersHarness(members, { env: { SECURITYHUB_MEMBERS_MAX_ATTEMPTS: '1' } });

beforeEach(() => {
  run = membersHarness();
  wireStack(cfn, emptyStack);
});

describe('Create', () => {
  test('creates and invites every declared member, then reports counts', async () => {
    const result = await handler(event('Create', { Members: members(A, B), Invite: 'true' }), context);
    expect(result).toEqual({
      PhysicalResourceId: 'securityhub-members-Admin-MembersFEE56442',
      Data: { MemberCount: '2', EnabledCount: '0', InvitedCount: '2' },
    });
    expect(run.hub.requests('CreateMembers')).toEqual([{
      AccountDetails: [{ AccountId: A, Email: `security+${A}@example.com` }, { AccountId: B, Email: `security+${B}@example.com` }],
    }]);
    expect(idsOf('InviteMembers')).toEqual([[A, B]]);
    expect(state()).toEqual({ [A]: 'Invited', [B]: 'Invited' });
  });

  test('reads every status before the first mutating call', async () => {
    await handler(event('Create', { Members: members(A) }), context);
    const order = run.hub.calls().map((call) => call.operation);
    expect(order).toEqual(['GetMembers', 'CreateMembers', 'InviteMembers']);
  });

  test('Invite "false" arrives as a string and only creates', async () => {
    const result = await handler(event('Create', { Members: members(A), Invite: 'false' }), context);
    expect(run.hub.calls('InviteMembers')).toHaveLength(0);
    expect(state()[A]).toBe('Created');
    expect(result.Data).toEqual({ MemberCount: '1', EnabledCount: '0', InvitedCount: '0' });
  });

  test('a member without an email is created without one', async () => {
    await handler(event('Create', { Members: [{ AccountId: A }] }), context);
    expect(run.hub.requests('CreateMembers')).toEqual([{ AccountDetails: [{ AccountId: A }] }]);
  });

  test('the same event run twice ends in the same state without a second invitation', async () => {
    const first = await handler(event('Create', { Members: members(A, B) }), context);
    run.hub.emulator.calls.reset();
    const second = await handler(event('Create', { Members: members(A, B) }), context);
    expect(second).toEqual(first);
    expect(mutatingCalls()).toHaveLength(0);
  });

  test('an account already Enabled is left alone and counted', async () => {
    run.hub.seed({ [A]: { status: 'Enabled', reportedStatus: 'Associated' } });
    const result = await handler(event('Create', { Members: members(A, B) }), context);
    expect(idsOf('InviteMembers')).toEqual([[B]]);
    expect(result.Data).toEqual({ MemberCount: '2', EnabledCount: '1', InvitedCount: '1' });
  });

  test('re-invites a Removed or Resigned member and invites a Created one', async () => {
    run.hub.seed({ [A]: 'Removed', [B]: 'Resigned', [C]: 'Created' });
    await handler(event('Create', { Members: members(A, B, C) }), context);
    expect(run.hub.calls('CreateMembers')).toHaveLength(0);
    expect(idsOf('InviteMembers')).toEqual([[A, B, C]]);
  });

  test('"already a member" from CreateMembers is success', async () => {
    // The account becomes a member between the read and the create (or a retry's first attempt landed).
    run.hub.interceptNext('CreateMembers', async (request, serve) => {
      await serve(request);
      return okAnswer({ UnprocessedAccounts: [{ AccountId: A, ProcessingResult: PROCESSING_RESULTS.alreadyMember }] });
    });
    await handler(event('Create', { Members: members(A) }), context);
    expect(state()[A]).toBe('Invited');
  });

  test('sends at most 50 account ids per call: 120 accounts take 3 calls of each kind', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => String(100000000000 + i));
    const result = await handler(event('Create', { Members: ids.map((id) => ({ AccountId: id })) }), context);
    for (const operation of ['GetMembers', 'CreateMembers', 'InviteMembers']) {
      expect(idsOf(operation).map((batch) => batch.length).sort()).toEqual([20, 50, 50]);
    }
    expect(result.Data!.InvitedCount).toBe('120');
  });

  test('fails listing every account the service did not process, and undoes what it created', async () => {
    run = membersHarness({ uninvitable: [B] });
    // C's account is suspended between its creation and its invitation.
    run.hub.interceptNext('InviteMembers', (request, serve) => {
      run.hub.seed({ [C]: 'AccountSuspended' });
      return serve(request);
    });
    await expect(handler(event('Create', { Members: members(A, B, C) }), context)).rejects.toThrow(
      `Adding members failed for 2 accounts: ${B} in us-east-1: ${UNINVITABLE}; ${C} in us-east-1: ${SUSPENDED}. Undone: removed the 3 members`,
    );
    // A was created and invited: disassociated, then deleted. B and C were only created: deleted.
    expect(idsOf('DisassociateMembers')).toEqual([[A]]);
    expect(idsOf('DeleteMembers')).toEqual([[A, B, C]]);
    expect(state()).toEqual({});
    // One refused record per region and reason, logged once by the entry, with the service's reason.
    expect(records().filter((r) => r.outcome === OUTCOME_REFUSED)).toEqual([
      expect.objectContaining({ level: 'ERROR', phase: 'Adding members', region: 'us-east-1', accountIds: [B], serviceReason: PROCESSING_RESULTS.uninvitable }),
      expect.objectContaining({ level: 'ERROR', phase: 'Adding members', region: 'us-east-1', accountIds: [C], serviceReason: PROCESSING_RESULTS.suspended }),
    ]);
    expect(records().filter((r) => r.message === 'Adding members failed')).toEqual([expect.objectContaining({ accounts: 2, accountIds: [B, C] })]);
    // The undo's removals are not a removal of the declaration's.
    expect(records().filter((r) => r.outcome === OUTCOME_REMOVED)).toEqual([]);
  });

  test('the undo never removes an account that was a member before, even a re-invited one', async () => {
    run = membersHarness({ members: { [A]: 'Removed' }, uninvitable: [B] });
    await expect(handler(event('Create', { Members: members(A, B) }), context)).rejects.toThrow('Adding members failed for 1 account');
    expect(state()).toEqual({ [A]: 'Invited' });
  });

  test('a thrown error after creation is undone too', async () => {
    run.hub.interceptNext('InviteMembers', async () => errorAnswer(403, 'AccessDeniedException', 'not allowed'));
    await expect(handler(event('Create', { Members: members(A) }), context)).rejects.toThrow(/not allowed.*Undone: removed the 1 member/);
    expect(state()).toEqual({});
  });

  test('InviteMembers refused with a client error is not tried again', async () => {
    for (let i = 0; i < 3; i++) {
      run.hub.interceptNext('InviteMembers', async () => errorAnswer(403, 'AccessDeniedException', 'not allowed'));
    }
    await expect(handler(event('Create', { Members: members(A) }), context)).rejects.toThrow(`${A} in us-east-1: AccessDeniedException: not allowed`);
    expect(run.hub.requests('InviteMembers')).toHaveLength(1);
  });

  test('InviteMembers that fails after sending: re-reads and does not invite again', async () => {
    run.hub.failNext('InviteMembers', 'lostAnswer');
    await handler(event('Create', { Members: members(A, B) }), context);
    expect(run.hub.calls('InviteMembers')).toEqual([expect.objectContaining({ accountIds: [A, B], httpStatus: 500 })]);
    expect(state()).toEqual({ [A]: 'Invited', [B]: 'Invited' });
    expect(run.hub.emulator.store.duplicateInvitations()).toBe(0);
  });

  test('InviteMembers that fails before sending: re-reads and invites only the accounts still not invited', async () => {
    run.hub.interceptNext('InviteMembers', async () => {
      run.hub.seed({ [A]: 'Invited' });
      return errorAnswer(500, 'InternalException', 'Internal error');
    });
    await handler(event('Create', { Members: members(A, B) }), context);
    expect(sentIds('InviteMembers')).toEqual([[A, B], [B]]);
    expect(state()).toEqual({ [A]: 'Invited', [B]: 'Invited' });
  });

  test('a read that fails says so, with the region, before any change', async () => {
    run = oneAttempt();
    run.hub.failNext('GetMembers', 'error');
    await expect(handler(event('Create', { Members: members(A) }), context))
      .rejects.toThrow('Reading the members\' statuses in us-east-1 failed, so nothing was changed: InternalException: Internal error');
    expect(mutatingCalls()).toHaveLength(0);
  });

  test('fails before any call when a declared account id is invalid, naming it', async () => {
    await expect(handler(event('Create', { Members: [{ AccountId: '12345' }] }), context)).rejects.toThrow('invalid account id "12345": expected 12 digits');
    expect(run.hub.calls()).toHaveLength(0);
  });

  test.each([
    ['a duplicate', [{ AccountId: A }, { AccountId: A }], 'duplicate account id "111111111111"'],
    ['the administrator itself', [{ AccountId: ADMIN }], `account id "${ADMIN}" is the administrator's own account`],
    ['a bad email', [{ AccountId: A, Email: 'no-at-sign' }], 'invalid email for account "111111111111"'],
    ['more than 1,000 members', Array.from({ length: 1001 }, (_, i) => ({ AccountId: String(100000000000 + i) })), 'too many members (1001)'],
    ['a number instead of a string', [{ AccountId: 111111111111 }], 'invalid account id 111111111111: expected a string of 12 digits, got a number'],
  ])('fails before any call with %s', async (_what, declared, message) => {
    await expect(handler(event('Create', { Members: declared }), context)).rejects.toThrow(message);
    expect(run.hub.calls()).toHaveLength(0);
  });

  test('a bad email is not repeated in the error, which reaches logs', async () => {
    await expect(handler(event('Create', { Members: [{ AccountId: A, Email: 'secret address' }] }), context)).rejects.toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret address') }),
    );
  });

  test('fails before any call when Invite is not a boolean', async () => {
    await expect(handler(event('Create', { Members: members(A), Invite: 'yes' }), context)).rejects.toThrow('invalid Invite "yes": expected true or false');
    expect(run.hub.calls()).toHaveLength(0);
  });
});

describe('Update', () => {
  test('adds, heals and keeps first, removes last, and keeps the physical id', async () => {
    run.hub.seed({ [A]: 'Enabled', [B]: 'Invited' });
    const result = await handler(event('Update', { Members: members(A, C) }, { Members: members(A, B) }), context);
    expect(result.PhysicalResourceId).toBe('securityhub-members-Admin-MembersFEE56442');
    const order = run.hub.calls().map((call) => call.operation);
    expect(order).toEqual(['GetMembers', 'CreateMembers', 'InviteMembers', 'DisassociateMembers', 'DeleteMembers']);
    expect([...idsOf('GetMembers')[0]].sort()).toEqual([A, B, C].sort());
    expect(idsOf('InviteMembers')).toEqual([[C]]);
    expect(idsOf('DisassociateMembers')).toEqual([[B]]);
    expect(idsOf('DeleteMembers')).toEqual([[B]]);
    expect(state()).toEqual({ [A]: 'Enabled', [C]: 'Invited' });
    expect(result.Data).toEqual({ MemberCount: '2', EnabledCount: '1', InvitedCount: '1' });
    expect(records().filter((r) => r.outcome === OUTCOME_REMOVED)).toEqual([expect.objectContaining({ region: 'us-east-1', accountIds: [B] })]);
  });

  test('fails before any change when additions before removals would exceed the 1,000-member quota', async () => {
    const kept = Array.from({ length: 990 }, (_, i) => String(100000000000 + i));
    const dropped = Array.from({ length: 10 }, (_, i) => String(200000000000 + i));
    const added = Array.from({ length: 10 }, (_, i) => String(300000000000 + i));
    run.hub.seed(Object.fromEntries([...kept, ...dropped].map((id) => [id, 'Enabled'])));
    const declare = (ids: string[]) => ids.map((id) => ({ AccountId: id }));
    await expect(handler(event('Update', { Members: declare([...kept, ...added]) }, { Members: declare([...kept, ...dropped]) }), context))
      .rejects.toThrow('Security Hub allows at most 1000 members per administrator and region, and this change would exceed it while it runs (us-east-1: 1000 declared accounts are members now and 10 would be added before 10 are removed, 1010 at once): deploy the removals first, then the additions. Nothing was changed.');
    expect(mutatingCalls()).toHaveLength(0);
  });

  test('a removed account that was only Created is deleted without disassociating', async () => {
    run.hub.seed({ [B]: 'Created' });
    await handler(event('Update', { Members: members(C) }, { Members: members(B) }), context);
    expect(run.hub.calls('DisassociateMembers')).toHaveLength(0);
    expect(idsOf('DeleteMembers')).toEqual([[B]]);
  });

  test('no removal runs when an addition failed', async () => {
    run = membersHarness({ members: { [B]: 'Enabled' }, uninvitable: [C] });
    await expect(handler(event('Update', { Members: members(C) }, { Members: members(B) }), context)).rejects.toThrow(`${C} in us-east-1: ${UNINVITABLE}`);
    expect(state()).toEqual({ [B]: 'Enabled' });
    expect(idsOf('DisassociateMembers')).toEqual([]);
    expect(idsOf('DeleteMembers')).toEqual([[C]]);
  });

  test('turning invite on invites members left Created', async () => {
    run.hub.seed({ [A]: 'Created' });
    await handler(event('Update', { Members: members(A), Invite: 'true' }, { Members: members(A), Invite: 'false' }), context);
    expect(idsOf('InviteMembers')).toEqual([[A]]);
  });

  test('a rollback from a declaration that failed validation is not blocked by it', async () => {
    run.hub.seed({ [A]: 'Invited' });
    const result = await handler(event('Update', { Members: members(A) }, { Members: [{ AccountId: 'bad' }, { AccountId: ADMIN }], Regions: ['nowhere'] }), context);
    expect(result.PhysicalResourceId).toBe('securityhub-members-Admin-MembersFEE56442');
    expect(mutatingCalls()).toHaveLength(0);
  });

  test('the old and new properties swapped (a CloudFormation rollback) restore the old declaration', async () => {
    await handler(event('Create', { Members: members(A) }), context);
    await handler(event('Update', { Members: members(B) }, { Members: members(A) }), context);
    await handler(event('Update', { Members: members(A) }, { Members: members(B) }), context);
    expect(state()).toEqual({ [A]: 'Invited' });
  });
});

describe('Delete', () => {
  test('disassociates associated members, then deletes every declared member', async () => {
    run.hub.seed({ [A]: 'Enabled', [B]: 'Created', [C]: 'Invited' });
    await handler(event('Delete', { Members: members(A, B, C) }), context);
    expect(idsOf('DisassociateMembers')).toEqual([[A, C]]);
    expect(idsOf('DeleteMembers')).toEqual([[A, B, C]]);
    expect(state()).toEqual({});
  });

  test('succeeds without a mutating call when the members are already gone', async () => {
    const result = await handler(event('Delete', { Members: members(A, B) }), context);
    expect(mutatingCalls()).toHaveLength(0);
    expect(result.PhysicalResourceId).toBe('securityhub-members-Admin-MembersFEE56442');
  });

  test('"not a member" from a retried DeleteMembers is success', async () => {
    run.hub.seed({ [A]: 'Created' });
    // The first attempt was applied: the retry finds the account gone.
    run.hub.interceptNext('DeleteMembers', async (request, serve) => {
      await serve(request);
      return okAnswer({ UnprocessedAccounts: [{ AccountId: A, ProcessingResult: PROCESSING_RESULTS.notMember }] });
    });
    await expect(handler(event('Delete', { Members: members(A) }), context)).resolves.toBeDefined();
    expect(state()).toEqual({});
  });

  test('a DisassociateMembers error for members that are in fact disassociated is success', async () => {
    run = oneAttempt({ members: { [A]: 'Enabled' } });
    run.hub.failNext('DisassociateMembers', 'lostAnswer');
    await handler(event('Delete', { Members: members(A) }), context);
    expect(run.hub.calls('DisassociateMembers')).toEqual([expect.objectContaining({ httpStatus: 500 })]);
    expect(state()).toEqual({});
  });

  test('fails with the reason when an account cannot be removed, after removing the others', async () => {
    run.hub.seed({ [A]: 'Created', [B]: 'Enabled' });
    // The disassociation of B does not take (another tool re-invited it, say): it is still associated.
    run.hub.interceptNext('DisassociateMembers', async () => okAnswer({}));
    await expect(handler(event('Delete', { Members: members(A, B) }), context)).rejects.toThrow(
      `Removing members failed for 1 account: ${B} in us-east-1: ${PROCESSING_RESULTS.disassociateFirst}`,
    );
    expect(state()).toEqual({ [B]: 'Enabled' });
  });

  test('a Delete whose properties were once invalid removes only what could have been created', async () => {
    run.hub.seed({ [A]: 'Created' });
    await handler(event('Delete', { Members: [{ AccountId: A }, { AccountId: 'bad' }] }), context);
    expect(idsOf('DeleteMembers')).toEqual([[A]]);
  });
});

describe('waitForAcceptance', () => {
  const waiting = { Members: members(A, B), WaitForAcceptanceSeconds: '60' };
  const future = () => new Date(Date.now() + 60_000).toISOString();
  const past = () => new Date(Date.now() - 1).toISOString();

  test('Create returns a provisional id, the deadline and which accounts it created', async () => {
    run.hub.seed({ [B]: 'Enabled' });
    const result = await handler(event('Create', waiting), context);
    expect(result.PhysicalResourceId).toBe('securityhub-members-Admin-MembersFEE56442:awaiting-acceptance');
    expect(Date.parse(result.Data!.WaitDeadline!)).toBeGreaterThan(Date.now());
    expect(decodeCreated([{ accountId: A }, { accountId: B }], result.Data!.WaitCreated!, 1)).toEqual([[A]]);
  });

  test('isComplete is not complete, and returns no Data, while a member is still Invited', async () => {
    run.hub.seed({ [A]: 'Enabled', [B]: 'Invited' });
    const result = await isComplete({ ...event('Create', waiting), PhysicalResourceId: 'x:awaiting-acceptance', Data: { WaitDeadline: future() } }, context);
    expect(result).toEqual({ IsComplete: false });
  });

  test('isComplete completes with the stable id and fresh counts once every member is Enabled', async () => {
    run.hub.seed({ [A]: 'Enabled', [B]: { status: 'Enabled', reportedStatus: 'Associated' } });
    const result = await isComplete({ ...event('Create', waiting), PhysicalResourceId: 'securityhub-members-Admin-MembersFEE56442:awaiting-acceptance', Data: { WaitDeadline: future() } }, context);
    expect(result).toEqual({
      IsComplete: true,
      PhysicalResourceId: 'securityhub-members-Admin-MembersFEE56442',
      Data: { MemberCount: '2', EnabledCount: '2', InvitedCount: '0' },
    });
    expect(mutatingCalls()).toHaveLength(0);
  });

  test('past the deadline a Create fails naming the pending members and removes only the ones it created', async () => {
    run.hub.seed({ [A]: 'Invited', [B]: 'Invited' });
    const created = encodeCreated([{ accountId: A }, { accountId: B }], [new Set([A])]); // A only: B existed before
    await expect(isComplete({ ...event('Create', waiting), PhysicalResourceId: 'x:awaiting-acceptance', Data: { WaitDeadline: past(), WaitCreated: created } }, context))
      .rejects.toThrow(`waited 60 s for every invited member to accept; 2 accounts are still pending: ${A}, ${B} in us-east-1 (Invited). Undone: removed the 1 member`);
    expect(state()).toEqual({ [B]: 'Invited' });
  });

  test('past the deadline an Update fails without removing anything: CloudFormation rolls it back', async () => {
    run.hub.seed({ [A]: 'Invited', [B]: 'Enabled' });
    await expect(isComplete({ ...event('Update', waiting, { Members: members(B) }), Data: { WaitDeadline: past() } }, context))
      .rejects.toThrow(`1 account is still pending: ${A} in us-east-1 (Invited).`);
    expect(mutatingCalls()).toHaveLength(0);
  });

  test('an Update keeps waiting while the stack is updating', async () => {
    run.hub.seed({ [A]: 'Invited', [B]: 'Enabled' });
    const result = await isComplete({ ...event('Update', waiting, { Members: members(B) }), Data: { WaitDeadline: future() } }, context);
    expect(result).toEqual({ IsComplete: false });
  });

  test('CloudFormation\'s rollback Update completes at once instead of waiting, so the rollback cannot fail on it', async () => {
    wireStack(cfn, () => ({ ...emptyStack(), status: 'UPDATE_ROLLBACK_IN_PROGRESS' }));
    run.hub.seed({ [A]: 'Invited', [B]: 'Enabled' });
    const result = await isComplete({ ...event('Update', waiting, { Members: members(A, B) }), Data: { WaitDeadline: past() } }, context);
    expect(result).toEqual({
      IsComplete: true,
      PhysicalResourceId: 'securityhub-members-Admin-MembersFEE56442',
      Data: { MemberCount: '2', EnabledCount: '1', InvitedCount: '1' },
    });
    expect(mutatingCalls()).toHaveLength(0);
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(1);
    expect(cfn.commandCalls(GetTemplateCommand)).toHaveLength(0);
  });

  test('a read that fails before the deadline is only a missed poll, not a failed deploy', async () => {
    run = oneAttempt();
    run.hub.failNext('GetMembers', 'error');
    const result = await isComplete({ ...event('Create', waiting), PhysicalResourceId: 'x:awaiting-acceptance', Data: { WaitDeadline: future() } }, context);
    expect(result).toEqual({ IsComplete: false });
  });

  test('a Delete with a physical id this handler never issued removes nothing', async () => {
    run.hub.seed({ [A]: 'Enabled' });
    const result = await handler({ ...event('Delete', { Members: members(A) }), PhysicalResourceId: 'Members-1A2B3C4D5E6F' }, context);
    expect(result.PhysicalResourceId).toBe('Members-1A2B3C4D5E6F');
    expect(run.hub.calls()).toHaveLength(0);
  });

  test('a Delete of a Create that timed out has nothing left to do', async () => {
    run.hub.seed({ [A]: 'Enabled' });
    const result = await handler({ ...event('Delete', waiting), PhysicalResourceId: 'securityhub-members-Admin-MembersFEE56442:awaiting-acceptance' }, context);
    expect(result.PhysicalResourceId).toBe('securityhub-members-Admin-MembersFEE56442:awaiting-acceptance');
    expect(run.hub.calls()).toHaveLength(0);
  });

  test('isComplete of a Delete, or without waiting, or with invite off, is complete at once', async () => {
    await expect(isComplete(event('Delete', waiting), context)).resolves.toEqual({ IsComplete: true });
    await expect(isComplete(event('Update', { Members: members(A) }, { Members: members(A) }), context)).resolves.toMatchObject({ IsComplete: true });
    await expect(isComplete(event('Update', { ...waiting, Invite: 'false' }, waiting), context)).resolves.toMatchObject({ IsComplete: true });
    expect(run.hub.calls()).toHaveLength(0);
  });

  test('fails before any call when WaitForAcceptanceSeconds is not a positive number', async () => {
    await expect(handler(event('Create', { Members: members(A), WaitForAcceptanceSeconds: 'soon' }), context))
      .rejects.toThrow('invalid WaitForAcceptanceSeconds "soon": expected a positive number of seconds');
    expect(run.hub.calls()).toHaveLength(0);
  });
});

describe('the Lambda timeout', () => {
  test('with no time left it starts no change and fails saying why', async () => {
    const late = { ...context, getRemainingTimeInMillis: () => 0 };
    await expect(handler(event('Create', { Members: members(A, B) }), late)).rejects.toThrow('stopped before starting more changes');
    expect(mutatingCalls()).toHaveLength(0);
    expect(state()).toEqual({});
  });

  test('when the deadline passes midway it stops, and still has the time to undo what it created', async () => {
    const timed = { ...context, getRemainingTimeInMillis: () => 600_000 };
    const now = Date.now();
    run.hub.interceptNext('CreateMembers', async (request, serve) => {
      const answer = await serve(request);
      // Throttling ate the budget: the clock jumps past the handler's deadline.
      jest.spyOn(Date, 'now').mockReturnValue(now + 590_000);
      return answer;
    });
    try {
      await expect(handler(event('Create', { Members: members(A, B) }), timed)).rejects.toThrow(
        /stopped before starting more changes: less than 120 s were left before the Lambda timeout.*Undone: removed the 2 members/,
      );
    } finally {
      jest.spyOn(Date, 'now').mockRestore();
    }
    expect(run.hub.calls('InviteMembers')).toHaveLength(0);
    expect(idsOf('DeleteMembers')).toEqual([[A, B]]);
    expect(state()).toEqual({});
  });
});

describe('logs', () => {
  test('never contain an email address or the ResponseURL', async () => {
    run = membersHarness({ members: { [C]: 'Enabled' }, uninvitable: [B] });
    await handler(event('Create', { Members: members(A) }), context);
    await handler(event('Update', { Members: members(A, B) }, { Members: members(A, C) }), context).catch(() => undefined);
    await handler(event('Delete', { Members: members(A) }), context);
    const printed = run.printed();
    expect(printed).toContain(A);
    expect(printed).not.toMatch(/@example\.com/);
    expect(printed).not.toContain('secret-presigned-url');
  });
});

describe('an empty declaration (rule R9, docs/design.md "Validation")', () => {
  beforeEach(() => {
    run = membersHarness({ members: { [A]: 'Enabled' } });
  });

  test.each([
    ['a Create', () => event('Create', { Members: [] })],
    ['an Update', () => event('Update', { Members: [] }, { Members: [{ AccountId: A }] })],
  ])('fails when %s declares Members: [], before any Security Hub call, saying how to remove every member on purpose', async (_, make) => {
    await expect(handler(make(), context)).rejects.toThrow('empty members list: expected at least one member; to remove every member on purpose, remove the SecurityHubMembers construct, or destroy the stack');
    expect(run.hub.calls()).toHaveLength(0);
    expect(state()).toEqual({ [A]: 'Enabled' });
  });

  test('a Delete of a resource declaring Members: [] removes nothing and succeeds', async () => {
    await expect(handler(event('Delete', { Members: [] }), context)).resolves.toEqual({ PhysicalResourceId: 'securityhub-members-Admin-MembersFEE56442' });
    expect(run.hub.calls()).toHaveLength(0);
    expect(cfn.calls()).toHaveLength(0);
  });
});
