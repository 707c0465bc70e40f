/**
 * The members handler's decision for one event, before any change: read every region (GetMembers),
 * plan by the status tables, keep what rules R10 and R13 keep, and refuse what the event must not
 * do (an invalid declaration, the quota, `maxRemovalsPerDeploy`, a hub that refuses the read). The
 * handler applies the decision when there is no refusal; the plan command (cli/plan.ts) prints it,
 * fed with read-only answers. One decision for both, so that what `plan` prints is what the deploy
 * does (docs/design.md, "Plan").
 */
import type { CustomResourceEvent } from '../shared/cfn';
import type { Invocation } from '../shared/runtime';
import type { StackReader, StackView } from '../shared/stack';
import { normalizeStatus } from '../shared/status';
import { keepSiblingAccounts, KeptAccount } from './ownership';
import { eventTargets, RegionPlan, RegionTarget } from './planner';
import { HandlerEnvironment, MembersDeclaration, parseDeclaration, parsePreviousDeclaration } from './properties';
import { logPlans, MemberHub, quotaProblem, readRegions, RegionRun, withPlans } from './reconcile';
import { keepMembersBeforeFailedDeploy } from './rollback';

/** What deciding an event needs: the invocation's log and budget, its environment, and read access. */
export interface DecideScope extends Invocation {
  readonly env: HandlerEnvironment;
  /** Reads the stack (DescribeStacks, GetTemplate) for rules R10 and R13. */
  readonly stackReader: StackReader;
  /** The hub of one region; the decision only reads through it (GetMembers). */
  hubFor(region: string): MemberHub;
}

/** A member the event would remove, with the status it has now. */
export interface PlannedRemoval {
  readonly accountId: string;
  readonly status: string;
}

/** An account the event leaves as it is, and why. */
export interface PlannedKeep {
  readonly accountId: string;
  /**
   * `member <Status>`, `declared by <logical ids>` (rule R10), `a member before the failed deploy`
   * (rule R13), `not a member`, or `invite false`.
   */
  readonly reason: string;
}

/** What the event does in one region, account by account. */
export interface RegionDecision {
  readonly region: string;
  /** Not a member: CreateMembers, then InviteMembers when `invite` is true. */
  readonly create: string[];
  /** Created: InviteMembers. */
  readonly invite: string[];
  /** Removed or Resigned: InviteMembers again. */
  readonly reinvite: string[];
  /** Disassociated (when Invited or Enabled) and deleted. */
  readonly remove: PlannedRemoval[];
  /** Every declared or dropped account left as it is. */
  readonly keep: PlannedKeep[];
}

/** The decision for one event. */
export interface EventDecision {
  /** The declaration of a Create or Update, once parsed. */
  readonly declaration?: MembersDeclaration;
  /** Each region's run, its plan after rules R10 and R13; empty when refused before the reads. */
  readonly runs: RegionRun[];
  /** What each region's run does, account by account, in the order of {@link runs}. */
  readonly regions: RegionDecision[];
  /** Account-region pairs rules R10 and R13 kept (the response's KeptCount). */
  readonly kept: number;
  /** Why the event fails before any change; the handler throws it as it is. */
  readonly refusal?: Error;
}

/** How many accounts the limit's message names before "and N more". */
const LIMIT_ACCOUNTS_SHOWN = 5;

