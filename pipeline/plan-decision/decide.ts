/**
 * What the pipeline does with a `cdk-securityhub-members plan` result (docs/design.md, "Plan before deploy in pipelines"): a
 * routine change goes on with no person involved, a removal waits for one (or fails the step when
 * the pipeline asks for that), and a plan that could not be made fails the step. Pure: no I/O, so
 * every row of the table is a unit test.
 */

/** The plan's exit codes (the `plan` command, docs/design.md). */
export const PLAN_EXIT = {
  /** Nothing to change. */
  NO_CHANGE: 0,
  /** Changes that remove no member. */
  CHANGES: 2,
  /** Changes that remove at least one member. */
  REMOVALS: 3,
  /** An error, or a deploy that would fail. */
  ERROR: 1,
} as const;

/** One member the plan would remove, with where it is declared. */
export interface PlannedRemoval {
  /** The stack whose SecurityHubMembers declares it no longer. */
  readonly stack: string;
  /** The region of the hub it leaves. */
  readonly region: string;
  /** The member account. */
  readonly accountId: string;
  /** The member's status before the removal (an `Enabled` member stops sending findings). */
  readonly status: string;
}

/** The parts of `plan --json` the decision reads; everything else is passed through to the log. */
export interface PlanDocument {
  readonly stacks?: {
    readonly stack: string;
    readonly account?: string;
    readonly region?: string;
    readonly resources?: {
      readonly logicalId?: string;
      readonly regions?: {
        readonly region: string;
        readonly remove?: { readonly accountId: string; readonly status?: string }[];
      }[];
    }[];
  }[];
  readonly removes?: number;
  readonly changes?: number;
}

/**
 * `approve`: the pipeline approves the stage's approval itself. `wait`: a person decides.
 * `fail`: the step fails and the stage does not start.
 */
export type Decision = 'approve' | 'wait' | 'fail';

/** The decision with what a person (or the build log) needs to understand it. */
export interface DecisionResult {
  readonly decision: Decision;
  /** Every member the plan would remove; empty unless the plan says so. */
  readonly removals: PlannedRemoval[];
  /** One line that says why. */
  readonly reason: string;
}

/** What changes the decision besides the plan. */
export interface DecideOptions {
  /**
   * Fail the step instead of waiting for a person when members would be removed.
   * @default false
   */
  readonly failOnRemovals?: boolean;
}

/** Lists every member the plan's JSON would remove. */
export function removalsOf(plan: PlanDocument | undefined): PlannedRemoval[] {
  return (plan?.stacks ?? []).flatMap((stack) => (stack.resources ?? []).flatMap((resource) =>
    (resource.regions ?? []).flatMap((region) => (region.remove ?? []).map((member) => ({
      stack: stack.stack,
      region: region.region,
      accountId: member.accountId,
      status: member.status ?? 'unknown',
    })))));
}

/**
 * Decides from the plan's exit code and its JSON (undefined when it printed none, or none that
 * parses). The exit code is the plan's own verdict, but the JSON is read too: a removal is never
 * approved without a person, whichever of the two reports it.
 */
export function decide(exitCode: number, plan: PlanDocument | undefined, options: DecideOptions = {}): DecisionResult {
  const removals = removalsOf(plan);
  if (exitCode === PLAN_EXIT.ERROR) {
    return { decision: 'fail', removals, reason: 'the plan could not be made, or the deploy would fail (exit 1): see the reason above' };
  }
  if (exitCode !== PLAN_EXIT.NO_CHANGE && exitCode !== PLAN_EXIT.CHANGES && exitCode !== PLAN_EXIT.REMOVALS) {
    return { decision: 'fail', removals, reason: `unexpected plan exit code ${exitCode}: expected 0, 1, 2 or 3` };
  }
  if (plan === undefined) {
    return { decision: 'fail', removals, reason: `the plan exited ${exitCode} but printed no JSON document: nothing to decide on` };
  }
  const removes = Math.max(removals.length, plan.removes ?? 0);
  if (exitCode === PLAN_EXIT.REMOVALS || removes > 0) {
    const what = `${removes} member${removes === 1 ? '' : 's'} would be removed`;
    if (removals.length < removes) {
      // The count says removals but the list does not name them all: a person cannot review what
      // is not shown, so this is not left to an approval either.
      return { decision: 'fail', removals, reason: `${what} but the plan names ${removals.length}: expected every removal listed` };
    }
    return options.failOnRemovals
      ? { decision: 'fail', removals, reason: `${what} and this step fails on removals (failOnRemovals)` }
      : { decision: 'wait', removals, reason: `${what}: waiting for a person to approve` };
  }
  return exitCode === PLAN_EXIT.NO_CHANGE
    ? { decision: 'approve', removals, reason: 'no change to the members: approved without a person' }
    : { decision: 'approve', removals, reason: `${plan.changes ?? 'some'} change(s) that remove no member: approved without a person` };
}

/** One line per removal, as the build log, the approval and the notification show it. */
export function describeRemovals(removals: PlannedRemoval[]): string[] {
  return removals.map((r) => `${r.accountId} (${r.status}) from ${r.stack} in ${r.region}`);
}

/** CodePipeline shows at most 1000 characters of an approval's additional information. */
export const APPROVAL_MESSAGE_LIMIT = 1000;

/** The approval's summary: the decision's reason and the accounts, cut to what CodePipeline shows. */
export function approvalMessage(result: DecisionResult): string {
  const accounts = result.removals.map((r) => `${r.accountId} (${r.status})`);
  let message = `${result.reason}.${accounts.length > 0 ? ` Removed: ${accounts.join(', ')}.` : ''}`;
  for (let shown = accounts.length - 1; message.length > APPROVAL_MESSAGE_LIMIT && shown > 0; shown--) {
    message = `${result.reason}. Removed: ${accounts.slice(0, shown).join(', ')} and ${accounts.length - shown} more (see the build log).`;
  }
  return message.slice(0, APPROVAL_MESSAGE_LIMIT);
}
