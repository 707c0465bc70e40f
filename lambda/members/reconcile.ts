/**
 * Runs the plans of one event against the hubs: reads first, additions and heals in every region,
 * removals last, and on a failed Create or Update undoes the members this run created (rule R3's
 * undo, not a CloudFormation rollback).
 */
import { MAX_MEMBERS, OUTCOME_REMOVED, RemovedOutcomeRecord } from '../../lib/shared/contract';
import type { MemberInput } from '../../lib/shared/validation';
import { AccountFailure, failureGroups, FULL_LIST_IN_LOG, isNotSubscribed, listAccounts, MemberOperationError, reasonOf } from '../shared/errors';
import type { Log } from '../shared/log';
import type { TimeBudget } from '../shared/time-budget';
import { isInvitedOrEnabled, normalizeStatus } from '../shared/status';
import { accountsOf, planRegion, planRemovals, RegionPlan, RegionTarget, StatusMap } from './planner';
import type { MemberTimes } from './rollback';

/**
 * The Security Hub calls of one region. Every method does its own batching and reports per-account
 * failures instead of throwing, so that one bad account does not stop the others in the phase.
 */
export interface MemberHub {
  readonly region: string;
  /** Raw member status by account id; accounts that are not members are absent. Throws when the read fails. */
  getStatuses(accountIds: readonly string[]): Promise<Map<string, string>>;
  /** The same GetMembers read, with each member's timestamps (rule R13, docs/design.md). */
  readMembers(accountIds: readonly string[]): Promise<Map<string, MemberRead>>;
  /** CreateMembers; an account that turns out to be a member already counts as done. */
  createMembers(members: readonly MemberInput[]): Promise<AccountFailure[]>;
  /**
   * InviteMembers, never inviting an account twice. An account the service refuses but that a
   * re-read shows Invited or Enabled counts as done, whatever the text.
   */
  inviteMembers(accountIds: readonly string[]): Promise<InviteResult>;
  /** DisassociateMembers; an account that is no longer associated counts as done. */
  disassociateMembers(accountIds: readonly string[]): Promise<AccountFailure[]>;
  /**
   * DeleteMembers; an account that is no longer a member counts as done, and so does one the
   * service refuses to delete that is no longer Invited or Enabled (an organization account).
   */
  deleteMembers(accountIds: readonly string[]): Promise<AccountFailure[]>;
}

/** One member as GetMembers reports it: its raw status and the service's timestamps. */
export interface MemberRead extends MemberTimes {
  readonly status: string;
}

/** What InviteMembers did. */
export interface InviteResult {
  /** Accounts neither invited nor Invited or Enabled after a re-read. */
  readonly failures: AccountFailure[];
  /** Raw statuses re-read after a refusal or a failed call, by account id; absent: not a member or not re-read. */
  readonly statuses: ReadonlyMap<string, string>;
}

/** What one region ended with. */
export interface RegionOutcome {
  readonly region: string;
  readonly created: string[];
  readonly invited: string[];
  readonly removed: string[];
  readonly unchanged: string[];
  /** Accounts in a status the handler does not act on (the planner's `skipped`). */
  readonly unactionable: string[];
  /** Declared accounts that are Enabled, and Invited, after the event. */
  readonly enabled: number;
  readonly pending: number;
}

/** What one invocation lends a run: its log, and its time budget, lifted for the undo. */
export interface RunScope {
  readonly log: Log;
  readonly budget: TimeBudget;
}

/** Options of {@link reconcile}. */
export interface ReconcileOptions extends RunScope {
  readonly invite: boolean;
  /** Undo this run's creations when it fails: true for Create and Update, false for Delete. */
  readonly undoOnFailure: boolean;
  /**
   * Given every region's plan after the reads, returns the plans to run: it may take accounts out
   * of the removals (rule R10, ownership across the stack). Runs before any change; when it throws,
   * the event fails with nothing changed. `members` holds, for each plan, what the first read
   * found (timestamps included), so that no other read is needed.
   */
  readonly filterRemovals?: (plans: readonly RegionPlan[], members: readonly ReadonlyMap<string, MemberTimes>[]) => Promise<RegionPlan[]>;
}

