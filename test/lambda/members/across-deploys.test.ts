import { KEPT_DECLARED_BY_ANOTHER_RESOURCE, OUTCOME_KEPT } from '../../../lib/shared/contract';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { siblingClaims } from '../../../lambda/members/ownership';
import type { CustomResourceEvent } from '../../../lambda/shared/cfn';
import { accounts as members, ADMIN, CONTEXT as context, LOGICAL_ID as SELF, membersEvent, membersHarness, MembersHarness } from '../../support/members-events';
import { membersResource, StackModel, wireStack } from '../../support/stack-model';

/*
 * Safe across deployments (rule R10, docs/design.md, and reconcileOnEveryDeploy's Updates): a removal
 * keeps every account another Custom::SecurityHubMembers of the stack's current template declares
 * for that region, unless the stack itself is being deleted.
 */

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
/** An account no test sets up: declared where a test drops every other account, since an empty list is refused. */
const E = '555555555555';

const cfn = mockClient(CloudFormationClient);
let stack: StackModel;
let run: MembersHarness;

const event = (requestType: 'Update' | 'Delete', props: Record<string, unknown>, old?: Record<string, unknown>): CustomResourceEvent => membersEvent(requestType, props, old);
const handler = (e: CustomResourceEvent, c: typeof context) => run.handler(e, c);
const removed = (region = 'us-east-1') => run.hub.calls().filter((c) => c.region === region && ['DisassociateMembers', 'DeleteMembers'].includes(c.operation)).flatMap((c) => c.accountIds);
const mutating = () => run.mutatingCalls();
const logLines = () => run.records();
const keptLines = () => logLines().filter((l) => l.outcome === OUTCOME_KEPT && l.reason === KEPT_DECLARED_BY_ANOTHER_RESOURCE);
const cfnCalls = () => cfn.commandCalls(DescribeStacksCommand).length + cfn.commandCalls(GetTemplateCommand).length;

