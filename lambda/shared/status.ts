/**
 * Security Hub member statuses as every reader sees them: the members handler's plans, the
 * accepter's, the drift command and the audit. The service's spelling varies (case, the legacy
 * `Associated`), so statuses are compared only after {@link normalizeStatus}.
 */

/** A member status reduced to what the plans depend on. */
export type MemberState = 'NotMember' | 'Created' | 'Invited' | 'Enabled' | 'Removed' | 'Resigned' | 'Other';

/**
 * Reduces a service status: case-insensitive, the legacy `Associated` is `Enabled`, a `Deleted` or
 * absent member is not a member, and anything else (AccountSuspended, a status added later) is
 * `Other`, which the handler leaves alone.
 */
export function normalizeStatus(raw: string | undefined): MemberState {
  switch (raw?.toLowerCase()) {
    case undefined:
    case 'deleted':
      return 'NotMember';
    case 'created':
      return 'Created';
    case 'invited':
      return 'Invited';
    case 'enabled':
    case 'associated':
      return 'Enabled';
    case 'removed':
      return 'Removed';
    case 'resigned':
      return 'Resigned';
    default:
      return 'Other';
  }
}

/**
 * Whether a raw status is Invited or Enabled: associated with the administrator, or about to be
 * (the administrator side, where an invited member still counts as the administrator's).
 */
export function isInvitedOrEnabled(raw: string | undefined): boolean {
  return ['Invited', 'Enabled'].includes(normalizeStatus(raw));
}

/**
 * Whether a raw status is Enabled (or the legacy `Associated`): an active member of its
 * administrator, as the member side requires before it is done.
 */
export function isEnabledStatus(raw: string | undefined): boolean {
  return normalizeStatus(raw) === 'Enabled';
}
