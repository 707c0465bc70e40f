import { KEPT_MEMBER_BEFORE_FAILED_DEPLOY, OUTCOME_KEPT } from '../../../lib/shared/contract';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { addedAt, addedByFailedDeploy, failedDeployStart, keepBeforeDeploy } from '../../../lambda/members/rollback';
import { accounts as members, CONTEXT as context, LOGICAL_ID as SELF, membersEvent as event, membersHarness, MembersHarness } from '../../support/members-events';
import { membersResource, StackModel, wireStack } from '../../support/stack-model';

/*
 * Rule R13 (docs/design.md): while CloudFormation rolls back a failed deploy, a removal removes an
 * account only if that deploy added it, by the member's InvitedAt (UpdatedAt when never invited)
 * against the deploy's start (CreationTime for a first deploy, LastUpdatedTime for an update).
 */

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const D = '444444444444';
/** Declared where a rollback drops every other account, since an empty list is refused. */
const E = '555555555555';

const at = (iso: string) => new Date(iso);
const START = at('2026-12-01T10:00:00.000Z');
const BEFORE = at('2026-12-01T09:59:59.999Z');
const AFTER = at('2026-12-01T10:00:00.001Z');

describe('the pure decision', () => {
  test.each([
    ['invited before the start', { invitedAt: BEFORE, updatedAt: AFTER }, false],
    ['invited at the start exactly', { invitedAt: START }, true],
    ['invited after the start', { invitedAt: AFTER, updatedAt: BEFORE }, true],
    ['never invited, changed before the start', { updatedAt: BEFORE }, false],
    ['never invited, changed after the start (created by the failed deploy)', { updatedAt: AFTER }, true],
    ['no timestamps at all', {}, false],
    ['no record (not read)', undefined, false],
    ['an unreadable InvitedAt, even with a later UpdatedAt', { invitedAt: new Date(NaN), updatedAt: AFTER }, false],
    ['an unreadable UpdatedAt and never invited', { updatedAt: new Date(NaN) }, false],
  ])('%s: added by the failed deploy is %s', (_, member, expected) => {
    expect(addedByFailedDeploy(member, START)).toBe(expected);
  });

  test('an unknown deploy start keeps everything', () => {
    expect(addedByFailedDeploy({ invitedAt: AFTER }, undefined)).toBe(false);
  });

  test('addedAt prefers the invitation to the last change', () => {
    expect(addedAt({ invitedAt: BEFORE, updatedAt: AFTER })).toEqual(BEFORE);
    expect(addedAt({ updatedAt: AFTER })).toEqual(AFTER);
    expect(addedAt(undefined)).toBeUndefined();
  });

  test.each([
    ['ROLLBACK_IN_PROGRESS', { creationTime: START, lastUpdatedTime: AFTER }, START],
    ['UPDATE_ROLLBACK_IN_PROGRESS', { creationTime: BEFORE, lastUpdatedTime: START }, START],
    ['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', { creationTime: BEFORE, lastUpdatedTime: START }, START],
    ['UPDATE_ROLLBACK_IN_PROGRESS', { creationTime: BEFORE }, undefined],
    ['UPDATE_ROLLBACK_IN_PROGRESS', { creationTime: BEFORE, lastUpdatedTime: new Date(NaN) }, undefined],
    ['ROLLBACK_IN_PROGRESS', {}, undefined],
    ['UPDATE_IN_PROGRESS', { creationTime: BEFORE, lastUpdatedTime: START }, undefined],
    ['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', { creationTime: BEFORE, lastUpdatedTime: START }, undefined],
    ['DELETE_IN_PROGRESS', { creationTime: BEFORE, lastUpdatedTime: START }, undefined],
  ])('in %s with %o the failed deploy started at %s', (status, times, expected) => {
    expect(failedDeployStart({ status, ...times })).toEqual(expected);
  });

  test('keepBeforeDeploy takes kept accounts out of both removal lists, per region', () => {
    const plan = (region: string) => ({ region, create: [], invite: [], disassociate: [A, B], delete: [A, B, C], unchanged: [], skipped: [] });
    const east = new Map([[A, { invitedAt: BEFORE }], [B, { invitedAt: AFTER }], [C, { updatedAt: AFTER }]]);
    const west = new Map([[A, { invitedAt: AFTER }], [B, { invitedAt: BEFORE }]]);
    const result = keepBeforeDeploy([plan('us-east-1'), plan('eu-west-1')], [east, west], START);
    expect(result.plans.map((p) => [p.disassociate, p.delete])).toEqual([[[B], [B, C]], [[A], [A]]]);
    expect(result.kept).toEqual([{ region: 'us-east-1', accountIds: [A] }, { region: 'eu-west-1', accountIds: [B, C] }]);
  });
});