/** One region after the reads: its target, hub, plan and what the read found. */
export interface RegionRun {
  readonly target: RegionTarget;
  readonly hub: MemberHub;
  readonly plan: RegionPlan;
  /** Current state as far as this run knows, updated by every call that succeeds. */
  readonly states: Map<string, string>;
  readonly failed: Set<string>;
  /** What the first read found, timestamps included (rule R13). */
  readonly members: ReadonlyMap<string, MemberRead>;
}

/** Characters of an undo sentence given to the accounts it could not remove. */
const UNDO_LIST_BUDGET = 500;

/** Brings every region of `targets` from its previous declaration to its declared one. */
export async function reconcile(targets: readonly RegionTarget[], hubFor: (region: string) => MemberHub, options: ReconcileOptions): Promise<RegionOutcome[]> {
  const read = await readRegions(targets, hubFor, options);
  const filtered = options.filterRemovals ? await options.filterRemovals(read.map((run) => run.plan), read.map((run) => run.members)) : undefined;
  const runs = filtered ? withPlans(read, filtered) : read;
  logPlans(runs, options.log);
  const overQuota = quotaProblem(runs);
  if (overQuota) {
    throw overQuota;
  }
  return applyRuns(runs, options);
}

/** `runs` with their plans replaced by `plans`, in the same order. */
export function withPlans(runs: readonly RegionRun[], plans: readonly RegionPlan[]): RegionRun[] {
  return runs.map((run, i) => ({ ...run, plan: plans[i] }));
}

/**
 * Reads every region of `targets` (GetMembers only) and plans each by the status tables. Every
 * read happens before the first write, in every region; a read that fails throws, nothing changed.
 */
export async function readRegions(targets: readonly RegionTarget[], hubFor: (region: string) => MemberHub, { log, invite }: Pick<ReconcileOptions, 'log' | 'invite'>): Promise<RegionRun[]> {
  return Promise.all(targets.map(async (target) => {
    const hub = hubFor(target.region);
    const found = await hub.readMembers(accountsOf(target)).catch((error: unknown) => {
      if (target.declared.length === 0 && isNotSubscribed(error)) {
        // Security Hub is not enabled here ("not subscribed"; the same error type without those
        // words is a missing permission, which still fails), and a hub that is not enabled has no
        // members: a Delete, or an Update dropping this region, has nothing to remove (rule R6).
        // A region that still declares members needs the hub, so there the error stands.
        log('WARN', 'Security Hub refused the read in a region with nothing declared; treating it as having no members', {
          region: target.region, error: reasonOf(error),
        });
        return new Map<string, MemberRead>();
      }
      throw new Error(`Reading the members' statuses in ${target.region} failed, so nothing was changed: ${reasonOf(error)}`, { cause: error });
    });
    const states = new Map([...found].map(([id, member]) => [id, member.status]));
    return { target, hub, plan: planRegion(target, states, invite), states, failed: new Set<string>(), members: found };
  }));
}

/** One log line per region with the size of each list of its plan. */
export function logPlans(runs: readonly RegionRun[], log: Log): void {
  for (const run of runs) {
    const { plan } = run;
    log('INFO', 'plan', {
      region: plan.region,
      create: plan.create.length,
      invite: plan.invite.length,
      disassociate: plan.disassociate.length,
      delete: plan.delete.length,
      unchanged: plan.unchanged.length,
      skipped: plan.skipped.map((s) => `${s.accountId}:${s.status}`),
    });
  }
}

/** The error that refuses `runs` because a region would exceed the member quota while they run; undefined when none would. */
export function quotaProblem(runs: readonly RegionRun[]): Error | undefined {
  const overQuota = runs.flatMap(({ plan, states }) => {
    // Additions come before removals (rule R2), so while the event runs the hub holds both. Members
    // outside the declaration count too but are not read; those the service reports per account.
    const peak = states.size + plan.create.length;
    return plan.create.length > 0 && peak > MAX_MEMBERS
      ? [`${plan.region}: ${states.size} declared accounts are members now and ${plan.create.length} would be added before ${plan.delete.length} are removed, ${peak} at once`]
      : [];
  });
  if (overQuota.length > 0) {
    return new Error(`Security Hub allows at most ${MAX_MEMBERS} members per administrator and region, and this change would exceed it while it runs (${overQuota.join('; ')}): deploy the removals first, then the additions. Nothing was changed.`);
  }
  return undefined;
}

