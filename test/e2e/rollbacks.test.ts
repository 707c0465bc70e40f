/**
 * Rule R13 (docs/design.md) end to end: the bundled handler, the local CloudFormation and the
 * local Security Hub. Each rollback runs twice, once with GetTemplate answering the template being
 * rolled back to and once the template that failed (AWS does not document which), and after each
 * every account that was a member before the failed deploy has the status it had, the accounts the
 * failed deploy created are gone, and no undeclared member is touched. A member that was only
 * Created before is invited by the failed deploy: it was not associated, and the design counts it
 * as added (like a re-invited Removed or Resigned member), so the rollback removes it.
 */
import type { LocalStack } from '../../local/deploy/assembly';
import { EventReport, ROLLBACK_TEMPLATE_READINGS, RollbackTemplateReading } from '../../local/deploy/cloudformation';
import type { MemberStatus } from '../../local/emulator';
import { ADMIN, LocalCloud, localCloud, NamedDeclaration, REGION, synthesizeResources } from './harness';

jest.setTimeout(120_000);

/** Members long before any deploy: invited (or changed) a year earlier. */
const LONG_AGO = '2025-01-01T00:00:00.000Z';
const ENABLED = '111111111111';
const INVITED = '222222222222';
const CREATED = '333333333333';
const UNDECLARED = '444444444444';
const NEW = '555555555555';
const DECLARED_BEFORE = '777777777777';

let cloud: LocalCloud;

afterEach(async () => {
  await cloud?.close();
});

/** Members that existed before anything was deployed, invited by hand long ago, and one nobody declares. */
function seedByHand(): void {
  const seed = (accountId: string, status: MemberStatus): void => {
    cloud.emulator.store.seedMember(ADMIN, REGION, {
      accountId, status, updatedAt: LONG_AGO, ...(status === 'Invited' || status === 'Enabled' ? { invitedAt: LONG_AGO } : {}),
    });
  };
  seed(ENABLED, 'Enabled');
  seed(INVITED, 'Invited');
  seed(CREATED, 'Created');
  seed(UNDECLARED, 'Enabled');
}

const BY_HAND = { [ENABLED]: 'Enabled', [INVITED]: 'Invited', [CREATED]: 'Created', [UNDECLARED]: 'Enabled' };
const ids = (...accountIds: string[]) => accountIds.map((accountId) => ({ accountId }));
const logicalId = (stacks: LocalStack[], id: string): string => stacks[0].resources.find((r) => r.path.startsWith(`Admin/${id}/`))!.logicalId;

async function deploy(declarations: NamedDeclaration[], failAfter?: string): Promise<{ ok: boolean; events: EventReport[] }> {
  const stacks = synthesizeResources(declarations);
  return cloud.cfn.deploy(stacks, failAfter ? { failAfter: logicalId(stacks, failAfter) } : {});
}

/** The hub now, without the accounts the failed deploy added: what a right rollback leaves. */
function without(before: Record<string, string>, ...added: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(before).filter(([id]) => !added.includes(id)));
}

/** The rollback events and what each kept because it was a member before the failed deploy. */
function rollbackEvents(events: readonly EventReport[]): [string, string | undefined, string[]][] {
  return events.filter((e) => e.action.startsWith('Rollback')).map((e) => [e.action, e.phase, (e.kept ?? []).filter((k) => k.beforeFailedDeploy).flatMap((k) => k.accountIds).sort()]);
}

