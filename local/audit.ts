/**
 * `npm run local -- audit [--repair]`: runs the scheduled audit of each locally deployed stack that
 * has a `SecurityHubMembersAudit`, once, as its schedule would: the bundled function, against the
 * local Security Hub, the local CloudFormation endpoint (the stack as deployed) and a local
 * EventBridge (docs/design.md, "Scheduled audit"). Prints the metric values, the event it put and
 * what it repaired.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AUDIT_METRIC_DIMENSION, AUDIT_METRIC_NAMESPACE, AUDIT_RUN_DEFERRED, AuditReportShape } from '../lib/shared/contract';
import { DeployedStack, LocalCloudFormation, readLocalState } from './deploy/cloudformation';
import { LocalLambda } from './deploy/invoke';
import type { RunningEmulator } from './emulator';
import { startEventBridgeEndpoint } from './eventbridge-endpoint';

/** Where the local audit finds its inputs. */
export interface LocalAuditPaths {
  /** The project root, whose assets/audit-handler holds the bundle. */
  readonly root: string;
  /** The local deploy's state file (the stacks as deployed). */
  readonly stackState: string;
  /** The synthesized app of the latest local deploy, whose assets the stacks were deployed from. */
  readonly cdkOut: string;
}

/** One audit function of a deployed stack. */
export interface DeployedAudit {
  readonly stack: DeployedStack;
  readonly logicalId: string;
  /** The construct's name, e.g. `Audit`, from its path; the logical id when there is none. */
  readonly name: string;
  /** The bundle to run: the deployed asset, or the package's own bundle when that is gone. */
  readonly file: string;
  /** The function's environment, pseudo parameters resolved. */
  readonly environment: Record<string, string>;
}

interface FunctionResource {
  readonly Type?: string;
  readonly Metadata?: Record<string, unknown>;
  readonly Properties?: { Handler?: unknown; Environment?: { Variables?: Record<string, unknown> } };
}

/** The audit functions of the deployed stacks: the Lambda functions whose environment names their stack to audit. */
export function deployedAudits(stacks: readonly DeployedStack[], paths: LocalAuditPaths): DeployedAudit[] {
  return stacks.flatMap((stack) => Object.entries((stack.template.Resources ?? {}) as Record<string, FunctionResource>)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Environment?.Variables?.AUDIT_STACK_ID !== undefined)
    .map(([logicalId, r]) => {
      const variables = r.Properties!.Environment!.Variables!;
      const environment = Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, resolvePseudo(value, stack)]));
      const asset = r.Metadata?.['aws:asset:path'];
      const deployed = typeof asset === 'string' ? path.join(paths.cdkOut, asset, 'index.js') : undefined;
      const file = deployed && fs.existsSync(deployed) ? deployed : path.join(paths.root, 'assets', 'audit-handler', 'index.js');
      const constructPath = r.Metadata?.['aws:cdk:path'];
      // SecurityHubAdministrator/Audit/Function/Resource: the audit is the construct above its function.
      const name = typeof constructPath === 'string' ? constructPath.split('/').slice(1, -2).join('/') || logicalId : logicalId;
      return { stack, logicalId, name, file, environment };
    }));
}

function resolvePseudo(value: unknown, stack: DeployedStack): string {
  const ref = (value as { Ref?: unknown } | null)?.Ref;
  const pseudo: Record<string, string> = { 'AWS::StackId': stack.stackId, 'AWS::StackName': stack.name, 'AWS::Region': stack.region, 'AWS::AccountId': stack.account };
  if (typeof ref === 'string' && ref in pseudo) {
    return pseudo[ref];
  }
  if (typeof value === 'string') {
    return value;
  }
  throw new Error(`the audit function's environment holds ${JSON.stringify(value)}: expected a literal or a pseudo parameter`);
}

/** Parses the audit's arguments: `--repair` only. */
export function parseAuditArgs(args: readonly string[]): { repair: boolean } | string {
  const unknown = args.filter((a) => a !== '--repair');
  if (unknown.length > 0) {
    return `unknown argument "${unknown[0]}" for audit: expected --repair or nothing`;
  }
  return { repair: args.includes('--repair') };
}

