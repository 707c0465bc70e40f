/**
 * The scheduled audit of `SecurityHubMembersAudit` (docs/design.md, "Scheduled audit"): reads the
 * deployed stack, compares Security Hub with its `Custom::SecurityHubMembers` declarations using
 * the drift command's reads and comparison, logs one report line, publishes the metrics as
 * embedded metric format, puts one EventBridge event when something drifted, and with repair
 * re-adds the declared accounts that left. A run that cannot audit everything fails: the failure
 * alarm hears of it through the missing `AuditSucceeded`.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  AUDIT_METRIC_DIMENSION,
  AUDIT_METRIC_NAMESPACE,
  AUDIT_RUN_AUDITED,
  AUDIT_RUN_DEFERRED,
  DRIFT_EVENT_DETAIL_TYPE,
  DRIFT_EVENT_SOURCE,
  METRIC_AUDIT_SUCCEEDED,
  METRIC_DRIFTED_MEMBERS,
} from '../../lib/shared/contract';
import { SdkMemberHub } from '../members/hub';
import { reconcile } from '../members/reconcile';
import { reasonOf } from '../shared/errors';
import { compareFleet, DeclaredResource, toDocument } from '../shared/fleet/comparison';
import { SdkHubReader } from '../shared/fleet/hub-reader';
import { createRuntime, Invocation, lazily, Runtime, RuntimeOptions } from '../shared/runtime';
import { accountOfStackId, regionOfStackId, SdkStackReader, StackReader } from '../shared/stack';
import { TimeBudget } from '../shared/time-budget';
import { DeployedDeclaration, readDeployedDeclarations } from './declarations';
import { AuditReport, driftEventDetail, reportLine, metricsOf, RepairedResource } from './report';

export type { RuntimeOptions } from '../shared/runtime';

/** The environment the construct sets. */
export const ENV_STACK_ID = 'AUDIT_STACK_ID';
export const ENV_STACK_NAME = 'AUDIT_STACK_NAME';
export const ENV_REPAIR = 'AUDIT_REPAIR';

/** What a run answers; Lambda's scheduled invocation ignores it, tests and the local command read it. */
export interface AuditOutcome {
  /** {@link AUDIT_RUN_DEFERRED} while the stack is mid-operation. */
  readonly outcome: typeof AUDIT_RUN_AUDITED | typeof AUDIT_RUN_DEFERRED;
  readonly report?: AuditReport;
  /** The event's detail, when one was put. */
  readonly event?: string;
}

/** The scheduled function. */
export type AuditHandler = (event?: unknown, context?: { getRemainingTimeInMillis?(): number }) => Promise<AuditOutcome>;

/** The audit bundle's handler function, over one runtime. */
export interface AuditHandlers {
  readonly handler: AuditHandler;
}

/** What one run works with. */
interface Scope extends Invocation {
  readonly runtime: Runtime;
  readonly stackReader: StackReader;
  readonly metrics: Metrics;
}

function requiredEnv(runtime: Runtime, name: string): string {
  const value = runtime.env[name];
  if (!value) {
    throw new Error(`no ${name} in the environment: expected the value SecurityHubMembersAudit sets`);
  }
  return value;
}

/**
 * Whether Powertools would publish: `POWERTOOLS_METRICS_DISABLED` decides, and without it
 * `POWERTOOLS_DEV` turns metrics off, as Powertools reads them.
 */
function metricsEnabled(runtime: Runtime): boolean {
  const disabled = runtime.env.POWERTOOLS_METRICS_DISABLED;
  if (disabled !== undefined && disabled !== '') {
    return disabled.toLowerCase() !== 'true' && disabled !== '1';
  }
  return runtime.env.POWERTOOLS_DEV?.toLowerCase() !== 'true' && runtime.env.POWERTOOLS_DEV !== '1';
}

/** Makes the audit handler over a runtime made from `options` (the Lambda defaults without). */
export function createHandler(options: RuntimeOptions = {}): AuditHandlers {
  const runtime = createRuntime(options);
  const stackReader = new SdkStackReader(runtime);
  return {
    handler: async (_event, context) => {
      const stackId = requiredEnv(runtime, ENV_STACK_ID);
      const stackName = requiredEnv(runtime, ENV_STACK_NAME);
      const repair = runtime.env[ENV_REPAIR] === 'true';
      const metrics = new Metrics({ namespace: AUDIT_METRIC_NAMESPACE });
      // One dimension, Stack: the `service` dimension Powertools adds by default would be a second
      // one, and the alarms of the construct name only Stack.
      metrics.clearDefaultDimensions();
      metrics.addDimension(AUDIT_METRIC_DIMENSION, stackName);
      const scope: Scope = { ...runtime.invocation(context), runtime, stackReader, metrics };
      try {
        return await run(scope, stackId, stackName, repair);
      } finally {
        // Serialized here rather than published by Powertools, so the records go to the runtime's sink.
        if (metrics.hasStoredMetrics() && metricsEnabled(runtime)) {
          runtime.sink(JSON.stringify(metrics.serializeMetrics()), 'INFO');
        }
        metrics.clearMetrics();
      }
    },
  };
}

const defaultHandlers = lazily(() => createHandler());

/** One run; the event (a scheduled event from EventBridge) is not read. */
export const handler: AuditHandler = (event, context) => defaultHandlers().handler(event, context);

