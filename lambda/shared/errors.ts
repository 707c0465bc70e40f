import { OUTCOME_REFUSED, RefusedOutcomeRecord } from '../../lib/shared/contract';
import type { Log } from './log';

/** One account that could not be brought to its declared state, with the service's reason. */
export interface AccountFailure {
  readonly accountId: string;
  readonly region: string;
  readonly reason: string;
}

/**
 * A declaration that fails validation; raised before any mutating call. However many values are
 * bad, and however long each is, the message stays within {@link ACCOUNT_LIST_BUDGET}: it names as
 * many problems as fit, each value shortened in the middle, and the log gets every problem.
 */
export class ValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(describeProblems(problems));
    this.name = 'ValidationError';
  }
}

/** Longest problem in a message: a bad value can be any length, its "expected ..." must still show. */
const MAX_PROBLEM = 200;

/** Longest problem in the log, where the budget is Lambda's, not CloudFormation's. */
const MAX_LOGGED_PROBLEM = 2_000;

function clipMiddle(text: string, max: number): string {
  if (text.length <= max) {
    return text;
  }
  const tail = Math.floor(max / 3);
  return `${text.slice(0, max - tail - 3)}...${text.slice(text.length - tail)}`;
}

/** Every problem in one message, clipped to what CloudFormation shows, with a count of those left out. */
export function describeProblems(problems: readonly string[]): string {
  const full = problems.join('; ');
  if (full.length <= ACCOUNT_LIST_BUDGET) {
    return full;
  }
  const shown: string[] = [];
  let used = 0;
  for (const problem of problems.map((p) => clipMiddle(p, MAX_PROBLEM))) {
    if (used + problem.length + 2 > ACCOUNT_LIST_BUDGET - OMITTED_RESERVE) {
      break;
    }
    shown.push(problem);
    used += problem.length + 2;
  }
  const more = problems.length - shown.length;
  return `${problems.length} problems with the properties: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}. Every problem is in the handler's log.`;
}

/**
 * Some accounts failed. The message names the failed accounts, their region and the service's
 * reason, which is what a CloudFormation user sees in the stack events. With many accounts it lists
 * as many ids as fit and points to the handler's log, which gets every failed account id.
 */
export class MemberOperationError extends Error {
  constructor(
    readonly phase: string,
    readonly failures: AccountFailure[],
    readonly undo?: string,
    options?: { cause?: unknown },
  ) {
    super(describeFailures(phase, failures, undo), options);
    this.name = 'MemberOperationError';
  }
}

/**
 * Logs what the message of `error` may have left out: every problem of a {@link ValidationError}
 * whose message was shortened, every account id of a {@link MemberOperationError}. The entry of a
 * handler calls it once per failed event, so each is logged once however often it was rethrown.
 */
export function logErrorDetails(log: Log, error: unknown): void {
  if (error instanceof ValidationError && error.message !== error.problems.join('; ')) {
    log('ERROR', 'invalid properties', { problems: error.problems.length, list: error.problems.map((p) => clipMiddle(p, MAX_LOGGED_PROBLEM)) });
  } else if (error instanceof MemberOperationError) {
    logAccountIds(log, `${error.phase} failed`, error.failures.map((f) => f.accountId));
    for (const group of refusedGroups(error)) {
      log('ERROR', 'refused', { ...group });
    }
  }
}

/**
 * Characters of an error message given to its account list. CloudFormation drops a custom resource
 * response of 4,096 bytes or more, Reason included, and shows only "Response object is too long";
 * the list, the sentence around it and an undo sentence stay well under that.
 */
export const ACCOUNT_LIST_BUDGET = 2_000;

/** Longest label kept in a shortened list, so that one long reason cannot use the whole budget. */
const MAX_LABEL = 300;

/** Room kept for the closing "and N more accounts ..." of groups that did not fit. */
const OMITTED_RESERVE = 80;

/** The sentence a shortened list ends with. */
export const FULL_LIST_IN_LOG = 'Every account id is in the handler\'s log.';

/** Accounts listed together: `ids` then `label`, e.g. `111111111111, 222222222222 in us-east-1: reason`. */
export interface AccountGroup {
  readonly accountIds: readonly string[];
  /** What follows the ids, with its leading space: ` in us-east-1: reason`. */
  readonly label: string;
}

/** An account list for an error message; `complete` is false when ids were left out. */
export interface AccountList {
  readonly text: string;
  readonly complete: boolean;
}

/**
 * The groups as `ids label; ids label`, within `budget` characters. A list that fits is returned as
 * it is. Otherwise every group keeps its label and first id, so that every reason shows, and the
 * ids left over fill the budget in order; a group that lost ids ends in `and N more`. Groups that do
 * not fit even so are counted at the end, as accounts `others` (e.g. "for other reasons").
 */