/**
 * Runs each deployed audit once and prints what it measured, put and repaired.
 *
 * @returns 0 when every run completed, 1 when one failed or an argument is unknown
 */
export async function localAudit(
  emulator: RunningEmulator,
  paths: LocalAuditPaths,
  args: readonly string[],
  print: (line: string) => void = console.log,
  printError: (line: string) => void = console.error,
): Promise<number> {
  const parsed = parseAuditArgs(args);
  if (typeof parsed === 'string') {
    // One line on stderr and exit 1, as every error of the local command line.
    printError(`error: ${parsed}`);
    return 1;
  }
  const cfn = new LocalCloudFormation({ endpoint: emulator.url, statePath: paths.stackState });
  const audits = deployedAudits(readLocalState(paths.stackState).stacks, paths);
  if (audits.length === 0) {
    print('No deployed stack has a SecurityHubMembersAudit: deploy the sample app first (npm run local -- deploy).');
    return 1;
  }
  const cloudFormationUrl = await cfn.cloudFormationEndpoint();
  const eventBridge = await startEventBridgeEndpoint();
  let failed = 0;
  let drifted = false;
  const lambda = new LocalLambda();
  try {
    for (const audit of audits) {
      const repair = parsed.repair || audit.environment.AUDIT_REPAIR === 'true';
      print(`\n${audit.stack.name}  (account ${audit.stack.account}, ${audit.stack.region})  audit ${audit.name}${repair ? ', with repair' : ''}`);
      const before = eventBridge.events.length;
      const result = await lambda.invoke<{ outcome: string; report?: AuditReportShape }>(
        { file: audit.file, exportName: 'handler', functionLogicalId: audit.logicalId },
        { 'source': 'aws.events', 'detail-type': 'Scheduled Event', 'detail': {} },
        {
          account: audit.stack.account,
          region: audit.stack.region,
          endpoint: emulator.url,
          cloudFormationEndpoint: cloudFormationUrl,
          eventBridgeEndpoint: eventBridge.url,
          environment: {
            ...audit.environment,
            AUDIT_REPAIR: String(repair),
            // The metrics' records go to the run's log, where they are read, as in Lambda.
            POWERTOOLS_METRICS_DISABLED: 'false',
          },
        },
        // Each scheduled run starts cold, as a rate of hours would in Lambda.
        { fresh: true },
      );
      const records = result.logs.map(parseJson).filter((r): r is Record<string, unknown> => r !== undefined && typeof r._aws === 'object');
      const values = records.flatMap((r) => (r._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics
        .flatMap((c) => c.Metrics.map((m) => `${m.Name} ${String(r[m.Name])}`)));
      print(`  metrics (${AUDIT_METRIC_NAMESPACE}, ${AUDIT_METRIC_DIMENSION}=${audit.environment.AUDIT_STACK_NAME}): ${values.length > 0 ? values.join(', ') : 'none'}`);
      if (result.result?.outcome === AUDIT_RUN_DEFERRED) {
        print('  the stack is mid-operation: nothing audited, the run counts as done');
      }
      drifted ||= eventBridge.events.length > before;
      for (const event of eventBridge.events.slice(before)) {
        print(`  event put on the ${event.eventBusName} bus: ${event.source} / ${event.detailType}`);
        JSON.stringify(event.detail, undefined, 2).split('\n').forEach((line) => print(`    ${line}`));
      }
      for (const r of result.result?.report?.repaired ?? []) {
        print(`  repaired ${r.logicalId} in ${r.region}: ${[r.created.length > 0 ? `created ${r.created.join(', ')}` : '', r.invited.length > 0 ? `invited ${r.invited.join(', ')}` : ''].filter((t) => t).join('; ') || 'nothing to do'}`);
      }
      if (result.error) {
        failed++;
        print(`  the run failed: ${result.error.message}`);
      } else if (eventBridge.events.length === before) {
        print('  no drift: no event put');
      }
    }
  } finally {
    await eventBridge.close();
    await cfn.close();
  }
  if (drifted && !parsed.repair) {
    print('\nRepair what drifted with: npm run local -- audit --repair (in AWS: SecurityHubMembersAudit\'s repair prop)');
  }
  return failed > 0 ? 1 : 0;
}

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    return value !== null && typeof value === 'object' ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}
