/**
 * The one reader of a synthesized cloud assembly (cdk.out), used by the drift command and the
 * local deploy: aws-cdk-lib's own `CloudAssembly`, as the CDK CLI reads it, with the stacks of
 * nested assemblies (a `Stage` in the app, CDK Pipelines stages) included. It knows a stack as
 * CloudFormation does, by account, region and name; what a stack's template declares is for its
 * callers to read.
 */
import { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';

/** A stack as CloudFormation knows it: two stacks with the same name in two regions are two stacks. */
export interface StackIdentity {
  readonly account: string;
  readonly region: string;
  readonly name: string;
}

/** One stack of a cloud assembly. */
export interface AssemblyStack {
  /** The CloudFormation stack name. */
  readonly name: string;
  /** The construct path of the stack, which `cdk deploy` selects it by, e.g. `Prod/SecurityHubAdministrator` for a stage's stack. */
  readonly hierarchicalId: string;
  /** The stack as the CDK shows it: its hierarchical id, with its name in parentheses when that differs. */
  readonly displayName: string;
  /** The artifact id, unique in the whole assembly, e.g. `ProdSecurityHubAdministrator1234ABCD`. */
  readonly artifactId: string;
  /** The account; undefined for an environment-agnostic stack (deployed to the caller's). */
  readonly account?: string;
  /** The region; undefined for an environment-agnostic stack (deployed to the caller's). */
  readonly region?: string;
  /** The template as synthesized. */
  readonly template: Record<string, unknown>;
  /** The directory of the assembly that holds the stack, which its assets' paths are relative to. */
  readonly assemblyDirectory: string;
  /** The artifact ids of the stacks it depends on, which the assembly lists before it. */
  readonly dependsOn: readonly string[];
}

/** A directory that is not a cloud assembly; the message names it and says what was expected. */
export class NotACloudAssembly extends Error {
  constructor(public readonly directory: string, public readonly reason: string) {
    super(`"${directory}" is not a cloud assembly (${reason}): expected a directory written by cdk synth, with a manifest.json`);
    this.name = 'NotACloudAssembly';
  }
}

const UNKNOWN_ACCOUNT = 'unknown-account';
const UNKNOWN_REGION = 'unknown-region';

/**
 * Every stack of the cloud assembly in `directory`, in an order that deploys each stack after the
 * stacks it depends on: the assembly's own stacks in its order (dependencies first), then those
 * of each nested assembly, depth first.
 *
 * @throws NotACloudAssembly when `directory` has no readable manifest
 */
export function readCloudAssembly(directory: string): AssemblyStack[] {
  let assembly: CloudAssembly;
  try {
    // Only templates are read: an assembly written by a newer or older aws-cdk-lib is fine.
    assembly = new CloudAssembly(directory, { skipVersionCheck: true, skipEnumCheck: true });
  } catch (error) {
    throw new NotACloudAssembly(directory, error instanceof Error ? error.message.split('\n')[0] : String(error));
  }
  return stacksOf(assembly).map(describe);
}

/** The assembly's stacks, topologically sorted by aws-cdk-lib, then those of its nested assemblies. */
function stacksOf(assembly: CloudAssembly): CloudFormationStackArtifact[] {
  return [...assembly.stacks, ...assembly.nestedAssemblies.flatMap((nested) => stacksOf(nested.nestedAssembly))];
}

function describe(stack: CloudFormationStackArtifact): AssemblyStack {
  const { account, region } = stack.environment;
  return {
    name: stack.stackName,
    hierarchicalId: stack.hierarchicalId,
    displayName: stack.displayName,
    artifactId: stack.id,
    ...(account && account !== UNKNOWN_ACCOUNT ? { account } : {}),
    ...(region && region !== UNKNOWN_REGION ? { region } : {}),
    template: stack.template as Record<string, unknown>,
    assemblyDirectory: stack.assembly.directory,
    dependsOn: stack.dependencies.filter(CloudFormationStackArtifact.isCloudFormationStackArtifact).map((d) => d.id),
  };
}

/** Whether two records name the same CloudFormation stack: same account, region and name. */
export function sameStack(a: StackIdentity, b: StackIdentity): boolean {
  return a.name === b.name && a.account === b.account && a.region === b.region;
}

/** The stack's identity as one string, `ACCOUNT/REGION/NAME`, which a command line accepts too. */
export function stackKey(stack: StackIdentity): string {
  return `${stack.account}/${stack.region}/${stack.name}`;
}