/** Reads, plans and filters one event; never changes anything. */
export async function decideEvent(scope: DecideScope, event: CustomResourceEvent): Promise<EventDecision> {
  let declaration: MembersDeclaration | undefined;
  let runs: RegionRun[] = [];
  let kept: KeptAccount[] = [];
  const decided = (refusal?: Error): EventDecision => ({
    ...(declaration ? { declaration } : {}),
    runs,
    regions: runs.map((run) => regionDecision(run, kept)),
    kept: kept.length,
    ...(refusal ? { refusal } : {}),
  });
  try {
    let targets: RegionTarget[];
    let invite = false;
    switch (event.RequestType) {
      case 'Create':
        declaration = parseDeclaration(event.ResourceProperties, scope.env);
        targets = eventTargets(declaration.members, declaration.regions, [], []);
        invite = declaration.invite;
        break;
      case 'Update': {
        declaration = parseDeclaration(event.ResourceProperties, scope.env);
        const previous = parsePreviousDeclaration(event.OldResourceProperties, scope.env);
        targets = eventTargets(declaration.members, declaration.regions, previous.accountIds, previous.regions);
        invite = declaration.invite;
        break;
      }
      case 'Delete': {
        const declared = parsePreviousDeclaration(event.ResourceProperties, scope.env);
        targets = eventTargets([], [], declared.accountIds, declared.regions);
        break;
      }
      default:
        throw new Error(`unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)}: expected Create, Update or Delete`);
    }
    runs = await readRegions(targets, (region) => scope.hubFor(region), { log: scope.log, invite });
    let rollingBack = false;
    if (event.RequestType !== 'Create') {
      // One DescribeStacks and one GetTemplate serve both rules.
      const reader = readOnce(scope.stackReader);
      const siblings = await keepSiblingAccounts(runs.map((run) => run.plan), event, reader, scope.log);
      // Rule R13: a rollback removes only what the failed deploy added, whatever the template says.
      const rollback = await keepMembersBeforeFailedDeploy(siblings.plans, runs.map((run) => run.members), event, reader, scope.log);
      kept = [...siblings.keptAccounts, ...rollback.keptAccounts.flatMap((k) => k.accountIds.map((accountId) => ({ region: k.region, accountId })))];
      rollingBack = rollback.rollingBack;
      runs = withPlans(runs, rollback.plans);
    }
    logPlans(runs, scope.log);
    const overQuota = quotaProblem(runs);
    if (overQuota) {
      return decided(overQuota);
    }
    if (event.RequestType === 'Update' && !rollingBack) {
      const overLimit = limitProblem(runs.map((run) => run.plan), declaration!.maxRemovalsPerDeploy);
      if (overLimit) {
        return decided(overLimit);
      }
    }
    return decided();
  } catch (error) {
    return decided(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * The refusal of an Update that would remove more than `limit` (account, region) pairs; undefined
 * within it. Counted after rules R10 and R13 and without non-members, which the plans already left out.
 */
export function limitProblem(plans: readonly RegionPlan[], limit: number): Error | undefined {
  const pairs = plans.flatMap((plan) => plan.delete.map((accountId) => `${accountId} (${plan.region})`));
  if (pairs.length <= limit) {
    return undefined;
  }
  const shown = pairs.slice(0, LIMIT_ACCOUNTS_SHOWN).join(', ');
  const more = pairs.length > LIMIT_ACCOUNTS_SHOWN ? ` and ${pairs.length - LIMIT_ACCOUNTS_SHOWN} more` : '';
  return new Error(`This update would remove ${pairs.length} member${pairs.length === 1 ? '' : 's'} (account-region pairs), more than maxRemovalsPerDeploy ${limit}: ${shown}${more}. Nothing was changed. To remove them on purpose, raise maxRemovalsPerDeploy in the same change, so the removal shows in review.`);
}

/** What one region's run does, account by account. */
function regionDecision(run: RegionRun, kept: readonly KeptAccount[]): RegionDecision {
  const { plan, states, target } = run;
  const created = new Set(plan.create.map((m) => m.accountId));
  const invite: string[] = [];
  const reinvite: string[] = [];
  for (const accountId of plan.invite) {
    if (created.has(accountId)) {
      continue;
    }
    (normalizeStatus(states.get(accountId)) === 'Created' ? invite : reinvite).push(accountId);
  }
  const keep: PlannedKeep[] = [];
  for (const accountId of plan.unchanged) {
    const state = normalizeStatus(states.get(accountId));
    keep.push({ accountId, reason: state === 'Invited' || state === 'Enabled' ? `member ${states.get(accountId)}` : 'invite false' });
  }
  plan.skipped.forEach((s) => keep.push({ accountId: s.accountId, reason: `member ${s.status}` }));
  const declared = new Set(target.declared.map((m) => m.accountId));
  const removed = new Set(plan.delete);
  const keptHere = new Map(kept.filter((k) => k.region === plan.region).map((k) => [k.accountId, k]));
  for (const accountId of new Set(target.previous)) {
    if (declared.has(accountId) || removed.has(accountId)) {
      continue;
    }
    const rule = keptHere.get(accountId);
    const reason = rule?.declaredBy ? `declared by ${rule.declaredBy.join(', ')}` : rule ? 'a member before the failed deploy' : 'not a member';
    keep.push({ accountId, reason });
  }
  return {
    region: plan.region,
    create: plan.create.map((m) => m.accountId),
    invite,
    reinvite,
    remove: plan.delete.map((accountId) => ({ accountId, status: states.get(accountId) ?? 'unknown' })),
    keep,
  };
}

/** A reader that reads each stack once and answers the same view after that. */
export function readOnce(reader: StackReader): StackReader {
  const views = new Map<string, Promise<StackView>>();
  return {
    read: (stackId) => {
      let view = views.get(stackId);
      if (!view) {
        view = reader.read(stackId);
        views.set(stackId, view);
      }
      return view;
    },
    status: (stackId) => reader.status(stackId),
  };
}
