import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { PROCESSING_RESULTS } from '../../../local/emulator';
import { emptyStack, wireStack } from '../../support/stack-model';
import { timeoutMessage } from '../../../lambda/members/acceptance';
import { AccountFailure, MemberOperationError } from '../../../lambda/shared/errors';
import { errorAnswer } from '../../support/hub';
import {
  ADMIN,
  CONTEXT as context,
  manyIds,
  membersEvent as event,
  membersHarness,
  MembersHarness,
  PHYSICAL_ID,
  withEmails as members,
} from '../../support/members-events';

/*
 * The limits around the happy path: error messages that must fit a CloudFormation response
 * (under 4,096 bytes, Reason included), and removal from a region whose hub is not enabled.
 */

const A = '111111111111';
const B = '222222222222';
/** Comfortably under CloudFormation's 4,096-byte response, which also carries ids and Data. */
const MESSAGE_LIMIT = 3_100;
/** The emulator's refusal of an invitation, as the handler quotes it (without the final period). */
const UNINVITABLE = PROCESSING_RESULTS.uninvitable.replace(/\.$/, '');

// The stack declares no other SecurityHubMembers: rule R10 keeps nothing (ownership.test.ts covers it).
const cfn = mockClient(CloudFormationClient);
let run: MembersHarness;

const handler: MembersHarness['handler'] = (e, c) => run.handler(e, c);
const isComplete: MembersHarness['isComplete'] = (e, c) => run.isComplete(e, c);
const mutatingCalls = () => run.mutatingCalls().map((c) => ({ region: c.region, operation: c.operation }));
const printed = () => run.printed();
const logLines = () => run.records();

/**
 * A hub where Security Hub is enabled only in `enabled`: every call elsewhere is refused "not
 * subscribed", as the service refuses it.
 */
function enabledOnly(...enabled: string[]): MembersHarness {
  const harness = membersHarness({ faults: { autoEnableHubs: false } });
  enabled.forEach((region) => harness.hub.emulator.store.enableHub(ADMIN, region));
  return harness;
}

/** The message `promise` rejects with. */
async function messageOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a failure');
}

beforeEach(() => {
  run = membersHarness();
  wireStack(cfn, emptyStack);
});

describe('failure messages fit a CloudFormation response', () => {
  test('1,000 accounts failing for one reason: the count, the first ids, how many more, and where the rest are', async () => {
    const ids = manyIds(1000);
    run = membersHarness({ uninvitable: ids });
    const message = await messageOf(handler(event('Create', { Members: members(...ids) }), context));
    expect(message.length).toBeLessThan(MESSAGE_LIMIT);
    expect(message).toMatch(new RegExp(`^Adding members failed for 1000 accounts: ${ids[0]}, ${ids[1]}, ${ids[2]}, `));
    const shown = message.match(/\d{12}/g)!.length;
    expect(message).toContain(` and ${1000 - shown} more in us-east-1: ${UNINVITABLE}. Every account id is in the handler's log. Undone: removed the 1000 members`);
    // The rollback still ran in full: the message is short, not the work.
    expect(run.hub.statuses()).toEqual({});
  });

  test('every failed account id is logged once, ids only', async () => {
    const ids = manyIds(1000);
    run = membersHarness({ uninvitable: ids });
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
    // One attempt per call: every DeleteMembers of the 20 batches fails, without retries' sleeps.
    run = membersHarness({ uninvitable: ids }, { env: { SECURITYHUB_MEMBERS_MAX_ATTEMPTS: '1' } });
    for (let i = 0; i < 20; i++) {
      run.hub.interceptNext('DeleteMembers', async () => errorAnswer(500, 'InternalException', 'Internal error'));
    }
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
    run.hub.seed(Object.fromEntries(ids.map((id) => [id, 'Invited'])));
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
    run = enabledOnly();
    const result = await handler(event('Delete', { Members: members(A, B) }), context);
    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(run.hub.calls().map((c) => [c.operation, c.httpStatus])).toEqual([['GetMembers', 401]]);
    expect(logLines()).toContainEqual(expect.objectContaining({ level: 'WARN', region: 'us-east-1' }));
  });

  test('a Delete across regions removes the members of the enabled ones', async () => {
    run = enabledOnly('us-east-1');
    run.hub.seed({ [A]: 'Enabled' });
    await handler(event('Delete', { Members: members(A), Regions: ['us-east-1', 'eu-west-1'] }), context);
    expect(mutatingCalls()).toEqual([
      { region: 'us-east-1', operation: 'DisassociateMembers' },
      { region: 'us-east-1', operation: 'DeleteMembers' },
    ]);
    expect(run.hub.statuses()).toEqual({});
  });

  test('an Update that drops such a region succeeds and changes only the regions kept', async () => {
    run = enabledOnly('us-east-1');
    run.hub.seed({ [A]: 'Enabled' });
    const result = await handler(event('Update', { Members: members(A, B), Regions: ['us-east-1'] }, { Members: members(A), Regions: ['us-east-1', 'eu-west-1'] }), context);
    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(mutatingCalls().every((c) => c.region === 'us-east-1')).toBe(true);
    expect(run.hub.statuses()).toEqual({ [A]: 'Enabled', [B]: 'Invited' });
  });

  test('a Create there still fails with the error, before any change', async () => {
    run = enabledOnly();
    await expect(handler(event('Create', { Members: members(A) }), context)).rejects.toThrow(
      `Reading the members' statuses in us-east-1 failed, so nothing was changed: InvalidAccessException: Account ${ADMIN} is not subscribed to AWS Security Hub`,
    );
    expect(mutatingCalls()).toHaveLength(0);
  });

  test('an Update adding such a region still fails, and changes nothing elsewhere', async () => {
    run = enabledOnly('us-east-1');
    await expect(handler(event('Update', { Members: members(A), Regions: ['us-east-1', 'eu-west-1'] }, { Members: members(A), Regions: ['us-east-1'] }), context))
      .rejects.toThrow('Reading the members\' statuses in eu-west-1 failed, so nothing was changed: InvalidAccessException');
    expect(mutatingCalls()).toHaveLength(0);
  });

  test('InvalidAccessException for a missing permission (not "not subscribed") still fails a Delete', async () => {
    run.hub.interceptNext('GetMembers', async () => errorAnswer(401, 'InvalidAccessException', 'User is not authorized to perform securityhub:GetMembers'));
    await expect(handler(event('Delete', { Members: members(A) }), context)).rejects.toThrow('not authorized');
    expect(run.hub.calls('DeleteMembers')).toHaveLength(0);
  });

  test('any other read error still fails a Delete', async () => {
    // One attempt: the emulator's one-off error is the read's last.
    run = membersHarness({}, { env: { SECURITYHUB_MEMBERS_MAX_ATTEMPTS: '1' } });
    run.hub.failNext('GetMembers', 'error');
    await expect(handler(event('Delete', { Members: members(A) }), context))
      .rejects.toThrow('Reading the members\' statuses in us-east-1 failed, so nothing was changed: InternalException: Internal error');
    expect(run.hub.calls('DeleteMembers')).toHaveLength(0);
  });
});
