import {
  CreateMembersCommand,
  DeleteMembersCommand,
  DisassociateMembersCommand,
  GetMembersCommand,
  InternalException,
  InviteMembersCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { OUTCOME_REFUSED, OUTCOME_REMOVED } from '../../../lib/shared/contract';
import { emptyStack, wireStack } from '../../support/stack-model';
import { handler, isComplete } from '../../../lambda/members';
import { decodeCreated, encodeCreated } from '../../../lambda/members/wait';
import type { CustomResourceEvent } from '../../../lambda/shared/cfn';
import { Fake, hubModels, NOT_MEMBER } from './hub-model';

const ADMIN = '999999999999';
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const context = { invokedFunctionArn: `arn:aws:lambda:us-east-1:${ADMIN}:function:members-handler` };
const STACK_ID = 'arn:aws:cloudformation:us-east-1:999999999999:stack/Admin/0f1e2d3c';

const hub = mockClient(SecurityHubClient);
// The stack declares no other SecurityHubMembers: rule R10 keeps nothing (ownership.test.ts covers it).
const cfn = mockClient(CloudFormationClient);
/** Member status by account id: a minimal model of one administrator's hub in one region. */
let state: Map<string, string>;
/** Accounts CreateMembers or InviteMembers report as unprocessed, with the reason. */
let refuseInvite: Map<string, string>;
let logs: jest.SpyInstance[];
/** Every JSON line the handler logged in this test. */
const records = (): Record<string, unknown>[] => logs.flatMap((spy) => spy.mock.calls.flat()).map((line) => JSON.parse(String(line)) as Record<string, unknown>);



/**
 * Replaces the next call of `command` with `fake`; later calls go back to the hub model.
 * (aws-sdk-client-mock's callsFakeOnce answers undefined after the first call.)
 */
function once(command: unknown, fake: Fake): void {
  const model = models.get(command)!;
  let used = false;
  hub.on(command as never).callsFake((input: unknown) => {
    if (used) {
      return model(input);
    }
    used = true;
    return fake(input);
  });
}

const models = new Map<unknown, Fake>();

function wireHub(): void {
  hub.reset();
  // Default-reject: any call the test did not expect fails loudly.
  hub.onAnyCommand().rejects(new Error('unexpected command'));
  models.clear();
  for (const [command, model] of hubModels(() => ({ state, refuseInvite }))) {
    models.set(command, model);
  }
  for (const [command, model] of models) {
    hub.on(command as never).callsFake(model);
  }
}

function event(requestType: 'Create' | 'Update' | 'Delete', props: Record<string, unknown>, old?: Record<string, unknown>): CustomResourceEvent {
  return {
    RequestType: requestType,
    RequestId: 'req-1',
    StackId: STACK_ID,
    LogicalResourceId: 'MembersFEE56442',
    ResourceType: 'Custom::SecurityHubMembers',
    ResponseURL: 'https://cloudformation-custom-resource-response.example/secret-presigned-url',
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: 'securityhub-members-Admin-MembersFEE56442' }),
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:999999999999:function:framework', ...props },
    ...(old ? { OldResourceProperties: { ServiceToken: 'x', ...old } } : {}),
  };
}

const members = (...ids: string[]) => ids.map((id) => ({ AccountId: id, Email: `security+${id}@example.com` }));
const mutatingCalls = () => [CreateMembersCommand, InviteMembersCommand, DisassociateMembersCommand, DeleteMembersCommand]
  .flatMap((command) => hub.commandCalls(command as never));
const idsOf = (command: unknown) => hub.commandCalls(command as never).map((call) => (call.args[0].input as { AccountIds: string[] }).AccountIds);

// Read once, when the handler makes its client: a failed InviteMembers is retried 3 times, not 10.
process.env.SECURITYHUB_MEMBERS_MAX_ATTEMPTS = '3';

