/**
 * Rule R13 (docs/design.md): a rollback undoes only what the failed deploy did. While
 * CloudFormation rolls back a deploy that failed anywhere in the stack, a removal (the rollback
 * Update of an account the failed deploy declared, or the Delete of a resource it created) removes
 * an account only if that deploy added it: its `InvitedAt` (`UpdatedAt` for a member never
 * invited) is at or after the deploy's start, the stack's `CreationTime` for a failed first deploy
 * and its `LastUpdatedTime` for a failed update. Every other account was a member before (invited
 * by hand, adopted, declared elsewhere) and is kept; where a time is missing or unreadable, kept
 * too. Only timestamps decide, so the answer does not depend on which template `GetTemplate`
 * returns during a rollback, which AWS does not document.
 *
 * The decision is pure (tested table-driven); {@link keepMembersBeforeFailedDeploy} applies it to
 * the plans with the stack read the handler already makes for rule R10.
 */
import { KEPT_MEMBER_BEFORE_FAILED_DEPLOY, KeptOutcomeRecord, OUTCOME_KEPT } from '../../lib/shared/contract';
import type { CustomResourceEvent } from '../shared/cfn';
import { reasonOf } from '../shared/errors';
import type { Log } from '../shared/log';
import type { StackReader, StackView } from '../shared/stack';
import type { RegionPlan } from './planner';

/** The stack statuses of CloudFormation's rollback of a failed deploy. */
export const ROLLBACK_STATUSES: ReadonlySet<string> = new Set([
  'ROLLBACK_IN_PROGRESS',
  'UPDATE_ROLLBACK_IN_PROGRESS',
  'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
]);

/** A member's timestamps as GetMembers reports them. */
export interface MemberTimes {
  /** When the latest invitation was sent; absent for a member never invited. */
  readonly invitedAt?: Date;
  /** When the member last changed. */
  readonly updatedAt?: Date;
}

/** Whether a stack in `status` is rolling back a failed deploy, so rule R13 applies. */
export function isRollingBack(status: string): boolean {
  return ROLLBACK_STATUSES.has(status);
}

function readable(date: Date | undefined): date is Date {
  return date instanceof Date && !Number.isNaN(date.getTime());
}

/**
 * When the failed deploy started: `CreationTime` while a first deploy rolls back, `LastUpdatedTime`
 * while an update rolls back. Undefined outside a rollback, or when the time is missing or unreadable.
 */
export function failedDeployStart(stack: Pick<StackView, 'status' | 'creationTime' | 'lastUpdatedTime'>): Date | undefined {
  if (!isRollingBack(stack.status)) {
    return undefined;
  }
  const start = stack.status === 'ROLLBACK_IN_PROGRESS' ? stack.creationTime : stack.lastUpdatedTime;
  return readable(start) ? start : undefined;
}

/**
 * When the member was added as it is now: its latest invitation, or for a member never invited
 * its last change. Undefined when that time is missing or unreadable.
 */
export function addedAt(member: MemberTimes | undefined): Date | undefined {
  if (member?.invitedAt !== undefined) {
    // An invitation time that can't be read is not replaced by UpdatedAt: the member was invited, when is unknown.
    return readable(member.invitedAt) ? member.invitedAt : undefined;
  }
  return readable(member?.updatedAt) ? member.updatedAt : undefined;
}

/**
 * Whether the failed deploy that started at `start` added the member: true only when both times
 * are known and the member's is at or after the start. Anything unknown answers false (keep).
 */
export function addedByFailedDeploy(member: MemberTimes | undefined, start: Date | undefined): boolean {
  const at = addedAt(member);
  return at !== undefined && start !== undefined && at.getTime() >= start.getTime();
}

/** Accounts kept in one region because they were members before the failed deploy. */
export interface KeptBeforeDeploy {
  readonly region: string;
  readonly accountIds: string[];
}

/**
 * Takes out of each plan's removals the accounts the failed deploy did not add. `members[i]` holds
 * the timestamps the first read found for `plans[i]`.
 */
export function keepBeforeDeploy(plans: readonly RegionPlan[], members: readonly ReadonlyMap<string, MemberTimes>[], start: Date | undefined): { plans: RegionPlan[]; kept: KeptBeforeDeploy[] } {
  const kept: KeptBeforeDeploy[] = [];
  const result = plans.map((plan, i) => {
    const keep = new Set(plan.delete.filter((id) => !addedByFailedDeploy(members[i]?.get(id), start)));
    if (keep.size === 0) {
      return plan;
    }
    kept.push({ region: plan.region, accountIds: [...keep] });
    return { ...plan, disassociate: plan.disassociate.filter((id) => !keep.has(id)), delete: plan.delete.filter((id) => !keep.has(id)) };
  });
  return { plans: result, kept };
}

/** What {@link keepMembersBeforeFailedDeploy} decided. */
export interface RollbackResult {
  readonly plans: RegionPlan[];
  /** Account-region pairs kept. */
  readonly kept: number;
  /** Each pair kept. */
  readonly keptAccounts: readonly KeptBeforeDeploy[];
  /** Whether the stack is rolling back a failed deploy; false when nothing was removed (not read). */
  readonly rollingBack: boolean;
}

/**
 * Applies rule R13 to the removals of `plans` when the stack is rolling back a failed deploy.
 * Reads the stack only when some plan removes something (the handler's reader keeps the rule R10
 * read, so this makes no call of its own); a read that fails throws, before any change.
 */
export async function keepMembersBeforeFailedDeploy(
  plans: readonly RegionPlan[],
  members: readonly ReadonlyMap<string, MemberTimes>[],
  event: CustomResourceEvent,
  reader: StackReader,
  log: Log,
): Promise<RollbackResult> {
  if (plans.every((p) => p.delete.length === 0)) {
    return { plans: [...plans], kept: 0, keptAccounts: [], rollingBack: false };
  }
  let view: StackView;
  try {
    if (!event.StackId) {
      throw new Error('the event has no StackId');
    }
    view = await reader.read(event.StackId);
  } catch (error) {
    throw new Error(`removing members needs the stack's status, to keep the members that were there before a failed deploy, and reading it failed, so nothing was changed: ${reasonOf(error)}`, { cause: error });
  }
  if (!isRollingBack(view.status)) {
    return { plans: [...plans], kept: 0, keptAccounts: [], rollingBack: false };
  }
  const start = failedDeployStart(view);
  if (start === undefined) {
    log('WARN', 'the stack is rolling back but the failed deploy\'s start time is missing or unreadable; keeping every account', {
      stackStatus: view.status,
      creationTime: String(view.creationTime),
      lastUpdatedTime: String(view.lastUpdatedTime),
    });
  }
  const decided = keepBeforeDeploy(plans, members, start);
  for (const { region, accountIds } of decided.kept) {
    // An outcome record: the local deploy reads its fields (contract.ts), never the message.
    const record: KeptOutcomeRecord = { outcome: OUTCOME_KEPT, reason: KEPT_MEMBER_BEFORE_FAILED_DEPLOY, region, accountIds };
    log('INFO', 'kept (a member before the failed deploy)', {
      ...record,
      stackStatus: view.status,
      deployStartedAt: start?.toISOString(),
      detail: start === undefined
        ? 'the failed deploy\'s start time is unknown, so no account can be shown to be its own'
        : `invited (or, never invited, last changed) before the failed deploy started at ${start.toISOString()}, or at a time the service did not report`,
    });
  }
  return { plans: decided.plans, kept: decided.kept.reduce((sum, k) => sum + k.accountIds.length, 0), keptAccounts: decided.kept, rollingBack: true };
}
