import {
  DeleteMembersCommand,
  GetMembersCommand,
  InternalException,
  InvalidAccessException,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { emptyStack, wireStack } from '../../support/stack-model';
import { timeoutMessage } from '../../../lambda/members/acceptance';
import { handler, isComplete } from '../../../lambda/members';
import type { CustomResourceEvent } from '../../../lambda/shared/cfn';
import { Fake, hubModels } from './hub-model';
import { AccountFailure, MemberOperationError } from '../../../lambda/shared/errors';

/*
 * The limits around the happy path: error messages that must fit a CloudFormation response
 * (under 4,096 bytes, Reason included), and removal from a region whose hub is not enabled.
 * The hub model is the one of handler.test.ts, with regions where Security Hub is off.
 */

const ADMIN = '999999999999';
const A = '111111111111';
const B = '222222222222';
const context = { invokedFunctionArn: `arn:aws:lambda:us-east-1:${ADMIN}:function:members-handler` };
const STACK_ID = 'arn:aws:cloudformation:us-east-1:999999999999:stack/Admin/0f1e2d3c';
const PHYSICAL_ID = 'securityhub-members-Admin-MembersFEE56442';
/** Comfortably under CloudFormation's 4,096-byte response, which also carries ids and Data. */
const MESSAGE_LIMIT = 3_100;

const hub = mockClient(SecurityHubClient);
// The stack declares no other SecurityHubMembers: rule R10 keeps nothing (ownership.test.ts covers it).
const cfn = mockClient(CloudFormationClient);
/** Member status by account id: a minimal model of one administrator's hub (shared by every enabled region). */
let state: Map<string, string>;
/** Accounts InviteMembers reports as unprocessed, with the reason. */
let refuseInvite: Map<string, string>;
/** Regions where Security Hub is not enabled: every call there is refused. */
let disabled: Set<string>;
/** The region of every call, in order, with its command name. */
let calls: { region: string; command: string }[];
let logs: jest.SpyInstance[];

const notSubscribed = () => new InvalidAccessException({ message: `Account ${ADMIN} is not subscribed to AWS Security Hub`, $metadata: { httpStatusCode: 401 } });


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
    hub.on(command as never).callsFake(async (input: unknown, getClient: () => SecurityHubClient) => {
      const region = await getClient().config.region();
      calls.push({ region, command: (command as { name: string }).name });
      if (disabled.has(region)) {
        throw notSubscribed();
      }
      return model(input);
    });
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
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: PHYSICAL_ID }),
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:999999999999:function:framework', ...props },
    ...(old ? { OldResourceProperties: { ServiceToken: 'x', ...old } } : {}),
  };
}

const members = (...ids: string[]) => ids.map((id) => ({ AccountId: id, Email: `security+${id}@example.com` }));
const manyIds = (count: number, from = 100000000000) => Array.from({ length: count }, (_, i) => String(from + i));
const MUTATING = ['CreateMembersCommand', 'InviteMembersCommand', 'DisassociateMembersCommand', 'DeleteMembersCommand'];
const mutatingCalls = () => calls.filter((c) => MUTATING.includes(c.command));
const printed = () => logs.flatMap((spy) => spy.mock.calls.flat()).join('\n');
const logLines = () => printed().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

/** The message `promise` rejects with. */
async function messageOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a failure');
}

// Read once, when the handler makes its client: a failed InviteMembers is retried 3 times, not 10.
process.env.SECURITYHUB_MEMBERS_MAX_ATTEMPTS = '3';

beforeEach(() => {
  process.env.AWS_REGION = 'us-east-1';
  state = new Map();
  refuseInvite = new Map();
  disabled = new Set();
  calls = [];
  wireHub();
  wireStack(cfn, emptyStack);
  logs = [jest.spyOn(console, 'log').mockImplementation(() => undefined), jest.spyOn(console, 'error').mockImplementation(() => undefined)];
});

afterEach(() => {
  logs.forEach((spy) => spy.mockRestore());
});