beforeEach(() => {
  process.env.AWS_REGION = 'us-east-1';
  state = new Map();
  refuseInvite = new Map();
  wireHub();
  wireStack(cfn, emptyStack);
  logs = [jest.spyOn(console, 'log').mockImplementation(() => undefined), jest.spyOn(console, 'error').mockImplementation(() => undefined)];
});

afterEach(() => {
  logs.forEach((spy) => spy.mockRestore());
});

describe('Create', () => {
  test('creates and invites every declared member, then reports counts', async () => {
    const result = await handler(event('Create', { Members: members(A, B), Invite: 'true' }), context);
    expect(result).toEqual({
      PhysicalResourceId: 'securityhub-members-Admin-MembersFEE56442',
      Data: { MemberCount: '2', EnabledCount: '0', InvitedCount: '2' },
    });
    expect(hub.commandCalls(CreateMembersCommand)[0].args[0].input).toEqual({
      AccountDetails: [{ AccountId: A, Email: `security+${A}@example.com` }, { AccountId: B, Email: `security+${B}@example.com` }],
    });
    expect(idsOf(InviteMembersCommand)).toEqual([[A, B]]);
    expect(state).toEqual(new Map([[A, 'Invited'], [B, 'Invited']]));
  });

  test('reads every status before the first mutating call', async () => {
    await handler(event('Create', { Members: members(A) }), context);
    const order = hub.calls().map((call) => call.args[0].constructor.name);
    expect(order).toEqual(['GetMembersCommand', 'CreateMembersCommand', 'InviteMembersCommand']);
  });

  test('Invite "false" arrives as a string and only creates', async () => {
    const result = await handler(event('Create', { Members: members(A), Invite: 'false' }), context);
    expect(hub.commandCalls(InviteMembersCommand)).toHaveLength(0);
    expect(state.get(A)).toBe('Created');
    expect(result.Data).toEqual({ MemberCount: '1', EnabledCount: '0', InvitedCount: '0' });
  });

  test('a member without an email is created without one', async () => {
    await handler(event('Create', { Members: [{ AccountId: A }] }), context);
    expect(hub.commandCalls(CreateMembersCommand)[0].args[0].input).toEqual({ AccountDetails: [{ AccountId: A }] });
  });

  test('the same event run twice ends in the same state without a second invitation', async () => {
    const first = await handler(event('Create', { Members: members(A, B) }), context);
    hub.resetHistory();
    const second = await handler(event('Create', { Members: members(A, B) }), context);
    expect(second).toEqual(first);
    expect(mutatingCalls()).toHaveLength(0);
  });

  test('an account already Enabled is left alone and counted', async () => {
    state.set(A, 'Associated');
    const result = await handler(event('Create', { Members: members(A, B) }), context);
    expect(idsOf(InviteMembersCommand)).toEqual([[B]]);
    expect(result.Data).toEqual({ MemberCount: '2', EnabledCount: '1', InvitedCount: '1' });
  });

  test('re-invites a Removed or Resigned member and invites a Created one', async () => {
    state.set(A, 'Removed').set(B, 'Resigned').set(C, 'Created');
    await handler(event('Create', { Members: members(A, B, C) }), context);
    expect(hub.commandCalls(CreateMembersCommand)).toHaveLength(0);
    expect(idsOf(InviteMembersCommand)).toEqual([[A, B, C]]);
  });

  test('"already a member" from CreateMembers is success', async () => {
    // The account becomes a member between the read and the create (or a retry's first attempt landed).
    once(CreateMembersCommand, ({ AccountDetails }: { AccountDetails: { AccountId: string }[] }) => {
      AccountDetails.forEach(({ AccountId }) => state.set(AccountId, 'Created'));
      return { UnprocessedAccounts: [{ AccountId: A, ProcessingResult: 'The request is rejected because the given account ID is already a member or associated member of the current account.' }] };
    });
    await handler(event('Create', { Members: members(A) }), context);
    expect(state.get(A)).toBe('Invited');
  });

  test('sends at most 50 account ids per call: 120 accounts take 3 calls of each kind', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => String(100000000000 + i));
    const result = await handler(event('Create', { Members: ids.map((id) => ({ AccountId: id })) }), context);
    for (const command of [GetMembersCommand, InviteMembersCommand]) {
      expect(idsOf(command).map((batch) => batch.length).sort()).toEqual([20, 50, 50]);
    }
    const created = hub.commandCalls(CreateMembersCommand).map((c) => (c.args[0].input as { AccountDetails: unknown[] }).AccountDetails.length);
    expect(created.sort()).toEqual([20, 50, 50]);
    expect(result.Data!.InvitedCount).toBe('120');
  });

  test('fails listing every account the service did not process, and undoes what it created', async () => {
    refuseInvite.set(B, 'The account could not be invited: the email address is not verified');
    refuseInvite.set(C, 'Account is suspended');
    await expect(handler(event('Create', { Members: members(A, B, C) }), context)).rejects.toThrow(
      new RegExp(`Adding members failed for 2 accounts: ${B} in us-east-1: The account could not be invited: the email address is not verified; ${C} in us-east-1: Account is suspended\\. Undone: removed the 3 members`),
    );
    // A was created and invited: disassociated, then deleted. B and C were only created: deleted.
    expect(idsOf(DisassociateMembersCommand)).toEqual([[A]]);
    expect(idsOf(DeleteMembersCommand)).toEqual([[A, B, C]]);
    expect(state.size).toBe(0);
    // One refused record per region and reason, logged once by the entry, with the service's reason.
    expect(records().filter((r) => r.outcome === OUTCOME_REFUSED)).toEqual([
      expect.objectContaining({ level: 'ERROR', phase: 'Adding members', region: 'us-east-1', accountIds: [B], serviceReason: 'The account could not be invited: the email address is not verified' }),
      expect.objectContaining({ level: 'ERROR', phase: 'Adding members', region: 'us-east-1', accountIds: [C], serviceReason: 'Account is suspended' }),
    ]);
    expect(records().filter((r) => r.message === 'Adding members failed')).toEqual([expect.objectContaining({ accounts: 2, accountIds: [B, C] })]);
    // The undo's removals are not a removal of the declaration's.
    expect(records().filter((r) => r.outcome === OUTCOME_REMOVED)).toEqual([]);
  });

  test('the undo never removes an account that was a member before, even a re-invited one', async () => {
    state.set(A, 'Removed');
    refuseInvite.set(B, 'cannot invite');
    await expect(handler(event('Create', { Members: members(A, B) }), context)).rejects.toThrow('Adding members failed for 1 account');
    expect(state.get(A)).toBe('Invited');
    expect(state.has(B)).toBe(false);
  });

  test('a thrown error after creation is undone too', async () => {
    hub.on(InviteMembersCommand).rejects(new Error('AccessDeniedException: not allowed'));
    await expect(handler(event('Create', { Members: members(A) }), context)).rejects.toThrow(/not allowed.*Undone: removed the 1 member/);
    expect(state.size).toBe(0);
  });

  test('InviteMembers refused with a client error is not tried again', async () => {
    hub.on(InviteMembersCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } }));
    await expect(handler(event('Create', { Members: members(A) }), context)).rejects.toThrow(`${A} in us-east-1: AccessDeniedException: not allowed`);
    expect(hub.commandCalls(InviteMembersCommand)).toHaveLength(1);
  });

  test('InviteMembers that fails after sending: re-reads and does not invite again', async () => {
    once(InviteMembersCommand, ({ AccountIds }: { AccountIds: string[] }) => {
      AccountIds.forEach((id) => state.set(id, 'Invited'));
      throw new InternalException({ message: 'Internal error', $metadata: {} });
    });
    await handler(event('Create', { Members: members(A, B) }), context);
    expect(hub.commandCalls(InviteMembersCommand)).toHaveLength(1);
    expect(state.get(A)).toBe('Invited');
  });

  test('InviteMembers that fails before sending: re-reads and invites only the accounts still not invited', async () => {
    once(InviteMembersCommand, ({ AccountIds }: { AccountIds: string[] }) => {
      state.set(AccountIds[0], 'Invited');
      throw new InternalException({ message: 'Internal error', $metadata: {} });
    });
    await handler(event('Create', { Members: members(A, B) }), context);
    expect(idsOf(InviteMembersCommand)).toEqual([[A, B], [B]]);
    expect([...state.values()]).toEqual(['Invited', 'Invited']);
  });

  test('a read that fails says so, with the region, before any change', async () => {
    hub.on(GetMembersCommand).rejects(new InternalException({ message: 'Internal error', $metadata: {} }));
    await expect(handler(event('Create', { Members: members(A) }), context))
      .rejects.toThrow('Reading the members\' statuses in us-east-1 failed, so nothing was changed: InternalException: Internal error');
    expect(mutatingCalls()).toHaveLength(0);
  });

  test('fails before any call when a declared account id is invalid, naming it', async () => {
    await expect(handler(event('Create', { Members: [{ AccountId: '12345' }] }), context)).rejects.toThrow('invalid account id "12345": expected 12 digits');
    expect(hub.calls()).toHaveLength(0);
  });

  test.each([
    ['a duplicate', [{ AccountId: A }, { AccountId: A }], 'duplicate account id "111111111111"'],
    ['the administrator itself', [{ AccountId: ADMIN }], `account id "${ADMIN}" is the administrator's own account`],
    ['a bad email', [{ AccountId: A, Email: 'no-at-sign' }], 'invalid email for account "111111111111"'],
    ['more than 1,000 members', Array.from({ length: 1001 }, (_, i) => ({ AccountId: String(100000000000 + i) })), 'too many members (1001)'],
    ['a number instead of a string', [{ AccountId: 111111111111 }], 'invalid account id 111111111111: expected a string of 12 digits, got a number'],
  ])('fails before any call with %s', async (_what, declared, message) => {
    await expect(handler(event('Create', { Members: declared }), context)).rejects.toThrow(message);
    expect(hub.calls()).toHaveLength(0);
  });

  test('a bad email is not repeated in the error, which reaches logs', async () => {
    await expect(handler(event('Create', { Members: [{ AccountId: A, Email: 'secret address' }] }), context)).rejects.toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret address') }),
    );
  });

  test('fails before any call when Invite is not a boolean', async () => {
    await expect(handler(event('Create', { Members: members(A), Invite: 'yes' }), context)).rejects.toThrow('invalid Invite "yes": expected true or false');
    expect(hub.calls()).toHaveLength(0);
  });
});

