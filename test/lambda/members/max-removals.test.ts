import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { createHandler } from '../../../lambda/members';
import type { CustomResourceEvent } from '../../../lambda/shared/cfn';
import { hubFixture, HubFixture, SeedMember } from '../../support/hub';
import { membersResource, StackModel, wireStack } from '../../support/stack-model';

/*
 * maxRemovalsPerDeploy (docs/design.md, "Removal limit"): an Update that would disassociate or
 * delete more (account, region) pairs than the new properties allow fails before any change; a
 * rollback and a Delete are never limited.
 */

const ADMIN = '111111111111';
const STACK_ID = `arn:aws:cloudformation:us-east-1:${ADMIN}:stack/Admin/0f1e2d3c`;
const SELF = 'MembersFEE56442';
const SIBLING = 'OtherMembers1234';
const MUTATING = ['CreateMembers', 'InviteMembers', 'DisassociateMembers', 'DeleteMembers'];
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const cfn = mockClient(CloudFormationClient);
let stack: StackModel;

/** Twelve-digit ids 200000000000, 200000000001, ... */
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => String(200000000000 + from + i));
const members = (accountIds: readonly string[]) => accountIds.map((AccountId) => ({ AccountId }));
const enabled = (accountIds: readonly string[]): Record<string, SeedMember> => Object.fromEntries(accountIds.map((id) => [id, 'Enabled']));

function event(requestType: 'Update' | 'Delete', props: Record<string, unknown>, old?: Record<string, unknown>): CustomResourceEvent {
  const token = { ServiceToken: `arn:aws:lambda:us-east-1:${ADMIN}:function:framework` };
  return {
    RequestType: requestType,
    RequestId: 'req-1',
    StackId: STACK_ID,
    LogicalResourceId: SELF,
    ResourceType: 'Custom::SecurityHubMembers',
    ResponseURL: 'https://cloudformation-custom-resource-response.example/secret-presigned-url',
    PhysicalResourceId: `securityhub-members-Admin-${SELF}`,
    ResourceProperties: { ...token, ...props },
    ...(old ? { OldResourceProperties: { ...token, ...old } } : {}),
  };
}

function handlerOf(hub: HubFixture) {
  return createHandler({ requestHandler: hub.requestHandler, credentials: hub.credentials, env: { AWS_REGION: 'us-east-1' }, log: () => undefined }).handler;
}

const mutatingCalls = (hub: HubFixture) => hub.calls().filter((c) => MUTATING.includes(c.operation));
const removedIds = (hub: HubFixture, region = 'us-east-1') => hub.calls('DeleteMembers').filter((c) => c.region === region).flatMap((c) => c.accountIds);

beforeEach(() => {
  stack = { status: 'UPDATE_IN_PROGRESS', parameters: {}, template: { Resources: {} } };
  wireStack(cfn, () => stack);
});

