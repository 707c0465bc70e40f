/**
 * `cdk-securityhub-members import`: the members of the caller's Security Hub, as a declaration to
 * paste (docs/design.md, "Import command"). Only members a deploy would leave as they are are
 * declared; every other one is named on stderr, so that adopting a fleet changes nothing in it.
 */
import { ListMembersCommand } from '@aws-sdk/client-securityhub';
import { MAX_IDS_PER_CALL } from '../lib/shared/contract';
import { normalizeStatus } from '../lambda/shared/status';
import type { RegionClients } from '../lambda/shared/client';
import { isNotSubscribed, reasonOf } from '../lambda/shared/errors';
import { allPages, readMembers } from '../lambda/shared/fleet/reads';
import type { ImportFormat } from './args';
import { CommandError } from './errors';

/** One member of one region's hub, as GetMembers reports it. */
export interface ImportedMember {
  /** The service's status, as it spells it. */
  readonly status: string;
  /** The member's email, when the service has one. */
  readonly email?: string;
}

/** The members of the caller's hub in one region, by account id. */
export interface RegionMembers {
  readonly region: string;
  readonly members: ReadonlyMap<string, ImportedMember>;
}

/** One entry of the printed declaration: a `MemberAccount` of the construct. */
export interface DeclaredMember {
  readonly accountId: string;
  readonly email?: string;
}

/** What import prints: the declaration on stdout, the notes on stderr. */
export interface ImportDecision {
  /** The accounts to declare, sorted by account id. */
  readonly members: readonly DeclaredMember[];
  /** One line per account a deploy of the declaration would change, or that is left out. */
  readonly notes: readonly string[];
}

/**
 * Decides what to declare from the members of each region, given in the order of `--regions`:
 * an account that is Created, Invited or Enabled in at least one region is declared, with the
 * email of the first region that has one; any other account is left out. Notes name the Created
 * members, the accounts missing in some regions, and the accounts left out, with their statuses.
 */
export function decideImport(regions: readonly RegionMembers[]): ImportDecision {
  const accountIds = [...new Set(regions.flatMap((r) => [...r.members.keys()]))].sort();
  const members: DeclaredMember[] = [];
  const notes: string[] = [];
  for (const accountId of accountIds) {
    const found = regions.map((r) => ({ region: r.region, member: r.members.get(accountId) }));
    const memberIn = found.filter((f) => f.member && isDeclarable(f.member.status));
    if (memberIn.length === 0) {
      const listed = found.filter((f) => f.member);
      const statuses = listed.map((f) => `${f.member!.status} in ${f.region}`).join(', ');
      const reinvited = listed.some((f) => ['Removed', 'Resigned', 'NotMember'].includes(normalizeStatus(f.member!.status)));
      const why = reinvited ? 'a deploy that declares it would invite it again' : 'a status the members handler leaves alone, not a member to declare';
      notes.push(`left out ${accountId}: ${statuses} (${why})`);
      continue;
    }
    const email = found.find((f) => f.member?.email)?.member?.email;
    members.push({ accountId, ...(email !== undefined ? { email } : {}) });
    const created = memberIn.filter((f) => normalizeStatus(f.member!.status) === 'Created');
    if (created.length > 0) {
      notes.push(`${accountId} is Created, not invited yet, in ${created.map((f) => f.region).join(', ')}: a deploy with invite true invites it`);
    }
    const elsewhere = found.filter((f) => !memberIn.includes(f));
    if (elsewhere.length > 0) {
      const where = elsewhere.map((f) => (f.member ? `${f.region} (${f.member.status})` : f.region)).join(', ');
      notes.push(`${accountId} is not a member in ${where}: a declaration with ${elsewhere.length === 1 ? 'that region' : 'those regions'} would invite it there`);
    }
  }
  return { members, notes };
}

/**
 * Whether declaring a member with this status leaves it as it is: Created, Invited and Enabled
 * (and the legacy Associated). Removed and Resigned would be invited again, a Deleted one created
 * again, and a status the handler does not know (AccountSuspended) says nothing about the fleet.
 */
