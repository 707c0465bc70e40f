/**
 * The deploys people make when they refactor a CDK app, through the local deploy of an app's
 * cloud assembly in CloudFormation's order (rule R10, docs/design.md): renames, moves between resources,
 * removals, a stack deletion and a failed update whose rollback deletes a resource it created.
 */
import type { CallRecord } from '../../local/emulator';
import { describeEvent, resourceName } from '../../local/deploy/report';
import type { EventReport } from '../../local/deploy/cloudformation';
import { ADMIN, LocalCloud, localCloud, NamedDeclaration, REGION, synthesizeResources } from './harness';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const UNDECLARED = '444444444444';

function declare(id: string, ...accountIds: string[]): NamedDeclaration {
  return { id, members: accountIds.map((accountId) => ({ accountId })) };
}

/** Every DisassociateMembers or DeleteMembers call that named one of `accountIds`. */
function removals(cloud: LocalCloud, accountIds: readonly string[]): CallRecord[] {
  return cloud.emulator.calls.entries()
    .filter((c) => (c.operation === 'DisassociateMembers' || c.operation === 'DeleteMembers') && (c.accountIds ?? []).some((id) => accountIds.includes(id)));
}

function steps(events: readonly EventReport[]): [string, string, string | undefined, boolean][] {
  return events.map((e) => [e.action, resourceName(e.path), e.phase, e.ok]);
}

