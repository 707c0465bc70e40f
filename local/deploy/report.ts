/** What a person wants to see after a local deploy: which accounts changed, and the calls made. */
import { ACCEPTER_RESOURCE_TYPE, KEPT_DECLARED_BY_ANOTHER_RESOURCE, KEPT_MEMBER_BEFORE_FAILED_DEPLOY, KeptOutcomeRecord, MEMBERS_RESOURCE_TYPE, OUTCOME_KEPT } from '../../lib/shared/contract';
import type { HubStore } from '../emulator';
import type { EventReport } from './cloudformation';
import { CREATE_FAILED_PHYSICAL_ID } from './provider-framework';


/**
 * Accounts a handler kept in a region: because other resources of its stack declare them (rule
 * R10, docs/design.md), or because they were members before the failed deploy being rolled back
 * (rule R13; `beforeFailedDeploy`, and no `declaredBy`).
 */
export interface KeptAccounts {
  readonly region: string;
  readonly accountIds: string[];
  /** The resources that declare them: logical ids in the handler's log, display names in an {@link EventReport}. */
  readonly declaredBy: string[];
  /** Kept by a rollback because the failed deploy did not add them. */
  readonly beforeFailedDeploy?: boolean;
}

/** What the report prints beside accounts a rollback kept because the failed deploy did not add them. */
export const KEPT_BEFORE_FAILED_DEPLOY_LABEL = 'kept (a member before the failed deploy)';

/**
 * The kept accounts a handler logged, one entry per outcome record (JSON lines; anything else is
 * passed over). Only the record's fields are read (contract.ts), never its message.
 */
export function keptAccounts(logs: readonly string[]): KeptAccounts[] {
  const result: KeptAccounts[] = [];
  for (const line of logs) {
    let entry: Partial<Record<keyof KeptOutcomeRecord, unknown>>;
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (entry === null || typeof entry !== 'object' || entry.outcome !== OUTCOME_KEPT || typeof entry.region !== 'string') {
      continue;
    }
    const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
    if (entry.reason === KEPT_DECLARED_BY_ANOTHER_RESOURCE) {
      result.push({ region: entry.region, accountIds: strings(entry.accountIds), declaredBy: strings(entry.declaredBy) });
    } else if (entry.reason === KEPT_MEMBER_BEFORE_FAILED_DEPLOY) {
      result.push({ region: entry.region, accountIds: strings(entry.accountIds), declaredBy: [], beforeFailedDeploy: true });
    }
  }
  return result;
}

/** Member status by `administrator/region/account`. */
export type MemberSnapshot = Map<string, string>;

/** Every member of every hub in the store. */
export function snapshot(store: HubStore): MemberSnapshot {
  const result: MemberSnapshot = new Map();
  for (const hub of store.hubList()) {
    for (const member of store.listMembers(hub.account, hub.region)) {
      result.set(`${hub.account}/${hub.region}/${member.accountId}`, member.memberStatus);
    }
  }
  return result;
}

/** One kind of change and the accounts it happened to. */
export interface ChangeGroup {
  readonly label: string;
  readonly administrator: string;
  readonly region: string;
  readonly accounts: string[];
}

const NONE = 'not a member';

function label(from: string, to: string, organization: boolean): string {
  if (organization && to === 'Enabled') {
    // Organization accounts are never invited: CreateMembers enables them (docs/design.md, "Organization accounts").
    return from === NONE ? 'created (organization account, Enabled)' : 're-added (organization account, Enabled)';
  }
  if (organization && to === 'Removed') {
    return 'disassociated (organization account, cannot be deleted)';
  }
  if (from === NONE) {
    return to === 'Invited' ? 'created and invited' : `created (${to})`;
  }
  if (to === NONE) {
    // An Enabled member stops sharing findings with the administrator: worth seeing at a glance.
    return from === 'Enabled' ? 'removed (was Enabled)' : 'removed';
  }
  if (to === 'Invited') {
    return from === 'Created' ? 'invited' : `re-invited (was ${from})`;
  }
  if (to === 'Enabled') {
    return 'accepted (Enabled)';
  }
  if (to === 'Resigned') {
    return 'left the administrator (Resigned)';
  }
  if (to === 'Removed') {
    return 'disassociated (Removed)';
  }
  return `${from} → ${to}`;
}

/**
 * The changes between two snapshots, grouped by administrator, region and kind; `isOrganization`
 * tells which accounts are in an administrator's organization (the emulator's `isOrganizationAccount`).
 */
export function changes(before: MemberSnapshot, after: MemberSnapshot, isOrganization: (administrator: string, account: string) => boolean = () => false): ChangeGroup[] {
  const groups = new Map<string, ChangeGroup>();
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const from = before.get(key) ?? NONE;
    const to = after.get(key) ?? NONE;
    if (from === to) {
      continue;
    }
    const [administrator, region, account] = key.split('/');
    const kind = label(from, to, isOrganization(administrator, account));
    const groupKey = `${administrator}/${region}/${kind}`;
    const group = groups.get(groupKey) ?? { label: kind, administrator, region, accounts: [] };
    group.accounts.push(account);
    groups.set(groupKey, group);
  }
  return [...groups.values()].map((g) => ({ ...g, accounts: g.accounts.sort() }));
}

/** A list of account ids, shortened when long. */
export function accountList(accounts: readonly string[], most = 6): string {
  return accounts.length <= most ? accounts.join(', ') : `${accounts.slice(0, most).join(', ')} and ${accounts.length - most} more`;
}

