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
import { AdaptiveRetryStrategy } from '@smithy/core/retry';
import { reconcile } from '../members/reconcile';
import { SdkMemberHub } from '../members/hub';
import type { MemberHub } from '../members/reconcile';
import { clientsFor, tuningFromEnv } from '../shared/client';
import { reasonOf } from '../shared/errors';
import { DeclaredResource, FleetAudit, toDocument } from '../shared/fleet/audit';
import { SdkHubReader } from '../shared/fleet/hub-reader';
import { log } from '../shared/log';
import { accountOfStackId, regionOfStackId, SdkStackReader, StackReader } from '../shared/stack';
import { DeployedDeclaration, readDeployedDeclarations } from './declarations';
import { AuditReport, driftEventDetail, reportLine, EVENT_DETAIL_TYPE, EVENT_SOURCE, METRIC_DIMENSION, METRIC_NAMESPACE, metricsOf, RepairedResource } from './report';

/** The environment the construct sets. */
export const ENV_STACK_ID = 'AUDIT_STACK_ID';
export const ENV_STACK_NAME = 'AUDIT_STACK_NAME';
export const ENV_REPAIR = 'AUDIT_REPAIR';

/** What a run answers; Lambda's scheduled invocation ignores it, tests and the local command read it. */
export interface AuditOutcome {
  /** `skipped` while the stack is mid-operation. */
  readonly outcome: 'audited' | 'skipped';
  readonly report?: AuditReport;
  /** The event's detail, when one was put. */
  readonly event?: string;
}

const metrics = new Metrics({ namespace: METRIC_NAMESPACE });
// One dimension, Stack: the `service` dimension Powertools adds by default would be a second one,
// and the alarms of the construct name only Stack.
metrics.clearDefaultDimensions();

let stackReader: StackReader | undefined;
let events: EventBridgeClient | undefined;
const hubs = new Map<string, MemberHub>();

function memberHub(region: string): MemberHub {
  let hub = hubs.get(region);
  if (!hub) {
    hub = new SdkMemberHub(clientsFor(region));
    hubs.set(region, hub);
  }
  return hub;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`no ${name} in the environment: expected the value SecurityHubMembersAudit sets`);
  }
  return value;
}

/** One run; the event (a scheduled event from EventBridge) is not read. */
export async function handler(_event?: unknown): Promise<AuditOutcome> {
  const stackId = requiredEnv(ENV_STACK_ID);
  const stackName = requiredEnv(ENV_STACK_NAME);
  const repair = process.env[ENV_REPAIR] === 'true';
  metrics.addDimension(METRIC_DIMENSION, stackName);
  try {
    return await run(stackId, stackName, repair);
  } finally {
    if (metrics.hasStoredMetrics()) {
      metrics.publishStoredMetrics();
    }
    metrics.clearDimensions();
  }
}

async function run(stackId: string, stackName: string, repair: boolean): Promise<AuditOutcome> {
  stackReader ??= new SdkStackReader();
  const view = await stackReader.read(stackId);
  if (view.status.endsWith('_IN_PROGRESS')) {
    // The template and the hubs are changing under a deploy: nothing read now would mean anything.
    log('INFO', 'the stack is mid-operation; nothing audited this run', { stackStatus: view.status });
    metrics.addMetric('AuditSucceeded', MetricUnit.Count, 1);
    return { outcome: 'skipped' };
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
  const audit = new FleetAudit({ resources, readerFor: (r) => new SdkHubReader(clientsFor(r)), useRoles: false });
  await audit.prepare();
  // Independent reads: GetMembers of the declared accounts beside the ListMembers pages.
  await Promise.all([audit.readStatuses(), audit.readUndeclared()]);
  const result = audit.result();
  const document = toDocument(result);
  const values = metricsOf(document);
  for (const [name, value] of Object.entries(values)) {
    metrics.addMetric(name, MetricUnit.Count, value);
  }
  const repaired = repair ? await repairDrift(declarations, document.resources) : undefined;
  const report: AuditReport = { stack: stackName, ...document, ...(repaired ? { repaired } : {}) };
  // One line with the whole report, the shape of `drift --json`.
  console.log(reportLine(report));
  let event: string | undefined;
  if (values.DriftedMembers > 0) {
    event = driftEventDetail(report);
    await putEvent(region, event);
  }
  if (result.skipped.length > 0) {
    throw new Error(`the hub of ${result.skipped.map((s) => s.reason).join('; ')}: expected the audit's own account to administer every resource of its stack`);
  }
  if (unreadable.length > 0) {
    const list = unreadable.map((u) => `${u.logicalId} (${u.reason})`).join('; ');
    throw new Error(`cannot audit ${unreadable.length} SecurityHubMembers resource${unreadable.length === 1 ? '' : 's'} of stack ${stackName} whose declaration is not literal: ${list}: expected literal account ids, Invite and Regions, or Refs to stack parameters`);
  }
  metrics.addMetric('AuditSucceeded', MetricUnit.Count, 1);
  return { outcome: 'audited', report, ...(event ? { event } : {}) };
}

/**
 * Brings back the drifted accounts of each invite-true resource by the additions of the status
 * table, as an Update with an unchanged declaration does: the declaration given to the planner is
 * only the drifted accounts, before and now, so nothing can be planned for removal.
 */
async function repairDrift(declarations: readonly DeployedDeclaration[], resources: AuditReport['resources']): Promise<RepairedResource[]> {
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
    const outcomes = await reconcile(targets, memberHub, { invite: true, rollbackOnFailure: false });
    for (const outcome of outcomes) {
      repaired.push({ logicalId: declaration.logicalId, region: outcome.region, created: outcome.created, invited: outcome.invited });
      log('INFO', 'repaired', { logicalId: declaration.logicalId, region: outcome.region, created: outcome.created, invited: outcome.invited, skipped: outcome.skipped });
    }
  }
  return repaired;
}

async function putEvent(region: string, detail: string): Promise<void> {
  events ??= new EventBridgeClient({ region, retryStrategy: new AdaptiveRetryStrategy(tuningFromEnv().maxAttempts) });
  let out;
  try {
    out = await events.send(new PutEventsCommand({ Entries: [{ Source: EVENT_SOURCE, DetailType: EVENT_DETAIL_TYPE, Detail: detail }] }));
  } catch (error) {
    throw new Error(`putting the drift event on the default event bus of ${region} failed: ${reasonOf(error)}`, { cause: error });
  }
  if ((out.FailedEntryCount ?? 0) > 0) {
    const entry = out.Entries?.[0];
    throw new Error(`putting the drift event on the default event bus of ${region} failed: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim());
  }
}
