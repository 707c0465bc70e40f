import {
  eventTargets,
  planDeclared,
  planRegion,
  planRemoval,
  planRemovals,
} from '../../../lambda/members/planner';
import { MemberState, normalizeStatus } from '../../../lambda/shared/status';

describe('planDeclared: every row of the declared-account table', () => {
  test.each<[MemberState, boolean, { create: boolean; invite: boolean; skip: boolean }]>([
    ['NotMember', true, { create: true, invite: true, skip: false }],
    ['NotMember', false, { create: true, invite: false, skip: false }],
    ['Created', true, { create: false, invite: true, skip: false }],
    ['Created', false, { create: false, invite: false, skip: false }],
    ['Invited', true, { create: false, invite: false, skip: false }],
    ['Invited', false, { create: false, invite: false, skip: false }],
    ['Enabled', true, { create: false, invite: false, skip: false }],
    ['Enabled', false, { create: false, invite: false, skip: false }],
    ['Removed', true, { create: false, invite: true, skip: false }],
    ['Removed', false, { create: false, invite: false, skip: false }],
    ['Resigned', true, { create: false, invite: true, skip: false }],
    ['Resigned', false, { create: false, invite: false, skip: false }],
    ['Other', true, { create: false, invite: false, skip: true }],
    ['Other', false, { create: false, invite: false, skip: true }],
  ])('%s with invite=%s', (state, invite, expected) => {
    expect(planDeclared(state, invite)).toEqual(expected);
  });
});

describe('planRemoval: every row of the removal table', () => {
  test.each<[MemberState, string]>([
    ['Enabled', 'disassociate-and-delete'],
    ['Invited', 'disassociate-and-delete'],
    ['Created', 'delete'],
    ['Removed', 'delete'],
    ['Resigned', 'delete'],
    ['Other', 'delete'],
    ['NotMember', 'none'],
  ])('%s: %s', (state, expected) => {
    expect(planRemoval(state)).toBe(expected);
  });

  test('the legacy Associated status is disassociated first', () => {
    expect(planRemoval(normalizeStatus('Associated'))).toBe('disassociate-and-delete');
  });
});

describe('planRegion', () => {
  const region = 'us-east-1';
  const a = { accountId: '111111111111', email: 'a@example.com' };
  const b = { accountId: '222222222222' };
  const c = { accountId: '333333333333' };
  const d = { accountId: '444444444444' };

  test('Create: new accounts are created and invited, with their emails', () => {
    const plan = planRegion({ region, declared: [a, b], previous: [] }, new Map(), true);
    expect(plan.create).toEqual([a, b]);
    expect(plan.invite).toEqual([a.accountId, b.accountId]);
    expect(plan.delete).toEqual([]);
  });

  test('Create without invite only creates', () => {
    const plan = planRegion({ region, declared: [a], previous: [] }, new Map(), false);
    expect(plan.create).toEqual([a]);
    expect(plan.invite).toEqual([]);
  });

  test('Update: adds new accounts, heals, keeps, and removes accounts no longer declared', () => {
    const statuses = new Map([
      [a.accountId, 'Enabled'],
      [b.accountId, 'Resigned'],
      [d.accountId, 'Invited'],
    ]);
    const plan = planRegion({ region, declared: [a, b, c], previous: [a.accountId, b.accountId, d.accountId] }, statuses, true);
    expect(plan.create).toEqual([c]);
    expect(plan.invite).toEqual([b.accountId, c.accountId]);
    expect(plan.unchanged).toEqual([a.accountId]);
    expect(plan.disassociate).toEqual([d.accountId]);
    expect(plan.delete).toEqual([d.accountId]);
  });

  test('Update: a previous account that is no longer a member needs nothing', () => {
    const plan = planRegion({ region, declared: [], previous: [a.accountId] }, new Map(), true);
    expect(plan.delete).toEqual([]);
    expect(plan.disassociate).toEqual([]);
  });

  test('skips declared accounts in a status it does not act on, and reports them', () => {
    const plan = planRegion({ region, declared: [a], previous: [] }, new Map([[a.accountId, 'AccountSuspended']]), true);
    expect(plan.skipped).toEqual([{ accountId: a.accountId, status: 'AccountSuspended' }]);
    expect(plan.create).toEqual([]);
    expect(plan.invite).toEqual([]);
  });

  test('never plans anything for an account outside D ∪ P, whatever its status', () => {
    const statuses = new Map([[d.accountId, 'Enabled'], [c.accountId, 'Created']]);
    const plan = planRegion({ region, declared: [a], previous: [b.accountId] }, statuses, true);
    const touched = [...plan.create.map((m) => m.accountId), ...plan.invite, ...plan.disassociate, ...plan.delete, ...plan.unchanged];
    expect(touched).not.toContain(c.accountId);
    expect(touched).not.toContain(d.accountId);
  });

  test('planRemovals removes by the removal table', () => {
    const statuses = new Map([[a.accountId, 'Invited'], [b.accountId, 'Created']]);
    const plan = planRemovals(region, [a.accountId, b.accountId, c.accountId], statuses);
    expect(plan.disassociate).toEqual([a.accountId]);
    expect(plan.delete).toEqual([a.accountId, b.accountId]);
  });
});

describe('eventTargets', () => {
  const m = [{ accountId: '111111111111' }];
  test('a region only in the new set starts from nothing; one only in the old set is emptied', () => {
    expect(eventTargets(m, ['us-east-1', 'eu-west-1'], ['222222222222'], ['us-east-1', 'us-west-2'])).toEqual([
      { region: 'us-east-1', declared: m, previous: ['222222222222'] },
      { region: 'eu-west-1', declared: m, previous: [] },
      { region: 'us-west-2', declared: [], previous: ['222222222222'] },
    ]);
  });
});