describe.each(ROLLBACK_TEMPLATE_READINGS)('rollbacks with GetTemplate answering the %s template', (reading: RollbackTemplateReading) => {
  beforeEach(async () => {
    cloud = await localCloud({}, { rollbackTemplate: reading });
  });

  test('a first deploy that adopts members and fails elsewhere removes only the accounts it created', async () => {
    seedByHand();
    const result = await deploy([{ id: 'Members', members: ids(ENABLED, INVITED, CREATED, NEW) }], 'Members');
    expect(result.ok).toBe(false);
    expect(rollbackEvents(result.events)).toEqual([['Rollback Delete', 'ROLLBACK_IN_PROGRESS', [ENABLED, INVITED]]]);
    expect(cloud.members()).toEqual(without(BY_HAND, CREATED));
    expect(cloud.cfn.stack('Admin')).toBeUndefined();
  });

  test('an Update that adopts members and fails elsewhere: the rollback Update removes only what it created', async () => {
    expect((await deploy([{ id: 'Members', members: ids(DECLARED_BEFORE) }])).ok).toBe(true);
    seedByHand();
    const result = await deploy([{ id: 'Members', members: ids(DECLARED_BEFORE, ENABLED, INVITED, CREATED, NEW) }], 'Members');
    expect(result.ok).toBe(false);
    expect(rollbackEvents(result.events)).toEqual([['Rollback Update', 'UPDATE_ROLLBACK_IN_PROGRESS', [ENABLED, INVITED]]]);
    expect(cloud.members()).toEqual(without({ ...BY_HAND, [DECLARED_BEFORE]: 'Invited' }, CREATED));
  });

  test('a SecurityHubMembers added to an existing stack in a deploy that fails: the rollback cleanup removes only what it created', async () => {
    expect((await deploy([{ id: 'Other', members: ids(DECLARED_BEFORE) }])).ok).toBe(true);
    seedByHand();
    const result = await deploy([{ id: 'Other', members: ids(DECLARED_BEFORE) }, { id: 'Members', members: ids(ENABLED, INVITED, CREATED, NEW) }], 'Members');
    expect(result.ok).toBe(false);
    expect(rollbackEvents(result.events)).toEqual([['Rollback Delete', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', [ENABLED, INVITED]]]);
    expect(cloud.members()).toEqual(without({ ...BY_HAND, [DECLARED_BEFORE]: 'Invited' }, CREATED));
  });

  test('a rename that adds an account, in a deploy that fails: the new accounts go, every earlier one stays', async () => {
    seedByHand();
    expect((await deploy([{ id: 'Old', members: ids(ENABLED, DECLARED_BEFORE) }])).ok).toBe(true);
    const result = await deploy([{ id: 'New', members: ids(ENABLED, DECLARED_BEFORE, NEW) }], 'New');
    expect(result.ok).toBe(false);
    expect(result.events.filter((e) => e.action === 'Rollback Delete').map((e) => e.phase)).toEqual(['UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS']);
    expect(cloud.members()).toEqual({ ...BY_HAND, [DECLARED_BEFORE]: 'Invited' });
  });

  test.each([
    ['the giving resource first', ['Giver', 'Taker']],
    ['the taking resource first', ['Taker', 'Giver']],
  ])('accounts moved between two resources in a deploy that fails, %s: both rollback Updates leave every earlier member', async (_, order) => {
    seedByHand();
    const before: Record<string, NamedDeclaration> = {
      Giver: { id: 'Giver', members: ids(ENABLED, INVITED, DECLARED_BEFORE) },
      Taker: { id: 'Taker', members: ids(CREATED) },
    };
    expect((await deploy(order.map((id) => before[id]))).ok).toBe(true);
    const members = cloud.members();
    const after: Record<string, NamedDeclaration> = {
      Giver: { id: 'Giver', members: ids(DECLARED_BEFORE) },
      Taker: { id: 'Taker', members: ids(CREATED, ENABLED, INVITED, NEW) },
    };
    const result = await deploy(order.map((id) => after[id]), order[1]);
    expect(result.ok).toBe(false);
    expect(result.events.filter((e) => e.action === 'Rollback Update')).toHaveLength(2);
    expect(members).toEqual({ ...BY_HAND, [CREATED]: 'Invited', [DECLARED_BEFORE]: 'Invited' });
    expect(cloud.members()).toEqual(members);
  });
});

describe('deliberate removals are unchanged', () => {
  beforeEach(async () => {
    cloud = await localCloud();
  });

  test('an Update that drops an adopted account removes it, whatever its age', async () => {
    seedByHand();
    expect((await deploy([{ id: 'Members', members: ids(ENABLED, NEW) }])).ok).toBe(true);
    expect((await deploy([{ id: 'Members', members: ids(NEW) }])).ok).toBe(true);
    expect(cloud.members()[ENABLED]).toBeUndefined();
    expect(cloud.members()[UNDECLARED]).toBe('Enabled');
  });

  test('a stack deletion removes every declared account, whatever its age', async () => {
    seedByHand();
    expect((await deploy([{ id: 'Members', members: ids(ENABLED, INVITED, NEW) }])).ok).toBe(true);
    expect((await cloud.cfn.destroy()).ok).toBe(true);
    expect(cloud.members()).toEqual({ [CREATED]: 'Created', [UNDECLARED]: 'Enabled' });
  });

  test('a deploy made to fail after a resource that needed no event still rolls back, removing nothing', async () => {
    seedByHand();
    expect((await deploy([{ id: 'Members', members: ids(ENABLED) }])).ok).toBe(true);
    const result = await deploy([{ id: 'Members', members: ids(ENABLED) }], 'Members');
    expect(result.ok).toBe(false);
    expect(result.events.map((e) => e.action)).toEqual(['Unchanged']);
    expect(cloud.members()).toEqual(BY_HAND);
    expect(cloud.cfn.stack('Admin')?.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  });
});

test('a --fail-after that names no resource fails before any change, naming it and the resources', async () => {
  cloud = await localCloud();
  const stacks = synthesizeResources([{ id: 'Members', members: ids(NEW) }]);
  await expect(cloud.cfn.deploy(stacks, { failAfter: 'Bucket' })).rejects.toThrow(/--fail-after "Bucket" names no custom resource of the stacks being deployed: expected a logical id or construct path, one of Members\w+ \(Members\)/);
  expect(cloud.members()).toEqual({});
});
