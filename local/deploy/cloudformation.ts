/**
 * A small local stand-in for CloudFormation plus the aws-cdk-lib Provider framework, for the
 * custom resources of this library: Create the first time, Update with old and new properties
 * when they changed, nothing when unchanged, Delete when a resource leaves the template or the
 * stack is destroyed, and CloudFormation's rollback when an event fails.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { HandlerRef, LocalResource, LocalStack } from './assembly';
import { StateFileError } from '../state-file';
import { invokeHandler, InvocationIdentity } from './invoke';

/** Which resource, in which stack, account and region. */
export interface ResourceIdentity {
  readonly stack: string;
  readonly account: string;
  readonly region: string;
  readonly logicalId: string;
  readonly path: string;
  readonly type: string;
}

/** A resource as deployed, kept between runs. */
export interface DeployedResource extends ResourceIdentity {
  readonly physicalResourceId: string;
  readonly properties: Record<string, unknown>;
  readonly data: Record<string, string>;
  readonly retain: boolean;
  readonly onEvent: HandlerRef;
  readonly isComplete?: HandlerRef;
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
}

/** Hooks around every event, for reporting what changed. */
export interface EventObserver {
  before?(resource: { stack: string; account: string; region: string; type: string; properties: Record<string, unknown>; oldProperties?: Record<string, unknown> }, action: LocalAction): void;
  after?(report: EventReport): void;
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
  /** Polling interval of isComplete. @default 1000 */
  readonly isCompleteIntervalMs?: number;
  /** Most isComplete polls before the framework's own timeout. @default 720 */
  readonly isCompleteMaxPolls?: number;
  /** A cold start for every invocation. @default false */
  readonly freshContainers?: boolean;
  readonly observer?: EventObserver;
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

/**
 * The resources recorded in a state file of {@link LocalCloudFormation}; none when the file is absent.
 *
 * @throws StateFileError naming the file when it is not JSON or has no `resources` list
 */
export function readDeployedResources(statePath: string): DeployedResource[] {
  if (!fs.existsSync(statePath)) {
    return [];
  }
  let state: unknown;
  try {
    state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
  } catch (err) {
    throw new StateFileError(statePath, `cannot read the local deploy's state file ${statePath}: ${(err as Error).message}`);
  }
  const resources = (state as { resources?: unknown } | null)?.resources;
  if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'object' && r !== null && typeof r.stack === 'string' && typeof r.logicalId === 'string')) {
    throw new StateFileError(statePath,
      `cannot read the local deploy's state file ${statePath}: expected {"resources": [...]} with a stack and logicalId for each resource`);
  }
  return resources as DeployedResource[];
}

/** Runs CloudFormation's lifecycle for this library's custom resources against the local hub. */
export class LocalCloudFormation {
  private deployed: DeployedResource[];

  constructor(private readonly options: LocalCloudFormationOptions) {
    this.deployed = options.statePath ? readDeployedResources(options.statePath) : [];
  }

  /** The resources deployed now, in deployment order. */
  get resources(): readonly DeployedResource[] {
    return this.deployed;
  }

  /** Deploys the stacks in order, stopping at the first that fails (after rolling it back). */
  async deploy(stacks: readonly LocalStack[]): Promise<RunReport> {
    const events: EventReport[] = [];
    for (const stack of stacks) {
      const ok = await this.deployStack(stack, events);
      if (!ok) {
        return { ok: false, events };
      }
    }
    return { ok: true, events };
  }

  /** Deletes the deployed resources of the named stacks (all when absent), the last deployed first. */
  async destroy(stackNames?: readonly string[]): Promise<RunReport> {
    const events: EventReport[] = [];
    const targets = [...this.deployed].reverse().filter((r) => !stackNames || stackNames.includes(r.stack));
    for (const record of targets) {
      if (record.retain) {
        this.forget(record);
        events.push(this.skipped(record, 'Retained'));
        continue;
      }
      const report = await this.send(record, 'Delete', record.properties, undefined, record.physicalResourceId, events);
      if (!report.ok) {
        return { ok: false, events };
      }
      this.forget(record);
    }
    return { ok: true, events };
  }

  private async deployStack(stack: LocalStack, events: EventReport[]): Promise<boolean> {
    const done: { before?: DeployedResource; after: DeployedResource }[] = [];
    for (const resource of stack.resources) {
      const before = this.find(stack.name, resource.logicalId);
      const target = this.record(stack, resource, before);
      if (before && before.type === resource.type && stableJson(before.properties) === stableJson(resource.properties)) {
        // The deployed handler code is what CloudFormation keeps; only properties trigger an Update.
        this.save({ ...before, retain: resource.retain, onEvent: target.onEvent, isComplete: target.isComplete });
        events.push(this.skipped(before, 'Unchanged'));
        continue;
      }
      const action = before ? 'Update' : 'Create';
      const report = await this.send(target, action, resource.properties, before?.properties, before?.physicalResourceId, events);
      if (!report.ok) {
        if (!before && report.physicalResourceId) {
          // A Create that failed after onEvent succeeded (in isComplete) has a real physical id, so
          // CloudFormation's rollback sends it a Delete; the framework only ignores its own marker.
          await this.send({ ...target, physicalResourceId: report.physicalResourceId }, 'Rollback Delete', resource.properties, undefined, report.physicalResourceId, events);
        }
        if (before) {
          // CloudFormation rolls the failed resource back too: an Update with old and new swapped.
          await this.send(before, 'Rollback Update', before.properties, resource.properties, before.physicalResourceId, events);
        }
        await this.rollBack(done, events);
        return false;
      }
      const after = { ...target, physicalResourceId: report.physicalResourceId!, data: report.data ?? {} };
      this.save(after);
      done.push({ before, after });
      if (before && before.physicalResourceId !== after.physicalResourceId) {
        // A new physical id makes CloudFormation delete the old resource once the stack is updated.
        await this.send(before, 'Delete', before.properties, undefined, before.physicalResourceId, events);
      }
    }
    for (const stale of this.deployed.filter((r) => r.stack === stack.name && !stack.resources.some((s) => s.logicalId === r.logicalId))) {
      if (stale.retain) {
        events.push(this.skipped(stale, 'Retained'));
      } else {
        const report = await this.send(stale, 'Delete', stale.properties, undefined, stale.physicalResourceId, events);
        if (!report.ok) {
          return false;
        }
      }
      this.forget(stale);
    }
    return true;
  }