describe('refactoring an app never removes a member that is still declared', () => {
  let cloud: LocalCloud;
  afterEach(() => cloud?.close());

  test('renaming the construct: the new resource is created, the old one deleted in the cleanup phase, and every member kept', async () => {
    cloud = await localCloud();
    expect((await cloud.cfn.deploy(synthesizeResources([declare('Members', A, B)]))).ok).toBe(true);
    // An accepted member would be disassociated by a removal: the worst case to lose.
    cloud.emulator.store.seedMember(ADMIN, REGION, { accountId: A, status: 'Enabled' });
    cloud.emulator.calls.reset();

    const renamed = await cloud.cfn.deploy(synthesizeResources([declare('Fleet', A, B)]));

    expect(steps(renamed.events)).toEqual([
      ['Create', 'Fleet', 'UPDATE_IN_PROGRESS', true],
      ['Delete', 'Members', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', true],
    ]);
    expect(cloud.members()).toEqual({ [A]: 'Enabled', [B]: 'Invited' });
    expect(removals(cloud, [A, B])).toEqual([]);
    expect(renamed.events[1].kept).toEqual([{ region: REGION, accountIds: [A, B], declaredBy: ['Fleet'] }]);
    expect(describeEvent(renamed.events[1], [], {})).toContainEqual(
      expect.stringMatching(new RegExp(`^ {4}kept \\(declared by Fleet\\) +${A}, ${B}  \\[${REGION}, administrator ${ADMIN}\\]$`)));
    // Only the Delete, which had something to remove, read the stack.
    expect(cloud.cfn.cloudFormationCalls.map((c) => c.action).sort()).toEqual(['DescribeStacks', 'GetTemplate']);
    expect(cloud.cfn.resources.map((r) => resourceName(r.path))).toEqual(['Fleet']);

    const again = await cloud.cfn.deploy(synthesizeResources([declare('Fleet', A, B)]));
    expect(again.events.map((e) => e.action)).toEqual(['Unchanged']);
    expect(cloud.members()).toEqual({ [A]: 'Enabled', [B]: 'Invited' });
  });

  test.each([
    ['from the first resource to the second', [declare('Primary', A, B), declare('Secondary', C)], [declare('Primary', B), declare('Secondary', A, C)]],
    ['from the second resource to the first', [declare('Primary', A), declare('Secondary', B, C)], [declare('Primary', A, B), declare('Secondary', C)]],
  ])('moving an account %s in one deploy keeps it', async (_what, before, after) => {
    cloud = await localCloud();
    expect((await cloud.cfn.deploy(synthesizeResources(before))).ok).toBe(true);
    cloud.emulator.calls.reset();

    const moved = await cloud.cfn.deploy(synthesizeResources(after));

    expect(steps(moved.events)).toEqual([
      ['Update', 'Primary', 'UPDATE_IN_PROGRESS', true],
      ['Update', 'Secondary', 'UPDATE_IN_PROGRESS', true],
    ]);
    expect(cloud.members()).toEqual({ [A]: 'Invited', [B]: 'Invited', [C]: 'Invited' });
    expect(removals(cloud, [A, B, C])).toEqual([]);
    expect(cloud.emulator.store.duplicateInvitations()).toBe(0);
    const movedAccount = before[0].members.length === 2 ? A : B;
    expect(moved.events.flatMap((e) => e.kept ?? [])).toEqual([
      { region: REGION, accountIds: [movedAccount], declaredBy: [before[0].members.length === 2 ? 'Secondary' : 'Primary'] },
    ]);
  });

  test('removing the construct from the app removes its members in the cleanup phase, and nothing else', async () => {
    cloud = await localCloud();
    cloud.emulator.store.seedMember(ADMIN, REGION, { accountId: UNDECLARED, status: 'Enabled' });
    expect((await cloud.cfn.deploy(synthesizeResources([declare('Members', A), declare('Other', B)]))).ok).toBe(true);

    const removed = await cloud.cfn.deploy(synthesizeResources([declare('Other', B)]));

    expect(steps(removed.events)).toEqual([
      ['Unchanged', 'Other', 'UPDATE_IN_PROGRESS', true],
      ['Delete', 'Members', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', true],
    ]);
    expect(cloud.members()).toEqual({ [B]: 'Invited', [UNDECLARED]: 'Enabled' });
    expect(removed.events[1].kept).toBeUndefined();
  });

  test('destroy removes every declared member, whatever the other resources declare, and leaves undeclared members alone', async () => {
    cloud = await localCloud();
    cloud.emulator.store.seedMember(ADMIN, REGION, { accountId: UNDECLARED, status: 'Enabled' });
    expect((await cloud.cfn.deploy(synthesizeResources([declare('Members', A), declare('Other', B, C)]))).ok).toBe(true);

    const destroyed = await cloud.cfn.destroy();

    expect(steps(destroyed.events)).toEqual([
      ['Delete', 'Other', 'DELETE_IN_PROGRESS', true],
      ['Delete', 'Members', 'DELETE_IN_PROGRESS', true],
    ]);
    expect(cloud.members()).toEqual({ [UNDECLARED]: 'Enabled' });
    expect(cloud.cfn.stack('Admin')).toBeUndefined();
  });

  test('an update that fails after creating a new resource: the rollback cleanup deletes it and removes nothing still declared', async () => {
    cloud = await localCloud({ uninvitableAccounts: [C] });
    expect((await cloud.cfn.deploy(synthesizeResources([declare('Members', A, B)]))).ok).toBe(true);
    cloud.emulator.calls.reset();

    // The rename creates Fleet; Broken then fails on an account that cannot be invited.
    const failed = await cloud.cfn.deploy(synthesizeResources([declare('Fleet', A, B), declare('Broken', C)]));

    expect(failed.ok).toBe(false);
    expect(steps(failed.events)).toEqual([
      ['Create', 'Fleet', 'UPDATE_IN_PROGRESS', true],
      ['Create', 'Broken', 'UPDATE_IN_PROGRESS', false],
      // The failed Create's Delete, which the Provider framework answers without the handler (its CREATE_FAILED marker).
      ['Rollback Delete', 'Broken', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', true],
      ['Rollback Delete', 'Fleet', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', true],
    ]);
    expect(failed.events[2].logs).toEqual([]);
    expect(failed.events[3].kept).toEqual([{ region: REGION, accountIds: [A, B], declaredBy: ['Members'] }]);
    expect(cloud.members()).toEqual({ [A]: 'Invited', [B]: 'Invited' });
    expect(removals(cloud, [A, B])).toEqual([]);
    expect(cloud.cfn.resources.map((r) => resourceName(r.path))).toEqual(['Members']);
    expect(cloud.cfn.stack('Admin')?.status).toBe('UPDATE_ROLLBACK_COMPLETE');

    // The same rename without the broken resource then goes through, keeping everyone.
    const renamed = await cloud.cfn.deploy(synthesizeResources([declare('Fleet', A, B)]));
    expect(renamed.ok).toBe(true);
    expect(cloud.members()).toEqual({ [A]: 'Invited', [B]: 'Invited' });
    expect(removals(cloud, [A, B])).toEqual([]);
  });
});
