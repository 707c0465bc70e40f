import {
  CallLog,
  HubStore,
  MEMBER_STATUSES,
  MemberStatus,
  PROCESSING_RESULTS,
  ServiceError,
  TokenBucketLimiter,
  mulberry32,
  paginate,
  parseIdentity,
  parseMaxResults,
} from '../../local/emulator';

const A = '111111111111';
const B = '333333333333';
const M = '222222222222';
const REGION = 'us-east-1';

function fixedClock(start = Date.parse('2024-05-01T12:00:00.000Z')): { now: () => Date; advance: (ms: number) => void } {
  let t = start;
  return { now: () => new Date(t), advance: (ms) => { t += ms; } };
}

function serviceError(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ServiceError) {
      return err;
    }
    throw err;
  }
  throw new Error('expected a ServiceError');
}

describe('HubStore.seedMember', () => {
  test.each(MEMBER_STATUSES.map((status) => [status]))('seeds a %s member with a consistent member side', (status: MemberStatus) => {
    const store = new HubStore();
    store.seedMember(A, REGION, { accountId: M, email: 'm@example.com', status });

    expect(store.listMembers(A, REGION)).toEqual([expect.objectContaining({
      accountId: M, email: 'm@example.com', administratorId: A, memberStatus: status,
    })]);
    expect(store.getMember(A, REGION, M)?.memberStatus).toBe(status);
    expect(store.invitationsFor(M, REGION)).toHaveLength(status === 'Invited' ? 1 : 0);
    expect(store.administratorOf(M, REGION)).toBe(status === 'Enabled' ? A : undefined);
    // Seeding is not sending: the counters the project asserts on stay untouched.
    expect(store.invitationCount(A, REGION, M)).toBe(0);
    expect(store.duplicateInvitations()).toBe(0);
  });

  test('seeds undeclared members in every status side by side, sorted by account id', () => {
    const store = new HubStore();
    MEMBER_STATUSES.forEach((status, i) => store.seedMember(A, REGION, { accountId: `99999999999${i}`, status }));

    expect(store.listMembers(A, REGION).map((m) => [m.accountId, m.memberStatus])).toEqual(
      MEMBER_STATUSES.map((status, i) => [`99999999999${i}`, status]));
  });

  test('gives an Invited member an invitation its member can accept', () => {
    const store = new HubStore();
    store.seedMember(A, REGION, { accountId: M, status: 'Invited', invitedAt: '2024-01-02T03:04:05.000Z' });
    const [invitation] = store.invitationsFor(M, REGION);

    expect(invitation).toEqual(expect.objectContaining({ accountId: A, administratorId: A, invitedAt: '2024-01-02T03:04:05.000Z', memberStatus: 'Invited' }));
    store.acceptAdministratorInvitation(M, REGION, A, invitation.invitationId);
    expect(store.administratorOf(M, REGION)).toBe(A);
  });

  test('keeps a reported status for the wire until the status changes', () => {
    const store = new HubStore();
    store.seedMember(A, REGION, { accountId: M, status: 'Enabled', reportedStatus: 'ASSOCIATED' });
    expect(store.getMember(A, REGION, M)?.reportedStatus).toBe('ASSOCIATED');

    store.disassociateMembers(A, REGION, [M]);
    expect(store.getMember(A, REGION, M)).toEqual(expect.objectContaining({ memberStatus: 'Removed' }));
    expect(store.getMember(A, REGION, M)?.reportedStatus).toBeUndefined();
  });

  test('fails when seeding an Enabled member that already has another administrator', () => {
    const store = new HubStore();
    store.seedMember(B, REGION, { accountId: M, status: 'Enabled' });
    expect(() => store.seedMember(A, REGION, { accountId: M, status: 'Enabled' })).toThrow(/already an Enabled member of 333333333333/);
  });

  test('fails when seeding the administrator as its own member or an unknown status', () => {
    const store = new HubStore();
    expect(() => store.seedMember(A, REGION, { accountId: A, status: 'Created' })).toThrow(/expected another account id/);
    expect(() => store.seedMember(A, REGION, { accountId: M, status: 'Deleted' as MemberStatus })).toThrow(/expected one of Created/);
  });
});

