/**
 * `plan` against the local Security Hub and CloudFormation, then the local deploy of the same
 * stacks: the deploy's mutating calls are the plan's, and plan itself changes nothing.
 */
import { planExitCode, PLAN_EXIT } from '../../cli/plan';
import { summaryLine } from '../../cli/plan-render';
import { ADMIN, LocalCloud, localCloud, REGION } from './harness';
import { madeCalls, mutatingCalls, planAgainst, plannedCalls, ResourceSpec, stackOf } from './plan-helpers';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const D = '444444444444';
const WEST = 'eu-west-1';

describe('plan, then deploy', () => {
  let cloud: LocalCloud;
  afterEach(() => cloud?.close());

  /** Plans `specs`, checks that planning changed nothing, deploys them, and checks the deploy made the planned calls. */
  async function planThenDeploy(specs: ResourceSpec[]) {
    cloud.emulator.calls.reset();
    const stacks = [stackOf(specs)];
    const plan = await planAgainst(cloud.emulator, cloud.cfn, stacks);
    expect(mutatingCalls(cloud.emulator)).toEqual([]);
    const deployed = await cloud.cfn.deploy(stacks);
    const refused = plan.stacks.flatMap((s) => s.resources).some((r) => r.refusal !== undefined);
    expect(deployed.ok).toBe(!refused);
    if (!refused) {
      expect(madeCalls(cloud.emulator)).toEqual(plannedCalls(plan, (id) => specs.find((s) => s.id === id)?.invite ?? true));
    }
    return { plan, deployed };
  }

  test('a first deploy plans Creates; adopting Enabled members changes nothing and exits 0', async () => {
    cloud = await localCloud();
    cloud.emulator.store.seedMember(ADMIN, REGION, { accountId: A, status: 'Enabled' });
    cloud.emulator.store.seedMember(ADMIN, REGION, { accountId: B, status: 'Enabled' });

    const { plan } = await planThenDeploy([{ id: 'Members', members: [A, B] }]);

    expect(plan.stacks).toEqual([{
      stack: 'Admin', account: ADMIN, region: REGION,
      resources: [{ logicalId: 'Members', event: 'Create', regions: [{ region: REGION, create: [], invite: [], reinvite: [], remove: [], keep: [{ accountId: A, reason: 'member Enabled' }, { accountId: B, reason: 'member Enabled' }] }] }],
    }]);
    expect(planExitCode(plan)).toBe(PLAN_EXIT.noChange);
    expect(summaryLine(plan.stacks[0])).toBe('+0 invited, ~0 re-invited, -0 removed (0 Enabled), 2 unchanged');
  });

  test('an unchanged resource gets no event; an Update that invites exits 2, one that removes exits 3', async () => {
    cloud = await localCloud();
    await planThenDeploy([{ id: 'Members', members: [A, B] }]);

    const same = await planThenDeploy([{ id: 'Members', members: [A, B] }]);
    expect(same.plan.stacks[0].resources).toEqual([{ logicalId: 'Members', event: null }]);
    expect(planExitCode(same.plan)).toBe(PLAN_EXIT.noChange);

    cloud.emulator.store.seedMember(ADMIN, REGION, { accountId: B, status: 'Resigned' });
    const grown = await planThenDeploy([{ id: 'Members', members: [A, B, C] }]);
    expect(grown.plan.stacks[0].resources[0].regions).toEqual([{ region: REGION, create: [C], invite: [], reinvite: [B], remove: [], keep: [{ accountId: A, reason: 'member Invited' }] }]);
    expect(planExitCode(grown.plan)).toBe(PLAN_EXIT.changes);
    expect(summaryLine(grown.plan.stacks[0])).toBe('+1 invited, ~1 re-invited, -0 removed (0 Enabled), 1 unchanged');

    cloud.emulator.store.seedMember(ADMIN, REGION, { accountId: A, status: 'Enabled' });
    const shrunk = await planThenDeploy([{ id: 'Members', members: [C] }]);
    expect(shrunk.plan.stacks[0].resources[0].regions?.[0].remove).toEqual([{ accountId: A, status: 'Enabled' }, { accountId: B, status: 'Invited' }]);
    expect(planExitCode(shrunk.plan)).toBe(PLAN_EXIT.removals);
    expect(summaryLine(shrunk.plan.stacks[0])).toBe('+0 invited, ~0 re-invited, -2 removed (1 Enabled), 1 unchanged');
  });

  test('a rename moves every account to the new resource: the cleanup Delete keeps them by rule R10, exit 0', async () => {
    cloud = await localCloud();
    await planThenDeploy([{ id: 'Members', members: [A, B] }]);

    const { plan, deployed } = await planThenDeploy([{ id: 'Fleet', members: [A, B] }]);

    expect(deployed.events.map((e) => e.action)).toEqual(['Create', 'Delete']);
    expect(plan.stacks[0].resources.map((r) => [r.logicalId, r.event])).toEqual([['Fleet', 'Create'], ['Members', 'Delete']]);
    expect(plan.stacks[0].resources[1].regions?.[0].keep).toEqual([{ accountId: A, reason: 'declared by Fleet' }, { accountId: B, reason: 'declared by Fleet' }]);
    expect(planExitCode(plan)).toBe(PLAN_EXIT.noChange);
  });

  test('dropping a region over the limit is the refusal the deploy hits, with nothing changed; raising the limit lets it through', async () => {
    cloud = await localCloud();
    await planThenDeploy([{ id: 'Members', members: [A, B, C], regions: [REGION, WEST] }]);

    const refused = await planThenDeploy([{ id: 'Members', members: [A, B, C], regions: [REGION], maxRemovalsPerDeploy: 2 }]);
    expect(refused.plan.stacks[0].resources[0].refusal).toMatch(/^This update would remove 3 members \(account-region pairs\), more than maxRemovalsPerDeploy 2/);
    expect(refused.plan.stacks[0].resources[0].regions?.find((r) => r.region === WEST)?.remove.map((r) => r.accountId)).toEqual([A, B, C]);
    expect(planExitCode(refused.plan)).toBe(PLAN_EXIT.error);
    expect(refused.deployed.events.find((e) => !e.ok)?.error).toMatch(/more than maxRemovalsPerDeploy 2/);
    expect(mutatingCalls(cloud.emulator).filter((c) => c.endsWith(WEST))).toEqual([]);

    const raised = await planThenDeploy([{ id: 'Members', members: [A, B, C], regions: [REGION], maxRemovalsPerDeploy: 3 }]);
    expect(planExitCode(raised.plan)).toBe(PLAN_EXIT.removals);
    expect(cloud.members(WEST)).toEqual({});
  });

  test('a dropped account that is not a member is kept as "not a member"; invite false keeps a Created member', async () => {
    cloud = await localCloud();
    await planThenDeploy([{ id: 'Members', members: [A, D], invite: false }]);
    cloud.emulator.store.reset();
    cloud.emulator.store.seedMember(ADMIN, REGION, { accountId: A, status: 'Created' });

    const { plan } = await planThenDeploy([{ id: 'Members', members: [A, B], invite: false }]);

    expect(plan.stacks[0].resources[0].regions).toEqual([{ region: REGION, create: [B], invite: [], reinvite: [], remove: [], keep: [{ accountId: A, reason: 'invite false' }, { accountId: D, reason: 'not a member' }] }]);
  });

  test('a declared region whose Security Hub is not enabled is the refusal the deploy hits, with nothing changed', async () => {
    cloud = await localCloud({ autoEnableHubs: false });
    cloud.emulator.store.enableHub(ADMIN, REGION);

    const { plan, deployed } = await planThenDeploy([{ id: 'Members', members: [A], regions: [REGION, WEST] }]);

    expect(plan.stacks[0].resources[0].refusal).toMatch(/^Reading the members' statuses in eu-west-1 failed, so nothing was changed: .*not subscribed to AWS Security Hub/);
    expect(planExitCode(plan)).toBe(PLAN_EXIT.error);
    expect(deployed.events.find((e) => !e.ok)?.error).toMatch(/Reading the members' statuses in eu-west-1 failed/);
    expect(mutatingCalls(cloud.emulator)).toEqual([]);
  });
});