  private async rollBack(done: { before?: DeployedResource; after: DeployedResource }[], events: EventReport[]): Promise<void> {
    for (const { before, after } of [...done].reverse()) {
      if (before) {
        await this.send({ ...before, onEvent: after.onEvent, isComplete: after.isComplete }, 'Rollback Update', before.properties, after.properties, after.physicalResourceId, events);
        this.save(before);
      } else {
        await this.send(after, 'Rollback Delete', after.properties, undefined, after.physicalResourceId, events);
        this.forget(after);
      }
    }
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
      StackId: `arn:aws:cloudformation:${resource.region}:${resource.account}:stack/${resource.stack}/local`,
      RequestId: randomUUID(),
      LogicalResourceId: resource.logicalId,
      ResourceType: resource.type,
      ...(physicalResourceId ? { PhysicalResourceId: physicalResourceId } : {}),
      ResourceProperties: { ServiceToken: frameworkArn, ...(asCloudFormationSends(properties) as object) },
      ...(oldProperties ? { OldResourceProperties: { ServiceToken: frameworkArn, ...(asCloudFormationSends(oldProperties) as object) } } : {}),
    };
    this.options.observer?.before?.({ ...resource, properties, oldProperties }, action);
    const started = Date.now();
    const result = await this.provider(resource, event);
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
    };
    events.push(report);
    this.options.observer?.after?.(report);
    return report;
  }

  /** What the Provider framework does: onEvent, then isComplete until it says complete. */
  private async provider(resource: DeployedResource, event: Record<string, unknown> & { RequestType: string }): Promise<ProviderResult> {
    const identity: InvocationIdentity = {
      account: resource.account,
      region: resource.region,
      endpoint: this.options.endpoint,
      environment: this.options.environment,
    };
    const fresh = this.options.freshContainers ?? false;
    const onEvent = await invokeHandler<{ PhysicalResourceId?: string; Data?: Record<string, string> }>(resource.onEvent, event, identity, { fresh });
    const logs = [...onEvent.logs];
    if (onEvent.error) {
      return { error: onEvent.error.message, logs };
    }
    let physicalResourceId = onEvent.result?.PhysicalResourceId ?? (event.PhysicalResourceId as string | undefined) ?? String(event.RequestId);
    let data = { ...(onEvent.result?.Data ?? {}) };
    if (resource.isComplete) {
      const polls = this.options.isCompleteMaxPolls ?? 720;
      for (let poll = 1; ; poll++) {
        const check = await invokeHandler<{ IsComplete: boolean; PhysicalResourceId?: string; Data?: Record<string, string> }>(
          resource.isComplete, { ...event, PhysicalResourceId: physicalResourceId, Data: data }, identity, { fresh });
        logs.push(...check.logs);
        // A failure here carries onEvent's physical id, so CloudFormation's rollback Delete is not ignored.
        if (check.error) {
          return { error: check.error.message, physicalResourceId, logs };
        }
        if (check.result?.IsComplete) {
          physicalResourceId = check.result.PhysicalResourceId ?? physicalResourceId;
          data = { ...data, ...(check.result.Data ?? {}) };
          break;
        }
        if (check.result?.Data && Object.keys(check.result.Data).length > 0) {
          return { error: '"Data" is not allowed if "IsComplete" is "False"', physicalResourceId, logs };
        }
        if (poll >= polls) {
          return { error: 'Operation timed out', physicalResourceId, logs };
        }
        await new Promise((resolve) => setTimeout(resolve, this.options.isCompleteIntervalMs ?? 1000));
      }
    }
    return { physicalResourceId, data, logs };
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
      onEvent: this.keep(resource.onEvent),
      ...(resource.isComplete ? { isComplete: this.keep(resource.isComplete) } : {}),
    };
  }

  /** Copies a handler bundle out of cdk.out, which the next synth may replace. */
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

  private skipped(record: DeployedResource, action: 'Unchanged' | 'Retained'): EventReport {
    return { ...record, action, ok: true, physicalResourceId: record.physicalResourceId, data: record.data, logs: [], durationMs: 0 };
  }

  private find(stack: string, logicalId: string): DeployedResource | undefined {
    return this.deployed.find((r) => r.stack === stack && r.logicalId === logicalId);
  }

  private save(record: DeployedResource): void {
    const index = this.deployed.findIndex((r) => r.stack === record.stack && r.logicalId === record.logicalId);
    if (index >= 0) {
      this.deployed[index] = record;
    } else {
      this.deployed.push(record);
    }
    this.persist();
  }

  private forget(record: DeployedResource): void {
    this.deployed = this.deployed.filter((r) => !(r.stack === record.stack && r.logicalId === record.logicalId));
    this.persist();
  }

  private persist(): void {
    if (!this.options.statePath) {
      return;
    }
    fs.mkdirSync(path.dirname(this.options.statePath), { recursive: true });
    const tmp = `${this.options.statePath}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ resources: this.deployed }, null, 2));
    fs.renameSync(tmp, this.options.statePath);
  }
}
