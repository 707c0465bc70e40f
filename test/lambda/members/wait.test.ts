import { CREATED_RECORD_BUDGET, CREATED_UNKNOWN, decodeCreated, encodeCreated, pendingMembers } from '../../../lambda/members/wait';

const declared = Array.from({ length: 20 }, (_, i) => ({ accountId: String(100000000000 + i) }));

describe('record of the accounts a Create created', () => {
  const ids = (indexes: number[]) => new Set(indexes.map((i) => declared[i].accountId));

  test.each([
    [[[]]],
    [[[0]]],
    [[[0, 7, 8, 19], [1, 2], []]],
    [[declared.map((_, i) => i), declared.map((_, i) => i)]],
  ])('round-trips the accounts created in each region: %j', (perRegion) => {
    const created = perRegion.map(ids);
    const encoded = encodeCreated(declared, created);
    expect(encoded).toMatch(/^z[A-Za-z0-9_-]*$/);
    expect(decodeCreated(declared, encoded, perRegion.length)).toEqual(created.map((set) => declared.filter((m) => set.has(m.accountId)).map((m) => m.accountId)));
  });

  test('1,000 members in 40 regions, all created but one account in one region, take a few dozen characters', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ accountId: String(100000000000 + i) }));
    const all = new Set(many.map((m) => m.accountId));
    const created = Array.from({ length: 40 }, (_, r) => (r === 7 ? new Set([...all].filter((id) => id !== '100000000500')) : all));
    const encoded = encodeCreated(many, created);
    expect(encoded.length).toBeLessThan(100);
    const decoded = decodeCreated(many, encoded, 40)!;
    expect(decoded[7]).toHaveLength(999);
    expect(decoded[7]).not.toContain('100000000500');
    expect(decoded[8]).toHaveLength(1000);
  });

  test('a pattern too irregular to fit is recorded as unknown, and unknown decodes to undefined', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ accountId: String(100000000000 + i) }));
    // A different pseudo-random half of the accounts in each of 30 regions: incompressible.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const created = Array.from({ length: 30 }, () => new Set(many.filter(() => random() < 0.5).map((m) => m.accountId)));
    const encoded = encodeCreated(many, created);
    expect(encoded).toBe(CREATED_UNKNOWN);
    expect(encoded.length).toBeLessThanOrEqual(CREATED_RECORD_BUDGET);
    expect(decodeCreated(many, encoded, 30)).toBeUndefined();
    expect(decodeCreated(many, 'z!!not-deflate', 30)).toBeUndefined();
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