describe('failure messages fit a CloudFormation response', () => {
  test('1,000 accounts failing for one reason: the count, the first ids, how many more, and where the rest are', async () => {
    const ids = manyIds(1000);
    ids.forEach((id) => refuseInvite.set(id, 'The account could not be invited: the email address is not verified'));
    const message = await messageOf(handler(event('Create', { Members: members(...ids) }), context));
    expect(message.length).toBeLessThan(MESSAGE_LIMIT);
    expect(message).toMatch(new RegExp(`^Adding members failed for 1000 accounts: ${ids[0]}, ${ids[1]}, ${ids[2]}, `));
    const shown = message.match(/\d{12}/g)!.length;
    expect(message).toContain(` and ${1000 - shown} more in us-east-1: The account could not be invited: the email address is not verified. Every account id is in the handler's log. Undone: removed the 1000 members`);
    // The rollback still ran in full: the message is short, not the work.
    expect(state.size).toBe(0);
  });

  test('every failed account id is logged once, ids only', async () => {
    const ids = manyIds(1000);
    ids.forEach((id) => refuseInvite.set(id, 'cannot invite'));
    await messageOf(handler(event('Create', { Members: members(...ids) }), context));
    const failed = logLines().filter((line) => line.message === 'Adding members failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ level: 'ERROR', accounts: 1000, accountIds: ids });
    expect(printed()).not.toMatch(/@example\.com/);
  });

  test('several reasons: every reason appears, each with its first account', () => {
    const reasons = ['Account is suspended', 'The email address is not verified', 'Organization accounts cannot be invited', 'Throttled'];
    const failures: AccountFailure[] = manyIds(1000).map((accountId, i) => ({ accountId, region: i % 2 ? 'eu-west-1' : 'us-east-1', reason: reasons[i % reasons.length] }));
    const message = new MemberOperationError('Removing members', failures).message;
    expect(message.length).toBeLessThan(MESSAGE_LIMIT);
    expect(message).toMatch(/^Removing members failed for 1000 accounts: /);
    failures.slice(0, reasons.length).forEach((f) => {
      expect(message).toMatch(new RegExp(`${f.accountId}(, \\d{12})*( and \\d+ more)? in ${f.region}: ${f.reason}`));
    });
    expect(message).toMatch(/Every account id is in the handler's log\.$/);
  });

  test('more groups than fit are counted, not dropped silently', () => {
    const failures: AccountFailure[] = manyIds(300).map((accountId, i) => ({ accountId, region: 'us-east-1', reason: `reason number ${i} ${'x'.repeat(40)}` }));
    const message = new MemberOperationError('Adding members', failures, 'Undone: removed the 300 members this deployment created; members that existed before were left as they were.').message;
    expect(message.length).toBeLessThan(MESSAGE_LIMIT);
    const listed = message.match(/\d{12}/g)!.length;
    expect(message).toContain(`; and ${300 - listed} more accounts for other reasons or regions. Every account id is in the handler's log. Undone:`);
  });

  test('a rollback that cannot remove 1,000 accounts keeps its sentence short too', async () => {
    const ids = manyIds(1000);
    ids.forEach((id) => refuseInvite.set(id, 'cannot invite'));
    hub.on(DeleteMembersCommand).rejects(new InternalException({ message: 'Internal error', $metadata: {} }));
    const message = await messageOf(handler(event('Create', { Members: members(...ids) }), context));
    expect(message.length).toBeLessThan(MESSAGE_LIMIT);
    expect(message).toMatch(/Undo incomplete: removed 0 members this deployment created, could not remove 100000000000, .* and \d+ more in us-east-1: InternalException: Internal error\. Every account id is in the handler's log\.$/);
  });

  test('a small failure keeps its full list and no pointer to the log', () => {
    const message = new MemberOperationError('Adding members', [
      { accountId: A, region: 'us-east-1', reason: 'cannot invite.' },
      { accountId: B, region: 'us-east-1', reason: 'cannot invite.' },
    ]).message;
    expect(message).toBe(`Adding members failed for 2 accounts: ${A}, ${B} in us-east-1: cannot invite.`);
  });

  test('the timeout of 1,000 pending accounts: the count, the first ids, how many more', async () => {
    const ids = manyIds(1000);
    ids.forEach((id) => state.set(id, 'Invited'));
    const waiting = { Members: members(...ids), WaitForAcceptanceSeconds: '60' };
    const past = new Date(Date.now() - 1).toISOString();
    const message = await messageOf(isComplete({ ...event('Update', waiting, waiting), Data: { WaitDeadline: past } }, context));
    expect(message.length).toBeLessThan(MESSAGE_LIMIT);
    expect(message).toMatch(new RegExp(`^waited 60 s for every invited member to accept; 1000 accounts are still pending: ${ids[0]}, ${ids[1]}, `));
    const shown = message.match(/\d{12}/g)!.length;
    expect(message).toMatch(new RegExp(` and ${1000 - shown} more in us-east-1 \\(Invited\\)\\. Every account id is in the handler's log\\.$`));
    const logged = logLines().filter((line) => line.level === 'ERROR' && line.message === 'waiting for acceptance ran out; still pending');
    expect(logged).toEqual([expect.objectContaining({ accounts: 1000, accountIds: ids })]);
    expect(mutatingCalls()).toHaveLength(0);
  });

  test('a timeout with several statuses names every status', () => {
    const statuses = ['Invited', 'Resigned', 'not a member'];
    const pending = manyIds(1000).map((accountId, i) => ({ accountId, region: 'us-east-1', status: statuses[i % statuses.length] }));
    const message = timeoutMessage(() => undefined, 3600, pending);
    expect(message.length).toBeLessThan(MESSAGE_LIMIT);
    statuses.forEach((status) => expect(message).toContain(`in us-east-1 (${status})`));
  });

  test('a small timeout keeps its exact wording', () => {
    expect(timeoutMessage(() => undefined, 60, [{ accountId: A, region: 'us-east-1', status: 'Invited' }, { accountId: B, region: 'eu-west-1', status: 'Invited' }], 'Undone.'))
      .toBe(`waited 60 s for every invited member to accept; 2 accounts are still pending: ${A} in us-east-1 (Invited); ${B} in eu-west-1 (Invited). Undone.`);
  });
});

describe('removal from a region where Security Hub is not enabled', () => {
  test('a Delete succeeds with no mutating call', async () => {
    disabled.add('us-east-1');
    const result = await handler(event('Delete', { Members: members(A, B) }), context);
    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(calls.map((c) => c.command)).toEqual(['GetMembersCommand']);
    expect(logLines()).toContainEqual(expect.objectContaining({ level: 'WARN', region: 'us-east-1' }));
  });

  test('a Delete across regions removes the members of the enabled ones', async () => {
    disabled.add('eu-west-1');
    state.set(A, 'Enabled');
    await handler(event('Delete', { Members: members(A), Regions: ['us-east-1', 'eu-west-1'] }), context);
    expect(mutatingCalls()).toEqual([
      { region: 'us-east-1', command: 'DisassociateMembersCommand' },
      { region: 'us-east-1', command: 'DeleteMembersCommand' },
    ]);
    expect(state.size).toBe(0);
  });

  test('an Update that drops such a region succeeds and changes only the regions kept', async () => {
    disabled.add('eu-west-1');
    state.set(A, 'Enabled');
    const result = await handler(event('Update', { Members: members(A, B), Regions: ['us-east-1'] }, { Members: members(A), Regions: ['us-east-1', 'eu-west-1'] }), context);
    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(mutatingCalls().every((c) => c.region === 'us-east-1')).toBe(true);
    expect(state).toEqual(new Map([[A, 'Enabled'], [B, 'Invited']]));
  });

  test('a Create there still fails with the error, before any change', async () => {
    disabled.add('us-east-1');
    await expect(handler(event('Create', { Members: members(A) }), context)).rejects.toThrow(
      `Reading the members' statuses in us-east-1 failed, so nothing was changed: InvalidAccessException: Account ${ADMIN} is not subscribed to AWS Security Hub`,
    );
    expect(mutatingCalls()).toHaveLength(0);
  });

  test('an Update adding such a region still fails, and changes nothing elsewhere', async () => {
    disabled.add('eu-west-1');
    await expect(handler(event('Update', { Members: members(A), Regions: ['us-east-1', 'eu-west-1'] }, { Members: members(A), Regions: ['us-east-1'] }), context))
      .rejects.toThrow('Reading the members\' statuses in eu-west-1 failed, so nothing was changed: InvalidAccessException');
    expect(mutatingCalls()).toHaveLength(0);
  });

  test('InvalidAccessException for a missing permission (not "not subscribed") still fails a Delete', async () => {
    hub.on(GetMembersCommand).rejects(new InvalidAccessException({ message: 'User is not authorized to perform securityhub:GetMembers', $metadata: { httpStatusCode: 401 } }));
    await expect(handler(event('Delete', { Members: members(A) }), context)).rejects.toThrow('not authorized');
    expect(hub.commandCalls(DeleteMembersCommand)).toHaveLength(0);
  });

  test('any other read error still fails a Delete', async () => {
    hub.on(GetMembersCommand).rejects(new InternalException({ message: 'Internal error', $metadata: {} }));
    await expect(handler(event('Delete', { Members: members(A) }), context))
      .rejects.toThrow('Reading the members\' statuses in us-east-1 failed, so nothing was changed: InternalException: Internal error');
    expect(hub.commandCalls(DeleteMembersCommand)).toHaveLength(0);
  });
});
