/**
 * Mixed fleets (docs/design.md, "Organization accounts"): organization accounts, which CreateMembers enables without
 * an invitation and which InviteMembers and DeleteMembers refuse, declared next to invited ones.
 */
import {
  CreateMembersCommand,
  DeleteMembersCommand,
  DisassociateMembersCommand,
  InviteMembersCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, isComplete } from '../../../lambda/members';
import type { CustomResourceEvent } from '../../../lambda/shared/cfn';
import { hubModels, ORGANIZATION_DELETE } from './hub-model';
import { emptyStack, wireStack } from './stack-model';

const ADMIN = '999999999999';
const ORG = '111111111111';
const OUTSIDE = '222222222222';
const context = { invokedFunctionArn: `arn:aws:lambda:us-east-1:${ADMIN}:function:members-handler` };
const PHYSICAL_ID = 'securityhub-members-Admin-MembersFEE56442';

const hub = mockClient(SecurityHubClient);
// The stack declares no other SecurityHubMembers: rule R10 keeps nothing (across-deploys.test.ts covers it).
const cfn = mockClient(CloudFormationClient);
let state: Map<string, string>;
let refuseInvite: Map<string, string>;
let organization: Set<string>;
let printed: jest.SpyInstance[];

function event(requestType: 'Create' | 'Update' | 'Delete', props: Record<string, unknown>, old?: Record<string, unknown>): CustomResourceEvent {
  return {
    RequestType: requestType,
    RequestId: 'req-1',
    StackId: 'arn:aws:cloudformation:us-east-1:999999999999:stack/Admin/0f1e2d3c',
    LogicalResourceId: 'MembersFEE56442',
    ResourceType: 'Custom::SecurityHubMembers',
    ResponseURL: 'https://example.invalid/response',
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: PHYSICAL_ID }),
    ResourceProperties: { ServiceToken: 'x', ...props },
    ...(old ? { OldResourceProperties: { ServiceToken: 'x', ...old } } : {}),
  };
}

const members = (...ids: string[]) => ids.map((id) => ({ AccountId: id }));
const idsOf = (command: unknown) => hub.commandCalls(command as never).map((call) => {
  const input = call.args[0].input as { AccountIds?: string[]; AccountDetails?: { AccountId: string }[] };
  return input.AccountIds ?? input.AccountDetails!.map((d) => d.AccountId);
});
const logLines = (): Record<string, unknown>[] => printed.flatMap((spy) => spy.mock.calls.map((call) => JSON.parse(String(call[0]))));

process.env.SECURITYHUB_MEMBERS_MAX_ATTEMPTS = '3';

beforeEach(() => {
  process.env.AWS_REGION = 'us-east-1';
  state = new Map();
  refuseInvite = new Map();
  organization = new Set([ORG]);
  hub.reset();
  hub.onAnyCommand().rejects(new Error('unexpected command'));
  for (const [command, model] of hubModels(() => ({ state, refuseInvite, organization }))) {
    hub.on(command as never).callsFake(model);
  }
  wireStack(cfn, emptyStack);
  printed = [jest.spyOn(console, 'log').mockImplementation(() => undefined), jest.spyOn(console, 'error').mockImplementation(() => undefined)];
});

afterEach(() => {
  printed.forEach((spy) => spy.mockRestore());
});

describe('InviteMembers refusals are checked by a re-read', () => {
  test('an organization account, Enabled by CreateMembers, whose invitation is refused: the event succeeds', async () => {
    const result = await handler(event('Create', { Members: members(ORG, OUTSIDE) }), context);
    expect(idsOf(InviteMembersCommand)).toEqual([[ORG, OUTSIDE]]);
    expect(state).toEqual(new Map([[ORG, 'Enabled'], [OUTSIDE, 'Invited']]));
    expect(result.Data).toEqual({ MemberCount: '2', EnabledCount: '1', InvitedCount: '1' });
    expect(hub.commandCalls(DeleteMembersCommand)).toHaveLength(0);
  });

  test('an account another tool invited between the read and InviteMembers is done, whatever the text', async () => {
    organization.clear();
    state.set(OUTSIDE, 'Created');
    hub.on(InviteMembersCommand).callsFakeOnce(() => {
      state.set(OUTSIDE, 'Invited');
      return { UnprocessedAccounts: [{ AccountId: OUTSIDE, ProcessingResult: 'Some text the handler does not know' }] };
    });
    await expect(handler(event('Create', { Members: members(OUTSIDE) }), context)).resolves.toMatchObject({ Data: { InvitedCount: '1' } });
    expect(state.get(OUTSIDE)).toBe('Invited');
  });

  test('an account the re-read shows Created: the event fails naming the account and the reason, and rolls back', async () => {
    refuseInvite.set(OUTSIDE, 'The account could not be invited: the email address is not verified.');
    await expect(handler(event('Create', { Members: members(ORG, OUTSIDE) }), context)).rejects.toThrow(
      `Adding members failed for 1 account: ${OUTSIDE} in us-east-1: The account could not be invited: the email address is not verified. Undone: removed the 2 members`,
    );
    // The organization account this Create added is disassociated; the service keeps it as Removed.
    expect(state).toEqual(new Map([[ORG, 'Removed']]));
    expect(idsOf(DisassociateMembersCommand)).toEqual([[ORG]]);
  });
});

