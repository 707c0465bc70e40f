/**
 * `plan` against the local state: the plan command's own code (cli/plan.ts) reading the local
 * CloudFormation's DescribeStacks and GetTemplate and the local Security Hub, as each stack's
 * account. What it prints is what the local deploy of the same cloud assembly does next.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { RegionClients } from '../lambda/shared/client';
import { createRuntime, Runtime } from '../lambda/shared/runtime';
import { planApp, PlanDocument, planExitCode, PlanOptions, planProblems, PlanSources } from '../cli/plan';
import { renderPlan } from '../cli/plan-render';
import type { LocalStack } from './deploy/assembly';
import type { LocalCloudFormation } from './deploy/cloudformation';
import type { RunningEmulator } from './emulator';

/** Where the local plan reads. */
export interface LocalPlanEndpoints {
  /** The local Security Hub's URL. */
  readonly securityhub: string;
  /** The local CloudFormation endpoint's URL (`LocalCloudFormation.cloudFormationEndpoint()`). */
  readonly cloudformation: string;
  /**
   * The handlers' environment (their pacing, for one).
   * @default - none: the service's default pacing
   */
  readonly environment?: Record<string, string>;
}

/**
 * Plans `stacks` against the local state. By default the same cloud assembly is deployed next, so
 * a `ReconcileToken` that did not change means unchanged properties, as the local deploy sees it.
 */
export async function planLocal(stacks: readonly LocalStack[], endpoints: LocalPlanEndpoints, options: PlanOptions = { tokenChangesAtDeploy: false }): Promise<PlanDocument> {
  const runtimes = new Map<string, Runtime>();
  const clients: RegionClients[] = [];
  const runtimeOf = (account: string | undefined): Runtime => {
    const key = account ?? '';
    let runtime = runtimes.get(key);
    if (!runtime) {
      // The local Security Hub knows the caller by the access key id, as the local deploy's handlers do.
      runtime = createRuntime({
        env: { ...endpoints.environment },
        endpoints: { securityhub: endpoints.securityhub, cloudformation: endpoints.cloudformation },
        credentials: { accessKeyId: account ?? 'local', secretAccessKey: 'local' },
      });
      runtimes.set(key, runtime);
    }
    return runtime;
  };
  const sources: PlanSources = {
    cloudFormation: (stack) => runtimeOf(stack.account).client(CloudFormationClient, 'cloudformation', stack.region),
    securityHub: (stack, region) => {
      const regionClients = runtimeOf(stack.account).securityHub(region);
      clients.push(regionClients);
      return regionClients;
    },
  };
  try {
    return await planApp(stacks.map((s) => ({ name: s.name, account: s.account, region: s.region, template: s.template })), sources, options);
  } finally {
    // Open connections would keep the process alive after the answer.
    for (const regionClients of clients) {
      regionClients.client.destroy();
      regionClients.inviteClient.destroy();
    }
    for (const runtime of runtimes.values()) {
      for (const region of new Set(stacks.map((s) => s.region))) {
        runtime.client(CloudFormationClient, 'cloudformation', region).destroy();
      }
    }
  }
}

/** Where {@link printLocalPlan} writes. */
export interface LocalPlanOutput {
  readonly print: (line: string) => void;
  readonly printError: (line: string) => void;
  /** Whether the deploy synthesizes the app again, so that a ReconcileToken changes by then. */
  readonly tokenChangesAtDeploy: boolean;
}

/**
 * Plans `stacks` against the local Security Hub and the local CloudFormation's state, prints the
 * plan (and each refusal on the error stream), and returns `plan`'s exit code.
 */
export async function printLocalPlan(stacks: readonly LocalStack[], emulator: RunningEmulator, cfn: LocalCloudFormation, output: LocalPlanOutput): Promise<number> {
  const document = await planLocal(stacks, { securityhub: emulator.url, cloudformation: await cfn.cloudFormationEndpoint() }, { tokenChangesAtDeploy: output.tokenChangesAtDeploy });
  output.print('Plan (what the deploy does to each member; nothing changed yet):');
  renderPlan(document).forEach((line) => output.print(line));
  planProblems(document).forEach((line) => output.printError(line));
  return planExitCode(document);
}
