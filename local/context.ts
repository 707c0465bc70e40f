/**
 * The sample app's context values (cdk.json, or `-c KEY=VALUE` on the command line), read the
 * same way by the app (bin/sample-app.ts) and by the local deploy (local/cli.ts), which checks
 * them before a synth so that a bad value is named as the option it came from. Values given
 * with `-c` arrive as strings; cdk.json gives them typed.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { MemberAccount } from '../lib';
import { isAccountId } from '../lib/shared/validation';

/** A context value that can't be used; the message names the value and what was expected. */
export class ContextValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContextValueError';
  }
}

/**
 * The value of the context key `organizationAccounts`: the declared members that are in the
 * administrator's organization, as a list (cdk.json) or, from `-c` on the command line, a JSON list
 * or comma-separated ids. Absent is none.
 *
 * @param name how the value is named in an error, e.g. `-c organizationAccounts`
 * @throws ContextValueError naming the value when it is not a list of 12-digit account ids
 */
export function parseOrganizationAccounts(raw: unknown = [], name = 'organizationAccounts'): string[] {
  if (typeof raw === 'string') {
    const list = raw.trim().startsWith('[') ? parseJson(raw, name, 'a list of account ids') : raw.split(',').map((id) => id.trim()).filter((id) => id !== '');
    return parseOrganizationAccounts(list, name);
  }
  if (!Array.isArray(raw) || !raw.every((id) => typeof id === 'string')) {
    throw new ContextValueError(`invalid ${name} ${JSON.stringify(raw)}: expected a list of account ids`);
  }
  const bad = raw.find((id) => !isAccountId(id));
  if (bad !== undefined) {
    throw new ContextValueError(`invalid ${name} account id ${JSON.stringify(bad)}: expected 12 digits, as a JSON list or separated by commas`);
  }
  return raw;
}

/**
 * The value of the context key `members`: a JSON list (from `-c`) or a list (cdk.json) of
 * `{"accountId": "...", "email": "..."}`, or `@FILE` for such a list kept in a JSON file (relative
 * to the current directory; multi-line JSON, which `-c` cannot carry). Absent is an error, never an
 * empty fleet. The account ids and keys are checked by the construct, which names the resource.
 *
 * @param name how the value is named in an error, e.g. `-c members`
 * @throws ContextValueError naming the value when it is not such a list
 */
export function parseMembers(raw: unknown, name = 'members'): MemberAccount[] {
  if (raw === undefined) {
    // A default of [] would deploy an empty declaration: a missing key must not remove the fleet.
    throw new ContextValueError(`missing context key ${JSON.stringify(name)}: expected ${MEMBERS_SHAPE} in cdk.json's context, -c members='[...]' or -c members=@FILE.json; `
      + 'to remove every member on purpose, destroy the stack');
  }
  const list = typeof raw === 'string' ? (raw.trim().startsWith('@') ? readMembersFile(raw.trim().slice(1), name) : parseJson(raw, name, MEMBERS_SHAPE)) : raw;
  if (!Array.isArray(list)) {
    throw new ContextValueError(`invalid ${name} ${JSON.stringify(list)}: expected ${MEMBERS_SHAPE}`);
  }
  list.forEach((member: unknown, i) => {
    const { accountId, email } = (typeof member === 'object' && member !== null ? member : {}) as { accountId?: unknown; email?: unknown };
    if (typeof accountId !== 'string' || (email !== undefined && typeof email !== 'string')) {
      throw new ContextValueError(`invalid ${name}[${i}] ${JSON.stringify(member)}: expected {"accountId": "<12 digits>"}, with an optional "email" string`);
    }
  });
  return list as MemberAccount[];
}

const MEMBERS_SHAPE = 'a JSON list such as [{"accountId": "111111111111", "email": "security@example.com"}]';

/** The JSON in the file of `-c members=@FILE`, or one error naming the file. */
function readMembersFile(file: string, name: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(file), 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ContextValueError(`cannot read ${name} file ${JSON.stringify(file)} (${reason}): expected a JSON file, relative to ${process.cwd()}, holding ${MEMBERS_SHAPE}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ContextValueError(`invalid ${name} file ${JSON.stringify(file)}, not JSON (${(error as Error).message}): expected ${MEMBERS_SHAPE}`);
  }
}

function parseJson(raw: string, name: string, expected: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new ContextValueError(`invalid ${name} ${JSON.stringify(raw)}, not JSON (${(error as Error).message}): expected ${expected}`);
  }
}
