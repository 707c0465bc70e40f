import { KEPT_MEMBER_BEFORE_FAILED_DEPLOY, OUTCOME_KEPT } from '../../../lib/shared/contract';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../lambda/members';
import { addedAt, addedByFailedDeploy, failedDeployStart, keepBeforeDeploy } from '../../../lambda/members/rollback';
import type { CustomResourceEvent } from '../../../lambda/shared/cfn';
import { RegionCall, regionStates, wireRegionHubs } from './hub-model';
import { membersResource, StackModel, wireStack } from '../../support/stack-model';

/*
 * Rule R13 (docs/design.md): while CloudFormation rolls back a failed deploy, a removal removes an
 * account only if that deploy added it, by the member's InvitedAt (UpdatedAt when never invited)
 * against the deploy's start (CreationTime for a first deploy, LastUpdatedTime for an update).
 */

const ADMIN = '999999999999';
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const D = '444444444444';
/** Declared where a rollback drops every other account, since an empty list is refused. */
const E = '555555555555';
const context = { invokedFunctionArn: `arn:aws:lambda:us-east-1:${ADMIN}:function:members-handler` };
const STACK_ID = 'arn:aws:cloudformation:us-east-1:999999999999:stack/Admin/0f1e2d3c';
const SELF = 'MembersFEE56442';

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
  const hub = mockClient(SecurityHubClient);
  const cfn = mockClient(CloudFormationClient);
  let stateOf: (region: string) => Map<string, string>;
  let times: Map<string, { InvitedAt?: Date; UpdatedAt?: Date }>;
  let calls: RegionCall[];
  let stack: StackModel;
  let logs: jest.SpyInstance[];

  const members = (...ids: string[]) => ids.map((id) => ({ AccountId: id }));
  const removed = () => calls.filter((c) => ['DisassociateMembersCommand', 'DeleteMembersCommand'].includes(c.command)).flatMap((c) => c.ids);
  const logLines = () => logs.flatMap((spy) => spy.mock.calls.flat()).join('\n').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  const keptLines = () => logLines().filter((l) => l.outcome === OUTCOME_KEPT && l.reason === KEPT_MEMBER_BEFORE_FAILED_DEPLOY);

  function event(requestType: 'Update' | 'Delete', props: Record<string, unknown>, old?: Record<string, unknown>): CustomResourceEvent {
    const token = 'arn:aws:lambda:us-east-1:999999999999:function:framework';
    return {
      RequestType: requestType,
      RequestId: 'req-1',
      StackId: STACK_ID,
      LogicalResourceId: SELF,
      ResourceType: 'Custom::SecurityHubMembers',
      ResponseURL: 'https://cloudformation-custom-resource-response.example/presigned',
      PhysicalResourceId: `securityhub-members-Admin-${SELF}`,
      ResourceProperties: { ServiceToken: token, ...props },
      ...(old ? { OldResourceProperties: { ServiceToken: token, ...old } } : {}),
    };
  }

  /** A: Enabled long before; B: created and invited by the failed deploy; C: created (never invited) by it; D: no timestamps. */
  function seedFleet(): void {
    stateOf('us-east-1').set(A, 'Enabled').set(B, 'Invited').set(C, 'Created').set(D, 'Enabled');
    times.set(A, { InvitedAt: at('2025-01-01T00:00:00.000Z'), UpdatedAt: AFTER });
    times.set(B, { InvitedAt: AFTER, UpdatedAt: AFTER });
    times.set(C, { UpdatedAt: AFTER });
  }

  beforeEach(() => {
    process.env.AWS_REGION = 'us-east-1';
    stateOf = regionStates();
    times = new Map();
    calls = [];
    stack = { status: 'UPDATE_IN_PROGRESS', parameters: {}, template: { Resources: {} }, creationTime: at('2025-01-01T00:00:00.000Z'), lastUpdatedTime: START };
    wireRegionHubs(hub, (region) => ({ state: stateOf(region), refuseInvite: new Map(), times }), (call) => calls.push(call));
    wireStack(cfn, () => stack);
    logs = [jest.spyOn(console, 'log').mockImplementation(() => undefined), jest.spyOn(console, 'error').mockImplementation(() => undefined)];
  });

  afterEach(() => logs.forEach((spy) => spy.mockRestore()));

  test('a failed first deploy (ROLLBACK_IN_PROGRESS) removes only what it added, by CreationTime, and says what it kept', async () => {
    seedFleet();
    stack = { status: 'ROLLBACK_IN_PROGRESS', parameters: {}, template: { Resources: { [SELF]: membersResource([A, B, C, D]) } }, creationTime: START };
    const result = await handler(event('Delete', { Members: members(A, B, C, D) }), context);
    expect(removed()).toEqual([B, B, C]);
    expect(stateOf('us-east-1')).toEqual(new Map([[A, 'Enabled'], [D, 'Enabled']]));
    expect(result.Data).toEqual({ KeptCount: '2' });
    // The local deploy parses this line: its shape is a contract.
    expect(keptLines()).toEqual([expect.objectContaining({ level: 'INFO', region: 'us-east-1', accountIds: [A, D], stackStatus: 'ROLLBACK_IN_PROGRESS', deployStartedAt: START.toISOString() })]);
    // No read beyond the two it makes for rule R10.
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(1);
    expect(cfn.commandCalls(GetTemplateCommand)).toHaveLength(1);
    expect(calls.filter((c) => c.command === 'GetMembersCommand')).toHaveLength(1);
  });

  test('a rollback Update (UPDATE_ROLLBACK_IN_PROGRESS) keeps the adopted accounts the failed update declared, by LastUpdatedTime', async () => {
    seedFleet();
    stack = { ...stack, status: 'UPDATE_ROLLBACK_IN_PROGRESS' };
    await handler(event('Update', { Members: members(E) }, { Members: members(A, B, C, D) }), context);
    expect(removed()).toEqual([B, B, C]);
    expect(keptLines()).toEqual([expect.objectContaining({ accountIds: [A, D] })]);
  });

  test('a Removed or Resigned account the failed deploy re-invited counts as added', async () => {
    stateOf('us-east-1').set(A, 'Invited');
    times.set(A, { InvitedAt: AFTER, UpdatedAt: AFTER });
    stack = { ...stack, status: 'UPDATE_ROLLBACK_IN_PROGRESS' };
    await handler(event('Update', { Members: members(B) }, { Members: members(A, B) }), context);
    expect(removed()).toEqual([A, A]);
  });

  test.each([
    ['the template rolled back to (without this resource)', { Resources: {} }],
    ['the template that failed (with this resource)', { Resources: { [SELF]: membersResource([A, B, C, D]) } }],
  ])('the rollback cleanup removes the same accounts whatever GetTemplate answers: %s', async (_, template) => {
    seedFleet();
    stack = { ...stack, status: 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', template };
    await handler(event('Delete', { Members: members(A, B, C, D) }), context);
    expect(removed()).toEqual([B, B, C]);
    expect(stateOf('us-east-1')).toEqual(new Map([[A, 'Enabled'], [D, 'Enabled']]));
  });

  test('a sibling of the template still keeps what it declares during a rollback (rule R10 on top)', async () => {
    seedFleet();
    stack = { ...stack, status: 'UPDATE_ROLLBACK_IN_PROGRESS', template: { Resources: { Fleet: membersResource([B]) } } };
    await handler(event('Update', { Members: members(E) }, { Members: members(A, B, C) }), context);
    expect(removed()).toEqual([C]);
  });

  test('an unreadable LastUpdatedTime keeps every account, with a warning', async () => {
    seedFleet();
    stack = { ...stack, status: 'UPDATE_ROLLBACK_IN_PROGRESS', lastUpdatedTime: undefined };
    await handler(event('Update', { Members: members(E) }, { Members: members(A, B, C, D) }), context);
    expect(removed()).toEqual([]);
    expect(logLines()).toContainEqual(expect.objectContaining({ level: 'WARN', message: expect.stringContaining('start time is missing or unreadable') }));
  });

  test.each([
    ['an Update that drops an adopted account (UPDATE_IN_PROGRESS)', 'UPDATE_IN_PROGRESS', () => event('Update', { Members: members(B) }, { Members: members(A, B) }), [A, A]],
    ['a stack deletion (DELETE_IN_PROGRESS)', 'DELETE_IN_PROGRESS', () => event('Delete', { Members: members(A) }), [A, A]],
  ])('deliberate removals are unchanged: %s removes the account whatever its age', async (_, status, make, expected) => {
    seedFleet();
    stack = { ...stack, status };
    await handler(make(), context);
    expect(removed()).toEqual(expected);
    expect(keptLines()).toEqual([]);
  });
});
