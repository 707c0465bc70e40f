/**
 * The Security Hub member calls of one region: batches of at most 50 ids, a bounded number in
 * flight, and the checks that make a retried or half-answered call safe (rule R5, docs/design.md).
 */
import {
  CreateMembersCommand,
  DeleteMembersCommand,
  DisassociateMembersCommand,
  InviteMembersCommand,
  Result,
} from '@aws-sdk/client-securityhub';
import { InviteRereadRecord, MAX_IDS_PER_CALL, OUTCOME_INVITE_REREAD } from '../../lib/shared/contract';
import type { MemberInput } from '../../lib/shared/validation';
import { chunk, mapWithConcurrency } from '../shared/batch';
import type { RegionClients } from '../shared/client';
import { AccountFailure, reasonOf } from '../shared/errors';
import { readMembers } from '../shared/fleet/reads';
import type { Log } from '../shared/log';
import type { TimeBudget } from '../shared/time-budget';
import { isInvitedOrEnabled, normalizeStatus } from '../shared/status';
import type { InviteResult, MemberHub, MemberRead, RunScope } from './reconcile';

/** Pause before inviting a batch again, growing with each attempt, as the SDK's own backoff does. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.min(100 * 2 ** (attempt - 1), 5_000) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isClientError(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode ?? 0;
  return status >= 400 && status < 500 && status !== 429;
}

function setOrDelete(map: Map<string, string>, key: string, value: string | undefined): void {
  if (value === undefined) {
    map.delete(key);
  } else {
    map.set(key, value);
  }
}

/** One log line per region and service reason, naming the accounts (ids only). */
function logGrouped(log: Log, level: 'INFO' | 'WARN', message: string, region: string, failures: readonly AccountFailure[]): void {
  const byReason = new Map<string, string[]>();
  for (const f of failures) {
    byReason.set(f.reason, [...(byReason.get(f.reason) ?? []), f.accountId]);
  }
  for (const [reason, accountIds] of byReason) {
    log(level, message, { region, reason, accountIds });
  }
}

/**
 * {@link MemberHub} over the AWS SDK, for one invocation: every change waits for its time budget,
 * and the log is the invocation's.
 */
export class SdkMemberHub implements MemberHub {
  readonly region: string;
  private readonly budget: TimeBudget;
  private readonly log: Log;

  constructor(private readonly clients: RegionClients, scope: RunScope) {
    this.region = clients.region;
    this.budget = scope.budget;
    this.log = scope.log;
  }

  async getStatuses(accountIds: readonly string[]): Promise<Map<string, string>> {
    const members = await this.readMembers(accountIds);
    return new Map([...members].map(([id, member]) => [id, member.status]));
  }

  readMembers(accountIds: readonly string[]): Promise<Map<string, MemberRead>> {
    // A Deleted member is not a member; keeping the map to members only keeps callers simple.
    return readMembers(this.clients, accountIds, { deleted: 'drop' });
  }

  createMembers(members: readonly MemberInput[]): Promise<AccountFailure[]> {
    return this.eachBatchCollecting(members, (m) => m.accountId, async (batch) => {
      const details = batch.map((m) => ({ AccountId: m.accountId, ...(m.email ? { Email: m.email } : {}) }));
      this.budget.check();
      const out = await this.clients.client.send(new CreateMembersCommand({ AccountDetails: details }));
      // "Already a member" (a retry whose first attempt was applied, or a concurrent change) is
      // success: whatever the text, an account that is a member now is done.
      return (await this.recheckRefusals(this.toFailures(out.UnprocessedAccounts), (status) => normalizeStatus(status) !== 'NotMember')).failures;
    });
  }

  async inviteMembers(accountIds: readonly string[]): Promise<InviteResult> {
    const reread = new Map<string, string>();
    const failures = await this.eachBatchCollecting(accountIds, (id) => id, async (batch) => {
      let pending = [...batch];
      for (let attempt = 1; ; attempt++) {
        this.budget.check();
        try {
          const out = await this.clients.inviteClient.send(new InviteMembersCommand({ AccountIds: pending }));
          return await this.verifyRefusedInvitations(this.toFailures(out.UnprocessedAccounts), reread);
        } catch (error) {
          // The invitation may have gone out although the answer was lost: look before inviting again.
          const statuses = await this.getStatuses(pending);
          pending.filter((id) => isInvitedOrEnabled(statuses.get(id))).forEach((id) => reread.set(id, statuses.get(id)!));
          const notYet = pending.filter((id) => !isInvitedOrEnabled(statuses.get(id)));
          const record: InviteRereadRecord = {
            outcome: OUTCOME_INVITE_REREAD, region: this.region, attempt, error: reasonOf(error), accounts: pending.length, stillToInvite: notYet.length,
          };
          this.log('WARN', 'InviteMembers failed; re-read statuses before retrying', { ...record });
          if (notYet.length === 0) {
            return [];
          }
          // The same budget the SDK gets for every other call; a client error (4xx) will not go away.
          if (attempt >= this.clients.tuning.maxAttempts || isClientError(error)) {
            return notYet.map((accountId) => this.failure(accountId, reasonOf(error)));
          }
          pending = notYet;
          await backoff(attempt);
        }
      }
    });
    return { failures, statuses: reread };
  }

