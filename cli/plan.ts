/**
 * `cdk-securityhub-members plan`: what the next `cdk deploy` of a synthesized app does to the fleet
 * (docs/plan.md). For each stack with a `Custom::SecurityHubMembers` it predicts the events
 * CloudFormation sends (Create, Update, the cleanup phase's Delete, or none) and feeds each to the
 * members handler's own decision (lambda/members/decide.ts) with read-only answers: DescribeStacks
 * and GetTemplate, and GetMembers through a hub that refuses every change. No rule is implemented
 * twice: what the plan prints is what the handler decides.
 */
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand, Stack } from '@aws-sdk/client-cloudformation';
import { decideEvent, EventDecision, RegionDecision } from '../lambda/members/decide';
import { SdkMemberHub } from '../lambda/members/hub';
import type { InviteResult, MemberHub, MemberRead } from '../lambda/members/reconcile';
import type { CustomResourceEvent } from '../lambda/shared/cfn';
import type { RegionClients } from '../lambda/shared/client';
import { reasonOf } from '../lambda/shared/errors';
import { createLog } from '../lambda/shared/log';
import type { StackReader, StackView } from '../lambda/shared/stack';
import { accountOfStackId } from '../lambda/shared/stack';
import { evaluateExactly, isDeployedExactly, TemplateContext } from '../lambda/shared/template';
import { TimeBudget } from '../lambda/shared/time-budget';
import { MEMBERS_RESOURCE_TYPE } from '../lib/shared/contract';
import type { StackIdentity } from './cloud-assembly';

/** The events CloudFormation sends a custom resource; null: none (its properties do not change). */
export type PlannedEvent = 'Create' | 'Update' | 'Delete' | null;

/** The plan of one resource. */
export interface ResourcePlan {
  readonly logicalId: string;
  readonly event: PlannedEvent;
  /** What the event does, region by region; absent when unplannable. */
  readonly regions?: RegionDecision[];
  /** Why the deploy would fail at this event, before any change (one line). */
  readonly refusal?: string;
  /** Why the event can't be predicted (a declaration that is not literal). */
  readonly unplannable?: string;
}

/** The plan of one stack. */
export interface StackPlan {
  readonly stack: string;
  readonly account?: string;
  readonly region: string;
  readonly resources: ResourcePlan[];
  /** Why the stack is not planned at all (mid-operation, unreadable). */
  readonly unplannable?: string;
}

/** The whole plan, as `plan --json` prints it. */
export interface PlanDocument {
  readonly stacks: StackPlan[];
  /** Pairs in `remove`. */
  readonly removes: number;
  /** Pairs in `create`, `invite`, `reinvite` and `remove`. */
  readonly changes: number;
}

/** Exit codes of `plan`: each means one thing. */
export const PLAN_EXIT = { noChange: 0, error: 1, changes: 2, removals: 3 } as const;

/** One stack of the app to plan: its identity and the template `cdk deploy` would send. */
export interface PlannedStack {
  readonly name: string;
  /** Undefined for an environment-agnostic stack: the deployed stack's, if any. */
  readonly account?: string;
  readonly region: string;
  readonly template: Record<string, unknown>;
}

/** Where the plan reads: CloudFormation and Security Hub clients of a stack's account. */
export interface PlanSources {
  /** The CloudFormation client of the stack's account and region. */
  cloudFormation(stack: StackIdentity | PlannedStack): CloudFormationClient;
  /** The Security Hub clients of the stack's account in `region`. */
  securityHub(stack: StackIdentity | PlannedStack, region: string): RegionClients;
}

/** Options of {@link planApp}. */
export interface PlanOptions {
  /**
   * Whether a `ReconcileToken` changes at the deploy: true for `cdk deploy`, which synthesizes
   * again; false for a deploy of the same cloud assembly (the local deploy), where an unchanged
   * token means unchanged properties.
   * @default true
   */
  readonly tokenChangesAtDeploy?: boolean;
}

/** What CloudFormation reports about the deployed stack; undefined: none to update (a first deploy). */
interface Deployed {
  readonly stackId: string;
  readonly status: string;
  readonly parameters: ReadonlyMap<string, string>;
  readonly template: Record<string, unknown>;
  readonly creationTime?: Date;
}

/** Stack statuses that plan as a first deploy: `cdk deploy` creates the stack (again). */
const FIRST_DEPLOY_STATUSES = new Set(['REVIEW_IN_PROGRESS', 'ROLLBACK_COMPLETE']);

