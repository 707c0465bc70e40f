/**
 * Waiting for acceptance (`waitForAcceptance`): the pure parts. Which declared members are still
 * pending, and the compact record of which accounts a Create created, carried in the response Data
 * from onEvent to isComplete so that a Create that times out undoes exactly its own work.
 */
import type { MemberInput } from '../../lib/shared/validation';
import { normalizeStatus, StatusMap } from './planner';

/** Encodes which of `declared` are in `created` as a bit mask, base64url. */
export function encodeMask(declared: readonly MemberInput[], created: ReadonlySet<string>): string {
  const bytes = Buffer.alloc(Math.ceil(declared.length / 8));
  declared.forEach((m, i) => {
    if (created.has(m.accountId)) {
      bytes[i >> 3] |= 1 << (i & 7);
    }
  });
  return bytes.toString('base64url');
}

/** The account ids of `declared` whose bit is set in `mask`. */
export function decodeMask(declared: readonly MemberInput[], mask: string): string[] {
  const bytes = Buffer.from(mask, 'base64url');
  return declared.filter((_, i) => ((bytes[i >> 3] ?? 0) >> (i & 7)) & 1).map((m) => m.accountId);
}

/**
 * Joins the masks of every region, or writes one prefixed with `*` when every region's is the same
 * (the usual case), so that many regions stay well under the 4 KB response limit.
 */
export function encodeMasks(masks: readonly string[]): string {
  return masks.length > 1 && masks.every((m) => m === masks[0]) ? `*${masks[0]}` : masks.join(',');
}

/** The mask of each of `regions` regions, from {@link encodeMasks}. */
export function decodeMasks(encoded: string, regions: number): string[] {
  if (encoded.startsWith('*')) {
    return Array.from({ length: regions }, () => encoded.slice(1));
  }
  const masks = encoded.split(',');
  return Array.from({ length: regions }, (_, i) => masks[i] ?? '');
}

/** A declared member that is not Enabled yet, with its status. */
export interface PendingMember {
  readonly accountId: string;
  readonly region: string;
  readonly status: string;
}

/**
 * The declared members of one region that are not Enabled. Members in a status the handler does
 * not act on (AccountSuspended, unknown) are left out: waiting cannot change them.
 */
export function pendingMembers(region: string, declared: readonly MemberInput[], statuses: StatusMap): PendingMember[] {
  return declared
    .map((m) => ({ accountId: m.accountId, region, status: statuses.get(m.accountId) ?? 'not a member' }))
    .filter((p) => !['Enabled', 'Other'].includes(normalizeStatus(statuses.get(p.accountId))));
}