describe('Update', () => {
  test('adds, heals and keeps first, removes last, and keeps the physical id', async () => {
    state.set(A, 'Enabled').set(B, 'Invited');
    const result = await handler(event('Update', { Members: members(A, C) }, { Members: members(A, B) }), context);
    expect(result.PhysicalResourceId).toBe('securityhub-members-Admin-MembersFEE56442');
    const order = hub.calls().map((call) => call.args[0].constructor.name);
    expect(order).toEqual(['GetMembersCommand', 'CreateMembersCommand', 'InviteMembersCommand', 'DisassociateMembersCommand', 'DeleteMembersCommand']);
    expect(idsOf(GetMembersCommand)[0].sort()).toEqual([A, B, C].sort());
    expect(idsOf(InviteMembersCommand)).toEqual([[C]]);
    expect(idsOf(DisassociateMembersCommand)).toEqual([[B]]);
    expect(idsOf(DeleteMembersCommand)).toEqual([[B]]);
    expect(state).toEqual(new Map([[A, 'Enabled'], [C, 'Invited']]));
    expect(result.Data).toEqual({ MemberCount: '2', EnabledCount: '1', InvitedCount: '1' });
    expect(records().filter((r) => r.outcome === OUTCOME_REMOVED)).toEqual([expect.objectContaining({ region: 'us-east-1', accountIds: [B] })]);
  });

  test('fails before any change when additions before removals would exceed the 1,000-member quota', async () => {
    const kept = Array.from({ length: 990 }, (_, i) => String(100000000000 + i));
    const dropped = Array.from({ length: 10 }, (_, i) => String(200000000000 + i));
    const added = Array.from({ length: 10 }, (_, i) => String(300000000000 + i));
    [...kept, ...dropped].forEach((id) => state.set(id, 'Enabled'));
    const declare = (ids: string[]) => ids.map((id) => ({ AccountId: id }));
    await expect(handler(event('Update', { Members: declare([...kept, ...added]) }, { Members: declare([...kept, ...dropped]) }), context))
      .rejects.toThrow('Security Hub allows at most 1000 members per administrator and region, and this change would exceed it while it runs (us-east-1: 1000 declared accounts are members now and 10 would be added before 10 are removed, 1010 at once): deploy the removals first, then the additions. Nothing was changed.');
    expect(mutatingCalls()).toHaveLength(0);
  });

  test('a removed account that was only Created is deleted without disassociating', async () => {
    state.set(B, 'Created');
    await handler(event('Update', { Members: members(C) }, { Members: members(B) }), context);
    expect(hub.commandCalls(DisassociateMembersCommand)).toHaveLength(0);
    expect(idsOf(DeleteMembersCommand)).toEqual([[B]]);
  });

  test('no removal runs when an addition failed', async () => {
    state.set(B, 'Enabled');
    refuseInvite.set(C, 'cannot invite');
    await expect(handler(event('Update', { Members: members(C) }, { Members: members(B) }), context)).rejects.toThrow(`${C} in us-east-1: cannot invite`);
    expect(state.get(B)).toBe('Enabled');
    expect(idsOf(DisassociateMembersCommand)).toEqual([]);
    expect(idsOf(DeleteMembersCommand)).toEqual([[C]]);
  });

  test('turning invite on invites members left Created', async () => {
    state.set(A, 'Created');
    await handler(event('Update', { Members: members(A), Invite: 'true' }, { Members: members(A), Invite: 'false' }), context);
    expect(idsOf(InviteMembersCommand)).toEqual([[A]]);
  });

  test('a rollback from a declaration that failed validation is not blocked by it', async () => {
    state.set(A, 'Invited');
    const result = await handler(event('Update', { Members: members(A) }, { Members: [{ AccountId: 'bad' }, { AccountId: ADMIN }], Regions: ['nowhere'] }), context);
    expect(result.PhysicalResourceId).toBe('securityhub-members-Admin-MembersFEE56442');
    expect(mutatingCalls()).toHaveLength(0);
  });

  test('the old and new properties swapped (a CloudFormation rollback) restore the old declaration', async () => {
    await handler(event('Create', { Members: members(A) }), context);
    await handler(event('Update', { Members: members(B) }, { Members: members(A) }), context);
    await handler(event('Update', { Members: members(A) }, { Members: members(B) }), context);
    expect(state).toEqual(new Map([[A, 'Invited']]));
  });
});