/** Plans every stack of `stacks` that has, or had, a `Custom::SecurityHubMembers`; only reads. */
export async function planApp(stacks: readonly PlannedStack[], sources: PlanSources, options: PlanOptions = {}): Promise<PlanDocument> {
  const plans: StackPlan[] = [];
  for (const stack of stacks) {
    const plan = await planStack(stack, sources, options);
    if (plan) {
      plans.push(plan);
    }
  }
  const pairs = (pick: (r: RegionDecision) => number) => plans.flatMap((s) => s.resources).flatMap((r) => r.regions ?? []).reduce((sum, r) => sum + pick(r), 0);
  const removes = pairs((r) => r.remove.length);
  return { stacks: plans, removes, changes: removes + pairs((r) => r.create.length + r.invite.length + r.reinvite.length) };
}

/** The exit code of a plan: 1 for any refusal or unplannable part, else 3, 2 or 0 by member changes. */
export function planExitCode(document: PlanDocument): number {
  const failing = document.stacks.some((s) => s.unplannable !== undefined || s.resources.some((r) => r.refusal !== undefined || r.unplannable !== undefined));
  if (failing) {
    return PLAN_EXIT.error;
  }
  return document.removes > 0 ? PLAN_EXIT.removals : document.changes > 0 ? PLAN_EXIT.changes : PLAN_EXIT.noChange;
}

/** One line per refusal and unplannable part, naming the stack and resource, for stderr. */
export function planProblems(document: PlanDocument): string[] {
  return document.stacks.flatMap((s) => [
    ...(s.unplannable !== undefined ? [`cannot plan ${s.stack}: ${s.unplannable}`] : []),
    ...s.resources.flatMap((r) => [
      ...(r.unplannable !== undefined ? [`cannot plan ${s.stack}/${r.logicalId}: ${r.unplannable}`] : []),
      ...(r.refusal !== undefined ? [`the deploy would fail at ${s.stack}/${r.logicalId} (${r.event}): ${r.refusal}`] : []),
    ]),
  ]).map((line) => line.replace(/\s*\n\s*/g, ' '));
}

function membersResources(template: Record<string, unknown>): [string, { Properties?: Record<string, unknown>; DeletionPolicy?: unknown }][] {
  const resources = (template.Resources ?? {}) as Record<string, { Type?: unknown; Properties?: Record<string, unknown>; DeletionPolicy?: unknown } | null>;
  return Object.entries(resources).filter(([, r]) => r?.Type === MEMBERS_RESOURCE_TYPE) as [string, { Properties?: Record<string, unknown>; DeletionPolicy?: unknown }][];
}

