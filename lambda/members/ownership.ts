/**
 * Ownership across the stack (DESIGN.md rule 10): a removal never removes an account that another
 * `Custom::SecurityHubMembers` of the same stack declares for that region in the stack's current
 * template, unless the whole stack is going away. Renaming or moving the construct creates the new
 * resource first and deletes the old one in the cleanup phase; an account moved between two
 * resources is removed by one Update while the other adds it. Without this, each of those deploys
 * would end with declared accounts removed.
 *
 * The template reading is pure (tested without I/O); {@link keepSiblingAccounts} does the one read.
 */
import { KEPT_ACCOUNTS_LOG_MESSAGE, MEMBERS_RESOURCE_TYPE } from '../../lib/shared/contract';
import type { CustomResourceEvent } from '../shared/cfn';
import { reasonOf } from '../shared/errors';
import { log } from '../shared/log';
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

/** Where the template is read: values the template refers to. */
export interface TemplateContext {
  /** The stack's region (from the StackId): no `Regions`, or `Ref AWS::Region`, means this one. */
  readonly region: string;
  /** The stack's account, for `Ref AWS::AccountId`. */
  readonly account?: string;
  /** The stack's parameter values, from DescribeStacks. */
  readonly parameters: ReadonlyMap<string, string>;
}

/** The value of `Ref AWS::NoValue`: the property, or list element, is absent. */
const NO_VALUE = Symbol('AWS::NoValue');

/** The values a template node may take: an exact list of candidates, or anything. */
type Possible = { readonly any: false; readonly values: readonly unknown[] } | { readonly any: true };

const ANY: Possible = { any: true };
const exactly = (...values: unknown[]): Possible => ({ any: false, values });

interface Evaluation {
  readonly ctx: TemplateContext;
  readonly parameterTypes: ReadonlyMap<string, string>;
  readonly notes: string[];
}

function isIntrinsic(node: unknown): node is Record<string, unknown> {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    return false;
  }
  const keys = Object.keys(node);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

/**
 * The candidates of one node. Literal values are themselves; `Ref AWS::Region` is the stack's
 * region. Narrowed exactly where that is possible: a `Ref` to a parameter is its value, and
 * `Fn::If` is the union of both branches. Any other intrinsic may be anything.
 */
function possible(node: unknown, ev: Evaluation): Possible {
  if (!isIntrinsic(node)) {
    return exactly(node);
  }
  const [key, arg] = Object.entries(node)[0];
  if (key === 'Ref') {
    if (arg === 'AWS::Region') {
      return exactly(ev.ctx.region);
    }
    ev.notes.push(`Ref ${String(arg)}`);
    if (arg === 'AWS::NoValue') {
      return exactly(NO_VALUE);
    }
    if (arg === 'AWS::AccountId' && ev.ctx.account) {
      return exactly(ev.ctx.account);
    }
    const value = typeof arg === 'string' ? ev.ctx.parameters.get(arg) : undefined;
    // DescribeStacks masks NoEcho parameters with asterisks: their value is unknown.
    if (value === undefined || /^\*+$/.test(value)) {
      return ANY;
    }
    const list = /List/.test(ev.parameterTypes.get(arg as string) ?? '');
    return exactly(list ? value.split(',').map((v) => v.trim()).filter((v) => v !== '') : value);
  }
  ev.notes.push(key);
  if (key === 'Fn::If' && Array.isArray(arg) && arg.length === 3) {
    const whenTrue = possible(arg[1], ev);
    const whenFalse = possible(arg[2], ev);
    return whenTrue.any || whenFalse.any ? ANY : exactly(...whenTrue.values, ...whenFalse.values);
  }
  return ANY;
}

/** Every candidate of `node` that is a list, each element evaluated; undefined when any may be anything. */
function strings(node: unknown, ev: Evaluation, absent: () => string[]): string[] | undefined {
  const lists = possible(node, ev);
  if (lists.any) {
    return undefined;
  }
  const out: string[] = [];
  for (const list of lists.values) {
    if (list === NO_VALUE || list === undefined) {
      out.push(...absent());
      continue;
    }
    for (const element of Array.isArray(list) ? list : [list]) {
      const values = possible(element, ev);
      if (values.any) {
        return undefined;
      }
      // CloudFormation hands every scalar to the sibling's handler as a string: 111111111111 is "111111111111".
      out.push(...values.values.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map(String));
    }
  }
  return out;
}

