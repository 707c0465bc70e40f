/**
 * The two Security Hub reads more than one caller makes: GetMembers in batches of 50, and the
 * pagination of a list call. The members handler, the drift command, the scheduled audit and the
 * accepter all use these, so a fix to either reaches every one of them.
 */
import { GetMembersCommand } from '@aws-sdk/client-securityhub';
import { MAX_IDS_PER_CALL } from '../../../lib/shared/contract';
import { normalizeStatus } from '../status';
import { chunk, mapWithConcurrency } from '../batch';
import type { RegionClients } from '../client';

/** What {@link readMemberStatuses} does with members in status `Deleted`. */
export type DeletedMembers =
  /** Left out, as non-members: what the handlers plan from (a Deleted member is not a member). */
  | 'drop'
  /** Kept with their status: what an audit reports (the service still lists them). */
  | 'keep';

/** Options of {@link readMemberStatuses}. */
export interface ReadMemberStatusesOptions {
  /** What to do with members whose status is `Deleted`. */
  readonly deleted: DeletedMembers;
}

/** One member as GetMembers reports it. */
export interface MemberRecord {
  /** The service's status, as it spells it. */
  readonly status: string;
  /** The email the member was created with, when the service has one. */
  readonly email?: string;
  readonly invitedAt?: Date;
  readonly updatedAt?: Date;
}

/**
 * Each of `accountIds` that is a member, by account id, as GetMembers reports it: at most 50 ids
 * a call, a bounded number in flight. A non-member (the service answers it in UnprocessedAccounts)
 * is absent. Throws when a call fails.
 */
export async function readMembers(clients: RegionClients, accountIds: readonly string[], options: ReadMemberStatusesOptions): Promise<Map<string, MemberRecord>> {
  const members = new Map<string, MemberRecord>();
  await mapWithConcurrency(chunk(accountIds, MAX_IDS_PER_CALL), clients.tuning.concurrency, async (batch) => {
    const out = await clients.client.send(new GetMembersCommand({ AccountIds: batch }));
    for (const member of out.Members ?? []) {
      // Only what was asked: an answer about another account is not this read's to report.
      if (!member.AccountId || !batch.includes(member.AccountId)) {
        continue;
      }
      const status = member.MemberStatus ?? 'unknown';
      if (options.deleted === 'drop' && normalizeStatus(status) === 'NotMember') {
        continue;
      }
      members.set(member.AccountId, {
        status,
        ...(member.Email ? { email: member.Email } : {}),
        ...(member.InvitedAt ? { invitedAt: member.InvitedAt } : {}),
        ...(member.UpdatedAt ? { updatedAt: member.UpdatedAt } : {}),
      });
    }
  });
  return members;
}

/** The raw status of each of `accountIds` that is a member, by account id ({@link readMembers}). */
export async function readMemberStatuses(clients: RegionClients, accountIds: readonly string[], options: ReadMemberStatusesOptions): Promise<Map<string, string>> {
  const members = await readMembers(clients, accountIds, options);
  return new Map([...members].map(([id, member]) => [id, member.status]));
}

/** One page of a list call. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextToken?: string;
}

/**
 * Every item of a paginated call, page after page. A token the service already handed out is an
 * error: following it again would loop until the function's timeout.
 *
 * @param operation the call's name, for the error
 * @param fetchPage reads the page of a token (undefined: the first page)
 */
export async function allPages<T>(operation: string, fetchPage: (nextToken: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    items.push(...page.items);
    // An empty string is no token, as the SDK's own paginators read it.
    token = page.nextToken || undefined;
    if (token !== undefined) {
      if (seen.has(token)) {
        throw new Error(`${operation} returned the NextToken ${JSON.stringify(token)} twice: expected each page once`);
      }
      seen.add(token);
    }
  } while (token !== undefined);
  return items;
}
