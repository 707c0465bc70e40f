/**
 * A mixed fleet (docs/design.md, "Organization accounts") end to end: organization accounts and invited accounts in one
 * declaration, the bundled handler from cdk.out against a local Security Hub with an organization.
 */
import { Duration } from 'aws-cdk-lib';
import { ADMIN, LocalCloud, localCloud, REGION, synthesize } from './harness';

const ORG1 = '111111111111';
const ORG2 = '222222222222';
const A = '333333333333';
const B = '444444444444';
const C = '555555555555';
const organization = { [ADMIN]: [ORG1, ORG2] };
const declare = (...ids: string[]) => ({ members: ids.map((accountId) => ({ accountId })) });

describe('a mixed fleet against the local Security Hub with an organization', () => {
  let cloud: LocalCloud;
  let accepter: NodeJS.Timeout | undefined;
  afterEach(async () => {
    clearInterval(accepter);
    await cloud?.close();
  });

  test('Create, Update (drop and re-add an organization account) and Delete; the stack deletes cleanly', async () => {
    cloud = await localCloud({ organizations: organization });
    const created = await cloud.cfn.deploy(synthesize(declare(ORG1, ORG2, A, B)));
    expect(created.events.map((e) => [e.action, e.ok, e.error])).toEqual([['Create', true, undefined]]);
    expect(created.events[0].data).toEqual({ MemberCount: '4', EnabledCount: '2', InvitedCount: '2' });
    expect(cloud.members()).toEqual({ [ORG1]: 'Enabled', [ORG2]: 'Enabled', [A]: 'Invited', [B]: 'Invited' });

    const dropped = await cloud.cfn.deploy(synthesize(declare(ORG1, B, C)));
    expect(dropped.events.map((e) => [e.action, e.ok, e.error])).toEqual([['Update', true, undefined]]);
    // The organization account can only be disassociated; the invited one is deleted.
    expect(cloud.members()).toEqual({ [ORG1]: 'Enabled', [ORG2]: 'Removed', [B]: 'Invited', [C]: 'Invited' });
    expect(dropped.events[0].logs.join('\n')).toMatch(new RegExp(`count as removed.*${ORG2}`));

    cloud.emulator.calls.reset();
    const readded = await cloud.cfn.deploy(synthesize(declare(ORG1, ORG2, B, C)));
    expect(readded.events.map((e) => [e.action, e.ok, e.error])).toEqual([['Update', true, undefined]]);
    expect(cloud.members()).toEqual({ [ORG1]: 'Enabled', [ORG2]: 'Enabled', [B]: 'Invited', [C]: 'Invited' });
    expect(readded.events[0].data).toEqual({ MemberCount: '4', EnabledCount: '2', InvitedCount: '2' });
    expect(cloud.emulator.calls.countsByOperation()).toEqual({ GetMembers: 3, InviteMembers: 1, CreateMembers: 1 });

    const destroyed = await cloud.cfn.destroy();
    expect(destroyed.events.map((e) => [e.action, e.ok, e.error])).toEqual([['Delete', true, undefined]]);
    expect(cloud.cfn.resources).toHaveLength(0);
    // What the service keeps of an organization account after it is disassociated.
    expect(cloud.members()).toEqual({ [ORG1]: 'Removed', [ORG2]: 'Removed' });
    for (const account of [ORG1, ORG2]) {
      expect(cloud.emulator.store.invitationCount(ADMIN, REGION, account)).toBe(0);
    }
    expect(cloud.emulator.store.duplicateInvitations()).toBe(0);
  });

  test('a failed Create rolls back its organization accounts too, and the rollback succeeds', async () => {
    cloud = await localCloud({ organizations: organization, uninvitableAccounts: [B] });
    const result = await cloud.cfn.deploy(synthesize(declare(ORG1, A, B)));
    expect(result.ok).toBe(false);
    expect(result.events[0].error).toContain(`Adding members failed for 1 account: ${B} in ${REGION}`);
    expect(result.events[0].error).toContain('Undone: removed the 3 members');
    expect(cloud.members()).toEqual({ [ORG1]: 'Removed' });
    expect(cloud.cfn.resources).toHaveLength(0);
  });

  test('waitForAcceptance completes once the invited accounts accept; organization accounts count as accepted', async () => {
    cloud = await localCloud({ organizations: organization }, { isCompleteIntervalMs: 50 });
    accepter = setInterval(() => {
      for (const member of [A, B]) {
        const [invitation] = cloud.emulator.store.invitationsFor(member, REGION);
        if (invitation) {
          cloud.emulator.store.acceptAdministratorInvitation(member, REGION, ADMIN, invitation.invitationId);
        }
      }
    }, 20);
    const result = await cloud.cfn.deploy(synthesize({ ...declare(ORG1, A, B), waitForAcceptance: Duration.minutes(5) }));
    expect(result.events.map((e) => [e.action, e.ok, e.error])).toEqual([['Create', true, undefined]]);
    expect(result.events[0].physicalResourceId).toBe('securityhub-members-Admin-MembersFEE56442');
    expect(result.events[0].data).toMatchObject({ MemberCount: '3', EnabledCount: '3', InvitedCount: '0' });
    expect((await cloud.cfn.destroy()).ok).toBe(true);
    expect(cloud.members()).toEqual({ [ORG1]: 'Removed' });
  });

  test('waitForAcceptance of a mixed fleet times out naming only the invited account still pending', async () => {
    cloud = await localCloud({ organizations: organization }, { isCompleteIntervalMs: 100 });
    const result = await cloud.cfn.deploy(synthesize({ ...declare(ORG1, A), waitForAcceptance: Duration.seconds(1) }));
    expect(result.ok).toBe(false);
    expect(result.events[0].error).toContain(`1 account is still pending: ${A} in ${REGION} (Invited)`);
    expect(cloud.members()).toEqual({ [ORG1]: 'Removed' });
    expect(cloud.cfn.resources).toHaveLength(0);
  });
});