describe('HubStore operations', () => {
  test('counts invitations sent and second invitations', () => {
    const store = new HubStore();
    store.createMembers(A, REGION, [{ accountId: M }]);
    store.inviteMembers(A, REGION, [M]);
    const first = store.invitationsFor(M, REGION)[0].invitationId;
    store.inviteMembers(A, REGION, [M]);

    expect(store.invitationCount(A, REGION, M)).toBe(2);
    expect(store.duplicateInvitations()).toBe(1);
    // The second invitation replaces the first, as the service does.
    expect(store.invitationsFor(M, REGION)).toHaveLength(1);
    expect(store.invitationsFor(M, REGION)[0].invitationId).not.toBe(first);
  });

  test('stamps status changes with the store clock in UTC', () => {
    const clock = fixedClock();
    const store = new HubStore({ now: clock.now });
    store.createMembers(A, REGION, [{ accountId: M }]);
    clock.advance(60_000);
    store.inviteMembers(A, REGION, [M]);

    expect(store.getMember(A, REGION, M)).toEqual(expect.objectContaining({
      invitedAt: '2024-05-01T12:01:00.000Z',
      updatedAt: '2024-05-01T12:01:00.000Z',
    }));
  });

  test('keeps the service\'s timestamps: each invitation sets InvitedAt, each change sets UpdatedAt (rule R13)', () => {
    const clock = fixedClock();
    const store = new HubStore({ now: clock.now });
    const times = () => {
      const member = store.getMembers(A, REGION, [M]).members[0];
      return { invitedAt: member?.invitedAt, updatedAt: member?.updatedAt };
    };
    store.createMembers(A, REGION, [{ accountId: M }]);
    expect(times()).toEqual({ invitedAt: undefined, updatedAt: '2024-05-01T12:00:00.000Z' });
    clock.advance(1_000);
    store.inviteMembers(A, REGION, [M]);
    expect(times()).toEqual({ invitedAt: '2024-05-01T12:00:01.000Z', updatedAt: '2024-05-01T12:00:01.000Z' });
    clock.advance(1_000);
    store.acceptAdministratorInvitation(M, REGION, A, store.invitationsFor(M, REGION)[0].invitationId);
    // Accepting changes the member, not when it was invited.
    expect(times()).toEqual({ invitedAt: '2024-05-01T12:00:01.000Z', updatedAt: '2024-05-01T12:00:02.000Z' });
    clock.advance(1_000);
    store.disassociateMembers(A, REGION, [M]);
    expect(times()).toEqual({ invitedAt: '2024-05-01T12:00:01.000Z', updatedAt: '2024-05-01T12:00:03.000Z' });
    clock.advance(1_000);
    store.inviteMembers(A, REGION, [M]);
    expect(times()).toEqual({ invitedAt: '2024-05-01T12:00:04.000Z', updatedAt: '2024-05-01T12:00:04.000Z' });
  });

  test('seeds a member with the times given, for a member that existed long before a deploy', () => {
    const store = new HubStore({ now: fixedClock().now });
    store.seedMember(A, REGION, { accountId: M, status: 'Enabled', invitedAt: '2023-01-01T00:00:00.000Z', updatedAt: '2023-01-02T00:00:00.000Z' });
    store.seedMember(A, REGION, { accountId: B, status: 'Created' });
    expect(store.getMember(A, REGION, M)).toEqual(expect.objectContaining({ invitedAt: '2023-01-01T00:00:00.000Z', updatedAt: '2023-01-02T00:00:00.000Z' }));
    expect(store.getMember(A, REGION, B)).toEqual(expect.objectContaining({ updatedAt: '2024-05-01T12:00:00.000Z' }));
    expect(store.getMember(A, REGION, B)?.invitedAt).toBeUndefined();
  });

  test('answers the quota message once the administrator has its quota of members', () => {
    const store = new HubStore({ memberQuota: 2 });
    const unprocessed = store.createMembers(A, REGION, [{ accountId: '000000000001' }, { accountId: '000000000002' }, { accountId: '000000000003' }]);

    expect(unprocessed).toEqual([{ accountId: '000000000003', processingResult: PROCESSING_RESULTS.quota(2) }]);
    expect(store.listMembers(A, REGION)).toHaveLength(2);
  });

  test('fails when an id list is empty or longer than 50', () => {
    const store = new HubStore();
    const ids = Array.from({ length: 51 }, (_, i) => String(100000000000 + i));

    expect(serviceError(() => store.getMembers(A, REGION, [])).type).toBe('InvalidInputException');
    expect(serviceError(() => store.deleteMembers(A, REGION, ids)).message).toMatch(/1 to 50 account ids/);
    expect(serviceError(() => store.createMembers(A, REGION, ids.map((accountId) => ({ accountId })))).message).toMatch(/AccountDetails/);
  });

  test('tracks the revision so the emulator knows when to persist', () => {
    const store = new HubStore();
    const before = store.revision;
    store.getMembers(A, REGION, [M]);
    expect(store.revision).toBe(before);
    store.createMembers(A, REGION, [{ accountId: M }]);
    expect(store.revision).toBeGreaterThan(before);
  });

  test('lists hubs with state and describes their ARN per partition', () => {
    const store = new HubStore();
    store.enableHub(A, 'cn-north-1');
    store.seedMember(B, REGION, { accountId: M, status: 'Created' });

    expect(store.hubList().map((hub) => [hub.account, hub.region, hub.enabled, hub.memberCount])).toEqual([
      [A, 'cn-north-1', true, 0],
      [B, REGION, false, 1],
    ]);
    expect(store.describeHub(A, 'cn-north-1').hubArn).toBe(`arn:aws-cn:securityhub:cn-north-1:${A}:hub/default`);
    expect(serviceError(() => store.describeHub(B, REGION)).type).toBe('InvalidAccessException');
  });
});

