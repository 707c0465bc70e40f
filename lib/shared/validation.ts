/**
 * Validation shared by synth time (the constructs) and deploy time (the handlers), so that a value
 * the construct rejects is rejected by the handler with the same words. No imports: the Lambda
 * bundle includes this file.
 */
import { MAX_MEMBERS } from './contract';

/** A member as both sides see it before it becomes a resource property. */
export interface MemberInput {
  /** The member's account id. */
  readonly accountId: string;
  /** The member's email address. */
  readonly email?: string;
}

/** Options for {@link validateMembers}. */
export interface ValidateMembersOptions {
  /** The administrator's own account, which may not be a member; skipped when unknown. */
  readonly ownAccount?: string;
  /** Values for which this returns true (unresolved CDK tokens) are not checked. */
  readonly isUnresolved?: (value: string) => boolean;
  /**
   * Quote a bad email address in its message. True at synth time, where the message goes only to
   * the person running `cdk synth`; false in the handler, whose errors reach logs.
   */
  readonly quoteEmails?: boolean;
}

const ACCOUNT_ID = /^\d{12}$/;
// The service only asks for one non-space character; '@' with text on both sides is our own floor.
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * Why an empty list of members is refused, at synth and in the handler's Create and Update: a typo
 * (a misspelt or missing `members` key) must not be the way a fleet is deleted.
 */
export const EMPTY_MEMBERS_PROBLEM = 'empty members list: expected at least one member; to remove every member on purpose, '
  + 'remove the SecurityHubMembers construct, or destroy the stack';

/**
 * The problem with a stack's own region when it is known at synth, or undefined when it is a
 * region name (the handler would otherwise fail at deploy, and the stack roll back).
 */
export function stackRegionProblem(region: string, options: Pick<ValidateMembersOptions, 'isUnresolved'> = {}): string | undefined {
  if ((options.isUnresolved ?? (() => false))(region) || REGION.test(region)) {
    return undefined;
  }
  return `invalid stack region ${JSON.stringify(region)}: expected a region name such as "us-east-1"`;
}

/** Returns true when `value` is a 12-digit account id. */
export function isAccountId(value: unknown): value is string {
  return typeof value === 'string' && ACCOUNT_ID.test(value);
}

/** The problem with one account id, or undefined when it is a 12-digit id. */
export function accountIdProblem(value: unknown, what = 'account id'): string | undefined {
  if (isAccountId(value)) {
    return undefined;
  }
  // A number from JSON can have 12 digits and still be refused: say why, not "expected 12 digits".
  if (value !== undefined && value !== null && typeof value !== 'string') {
    return `invalid ${what} ${JSON.stringify(value)}: expected a string of 12 digits, got ${typeOf(value)}`;
  }
  return `invalid ${what} ${JSON.stringify(value)}: expected 12 digits`;
}

/** The keys a member may have; anything else is a typo whose value would be dropped. */
export const MEMBER_KEYS: readonly string[] = ['accountId', 'email'];

