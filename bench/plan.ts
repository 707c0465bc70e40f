/**
 * The plan command's figures: `plan` over an Update of 1,000 Enabled members, in one region and in
 * 24, against the local Security Hub with the service's rate limit and a local CloudFormation
 * answering DescribeStacks and GetTemplate. The Update is a `reconcileOnEveryDeploy` one (the
 * token changed), so the handler's decision reads every declared member: 20 GetMembers per region.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { planApp, PlanSources } from '../cli/plan';
import { createRuntime } from '../lambda/shared/runtime';
import { startCloudFormationEndpoint } from '../local/deploy/cloudformation-endpoint';
import { rateLimitBoundMs } from './measure';
import { ADMIN, members, REGION, startBenchEmulator } from './scenario';

/** One plan of a fleet. */
export interface PlanMeasurement {
  readonly size: number;
  readonly regions: number;
  /** Security Hub calls per operation, in the first region. */
  readonly perRegion: Record<string, number>;
  /** CloudFormation reads, per action. */
  readonly cloudFormation: Record<string, number>;
  readonly throttled: number;
  readonly mutating: number;
  readonly wallMs: number;
  /** From the first Security Hub request to the last answer. */
  readonly readsMs: number;
  /** The rate-limit bound of one region's calls: the regions run in parallel. */
  readonly boundMs: number;
  readonly exitOk: boolean;
}

const STACK_ID = `arn:aws:cloudformation:${REGION}:${ADMIN}:stack/Admin/bench`;

/** Plans an Update of `size` Enabled members in each of `regions`. */
export async function runPlan(size: number, regions: readonly string[], latencyMs: number): Promise<PlanMeasurement> {
  const emulator = await startBenchEmulator({ latencyMs });
  const declared = members(size);
  const templateWith = (token: string) => ({
    Resources: {
      Members: {
        Type: 'Custom::SecurityHubMembers',
        Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:999999999999:function:handler', Members: declared.map((m) => ({ AccountId: m.accountId, Email: m.email })), Regions: regions, ReconcileToken: token },
      },
    },
  });
  const cloudFormation = await startCloudFormationEndpoint((name) => (name === STACK_ID || name === 'Admin' ? {
    stackName: 'Admin', stackId: STACK_ID, status: 'UPDATE_COMPLETE', template: templateWith('deployed'), parameters: {}, creationTime: new Date(),
  } : undefined));
  const runtime = createRuntime({
    env: {},
    endpoints: { securityhub: emulator.url, cloudformation: cloudFormation.url },
    credentials: { accessKeyId: ADMIN, secretAccessKey: 'local' },
  });
  const sources: PlanSources = {
    cloudFormation: (stack) => runtime.client(CloudFormationClient, 'cloudformation', stack.region),
    securityHub: (_stack, region) => runtime.securityHub(region),
  };
  try {
    for (const region of regions) {
      declared.forEach((m) => emulator.store.seedMember(ADMIN, region, { accountId: m.accountId, status: 'Enabled' }));
    }
    emulator.calls.reset();
    const started = Date.now();
    const document = await planApp([{ name: 'Admin', account: ADMIN, region: REGION, template: templateWith('new') }], sources);
    const wallMs = Date.now() - started;
    const entries = emulator.calls.entries({ account: ADMIN });
    const times = entries.map((c) => Date.parse(c.at));
    const perRegion = emulator.calls.countsByOperation({ account: ADMIN, region: regions[0] });
    const accepted = entries.filter((c) => c.region === regions[0] && c.errorType !== 'LimitExceededException').length;
    const cfnCounts: Record<string, number> = {};
    cloudFormation.calls.forEach((c) => (cfnCounts[c.action] = (cfnCounts[c.action] ?? 0) + 1));
    return {
      size,
      regions: regions.length,
      perRegion,
      cloudFormation: cfnCounts,
      throttled: entries.filter((c) => c.errorType === 'LimitExceededException').length,
      mutating: entries.filter((c) => ['CreateMembers', 'InviteMembers', 'DisassociateMembers', 'DeleteMembers'].includes(c.operation)).length,
      wallMs,
      readsMs: entries.length > 0 ? Math.max(...times) - Math.min(...times) + latencyMs : 0,
      boundMs: rateLimitBoundMs(accepted, latencyMs),
      exitOk: document.changes === 0 && document.stacks[0]?.resources[0]?.event === 'Update',
    };
  } finally {
    await Promise.all([emulator.close(), cloudFormation.close()]);
  }
}

/** The Markdown section of the plan's figures. */
export function renderPlanReport(measurements: readonly PlanMeasurement[]): string {
  const time = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);
  const rows = measurements.map((m) => {
    const calls = Object.entries(m.perRegion).map(([op, n]) => `${n} ${op}`).join(', ');
    const cfn = Object.entries(m.cloudFormation).map(([op, n]) => `${n} ${op}`).join(', ');
    return `| ${m.size.toLocaleString('en-US')} x ${m.regions} | ${calls} | ${cfn} | ${m.throttled} | ${m.mutating} | ${time(m.wallMs)}${m.exitOk ? '' : ' (unexpected plan)'} | ${time(m.readsMs)} | ${time(m.boundMs)} | ${(m.readsMs / m.boundMs).toFixed(2)} |`;
  });
  return [
    '#### The plan command (`cdk-securityhub-members plan`)',
    '',
    'One plan of an Update (a changed `ReconcileToken`) of a resource declaring 1,000 Enabled members, '
      + 'all regions in parallel, each with the service\'s rate limit; the time includes the CloudFormation reads. '
      + 'Reads is from the first Security Hub request to the last answer; the ratio compares it with the rate-limit bound of one region.',
    '',
    '| Members x regions | Security Hub calls per region | CloudFormation calls | Throttled (429) | Mutating calls | Wall time | Reads | Rate-limit bound (one region) | Ratio (reads) |',
    '| --: | --- | --- | --: | --: | --: | --: | --: | --: |',
    ...rows,
  ].join('\n');
}
