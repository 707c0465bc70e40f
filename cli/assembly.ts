/**
 * Reads the `Custom::SecurityHubMembers` declarations of a synthesized cloud assembly with the one
 * cloud-assembly reader (cli/cloud-assembly.ts: aws-cdk-lib's own API, nested assemblies such as
 * CDK Pipelines stages included), and the templates with the shared evaluator's strict policy
 * (lambda/shared/template/).
 */
import { describeProblems } from '../lambda/shared/errors';
import { MEMBERS_RESOURCE_TYPE } from '../lib/shared/contract';
import { isReadable, MembersResourceReading, readMembersResources, validateDeclaration } from '../lambda/shared/template';
import { AssemblyStack, NotACloudAssembly, readCloudAssembly } from './cloud-assembly';
import { CommandError } from './errors';
import type { Declaration, DeclaredResource } from '../lambda/shared/fleet/comparison';

export type { Declaration, DeclaredResource };

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
 * @throws CommandError when `dir` is not a cloud assembly
 */
export function readDeclarations(dir: string, options: ReadOptions): DeclaredResource[] {
  let stacks: AssemblyStack[];
  try {
    stacks = readCloudAssembly(dir);
  } catch (error) {
    if (error instanceof NotACloudAssembly) {
      throw new CommandError(`--app ${error.message}`);
    }
    throw error;
  }
  return stacks.flatMap((stack) => resourcesOf(stack, options));
}

function resourcesOf(stack: AssemblyStack, options: ReadOptions): DeclaredResource[] {
  const template = stack.template as { Resources?: Record<string, { Type?: string } | null> };
  if (!Object.values(template.Resources ?? {}).some((resource) => resource?.Type === MEMBERS_RESOURCE_TYPE)) {
    return [];
  }
  const account = stack.account;
  const region = stack.region ?? options.defaultRegion();
  // Strict: what can't be read without guessing (a parameter, an attribute, an undecided Condition) is unreadable.
  const readings = readMembersResources(template, { region, account, stackName: stack.name }, { policy: 'strict' });
  return readings.map((reading) => {
    const base = { stack: stack.name, displayName: stack.displayName, logicalId: reading.logicalId, ...(account ? { account } : {}) };
    const declaration = declarationOf(reading, account);
    return typeof declaration === 'string' ? { ...base, unreadable: declaration } : { ...base, declaration };
  });
}

/** What one resource declares, validated as the handler would; or why it can't be told. */
function declarationOf(reading: MembersResourceReading, account: string | undefined): Declaration | string {
  const { accountIds, invite, regions } = reading;
  if (!isReadable(accountIds)) {
    return accountIds.unreadable;
  }
  if (!isReadable(invite)) {
    return invite.unreadable;
  }
  if (!isReadable(regions)) {
    return regions.unreadable;
  }
  // Only the account ids matter here; an email that is a token does not hide who is declared.
  const parsed = validateDeclaration(
    { Members: accountIds.value.map((id) => ({ AccountId: id })), Invite: invite.value, Regions: regions.value },
    { region: regions.value[0] ?? '', ownAccount: account },
  );
  if ('problems' in parsed) {
    return `its declaration is invalid: ${describeProblems(parsed.problems)}`;
  }
  return { accountIds: accountIds.value, invite: parsed.declaration.invite, regions: parsed.declaration.regions };
}
