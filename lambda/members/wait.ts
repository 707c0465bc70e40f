/**
 * Waiting for acceptance (`waitForAcceptance`): the pure parts. Which declared members are still
 * pending, and the compact record of which accounts a Create created, carried in the response Data
 * from onEvent to isComplete so that a Create that times out undoes exactly its own work.
 */
import { deflateRawSync, inflateRawSync } from 'zlib';
import type { MemberInput } from '../../lib/shared/validation';
import { normalizeStatus } from '../shared/status';
import type { StatusMap } from './planner';

/**
 * Most characters of the encoded record. The Provider framework sends onEvent's Data in every
 * response it makes afterwards, the failed one included, and that response must stay under
 * CloudFormation's 4,096 bytes with a full error message in it (rule R11, docs/design.md).
 */
export const CREATED_RECORD_BUDGET = 600;

/** The record of a Create whose pattern was too irregular to fit {@link CREATED_RECORD_BUDGET}. */
export const CREATED_UNKNOWN = '?';

/**
 * Encodes which of `declared` each region's Create created (`created[i]` for the i-th region): a
 * bit per member and region, deflated, base64url, after a `z`. Usually a Create creates the same
 * accounts everywhere, or all but a few, which compresses to a few dozen characters whatever the
 * number of regions. A record that still does not fit is {@link CREATED_UNKNOWN}.
 */
export function encodeCreated(declared: readonly MemberInput[], created: readonly ReadonlySet<string>[]): string {
  const bits = Buffer.alloc(Math.ceil((declared.length * created.length) / 8));
  created.forEach((set, r) => {
    declared.forEach((m, i) => {
      if (set.has(m.accountId)) {
        const bit = r * declared.length + i;
        bits[bit >> 3] |= 1 << (bit & 7);
      }
    });
  });
  const encoded = `z${deflateRawSync(bits, { level: 9 }).toString('base64url')}`;
  return encoded.length <= CREATED_RECORD_BUDGET ? encoded : CREATED_UNKNOWN;
}

/**
 * The account ids each of `regions` regions created, from {@link encodeCreated}; undefined when
 * the record is {@link CREATED_UNKNOWN} or cannot be read.
 */
export function decodeCreated(declared: readonly MemberInput[], encoded: string, regions: number): string[][] | undefined {
  if (!encoded.startsWith('z')) {
    return undefined;
  }
  let bits: Buffer;
  try {
    bits = inflateRawSync(Buffer.from(encoded.slice(1), 'base64url'));
  } catch {
    return undefined;
  }
  return Array.from({ length: regions }, (_, r) => declared
    .filter((_m, i) => {
      const bit = r * declared.length + i;
      return ((bits[bit >> 3] ?? 0) >> (bit & 7)) & 1;
    })
    .map((m) => m.accountId));
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
