/**
 * Reads the `Custom::SecurityHubMembers` declarations of a synthesized cloud assembly with
 * aws-cdk-lib's own cloud-assembly API, nested assemblies (CDK Pipelines stages) included.
 */
import { parseDeclaration } from '../lambda/members/properties';
import { ValidationError } from '../lambda/shared/errors';
import { MEMBERS_RESOURCE_TYPE } from '../lib/shared/contract';
import { AssemblyStack, NotACloudAssembly, readCloudAssembly } from './cloud-assembly';
import { UsageError } from './errors';

/** What a readable resource declares. */
export interface Declaration {
  /** The declared account ids, in declaration order. */
  readonly accountIds: string[];
  /** Whether the members are invited (then in sync means Invited or Enabled). */
  readonly invite: boolean;
  /** The regions whose hubs hold the members. */
  readonly regions: string[];
}

/** One `Custom::SecurityHubMembers` resource of the assembly. */
export interface DeclaredResource {
  /** The CloudFormation stack name. */
  readonly stack: string;
  /** The stack as the CDK shows it, e.g. `Prod/SecurityHubAdministrator` for a stage's stack. */
  readonly displayName: string;
  /** The resource's logical id. */
  readonly logicalId: string;
  /** The stack's account; undefined for an environment-agnostic stack (deployed to the caller's). */
  readonly account?: string;
  /** The declaration; undefined when it can't be read. */
  readonly declaration?: Declaration;
  /** Why the declaration can't be read without guessing (a value that is not literal, a Condition). */
  readonly unreadable?: string;
}

/** Options of {@link readDeclarations}. */
export interface ReadOptions {
  /**
   * The region an environment-agnostic stack deploys to (the caller's default region, as for
   * `cdk deploy`); called only when such a stack declares members.
   */
  readonly defaultRegion: () => string;
}

/**
 * Every `Custom::SecurityHubMembers` resource of the cloud assembly in `dir`, in the assembly's
 * order, stacks of nested assemblies after those of the assembly that holds them.
 *
 * @throws UsageError when `dir` is not a cloud assembly
 */
export function readDeclarations(dir: string, options: ReadOptions): DeclaredResource[] {
  let stacks: AssemblyStack[];
  try {
    stacks = readCloudAssembly(dir);
  } catch (error) {
    if (error instanceof NotACloudAssembly) {
      throw new UsageError(`--app ${error.message}`);
    }
    throw error;
  }
  return stacks.flatMap((stack) => resourcesOf(stack, options));
}

function resourcesOf(stack: AssemblyStack, options: ReadOptions): DeclaredResource[] {
  const template = stack.template as { Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown>; Condition?: unknown }> };
  const account = stack.account;
  let stackRegion: string | undefined;
  const region = (): string => (stackRegion ??= stack.region ?? options.defaultRegion());
  const result: DeclaredResource[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== MEMBERS_RESOURCE_TYPE) {
      continue;
    }
    const base = { stack: stack.name, displayName: stack.displayName, logicalId, ...(account ? { account } : {}) };
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
