import { Duration } from 'aws-cdk-lib';
import { accounts, ADMIN, LocalCloud, localCloud, REGION, synthesize } from './harness';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const EU = 'eu-west-1';
const WEST = 'us-west-2';

describe('regions', () => {
  let cloud: LocalCloud;
  afterEach(() => cloud?.close());

  test('manages the same members in every region, each region with its own state', async () => {
    cloud = await localCloud();
    const result = await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }, { accountId: B }], regions: [REGION, EU] }));
    expect(result.ok).toBe(true);
    expect(result.events[0].data).toEqual({ MemberCount: '4', EnabledCount: '0', InvitedCount: '4' });
    expect(cloud.members(REGION)).toEqual({ [A]: 'Invited', [B]: 'Invited' });
    expect(cloud.members(EU)).toEqual({ [A]: 'Invited', [B]: 'Invited' });
    // Per-region state: accepting in one region leaves the other as it was.
    const [invitation] = cloud.emulator.store.invitationsFor(A, EU);
    cloud.emulator.store.acceptAdministratorInvitation(A, EU, ADMIN, invitation.invitationId);
    expect(cloud.members(EU)[A]).toBe('Enabled');
    expect(cloud.members(REGION)[A]).toBe('Invited');
    expect(cloud.emulator.calls.countsByOperation({ region: EU })).toEqual({ GetMembers: 1, CreateMembers: 1, InviteMembers: 1 });
  });

  test('adding and removing regions reconciles without replacing the resource', async () => {
    cloud = await localCloud();
    const first = await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }], regions: [REGION, EU] }));
    const second = await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }, { accountId: C }], regions: [EU, WEST] }));
    expect(second.events.map((e) => [e.action, e.ok])).toEqual([['Update', true]]);
    expect(second.events[0].physicalResourceId).toBe(first.events[0].physicalResourceId);
    expect(cloud.members(REGION)).toEqual({});
    expect(cloud.members(EU)).toEqual({ [A]: 'Invited', [C]: 'Invited' });
    expect(cloud.members(WEST)).toEqual({ [A]: 'Invited', [C]: 'Invited' });
    expect(cloud.emulator.store.duplicateInvitations()).toBe(0);
    await cloud.cfn.destroy();
    for (const region of [REGION, EU, WEST]) {
      expect(cloud.members(region)).toEqual({});
    }
  });

  test('a failure in one region rolls back the other regions\' additions too', async () => {
    cloud = await localCloud({ uninvitableAccounts: [B] });
    const result = await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }], regions: [REGION] }));
    expect(result.ok).toBe(true);
    const update = await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }, { accountId: B }], regions: [REGION, EU] }));
    expect(update.ok).toBe(false);
    expect(update.events[0].error).toContain(`${B} in `);
    expect(cloud.members(REGION)).toEqual({ [A]: 'Invited' });
    expect(cloud.members(EU)).toEqual({});
  });
});

describe('1,000 members: call counts', () => {
  let cloud: LocalCloud;
  afterEach(() => cloud?.close());

  test('Create takes 60 calls, a no-change Update 20, a Delete of invited members 60', async () => {
    cloud = await localCloud();
    const ids = accounts(1000);
    const created = await cloud.cfn.deploy(synthesize({ members: ids.map((accountId) => ({ accountId })) }));
    expect(created.ok).toBe(true);
    expect(cloud.emulator.calls.countsByOperation()).toEqual({ GetMembers: 20, CreateMembers: 20, InviteMembers: 20 });

    // The same declaration as an Update event (the local deploy would skip it as unchanged).
    cloud.emulator.calls.reset();
    const declared = synthesize({ members: ids.map((accountId) => ({ accountId })) });
    const resource = { ...cloud.cfn.resources[0], properties: { ...declared[0].resources[0].properties, Invite: 'true' } };
    const { LocalLambda } = await import('../../local/deploy/invoke');
    const update = await new LocalLambda().invoke(resource.onEvent, {
      RequestType: 'Update',
      PhysicalResourceId: resource.physicalResourceId,
      LogicalResourceId: resource.logicalId,
      ResourceProperties: resource.properties,
      OldResourceProperties: declared[0].resources[0].properties,
    }, { account: ADMIN, region: REGION, endpoint: cloud.emulator.url, environment: { SECURITYHUB_MEMBERS_RATE_PER_SECOND: '10000', SECURITYHUB_MEMBERS_BURST: '10000' } });
    expect(update.error).toBeUndefined();
    expect(cloud.emulator.calls.countsByOperation()).toEqual({ GetMembers: 20 });

    cloud.emulator.calls.reset();
    expect((await cloud.cfn.destroy()).ok).toBe(true);
    expect(cloud.emulator.calls.countsByOperation()).toEqual({ GetMembers: 20, DisassociateMembers: 20, DeleteMembers: 20 });
    expect(cloud.members()).toEqual({});
  });
});

