/**
 * A small local stand-in for CloudFormation plus the aws-cdk-lib Provider framework, for the
 * custom resources of this library: Create the first time, Update with old and new properties
 * when they changed, nothing when unchanged, Delete when a resource leaves the template (in the
 * update's cleanup phase) or the stack is destroyed, and CloudFormation's rollback when an event
 * fails, each in the order and with the stack status CloudFormation would have.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { HandlerRef, LocalResource, LocalStack } from './assembly';
import { sameStack, stackKey, StackIdentity } from '../../cli/cloud-assembly';
import { StateFileError } from '../state-file';
import { CloudFormationCall, RunningCloudFormationEndpoint, StackDescription, startCloudFormationEndpoint } from './cloudformation-endpoint';
import { InvocationIdentity, LocalLambda } from './invoke';
import { runFrameworkEvent } from './provider-framework';
import { KeptAccounts, keptAccounts, resourceName } from './report';

/** Which resource, in which stack: the stack is known by its account, region and name together (docs/design.md, "Local Security Hub and local deploys"). */
export interface ResourceIdentity {
  readonly stack: string;
  readonly account: string;
  readonly region: string;
  readonly logicalId: string;
  readonly path: string;
  readonly type: string;
}

/** The stack a resource belongs to: its name, account and region, as CloudFormation knows it. */
export function stackOf(resource: ResourceIdentity): StackIdentity {
  return { name: resource.stack, account: resource.account, region: resource.region };
}

/** Names every stack of that name, in any account and region, or one stack exactly. */
export type StackSelector = string | StackIdentity;

function selects(selector: StackSelector, stack: StackIdentity): boolean {
  return typeof selector === 'string' ? selector === stack.name : sameStack(selector, stack);
}

/** A resource as deployed, kept between runs. */
export interface DeployedResource extends ResourceIdentity {
  readonly physicalResourceId: string;
  readonly properties: Record<string, unknown>;
  readonly data: Record<string, string>;
  readonly retain: boolean;
  readonly onEvent: HandlerRef;
  readonly isComplete?: HandlerRef;
  /** The Provider framework's runtime directory that serves it; the one aws-cdk-lib packages when absent (state files written before it was kept). */
  readonly framework?: string;
}

/** The code that serves a resource: the user functions and the framework's runtime, which CloudFormation updates together. */
type ServingCode = Pick<DeployedResource, 'onEvent' | 'isComplete' | 'framework'>;

function codeOf(resource: ServingCode): ServingCode {
  return {
    onEvent: resource.onEvent,
    ...(resource.isComplete ? { isComplete: resource.isComplete } : {}),
    ...(resource.framework ? { framework: resource.framework } : {}),
  };
}

/** The kinds of event the local deploy sends or skips. */
export type LocalAction = 'Create' | 'Update' | 'Delete' | 'Unchanged' | 'Retained' | 'Rollback Update' | 'Rollback Delete';

/** One event and its outcome. */
export interface EventReport extends ResourceIdentity {
  readonly action: LocalAction;
  readonly ok: boolean;
  readonly error?: string;
  readonly physicalResourceId?: string;
  readonly data?: Record<string, string>;
  readonly properties: Record<string, unknown>;
  readonly oldProperties?: Record<string, unknown>;
  readonly logs: string[];
  readonly durationMs: number;
  /** The stack's status while the event ran, e.g. `UPDATE_COMPLETE_CLEANUP_IN_PROGRESS`. */
  readonly phase?: LocalStackStatus;
  /** How many times the waiter ran the Provider framework's isComplete; absent without an isComplete. */
  readonly waiterPolls?: number;
  /** Accounts the handler kept because another resource of the stack declares them (rule R10, docs/design.md). */
  readonly kept?: KeptAccounts[];
}

/** Hooks around every event, for reporting what changed. */
export interface EventObserver {
  before?(resource: { stack: string; account: string; region: string; type: string; properties: Record<string, unknown>; oldProperties?: Record<string, unknown> }, action: LocalAction): void;
  after?(report: EventReport): void;
  /** A deploy made to fail after a resource succeeded (`failAfter`), before its rollback starts. */
  failed?(failure: { stack: string; account: string; region: string; phase?: LocalStackStatus; message: string }): void;
}

/** Options of {@link LocalCloudFormation}. */
export interface LocalCloudFormationOptions {
  /** The local Security Hub's URL. */
  readonly endpoint: string;
  /** Where deployed resources are kept between runs; in memory only when absent. */
  readonly statePath?: string;
  /** Where handler bundles are copied so a later destroy runs the deployed code; they stay in place when absent. */
  readonly assetsDir?: string;
  /** Extra environment for every handler (tuning, for instance). */
  readonly environment?: Record<string, string>;
  /** The waiter's interval between two polls of the framework's isComplete (the state machine's is 30 s; a local deploy need not wait that long). @default 1000 */
  readonly isCompleteIntervalMs?: number;
  /** Most polls of the framework's isComplete before the waiter runs the framework's onTimeout. @default 720 */
  readonly isCompleteMaxPolls?: number;
  /**
   * Which template GetTemplate answers while an update rolls back: the one being rolled back to
   * (`previous`) or the one that failed (`failed`). AWS does not document it, so the handlers must
   * be right under both (rule R13, docs/design.md); tests run every rollback under each.
   * @default - the `SECURITYHUB_LOCAL_ROLLBACK_TEMPLATE` environment variable, else `previous`
   */
  readonly rollbackTemplate?: RollbackTemplateReading;
  readonly observer?: EventObserver;
}

