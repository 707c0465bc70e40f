/**
 * The isComplete side of `waitForAcceptance`: polls the declared members' statuses until every
 * one is Enabled, and past the deadline fails naming the members still pending. A Create that
 * times out first removes what it created, as any failed Create does.
 */
import type { MemberInput } from '../../lib/shared/validation';
import type { MemberHub } from './reconcile';
import { describePending, pendingMembers, PendingMember } from './wait';

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

/** The error message of a wait that ran out. */
export function timeoutMessage(waitedSeconds: number, pending: readonly PendingMember[], rollback?: string): string {
  const accounts = new Set(pending.map((p) => p.accountId)).size;
  return `waited ${waitedSeconds} s for every invited member to accept; ${accounts} account${accounts === 1 ? ' is' : 's are'} still pending: ${describePending(pending)}.${rollback ? ` ${rollback}` : ''}`;
}
