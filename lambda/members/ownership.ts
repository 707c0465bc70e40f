/**
 * Ownership across the stack (rule R10, docs/design.md): a removal never removes an account that another
 * `Custom::SecurityHubMembers` of the same stack declares for that region in the stack's current
 * template, unless the whole stack is going away. Renaming or moving the construct creates the new
 * resource first and deletes the old one in the cleanup phase; an account moved between two
 * resources is removed by one Update while the other adds it. Without this, each of those deploys
 * would end with declared accounts removed.
 *
 * The template is read by the shared evaluator (lambda/shared/template/) under its over-approximating
 * policy; {@link keepSiblingAccounts} does the one read of the stack.
 */
import { KEPT_DECLARED_BY_ANOTHER_RESOURCE, KeptOutcomeRecord, OUTCOME_KEPT } from '../../lib/shared/contract';
import { isReadable, readMembersResources, TemplateContext } from '../shared/template';
import type { CustomResourceEvent } from '../shared/cfn';
import { reasonOf } from '../shared/errors';
import type { Log } from '../shared/log';
import { accountOfStackId, regionOfStackId, StackReader, StackView } from '../shared/stack';
import type { RegionPlan } from './planner';

/** Stack statuses in which the whole stack is going away, so nothing is kept for a sibling. */
const STACK_GOING_AWAY = new Set(['DELETE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS']);

/**
 * The cleanup phase of an update: a Delete then is for a resource that was replaced or dropped, so
 * the template's resource with the same logical id is another resource (the replacement), not this
 * one. Not the rollback's cleanup: a resource is never replaced by this handler (rule R4), so there
 * a template resource with its own logical id is itself (GetTemplate may answer the failed
 * template), and counting it would keep what the failed deploy added (rule R10, docs/design.md).
 */
const CLEANUP_PHASES = new Set(['UPDATE_COMPLETE_CLEANUP_IN_PROGRESS']);

/** What another resource of the template may declare; `'any'` where it cannot be read exactly. */
export interface SiblingClaim {
  readonly logicalId: string;
  readonly accounts: ReadonlySet<string> | 'any';
  readonly regions: ReadonlySet<string> | 'any';
  /** Why the claim is not literal (intrinsics met, a Condition); empty when it is. */
  readonly nonLiteral: readonly string[];
}

/** Where the template is read: the stack's region, account and parameter values. */
export type { TemplateContext };

/**
 * What every `Custom::SecurityHubMembers` of `template` other than `ownLogicalId` may declare, read
 * by the shared evaluator's over-approximating policy: a value it can't read exactly may be any
 * account or region. With `countOwnLogicalId` (a Delete in a cleanup phase) the resource with the
 * event's own logical id counts too: it is the replacement, not the resource being deleted.
 */
export function siblingClaims(template: unknown, ctx: TemplateContext, ownLogicalId: string | undefined, countOwnLogicalId: boolean): SiblingClaim[] {
  return readMembersResources(template, ctx, { policy: 'over-approximating' })
    .filter((reading) => reading.logicalId !== ownLogicalId || countOwnLogicalId)
    .map((reading) => ({
      logicalId: reading.logicalId,
      accounts: isReadable(reading.accountIds) ? new Set(reading.accountIds.value) : 'any',
      regions: isReadable(reading.regions) ? new Set(reading.regions.value) : 'any',
      nonLiteral: reading.notes,
    }));
}

/** The resources among `claims` that may declare `accountId` in `region`. */
export function declaredBy(claims: readonly SiblingClaim[], region: string, accountId: string): string[] {
  return claims
    .filter((c) => (c.regions === 'any' || c.regions.has(region)) && (c.accounts === 'any' || c.accounts.has(accountId)))
    .map((c) => c.logicalId);
}

/** Whether a stack in `status` is being deleted as a whole, so its resources keep nothing for each other. */
export function stackGoingAway(status: string): boolean {
  return STACK_GOING_AWAY.has(status);
}

/** Whether the template's resource with the event's own logical id is another resource (a cleanup-phase Delete). */
export function ownLogicalIdIsAnother(requestType: string, status: string): boolean {
  return requestType === 'Delete' && CLEANUP_PHASES.has(status);
}