/** Which template GetTemplate answers during an update's rollback. */
export type RollbackTemplateReading = 'previous' | 'failed';

/** The readings of GetTemplate during a rollback, for tests that run under each. */
export const ROLLBACK_TEMPLATE_READINGS: readonly RollbackTemplateReading[] = ['previous', 'failed'];

function rollbackReading(option: RollbackTemplateReading | undefined): RollbackTemplateReading {
  const value = option ?? process.env.SECURITYHUB_LOCAL_ROLLBACK_TEMPLATE ?? 'previous';
  if (value !== 'previous' && value !== 'failed') {
    throw new Error(`invalid rollback template reading ${JSON.stringify(value)} (SECURITYHUB_LOCAL_ROLLBACK_TEMPLATE): expected "previous" or "failed"`);
  }
  return value;
}

/** Options of one {@link LocalCloudFormation.deploy}. */
export interface DeployOptions {
  /**
   * Make the deploy fail right after this resource succeeded (its logical id, its construct path,
   * or its path as the local deploy prints it), as if another resource of its stack had failed:
   * CloudFormation's rollback then runs (`npm run local -- deploy --fail-after`).
   */
  readonly failAfter?: string;
}

/** Whether `name` names the resource: its logical id, its construct path, or its printed name. */
export function namesResource(name: string, resource: { logicalId: string; path: string }): boolean {
  return name === resource.logicalId || name === resource.path || name === resourceName(resource.path)
    || name === resource.path.replace(/\/Resource(\/Default)?$/, '');
}

/**
 * Checks that `failAfter` names a custom resource of `stacks`.
 *
 * @throws Error naming the value and the resources it could name
 */
export function checkFailAfter(stacks: readonly LocalStack[], failAfter: string): void {
  if (!stacks.some((s) => s.resources.some((r) => namesResource(failAfter, r)))) {
    const known = stacks.flatMap((s) => s.resources.map((r) => `${r.logicalId} (${resourceName(r.path)})`));
    throw new Error(`--fail-after ${JSON.stringify(failAfter)} names no custom resource of the stacks being deployed: expected a logical id or construct path, one of ${known.join(', ') || '(none)'}`);
  }
}

/** The outcome of a deploy or destroy. */
export interface RunReport {
  readonly ok: boolean;
  readonly events: EventReport[];
}

interface ProviderResult {
  readonly physicalResourceId?: string;
  readonly data?: Record<string, string>;
  readonly error?: string;
  readonly logs: string[];
  readonly waiterPolls?: number;
}

/** The most bytes CloudFormation reads of a custom resource's response. */
export const CUSTOM_RESOURCE_RESPONSE_LIMIT = 4096;

/**
 * The message of a FAILED response's Reason: the framework appends the function's log group and
 * the stack trace (`<message>\n\nLogs: /aws/lambda/<function>\n...`) after the user function's
 * message, which is what the local report shows.
 */
export function handlerMessage(reason: string): string {
  const trailer = reason.indexOf('\n\nLogs: /aws/lambda/');
  if (trailer >= 0) {
    return reason.slice(0, trailer);
  }
  // An error of the framework's own (a malformed answer) is its stack: the message is what precedes the trace.
  const trace = reason.indexOf('\n    at ');
  return (trace >= 0 ? reason.slice(0, trace) : reason).replace(/^Error: /, '');
}