function accountsOf(members: unknown, ev: Evaluation): string[] | undefined {
  const lists = possible(members, ev);
  if (lists.any) {
    return undefined;
  }
  const out: string[] = [];
  for (const list of lists.values) {
    if (!Array.isArray(list)) {
      // Absent (NoValue) declares nothing; a scalar is no list of members the handler would accept.
      continue;
    }
    for (const entry of list) {
      const candidates = possible(entry, ev);
      if (candidates.any) {
        return undefined;
      }
      for (const member of candidates.values) {
        if (member === null || typeof member !== 'object') {
          continue;
        }
        const ids = strings((member as Record<string, unknown>).AccountId, ev, () => []);
        if (ids === undefined) {
          return undefined;
        }
        out.push(...ids);
      }
    }
  }
  return out;
}

/**
 * What every `Custom::SecurityHubMembers` of `template` other than `ownLogicalId` may declare.
 * With `countOwnLogicalId` (a Delete in a cleanup phase) the resource with the event's own logical
 * id counts too: it is the replacement, not the resource being deleted.
 */
export function siblingClaims(template: unknown, ctx: TemplateContext, ownLogicalId: string | undefined, countOwnLogicalId: boolean): SiblingClaim[] {
  const root = (template ?? {}) as { Resources?: Record<string, unknown>; Parameters?: Record<string, unknown> };
  const parameterTypes = new Map(Object.entries(root.Parameters ?? {}).map(([key, p]) => [key, String((p as { Type?: unknown } | null)?.Type ?? '')]));
  const claims: SiblingClaim[] = [];
  for (const [logicalId, raw] of Object.entries(root.Resources ?? {})) {
    const resource = (raw ?? {}) as { Type?: unknown; Properties?: unknown; Condition?: unknown };
    if (resource.Type !== MEMBERS_RESOURCE_TYPE || (logicalId === ownLogicalId && !countOwnLogicalId)) {
      continue;
    }
    const ev: Evaluation = { ctx, parameterTypes, notes: [] };
    if (resource.Condition !== undefined) {
      // It exists only when the condition holds; keeping what it would declare is the safe side.
      ev.notes.push(`Condition ${String(resource.Condition)}`);
    }
    const accounts = new Set<string>();
    const regions = new Set<string>();
    let anyAccount = false;
    let anyRegion = false;
    const properties = possible(resource.Properties, ev);
    for (const props of properties.any ? [undefined] : properties.values) {
      if (props === undefined || props === NO_VALUE || typeof props !== 'object' || props === null) {
        anyAccount ||= properties.any;
        anyRegion ||= properties.any;
        continue;
      }
      const p = props as Record<string, unknown>;
      const ids = accountsOf(p.Members, ev);
      const where = p.Regions === undefined ? [ctx.region] : strings(p.Regions, ev, () => [ctx.region]);
      anyAccount ||= ids === undefined;
      anyRegion ||= where === undefined;
      ids?.forEach((id) => accounts.add(id));
      where?.forEach((r) => regions.add(r));
    }
    claims.push({
      logicalId,
      accounts: anyAccount ? 'any' : accounts,
      regions: anyRegion ? 'any' : regions,
      nonLiteral: [...new Set(ev.notes)],
    });
  }
  return claims;
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
}

/**
 * Takes out of `plans` the removals of accounts another resource of the stack declares. Reads the
 * stack only when some plan removes something; a read that fails throws, before any change.
 */
export async function keepSiblingAccounts(plans: readonly RegionPlan[], event: CustomResourceEvent, reader: StackReader): Promise<OwnershipResult> {
  if (plans.every((p) => p.delete.length === 0)) {
    return { plans: [...plans], kept: 0 };
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
    return { plans: [...plans], kept: 0 };
  }
  const ctx: TemplateContext = {
    region: regionOfStackId(view.stackId) ?? plans[0].region,
    account: accountOfStackId(view.stackId),
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
    const owners = [...new Set([...keep.values()].flat())];
    // The local deploy reads this line (message, region, accountIds, declaredBy): keep its shape.
    log('INFO', KEPT_ACCOUNTS_LOG_MESSAGE, {
      region: plan.region,
      accountIds: [...keep.keys()],
      declaredBy: owners,
      reason: `declared for ${plan.region} by ${owners.join(', ')} in the stack's current template (stack status ${view.status}); removing them would undo that resource`,
      stackStatus: view.status,
    });
    return { ...plan, disassociate: plan.disassociate.filter((id) => !keep.has(id)), delete: plan.delete.filter((id) => !keep.has(id)) };
  });
  return { plans: result, kept };
}

function parseTemplate(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    // CDK deploys JSON; a YAML template would need CloudFormation's short-form tags understood.
    throw new Error(`the stack's template is not JSON (it starts ${JSON.stringify(body.slice(0, 20))}): expected the JSON template that CDK synthesizes`);
  }
}
