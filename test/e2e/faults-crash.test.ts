/**
 * Crash recovery (rule R5, docs/design.md): the local Security Hub fails every call after K mutating
 * calls, as when the Lambda function times out or crashes halfway through an event, so the
 * handler can neither finish nor undo its work. Running the event again must converge, and no
 * account may get a second invitation.
 */
import { ADMIN, FAST, Lab, REGION, members, mutatingCalls, seedUndeclared, startLab, statuses } from './faults-helpers';

/** 120 accounts: three batches of at most 50 per call, so a crash can fall between batches. */
const DECLARED = members(120);
const ids = (list: { accountId: string }[]) => list.map((m) => m.accountId);

describe('crash recovery: every call fails after K mutating calls, then the same event runs again', () => {
  let lab: Lab;
  beforeAll(async () => {
    // Two attempts per call: a crashed run gives up quickly, and a re-run has no faults to retry.
    lab = await startLab({ environment: { ...FAST, SECURITYHUB_MEMBERS_MAX_ATTEMPTS: '2' } });
  });
  afterAll(() => lab?.close());

  /** Sets up the hub, then crashes `crash` after K mutating calls and checks that it did crash there. */
  async function crashAfter(k: number, crash: () => ReturnType<Lab['create']>) {
    lab.calls.reset();
    lab.emulator.setFaults({ failAfterMutatingCalls: k });
    const crashed = await crash();
    expect(crashed.ok).toBe(false);
    // The emulator's 500 InternalException ("Internal error ..."), from a read or a write.
    expect(crashed.error?.message).toContain('Internal');
    expect(mutatingCalls(lab.calls).filter((c) => c.applied)).toHaveLength(k);
    lab.emulator.setFaults({ failAfterMutatingCalls: undefined });
  }

  function expectInvitedOnce(accounts: string[]) {
    const hub = statuses(lab.store);
    expect(accounts.filter((id) => hub[id] !== 'Invited')).toEqual([]);
    expect(accounts.filter((id) => lab.store.invitationCount(ADMIN, REGION, id) !== 1)).toEqual([]);
  }

  // Create makes 6 mutating calls: CreateMembers and InviteMembers for each of 3 batches.
  test.each([0, 1, 2, 3, 4, 5])('Create crashed after %i mutating calls, run again: every member invited exactly once', async (k) => {
    lab.reset();
    const undeclared = seedUndeclared(lab.store);
    await crashAfter(k, () => lab.create(DECLARED));

    const rerun = await lab.create(DECLARED);
    expect(rerun.error).toBeUndefined();
    expect(rerun.result?.Data?.InvitedCount).toBe('120');
    expectInvitedOnce(ids(DECLARED));
    expect(Object.keys(statuses(lab.store))).toHaveLength(120 + undeclared.size);
    expect(lab.store.duplicateInvitations()).toBe(0);
    for (const [id, record] of undeclared) {
      expect(lab.store.getMember(ADMIN, REGION, id)).toEqual(record);
    }
  });

  // P = accounts 0-119, D = 60-179: 60 kept, 60 added, 60 removed. Update makes 8 mutating calls:
  // CreateMembers, InviteMembers, DisassociateMembers and DeleteMembers for 2 batches each.
  const previous = DECLARED;
  const next = members(120, 100000000060);
  const kept = ids(next).filter((id) => ids(previous).includes(id));
  const added = ids(next).filter((id) => !kept.includes(id));
  const dropped = ids(previous).filter((id) => !kept.includes(id));

  async function deployPrevious() {
    lab.reset();
    const undeclared = seedUndeclared(lab.store);
    expect((await lab.create(previous)).ok).toBe(true);
    return undeclared;
  }

  test.each([0, 1, 2, 3, 4, 5, 6, 7])('Update crashed after %i mutating calls, run again: the new declaration, invited exactly once', async (k) => {
    const undeclared = await deployPrevious();
    await crashAfter(k, () => lab.update(previous, next));

    const rerun = await lab.update(previous, next);
    expect(rerun.error).toBeUndefined();
    expect(Object.keys(statuses(lab.store)).sort()).toEqual([...ids(next), ...undeclared.keys()].sort());
    expectInvitedOnce([...kept, ...added]);
    expect(dropped.filter((id) => lab.store.getMember(ADMIN, REGION, id))).toEqual([]);
    expect(lab.store.duplicateInvitations()).toBe(0);
    for (const [id, record] of undeclared) {
      expect(lab.store.getMember(ADMIN, REGION, id)).toEqual(record);
    }
  });

  test.each([0, 2, 4, 6, 7])('Update crashed after %i mutating calls, rolled back by CloudFormation: the previous declaration', async (k) => {
    const undeclared = await deployPrevious();
    await crashAfter(k, () => lab.update(previous, next));

    // CloudFormation's rollback: an Update with old and new swapped.
    const rollback = await lab.update(next, previous);
    expect(rollback.error).toBeUndefined();
    const hub = statuses(lab.store);
    expect(Object.keys(hub).sort()).toEqual([...ids(previous), ...undeclared.keys()].sort());
    expect(ids(previous).filter((id) => hub[id] !== 'Invited')).toEqual([]);
    // A dropped account the crashed run already removed is invited again, as a new invitation;
    // the kept ones were never touched.
    expect(kept.filter((id) => lab.store.invitationCount(ADMIN, REGION, id) !== 1)).toEqual([]);
    expect(lab.store.duplicateInvitations()).toBe(0);
    for (const [id, record] of undeclared) {
      expect(lab.store.getMember(ADMIN, REGION, id)).toEqual(record);
    }
  });

  // Delete makes 6 mutating calls: DisassociateMembers and DeleteMembers for 3 batches.
  test.each([0, 1, 2, 3, 4, 5])('Delete crashed after %i mutating calls, run again: every declared member gone', async (k) => {
    const undeclared = await deployPrevious();
    await crashAfter(k, () => lab.delete(previous));

    const rerun = await lab.delete(previous);
    expect(rerun.error).toBeUndefined();
    expect(Object.keys(statuses(lab.store)).sort()).toEqual([...undeclared.keys()].sort());
    for (const [id, record] of undeclared) {
      expect(lab.store.getMember(ADMIN, REGION, id)).toEqual(record);
    }
  });
});