function isDeclarable(status: string): boolean {
  return ['Created', 'Invited', 'Enabled'].includes(normalizeStatus(status));
}

/** The declaration as `format` prints it, as lines. */
export function renderDeclaration(members: readonly DeclaredMember[], format: ImportFormat): string[] {
  if (format === 'json') {
    // Two spaces, the indentation of cdk.json, so that it pastes into the context as it is.
    return JSON.stringify(members, undefined, 2).split('\n');
  }
  const entries = members.map((m) => `  { accountId: ${tsString(m.accountId)}${m.email !== undefined ? `, email: ${tsString(m.email)}` : ''} },`);
  return [
    'import { MemberAccount } from \'cdk-securityhub-members\';',
    '',
    'export const members: MemberAccount[] = [',
    ...entries,
    '];',
  ];
}

/** A TypeScript string literal in single quotes, whatever the text holds. */
function tsString(text: string): string {
  const escaped = JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, '\\\'');
  return `'${escaped}'`;
}

/**
 * Every member of the caller's hub in the region of `clients`, whatever its status: ListMembers
 * for the account ids, GetMembers for the statuses and emails.
 *
 * @throws CommandError when Security Hub is not enabled there: nothing to import, and a
 * declaration with that region would fail
 */
export async function readRegionMembers(clients: RegionClients): Promise<RegionMembers> {
  try {
    const listed = await allPages('ListMembers', async (token) => {
      const out = await clients.client.send(new ListMembersCommand({ OnlyAssociated: false, MaxResults: MAX_IDS_PER_CALL, NextToken: token }));
      return { items: out.Members ?? [], nextToken: out.NextToken };
    });
    const ids = [...new Set(listed.flatMap((m) => (m.AccountId ? [m.AccountId] : [])))];
    // An audit's reading: a Deleted member is reported, so that the note can name it.
    const records = await readMembers(clients, ids, { deleted: 'keep' });
    const members = new Map([...records].map(([id, r]) => [id, { status: r.status, ...(r.email !== undefined ? { email: r.email } : {}) }]));
    return { region: clients.region, members };
  } catch (error) {
    if (isNotSubscribed(error)) {
      throw new CommandError(`Security Hub is not enabled in ${clients.region} for the caller's account: expected the administrator's credentials, or --regions without ${clients.region}`);
    }
    throw new CommandError(`cannot read the members in ${clients.region}: ${reasonOf(error)}`);
  }
}

/** What {@link runImport} needs from the command. */
export interface ImportRunDeps {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** The region to read when `--regions` is not given: the SDK's default. */
  readonly defaultRegion: () => Promise<string | undefined>;
  /** Makes the clients of one region with the caller's credentials; the caller destroys them. */
  readonly clientsFor: (region: string) => RegionClients;
}

/**
 * Reads the fleet in every region, at once, and prints the declaration on stdout and the notes on
 * stderr. Resolves to 0: the fleet was read.
 *
 * @throws CommandError when no region is given or set, or a region cannot be read
 */
export async function runImport(command: { readonly regions?: readonly string[]; readonly format: ImportFormat }, deps: ImportRunDeps): Promise<number> {
  let regions = command.regions;
  if (regions === undefined) {
    const region = await deps.defaultRegion();
    if (!region) {
      throw new CommandError('no region to read: expected --regions r1,r2, or AWS_REGION as for cdk deploy');
    }
    regions = [region];
  }
  // Each region has its own rate limit and clients, so reading them in parallel costs no throttle.
  const read = await Promise.all(regions.map((region) => readRegionMembers(deps.clientsFor(region))));
  const decision = decideImport(read);
  renderDeclaration(decision.members, command.format).forEach((line) => deps.stdout(line));
  decision.notes.forEach((note) => deps.stderr(note));
  if (decision.members.length === 0) {
    deps.stderr(`no member to declare in ${regions.join(', ')}: the construct refuses an empty members list`);
  }
  return 0;
}