describe('Delete', () => {
  test('disassociates associated members, then deletes every declared member', async () => {
    state.set(A, 'Enabled').set(B, 'Created').set(C, 'Invited');
    await handler(event('Delete', { Members: members(A, B, C) }), context);
    expect(idsOf(DisassociateMembersCommand)).toEqual([[A, C]]);
    expect(idsOf(DeleteMembersCommand)).toEqual([[A, B, C]]);
    expect(state.size).toBe(0);
  });

  test('succeeds without a mutating call when the members are already gone', async () => {
    const result = await handler(event('Delete', { Members: members(A, B) }), context);
    expect(mutatingCalls()).toHaveLength(0);
    expect(result.PhysicalResourceId).toBe('securityhub-members-Admin-MembersFEE56442');
  });

  test('"not a member" from a retried DeleteMembers is success', async () => {
    state.set(A, 'Created');
    once(DeleteMembersCommand, ({ AccountIds }: { AccountIds: string[] }) => {
      AccountIds.forEach((id) => state.delete(id));
      return { UnprocessedAccounts: [{ AccountId: A, ProcessingResult: NOT_MEMBER }] };
    });
    await expect(handler(event('Delete', { Members: members(A) }), context)).resolves.toBeDefined();
  });

  test('a DisassociateMembers error for members that are in fact disassociated is success', async () => {
    state.set(A, 'Enabled');
    once(DisassociateMembersCommand, ({ AccountIds }: { AccountIds: string[] }) => {
      AccountIds.forEach((id) => state.set(id, 'Removed'));
      throw new InternalException({ message: 'Internal error', $metadata: {} });
    });
    await handler(event('Delete', { Members: members(A) }), context);
    expect(state.size).toBe(0);
  });

  test('fails with the reason when an account cannot be removed, after removing the others', async () => {
    state.set(A, 'Created').set(B, 'Enabled');
    // The disassociation of B does not take (another tool re-invited it, say): it is still associated.
    once(DisassociateMembersCommand, () => ({}));
    await expect(handler(event('Delete', { Members: members(A, B) }), context)).rejects.toThrow(
      `Removing members failed for 1 account: ${B} in us-east-1: You must disassociate a member account before you can delete it.`,
    );
    expect(state.has(A)).toBe(false);
    expect(state.get(B)).toBe('Enabled');
  });

  test('a Delete whose properties were once invalid removes only what could have been created', async () => {
    state.set(A, 'Created');
    await handler(event('Delete', { Members: [{ AccountId: A }, { AccountId: 'bad' }] }), context);
    expect(idsOf(DeleteMembersCommand)).toEqual([[A]]);
  });
});

