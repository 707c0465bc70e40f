/**
 * The scheduled audit's figures (docs/design.md, "Scheduled audit"): one run of the bundled audit
 * function over 1,000 members in each of 24 regions, all Enabled, against the local Security Hub
 * with the service's rate limit in every region, the local CloudFormation and EventBridge: calls
 * per region, wall time, and its ratio to the rate-limit bound of one region (the regions run in
 * parallel, each with its own limit).
 */
import * as path from 'path';
import { startCloudFormationEndpoint } from '../local/deploy/cloudformation-endpoint';
import { LocalLambda } from '../local/deploy/invoke';
import { startEventBridgeEndpoint } from '../local/eventbridge-endpoint';
import { rateLimitBoundMs } from './measure';
import { ADMIN, members, REGION, startBenchEmulator } from './scenario';

/** The 24 regions of the measurement (names only: the local Security Hub keeps a hub per name). */
export const AUDIT_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1',
  'eu-south-1', 'eu-south-2', 'ap-south-1', 'ap-south-2', 'ap-northeast-1', 'ap-northeast-2',
  'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-east-1', 'me-central-1',
];

/** One audit run. */
export interface AuditMeasurement {
  readonly size: number;
  readonly regions: number;
  readonly ok: boolean;
  readonly error?: string;
  /** Calls per operation in each region (the same in every region when `uniform`). */
  readonly perRegion: Record<string, number>;
  readonly uniform: boolean;
  readonly throttled: number;
  readonly wallMs: number;
  /** From the first Security Hub request to the last answer: the reads alone, without loading the bundle or reading the stack. */
  readonly readsMs: number;
  /** The rate-limit bound of one region's calls: the regions run in parallel. */
  readonly boundMs: number;
}

const STACK_ID = `arn:aws:cloudformation:${REGION}:${ADMIN}:stack/Admin/00000000-0000-4000-8000-000000000000`;

/** Runs the bundled audit once over `size` Enabled members in each of `regions`. */
export async function runAudit(size: number, regions: readonly string[], latencyMs: number): Promise<AuditMeasurement> {
  const emulator = await startBenchEmulator({ latencyMs });
  const declared = members(size);
  const template = {
    Resources: {
      Members: {
        Type: 'Custom::SecurityHubMembers',
        Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:999999999999:function:handler', Members: declared.map((m) => ({ AccountId: m.accountId, Email: m.email })), Regions: regions },
      },
    },
  };
  const cloudFormation = await startCloudFormationEndpoint((name) => (name === STACK_ID ? {
    stackName: 'Admin', stackId: STACK_ID, status: 'UPDATE_COMPLETE', template, parameters: {}, creationTime: new Date(),
  } : undefined));
  const eventBridge = await startEventBridgeEndpoint();
  try {
    for (const region of regions) {
      declared.forEach((m) => emulator.store.seedMember(ADMIN, region, { accountId: m.accountId, status: 'Enabled' }));
    }
    emulator.calls.reset();
    const started = Date.now();
    const result = await new LocalLambda().invoke({ file: path.join('assets', 'audit-handler', 'index.js'), exportName: 'handler', functionLogicalId: 'Audit' }, {}, {
      account: ADMIN,
      region: REGION,
      endpoint: emulator.url,
      cloudFormationEndpoint: cloudFormation.url,
      eventBridgeEndpoint: eventBridge.url,
      environment: {
        AUDIT_STACK_ID: STACK_ID,
        AUDIT_STACK_NAME: 'Admin',
        AUDIT_REPAIR: 'false',
        POWERTOOLS_DEV: 'true',
        POWERTOOLS_METRICS_DISABLED: 'false',
      },
    }, { fresh: true });
    const wallMs = Date.now() - started;
    const counts = regions.map((region) => emulator.calls.countsByOperation({ account: ADMIN, region }));
    const key = (c: Record<string, number>): string => JSON.stringify(Object.entries(c).sort());
    const entries = emulator.calls.entries({ account: ADMIN });
    const throttled = entries.filter((c) => c.errorType === 'LimitExceededException').length;
    const oneRegion = counts[0];
    const accepted = Object.values(oneRegion).reduce((a, b) => a + b, 0) - entries.filter((c) => c.region === regions[0] && c.errorType === 'LimitExceededException').length;
    const times = entries.map((c) => Date.parse(c.at));
    const readsMs = entries.length > 0 ? Math.max(...times) - Math.min(...times) + latencyMs : 0;
    return {
      size,
      regions: regions.length,
      readsMs,
      ok: result.error === undefined,
      ...(result.error ? { error: result.error.message } : {}),
      perRegion: oneRegion,
      uniform: counts.every((c) => key(c) === key(oneRegion)),
      throttled,
      wallMs,
      boundMs: rateLimitBoundMs(accepted, latencyMs),
    };
  } finally {
    await Promise.all([emulator.close(), cloudFormation.close(), eventBridge.close()]);
  }
}

/** The Markdown section of the audit's figures. */
export function renderAuditReport(m: AuditMeasurement): string {
  const order = ['DescribeHub', 'GetMembers', 'ListMembers'];
  const calls = order.filter((op) => m.perRegion[op]).map((op) => `${m.perRegion[op]} ${op}`).join(', ');
  const time = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  return [
    '#### The scheduled audit (`SecurityHubMembersAudit`)',
    '',
    `One run of the bundled audit function over ${m.size.toLocaleString('en-US')} Enabled members in each of ${m.regions} regions, `
      + 'all regions in parallel, each with the service\'s rate limit; the time includes reading the stack.',
    '',
    'Wall time is the whole invocation, cold: loading the bundle, reading the stack, the reads, the report. '
      + 'Reads is from the first Security Hub request to the last answer; the ratio compares it with the rate-limit bound of one region.',
    '',
    '| Calls per region | Same in every region | Throttled (429) | Wall time | Reads | Rate-limit bound (one region) | Ratio (reads) |',
    '| --- | :-: | --: | --: | --: | --: | --: |',
    `| ${calls} | ${m.uniform ? 'yes' : 'no'} | ${m.throttled} | ${time(m.wallMs)}${m.ok ? '' : ` (failed: ${m.error})`} | ${time(m.readsMs)} | ${time(m.boundMs)} | ${(m.readsMs / m.boundMs).toFixed(2)} |`,
  ].join('\n');
}
