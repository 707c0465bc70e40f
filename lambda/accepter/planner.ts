/**
 * Pure planning for the member side (docs/design.md, "Member side"): from the declared administrator, the
 * account's current administrator and its pending invitations, which calls to make, or why to
 * fail. No SDK imports, so every branch is tested without I/O.
 */
import { isEnabledStatus } from '../shared/status';

/** The member's current administrator as GetAdministratorAccount reports it. */
export interface AdministratorRelationship {
  /** The administrator's account id; absent when the account has none. */
  readonly administratorId?: string;
  /** The member's status at that administrator, as the service spells it. */
  readonly memberStatus?: string;
}

/** One invitation as ListInvitations reports it. */
export interface InvitationSummary {
  /** The inviting administrator's account id (the service's `Invitation.AccountId`). */
  readonly administratorId?: string;
  /** The id AcceptAdministratorInvitation needs. */
  readonly invitationId?: string;
  /** The invitation's status; a pending one is `Invited`. */
  readonly memberStatus?: string;
  /** When the invitation was sent. */
  readonly invitedAt?: Date;
}

/** What the planner knows when it decides. */
export interface AccepterSituation {
  /** The CloudFormation request type. */
  readonly requestType: 'Create' | 'Update' | 'Delete';
  /** The member account the handler runs in, for messages; absent when unknown. */
  readonly memberAccount?: string;
  /** The region of the member's hub, for messages. */
  readonly region: string;
  /**
   * The declared administrator: always set on Create and Update (parsed strictly); on Delete the
   * declared one if it was a readable account id.
   */
  readonly administrator?: string;
  /** On Update, the administrator declared before, if it was a readable account id. */
  readonly previousAdministrator?: string;
  /** The account's current administrator. */
  readonly current: AdministratorRelationship;
  /** The account's invitations; only read when {@link needsInvitations} says so. */
  readonly invitations?: readonly InvitationSummary[];
}

/** One Security Hub call of a plan, in the order the plan lists them. */
export type AccepterStep =
  | { readonly call: 'DisassociateFromAdministratorAccount'; readonly administratorId: string }
  | { readonly call: 'AcceptAdministratorInvitation'; readonly administratorId: string; readonly invitationId: string };

/** Why a plan cannot be carried out. */
export type AccepterFailureKind = 'other-administrator' | 'no-invitation';

/** The planner's answer: the calls to make (none when the account is already as declared), or a failure. */
export type AccepterPlan =
  | { readonly steps: readonly AccepterStep[] }
  | { readonly failure: { readonly kind: AccepterFailureKind; readonly message: string } };

/**
 * A member-side event that cannot reach its declared state. The message is what a CloudFormation
 * user sees in the stack events: it names the accounts involved and what to do.
 */
export class AccepterError extends Error {
  constructor(readonly kind: AccepterFailureKind | 'call-failed', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AccepterError';
  }
}

/** The administrator the account is an active member of, or undefined when none. */
export function associatedAdministrator(current: AdministratorRelationship): string | undefined {
  return current.administratorId && isEnabledStatus(current.memberStatus) ? current.administratorId : undefined;
}

/**
 * Whether the plan of a Create or Update depends on the account's invitations (it ignores any it is
 * given). Lets the handler skip ListInvitations when the account is already as declared, or when the
 * event fails anyway.
 */
export function needsInvitations(situation: AccepterSituation): boolean {
  if (situation.requestType === 'Delete' || situation.administrator === undefined) {
    return false;
  }
  const current = associatedAdministrator(situation.current);
  if (current === undefined) {
    return true;
  }
  if (current === situation.administrator) {
    return false;
  }
  return isReplacedAdministrator(situation, current);
}

/**
 * The pending invitation from `administratorId` to accept: one whose status is Invited (or not
 * reported), the most recent first when there are several. Invitations in any other status can't
 * be accepted, and the service would refuse them with a less helpful message.
 */
export function pendingInvitationFrom(invitations: readonly InvitationSummary[], administratorId: string): InvitationSummary | undefined {
  const pending = invitations.filter((invitation) =>
    invitation.administratorId === administratorId
    && !!invitation.invitationId
    && (invitation.memberStatus === undefined || invitation.memberStatus.toLowerCase() === 'invited'));
  return pending.sort((a, b) => (b.invitedAt?.getTime() ?? 0) - (a.invitedAt?.getTime() ?? 0))[0];
}

/**
 * Plans one event. Create (and Update to the same administrator, which heals): nothing when
 * already associated with the administrator, otherwise accept its pending invitation. Update to
 * another administrator: leave the previous one first. Delete: leave the administrator only when
 * associated with it. Every check that can fail is made before the first call, so a failed plan
 * changes nothing (leaving the old administrator and then finding no invitation from the new one
 * would strand the account, and CloudFormation's rollback too).
 */
export function planAccepter(situation: AccepterSituation): AccepterPlan {
  const current = associatedAdministrator(situation.current);
  const administrator = situation.administrator;
  if (situation.requestType === 'Delete') {
    // Already gone, never associated, or now associated with someone else: none of ours to undo.
    return administrator !== undefined && current === administrator
      ? { steps: [{ call: 'DisassociateFromAdministratorAccount', administratorId: administrator }] }
      : { steps: [] };
  }
  if (administrator === undefined) {
    throw new Error(`${situation.requestType} without an administrator: expected the parsed AdministratorAccountId`);
  }
  if (current === administrator) {
    return { steps: [] };
  }
  const steps: AccepterStep[] = [];
  if (current !== undefined) {
    if (!isReplacedAdministrator(situation, current)) {
      return {
        failure: {
          kind: 'other-administrator',
          message: `${accountPhrase(situation)} is already a Security Hub member of administrator ${current} in ${situation.region}: `
            + `expected to accept ${administrator}; disassociate from ${current} first`,
        },
      };
    }
    steps.push({ call: 'DisassociateFromAdministratorAccount', administratorId: current });
  }
  const invitation = pendingInvitationFrom(situation.invitations ?? [], administrator);
  if (!invitation) {
    return {
      failure: {
        kind: 'no-invitation',
        message: `no pending Security Hub invitation from administrator ${administrator} to ${accountPhrase(situation)} in ${situation.region}: `
          + 'expected one to accept; deploy the administrator\'s stack (SecurityHubMembers with invite: true) first, then this one',
      },
    };
  }
  steps.push({ call: 'AcceptAdministratorInvitation', administratorId: administrator, invitationId: invitation.invitationId! });
  return { steps };
}

/** On Update, the current administrator is the one the previous declaration accepted, so leaving it is ours to do. */
function isReplacedAdministrator(situation: AccepterSituation, current: string): boolean {
  return situation.requestType === 'Update' && situation.previousAdministrator === current;
}

function accountPhrase(situation: Pick<AccepterSituation, 'memberAccount'>): string {
  return situation.memberAccount ? `account ${situation.memberAccount}` : 'this account';
}
