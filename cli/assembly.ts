/**
 * Reads the `Custom::SecurityHubMembers` declarations of a synthesized cloud assembly with
 * aws-cdk-lib's own cloud-assembly API, nested assemblies (CDK Pipelines stages) included.
 */
import { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { parseDeclaration } from '../lambda/members/properties';
import { ValidationError } from '../lambda/shared/errors';
import type { Declaration, DeclaredResource } from '../lambda/shared/fleet/audit';
import { MEMBERS_RESOURCE_TYPE } from '../lib/shared/contract';
import { UsageError } from './errors';

export type { Declaration, DeclaredResource };

/** Options of {@link readDeclarations}. */
export interface ReadOptions {
  /**
   * The region an environment-agnostic stack deploys to (the caller's default region, as for
   * `cdk deploy`); called only when such a stack declares members.
   */
  readonly defaultRegion: () => string;
}

const UNKNOWN_ACCOUNT = 'unknown-account';
const UNKNOWN_REGION = 'unknown-region';

/**
 * Every `Custom::SecurityHubMembers` resource of the cloud assembly in `dir`, in the assembly's
 * order, stacks of nested assemblies after those of the assembly that holds them.
 *
 * @throws UsageError when `dir` is not a cloud assembly
 */
export function readDeclarations(dir: string, options: ReadOptions): DeclaredResource[] {
  let assembly: CloudAssembly;
  try {
    // Only templates are read: an assembly written by a newer or older aws-cdk-lib is fine.
    assembly = new CloudAssembly(dir, { skipVersionCheck: true, skipEnumCheck: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(`--app "${dir}" is not a cloud assembly (${reason}): expected a directory written by cdk synth, with a manifest.json`);
  }
  return stacksOf(assembly).flatMap((stack) => resourcesOf(stack, options));
}

function stacksOf(assembly: CloudAssembly): CloudFormationStackArtifact[] {
  return [...assembly.stacks, ...assembly.nestedAssemblies.flatMap((nested) => stacksOf(nested.nestedAssembly))];
}

function resourcesOf(stack: CloudFormationStackArtifact, options: ReadOptions): DeclaredResource[] {
  const template = stack.template as { Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown>; Condition?: unknown }> };
  const account = stack.environment.account === UNKNOWN_ACCOUNT ? undefined : stack.environment.account;
  let stackRegion: string | undefined;
  const region = (): string => (stackRegion ??= stack.environment.region === UNKNOWN_REGION ? options.defaultRegion() : stack.environment.region);
  const result: DeclaredResource[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== MEMBERS_RESOURCE_TYPE) {
      continue;
    }
    const base = { stack: stack.stackName, displayName: stack.displayName, logicalId, ...(account ? { account } : {}) };
    try {
      result.push({ ...base, declaration: readDeclaration(resource, account, region) });
    } catch (error) {
      if (!(error instanceof Unreadable)) {
        throw error;
      }
      result.push({ ...base, unreadable: error.message });
    }
  }
  return result;
}

class Unreadable extends Error {}

/** Reads one resource as the handler would, refusing anything it would have to guess. */
function readDeclaration(resource: { Properties?: Record<string, unknown>; Condition?: unknown }, account: string | undefined, region: () => string): Declaration {
  if (resource.Condition !== undefined) {
    throw new Unreadable(`it carries Condition ${JSON.stringify(resource.Condition)}, so whether it is deployed depends on parameter values`);
  }
  const props = resource.Properties ?? {};
  const members = props.Members;
  if (!Array.isArray(members)) {
    throw new Unreadable(`Members is ${JSON.stringify(members)}, not a literal list`);
  }
  // Only the account ids matter here; an email that is a token does not hide who is declared.
  const accountIds = members.map((member: unknown, i) => {
    const id = (member as { AccountId?: unknown } | null)?.AccountId;
    if (typeof id !== 'string') {
      throw new Unreadable(`Members[${i}].AccountId is ${JSON.stringify(id)}, not a literal account id`);
    }
    return id;
  });
  if (props.Invite !== undefined && typeof props.Invite === 'object') {
    throw new Unreadable(`Invite is ${JSON.stringify(props.Invite)}, not a literal boolean`);
  }
  let regions: unknown = props.Regions;
  if (Array.isArray(regions)) {
    regions = regions.map((r: unknown, i) => {
      // The construct's default: the stack's own region, as the handler reads it (DESIGN.md rule 10).
      if (isRef(r, 'AWS::Region')) {
        return region();
      }
      if (typeof r !== 'string') {
        throw new Unreadable(`Regions[${i}] is ${JSON.stringify(r)}, not a literal region`);
      }
      return r;
    });
  } else if (regions !== undefined) {
    throw new Unreadable(`Regions is ${JSON.stringify(regions)}, not a literal list`);
  }
  const list = (regions as string[] | undefined) ?? [region()];
  try {
    const parsed = parseDeclaration(
      { Members: accountIds.map((id) => ({ AccountId: id })), Invite: props.Invite, Regions: list },
      { region: list[0] ?? '', ownAccount: account },
    );
    return { accountIds, invite: parsed.invite, regions: parsed.regions };
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new Unreadable(`its declaration is invalid: ${error.message}`);
    }
    throw error;
  }
}

function isRef(value: unknown, name: string): boolean {
  return typeof value === 'object' && value !== null && (value as { Ref?: unknown }).Ref === name && Object.keys(value).length === 1;
}
