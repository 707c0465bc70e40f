/**
 * The isComplete side of `waitForAcceptance`: polls the declared members' statuses until every
 * one is Enabled, and past the deadline fails naming the members still pending. A Create that
 * times out first removes what it created, as any failed Create does.
 */
import type { MemberInput } from '../../lib/shared/validation';
import { AccountGroup, FULL_LIST_IN_LOG, listAccounts, logAccountIds } from '../shared/errors';
import type { Log } from '../shared/log';
import type { MemberHub } from './reconcile';
import { pendingMembers, PendingMember } from './wait';

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
 * The error message of a wait that ran out. With many pending members it names as many as fit in
 * a CloudFormation response and logs every pending account id once.
 */
export function timeoutMessage(log: Log, waitedSeconds: number, pending: readonly PendingMember[], undo?: string): string {
  const accounts = new Set(pending.map((p) => p.accountId)).size;
  logAccountIds(log, 'waiting for acceptance ran out; still pending', pending.map((p) => p.accountId));
  const list = listAccounts(pendingGroups(pending), 'in other regions or statuses');
  const pointer = list.complete ? '' : ` ${FULL_LIST_IN_LOG}`;
  return `waited ${waitedSeconds} s for every invited member to accept; ${accounts} account${accounts === 1 ? ' is' : 's are'} still pending: ${list.text}.${pointer}${undo ? ` ${undo}` : ''}`;
}

/** Pending members grouped by region and status, e.g. `111111111111, 222222222222 in us-east-1 (Invited)`. */
function pendingGroups(pending: readonly PendingMember[]): AccountGroup[] {
  const groups = new Map<string, string[]>();
  for (const p of pending) {
    const key = `${p.region} (${p.status})`;
    const ids = groups.get(key) ?? [];
    ids.push(p.accountId);
    groups.set(key, ids);
  }
  return [...groups].map(([key, accountIds]) => ({ accountIds, label: ` in ${key}` }));
}