  /**
   * Re-reads the accounts InviteMembers refused: one that is Invited or Enabled now is done,
   * whatever the text (an organization account is Enabled by CreateMembers and never invited;
   * another tool may have invited one since the handler's read). A failed read leaves the
   * refusals as they are.
   */
  private async verifyRefusedInvitations(refused: AccountFailure[], reread: Map<string, string>): Promise<AccountFailure[]> {
    let recheck: Awaited<ReturnType<SdkMemberHub['recheckRefusals']>>;
    try {
      recheck = await this.recheckRefusals(refused, isInvitedOrEnabled);
    } catch (error) {
      this.log('WARN', 'could not re-read the accounts InviteMembers refused; they count as failed', { region: this.region, error: reasonOf(error) });
      return refused;
    }
    refused.forEach((f) => setOrDelete(reread, f.accountId, recheck.statuses.get(f.accountId)));
    if (recheck.done.length > 0) {
      logGrouped(this.log, 'INFO', 'InviteMembers refused accounts that are Invited or Enabled already; they count as done', this.region, recheck.done);
    }
    return recheck.failures;
  }

  disassociateMembers(accountIds: readonly string[]): Promise<AccountFailure[]> {
    return this.eachBatchCollecting(accountIds, (id) => id, async (batch) => {
      this.budget.check();
      try {
        await this.clients.client.send(new DisassociateMembersCommand({ AccountIds: batch }));
        return [];
      } catch (error) {
        // "Not a member" on a retry is success: only accounts still associated have failed.
        const statuses = await this.getStatuses(batch);
        return batch
          .filter((id) => isInvitedOrEnabled(statuses.get(id)))
          .map((id) => this.failure(id, reasonOf(error)));
      }
    });
  }

  deleteMembers(accountIds: readonly string[]): Promise<AccountFailure[]> {
    return this.eachBatchCollecting(accountIds, (id) => id, async (batch) => {
      this.budget.check();
      const out = await this.clients.client.send(new DeleteMembersCommand({ AccountIds: batch }));
      // "Not a member" (a retried delete, or one already gone) is success. So is a refused account
      // that is no longer associated: the service deletes only members that joined by invitation,
      // and an organization account, once disassociated, is as removed as it can be (docs/design.md, "Organization accounts").
      const { failures, done, statuses } = await this.recheckRefusals(this.toFailures(out.UnprocessedAccounts), (status) => !isInvitedOrEnabled(status));
      const kept = done.filter((f) => statuses.has(f.accountId));
      if (kept.length > 0) {
        logGrouped(this.log, 'WARN', 'DeleteMembers refused accounts that are disassociated; they count as removed (organization accounts cannot be deleted)', this.region, kept);
      }
      return failures;
    });
  }

  /**
   * Re-reads the accounts the service did not process and keeps as failures only those not
   * already in the state the call wanted: the service's wording is not relied on.
   */
  /**
   * Re-reads the accounts a call refused in UnprocessedAccounts and splits them by `done(status)`:
   * the service's wording is never relied on, only the state it left (rules R5 and R7, docs/design.md, "Organization accounts").
   * Throws when the read fails.
   */
  private async recheckRefusals(refused: AccountFailure[], done: (status: string | undefined) => boolean): Promise<{ failures: AccountFailure[]; done: AccountFailure[]; statuses: Map<string, string> }> {
    if (refused.length === 0) {
      return { failures: [], done: [], statuses: new Map() };
    }
    const statuses = await this.getStatuses(refused.map((f) => f.accountId));
    return {
      failures: refused.filter((f) => !done(statuses.get(f.accountId))),
      done: refused.filter((f) => done(statuses.get(f.accountId))),
      statuses,
    };
  }

  private toFailures(unprocessed: Result[] | undefined): AccountFailure[] {
    return (unprocessed ?? [])
      .filter((r): r is Result & { AccountId: string } => typeof r.AccountId === 'string')
      .map((r) => this.failure(r.AccountId, r.ProcessingResult ?? 'unprocessed, no reason given'));
  }

  private failure(accountId: string, reason: string): AccountFailure {
    return { accountId, region: this.region, reason };
  }

  /** Runs `fn` per batch; a batch whose call throws fails every account in it, with the error as reason. */
  private async eachBatchCollecting<T>(items: readonly T[], idOf: (item: T) => string, fn: (batch: T[]) => Promise<AccountFailure[]>): Promise<AccountFailure[]> {
    const results = await mapWithConcurrency(chunk(items, MAX_IDS_PER_CALL), this.clients.tuning.concurrency, async (batch) => {
      try {
        return await fn(batch);
      } catch (error) {
        return batch.map((item) => this.failure(idOf(item), reasonOf(error)));
      }
    });
    return results.flat();
  }
}