describe('re-adding', () => {
  test('a Removed organization account that InviteMembers refuses is re-added with CreateMembers, then read again', async () => {
    state.set(ORG, 'Removed');
    const result = await handler(event('Update', { Members: members(ORG, OUTSIDE) }, { Members: members(OUTSIDE) }), context);
    expect(idsOf(InviteMembersCommand)).toEqual([[ORG, OUTSIDE]]);
    expect(idsOf(CreateMembersCommand)).toEqual([[OUTSIDE], [ORG]]);
    expect(state).toEqual(new Map([[ORG, 'Enabled'], [OUTSIDE, 'Invited']]));
    expect(result.Data).toEqual({ MemberCount: '2', EnabledCount: '1', InvitedCount: '1' });
  });

  test('a Removed account that stays Removed after the CreateMembers fails with the invitation\'s reason', async () => {
    organization.clear();
    state.set(OUTSIDE, 'Removed');
    refuseInvite.set(OUTSIDE, 'cannot invite');
    await expect(handler(event('Create', { Members: members(OUTSIDE) }), context)).rejects.toThrow(
      `Adding members failed for 1 account: ${OUTSIDE} in us-east-1: cannot invite.`,
    );
    expect(idsOf(CreateMembersCommand)).toEqual([[OUTSIDE]]);
    // It existed before the event: the rollback leaves it alone.
    expect(state.get(OUTSIDE)).toBe('Removed');
  });
});

describe('removal', () => {
  test('Delete: DeleteMembers refuses the disassociated organization account, the Delete succeeds and the log names it', async () => {
    state.set(ORG, 'Enabled').set(OUTSIDE, 'Enabled');
    await expect(handler(event('Delete', { Members: members(ORG, OUTSIDE) }), context)).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(idsOf(DisassociateMembersCommand)).toEqual([[ORG, OUTSIDE]]);
    expect(idsOf(DeleteMembersCommand)).toEqual([[ORG, OUTSIDE]]);
    expect(state).toEqual(new Map([[ORG, 'Removed']]));
    expect(logLines()).toContainEqual(expect.objectContaining({
      level: 'WARN', region: 'us-east-1', reason: ORGANIZATION_DELETE, accountIds: [ORG],
      message: expect.stringContaining('count as removed'),
    }));
  });

  test('Delete again, with the organization account already Removed: still succeeds', async () => {
    state.set(ORG, 'Removed');
    await expect(handler(event('Delete', { Members: members(ORG) }), context)).resolves.toBeDefined();
    expect(hub.commandCalls(DisassociateMembersCommand)).toHaveLength(0);
    expect(idsOf(DeleteMembersCommand)).toEqual([[ORG]]);
  });

  test('Delete: DeleteMembers refuses an organization account that is still associated: the Delete fails', async () => {
    state.set(ORG, 'Enabled');
    hub.on(DisassociateMembersCommand).callsFakeOnce(() => ({}));
    await expect(handler(event('Delete', { Members: members(ORG) }), context)).rejects.toThrow(
      `Removing members failed for 1 account: ${ORG} in us-east-1: ${ORGANIZATION_DELETE.replace(/\.$/, '')}.`,
    );
  });

  test('Update: dropping an organization account disassociates it and succeeds', async () => {
    state.set(ORG, 'Enabled').set(OUTSIDE, 'Invited');
    await handler(event('Update', { Members: members(OUTSIDE) }, { Members: members(ORG, OUTSIDE) }), context);
    expect(state).toEqual(new Map([[ORG, 'Removed'], [OUTSIDE, 'Invited']]));
    expect(idsOf(DeleteMembersCommand)).toEqual([[ORG]]);
  });
});

describe('waitForAcceptance with a mixed fleet', () => {
  const waiting = { Members: members(ORG, OUTSIDE), WaitForAcceptanceSeconds: '60' };
  const future = () => new Date(Date.now() + 60_000).toISOString();

  test('counts the organization account as accepted and completes once the invited account accepts', async () => {
    const created = await handler(event('Create', waiting), context);
    const poll = () => isComplete({ ...event('Create', waiting), PhysicalResourceId: created.PhysicalResourceId, Data: { WaitDeadline: future() } }, context);
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    state.set(OUTSIDE, 'Enabled');
    await expect(poll()).resolves.toEqual({
      IsComplete: true,
      PhysicalResourceId: PHYSICAL_ID,
      Data: { MemberCount: '2', EnabledCount: '2', InvitedCount: '0' },
    });
  });
});