/** Turns every scalar into a string, as CloudFormation does before calling a custom resource. */
export function asCloudFormationSends(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(asCloudFormationSends);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asCloudFormationSends(v)]));
  }
  return typeof value === 'boolean' || typeof value === 'number' ? String(value) : value;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(stableJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The stack statuses the local deploy passes through, as DescribeStacks reports them. */
export type LocalStackStatus =
  | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'ROLLBACK_IN_PROGRESS' | 'ROLLBACK_FAILED'
  | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' | 'UPDATE_COMPLETE'
  | 'UPDATE_ROLLBACK_IN_PROGRESS' | 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS' | 'UPDATE_ROLLBACK_COMPLETE' | 'UPDATE_ROLLBACK_FAILED'
  | 'DELETE_IN_PROGRESS' | 'DELETE_FAILED';

/** A stack as deployed, kept between runs so that its StackId stays the same; known by account, region and name. */
export interface DeployedStack extends StackIdentity {
  /** `arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/UUID`, fixed when the stack is first created. */
  readonly stackId: string;
  /** The template of the last operation that completed. */
  readonly template: Record<string, unknown>;
  readonly status: LocalStackStatus;
  readonly creationTime: string;
  readonly lastUpdatedTime?: string;
}

/** How many times CloudFormation tries a Delete in a cleanup phase before it skips the resource. */
export const CLEANUP_DELETE_ATTEMPTS = 3;

/**
 * The resources and stacks recorded in a state file of {@link LocalCloudFormation}; none when the
 * file is absent. A file written before stacks were recorded has resources only. Every version of
 * the file records each stack's and each resource's account and region, so a stack is known by
 * account, region and name in any of them: a file written when the local deploy keyed stacks by
 * name alone reads as it is.
 *
 * @throws StateFileError naming the file when it is not JSON, has no `resources` list, or a
 * resource or stack without its stack name, account and region
 */
export function readLocalState(statePath: string): { resources: DeployedResource[]; stacks: DeployedStack[] } {
  if (!fs.existsSync(statePath)) {
    return { resources: [], stacks: [] };
  }
  let state: unknown;
  try {
    state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
  } catch (err) {
    throw new StateFileError(statePath, `cannot read the local deploy's state file ${statePath}: ${(err as Error).message}`);
  }
  const located = (r: { account?: unknown; region?: unknown }): boolean => typeof r.account === 'string' && typeof r.region === 'string';
  const resources = (state as { resources?: unknown } | null)?.resources;
  if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'object' && r !== null && typeof r.stack === 'string' && typeof r.logicalId === 'string' && located(r))) {
    throw new StateFileError(statePath,
      `cannot read the local deploy's state file ${statePath}: expected {"resources": [...]} with a stack, account, region and logicalId for each resource`);
  }
  const stacks = (state as { stacks?: unknown }).stacks ?? [];
  if (!Array.isArray(stacks) || !stacks.every((s) => typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.stackId === 'string' && located(s))) {
    throw new StateFileError(statePath,
      `cannot read the local deploy's state file ${statePath}: expected "stacks" to be a list with a name, account, region and stackId for each stack`);
  }
  return { resources: resources as DeployedResource[], stacks: stacks as DeployedStack[] };
}

/** Every stack of a state with deployed resources or a record, in the order they were first deployed. */
export function deployedStacks(state: { resources: readonly DeployedResource[]; stacks: readonly DeployedStack[] }): StackIdentity[] {
  const all: StackIdentity[] = [...state.stacks, ...state.resources.map(stackOf)].map(({ name, account, region }) => ({ name, account, region }));
  return all.filter((stack, i) => all.findIndex((other) => sameStack(other, stack)) === i);
}

interface Done {
  readonly before?: DeployedResource;
  readonly after: DeployedResource;
}

/** The resource whose event failed; absent when the deploy was made to fail after a resource succeeded. */
interface Failure {
  readonly before?: DeployedResource;
  readonly target?: DeployedResource;
  readonly properties?: Record<string, unknown>;
  readonly report?: EventReport;
}

/**
 * Runs CloudFormation's lifecycle for this library's custom resources against the local hub, in
 * CloudFormation's order: a stack update creates and updates resources first and deletes the
 * replaced and removed ones in its cleanup phase; a failed update rolls the updated resources back
 * and deletes the ones it created in the rollback's cleanup phase; a failed first deploy deletes
 * what it created. The handlers can read the stack (`DescribeStacks`, `GetTemplate`) through a
 * local CloudFormation endpoint, as it is at that moment. Call {@link close} when done.
 */
export class LocalCloudFormation {
  private deployed: DeployedResource[];
  private stacks: DeployedStack[];
  /** The status and template of the stacks being deployed or destroyed right now, by {@link stackKey}. */
  private readonly live = new Map<string, { status: LocalStackStatus; template: Record<string, unknown> }>();
  /** The handlers' warm containers, this instance's own. */
  private readonly lambda = new LocalLambda();
  /** When the last operation ended (epoch ms): the next update starts after it, as in CloudFormation. */
  private lastFinishedAt = 0;
  /** The CloudFormation reads the handlers made about this instance's stacks, oldest first. */
  readonly cloudFormationCalls: CloudFormationCall[] = [];
  /** This instance's CloudFormation endpoint, started on first use; the handlers get its URL through their runtime. */
  private endpoint?: Promise<RunningCloudFormationEndpoint>;

  /** Which template GetTemplate answers while an update rolls back. */
  private readonly rollbackTemplate: RollbackTemplateReading;

  constructor(private readonly options: LocalCloudFormationOptions) {
    this.rollbackTemplate = rollbackReading(options.rollbackTemplate);
    const state = options.statePath ? readLocalState(options.statePath) : { resources: [], stacks: [] };
    this.deployed = state.resources;
    this.stacks = state.stacks;
  }

  /** The resources deployed now, in deployment order. */
  get resources(): readonly DeployedResource[] {
    return this.deployed;
  }

