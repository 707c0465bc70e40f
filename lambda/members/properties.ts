/**
 * Reads the resource properties of `Custom::SecurityHubMembers` as the handler receives them: the
 * reading itself is shared (lambda/shared/template/declaration.ts) with the drift command and the audit.
 */
import { DeclarationEnvironment, MembersDeclaration, validateDeclaration } from '../shared/template';
import { ValidationError } from '../shared/errors';

export type { MembersDeclaration };

/** Where the handler runs: the defaults and the account that may never be a member. */
export type HandlerEnvironment = DeclarationEnvironment;

/**
 * Parses and validates the declaration of a Create or Update. Throws a {@link ValidationError}
 * naming every bad value, before any call is made (rule R9, docs/design.md).
 */
export function parseDeclaration(raw: unknown, env: HandlerEnvironment): MembersDeclaration {
  const reading = validateDeclaration(raw, env);
  if ('problems' in reading) {
    throw new ValidationError(reading.problems);
  }
  return reading.declaration;
}

// A declaration that was deployed before is read without failing: a rollback or a stack deletion
// must never be blocked by a value that was rejected when it was new.
export { parsePreviousDeclaration } from '../shared/template';