describe('waitForAcceptance', () => {
  let cloud: LocalCloud;
  let accepter: NodeJS.Timeout | undefined;
  afterEach(async () => {
    clearInterval(accepter);
    await cloud?.close();
  });

  /** Plays the member accounts: accepts every pending invitation from the administrator. */
  function acceptEverything(members: string[]): void {
    accepter = setInterval(() => {
      for (const member of members) {
        const [invitation] = cloud.emulator.store.invitationsFor(member, REGION);
        if (invitation) {
          cloud.emulator.store.acceptAdministratorInvitation(member, REGION, ADMIN, invitation.invitationId);
        }
      }
    }, 20);
  }

  test('completes once every invited member has accepted, and counts them Enabled', async () => {
    cloud = await localCloud({}, { isCompleteIntervalMs: 50 });
    acceptEverything([A, B]);
    const result = await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }, { accountId: B }], waitForAcceptance: Duration.minutes(5) }));
    expect(result.events.map((e) => [e.action, e.ok])).toEqual([['Create', true]]);
    expect(result.events[0].physicalResourceId).toBe('securityhub-members-Admin-MembersFEE56442');
    expect(result.events[0].data).toMatchObject({ MemberCount: '2', EnabledCount: '2', InvitedCount: '0' });
    expect(cloud.members()).toEqual({ [A]: 'Enabled', [B]: 'Enabled' });
  });

  test('fails naming the members still pending, and a Create removes only what it created', async () => {
    cloud = await localCloud({}, { isCompleteIntervalMs: 100 });
    cloud.emulator.store.seedMember(ADMIN, REGION, { accountId: C, status: 'Invited' });
    const result = await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }, { accountId: C }], waitForAcceptance: Duration.seconds(1) }));
    expect(result.ok).toBe(false);
    expect(result.events.map((e) => [e.action, e.ok])).toEqual([['Create', false], ['Rollback Delete', true]]);
    expect(result.events[0].error).toContain(`still pending: ${A}, ${C} in ${REGION} (Invited)`);
    expect(result.events[0].error).toContain('Undone: removed the 1 member this deployment created');
    // C was Invited before the deploy: it stays, and is not invited a second time.
    expect(cloud.members()).toEqual({ [C]: 'Invited' });
    expect(cloud.emulator.store.duplicateInvitations()).toBe(0);
    expect(cloud.cfn.resources).toHaveLength(0);
  });

  test('an Update that times out is rolled back by CloudFormation\'s rollback Update', async () => {
    cloud = await localCloud({}, { isCompleteIntervalMs: 100 });
    acceptEverything([A]);
    expect((await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }], waitForAcceptance: Duration.seconds(30) }))).ok).toBe(true);
    clearInterval(accepter);
    const result = await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }, { accountId: B }], waitForAcceptance: Duration.seconds(1) }));
    expect(result.events.map((e) => [e.action, e.ok])).toEqual([['Update', false], ['Rollback Update', true]]);
    expect(result.events[0].error).toContain(`still pending: ${B} in ${REGION} (Invited)`);
    expect(cloud.members()).toEqual({ [A]: 'Enabled' });
  });
});
