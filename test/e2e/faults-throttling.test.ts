/**
 * Throttling at scale (docs/design.md, "Scale and regions"): 1,000 members against the local Security Hub's real
 * rate limit (10 requests/s, burst 30), with the handler's default pacing and the SDK's adaptive
 * retry. Call counts are asserted, not time: speed is measured by the benchmark.
 */
import { ListMembersCommand } from '@aws-sdk/client-securityhub';
import { OUTCOME_INVITE_REREAD } from '../../lib/shared/contract';
import { emulatorClient, SERVICE_RATE_LIMIT } from '../../local/emulator';
import { ADMIN, Lab, REGION, SentEvent, members, startLab, statuses } from './faults-helpers';

const THOUSAND = members(1000);

/** The handler's own calls (not the other caller's ListMembers) by operation, counting those answered `status`. */
function handlerCalls(lab: Lab, status: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of lab.calls.entries()) {
    if (call.httpStatus === status && call.operation !== 'ListMembers') {
      counts[call.operation] = (counts[call.operation] ?? 0) + 1;
    }
  }
  return counts;
}

/**
 * Exactly `expected` successful calls per operation, and every other call a 429 that the SDK
 * retried: nothing failed for another reason, and no work was done twice.
 */
function expectCalls(lab: Lab, expected: Record<string, number>): number {
  expect(handlerCalls(lab, 200)).toEqual(expected);
  const throttled = handlerCalls(lab, 429);
  const all = lab.calls.entries().filter((c) => c.operation !== 'ListMembers');
  expect(all.filter((c) => c.httpStatus !== 200 && c.httpStatus !== 429)).toEqual([]);
  return Object.values(throttled).reduce((sum, n) => sum + n, 0);
}

/** The `outcome` field of a handler's JSON log line, if it has one. */
function outcomeOf(line: string): string | undefined {
  try {
    return (JSON.parse(line) as { outcome?: string }).outcome;
  } catch {
    return undefined;
  }
}

function expectAllInvitedOnce(lab: Lab): void {
  const hub = statuses(lab.store);
  expect(Object.keys(hub)).toHaveLength(1000);
  expect(Object.values(hub).filter((s) => s !== 'Invited')).toEqual([]);
  expect(lab.store.duplicateInvitations()).toBe(0);
}

describe('1,000 members under the service rate limit, with the handler\'s default pacing', () => {
  let lab: Lab | undefined;
  afterEach(() => lab?.close());

  test('Create takes 20 calls of each operation; a no-change Update takes 20 reads', async () => {
    // No SECURITYHUB_MEMBERS_* variables: the defaults (10/s, burst 30) match the service's limit.
    lab = await startLab({ emulator: { rateLimit: SERVICE_RATE_LIMIT }, environment: {} });
    const created = await lab.create(THOUSAND);
    expect(created.error).toBeUndefined();
    expect(created.result?.Data).toEqual({ MemberCount: '1000', EnabledCount: '0', InvitedCount: '1000' });
    // Pacing at exactly the service's rate leaves no margin for jitter on a busy machine: a rare
    // 429 is possible, and is then retried without repeating any work.
    expectCalls(lab, { GetMembers: 20, CreateMembers: 20, InviteMembers: 20 });
    expectAllInvitedOnce(lab);

    lab.calls.reset();
    const unchanged = await lab.update(THOUSAND, THOUSAND);
    expect(unchanged.error).toBeUndefined();
    expectCalls(lab, { GetMembers: 20 });
  });

  test('Create converges when another caller shares the limit: throttled calls are retried, 20 successful calls of each', async () => {
    lab = await startLab({ emulator: { rateLimit: SERVICE_RATE_LIMIT }, environment: {} });
    // Another tool of the administrator account reads its members a few times a second, from the
    // same bucket; it does not retry.
    const other = emulatorClient(lab.emulator.url, ADMIN, REGION, { maxAttempts: 1 });
    let running = true;
    const competitor = (async () => {
      while (running) {
        await other.send(new ListMembersCommand({ OnlyAssociated: false })).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    let created: SentEvent | undefined;
    try {
      created = await lab.create(THOUSAND);
    } finally {
      running = false;
      await competitor;
      other.destroy();
    }
    expect(created?.error).toBeUndefined();
    // On a busy machine a batch's InviteMembers can meet the shared limit on every one of its
    // attempts; the handler then reads that batch's statuses before inviting again (rule R5), one
    // GetMembers each time, and logs it. Those reads are the only calls beyond the 20 of each.
    const rereads = created!.logs.filter((line) => outcomeOf(line) === OUTCOME_INVITE_REREAD).length;
    expect(expectCalls(lab, { GetMembers: 20 + rereads, CreateMembers: 20, InviteMembers: 20 })).toBeGreaterThan(0);
    expect(lab.calls.entries().filter((c) => c.operation === 'ListMembers' && c.httpStatus === 200).length).toBeGreaterThan(0);
    expectAllInvitedOnce(lab);
  });
});