  /** The stack as recorded now, if it exists: the one in `where`'s account and region, or the first of that name. */
  stack(name: string, where?: { account: string; region: string }): DeployedStack | undefined {
    return this.stacks.find((s) => s.name === name && (!where || sameStack(s, { ...where, name })));
  }

  /** Every stack with deployed resources or a record, in the order they were first deployed. */
  get deployedStacks(): StackIdentity[] {
    return deployedStacks({ resources: this.deployed, stacks: this.stacks });
  }

  /** The URL of the local CloudFormation endpoint the handlers read (started on first use), answering for this instance's stacks. */
  async cloudFormationEndpoint(): Promise<string> {
    this.endpoint ??= startCloudFormationEndpoint((nameOrId, action) => this.answer(nameOrId, action));
    return (await this.endpoint).url;
  }

  /** Stops answering for this instance's stacks. */
  async close(): Promise<void> {
    const endpoint = this.endpoint;
    // A later operation starts a new endpoint: each invocation is told the URL afresh.
    this.endpoint = undefined;
    if (endpoint) {
      await (await endpoint).close();
    }
  }

  /** What DescribeStacks or GetTemplate answers about one of this instance's stacks now; the read is recorded. */
  answer(nameOrId: string, action: string): StackDescription | undefined {
    const view = this.view(nameOrId);
    if (view) {
      this.cloudFormationCalls.push({ action, stackName: nameOrId, httpStatus: 200 });
    }
    return view;
  }

  /**
   * Deploys the stacks in order, stopping at the first that fails (after rolling it back).
   *
   * @throws Error before any change when `options.failAfter` names no resource of `stacks`
   */
  async deploy(stacks: readonly LocalStack[], options: DeployOptions = {}): Promise<RunReport> {
    const failAfter = options.failAfter;
    if (failAfter !== undefined) {
      checkFailAfter(stacks, failAfter);
    }
    const events: EventReport[] = [];
    for (const stack of stacks) {
      const ok = await this.deployStack(stack, events, failAfter);
      if (!ok) {
        return { ok: false, events };
      }
    }
    return { ok: true, events };
  }

  /**
   * Deletes the selected stacks (all when absent), the last deployed first, each resource the last
   * deployed first; a name selects that name's stacks in every account and region.
   */
  async destroy(selectors?: readonly StackSelector[]): Promise<RunReport> {
    const events: EventReport[] = [];
    const targets = this.deployedStacks.reverse().filter((stack) => !selectors || selectors.some((s) => selects(s, stack)));
    for (const target of targets) {
      const record = this.stackRecord(target);
      this.enter(record, 'DELETE_IN_PROGRESS', record.template);
      for (const resource of this.deployed.filter((r) => sameStack(stackOf(r), target)).reverse()) {
        if (resource.retain) {
          this.forget(resource);
          events.push(this.skipped(resource, 'Retained'));
          continue;
        }
        const report = await this.send(resource, 'Delete', resource.properties, undefined, resource.physicalResourceId, events);
        if (!report.ok) {
          this.finish(record, 'DELETE_FAILED', record.template);
          return { ok: false, events };
        }
        this.forget(resource);
      }
      this.live.delete(stackKey(target));
      this.stacks = this.stacks.filter((s) => !sameStack(s, target));
      this.persist();
    }
    return { ok: true, events };
  }