describe('waitForAcceptance', () => {
  const waiting = { Members: members(A, B), WaitForAcceptanceSeconds: '60' };
  const future = () => new Date(Date.now() + 60_000).toISOString();
  const past = () => new Date(Date.now() - 1).toISOString();

  test('Create returns a provisional id, the deadline and which accounts it created', async () => {
    state.set(B, 'Enabled');
    const result = await handler(event('Create', waiting), context);
    expect(result.PhysicalResourceId).toBe('securityhub-members-Admin-MembersFEE56442:awaiting-acceptance');
    expect(Date.parse(result.Data!.WaitDeadline!)).toBeGreaterThan(Date.now());
    expect(decodeCreated([{ accountId: A }, { accountId: B }], result.Data!.WaitCreated!, 1)).toEqual([[A]]);
  });

  test('isComplete is not complete, and returns no Data, while a member is still Invited', async () => {
    state.set(A, 'Enabled').set(B, 'Invited');
    const result = await isComplete({ ...event('Create', waiting), PhysicalResourceId: 'x:awaiting-acceptance', Data: { WaitDeadline: future() } }, context);
    expect(result).toEqual({ IsComplete: false });
  });

  test('isComplete completes with the stable id and fresh counts once every member is Enabled', async () => {
    state.set(A, 'Enabled').set(B, 'Associated');
    const result = await isComplete({ ...event('Create', waiting), PhysicalResourceId: 'securityhub-members-Admin-MembersFEE56442:awaiting-acceptance', Data: { WaitDeadline: future() } }, context);
    expect(result).toEqual({
      IsComplete: true,
      PhysicalResourceId: 'securityhub-members-Admin-MembersFEE56442',
      Data: { MemberCount: '2', EnabledCount: '2', InvitedCount: '0' },
    });
    expect(mutatingCalls()).toHaveLength(0);
  });

  test('past the deadline a Create fails naming the pending members and removes only the ones it created', async () => {
    state.set(A, 'Invited').set(B, 'Invited');
    const created = encodeCreated([{ accountId: A }, { accountId: B }], [new Set([A])]); // A only: B existed before
    await expect(isComplete({ ...event('Create', waiting), PhysicalResourceId: 'x:awaiting-acceptance', Data: { WaitDeadline: past(), WaitCreated: created } }, context))
      .rejects.toThrow(`waited 60 s for every invited member to accept; 2 accounts are still pending: ${A}, ${B} in us-east-1 (Invited). Undone: removed the 1 member`);
    expect(state).toEqual(new Map([[B, 'Invited']]));
  });

  test('past the deadline an Update fails without removing anything: CloudFormation rolls it back', async () => {
    state.set(A, 'Invited').set(B, 'Enabled');
    await expect(isComplete({ ...event('Update', waiting, { Members: members(B) }), Data: { WaitDeadline: past() } }, context))
      .rejects.toThrow(`1 account is still pending: ${A} in us-east-1 (Invited).`);
    expect(mutatingCalls()).toHaveLength(0);
  });

  test('an Update keeps waiting while the stack is updating', async () => {
    state.set(A, 'Invited').set(B, 'Enabled');
    const result = await isComplete({ ...event('Update', waiting, { Members: members(B) }), Data: { WaitDeadline: future() } }, context);
    expect(result).toEqual({ IsComplete: false });
  });

  test('CloudFormation\'s rollback Update completes at once instead of waiting, so the rollback cannot fail on it', async () => {
    wireStack(cfn, () => ({ ...emptyStack(), status: 'UPDATE_ROLLBACK_IN_PROGRESS' }));
    state.set(A, 'Invited').set(B, 'Enabled');
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
    hub.on(GetMembersCommand).rejects(new InternalException({ message: 'Internal error', $metadata: {} }));
    const result = await isComplete({ ...event('Create', waiting), PhysicalResourceId: 'x:awaiting-acceptance', Data: { WaitDeadline: future() } }, context);
    expect(result).toEqual({ IsComplete: false });
  });

  test('a Delete with a physical id this handler never issued removes nothing', async () => {
    state.set(A, 'Enabled');
    const result = await handler({ ...event('Delete', { Members: members(A) }), PhysicalResourceId: 'Members-1A2B3C4D5E6F' }, context);
    expect(result.PhysicalResourceId).toBe('Members-1A2B3C4D5E6F');
    expect(hub.calls()).toHaveLength(0);
  });

  test('a Delete of a Create that timed out has nothing left to do', async () => {
    state.set(A, 'Enabled');
    const result = await handler({ ...event('Delete', waiting), PhysicalResourceId: 'securityhub-members-Admin-MembersFEE56442:awaiting-acceptance' }, context);
    expect(result.PhysicalResourceId).toBe('securityhub-members-Admin-MembersFEE56442:awaiting-acceptance');
    expect(hub.calls()).toHaveLength(0);
  });

  test('isComplete of a Delete, or without waiting, or with invite off, is complete at once', async () => {
    await expect(isComplete(event('Delete', waiting), context)).resolves.toEqual({ IsComplete: true });
    await expect(isComplete(event('Update', { Members: members(A) }, { Members: members(A) }), context)).resolves.toMatchObject({ IsComplete: true });
    await expect(isComplete(event('Update', { ...waiting, Invite: 'false' }, waiting), context)).resolves.toMatchObject({ IsComplete: true });
    expect(hub.calls()).toHaveLength(0);
  });

  test('fails before any call when WaitForAcceptanceSeconds is not a positive number', async () => {
    await expect(handler(event('Create', { Members: members(A), WaitForAcceptanceSeconds: 'soon' }), context))
      .rejects.toThrow('invalid WaitForAcceptanceSeconds "soon": expected a positive number of seconds');
    expect(hub.calls()).toHaveLength(0);
  });
});

