import { accounts, ADMIN, LocalCloud, localCloud, REGION, synthesize } from './harness';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';

describe('the bundled members handler from cdk.out, against the local Security Hub', () => {
  let cloud: LocalCloud;
  afterEach(() => cloud?.close());

  test('Create, Update (add, remove, keep), no-change deploy and Delete', async () => {
    cloud = await localCloud();
    const first = await cloud.cfn.deploy(synthesize({ members: [{ accountId: A, email: 'a@example.com' }, { accountId: B }] }));
    expect(first.ok).toBe(true);
    expect(first.events.map((e) => e.action)).toEqual(['Create']);
    expect(first.events[0].data).toEqual({ MemberCount: '2', EnabledCount: '0', InvitedCount: '2' });
    expect(cloud.members()).toEqual({ [A]: 'Invited', [B]: 'Invited' });
    expect(cloud.emulator.store.getMember(ADMIN, REGION, A)?.email).toBe('a@example.com');
    const physicalId = first.events[0].physicalResourceId;

    cloud.emulator.calls.reset();
    const second = await cloud.cfn.deploy(synthesize({ members: [{ accountId: A, email: 'a@example.com' }, { accountId: C }] }));
    expect(second.events.map((e) => [e.action, e.ok])).toEqual([['Update', true]]);
    expect(second.events[0].physicalResourceId).toBe(physicalId);
    expect(cloud.members()).toEqual({ [A]: 'Invited', [C]: 'Invited' });
    expect(cloud.emulator.calls.countsByOperation()).toEqual({ GetMembers: 1, CreateMembers: 1, InviteMembers: 1, DisassociateMembers: 1, DeleteMembers: 1 });

    cloud.emulator.calls.reset();
    const unchanged = await cloud.cfn.deploy(synthesize({ members: [{ accountId: A, email: 'a@example.com' }, { accountId: C }] }));
    expect(unchanged.events.map((e) => e.action)).toEqual(['Unchanged']);
    expect(cloud.emulator.calls.total()).toBe(0);

    const destroyed = await cloud.cfn.destroy();
    expect(destroyed.ok).toBe(true);
    expect(cloud.members()).toEqual({});
    expect(cloud.emulator.store.duplicateInvitations()).toBe(0);
  });

  test('a member that accepted is disassociated, then deleted, when it leaves the declaration', async () => {
    cloud = await localCloud();
    await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }, { accountId: B }] }));
    cloud.emulator.store.seedMember(ADMIN, REGION, { accountId: A, status: 'Enabled' });
    const update = await cloud.cfn.deploy(synthesize({ members: [{ accountId: B }] }));
    expect(update.ok).toBe(true);
    expect(cloud.members()).toEqual({ [B]: 'Invited' });
    expect(cloud.emulator.store.administratorOf(A, REGION)).toBeUndefined();
  });

  test('invite: false creates members without inviting them; turning it on invites them', async () => {
    cloud = await localCloud();
    await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }], invite: false }));
    expect(cloud.members()).toEqual({ [A]: 'Created' });
    expect(cloud.emulator.store.invitationsFor(A, REGION)).toHaveLength(0);
    await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }], invite: true }));
    expect(cloud.members()).toEqual({ [A]: 'Invited' });
  });

  test('RETAIN: destroying the stack leaves the members as they are', async () => {
    cloud = await localCloud();
    await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }], retain: true }));
    const destroyed = await cloud.cfn.destroy();
    expect(destroyed.events.map((e) => e.action)).toEqual(['Retained']);
    expect(cloud.members()).toEqual({ [A]: 'Invited' });
  });

  test('a failed Create rolls back what it created and leaves undeclared members alone', async () => {
    cloud = await localCloud({ uninvitableAccounts: [B] });
    cloud.emulator.store.seedMember(ADMIN, REGION, { accountId: C, status: 'Enabled' });
    const result = await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }, { accountId: B }] }));
    expect(result.ok).toBe(false);
    expect(result.events[0].error).toContain(`${B} in ${REGION}`);
    expect(result.events[0].error).toContain('Undone: ');
    expect(cloud.members()).toEqual({ [C]: 'Enabled' });
    expect(cloud.cfn.resources).toHaveLength(0);
  });

  test('a failed Update is rolled back by CloudFormation to the previous declaration', async () => {
    cloud = await localCloud({ uninvitableAccounts: [C] });
    await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }, { accountId: B }] }));
    const result = await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }, { accountId: C }] }));
    expect(result.events.map((e) => [e.action, e.ok])).toEqual([['Update', false], ['Rollback Update', true]]);
    expect(cloud.members()).toEqual({ [A]: 'Invited', [B]: 'Invited' });
    expect(cloud.emulator.store.duplicateInvitations()).toBe(0);
  });

  test.each([
    ['429s from a tight rate limit', { rateLimit: { ratePerSecond: 20, burst: 3 } }],
    ['500s on 30% of calls', { errorRate: 0.3, seed: 7 }],
  ])('converges with %s', async (_what, faults) => {
    cloud = await localCloud(faults);
    const ids = accounts(120);
    const first = await cloud.cfn.deploy(synthesize({ members: ids.map((accountId) => ({ accountId })) }));
    expect(first.ok).toBe(true);
    expect(Object.values(cloud.members()).filter((s) => s === 'Invited')).toHaveLength(120);
    const kept = ids.slice(20).concat(accounts(10, 200000000000));
    // Removing 20 members at once is deliberate here: the limit is raised in the same change.
    const second = await cloud.cfn.deploy(synthesize({ members: kept.map((accountId) => ({ accountId })), maxRemovalsPerDeploy: 20 }));
    expect(second.ok).toBe(true);
    expect(Object.keys(cloud.members()).sort()).toEqual([...kept].sort());
    expect((await cloud.cfn.destroy()).ok).toBe(true);
    expect(cloud.members()).toEqual({});
    expect(cloud.emulator.store.duplicateInvitations()).toBe(0);
    const failed = cloud.emulator.calls.entries().filter((c) => c.httpStatus !== 200);
    expect(failed.length).toBeGreaterThan(0);
  });
});
