/**
 * The regions each stack's `SecurityHubMembers` manage, recorded by the construct, so that a
 * `SecurityHubMembersAudit` of the same stack, made before or after them, knows at synth which
 * hubs its role must read and whether there is anything to audit at all.
 */
import { Stack } from 'aws-cdk-lib';

const regionsByStack = new WeakMap<Stack, string[][]>();

/** Records the regions of one `SecurityHubMembers` of `stack`. */
export function recordMembersRegions(stack: Stack, regions: readonly string[]): void {
  regionsByStack.set(stack, [...(regionsByStack.get(stack) ?? []), [...regions]]);
}

/** The regions of each `SecurityHubMembers` of `stack` made so far, one list per construct. */
export function membersRegionsOf(stack: Stack): readonly string[][] {
  return regionsByStack.get(stack) ?? [];
}