describe('HubStore persistence', () => {
  test('round-trips through JSON with members, invitations and counters', () => {
    const store = new HubStore();
    store.enableHub(A, REGION);
    store.createMembers(A, REGION, [{ accountId: M, email: 'm@example.com' }, { accountId: B }]);
    store.inviteMembers(A, REGION, [M, B]);
    store.inviteMembers(A, REGION, [B]);
    store.acceptAdministratorInvitation(M, REGION, A, store.invitationsFor(M, REGION)[0].invitationId);
    store.seedMember(A, 'eu-west-1', { accountId: M, status: 'Resigned' });

    const copy = HubStore.fromJSON(JSON.parse(JSON.stringify(store.toJSON())));

    expect(copy.toJSON()).toEqual(store.toJSON());
    expect(copy.administratorOf(M, REGION)).toBe(A);
    expect(copy.invitationsFor(B, REGION)).toEqual(store.invitationsFor(B, REGION));
    expect(copy.invitationCount(A, REGION, B)).toBe(2);
    expect(copy.duplicateInvitations()).toBe(1);
    expect(copy.describeHub(A, REGION).subscribedAt).toBe(store.describeHub(A, REGION).subscribedAt);
  });

  test('fails when the JSON is not an emulator state', () => {
    expect(() => HubStore.fromJSON({ hubs: [] })).toThrow(/"version": 1/);
    expect(() => HubStore.fromJSON({ version: 1, hubs: [{ account: A }] })).toThrow(/needs "account", "region" and "members"/);
    expect(() => HubStore.fromJSON({ version: 1, hubs: [{ account: A, region: REGION, members: [{ accountId: M, memberStatus: 'Deleted' }] }] }))
      .toThrow(/member entry/);
  });
});

describe('paginate', () => {
  const items = Array.from({ length: 7 }, (_, i) => `id${i}`);

  test('walks every item once in order with tokens', () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = paginate('test', items, (item) => item, 3, token);
      seen.push(...page.items);
      token = page.nextToken;
      pages++;
    } while (token);

    expect(seen).toEqual(items);
    expect(pages).toBe(3);
  });

  test('answers no token when everything fits, and treats an empty token as none', () => {
    expect(paginate('test', items, (item) => item, 7, '')).toEqual({ items });
  });

  test('fails when the token is garbage or from another list', () => {
    const other = paginate('other', items, (item) => item, 1, undefined).nextToken;
    expect(serviceError(() => paginate('test', items, (item) => item, 1, 'not-a-token')).message).toMatch(/NextToken is not valid/);
    expect(serviceError(() => paginate('test', items, (item) => item, 1, other)).type).toBe('InvalidInputException');
  });

  test.each([['0'], ['51'], ['abc'], ['1.5'], ['']])('fails when MaxResults is %p', (value) => {
    expect(serviceError(() => parseMaxResults(value)).message).toMatch(/from 1 to 50/);
  });

  test('reads MaxResults, 50 when absent', () => {
    expect(parseMaxResults(null)).toBe(50);
    expect(parseMaxResults('1')).toBe(1);
    expect(parseMaxResults('50')).toBe(50);
  });
});