describe('the Lambda timeout', () => {
  test('with no time left it starts no change and fails saying why', async () => {
    const late = { ...context, getRemainingTimeInMillis: () => 0 };
    await expect(handler(event('Create', { Members: members(A, B) }), late)).rejects.toThrow('stopped before starting more changes');
    expect(mutatingCalls()).toHaveLength(0);
    expect(state.size).toBe(0);
  });

  test('when the deadline passes midway it stops, and still has the time to undo what it created', async () => {
    const timed = { ...context, getRemainingTimeInMillis: () => 600_000 };
    const now = Date.now();
    once(CreateMembersCommand, ({ AccountDetails }: { AccountDetails: { AccountId: string }[] }) => {
      AccountDetails.forEach(({ AccountId }) => state.set(AccountId, 'Created'));
      // Throttling ate the budget: the clock jumps past the handler's deadline.
      jest.spyOn(Date, 'now').mockReturnValue(now + 590_000);
      return { UnprocessedAccounts: [] };
    });
    try {
      await expect(handler(event('Create', { Members: members(A, B) }), timed)).rejects.toThrow(
        /stopped before starting more changes: less than 120 s were left before the Lambda timeout.*Undone: removed the 2 members/,
      );
    } finally {
      jest.spyOn(Date, 'now').mockRestore();
    }
    expect(hub.commandCalls(InviteMembersCommand)).toHaveLength(0);
    expect(idsOf(DeleteMembersCommand)).toEqual([[A, B]]);
    expect(state.size).toBe(0);
  });
});

