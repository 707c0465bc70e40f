import { decodeMask, decodeMasks, encodeMask, encodeMasks, pendingMembers } from '../../../lambda/members/wait';

const declared = Array.from({ length: 20 }, (_, i) => ({ accountId: String(100000000000 + i) }));

describe('created-account mask', () => {
  test.each([
    [[]],
    [[0]],
    [[0, 7, 8, 19]],
    [declared.map((_, i) => i)],
  ])('round-trips the accounts at %j', (indexes) => {
    const created = new Set(indexes.map((i) => declared[i].accountId));
    expect(decodeMask(declared, encodeMask(declared, created))).toEqual(declared.filter((m) => created.has(m.accountId)).map((m) => m.accountId));
  });

  test('stays small for 1,000 members: well under the 4 KB response limit', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ accountId: String(100000000000 + i) }));
    expect(encodeMask(many, new Set(many.map((m) => m.accountId))).length).toBeLessThanOrEqual(170);
  });

  test('an empty mask decodes to nothing', () => {
    expect(decodeMask(declared, '')).toEqual([]);
  });
});

describe('masks of several regions', () => {
  test('are written once when every region\'s is the same, and read back for each region', () => {
    expect(encodeMasks(['AQ', 'AQ', 'AQ'])).toBe('*AQ');
    expect(decodeMasks('*AQ', 3)).toEqual(['AQ', 'AQ', 'AQ']);
  });

  test('are joined when they differ, and a missing one reads as empty', () => {
    expect(encodeMasks(['AQ', 'Ag'])).toBe('AQ,Ag');
    expect(decodeMasks('AQ,Ag', 3)).toEqual(['AQ', 'Ag', '']);
  });
});

describe('pendingMembers', () => {
  test('every declared member that is not Enabled, except statuses waiting cannot change', () => {
    const statuses = new Map([
      ['100000000000', 'Enabled'],
      ['100000000001', 'ASSOCIATED'],
      ['100000000002', 'Invited'],
      ['100000000003', 'Resigned'],
      ['100000000004', 'AccountSuspended'],
    ]);
    const pending = pendingMembers('us-east-1', declared.slice(0, 6), statuses);
    expect(pending).toEqual([
      { accountId: '100000000002', region: 'us-east-1', status: 'Invited' },
      { accountId: '100000000003', region: 'us-east-1', status: 'Resigned' },
      { accountId: '100000000005', region: 'us-east-1', status: 'not a member' },
    ]);
  });
});
