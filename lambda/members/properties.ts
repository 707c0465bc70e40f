/** Reads the resource properties of `Custom::SecurityHubMembers` as the handler receives them. */
import type { MembersResourceProperties } from '../../lib/shared/contract';
import { isAccountId, MemberInput, validateMembers, validateRegions } from '../../lib/shared/validation';
import { parseBoolean } from '../shared/cfn';
import { ValidationError } from '../shared/errors';

/** A declaration after parsing. */
export interface MembersDeclaration {
  readonly members: MemberInput[];
  readonly invite: boolean;
  readonly regions: string[];
  /** How long to wait for every invited member to be Enabled; undefined: do not wait. */
  readonly waitForAcceptanceSeconds?: number;
}

/** Where the handler runs: the defaults and the account that may never be a member. */
export interface HandlerEnvironment {
  readonly region: string;
  readonly ownAccount?: string;
}

/**
 * Parses and validates the declaration of a Create or Update. Throws a {@link ValidationError}
 * naming every bad value, before any call is made (DESIGN.md rule 9).
 */
export function parseDeclaration(raw: unknown, env: HandlerEnvironment): MembersDeclaration {
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
  const invite = parseBoolean(props.Invite, 'Invite', true);
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
  if (problems.length > 0) {
    throw new ValidationError(problems);
  }
  return { members, invite: invite as boolean, regions, ...(waitForAcceptanceSeconds !== undefined ? { waitForAcceptanceSeconds } : {}) };
}

/**
 * Reads a declaration that was deployed before (the old properties of an Update, or the
 * properties of a Delete) without failing: a rollback or a stack deletion must never be blocked
 * by a value that was rejected when it was new. Values that could not have become members are
 * left out.
 */
export function parsePreviousDeclaration(raw: unknown, env: HandlerEnvironment): { accountIds: string[]; regions: string[] } {
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

function parseRegions(raw: unknown, env: HandlerEnvironment, problems: string[]): string[] {
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
