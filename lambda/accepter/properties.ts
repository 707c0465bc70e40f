/** Reads the resource properties of `Custom::SecurityHubInvitationAccepter` as the handler receives them. */
import type { AccepterResourceProperties } from '../../lib/shared/contract';
import { accountIdProblem, isAccountId } from '../../lib/shared/validation';
import { ValidationError } from '../shared/errors';

/**
 * The problem with an administrator that is the member account itself, in the same words as the
 * construct's synth-time check.
 */
export function ownAccountProblem(administratorId: string): string {
  return `administrator account id "${administratorId}" is the member account itself: expected another account, an account cannot be its own administrator`;
}

/**
 * Parses the administrator of a Create or Update. Throws a {@link ValidationError} naming the bad
 * value before any call is made: not 12 digits, or the member's own account (when known).
 */
export function parseAdministrator(raw: unknown, ownAccount: string | undefined): string {
  const value = propertiesOf(raw).AdministratorAccountId;
  const problem = accountIdProblem(value, 'administrator account id');
  if (problem) {
    throw new ValidationError([problem]);
  }
  const administratorId = value as string;
  if (ownAccount !== undefined && administratorId === ownAccount) {
    throw new ValidationError([ownAccountProblem(administratorId)]);
  }
  return administratorId;
}

/**
 * Reads an administrator that was declared before (the old properties of an Update, or the
 * properties of a Delete) without failing: a rollback or a stack deletion must never be blocked by
 * a value that was rejected when it was new. A value that could never have been accepted is
 * undefined.
 */
export function parsePreviousAdministrator(raw: unknown, ownAccount: string | undefined): string | undefined {
  const value = propertiesOf(raw).AdministratorAccountId;
  return isAccountId(value) && value !== ownAccount ? value : undefined;
}

function propertiesOf(raw: unknown): Partial<Record<keyof AccepterResourceProperties, unknown>> {
  return (raw !== null && typeof raw === 'object' ? raw : {}) as Partial<Record<keyof AccepterResourceProperties, unknown>>;
}
