/**
 * The command around the plan (./plan.ts): reads the cloud assembly, makes the read-only clients
 * (the caller's credentials, or a role per stack account and region), prints the plan or its JSON
 * document, and answers the exit code.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { RegionClients } from '../lambda/shared/client';
import { createRuntime, Credentials, Runtime } from '../lambda/shared/runtime';
import { NotACloudAssembly, readCloudAssembly } from './cloud-assembly';
import { CommandError } from './errors';
import { planApp, planExitCode, planProblems, PlanOptions, PlannedStack, PlanSources } from './plan';
import { renderPlan } from './plan-render';

/** What `plan` needs from its surroundings. */
export interface PlanCommandDeps {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** The region of an environment-agnostic stack (the caller's default, as for `cdk deploy`). */
  readonly defaultRegion: () => Promise<string | undefined>;
  /** The runtime whose clients read with the caller's credentials. */
  readonly runtime: Runtime;
  /**
   * The runtime whose clients read with `credentials` (an assumed role's).
   * @default - a runtime over process.env with those credentials
   */
  readonly runtimeWith?: (credentials: Credentials) => Runtime;
  /** Every Security Hub client made, to close when the command ends. */
  readonly clients: RegionClients[];
}

/** The command line's part of a plan. */
export interface PlanCommand {
  readonly app: string;
  readonly json: boolean;
  readonly roleArnTemplate?: string;
}

/** The role ARN of a stack's account and region: `{account}` and `{region}` replaced. */
export function roleArnFor(template: string, account: string, region: string): string {
  return template.replace(/\{account\}/g, account).replace(/\{region\}/g, region);
}

/** Runs `plan`; resolves to its exit code, throws a CommandError for bad input. */
export async function runPlan(command: PlanCommand, deps: PlanCommandDeps, options: PlanOptions = {}): Promise<number> {
  let artifacts;
  try {
    artifacts = readCloudAssembly(command.app);
  } catch (error) {
    if (error instanceof NotACloudAssembly) {
      throw new CommandError(`--app ${error.message}`);
    }
    throw error;
  }
  const needsRegion = artifacts.some((a) => a.region === undefined);
  const defaultRegion = needsRegion ? await deps.defaultRegion() : undefined;
  const stacks: PlannedStack[] = artifacts.map((a) => {
    const region = a.region ?? defaultRegion;
    if (!region) {
      throw new CommandError(`--app "${command.app}" has an environment-agnostic stack (${a.displayName}) and no default region is set: expected AWS_REGION, as for cdk deploy`);
    }
    return { name: a.name, ...(a.account ? { account: a.account } : {}), region, template: a.template };
  });
  const document = await planApp(stacks, planSources(command, deps), options);
  if (command.json) {
    deps.stdout(JSON.stringify(document, undefined, 2));
  } else {
    renderPlan(document).forEach((line) => deps.stdout(line));
  }
  planProblems(document).forEach((line) => deps.stderr(line));
  return planExitCode(document);
}

/** The read-only clients of each stack: the caller's, or those of the role the template names. */
export function planSources(command: Pick<PlanCommand, 'roleArnTemplate'>, deps: Pick<PlanCommandDeps, 'runtime' | 'runtimeWith' | 'clients'>): PlanSources {
  const roleRuntimes = new Map<string, Runtime>();
  const runtimeOf = (stack: { account?: string; region: string }): Runtime => {
    if (!command.roleArnTemplate || !stack.account) {
      return deps.runtime;
    }
    const roleArn = roleArnFor(command.roleArnTemplate, stack.account, stack.region);
    let runtime = roleRuntimes.get(roleArn);
    if (!runtime) {
      const credentials = fromTemporaryCredentials({ params: { RoleArn: roleArn, RoleSessionName: 'cdk-securityhub-members-plan' }, clientConfig: { region: stack.region } });
      runtime = deps.runtimeWith ? deps.runtimeWith(credentials) : createRuntime({ credentials });
      roleRuntimes.set(roleArn, runtime);
    }
    return runtime;
  };
  return {
    cloudFormation: (stack) => runtimeOf(stack).client(CloudFormationClient, 'cloudformation', stack.region),
    securityHub: (stack, region) => {
      const clients = runtimeOf(stack).securityHub(region);
      deps.clients.push(clients);
      return clients;
    },
  };
}
