/** Reads the resource properties of `Custom::SecurityHubInvitationAccepter` as the handler receives them. */
import type { AccepterResourceProperties } from '../../lib/shared/contract';
import { administratorProblem, isAccountId } from '../../lib/shared/validation';
import { ValidationError } from '../shared/errors';

/**
 * Parses the administrator of a Create or Update. Throws a {@link ValidationError} naming the bad
 * value before any call is made: not 12 digits, or the member's own account (when known).
 */
export function parseAdministrator(raw: unknown, ownAccount: string | undefined): string {
  const value = propertiesOf(raw).AdministratorAccountId;
  // The same check, in the same words, as the construct's at synth time.
  const problem = administratorProblem(value, ownAccount);
  if (problem) {
    throw new ValidationError([problem]);
  }
  return value as string;
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