describe('parseIdentity', () => {
  const header = (key: string, region = 'eu-west-1'): string =>
    `AWS4-HMAC-SHA256 Credential=${key}/20240501/${region}/securityhub/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;

  test.each([
    ['999999999999', '999999999999'],
    ['AKID999999999999', '999999999999'],
    ['ASIA123456789012XYZ', '123456789012'],
  ])('reads account %s from the access key id', (key, account) => {
    expect(parseIdentity(header(key))).toEqual({ ok: true, identity: { account, region: 'eu-west-1', accessKeyId: key } });
  });

  test.each([
    ['no header', undefined],
    ['another scheme', 'Bearer abc'],
    ['no credential scope', 'AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc'],
    ['no 12-digit run', header('AKIDEXAMPLE')],
    ['13 digits', header('1234567890123')],
    ['11 digits', header('12345678901')],
  ])('fails with a hint on %s', (_name, value) => {
    const result = parseIdentity(value);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/AWS_ACCESS_KEY_ID/);
  });
});

describe('TokenBucketLimiter', () => {
  test('allows a burst, then refills continuously up to the burst', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ ratePerSecond: 10, burst: 30 }, () => now);
    const burst = Array.from({ length: 31 }, () => limiter.tryTake('a'));
    expect(burst.filter(Boolean)).toHaveLength(30);
    expect(burst[30]).toBe(false);

    now += 100;
    expect(limiter.tryTake('a')).toBe(true);
    expect(limiter.tryTake('a')).toBe(false);

    now += 60_000;
    expect(Array.from({ length: 31 }, () => limiter.tryTake('a')).filter(Boolean)).toHaveLength(30);
  });

  test('keeps one bucket per key', () => {
    const limiter = new TokenBucketLimiter({ ratePerSecond: 0, burst: 1 }, () => 0);
    expect([limiter.tryTake('a'), limiter.tryTake('a'), limiter.tryTake('b')]).toEqual([true, false, true]);
  });

  test('fails when the settings cannot work', () => {
    expect(() => new TokenBucketLimiter({ ratePerSecond: 10, burst: 0 })).toThrow(/burst >= 1/);
  });
});

describe('mulberry32', () => {
  test('repeats the same sequence for the same seed, within [0, 1)', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const seqA = Array.from({ length: 100 }, () => a());
    const seqB = Array.from({ length: 100 }, () => b());
    const seqC = Array.from({ length: 100 }, () => c());

    expect(seqA).toEqual(seqB);
    expect(seqA).not.toEqual(seqC);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('CallLog', () => {
  test('counts and filters by account, region and operation', () => {
    const log = new CallLog();
    const at = new Date().toISOString();
    log.record({ operation: 'ListMembers', account: A, region: REGION, httpStatus: 200, applied: false, at });
    log.record({ operation: 'ListMembers', account: A, region: 'eu-west-1', httpStatus: 429, errorType: 'LimitExceededException', applied: false, at });
    log.record({ operation: 'CreateMembers', account: B, region: REGION, httpStatus: 200, accountIds: [M], applied: true, at });

    expect(log.total()).toBe(3);
    expect(log.countsByOperation()).toEqual({ ListMembers: 2, CreateMembers: 1 });
    expect(log.countsByOperation({ region: REGION })).toEqual({ ListMembers: 1, CreateMembers: 1 });
    expect(log.entries({ account: B })[0].accountIds).toEqual([M]);
    expect(log.total({ account: A, operation: 'ListMembers', region: 'eu-west-1' })).toBe(1);

    log.reset();
    expect(log.total()).toBe(0);
  });
});