/** What {@link keepSiblingAccounts} decided. */
export interface OwnershipResult {
  /** The plans, without the removals of accounts another resource declares. */
  readonly plans: RegionPlan[];
  /** Account-region pairs kept. */
  readonly kept: number;
  /** Each pair kept, with the resources that declare it. */
  readonly keptAccounts: readonly KeptAccount[];
}

/** One account a rule kept in one region, and why. */
export interface KeptAccount {
  readonly region: string;
  readonly accountId: string;
  /** Rule R10: the logical ids of the resources that declare it; absent for rule R13. */
  readonly declaredBy?: readonly string[];
}

/**
 * Takes out of `plans` the removals of accounts another resource of the stack declares. Reads the
 * stack only when some plan removes something; a read that fails throws, before any change.
 */
export async function keepSiblingAccounts(plans: readonly RegionPlan[], event: CustomResourceEvent, reader: StackReader, log: Log): Promise<OwnershipResult> {
  if (plans.every((p) => p.delete.length === 0)) {
    return { plans: [...plans], kept: 0, keptAccounts: [] };
  }
  let view: StackView;
  let template: unknown;
  try {
    if (!event.StackId) {
      throw new Error('the event has no StackId');
    }
    view = await reader.read(event.StackId);
    template = parseTemplate(view.templateBody);
  } catch (error) {
    throw new Error(`removing members needs the stack's current template, to keep the accounts another SecurityHubMembers declares, and reading it failed, so nothing was changed: ${reasonOf(error)}`, { cause: error });
  }
  if (stackGoingAway(view.status)) {
    log('INFO', 'the stack is being deleted: removing every account this resource declares', { stackStatus: view.status });
    return { plans: [...plans], kept: 0, keptAccounts: [] };
  }
  const ctx: TemplateContext = {
    region: regionOfStackId(view.stackId) ?? plans[0].region,
    account: accountOfStackId(view.stackId),
    stackId: view.stackId,
    parameters: view.parameters,
  };
  const claims = siblingClaims(template, ctx, event.LogicalResourceId, ownLogicalIdIsAnother(event.RequestType, view.status));
  for (const claim of claims.filter((c) => c.nonLiteral.length > 0)) {
    log('WARN', 'another SecurityHubMembers of the stack is not literal; keeping every account it might declare', {
      logicalId: claim.logicalId,
      nonLiteral: [...claim.nonLiteral],
      accounts: claim.accounts === 'any' ? 'any' : claim.accounts.size,
      regions: claim.regions === 'any' ? 'any' : [...claim.regions],
    });
  }
  let kept = 0;
  const keptAccounts: KeptAccount[] = [];
  const result = plans.map((plan) => {
    const keep = new Map<string, string[]>();
    for (const accountId of plan.delete) {
      const by = declaredBy(claims, plan.region, accountId);
      if (by.length > 0) {
        keep.set(accountId, by);
      }
    }
    if (keep.size === 0) {
      return plan;
    }
    kept += keep.size;
    keep.forEach((by, accountId) => keptAccounts.push({ region: plan.region, accountId, declaredBy: by }));
    const owners = [...new Set([...keep.values()].flat())];
    // An outcome record: the local deploy reads its fields (contract.ts), never the message.
    const record: KeptOutcomeRecord = { outcome: OUTCOME_KEPT, reason: KEPT_DECLARED_BY_ANOTHER_RESOURCE, region: plan.region, accountIds: [...keep.keys()], declaredBy: owners };
    log('INFO', 'kept accounts another resource declares', {
      ...record,
      detail: `declared for ${plan.region} by ${owners.join(', ')} in the stack's current template (stack status ${view.status}); removing them would undo that resource`,
      stackStatus: view.status,
    });
    return { ...plan, disassociate: plan.disassociate.filter((id) => !keep.has(id)), delete: plan.delete.filter((id) => !keep.has(id)) };
  });
  return { plans: result, kept, keptAccounts };
}

function parseTemplate(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    // CDK deploys JSON; a YAML template would need CloudFormation's short-form tags understood.
    throw new Error(`the stack's template is not JSON (it starts ${JSON.stringify(body.slice(0, 20))}): expected the JSON template that CDK synthesizes`);
  }
}