/** A template with this resource (declaring `own`) and the given others. */
function template(own: readonly string[] | undefined, others: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown {
  return { ...extra, Resources: { ...(own ? { [SELF]: membersResource(own) } : {}), ...others } };
}

beforeEach(() => {
  run = membersHarness();
  stack = { status: 'UPDATE_IN_PROGRESS', parameters: {}, template: { Resources: {} } };
  wireStack(cfn, () => stack);
});

describe('an account another resource declares is kept', () => {
  test('moved to a sibling in one deploy: the Update dropping it keeps it, logs why, and removes the rest', async () => {
    run.hub.seed({ [A]: 'Enabled', [B]: 'Enabled', [C]: 'Enabled' }, 'us-east-1');
    stack.template = template([C], { Fleet1A2B3C4D: membersResource([A]) });
    const result = await handler(event('Update', { Members: members(C) }, { Members: members(A, B, C) }), context);
    expect(removed()).toEqual([B, B]); // disassociated, then deleted
    expect(run.hub.statuses('us-east-1')[A]).toBe('Enabled');
    expect(result.Data?.KeptCount).toBe('1');
    // The local deploy parses this line: its shape is a contract.
    expect(keptLines()).toEqual([expect.objectContaining({
      level: 'INFO',
      outcome: OUTCOME_KEPT,
      reason: KEPT_DECLARED_BY_ANOTHER_RESOURCE,
      region: 'us-east-1',
      accountIds: [A],
      declaredBy: ['Fleet1A2B3C4D'],
      detail: expect.stringContaining('Fleet1A2B3C4D'),
    })]);
  });

  test('renamed: the old resource\'s Delete in the cleanup phase removes nothing the new one declares', async () => {
    run.hub.seed({ [A]: 'Enabled', [B]: 'Invited' }, 'us-east-1');
    stack = { status: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', parameters: {}, template: template(undefined, { Fleet1A2B3C4D: membersResource([A, B]) }) };
    const result = await handler(event('Delete', { Members: members(A, B) }), context);
    expect(mutating()).toEqual([]);
    expect(result.Data?.KeptCount).toBe('2');
    expect(keptLines()).toEqual([expect.objectContaining({ accountIds: [A, B], declaredBy: ['Fleet1A2B3C4D'] })]);
  });

  test('replaced (same logical id) in an update\'s cleanup phase: the template\'s resource of that id is the replacement, so its accounts are kept', async () => {
    run.hub.seed({ [A]: 'Enabled', [B]: 'Enabled' }, 'us-east-1');
    stack = { status: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', parameters: {}, template: template([A], {}) };
    await handler(event('Delete', { Members: members(A, B) }), context);
    expect(removed()).toEqual([B, B]);
    expect(keptLines()).toEqual([expect.objectContaining({ accountIds: [A], declaredBy: [SELF] })]);
  });

  test('outside a cleanup phase the template\'s resource of the same logical id is this one: it keeps nothing', async () => {
    run.hub.seed({ [A]: 'Enabled' }, 'us-east-1');
    stack = { status: 'UPDATE_IN_PROGRESS', parameters: {}, template: template([A], {}) };
    await handler(event('Update', { Members: members(E) }, { Members: members(A) }), context);
    expect(removed()).toEqual([A, A]);
    expect(keptLines()).toEqual([]);
  });

  test('only in the regions the sibling declares: no Regions, or Ref AWS::Region, is the stack\'s region', async () => {
    for (const region of ['us-east-1', 'eu-west-1']) {
      run.hub.seed({ [A]: 'Enabled', [B]: 'Enabled' }, region);
    }
    stack.template = template([], {
      Implicit: membersResource([A]),
      ByRef: membersResource([B], { Regions: [{ Ref: 'AWS::Region' }] }),
    });
    await handler(event('Update', { Members: members(E), Regions: ['us-east-1', 'eu-west-1'] }, { Members: members(A, B), Regions: ['us-east-1', 'eu-west-1'] }), context);
    expect(removed('us-east-1')).toEqual([]);
    expect(removed('eu-west-1').sort()).toEqual([A, A, B, B]);
    expect(keptLines()).toEqual([expect.objectContaining({ region: 'us-east-1', accountIds: [A, B], declaredBy: ['Implicit', 'ByRef'] })]);
    // Ref AWS::Region is literal enough: no warning.
    expect(logLines().filter((l) => l.level === 'WARN')).toEqual([]);
  });
});

describe('siblings that are not literal', () => {
  test('members from an intrinsic: every account in its regions is kept, with a warning naming it', async () => {
    run.hub.seed({ [A]: 'Enabled', [B]: 'Enabled' }, 'us-east-1');
    run.hub.seed({ [A]: 'Enabled' }, 'eu-west-1');
    stack.template = template([], { Imported: membersResource([], { Members: { 'Fn::Split': [',', { 'Fn::ImportValue': 'fleet' }] } }) });
    await handler(event('Update', { Members: members(E), Regions: ['us-east-1', 'eu-west-1'] }, { Members: members(A, B), Regions: ['us-east-1', 'eu-west-1'] }), context);
    expect(removed('us-east-1')).toEqual([]);
    expect(removed('eu-west-1')).toEqual([A, A]);
    expect(logLines()).toContainEqual(expect.objectContaining({ level: 'WARN', logicalId: 'Imported', nonLiteral: ['Fn::Split', 'Fn::ImportValue'], accounts: 'any' }));
  });

  test('an account id from an unknown intrinsic keeps every account', async () => {
    run.hub.seed({ [A]: 'Enabled' }, 'us-east-1');
    stack.template = template([], { Other: membersResource([{ 'Fn::GetAtt': ['Lookup', 'AccountId'] }]) });
    await handler(event('Delete', { Members: members(A) }), context);
    expect(mutating()).toEqual([]);
  });

  test('a sibling with a Condition keeps what it would declare, with a warning, and nothing else', async () => {
    run.hub.seed({ [A]: 'Enabled', [B]: 'Enabled' }, 'us-east-1');
    stack.template = template([], { Maybe: membersResource([A], {}, { Condition: 'InProd' }) });
    await handler(event('Delete', { Members: members(A, B) }), context);
    expect(removed()).toEqual([B, B]);
    expect(logLines()).toContainEqual(expect.objectContaining({ level: 'WARN', logicalId: 'Maybe', nonLiteral: ['Condition InProd'] }));
  });

  test('narrowed exactly: a Ref to a parameter is its value, a list parameter its items, Fn::If both branches', async () => {
    for (const region of ['us-east-1', 'eu-west-1', 'ap-south-1']) {
      run.hub.seed({ [A]: 'Enabled', [B]: 'Enabled', [C]: 'Enabled' }, region);
    }
    stack.parameters = { FleetAccount: A, FleetRegions: 'us-east-1, eu-west-1' };
    stack.template = template([], {
      FromParameter: membersResource([{ Ref: 'FleetAccount' }], { Regions: { Ref: 'FleetRegions' } }),
      Either: membersResource([{ 'Fn::If': ['InProd', B, { Ref: 'AWS::NoValue' }] }], { Regions: { 'Fn::If': ['InProd', ['ap-south-1'], { Ref: 'AWS::NoValue' }] } }),
    }, { Parameters: { FleetAccount: { Type: 'String' }, FleetRegions: { Type: 'CommaDelimitedList' } } });
    const regions = ['us-east-1', 'eu-west-1', 'ap-south-1'];
    await handler(event('Update', { Members: members(E), Regions: regions }, { Members: members(A, B, C), Regions: regions }), context);
    // A is kept where the parameter says; B where either branch puts it (ap-south-1, or the stack's region).
    expect(removed('us-east-1').sort()).toEqual([C, C]);
    expect(removed('eu-west-1').sort()).toEqual([B, B, C, C]);
    expect(removed('ap-south-1').sort()).toEqual([A, A, C, C]);
    expect(keptLines()).toContainEqual(expect.objectContaining({ region: 'us-east-1', accountIds: [A, B], declaredBy: ['FromParameter', 'Either'] }));
  });
});

describe('the whole stack going away', () => {
  test('in DELETE_IN_PROGRESS a Delete removes every account, siblings\' included, whatever its age', async () => {
    run.hub.seed({ [A]: 'Enabled', [B]: 'Created' }, 'us-east-1');
    stack = { status: 'DELETE_IN_PROGRESS', parameters: {}, template: template([A, B], { Fleet: membersResource([A, B]) }) };
    await handler(event('Delete', { Members: members(A, B) }), context);
    expect(removed()).toEqual([A, A, B]);
    expect(keptLines()).toEqual([]);
  });
});

describe('reading the stack', () => {
  test('a refused read fails the event naming the cause, and nothing is changed, additions included', async () => {
    run.hub.seed({ [A]: 'Enabled' }, 'us-east-1');
    cfn.on(GetTemplateCommand).rejects(Object.assign(new Error('User: arn:aws:sts::999999999999:assumed-role/handler is not authorized to perform: cloudformation:GetTemplate'), { name: 'AccessDenied' }));
    await expect(handler(event('Update', { Members: members(B) }, { Members: members(A) }), context))
      .rejects.toThrow(/reading it failed, so nothing was changed: StackReadError: could not read stack arn:aws:cloudformation:us-east-1:999999999999:stack\/Admin\/0f1e2d3c \(DescribeStacks, GetTemplate\): AccessDenied: User: .* cloudformation:GetTemplate/);
    expect(mutating()).toEqual([]);
    expect(run.hub.statuses('us-east-1')[A]).toBe('Enabled');
  });

  test('a template that is not JSON fails clearly, removing nothing', async () => {
    run.hub.seed({ [A]: 'Enabled' }, 'us-east-1');
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: 'Resources:\n  Fleet:\n    Type: Custom::SecurityHubMembers\n' });
    await expect(handler(event('Delete', { Members: members(A) }), context)).rejects.toThrow('the stack\'s template is not JSON');
    expect(mutating()).toEqual([]);
  });

  test.each([
    ['an Update that only adds', () => event('Update', { Members: members(A, B) }, { Members: members(A) })],
    ['a Delete whose members are already gone', () => event('Delete', { Members: members(B, C) })],
    ['an Update dropping an account that is not a member', () => event('Update', { Members: members(A) }, { Members: members(A, C) })],
  ])('%s removes nothing and makes no CloudFormation call', async (_, make) => {
    run.hub.seed({ [A]: 'Enabled' }, 'us-east-1');
    await handler(make(), context);
    expect(removed()).toEqual([]);
    expect(cfnCalls()).toBe(0);
  });
});

describe('an Update with an unchanged declaration (reconcileOnEveryDeploy)', () => {
  test('heals by the status table, ignores ReconcileToken, removes nothing and reads no stack', async () => {
    run.hub.seed({ [B]: 'Resigned', [C]: 'Enabled' }, 'us-east-1'); // A was deleted outside CloudFormation
    const declaration = { Members: members(A, B, C), Invite: 'true', Regions: ['us-east-1'] };
    const result = await handler(event('Update', { ...declaration, ReconcileToken: '2026-11-29T23:00:00.000Z' }, { ...declaration, ReconcileToken: '2026-11-28T09:00:00.000Z' }), context);
    expect(run.idsOf('CreateMembers').flat()).toEqual([A]);
    expect(run.idsOf('InviteMembers').flat()).toEqual([A, B]);
    expect(removed()).toEqual([]);
    expect(cfnCalls()).toBe(0);
    expect(run.hub.statuses('us-east-1')).toEqual({ [A]: 'Invited', [B]: 'Invited', [C]: 'Enabled' });
    expect(result.Data).toEqual({ MemberCount: '3', EnabledCount: '1', InvitedCount: '2' });
  });
});

describe('siblingClaims', () => {
  const ctx = { region: 'us-east-1', account: ADMIN, parameters: new Map([['Secret', '****']]) };

  test('a NoEcho parameter, masked by DescribeStacks, may be any account', () => {
    const claims = siblingClaims({ Resources: { S: membersResource([{ Ref: 'Secret' }]) } }, ctx, SELF, false);
    expect(claims).toEqual([{ logicalId: 'S', accounts: 'any', regions: new Set(['us-east-1']), nonLiteral: ['Ref Secret'] }]);
  });

  test('other resource types, and this resource, are no siblings', () => {
    const claims = siblingClaims({ Resources: { [SELF]: membersResource([A]), Accept: { Type: 'Custom::SecurityHubInvitationAccepter', Properties: { Members: members(B) } } } }, ctx, SELF, false);
    expect(claims).toEqual([]);
  });

  test('a number is the string CloudFormation hands the sibling\'s handler', () => {
    const claims = siblingClaims({ Resources: { S: membersResource([111111111111]) } }, ctx, SELF, false);
    expect(claims[0].accounts).toEqual(new Set([A]));
  });

  test('literal members and regions are read exactly', () => {
    const claims = siblingClaims({ Resources: { S: membersResource([A, B], { Regions: ['eu-west-1', { Ref: 'AWS::Region' }] }) } }, ctx, SELF, false);
    expect(claims).toEqual([{ logicalId: 'S', accounts: new Set([A, B]), regions: new Set(['eu-west-1', 'us-east-1']), nonLiteral: [] }]);
  });
});
