/**
 * Parses the properties of `Custom::SecurityHubMembers` as its handler receives them: the one
 * parsing of a declaration, used by the handler (lambda/members/properties.ts) and by the drift
 * command and the audit, which read declarations from templates (./members.ts). No imports beyond
 * lib/shared's contract and validation, so that every side can use it.
 */
import { DEFAULT_MAX_REMOVALS_PER_DEPLOY, MembersResourceProperties } from '../../../lib/shared/contract';
import { isAccountId, maxRemovalsProblem, MemberInput, validateMembers, validateRegions } from '../../../lib/shared/validation';

/** A declaration after parsing. */
export interface MembersDeclaration {
  readonly members: MemberInput[];
  readonly invite: boolean;
  readonly regions: string[];
  /** How long to wait for every invited member to be Enabled; undefined: do not wait. */
  readonly waitForAcceptanceSeconds?: number;
  /** The most (account, region) pairs an Update may remove. */
  readonly maxRemovalsPerDeploy: number;
}

/** Where the declaration applies: the default region and the account that may never be a member. */
export interface DeclarationEnvironment {
  /** The region when `Regions` is absent: the handler's (the stack's) region. */
  readonly region: string;
  /** The administrator's own account, when known. */
  readonly ownAccount?: string;
}

/** A declaration, or every problem with it, in declaration order. */
export type DeclarationReading = { readonly declaration: MembersDeclaration } | { readonly problems: string[] };

/**
 * Parses and validates the declaration of a Create or Update, reporting every bad value; the
 * handler refuses it before any call is made (rule R9, docs/design.md).
 */
export function validateDeclaration(raw: unknown, env: DeclarationEnvironment): DeclarationReading {
  const props = (raw ?? {}) as Partial<Record<keyof MembersResourceProperties, unknown>>;
  const problems: string[] = [];
  const members: MemberInput[] = [];
  if (!Array.isArray(props.Members)) {
    problems.push(`invalid Members ${JSON.stringify(props.Members)}: expected a list of { AccountId, Email? }`);
  } else {
    for (const entry of props.Members as unknown[]) {
      const item = (entry ?? {}) as Record<string, unknown>;
      members.push({ accountId: item.AccountId as string, ...(item.Email !== undefined ? { email: item.Email as string } : {}) });
    }
    problems.push(...validateMembers(members, { ownAccount: env.ownAccount }));
  }
  const invite = parseCfnBoolean(props.Invite, 'Invite', true);
  if (typeof invite === 'string') {
    problems.push(invite);
  }
  const regions = parseRegions(props.Regions, env, problems);
  let waitForAcceptanceSeconds: number | undefined;
  if (props.WaitForAcceptanceSeconds !== undefined) {
    waitForAcceptanceSeconds = Number(props.WaitForAcceptanceSeconds);
    if (!Number.isFinite(waitForAcceptanceSeconds) || waitForAcceptanceSeconds <= 0) {
      problems.push(`invalid WaitForAcceptanceSeconds ${JSON.stringify(props.WaitForAcceptanceSeconds)}: expected a positive number of seconds`);
    }
  }
  const maxRemovalsPerDeploy = parseMaxRemovals(props.MaxRemovalsPerDeploy, problems);
  if (problems.length > 0) {
    return { problems };
  }
  return { declaration: { members, invite: invite as boolean, regions, ...(waitForAcceptanceSeconds !== undefined ? { waitForAcceptanceSeconds } : {}), maxRemovalsPerDeploy } };
}

/**
 * Reads a declaration that was deployed before (the old properties of an Update, or the
 * properties of a Delete) without failing: a rollback or a stack deletion must never be blocked
 * by a value that was rejected when it was new. Values that could not have become members are
 * left out.
 */
export function parsePreviousDeclaration(raw: unknown, env: DeclarationEnvironment): { accountIds: string[]; regions: string[] } {
  const props = (raw ?? {}) as Partial<Record<keyof MembersResourceProperties, unknown>>;
  const accountIds = Array.isArray(props.Members)
    ? [...new Set((props.Members as unknown[])
      .map((entry) => ((entry ?? {}) as Record<string, unknown>).AccountId)
      .filter((id): id is string => isAccountId(id) && id !== env.ownAccount))]
    : [];
  const problems: string[] = [];
  let regions = parseRegions(props.Regions, env, problems);
  if (problems.length > 0) {
    regions = Array.isArray(props.Regions) ? [...new Set((props.Regions as unknown[]).filter((r): r is string => typeof r === 'string' && validateRegions([r]).length === 0))] : [env.region];
  }
  return { accountIds, regions };
}

/** The removal limit, which CloudFormation hands over as a string; the default when absent. */
function parseMaxRemovals(raw: unknown, problems: string[]): number {
  if (raw === undefined) {
    return DEFAULT_MAX_REMOVALS_PER_DEPLOY;
  }
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  const problem = maxRemovalsProblem(value);
  if (problem) {
    problems.push(problem.replace('maxRemovalsPerDeploy', 'MaxRemovalsPerDeploy').replace(JSON.stringify(value), JSON.stringify(raw)));
    return DEFAULT_MAX_REMOVALS_PER_DEPLOY;
  }
  return value as number;
}

/** A boolean that CloudFormation may have turned into a string, or the problem with it. */
function parseCfnBoolean(value: unknown, name: string, fallback: boolean): boolean | string {
  if (value === undefined) {
    return fallback;
  }
  if (value === true || value === 'true') {
    return true;
  }
  if (value === false || value === 'false') {
    return false;
  }
  return `invalid ${name} ${JSON.stringify(value)}: expected true or false`;
}

function parseRegions(raw: unknown, env: DeclarationEnvironment, problems: string[]): string[] {
  if (raw === undefined) {
    return [env.region];
  }
  if (!Array.isArray(raw)) {
    problems.push(`invalid Regions ${JSON.stringify(raw)}: expected a list of region names`);
    return [];
  }
  const regionProblems = validateRegions(raw as string[]);
  problems.push(...regionProblems);
  return raw as string[];
}