  private async deployStack(stack: LocalStack, events: EventReport[], failAfter?: string): Promise<boolean> {
    for (const resource of stack.resources) {
      const before = this.find(stack, resource.logicalId);
      if (before && before.type !== resource.type) {
        throw new Error(`${stack.name}/${resource.logicalId}: update of resource type from ${before.type} to ${resource.type} is not permitted: expected a new logical id for a resource of another type`);
      }
    }
    const existing = this.stacks.some((s) => sameStack(s, stack)) || this.deployed.some((r) => sameStack(stackOf(r), stack));
    const record = existing ? this.stackRecord(stack) : this.createStackRecord(stack);
    const creating = !existing;
    const previousTemplate = record.template;
    if (!creating) {
      // CloudFormation's LastUpdatedTime is the start of the latest update (rule R13 compares with it).
      // A real update starts seconds after the previous operation ended; a local one may start in the
      // same millisecond as the previous deploy's last invitation, which rule R13 would then count as
      // the new deploy's ("at or after its start"). Start on a later millisecond, as CloudFormation would.
      while (Date.now() <= this.lastFinishedAt) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      this.restamp(record, { lastUpdatedTime: new Date().toISOString() });
    }
    this.enter(record, creating ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS', stack.template);

    const done: Done[] = [];
    let failure: Failure | undefined;
    for (const resource of stack.resources) {
      const before = this.find(stack, resource.logicalId);
      const target = this.record(stack, resource, before);
      if (before && stableJson(before.properties) === stableJson(resource.properties)) {
        // The deployed handler code is what CloudFormation keeps; only properties trigger an Update.
        this.save({ ...before, retain: resource.retain, ...codeOf(target) });
        events.push(this.skipped(before, 'Unchanged'));
        if (failAfter !== undefined && namesResource(failAfter, resource)) {
          failure = this.injectFailure(stack, resource, failAfter);
          break;
        }
        continue;
      }
      const report = await this.send(target, before ? 'Update' : 'Create', resource.properties, before?.properties, before?.physicalResourceId, events);
      if (!report.ok) {
        failure = { before, target, properties: resource.properties, report };
        break;
      }
      const after = { ...target, physicalResourceId: report.physicalResourceId!, data: report.data ?? {} };
      this.save(after);
      done.push({ before, after });
      if (failAfter !== undefined && namesResource(failAfter, resource)) {
        failure = this.injectFailure(stack, resource, failAfter);
        break;
      }
    }

    if (failure) {
      if (creating) {
        await this.rollBackCreate(record, stack.template, done, failure, events);
      } else {
        await this.rollBackUpdate(record, previousTemplate, stack, done, failure, events);
      }
      return false;
    }
    if (!creating) {
      // CloudFormation deletes replaced and removed resources only once every other resource is
      // updated, in the cleanup phase, with the new template in place.
      this.enter(record, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', stack.template);
      const replaced = done.filter((d) => d.before && d.before.physicalResourceId !== d.after.physicalResourceId).map((d) => d.before!);
      const removed = this.deployed.filter((r) => sameStack(stackOf(r), stack) && !stack.resources.some((s) => s.logicalId === r.logicalId));
      for (const old of [...removed, ...replaced].reverse()) {
        if (old.retain) {
          events.push(this.skipped(old, 'Retained'));
        } else {
          await this.cleanUp(this.servedBy(old, stack), 'Delete', events);
        }
        if (removed.includes(old)) {
          this.forget(old);
        }
      }
    }
    this.finish(record, creating ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE', stack.template);
    return true;
  }

  /** ROLLBACK_IN_PROGRESS: a failed first deploy deletes what it created, the last created first. */
  private async rollBackCreate(record: DeployedStack, template: Record<string, unknown>, done: Done[], failure: Failure, events: EventReport[]): Promise<void> {
    this.enter(record, 'ROLLBACK_IN_PROGRESS', template);
    // A failed Create has the physical id the framework answered: onEvent's when isComplete failed,
    // else the framework's marker, whose Delete the framework answers without calling the handler.
    const created = [
      ...(failure.target && failure.report?.physicalResourceId ? [{ ...failure.target, physicalResourceId: failure.report.physicalResourceId }] : []),
      ...done.map((d) => d.after).reverse(),
    ];
    for (const resource of created) {
      if (resource.retain) {
        events.push(this.skipped(resource, 'Retained'));
      } else {
        const report = await this.send(resource, 'Rollback Delete', resource.properties, undefined, resource.physicalResourceId, events);
        if (!report.ok) {
          this.finish(record, 'ROLLBACK_FAILED', template);
          return;
        }
      }
      this.forget(resource);
    }
    // `cdk deploy` deletes a stack left in ROLLBACK_COMPLETE before it creates it again, under a new id.
    this.live.delete(stackKey(record));
    this.stacks = this.stacks.filter((s) => !sameStack(s, record));
    this.persist();
  }

  /**
   * UPDATE_ROLLBACK_IN_PROGRESS with the previous template: the failed resource and the updated
   * ones get an Update with old and new swapped, the last updated first; then, in
   * UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS, the resources the update created (new logical
   * ids, and the new physical resources of replacements) are deleted.
   */
  private async rollBackUpdate(record: DeployedStack, previousTemplate: Record<string, unknown>, stack: LocalStack, done: Done[], failure: Failure, events: EventReport[]): Promise<void> {
    // Which template GetTemplate answers now is not documented: the one rolled back to, or the one that failed.
    const answered = this.rollbackTemplate === 'failed' ? stack.template : previousTemplate;
    this.enter(record, 'UPDATE_ROLLBACK_IN_PROGRESS', answered);
    let rollbackFailed = false;
    const created: { resource: DeployedResource; replacement: boolean }[] = [];
    if (failure.before && failure.target && failure.properties) {
      // The function is rolled back after the resources that use it: the new code runs the rollback.
      const report = await this.send({ ...failure.before, ...codeOf(failure.target) },
        'Rollback Update', failure.before.properties, failure.properties, failure.before.physicalResourceId, events);
      rollbackFailed ||= !report.ok;
    } else if (failure.target && failure.report?.physicalResourceId) {
      created.push({ resource: { ...failure.target, physicalResourceId: failure.report.physicalResourceId }, replacement: false });
    }
    for (const { before, after } of [...done].reverse()) {
      if (!before) {
        created.push({ resource: after, replacement: false });
      } else if (before.physicalResourceId !== after.physicalResourceId) {
        // The old physical resource was never changed: it is the rolled-back state as it is.
        this.save(before);
        created.push({ resource: after, replacement: true });
      } else {
        const report = await this.send({ ...before, ...codeOf(after) },
          'Rollback Update', before.properties, after.properties, after.physicalResourceId, events);
        rollbackFailed ||= !report.ok;
        this.save(before);
      }
    }
    if (rollbackFailed) {
      // CloudFormation stops in UPDATE_ROLLBACK_FAILED, without a cleanup phase.
      this.finish(record, 'UPDATE_ROLLBACK_FAILED', previousTemplate);
      return;
    }
    this.enter(record, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', answered);
    for (const { resource, replacement } of created) {
      if (resource.retain) {
        events.push(this.skipped(resource, 'Retained'));
      } else {
        await this.cleanUp(this.servedBy(resource, stack), 'Rollback Delete', events);
      }
      if (!replacement) {
        this.forget(resource);
      }
    }
    this.finish(record, 'UPDATE_ROLLBACK_COMPLETE', previousTemplate);
  }

  /** A Delete in a cleanup phase: CloudFormation tries it a few times, then skips the resource and completes. */
  private async cleanUp(resource: DeployedResource, action: 'Delete' | 'Rollback Delete', events: EventReport[]): Promise<void> {
    for (let attempt = 1; attempt <= CLEANUP_DELETE_ATTEMPTS; attempt++) {
      const report = await this.send(resource, action, resource.properties, undefined, resource.physicalResourceId, events);
      if (report.ok) {
        return;
      }
    }
  }

  /**
   * The resource with the handler that serves its type in the stack being deployed: one provider
   * per stack serves every resource of a type, and CloudFormation updates its function before it
   * deletes old resources, so a removed resource's Delete runs the new code.
   */
  private servedBy(resource: DeployedResource, stack: LocalStack): DeployedResource {
    const current = stack.resources.find((r) => r.type === resource.type);
    return current
      ? { ...resource, ...this.kept(current) }
      : resource;
  }

  private createStackRecord(stack: LocalStack): DeployedStack {
    const record: DeployedStack = {
      name: stack.name,
      account: stack.account,
      region: stack.region,
      stackId: `arn:aws:cloudformation:${stack.region}:${stack.account}:stack/${stack.name}/${randomUUID()}`,
      template: stack.template,
      status: 'CREATE_IN_PROGRESS',
      creationTime: new Date().toISOString(),
    };
    this.stacks.push(record);
    return record;
  }

  /** The stack's record; a state file written before stacks were recorded gets one made from its resources. */
  private stackRecord(stack: StackIdentity): DeployedStack {
    const found = this.stacks.find((s) => sameStack(s, stack));
    if (found) {
      return found;
    }
    const name = stack.name;
    const resources = this.deployed.filter((r) => sameStack(stackOf(r), stack));
    const template = { Resources: Object.fromEntries(resources.map((r) => [r.logicalId, { Type: r.type, Properties: r.properties, Metadata: { 'aws:cdk:path': r.path } }])) };
    const record: DeployedStack = {
      name,
      account: resources[0].account,
      region: resources[0].region,
      stackId: `arn:aws:cloudformation:${resources[0].region}:${resources[0].account}:stack/${name}/${randomUUID()}`,
      template,
      status: 'UPDATE_COMPLETE',
      creationTime: new Date().toISOString(),
    };
    this.stacks.push(record);
    this.persist();
    return record;
  }

  /**
   * The failure of a deploy made to fail after `resource` succeeded, as if another resource of the
   * stack had failed: reported to the observer, then rolled back like any other.
   */
  private injectFailure(stack: LocalStack, resource: LocalResource, failAfter: string): Failure {
    this.options.observer?.failed?.({
      stack: stack.name,
      account: stack.account,
      region: stack.region,
      phase: this.live.get(stackKey(stack))?.status,
      message: `the deploy was made to fail after ${resourceName(resource.path)} succeeded (--fail-after ${failAfter}), as if another resource of the stack had failed`,
    });
    return {};
  }

  /** Changes the recorded times of a stack. */
  private restamp(record: DeployedStack, times: Pick<DeployedStack, 'lastUpdatedTime'>): void {
    const index = this.stacks.findIndex((s) => sameStack(s, record));
    this.stacks[index] = { ...this.stacks[index], ...times };
    this.persist();
  }

  /** Moves a stack to an in-progress status, with the template GetTemplate returns meanwhile. */
  private enter(record: DeployedStack, status: LocalStackStatus, template: Record<string, unknown>): void {
    this.live.set(stackKey(record), { status, template });
  }

  /** Ends an operation: the status and template are recorded for the next run. */
  private finish(record: DeployedStack, status: LocalStackStatus, template: Record<string, unknown>): void {
    this.live.delete(stackKey(record));
    this.lastFinishedAt = Date.now();
    const index = this.stacks.findIndex((s) => sameStack(s, record));
    const updated: DeployedStack = { ...this.stacks[index], status, template };
    this.stacks[index] = updated;
    this.persist();
  }

  /** What DescribeStacks and GetTemplate answer about a stack now, found by its unique StackId, else by name. */
  private view(nameOrId: string): StackDescription | undefined {
    const record = this.stacks.find((s) => s.stackId === nameOrId) ?? this.stacks.find((s) => s.name === nameOrId);
    if (!record) {
      return undefined;
    }
    const live = this.live.get(stackKey(record));
    const template = live?.template ?? record.template;
    const parameters = (template.Parameters ?? {}) as Record<string, { Default?: unknown }>;
    return {
      stackName: record.name,
      stackId: record.stackId,
      status: live?.status ?? record.status,
      template,
      // The local deploy passes no parameter values: each parameter has its default.
      parameters: Object.fromEntries(Object.entries(parameters).map(([key, p]) => [key, p.Default === undefined ? '' : String(p.Default)])),
      creationTime: new Date(record.creationTime),
      ...(record.lastUpdatedTime ? { lastUpdatedTime: new Date(record.lastUpdatedTime) } : {}),
    };
  }

  /** The display name of a resource of the stack's template at this moment, from its construct path. */
  private displayName(stack: StackIdentity, logicalId: string): string {
    const template = this.live.get(stackKey(stack))?.template ?? this.stacks.find((s) => sameStack(s, stack))?.template;
    const resource = (template?.Resources as Record<string, { Metadata?: Record<string, unknown> }> | undefined)?.[logicalId];
    const constructPath = resource?.Metadata?.['aws:cdk:path'];
    return typeof constructPath === 'string' ? resourceName(constructPath) : logicalId;
  }

  private async send(
    resource: DeployedResource,
    action: Exclude<LocalAction, 'Unchanged' | 'Retained'>,
    properties: Record<string, unknown>,
    oldProperties: Record<string, unknown> | undefined,
    physicalResourceId: string | undefined,
    events: EventReport[],
  ): Promise<EventReport> {
    const requestType = action === 'Create' ? 'Create' : action === 'Update' || action === 'Rollback Update' ? 'Update' : 'Delete';
    const frameworkArn = `arn:aws:lambda:${resource.region}:${resource.account}:function:${resource.stack}-provider-framework-onEvent`;
    const event = {
      RequestType: requestType,
      ServiceToken: frameworkArn,
      ResponseURL: `https://cloudformation-custom-resource-response-${resource.region}.s3.amazonaws.com/local-presigned-${randomUUID()}`,
      StackId: this.stackRecord(stackOf(resource)).stackId,
      RequestId: randomUUID(),
      LogicalResourceId: resource.logicalId,
      ResourceType: resource.type,
      ...(physicalResourceId ? { PhysicalResourceId: physicalResourceId } : {}),
      ResourceProperties: { ServiceToken: frameworkArn, ...(asCloudFormationSends(properties) as object) },
      ...(oldProperties ? { OldResourceProperties: { ServiceToken: frameworkArn, ...(asCloudFormationSends(oldProperties) as object) } } : {}),
    };
    this.options.observer?.before?.({ ...resource, properties, oldProperties }, action);
    const started = Date.now();
    const phase = this.live.get(stackKey(stackOf(resource)))?.status;
    const result = await this.provider(resource, event);
    const kept = keptAccounts(result.logs).map((k) => ({ ...k, declaredBy: k.declaredBy.map((id) => this.displayName(stackOf(resource), id)) }));
    const report: EventReport = {
      stack: resource.stack,
      account: resource.account,
      region: resource.region,
      logicalId: resource.logicalId,
      path: resource.path,
      type: resource.type,
      action,
      ok: !result.error,
      ...(result.error ? { error: result.error } : { data: result.data }),
      ...(result.physicalResourceId ? { physicalResourceId: result.physicalResourceId } : {}),
      properties,
      ...(oldProperties ? { oldProperties } : {}),
      logs: result.logs,
      durationMs: Date.now() - started,
      ...(phase ? { phase } : {}),
      ...(kept.length > 0 ? { kept } : {}),
      ...(result.waiterPolls !== undefined ? { waiterPolls: result.waiterPolls } : {}),
    };
    events.push(report);
    this.options.observer?.after?.(report);
    return report;
  }

  /**
   * The aws-cdk-lib Provider framework's runtime, the resource's own (its synthesized asset), with
   * its outbound calls answered here: the user functions run as the resource's account, the waiter
   * polls at this instance's interval, and the response CloudFormation would read is captured.
   */
  private async provider(resource: DeployedResource, event: Record<string, unknown>): Promise<ProviderResult> {
    const identity: InvocationIdentity = {
      account: resource.account,
      region: resource.region,
      endpoint: this.options.endpoint,
      cloudFormationEndpoint: await this.cloudFormationEndpoint(),
      ...(this.options.environment ? { environment: this.options.environment } : {}),
    };
    const logs: string[] = [];
    const userFunction = (ref: HandlerRef) => ({
      arn: `arn:aws:lambda:${resource.region}:${resource.account}:function:${ref.functionLogicalId}`,
      invoke: async (payload: Record<string, unknown>) => {
        const invocation = await this.lambda.invoke(ref, payload, identity);
        logs.push(...invocation.logs);
        if (invocation.error) {
          throw invocation.error;
        }
        return invocation.result;
      },
    });
    const { response, polls } = await runFrameworkEvent(event, {
      ...(resource.framework ? { runtime: resource.framework } : {}),
      functions: { onEvent: userFunction(resource.onEvent), ...(resource.isComplete ? { isComplete: userFunction(resource.isComplete) } : {}) },
      waiter: { intervalMs: this.options.isCompleteIntervalMs ?? 1000, maxPolls: this.options.isCompleteMaxPolls ?? 720 },
      waiterArn: `arn:aws:states:${resource.region}:${resource.account}:stateMachine:${resource.stack}-provider-waiter`,
    });
    const { Status, Reason, PhysicalResourceId, Data } = response.parsed;
    const waited = resource.isComplete ? { waiterPolls: polls } : {};
    if (response.bytes > CUSTOM_RESOURCE_RESPONSE_LIMIT) {
      // CloudFormation refuses the answer whatever it says, and the resource fails.
      return { error: `Response object is too long (${response.bytes} bytes; CloudFormation reads at most ${CUSTOM_RESOURCE_RESPONSE_LIMIT})`, logs, ...waited };
    }
    return Status === 'SUCCESS'
      ? { physicalResourceId: PhysicalResourceId, data: Data ?? {}, logs, ...waited }
      : { error: handlerMessage(Reason), physicalResourceId: PhysicalResourceId, logs, ...waited };
  }

  private record(stack: LocalStack, resource: LocalResource, before: DeployedResource | undefined): DeployedResource {
    return {
      stack: stack.name,
      account: stack.account,
      region: stack.region,
      logicalId: resource.logicalId,
      path: resource.path,
      type: resource.type,
      physicalResourceId: before?.physicalResourceId ?? '',
      properties: resource.properties,
      data: before?.data ?? {},
      retain: resource.retain,
      ...this.kept(resource),
    };
  }

  /** The code serving `resource`, copied out of cdk.out, which the next synth may replace. */
  private kept(resource: ServingCode): ServingCode {
    return {
      onEvent: this.keep(resource.onEvent),
      ...(resource.isComplete ? { isComplete: this.keep(resource.isComplete) } : {}),
      ...(resource.framework ? { framework: this.keepDirectory(resource.framework) } : {}),
    };
  }

  /** Copies a handler bundle out of cdk.out. */
  private keep(ref: HandlerRef): HandlerRef {
    if (!this.options.assetsDir) {
      return ref;
    }
    const target = path.join(this.options.assetsDir, path.basename(path.dirname(ref.file)), path.basename(ref.file));
    if (!fs.existsSync(target)) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(ref.file, target);
    }
    return { ...ref, file: path.resolve(target) };
  }

  /** Copies an asset directory (the framework's runtime) out of cdk.out. */
  private keepDirectory(dir: string): string {
    if (!this.options.assetsDir) {
      return dir;
    }
    const target = path.join(this.options.assetsDir, path.basename(dir));
    if (!fs.existsSync(target)) {
      // Copied whole under a temporary name, so a directory by the final name is never half there.
      const partial = `${target}.${process.pid}.partial`;
      fs.cpSync(dir, partial, { recursive: true });
      fs.renameSync(partial, target);
    }
    return path.resolve(target);
  }

  private skipped(record: DeployedResource, action: 'Unchanged' | 'Retained'): EventReport {
    const phase = this.live.get(stackKey(stackOf(record)))?.status;
    return { ...record, action, ok: true, physicalResourceId: record.physicalResourceId, data: record.data, logs: [], durationMs: 0, ...(phase ? { phase } : {}) };
  }

  private find(stack: StackIdentity, logicalId: string): DeployedResource | undefined {
    return this.deployed.find((r) => sameStack(stackOf(r), stack) && r.logicalId === logicalId);
  }

  private save(record: DeployedResource): void {
    const index = this.deployed.findIndex((r) => sameStack(stackOf(r), stackOf(record)) && r.logicalId === record.logicalId);
    if (index >= 0) {
      this.deployed[index] = record;
    } else {
      this.deployed.push(record);
    }
    this.persist();
  }

  private forget(record: DeployedResource): void {
    this.deployed = this.deployed.filter((r) => !(sameStack(stackOf(r), stackOf(record)) && r.logicalId === record.logicalId));
    this.persist();
  }

  private persist(): void {
    if (!this.options.statePath) {
      return;
    }
    fs.mkdirSync(path.dirname(this.options.statePath), { recursive: true });
    const tmp = `${this.options.statePath}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ resources: this.deployed, stacks: this.stacks }, null, 2));
    fs.renameSync(tmp, this.options.statePath);
  }
}