/** The construct path of a resource without its stack and `Resource/Default` tail. */
export function resourceName(constructPath: string): string {
  return constructPath.replace(/\/Resource(\/Default)?$/, '').split('/').slice(1).join('/') || constructPath;
}

const PHASES: Partial<Record<string, string>> = {
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: 'cleanup (UPDATE_COMPLETE_CLEANUP_IN_PROGRESS): deleting replaced and removed resources',
  UPDATE_ROLLBACK_IN_PROGRESS: 'rollback (UPDATE_ROLLBACK_IN_PROGRESS): back to the previous template',
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: 'rollback cleanup (UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS): deleting what the failed update created',
  ROLLBACK_IN_PROGRESS: 'rollback (ROLLBACK_IN_PROGRESS): deleting what the failed first deploy created',
};

/** A line announcing a stack phase a person should notice (cleanup and rollbacks), if it is one. */
export function phaseLine(phase: string | undefined): string | undefined {
  return phase && PHASES[phase] ? `  -- ${PHASES[phase]}` : undefined;
}

/** The lines printed for one event. */
export function describeEvent(report: EventReport, groups: ChangeGroup[], calls: Record<string, number>): string[] {
  const name = resourceName(report.path);
  const status = report.ok ? `ok in ${(report.durationMs / 1000).toFixed(1)} s` : 'FAILED';
  const lines = [`  ${report.action.padEnd(15)} ${name} (${report.type})  ${status}`];
  if (report.ok && report.physicalResourceId === CREATE_FAILED_PHYSICAL_ID) {
    // CloudFormation's Delete of a resource whose Create failed: no handler ran, no account changed.
    return [...lines, '    nothing to delete: the Create failed, and the Provider framework answered this Delete without the handler'];
  }
  if (!report.ok && report.error) {
    lines.push(`    error: ${report.error}`);
  }
  for (const group of groups) {
    lines.push(`    ${group.label.padEnd(34)} ${accountList(group.accounts)}  [${group.region}, administrator ${group.administrator}]`);
  }
  for (const kept of report.kept ?? []) {
    // Not a change, but the reason a removal left these accounts in place.
    const why = kept.beforeFailedDeploy ? KEPT_BEFORE_FAILED_DEPLOY_LABEL : `kept (declared by ${kept.declaredBy.join(', ')})`;
    lines.push(`    ${why.padEnd(34)} ${accountList(kept.accountIds)}  [${kept.region}, administrator ${report.account}]`);
  }
  if (!report.ok && report.phase?.endsWith('CLEANUP_IN_PROGRESS')) {
    lines.push('    a cleanup Delete that keeps failing is skipped: the stack completes and no longer manages it');
  }
  const declared = (report.properties.Members as { AccountId?: string }[] | undefined)?.map((m) => m.AccountId) ?? [];
  if (report.ok && report.type === MEMBERS_RESOURCE_TYPE && report.action !== 'Delete' && report.action !== 'Rollback Delete' && report.action !== 'Unchanged' && declared.length > 0) {
    const changed = new Set(groups.flatMap((g) => g.accounts));
    const unchanged = declared.filter((id) => id && !changed.has(id)).length;
    if (unchanged > 0) {
      lines.push(`    ${'unchanged'.padEnd(34)} ${unchanged} declared account${unchanged === 1 ? '' : 's'}`);
    }
  }
  lines.push(...emailKeptLines(report));
  const acted = report.action !== 'Unchanged' && report.action !== 'Retained';
  if (report.ok && acted && report.type === ACCEPTER_RESOURCE_TYPE && !groups.some((g) => g.accounts.includes(report.account))) {
    // Without this line a member stack that found nothing to do prints only its reads.
    const leaving = report.action === 'Delete' || report.action === 'Rollback Delete';
    const state = leaving ? 'not a member' : 'already Enabled';
    lines.push(`    ${'unchanged'.padEnd(34)} ${report.account} (${state})  [${report.region}, administrator ${String(report.properties.AdministratorAccountId)}]`);
  }
  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  if (acted) {
    const list = Object.entries(calls).map(([op, n]) => `${op} ${n}`).join(', ');
    lines.push(`    ${'API calls'.padEnd(34)} ${total === 0 ? 'none' : `${list} (${total} in all)`}`);
  }
  return lines;
}

/**
 * A line for the members whose declared email an Update changed: Security Hub CSPM keeps the email
 * given when the member was created (CreateMembers) and has no call that changes it, so the
 * handler leaves the account as it is. Without this line the change would look applied.
 */
export function emailKeptLines(report: EventReport): string[] {
  if (!report.ok || report.type !== MEMBERS_RESOURCE_TYPE || !report.action.endsWith('Update') || !report.oldProperties) {
    return [];
  }
  const emails = (props: Record<string, unknown>) => new Map(((props.Members ?? []) as { AccountId?: string; Email?: string }[])
    .map((m) => [String(m.AccountId), m.Email ?? ''] as const));
  const before = emails(report.oldProperties);
  const changed = [...emails(report.properties)].filter(([id, email]) => before.has(id) && before.get(id) !== email).map(([id]) => id);
  if (changed.length === 0) {
    return [];
  }
  return [
    `    ${'email kept'.padEnd(34)} ${accountList(changed)}  [${report.region}, administrator ${report.account}]`,
    '    Security Hub CSPM keeps the email a member was created with and has no call to change it;',
    '    the declaration\'s new email applies only if the account is removed and declared again',
  ];
}