describe('an Update over the limit', () => {
  test('fails before any change, naming the number, the limit, the first accounts and the way out', async () => {
    const all = ids(12);
    const hub = hubFixture({ members: enabled(all) });
    stack.template = { Resources: { [SELF]: membersResource(all.slice(0, 1)) } };

    const update = handlerOf(hub)(event('Update', { Members: members(all.slice(0, 1)) }, { Members: members(all) }));

    await expect(update).rejects.toThrow(/^This update would remove 11 members \(account-region pairs\), more than maxRemovalsPerDeploy 10: 200000000001 \(us-east-1\), 200000000002 \(us-east-1\), 200000000003 \(us-east-1\), 200000000004 \(us-east-1\), 200000000005 \(us-east-1\) and 6 more\. Nothing was changed\. To remove them on purpose, raise maxRemovalsPerDeploy in the same change/);
    expect(mutatingCalls(hub)).toEqual([]);
    expect(Object.values(hub.statuses()).every((s) => s === 'Enabled')).toBe(true);
  });

  test('raising the limit in the same change lets it through', async () => {
    const all = ids(12);
    const hub = hubFixture({ members: enabled(all) });

    await handlerOf(hub)(event('Update', { Members: members(all.slice(0, 1)), MaxRemovalsPerDeploy: '11' }, { Members: members(all) }));

    expect(removedIds(hub).sort()).toEqual(all.slice(1));
  });

  test('the limit of the new properties applies, not the old one', async () => {
    const all = ids(4);
    const hub = hubFixture({ members: enabled(all) });

    await expect(handlerOf(hub)(event('Update', { Members: members(all.slice(0, 1)), MaxRemovalsPerDeploy: '2' }, { Members: members(all), MaxRemovalsPerDeploy: '10' })))
      .rejects.toThrow(/would remove 3 members .*more than maxRemovalsPerDeploy 2/);
    expect(mutatingCalls(hub)).toEqual([]);
  });

  test('0 refuses every removal by Update, and an Update that removes nothing proceeds', async () => {
    const all = ids(2);
    const hub = hubFixture({ members: enabled(all) });
    const handler = handlerOf(hub);

    await expect(handler(event('Update', { Members: members(all.slice(0, 1)), MaxRemovalsPerDeploy: 0 }, { Members: members(all) })))
      .rejects.toThrow(/would remove 1 member \(account-region pairs\), more than maxRemovalsPerDeploy 0: 200000000001 \(us-east-1\)\. Nothing was changed/);
    await handler(event('Update', { Members: members([...all, ...ids(1, 5)]), MaxRemovalsPerDeploy: 0, ReconcileToken: 'b' }, { Members: members(all), ReconcileToken: 'a' }));
    expect(removedIds(hub)).toEqual([]);
    expect(hub.statuses()[ids(1, 5)[0]]).toBe('Invited');
  });

  test('dropping a region counts every member there', async () => {
    const kept = ids(1);
    const west = ids(6, 10);
    const hub = hubFixture({ members: enabled(kept), membersByRegion: { 'eu-west-1': enabled([...kept, ...west]) } });
    const declared = members([...kept, ...west]);

    // Six accounts dropped from us-east-1 are not members there, so they do not count; in eu-west-1
    // the seven members of the dropped region all count.
    await expect(handlerOf(hub)(event('Update', { Members: members(kept), Regions: ['us-east-1'], MaxRemovalsPerDeploy: '6' }, { Members: declared, Regions: ['us-east-1', 'eu-west-1'] })))
      .rejects.toThrow(/would remove 7 members .*more than maxRemovalsPerDeploy 6: 200000000000 \(eu-west-1\)/);
    expect(mutatingCalls(hub)).toEqual([]);
  });

  test('accounts another resource declares (rule R10) and non-members do not count', async () => {
    const mine = ids(1);
    const moved = ids(5, 10);
    const gone = ids(5, 20);
    const neverMembers = ids(20, 40);
    const hub = hubFixture({ members: enabled([...mine, ...moved, ...gone]) });
    stack.template = { Resources: { [SELF]: membersResource(mine), [SIBLING]: membersResource(moved) } };

    await handlerOf(hub)(event('Update', { Members: members(mine), MaxRemovalsPerDeploy: '5' }, { Members: members([...mine, ...moved, ...gone, ...neverMembers]) }));

    expect(removedIds(hub).sort()).toEqual(gone);
    expect(Object.keys(hub.statuses()).sort()).toEqual([...mine, ...moved].sort());
  });
});

describe('never limited', () => {
  test('a rollback Update over the limit proceeds (rule R13 decides what goes)', async () => {
    const before = ids(1);
    const added = ids(12, 10);
    const start = new Date('2026-12-01T10:00:00.000Z');
    const hub = hubFixture({
      members: {
        ...Object.fromEntries(before.map((id) => [id, { status: 'Enabled', invitedAt: '2026-11-01T00:00:00.000Z' }])),
        ...Object.fromEntries(added.map((id) => [id, { status: 'Invited', invitedAt: '2026-12-01T10:00:05.000Z' }])),
      } as Record<string, SeedMember>,
    });
    stack = { status: 'UPDATE_ROLLBACK_IN_PROGRESS', parameters: {}, template: { Resources: {} }, creationTime: new Date(0), lastUpdatedTime: start };

    await handlerOf(hub)(event('Update', { Members: members(before), MaxRemovalsPerDeploy: '0' }, { Members: members([...before, ...added]) }));

    expect(removedIds(hub).sort()).toEqual(added);
  });

  test('a Delete over the limit proceeds', async () => {
    const all = ids(15);
    const hub = hubFixture({ members: enabled(all) });
    stack.status = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';

    await handlerOf(hub)(event('Delete', { Members: members(all), MaxRemovalsPerDeploy: '1' }));

    expect(removedIds(hub).sort()).toEqual(all);
  });
});

test('an invalid limit is refused with the declaration, before any call', async () => {
  const hub = hubFixture({ members: enabled(ids(2)) });

  await expect(handlerOf(hub)(event('Update', { Members: members(ids(1)), MaxRemovalsPerDeploy: '2.5' }, { Members: members(ids(2)) })))
    .rejects.toThrow(/invalid MaxRemovalsPerDeploy "2.5": expected a whole number/);
  expect(hub.calls()).toEqual([]);
});