export function listAccounts(groups: readonly AccountGroup[], others: string, budget = ACCOUNT_LIST_BUDGET): AccountList {
  const full = groups.map((g) => `${g.accountIds.join(', ')}${g.label}`).join('; ');
  if (full.length <= budget) {
    return { text: full, complete: true };
  }
  const shown = groups.map((g) => ({ ids: g.accountIds, label: clip(g.label), count: Math.min(1, g.accountIds.length) }));
  let used = 0;
  let kept = 0;
  for (const g of shown) {
    const cost = (kept > 0 ? 2 : 0) + (g.ids[0]?.length ?? 0) + ` and ${g.ids.length} more`.length + g.label.length;
    if (kept > 0 && used + cost + OMITTED_RESERVE > budget) {
      break;
    }
    used += cost;
    kept++;
  }
  let spare = budget - used - (kept < shown.length ? OMITTED_RESERVE : 0);
  for (const g of shown.slice(0, kept)) {
    while (g.count < g.ids.length && spare >= g.ids[g.count].length + 2) {
      spare -= g.ids[g.count].length + 2;
      g.count++;
    }
  }
  const parts = shown.slice(0, kept).map((g) => {
    const hidden = g.ids.length - g.count;
    return `${g.ids.slice(0, g.count).join(', ')}${hidden > 0 ? ` and ${hidden} more` : ''}${g.label}`;
  });
  const omitted = shown.slice(kept).reduce((sum, g) => sum + g.ids.length, 0);
  if (kept < shown.length) {
    parts.push(`and ${omitted} more account${omitted === 1 ? '' : 's'} ${others}`);
  }
  return { text: parts.join('; '), complete: false };
}

function clip(label: string): string {
  return label.length > MAX_LABEL ? `${label.slice(0, MAX_LABEL - 3)}...` : label;
}

/** Failures grouped by region and reason, in the order they first occur. */
export function failureGroups(failures: readonly AccountFailure[], reasonText: (reason: string) => string = (r) => r): AccountGroup[] {
  const groups = new Map<string, { accountIds: string[]; label: string }>();
  for (const f of failures) {
    const key = `${f.region}\n${f.reason}`;
    let group = groups.get(key);
    if (!group) {
      group = { accountIds: [], label: ` in ${f.region}: ${reasonText(f.reason)}` };
      groups.set(key, group);
    }
    group.accountIds.push(f.accountId);
  }
  return [...groups.values()];
}

/**
 * Logs every account id of a failure once, ids only (never an email), so that an error message
 * that lists only some of them can point here.
 */
export function logAccountIds(log: Log, message: string, accountIds: readonly string[]): void {
  const ids = [...new Set(accountIds)];
  log('ERROR', message, { accounts: ids.length, accountIds: ids });
}

function describeFailures(phase: string, failures: AccountFailure[], undo?: string): string {
  const accounts = new Set(failures.map((f) => f.accountId)).size;
  // Accounts that failed for the same reason in the same region are listed together.
  const list = listAccounts(failureGroups(failures, (reason) => reason.replace(/\.+$/, '')), 'for other reasons or regions');
  const pointer = list.complete ? '' : ` ${FULL_LIST_IN_LOG}`;
  const tail = undo ? ` ${undo}` : '';
  return `${phase} failed for ${accounts} account${accounts === 1 ? '' : 's'}: ${list.text}.${pointer}${tail}`;
}

/**
 * Whether Security Hub refused a call because it is not enabled for the caller in that region:
 * InvalidAccessException saying "not subscribed". The same error type without those words is a
 * missing permission, which callers must not mistake for a hub with no members.
 */
export function isNotSubscribed(error: unknown): boolean {
  return (error as { name?: unknown } | null | undefined)?.name === 'InvalidAccessException' && /not subscribed/i.test(reasonOf(error));
}

/** A short description of any thrown value, for failure reasons. */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  }
  return String(error);
}

/** The refused accounts of a failed event, one record per region and service reason. */
export function refusedGroups(error: MemberOperationError): RefusedOutcomeRecord[] {
  const groups = new Map<string, RefusedOutcomeRecord>();
  for (const f of error.failures) {
    const key = `${f.region}\n${f.reason}`;
    const group = groups.get(key) ?? { outcome: OUTCOME_REFUSED, phase: error.phase, region: f.region, accountIds: [], serviceReason: f.reason };
    group.accountIds.push(f.accountId);
    groups.set(key, group);
  }
  return [...groups.values()];
}