/**
 * Runs the decided plans: additions and heals in every region, removals last; on failure with
 * `undoOnFailure`, undoes what this run created.
 */
export async function applyRuns(runs: readonly RegionRun[], options: Omit<ReconcileOptions, 'invite' | 'filterRemovals'>): Promise<RegionOutcome[]> {
  const { log } = options;
  try {
    const additionFailures = (await Promise.all(runs.map((run) => addMembers(run, log)))).flat();
    if (additionFailures.length > 0) {
      throw new MemberOperationError('Adding members', additionFailures);
    }
    const removalFailures = (await Promise.all(runs.map((run) => removeAccounts(run.hub, run.plan, run.states, run.failed)))).flat();
    for (const run of runs) {
      const removed = run.plan.delete.filter((id) => !run.failed.has(id));
      if (removed.length > 0) {
        const record: RemovedOutcomeRecord = { outcome: OUTCOME_REMOVED, region: run.plan.region, accountIds: removed };
        log('INFO', 'removed', { ...record });
      }
    }
    if (removalFailures.length > 0) {
      throw new MemberOperationError('Removing members', removalFailures);
    }
  } catch (error) {
    if (!options.undoOnFailure) {
      throw error;
    }
    const undo = await undoRun(runs, options);
    if (error instanceof MemberOperationError) {
      throw new MemberOperationError(error.phase, error.failures, undo, { cause: error });
    }
    throw new Error(`${reasonOf(error).replace(/\.+$/, '')}. ${undo}`, { cause: error });
  }
  return runs.map(outcomeOf);
}

async function addMembers(run: RegionRun, log: Log): Promise<AccountFailure[]> {
  const { hub, plan, states, failed } = run;
  const createFailures = await hub.createMembers(plan.create);
  markFailed(run, createFailures);
  for (const member of plan.create) {
    if (!failed.has(member.accountId)) {
      states.set(member.accountId, 'Created');
    }
  }
  const toInvite = plan.invite.filter((id) => !failed.has(id));
  const invited = await hub.inviteMembers(toInvite);
  const refused = new Set(invited.failures.map((f) => f.accountId));
  for (const id of toInvite) {
    if (!refused.has(id)) {
      // An account the service refused but that is done has the status the re-read found (an
      // organization account is Enabled, not Invited).
      states.set(id, invited.statuses.get(id) ?? 'Invited');
    }
  }
  const inviteFailures = await reAddRemoved(run, invited, log);
  markFailed(run, inviteFailures);
  return [...createFailures, ...inviteFailures];
}

/**
 * An organization account that was disassociated is added back with CreateMembers, not an
 * invitation (docs/design.md, "Organization accounts"): a Removed account InviteMembers refused is created again,
 * then read again, and done when that read shows it Invited or Enabled. The refusal stands for the
 * others. Returns the invitation failures left.
 */
async function reAddRemoved(run: RegionRun, invited: InviteResult, log: Log): Promise<AccountFailure[]> {
  const { hub, target, states } = run;
  const removed = new Set(invited.failures.filter((f) => normalizeStatus(invited.statuses.get(f.accountId)) === 'Removed').map((f) => f.accountId));
  if (removed.size === 0) {
    return invited.failures;
  }
  const members = target.declared.filter((m) => removed.has(m.accountId));
  const createFailures = new Map((await hub.createMembers(members)).map((f) => [f.accountId, f.reason]));
  // A failed read proves nothing was re-added: the refusals stand, and the event fails with them.
  const after = await hub.getStatuses([...removed]).catch((error: unknown) => {
    log('WARN', 'could not read the re-added accounts again', { region: hub.region, error: reasonOf(error) });
    return new Map<string, string>();
  });
  const reAdded = new Set([...removed].filter((id) => isInvitedOrEnabled(after.get(id))));
  reAdded.forEach((id) => states.set(id, after.get(id)!));
  log(reAdded.size === removed.size ? 'INFO' : 'WARN', 'InviteMembers refused Removed accounts; added them back with CreateMembers where the service allows it', {
    region: hub.region, accountIds: [...removed], reAdded: reAdded.size,
  });
  return invited.failures
    .filter((f) => !reAdded.has(f.accountId))
    .map((f) => (createFailures.has(f.accountId) ? { ...f, reason: `${f.reason}; re-adding it with CreateMembers failed too: ${createFailures.get(f.accountId)}` } : f));
}

