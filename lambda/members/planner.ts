/**
 * Pure planning: from what is declared and what the service reports, what to do. No SDK imports,
 * so every row of the status tables in docs/design.md, "Lifecycle" is tested here without I/O.
 */
import { MemberState, normalizeStatus } from '../shared/status';
import type { MemberInput } from '../../lib/shared/validation';

/** What to do for one declared account. */
export interface DeclaredAction {
  readonly create: boolean;
  readonly invite: boolean;
  /** The status is one the handler does not act on (AccountSuspended or unknown). */
  readonly skip: boolean;
}

/** The first status table: a declared account, by its current state. */
export function planDeclared(state: MemberState, invite: boolean): DeclaredAction {
  switch (state) {
    case 'NotMember':
      return { create: true, invite, skip: false };
    case 'Created':
    case 'Removed':
    case 'Resigned':
      return { create: false, invite, skip: false };
    case 'Invited':
    case 'Enabled':
      return { create: false, invite: false, skip: false };
    case 'Other':
      return { create: false, invite: false, skip: true };
  }
}

/** How an account leaves the hub. */
export type RemovalAction = 'disassociate-and-delete' | 'delete' | 'none';

/** The second status table: an account to remove, by its current state. */
export function planRemoval(state: MemberState): RemovalAction {
  switch (state) {
    case 'Invited':
    case 'Enabled':
      return 'disassociate-and-delete';
    case 'NotMember':
      return 'none';
    default:
      return 'delete';
  }
}

/** Raw statuses by account id; an account that is not a member is absent. */
export type StatusMap = ReadonlyMap<string, string>;

/** What one region needs: the declaration now and the one before. */
export interface RegionTarget {
  readonly region: string;
  /** D: the accounts declared now in this region (empty when the region is being dropped). */
  readonly declared: readonly MemberInput[];
  /** P: the accounts declared before in this region (empty on Create or for a new region). */
  readonly previous: readonly string[];
}

/** The actions for one region, each list in declaration order. */
export interface RegionPlan {
  readonly region: string;
  readonly create: MemberInput[];
  readonly invite: string[];
  /** Accounts to disassociate before they are deleted. */
  readonly disassociate: string[];
  /** Every account to delete, including the ones disassociated first. */
  readonly delete: string[];
  /** Declared accounts left as they are. */
  readonly unchanged: string[];
  /** Declared accounts in a status the handler does not act on. */
  readonly skipped: { readonly accountId: string; readonly status: string }[];
}

/** Every account id that the plan of `target` may read or touch: D ∪ P. */
export function accountsOf(target: RegionTarget): string[] {
  return [...new Set([...target.declared.map((m) => m.accountId), ...target.previous])];
}

/** Plans one region: additions and heals for D, removals for P − D. Never an account outside D ∪ P. */
export function planRegion(target: RegionTarget, statuses: StatusMap, invite: boolean): RegionPlan {
  const plan: RegionPlan = { region: target.region, create: [], invite: [], disassociate: [], delete: [], unchanged: [], skipped: [] };
  const declaredIds = new Set<string>();
  for (const member of target.declared) {
    declaredIds.add(member.accountId);
    const raw = statuses.get(member.accountId);
    const action = planDeclared(normalizeStatus(raw), invite);
    if (action.skip) {
      plan.skipped.push({ accountId: member.accountId, status: raw ?? 'unknown' });
      continue;
    }
    if (action.create) {
      plan.create.push(member);
    }
    if (action.invite) {
      plan.invite.push(member.accountId);
    }
    if (!action.create && !action.invite) {
      plan.unchanged.push(member.accountId);
    }
  }
  for (const accountId of new Set(target.previous)) {
    if (declaredIds.has(accountId)) {
      continue;
    }
    addRemoval(plan, accountId, normalizeStatus(statuses.get(accountId)));
  }
  return plan;
}

/** Plans the removal of `accountIds` by the removal table; used to undo what a failed event created (rule R3). */
export function planRemovals(region: string, accountIds: readonly string[], statuses: StatusMap): RegionPlan {
  return planRegion({ region, declared: [], previous: accountIds }, statuses, false);
}

function addRemoval(plan: RegionPlan, accountId: string, state: MemberState): void {
  const action = planRemoval(state);
  if (action === 'disassociate-and-delete') {
    plan.disassociate.push(accountId);
  }
  if (action !== 'none') {
    plan.delete.push(accountId);
  }
}

/**
 * The targets of one event, one per region in the union of the old and new region sets: a
 * region only in the new set starts from nothing, a region only in the old set is emptied.
 */
export function eventTargets(
  declared: readonly MemberInput[],
  regions: readonly string[],
  previous: readonly string[],
  previousRegions: readonly string[],
): RegionTarget[] {
  const all = [...new Set([...regions, ...previousRegions])];
  return all.map((region) => ({
    region,
    declared: regions.includes(region) ? declared : [],
    previous: previousRegions.includes(region) ? previous : [],
  }));
}
