/** The human-readable report of `drift`: a table per administrator and region. */
import { ComparedResource, ComparisonResult, NOT_A_MEMBER } from '../lambda/shared/fleet/comparison';

/** Why a declared account is not in sync, in a few words. */
export function driftText(status: string, invite: boolean, requireAccepted: boolean): string {
  const what = status === NOT_A_MEMBER ? 'missing (not a member)' : status;
  const expected = !invite ? 'a member in any status but Deleted' : requireAccepted ? 'Enabled' : 'Invited or Enabled';
  return `drift: ${what}, expected ${expected}`;
}

/** The report as lines, for a person. */
export function renderTable(result: ComparisonResult): string[] {
  const lines: string[] = [];
  const byHub = new Map<string, ComparedResource[]>();
  for (const resource of result.resources) {
    const key = `${resource.account} ${resource.region}`;
    byHub.set(key, [...(byHub.get(key) ?? []), resource]);
  }
  let declared = 0;
  let outOfSync = 0;
  for (const resources of byHub.values()) {
    const { account, region, hubEnabled, undeclaredStatuses } = resources[0];
    if (lines.length > 0) {
      lines.push('');
    }
    lines.push(`Administrator ${account} in ${region}${hubEnabled ? '' : ': Security Hub is not enabled, so no declared account is a member'}`);
    const rows: string[][] = [['RESOURCE', 'ACCOUNT', 'STATUS', '']];
    for (const resource of resources) {
      for (const member of resource.members) {
        declared++;
        outOfSync += member.inSync ? 0 : 1;
        rows.push([
          `${resource.displayName}/${resource.logicalId}`,
          member.accountId,
          member.status,
          member.inSync ? 'in sync' : driftText(member.status, resource.invite, resource.requireAccepted),
        ]);
      }
    }
    lines.push(...table(rows).map((line) => `  ${line}`));
    if (undeclaredStatuses.size > 0) {
      const listed = [...undeclaredStatuses].map(([id, status]) => `${id} (${status})`).join(', ');
      lines.push(`  Members nobody declared (listed, not a failure): ${listed}`);
    }
  }
  if (result.otherAdministrators.length + result.unreadable.length > 0 && lines.length > 0) {
    lines.push('');
  }
  for (const other of result.otherAdministrators) {
    lines.push(`Skipped ${other.displayName}/${other.logicalId}: ${other.reason}`);
  }
  for (const unreadable of result.unreadable) {
    lines.push(`Unreadable ${unreadable.displayName}/${unreadable.logicalId}, not audited: ${unreadable.reason}`);
  }
  lines.push('');
  const regions = new Set(result.resources.map((r) => `${r.account} ${r.region}`)).size;
  const where = `${declared} declared account${declared === 1 ? '' : 's'} over ${regions} administrator region${regions === 1 ? '' : 's'}`;
  if (outOfSync > 0) {
    lines.push(`Drift: ${outOfSync} of ${where} not in sync.`);
  } else {
    lines.push(`In sync: ${where}.`);
  }
  return lines;
}

/** Rows padded into columns; the last column is not padded. */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}