async function removeAccounts(hub: MemberHub, plan: RegionPlan, states: Map<string, string>, failed: Set<string>): Promise<AccountFailure[]> {
  const disassociateFailures = await hub.disassociateMembers(plan.disassociate);
  disassociateFailures.forEach((f) => failed.add(f.accountId));
  const toDelete = plan.delete.filter((id) => !failed.has(id));
  const deleteFailures = await hub.deleteMembers(toDelete);
  deleteFailures.forEach((f) => failed.add(f.accountId));
  for (const id of toDelete) {
    if (!failed.has(id)) {
      states.delete(id);
    }
  }
  return [...disassociateFailures, ...deleteFailures];
}

function markFailed(run: RegionRun, failures: readonly AccountFailure[]): void {
  failures.forEach((f) => run.failed.add(f.accountId));
}

/**
 * Removes, by the removal table, the accounts this run planned to create: they were not members
 * when it started. Accounts that existed before, re-invited ones included, are left alone.
 * Returns a sentence for the error message.
 */
function undoRun(runs: readonly RegionRun[], scope: RunScope): Promise<string> {
  return undoCreations(runs.map((run) => ({ hub: run.hub, accountIds: run.plan.create.map((m) => m.accountId) })), scope);
}

/**
 * Removes, by the removal table, accounts an event created in each region (after re-reading their
 * statuses), and returns a sentence for the event's error message. A failed Create or Update, and a
 * Create whose wait for acceptance ran out, undo their work with it.
 */
export async function undoCreations(created: readonly { hub: MemberHub; accountIds: readonly string[] }[], { log, budget }: RunScope): Promise<string> {
  budget.lift();
  const results = await Promise.all(created.map(async ({ hub, accountIds }) => {
    if (accountIds.length === 0) {
      return { removed: 0, failures: [] as AccountFailure[] };
    }
    try {
      const states: StatusMap = await hub.getStatuses(accountIds);
      const plan = planRemovals(hub.region, accountIds, states);
      const failures = await removeAccounts(hub, plan, new Map(states), new Set());
      return { removed: plan.delete.length - failures.length, failures };
    } catch (error) {
      return { removed: 0, failures: accountIds.map((accountId) => ({ accountId, region: hub.region, reason: reasonOf(error) })) };
    }
  }));
  const removed = results.reduce((sum, r) => sum + r.removed, 0);
  const failures = results.flatMap((r) => r.failures);
  log(failures.length ? 'ERROR' : 'INFO', 'undo', { removed, failed: failures.map((f) => `${f.accountId}:${f.region}`) });
  if (failures.length > 0) {
    // Smaller than the main list's budget: this sentence is appended to that error's message.
    const list = listAccounts(failureGroups(failures), 'for other reasons or regions', UNDO_LIST_BUDGET);
    const pointer = list.complete ? '' : ` ${FULL_LIST_IN_LOG}`;
    return `Undo incomplete: removed ${removed} member${removed === 1 ? '' : 's'} this deployment created, could not remove ${list.text}.${pointer}`;
  }
  return `Undone: removed the ${removed} member${removed === 1 ? '' : 's'} this deployment created; members that existed before were left as they were.`;
}

function outcomeOf(run: RegionRun): RegionOutcome {
  const { plan, states, target } = run;
  let enabled = 0;
  let pending = 0;
  for (const member of target.declared) {
    const state = normalizeStatus(states.get(member.accountId));
    if (state === 'Enabled') {
      enabled++;
    } else if (state === 'Invited') {
      pending++;
    }
  }
  return {
    region: plan.region,
    created: plan.create.map((m) => m.accountId),
    invited: plan.invite,
    removed: plan.delete,
    unchanged: plan.unchanged,
    unactionable: plan.skipped.map((s) => s.accountId),
    enabled,
    pending,
  };
}
