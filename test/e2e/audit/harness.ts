/**
 * Runs the BUNDLED audit function (assets/audit-handler) as Lambda would on its schedule, against
 * the local Security Hub, a local CloudFormation endpoint answering for one stack whose status,
 * template and parameters a test sets, and the local EventBridge endpoint.
 */
import * as path from 'path';
import { QueryError, RunningCloudFormationEndpoint, startCloudFormationEndpoint } from '../../../local/deploy/cloudformation-endpoint';
import { LocalLambda } from '../../../local/deploy/invoke';
import { RunningEmulator, startEmulator } from '../../../local/emulator';
import { RunningEventBridgeEndpoint, startEventBridgeEndpoint } from '../../../local/eventbridge-endpoint';
import type { AuditOutcome } from '../../../lambda/audit/index';

export const ADMIN = '999999999999';
export const REGION = 'us-east-1';
export const STACK_NAME = 'Admin';
export const STACK_ID = `arn:aws:cloudformation:${REGION}:${ADMIN}:stack/${STACK_NAME}/6a1b2c3d-0000-4000-8000-000000000000`;
export const BUNDLE = path.join(__dirname, '..', '..', '..', 'assets', 'audit-handler', 'index.js');

/** A scheduled event, as EventBridge sends it. */
export const SCHEDULED_EVENT = {
  'version': '0',
  'id': '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  'source': 'aws.events',
  'account': ADMIN,
  'time': '2026-12-05T03:00:00Z',
  'region': REGION,
  'resources': [`arn:aws:events:${REGION}:${ADMIN}:rule/Admin-AuditSchedule`],
  'detail': {},
};

/** One `Custom::SecurityHubMembers` of the template. */
export interface MembersResource {
  readonly members: unknown[];
  readonly invite?: unknown;
  readonly regions?: unknown[];
  readonly condition?: string;
}

/** A template like the one CDK synthesizes: the members resources and their provider's function. */
export function template(resources: Record<string, MembersResource>, parameters: Record<string, { Type: string; NoEcho?: boolean }> = {}): Record<string, unknown> {
  return {
    Parameters: parameters,
    Resources: {
      Handler: { Type: 'AWS::Lambda::Function', Properties: { Handler: 'index.handler' } },
      ...Object.fromEntries(Object.entries(resources).map(([logicalId, r]) => [logicalId, {
        Type: 'Custom::SecurityHubMembers',
        ...(r.condition ? { Condition: r.condition } : {}),
        Properties: {
          ServiceToken: { 'Fn::GetAtt': ['Handler', 'Arn'] },
          Members: r.members.map((m) => (typeof m === 'string' ? { AccountId: m } : m)),
          ...(r.invite !== undefined ? { Invite: r.invite } : {}),
          ...(r.regions ? { Regions: r.regions } : {}),
        },
      }])),
    },
  };
}

/** What the local CloudFormation answers about the stack. */
export interface StackState {
  status: string;
  template: Record<string, unknown>;
  parameters: Record<string, string>;
  /** Refuses GetTemplate with AccessDenied. */
  refuseGetTemplate?: boolean;
}

export interface Endpoints {
  readonly emulator: RunningEmulator;
  readonly cloudFormation: RunningCloudFormationEndpoint;
  readonly eventBridge: RunningEventBridgeEndpoint;
  readonly stack: StackState;
  close(): Promise<void>;
}

/** Starts the three endpoints; the stack is UPDATE_COMPLETE with an empty template until a test says otherwise. */
export async function startEndpoints(): Promise<Endpoints> {
  const stack: StackState = { status: 'UPDATE_COMPLETE', template: template({}), parameters: {} };
  const emulator = await startEmulator();
  const cloudFormation = await startCloudFormationEndpoint((nameOrId, action) => {
    if (nameOrId !== STACK_ID) {
      return undefined;
    }
    if (action === 'GetTemplate' && stack.refuseGetTemplate) {
      throw new QueryError('AccessDenied', `User: arn:aws:sts::${ADMIN}:assumed-role/AuditRole/fn is not authorized to perform: cloudformation:GetTemplate on resource: ${STACK_ID}`, 403);
    }
    return {
      stackName: STACK_NAME,
      stackId: STACK_ID,
      status: stack.status,
      template: stack.template,
      parameters: stack.parameters,
      creationTime: new Date('2026-12-01T00:00:00Z'),
    };
  });
  const eventBridge = await startEventBridgeEndpoint();
  return {
    emulator,
    cloudFormation,
    eventBridge,
    stack,
    close: async () => {
      await Promise.all([emulator.close(), cloudFormation.close(), eventBridge.close()]);
    },
  };
}

/** One EMF record, as the function printed it. */
export interface EmfRecord {
  readonly _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit?: string }[] }[] };
  readonly [key: string]: unknown;
}

/** What one run did. */
export interface AuditRun {
  readonly outcome?: AuditOutcome;
  readonly error?: Error;
  readonly logs: string[];
  /** The log lines that carry an `_aws` block. */
  readonly emf: EmfRecord[];
  /** Metric values by name, over every EMF record. */
  readonly metrics: Record<string, number>;
  /** The report line's report. */
  readonly report?: { stack: string; inSync: boolean; resources: { logicalId: string; region: string; members: { accountId: string; status: string; inSync: boolean }[]; undeclared: string[] }[]; repaired?: unknown[] };
}

/** Invokes the bundled function once, cold, with a scheduled event. */
export async function runAudit(endpoints: Endpoints, options: { repair?: boolean } = {}): Promise<AuditRun> {
  const result = await new LocalLambda().invoke<AuditOutcome>({ file: BUNDLE, exportName: 'handler', functionLogicalId: 'AuditFunction' }, SCHEDULED_EVENT, {
    account: ADMIN,
    region: REGION,
    endpoint: endpoints.emulator.url,
    cloudFormationEndpoint: endpoints.cloudFormation.url,
    eventBridgeEndpoint: endpoints.eventBridge.url,
    environment: {
      AUDIT_STACK_ID: STACK_ID,
      AUDIT_STACK_NAME: STACK_NAME,
      AUDIT_REPAIR: options.repair ? 'true' : 'false',
      // Dev mode turns Powertools' metrics off unless told otherwise: they must stay on.
      POWERTOOLS_DEV: 'true',
      POWERTOOLS_METRICS_DISABLED: 'false',
      SECURITYHUB_MEMBERS_RATE_PER_SECOND: '10000',
      SECURITYHUB_MEMBERS_BURST: '10000',
      SECURITYHUB_MEMBERS_MAX_ATTEMPTS: '2',
    },
  }, { fresh: true });
  const parsed = result.logs.map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  });
  const emf = parsed.filter((p): p is EmfRecord => p !== undefined && typeof p._aws === 'object');
  const metrics: Record<string, number> = {};
  for (const record of emf) {
    for (const definition of record._aws.CloudWatchMetrics.flatMap((c) => c.Metrics)) {
      metrics[definition.Name] = record[definition.Name] as number;
    }
  }
  const reportLine = parsed.find((p) => p?.message === 'audit report');
  return {
    ...(result.result ? { outcome: result.result } : {}),
    ...(result.error ? { error: result.error } : {}),
    logs: result.logs,
    emf,
    metrics,
    ...(reportLine ? { report: reportLine.report as AuditRun['report'] } : {}),
  };
}
