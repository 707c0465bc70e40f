/** The human-readable report of `plan`: per stack, each resource's event and each account's action. */
import type { PlanDocument, ResourcePlan, StackPlan } from './plan';

/** The summary line of one stack: "+N invited, ~N re-invited, -N removed (N Enabled), N unchanged". */
export function summaryLine(stack: StackPlan): string {
  const regions = stack.resources.flatMap((r) => r.regions ?? []);
  const count = (pick: (r: (typeof regions)[number]) => number) => regions.reduce((sum, r) => sum + pick(r), 0);
  const removed = count((r) => r.remove.length);
  const enabled = count((r) => r.remove.filter((m) => m.status === 'Enabled').length);
  return `+${count((r) => r.create.length + r.invite.length)} invited, ~${count((r) => r.reinvite.length)} re-invited, -${removed} removed (${enabled} Enabled), ${count((r) => r.keep.length)} unchanged`;
}

/** The plan as lines, for a person: one line per account and region that the deploy acts on or keeps. */
export function renderPlan(document: PlanDocument): string[] {
  const lines: string[] = [];
  for (const stack of document.stacks) {
    if (lines.length > 0) {
      lines.push('');
    }
    lines.push(`Stack ${stack.stack} (${stack.account ?? 'the caller\'s account'}, ${stack.region})`);
    if (stack.unplannable !== undefined) {
      lines.push(`  not planned: ${stack.unplannable}`);
      continue;
    }
    stack.resources.forEach((resource) => lines.push(...renderResource(resource)));
    lines.push(`  ${summaryLine(stack)}`);
  }
  if (document.stacks.length === 0) {
    lines.push('No stack of the app has a SecurityHubMembers resource.');
  }
  return lines;
}

function renderResource(resource: ResourcePlan): string[] {
  const lines = [`  ${resource.logicalId}: ${resource.event ?? 'no event (properties unchanged)'}`];
  if (resource.unplannable !== undefined) {
    return [...lines, `    not planned: ${resource.unplannable}`];
  }
  const rows: string[][] = [];
  for (const region of resource.regions ?? []) {
    region.create.forEach((id) => rows.push(['+', id, region.region, 'create (not a member)']));
    region.invite.forEach((id) => rows.push(['+', id, region.region, 'invite (Created)']));
    region.reinvite.forEach((id) => rows.push(['~', id, region.region, 'invite again (Removed or Resigned)']));
    region.remove.forEach((m) => rows.push(['-', m.accountId, region.region, `remove (${m.status})`]));
    region.keep.forEach((k) => rows.push(['=', k.accountId, region.region, `keep: ${k.reason}`]));
  }
  const width = Math.max(0, ...rows.map((r) => r[2].length));
  lines.push(...rows.map(([mark, id, region, what]) => `    ${mark} ${id}  ${region.padEnd(width)}  ${what}`));
  if (resource.refusal !== undefined) {
    lines.push(`    REFUSED: ${resource.refusal}`);
  }
  return lines;
}