async function planStack(stack: PlannedStack, sources: PlanSources, options: PlanOptions): Promise<StackPlan | undefined> {
  const base = { stack: stack.name, ...(stack.account ? { account: stack.account } : {}), region: stack.region };
  let deployed: Deployed | undefined;
  try {
    deployed = await readDeployed(sources.cloudFormation(stack), stack.name);
  } catch (error) {
    return membersResources(stack.template).length === 0 ? undefined : { ...base, resources: [], unplannable: `reading the deployed stack failed: ${reasonOf(error)}` };
  }
  const oldTemplate = deployed && !FIRST_DEPLOY_STATUSES.has(deployed.status) ? deployed.template : undefined;
  if (membersResources(stack.template).length === 0 && (!oldTemplate || membersResources(oldTemplate).length === 0)) {
    return undefined;
  }
  const account = stack.account ?? (deployed ? accountOfStackId(deployed.stackId) : undefined);
  const located = { ...base, ...(account ? { account } : {}) };
  if (deployed && !FIRST_DEPLOY_STATUSES.has(deployed.status) && /_(IN_PROGRESS|FAILED)$/.test(deployed.status)) {
    return { ...located, resources: [], unplannable: `the stack is ${deployed.status}: expected it to be done with its last operation before a deploy (plan again once it is)` };
  }
  const stackId = deployed?.stackId ?? `arn:aws:cloudformation:${stack.region}:${account ?? '000000000000'}:stack/${stack.name}/planned`;
  const parameters = deployed?.parameters ?? new Map<string, string>();
  const ctx: TemplateContext = { region: stack.region, ...(account ? { account } : {}), stackName: stack.name, stackId, parameters };
  const overlay = new HubOverlay();
  const hubFor = (region: string): MemberHub => overlay.wrap(new ReadOnlyHub(new SdkMemberHub(sources.securityHub({ ...stack, ...(account ? { account } : {}) }, region), quietScope())));
  const decide = async (logicalId: string, event: CustomResourceEvent, phase: string): Promise<ResourcePlan> => {
    const reader = phaseReader({ stackId, status: phase, parameters, templateBody: JSON.stringify(stack.template), ...(deployed?.creationTime ? { creationTime: deployed.creationTime } : {}) });
    const decision = await decideEvent({ ...quietScope(), env: { region: stack.region, ...(account ? { ownAccount: account } : {}) }, stackReader: reader, hubFor }, event);
    if (!decision.refusal) {
      overlay.apply(decision);
    }
    return {
      logicalId,
      event: event.RequestType,
      regions: decision.regions,
      ...(decision.refusal ? { refusal: oneLine(reasonOf(decision.refusal)) } : {}),
    };
  };

  const resources: ResourcePlan[] = [];
  const oldResources = new Map(oldTemplate ? membersResources(oldTemplate) : []);
  const newIds = new Set<string>();
  const phase = oldTemplate ? 'UPDATE_IN_PROGRESS' : 'CREATE_IN_PROGRESS';
  for (const [logicalId, resource] of membersResources(stack.template)) {
    let properties: Record<string, unknown>;
    let oldProperties: Record<string, unknown> | undefined;
    try {
      if (!isDeployedExactly(stack.template, logicalId, ctx)) {
        continue;
      }
      newIds.add(logicalId);
      properties = resolved(resource.Properties, stack.template, ctx, `${stack.name}/${logicalId}`);
      const old = oldResources.get(logicalId);
      oldProperties = old && isDeployedExactly(oldTemplate, logicalId, ctx) ? resolved(old.Properties, oldTemplate, ctx, `${stack.name}/${logicalId} (deployed)`) : undefined;
    } catch (error) {
      newIds.add(logicalId);
      resources.push({ logicalId, event: oldResources.has(logicalId) ? 'Update' : 'Create', unplannable: `${oneLine(reasonOf(error))}: expected literal values, or parameters with a deployed value or a default` });
      continue;
    }
    if (oldProperties && !changes(oldProperties, properties, options)) {
      resources.push({ logicalId, event: null });
      continue;
    }
    resources.push(await decide(logicalId, eventOf(oldProperties ? 'Update' : 'Create', logicalId, stackId, properties, oldProperties), phase));
  }
  // CloudFormation's cleanup phase: the deployed resources the new template lacks, last first.
  const dropped = [...oldResources].filter(([logicalId]) => !newIds.has(logicalId)).reverse();
  for (const [logicalId, old] of dropped) {
    if (!isDeployedExactly(oldTemplate, logicalId, ctx)) {
      continue;
    }
    if (old.DeletionPolicy === 'Retain' || old.DeletionPolicy === 'RetainExceptOnCreate') {
      resources.push({ logicalId, event: null });
      continue;
    }
    let oldProperties: Record<string, unknown>;
    try {
      oldProperties = resolved(old.Properties, oldTemplate, ctx, `${stack.name}/${logicalId} (deployed)`);
    } catch (error) {
      resources.push({ logicalId, event: 'Delete', unplannable: `${oneLine(reasonOf(error))}: expected literal values, or parameters with a deployed value or a default` });
      continue;
    }
    resources.push(await decide(logicalId, eventOf('Delete', logicalId, stackId, oldProperties, undefined), 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'));
  }
  return { ...located, resources };
}

/** Whether CloudFormation sends an Update: the properties differ, or a token changes at every synth. */
function changes(oldProperties: Record<string, unknown>, properties: Record<string, unknown>, options: PlanOptions): boolean {
  if (properties.ReconcileToken !== undefined && (options.tokenChangesAtDeploy ?? true)) {
    return true;
  }
  return stableJson(oldProperties) !== stableJson(properties);
}

/** The properties with every intrinsic evaluated, ServiceToken left out (a custom resource's is fixed). */
function resolved(properties: Record<string, unknown> | undefined, template: unknown, ctx: TemplateContext, where: string): Record<string, unknown> {
  const rest = { ...properties };
  delete rest.ServiceToken;
  return (evaluateExactly(rest, template, ctx, where) ?? {}) as Record<string, unknown>;
}

function eventOf(requestType: 'Create' | 'Update' | 'Delete', logicalId: string, stackId: string, properties: Record<string, unknown>, oldProperties: Record<string, unknown> | undefined): CustomResourceEvent {
  return {
    RequestType: requestType,
    RequestId: 'plan',
    StackId: stackId,
    LogicalResourceId: logicalId,
    ResourceType: MEMBERS_RESOURCE_TYPE,
    ResponseURL: 'https://plan.invalid/',
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: `securityhub-members-planned-${logicalId}` }),
    ResourceProperties: properties,
    ...(oldProperties ? { OldResourceProperties: oldProperties } : {}),
  } as CustomResourceEvent;
}

