/**
 * Lost answers (rule R5, docs/design.md): the local Security Hub applies a call and then answers 500, or
 * drops the connection, as when the service did the work but the answer never arrived. A blind
 * retry of InviteMembers would send a second invitation; the handler must look before it invites
 * again, and take "already a member" and "not a member" on a retry as done.
 */
import type { EmulatorFaults } from '../../local/emulator';
import { ADMIN, Lab, REGION, lostAnswers, members, seedUndeclared, startLab, statuses } from './faults-helpers';

const ids = (list: { accountId: string }[]) => list.map((m) => m.accountId);

describe('lost answers: applied calls answered 500 or dropped', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab();
  });
  afterAll(() => lab?.close());

  /** Create, Update (50 kept, 50 removed, 50 added) and Delete of 100 members, checked after each. */
  async function lifecycle(faults: EmulatorFaults): Promise<void> {
    lab.reset();
    const undeclared = seedUndeclared(lab.store);
    lab.emulator.setFaults(faults);
    const first = members(100).map((m) => ({ ...m, email: `sec-${m.accountId}@example.com` }));

    const created = await lab.create(first);
    expect(created.error).toBeUndefined();
    expect(created.result?.Data).toMatchObject({ MemberCount: '100', InvitedCount: '100' });
    expect(ids(first).filter((id) => lab.store.invitationCount(ADMIN, REGION, id) !== 1)).toEqual([]);

    const second = members(100, 100000000050);
    const updated = await lab.update(first, second);
    expect(updated.error).toBeUndefined();
    const hub = statuses(lab.store);
    expect(Object.keys(hub).sort()).toEqual([...ids(second), ...undeclared.keys()].sort());
    expect(ids(second).filter((id) => hub[id] !== 'Invited' || lab.store.invitationCount(ADMIN, REGION, id) !== 1)).toEqual([]);

    const deleted = await lab.delete(second);
    expect(deleted.error).toBeUndefined();
    expect(Object.keys(statuses(lab.store)).sort()).toEqual([...undeclared.keys()].sort());

    expect(lab.store.duplicateInvitations()).toBe(0);
    for (const [id, record] of undeclared) {
      expect(lab.store.getMember(ADMIN, REGION, id)).toEqual(record);
    }
  }

  test.each<[string, EmulatorFaults]>([
    ['30% of answers lost as 500s', { lostAnswerRate: 0.3 }],
    ['30% of connections dropped after the work was done', { dropConnectionRate: 0.3 }],
    ['15% of answers lost and 15% dropped', { lostAnswerRate: 0.15, dropConnectionRate: 0.15 }],
  ])('Create, Update and Delete of 100 members converge with %s, with no second invitation', async (_what, faults) => {
    // A lifecycle of 100 members makes about a dozen mutating calls: four seeds make sure the
    // faults hit every kind of call, InviteMembers included.
    let lost = 0;
    let lostInvitations = 0;
    for (const seed of [1, 2, 3, 4]) {
      await lifecycle({ ...faults, seed });
      lost += lostAnswers(lab.calls).length;
      lostInvitations += lostAnswers(lab.calls, 'InviteMembers').length;
    }
    expect(lost).toBeGreaterThan(5);
    expect(lostInvitations).toBeGreaterThan(0);
  });

  test('a failed Update and its rollback converge with 30% of answers lost, with no second invitation', async () => {
    lab.reset();
    const undeclared = seedUndeclared(lab.store);
    const before = members(100);
    expect((await lab.create(before)).ok).toBe(true);
    const uninvitable = '100000000120';
    lab.emulator.setFaults({ lostAnswerRate: 0.3, seed: 21, uninvitableAccounts: [uninvitable] });

    // 50 kept, 50 removed, 50 added, one of which can't be invited: the Update fails, undoes its
    // own creations, and CloudFormation rolls it back.
    const after = members(100, 100000000050);
    const failed = await lab.update(before, after);
    expect(failed.ok).toBe(false);
    expect(failed.error?.message).toMatch(new RegExp(`Adding members failed for 1 account: ${uninvitable} in ${REGION}: .*not verified.*Undone: `));
    const rollback = await lab.update(after, before);
    expect(rollback.error).toBeUndefined();

    const hub = statuses(lab.store);
    expect(Object.keys(hub).sort()).toEqual([...ids(before), ...undeclared.keys()].sort());
    expect(ids(before).filter((id) => hub[id] !== 'Invited' || lab.store.invitationCount(ADMIN, REGION, id) !== 1)).toEqual([]);
    expect(lab.store.duplicateInvitations()).toBe(0);
    expect(lostAnswers(lab.calls).length).toBeGreaterThan(0);
  });
});