describe('the handler during a rollback', () => {
  const cfn = mockClient(CloudFormationClient);
  let run: MembersHarness;
  let stack: StackModel;

  const removed = () => run.hub.calls().filter((c) => ['DisassociateMembers', 'DeleteMembers'].includes(c.operation)).flatMap((c) => c.accountIds);
  const keptLines = () => run.records().filter((l) => l.outcome === OUTCOME_KEPT && l.reason === KEPT_MEMBER_BEFORE_FAILED_DEPLOY);

  /**
   * A: Enabled long before; B: created and invited by the failed deploy; C: created (never invited)
   * by it; D: invited a millisecond before the deploy started, changed after it. The service always
   * answers both timestamps, so a member without them is only a case of the pure decision above.
   */
  function seedFleet(): void {
    run.hub.seed({
      [A]: { status: 'Enabled', invitedAt: '2025-01-01T00:00:00.000Z', updatedAt: AFTER.toISOString() },
      [B]: { status: 'Invited', invitedAt: AFTER.toISOString(), updatedAt: AFTER.toISOString() },
      [C]: { status: 'Created', updatedAt: AFTER.toISOString() },
      [D]: { status: 'Enabled', invitedAt: BEFORE.toISOString(), updatedAt: AFTER.toISOString() },
    });
  }

  beforeEach(() => {
    run = membersHarness();
    stack = { status: 'UPDATE_IN_PROGRESS', parameters: {}, template: { Resources: {} }, creationTime: at('2025-01-01T00:00:00.000Z'), lastUpdatedTime: START };
    wireStack(cfn, () => stack);
  });

  test('a failed first deploy (ROLLBACK_IN_PROGRESS) removes only what it added, by CreationTime, and says what it kept', async () => {
    seedFleet();
    stack = { status: 'ROLLBACK_IN_PROGRESS', parameters: {}, template: { Resources: { [SELF]: membersResource([A, B, C, D]) } }, creationTime: START };
    const result = await run.handler(event('Delete', { Members: members(A, B, C, D) }), context);
    expect(removed()).toEqual([B, B, C]);
    expect(run.hub.statuses()).toEqual({ [A]: 'Enabled', [D]: 'Enabled' });
    expect(result.Data).toEqual({ KeptCount: '2' });
    // The local deploy parses this line: its shape is a contract.
    expect(keptLines()).toEqual([expect.objectContaining({ level: 'INFO', region: 'us-east-1', accountIds: [A, D], stackStatus: 'ROLLBACK_IN_PROGRESS', deployStartedAt: START.toISOString() })]);
    // No read beyond the two it makes for rule R10.
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(1);
    expect(cfn.commandCalls(GetTemplateCommand)).toHaveLength(1);
    expect(run.hub.calls('GetMembers')).toHaveLength(1);
  });

  test('a rollback Update (UPDATE_ROLLBACK_IN_PROGRESS) keeps the adopted accounts the failed update declared, by LastUpdatedTime', async () => {
    seedFleet();
    stack = { ...stack, status: 'UPDATE_ROLLBACK_IN_PROGRESS' };
    await run.handler(event('Update', { Members: members(E) }, { Members: members(A, B, C, D) }), context);
    expect(removed()).toEqual([B, B, C]);
    expect(keptLines()).toEqual([expect.objectContaining({ accountIds: [A, D] })]);
  });

  test('a Removed or Resigned account the failed deploy re-invited counts as added', async () => {
    run.hub.seed({ [A]: { status: 'Invited', invitedAt: AFTER.toISOString(), updatedAt: AFTER.toISOString() } });
    stack = { ...stack, status: 'UPDATE_ROLLBACK_IN_PROGRESS' };
    await run.handler(event('Update', { Members: members(B) }, { Members: members(A, B) }), context);
    expect(removed()).toEqual([A, A]);
  });

  test.each([
    ['the template rolled back to (without this resource)', { Resources: {} }],
    ['the template that failed (with this resource)', { Resources: { [SELF]: membersResource([A, B, C, D]) } }],
  ])('the rollback cleanup removes the same accounts whatever GetTemplate answers: %s', async (_, template) => {
    seedFleet();
    stack = { ...stack, status: 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', template };
    await run.handler(event('Delete', { Members: members(A, B, C, D) }), context);
    expect(removed()).toEqual([B, B, C]);
    expect(run.hub.statuses()).toEqual({ [A]: 'Enabled', [D]: 'Enabled' });
  });

  test('a sibling of the template still keeps what it declares during a rollback (rule R10 on top)', async () => {
    seedFleet();
    stack = { ...stack, status: 'UPDATE_ROLLBACK_IN_PROGRESS', template: { Resources: { Fleet: membersResource([B]) } } };
    await run.handler(event('Update', { Members: members(E) }, { Members: members(A, B, C) }), context);
    expect(removed()).toEqual([C]);
  });

  test('an unreadable LastUpdatedTime keeps every account, with a warning', async () => {
    seedFleet();
    stack = { ...stack, status: 'UPDATE_ROLLBACK_IN_PROGRESS', lastUpdatedTime: undefined };
    await run.handler(event('Update', { Members: members(E) }, { Members: members(A, B, C, D) }), context);
    expect(removed()).toEqual([]);
    expect(run.records()).toContainEqual(expect.objectContaining({ level: 'WARN', message: expect.stringContaining('start time is missing or unreadable') }));
  });

  test.each([
    ['an Update that drops an adopted account (UPDATE_IN_PROGRESS)', 'UPDATE_IN_PROGRESS', () => event('Update', { Members: members(B) }, { Members: members(A, B) }), [A, A]],
    ['a stack deletion (DELETE_IN_PROGRESS)', 'DELETE_IN_PROGRESS', () => event('Delete', { Members: members(A) }), [A, A]],
  ])('deliberate removals are unchanged: %s removes the account whatever its age', async (_, status, make, expected) => {
    seedFleet();
    stack = { ...stack, status };
    await run.handler(make(), context);
    expect(removed()).toEqual(expected);
    expect(keptLines()).toEqual([]);
  });
});