/** How a value's type is named in a message: "a number", "a list", "an object". */
function typeOf(value: unknown): string {
  if (Array.isArray(value)) {
    return 'a list';
  }
  const type = typeof value;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/**
 * The problems with a member's shape: not an object, or keys other than `accountId` and `email`
 * (a misspelt `emial` would otherwise drop the email, which cannot be changed later).
 */
function memberShapeProblems(member: unknown, position: number): string[] {
  if (typeof member !== 'object' || member === null || Array.isArray(member)) {
    return [`invalid member ${position} ${JSON.stringify(member)}: expected an object such as {"accountId": "111111111111"}`];
  }
  const unknown = Object.keys(member).filter((key) => !MEMBER_KEYS.includes(key));
  const id: unknown = (member as Record<string, unknown>).accountId;
  const which = typeof id === 'string' ? `account ${JSON.stringify(id)}` : `member ${position}`;
  return unknown.map((key) => `unknown key ${JSON.stringify(key)} for ${which}: expected only "accountId" and an optional "email"`);
}

/**
 * The problem with the administrator a member accepts: not 12 digits, or the member's own account
 * (when known). Undefined when it is fine.
 */
export function administratorProblem(value: unknown, memberAccount?: string): string | undefined {
  const idProblem = accountIdProblem(value, 'administrator account id');
  if (idProblem) {
    return idProblem;
  }
  if (memberAccount !== undefined && value === memberAccount) {
    return `administrator account id "${value}" is the member account itself: expected another account, an account cannot be its own administrator`;
  }
  return undefined;
}

/**
 * Every problem with a declaration of members, in declaration order: ids that are not 12 digits,
 * duplicates, the administrator's own account, emails without '@', and more than the quota.
 */
export function validateMembers(members: readonly MemberInput[], options: ValidateMembersOptions = {}): string[] {
  const unresolved = options.isUnresolved ?? (() => false);
  const problems: string[] = [];
  if (members.length === 0) {
    problems.push(EMPTY_MEMBERS_PROBLEM);
  }
  if (members.length > MAX_MEMBERS) {
    problems.push(`too many members (${members.length}): expected at most ${MAX_MEMBERS}, the Security Hub quota of invitation-based members per administrator and region`);
  }
  const seen = new Set<string>();
  for (const [index, member] of members.entries()) {
    const shapeProblems = memberShapeProblems(member, index + 1);
    problems.push(...shapeProblems);
    const id: unknown = member?.accountId;
    if (typeof id === 'string' && unresolved(id)) {
      continue;
    }
    // A misspelt accountId key is already named; "invalid account id undefined" would add nothing.
    if (id === undefined && shapeProblems.length > 0) {
      continue;
    }
    const idProblem = accountIdProblem(id);
    if (idProblem) {
      problems.push(idProblem);
      continue;
    }
    const accountId = id as string;
    if (seen.has(accountId)) {
      problems.push(`duplicate account id "${accountId}": expected each account once`);
    }
    seen.add(accountId);
    if (options.ownAccount !== undefined && accountId === options.ownAccount) {
      problems.push(`account id "${accountId}" is the administrator's own account: expected only other accounts, an administrator cannot be its own member`);
    }
    const email: unknown = member.email;
    if (email !== undefined && typeof email !== 'string') {
      problems.push(`invalid email for account "${accountId}": expected a string, got ${typeOf(email)}`);
    } else if (email !== undefined && !unresolved(email) && !EMAIL.test(email)) {
      const shown = options.quoteEmails ? ` ${JSON.stringify(email)}` : '';
      problems.push(`invalid email${shown} for account "${accountId}": expected an address with text on both sides of "@" and no spaces`);
    }
  }
  return problems;
}

/** Every problem with a list of region names: malformed names and duplicates. */
export function validateRegions(regions: readonly string[], options: Pick<ValidateMembersOptions, 'isUnresolved'> = {}): string[] {
  const unresolved = options.isUnresolved ?? (() => false);
  const problems: string[] = [];
  if (regions.length === 0) {
    problems.push('empty list of regions: expected at least one region, or leave regions unset for the stack\'s region');
  }
  const seen = new Set<string>();
  for (const region of regions) {
    if (typeof region === 'string' && unresolved(region)) {
      continue;
    }
    if (typeof region !== 'string' || !REGION.test(region)) {
      problems.push(`invalid region ${JSON.stringify(region)}: expected a region name such as "us-east-1"`);
      continue;
    }
    if (seen.has(region)) {
      problems.push(`duplicate region "${region}": expected each region once`);
    }
    seen.add(region);
  }
  return problems;
}

/**
 * The problem with a `maxRemovalsPerDeploy` value, or undefined when it is a non-negative integer
 * (or a token, which the handler checks when it receives the value).
 */
export function maxRemovalsProblem(value: unknown, options: { readonly isUnresolved?: (value: number) => boolean } = {}): string | undefined {
  if (typeof value === 'number' && (options.isUnresolved ?? (() => false))(value)) {
    return undefined;
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) {
    return undefined;
  }
  return `invalid maxRemovalsPerDeploy ${JSON.stringify(value)}: expected a whole number of removals, 0 or more (0 refuses every removal by an Update)`;
}