describe('logs', () => {
  test('never contain an email address or the ResponseURL', async () => {
    refuseInvite.set(B, 'cannot invite');
    state.set(C, 'Enabled');
    await handler(event('Create', { Members: members(A) }), context);
    await handler(event('Update', { Members: members(A, B) }, { Members: members(A, C) }), context).catch(() => undefined);
    await handler(event('Delete', { Members: members(A) }), context);
    const printed = logs.flatMap((spy) => spy.mock.calls.flat()).join('\n');
    expect(printed).toContain(A);
    expect(printed).not.toMatch(/@example\.com/);
    expect(printed).not.toContain('secret-presigned-url');
  });
});

describe('an empty declaration (rule R9, docs/design.md "Validation")', () => {
  beforeEach(() => {
    process.env.AWS_REGION = 'us-east-1';
    state = new Map([[A, 'Enabled']]);
    refuseInvite = new Map();
    wireHub();
    wireStack(cfn, emptyStack);
    logs = [jest.spyOn(console, 'log').mockImplementation(() => undefined), jest.spyOn(console, 'error').mockImplementation(() => undefined)];
  });

  afterEach(() => logs.forEach((spy) => spy.mockRestore()));

  test.each([
    ['a Create', () => event('Create', { Members: [] })],
    ['an Update', () => event('Update', { Members: [] }, { Members: [{ AccountId: A }] })],
  ])('fails when %s declares Members: [], before any Security Hub call, saying how to remove every member on purpose', async (_, make) => {
    await expect(handler(make(), context)).rejects.toThrow('empty members list: expected at least one member; to remove every member on purpose, remove the SecurityHubMembers construct, or destroy the stack');
    expect(hub.calls()).toHaveLength(0);
    expect(state).toEqual(new Map([[A, 'Enabled']]));
  });

  test('a Delete of a resource declaring Members: [] removes nothing and succeeds', async () => {
    await expect(handler(event('Delete', { Members: [] }), context)).resolves.toEqual({ PhysicalResourceId: 'securityhub-members-Admin-MembersFEE56442' });
    expect(hub.calls()).toHaveLength(0);
    expect(cfn.calls()).toHaveLength(0);
  });
});
