/**
 * The isComplete side of `waitForAcceptance`: polls the declared members' statuses until every
 * one is Enabled, and past the deadline fails naming the members still pending. A Create that
 * times out first removes what it created, as any failed Create does.
 */
import type { MemberInput } from '../../lib/shared/validation';
import { AccountFailure, reasonOf } from '../shared/errors';
import { log } from '../shared/log';
import { planRemovals } from './planner';
import type { MemberHub } from './reconcile';
import { decodeMask, describePending, pendingMembers, PendingMember } from './wait';

/** What the poll found. */
export interface AcceptanceCheck {
  readonly pending: PendingMember[];
  /** Declared members Enabled and Invited now, summed over regions. */
  readonly enabled: number;
  readonly invited: number;
}

/** Reads every declared member's status in every region. */
export async function checkAcceptance(declared: readonly MemberInput[], regions: readonly string[], hubFor: (region: string) => MemberHub): Promise<AcceptanceCheck> {
  const ids = declared.map((m) => m.accountId);
  const perRegion = await Promise.all(regions.map(async (region) => {
    const statuses = await hubFor(region).getStatuses(ids);
    return { region, statuses };
  }));
  const pending = perRegion.flatMap(({ region, statuses }) => pendingMembers(region, declared, statuses));
  const count = (status: string) => perRegion.reduce((sum, { statuses }) => sum + ids.filter((id) => statuses.get(id)?.toLowerCase() === status).length, 0);
  return { pending, enabled: count('enabled') + count('associated'), invited: count('invited') };
}

/**
 * Removes, by the removal table, the accounts a Create created (as recorded in its mask per region).
 * Returns the accounts that could not be removed.
 */
export async function removeCreated(declared: readonly MemberInput[], regions: readonly string[], masks: readonly string[], hubFor: (region: string) => MemberHub): Promise<{ removed: number; failures: AccountFailure[] }> {
  const results = await Promise.all(regions.map(async (region, i) => {
    const created = decodeMask(declared, masks[i] ?? '');
    if (created.length === 0) {
      return { removed: 0, failures: [] as AccountFailure[] };
    }
    const hub = hubFor(region);
    try {
      const plan = planRemovals(region, created, await hub.getStatuses(created));
      const disassociateFailures = await hub.disassociateMembers(plan.disassociate);
      const failed = new Set(disassociateFailures.map((f) => f.accountId));
      const deleteFailures = await hub.deleteMembers(plan.delete.filter((id) => !failed.has(id)));
      const failures = [...disassociateFailures, ...deleteFailures];
      return { removed: plan.delete.length - failures.length, failures };
    } catch (error) {
      return { removed: 0, failures: created.map((accountId) => ({ accountId, region, reason: reasonOf(error) })) };
    }
  }));
  const removed = results.reduce((sum, r) => sum + r.removed, 0);
  const failures = results.flatMap((r) => r.failures);
  log(failures.length ? 'ERROR' : 'INFO', 'rollback', { removed, failed: failures.map((f) => `${f.accountId}:${f.region}`) });
  return { removed, failures };
}

/** The error message of a wait that ran out. */
export function timeoutMessage(waitedSeconds: number, pending: readonly PendingMember[], rollback?: string): string {
  const accounts = new Set(pending.map((p) => p.accountId)).size;
  return `waited ${waitedSeconds} s for every invited member to accept; ${accounts} account${accounts === 1 ? ' is' : 's are'} still pending: ${describePending(pending)}.${rollback ? ` ${rollback}` : ''}`;
}