/** DescribeStacks and GetTemplate by the stack's name; undefined when the stack does not exist. */
async function readDeployed(client: CloudFormationClient, name: string): Promise<Deployed | undefined> {
  let stack: Stack | undefined;
  try {
    stack = (await client.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch (error) {
    // CloudFormation has no error of its own for this: a ValidationError whose text says so.
    if ((error as { name?: string } | undefined)?.name === 'ValidationError' && /does not exist/.test(reasonOf(error))) {
      return undefined;
    }
    throw error;
  }
  if (!stack?.StackStatus || !stack.StackId) {
    throw new Error('DescribeStacks returned no stack status');
  }
  const body = (await client.send(new GetTemplateCommand({ StackName: stack.StackId }))).TemplateBody;
  let template: Record<string, unknown>;
  try {
    template = JSON.parse(body ?? '') as Record<string, unknown>;
  } catch {
    throw new Error(`the deployed template is not JSON (it starts ${JSON.stringify((body ?? '').slice(0, 20))}): expected the JSON template that CDK synthesizes`);
  }
  const parameters = new Map<string, string>();
  for (const p of stack.Parameters ?? []) {
    if (p.ParameterKey !== undefined) {
      parameters.set(p.ParameterKey, p.ResolvedValue ?? p.ParameterValue ?? '');
    }
  }
  return { stackId: stack.StackId, status: stack.StackStatus, parameters, template, ...(stack.CreationTime ? { creationTime: stack.CreationTime } : {}) };
}

/** What the handler's stack reads would answer during the deploy: the new template, in `view.status`. */
function phaseReader(view: StackView): StackReader {
  return { read: async () => view, status: async () => view.status };
}

/** An invocation without a deadline whose log goes nowhere: the plan prints the decision, not the log. */
function quietScope(): { budget: TimeBudget; log: ReturnType<typeof createLog> } {
  return { budget: TimeBudget.unlimited(), log: createLog(() => undefined) };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(stableJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  // CloudFormation hands every scalar to the handler as a string: 10 and "10" are the same value.
  return JSON.stringify(typeof value === 'number' || typeof value === 'boolean' ? String(value) : value);
}

/** A hub that only reads: the plan must never change anything, whatever the decision code asks. */
class ReadOnlyHub implements MemberHub {
  readonly region: string;
  constructor(private readonly inner: MemberHub) {
    this.region = inner.region;
  }

  getStatuses(accountIds: readonly string[]): Promise<Map<string, string>> {
    return this.inner.getStatuses(accountIds);
  }

  readMembers(accountIds: readonly string[]): Promise<Map<string, MemberRead>> {
    return this.inner.readMembers(accountIds);
  }

  createMembers(): Promise<never> {
    return refuse('CreateMembers');
  }

  inviteMembers(): Promise<InviteResult> {
    return refuse('InviteMembers');
  }

  disassociateMembers(): Promise<never> {
    return refuse('DisassociateMembers');
  }

  deleteMembers(): Promise<never> {
    return refuse('DeleteMembers');
  }
}

function refuse(operation: string): Promise<never> {
  return Promise.reject(new Error(`plan is read-only: ${operation} refused`));
}

/**
 * The members as the deploy leaves them after each planned event, over what the hub reports:
 * CloudFormation runs a stack's events one after the other, so each is decided on what the ones
 * before it did.
 */
class HubOverlay {
  /** region -> account -> status after the events so far; null: removed. */
  private readonly changed = new Map<string, Map<string, string | null>>();

  wrap(hub: MemberHub): MemberHub {
    return {
      region: hub.region,
      getStatuses: async (ids) => new Map([...await this.read(hub, ids)].map(([id, m]) => [id, m.status])),
      readMembers: (ids) => this.read(hub, ids),
      createMembers: (m) => hub.createMembers(m),
      inviteMembers: (ids) => hub.inviteMembers(ids),
      disassociateMembers: (ids) => hub.disassociateMembers(ids),
      deleteMembers: (ids) => hub.deleteMembers(ids),
    };
  }

  apply(decision: EventDecision): void {
    for (const region of decision.regions) {
      const changes = this.changed.get(region.region) ?? new Map<string, string | null>();
      this.changed.set(region.region, changes);
      const invite = decision.declaration?.invite ?? false;
      region.create.forEach((id) => changes.set(id, invite ? 'Invited' : 'Created'));
      [...region.invite, ...region.reinvite].forEach((id) => changes.set(id, 'Invited'));
      region.remove.forEach((r) => changes.set(r.accountId, null));
    }
  }

  private async read(hub: MemberHub, ids: readonly string[]): Promise<Map<string, MemberRead>> {
    const found = await hub.readMembers(ids);
    for (const [id, status] of this.changed.get(hub.region) ?? []) {
      if (!ids.includes(id)) {
        continue;
      }
      if (status === null) {
        found.delete(id);
      } else {
        found.set(id, { ...found.get(id), status });
      }
    }
    return found;
  }
}