async function run(scope: Scope, stackId: string, stackName: string, repair: boolean): Promise<AuditOutcome> {
  const { log, metrics, runtime } = scope;
  const view = await scope.stackReader.read(stackId);
  if (view.status.endsWith('_IN_PROGRESS')) {
    // The template and the hubs are changing under a deploy: nothing read now would mean anything.
    log('INFO', 'the stack is mid-operation; nothing audited this run', { stackStatus: view.status });
    metrics.addMetric(METRIC_AUDIT_SUCCEEDED, MetricUnit.Count, 1);
    return { outcome: AUDIT_RUN_DEFERRED };
  }
  const region = regionOfStackId(stackId)!;
  const account = accountOfStackId(stackId);
  if (!account) {
    throw new Error(`invalid ${ENV_STACK_ID} ${JSON.stringify(stackId)}: expected arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/NAME/ID`);
  }
  const { declarations, unreadable } = readDeployedDeclarations(view.templateBody, { region, account, stackName, stackId, parameters: view.parameters });
  const resources: DeclaredResource[] = [
    ...declarations.map((d) => ({ stack: stackName, displayName: stackName, logicalId: d.logicalId, account, declaration: { accountIds: d.members.map((m) => m.accountId), invite: d.invite, regions: d.regions } })),
    ...unreadable.map((u) => ({ stack: stackName, displayName: stackName, logicalId: u.logicalId, account, unreadable: u.reason })),
  ];
  const comparison = compareFleet({ resources, readerFor: (r) => new SdkHubReader(runtime.securityHub(r)), useRoles: false });
  await comparison.prepare();
  // Independent reads: GetMembers of the declared accounts beside the ListMembers pages.
  await Promise.all([comparison.readStatuses(), comparison.readUndeclared()]);
  const result = comparison.result();
  const document = toDocument(result);
  const values = metricsOf(document);
  for (const [name, value] of Object.entries(values)) {
    metrics.addMetric(name, MetricUnit.Count, value);
  }
  const repaired = repair ? await repairDrift(scope, declarations, document.resources) : undefined;
  const report: AuditReport = { stack: stackName, ...document, ...(repaired ? { repaired } : {}) };
  // One line with the whole report, the shape of `drift --json`.
  runtime.sink(reportLine(report), report.inSync ? 'INFO' : 'WARN');
  let event: string | undefined;
  if (values[METRIC_DRIFTED_MEMBERS] > 0) {
    event = driftEventDetail(report);
    await putEvent(scope, region, event);
  }
  if (result.otherAdministrators.length > 0) {
    throw new Error(`the hub of ${result.otherAdministrators.map((s) => s.reason).join('; ')}: expected the audit's own account to administer every resource of its stack`);
  }
  if (unreadable.length > 0) {
    const list = unreadable.map((u) => `${u.logicalId} (${u.reason})`).join('; ');
    throw new Error(`cannot audit ${unreadable.length} SecurityHubMembers resource${unreadable.length === 1 ? '' : 's'} of stack ${stackName} whose declaration is not literal: ${list}: expected literal account ids, Invite and Regions, or Refs to stack parameters`);
  }
  metrics.addMetric(METRIC_AUDIT_SUCCEEDED, MetricUnit.Count, 1);
  return { outcome: AUDIT_RUN_AUDITED, report, ...(event ? { event } : {}) };
}

/**
 * Brings back the drifted accounts of each invite-true resource by the additions of the status
 * table, as an Update with an unchanged declaration does: the declaration given to the planner is
 * only the drifted accounts, before and now, so nothing can be planned for removal.
 */
async function repairDrift(scope: Scope, declarations: readonly DeployedDeclaration[], resources: AuditReport['resources']): Promise<RepairedResource[]> {
  const { log, runtime } = scope;
  // Repair only adds, and a failed addition is not undone: no time budget stops it midway.
  const run = { log, budget: TimeBudget.unlimited(runtime.now) };
  const repaired: RepairedResource[] = [];
  for (const declaration of declarations.filter((d) => d.invite)) {
    const targets = resources
      .filter((r) => r.logicalId === declaration.logicalId)
      .map((r) => {
        const drifted = new Set(r.members.filter((m) => !m.inSync).map((m) => m.accountId));
        const members = declaration.members.filter((m) => drifted.has(m.accountId));
        return { region: r.region, declared: members, previous: members.map((m) => m.accountId) };
      })
      .filter((t) => t.declared.length > 0);
    if (targets.length === 0) {
      continue;
    }
    const outcomes = await reconcile(targets, (region) => new SdkMemberHub(runtime.securityHub(region), run), { ...run, invite: true, undoOnFailure: false });
    for (const outcome of outcomes) {
      repaired.push({ logicalId: declaration.logicalId, region: outcome.region, created: outcome.created, invited: outcome.invited });
      log('INFO', 'repaired', { logicalId: declaration.logicalId, region: outcome.region, created: outcome.created, invited: outcome.invited, unactionable: outcome.unactionable });
    }
  }
  return repaired;
}

async function putEvent(scope: Scope, region: string, detail: string): Promise<void> {
  const events = scope.runtime.client(EventBridgeClient, 'eventbridge', region);
  let out;
  try {
    out = await events.send(new PutEventsCommand({ Entries: [{ Source: DRIFT_EVENT_SOURCE, DetailType: DRIFT_EVENT_DETAIL_TYPE, Detail: detail }] }));
  } catch (error) {
    throw new Error(`putting the drift event on the default event bus of ${region} failed: ${reasonOf(error)}`, { cause: error });
  }
  if ((out.FailedEntryCount ?? 0) > 0) {
    const entry = out.Entries?.[0];
    throw new Error(`putting the drift event on the default event bus of ${region} failed: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim());
  }
}
