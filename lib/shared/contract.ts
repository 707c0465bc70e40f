/**
 * The contract between the constructs in `lib/` and the handlers in `lambda/`: resource types,
 * property and response shapes, and limits. It has no imports so that both sides, the CDK app
 * and the Lambda bundle, type-check against the same file.
 */

/** CloudFormation resource type of the administrator-side resource. */
export const MEMBERS_RESOURCE_TYPE = 'Custom::SecurityHubMembers';

/** CloudFormation resource type of the member-side resource. */
export const ACCEPTER_RESOURCE_TYPE = 'Custom::SecurityHubInvitationAccepter';

/** Invitation-based members one administrator may have in one region (the service quota). */
export const MAX_MEMBERS = 1000;

/** Most account ids this project puts in one Security Hub call. */
export const MAX_IDS_PER_CALL = 50;

/**
 * A scalar as the handler receives it. CloudFormation turns every scalar into a string
 * (`true` arrives as `"true"`), while direct invocations and tests may pass the native value.
 */
export type CfnScalar = string | number | boolean;

/** One declared member as a resource property. */
export interface MemberAccountProperty {
  /** The member's 12-digit AWS account id. */
  readonly AccountId: string;
  /** The member's email address, used by the invitation. */
  readonly Email?: string;
}

/** Properties of `Custom::SecurityHubMembers`. */
export interface MembersResourceProperties {
  /** The declared members. */
  readonly Members: MemberAccountProperty[];
  /** Whether to invite members after creating them. */
  readonly Invite?: CfnScalar;
  /** Regions whose hubs hold the members; absent means the handler's own region. */
  readonly Regions?: string[];
  /** When set, how long the resource waits for every invited member to be Enabled, in seconds. */
  readonly WaitForAcceptanceSeconds?: CfnScalar;
  /**
   * With reconcileOnEveryDeploy: a value that differs at every synth, so that every deploy sends
   * an Update, which heals drift by the status table. The handler ignores its value.
   */
  readonly ReconcileToken?: string;
}

/** Attributes returned in the response's `Data`: counts only, so the response stays small. */
export interface MembersResourceData {
  /** Declared accounts times managed regions. */
  readonly MemberCount: string;
  /** Declared members whose status is Enabled after the event, summed over regions. */
  readonly EnabledCount: string;
  /** Declared members whose status is Invited after the event, summed over regions. */
  readonly InvitedCount: string;
  /** With waitForAcceptance: when waiting gives up, ISO 8601. */
  readonly WaitDeadline?: string;
  /**
   * With waitForAcceptance on Create: which declared accounts this Create created in each region,
   * a deflated bit mask over regions and declaration order (`z` then base64url), or `?` when too
   * irregular to fit. A Create that times out removes exactly these, as a failed Create does
   * (rule R3, docs/design.md). Blanked once the wait completes, so the final response stays small.
   */
  readonly WaitCreated?: string;
  /**
   * On Update and Delete, when some: account-region pairs the event did not remove because another
   * `Custom::SecurityHubMembers` of the stack declares them (rule R10, docs/design.md).
   */
  readonly KeptCount?: string;
}

/** The suffix of the physical id while a Create waits for acceptance; a Delete of such an id has nothing to do. */
export const AWAITING_ACCEPTANCE_SUFFIX = ':awaiting-acceptance';

/** The longest waitForAcceptance: under CloudFormation's one-hour limit for a custom resource, with room for the deploy itself. */
export const MAX_WAIT_FOR_ACCEPTANCE_MINUTES = 50;

/** Properties of `Custom::SecurityHubInvitationAccepter`. */
export interface AccepterResourceProperties {
  /** The administrator account whose invitation the member accepts. */
  readonly AdministratorAccountId: string;
  /**
   * With reconcileOnEveryDeploy: a value that differs at every synth, so that every deploy sends
   * an Update, which accepts a pending invitation again. The handler ignores its value.
   */
  readonly ReconcileToken?: string;
}

/** Attributes returned in the response's `Data` on Create and Update. */
export interface AccepterResourceData {
  /** The administrator the account is a member of after the event. */
  readonly AdministratorAccountId: string;
  /** The account's status at that administrator after the event (`Enabled`). */
  readonly MemberStatus: string;
}

/**
 * The message of the members handler's log line naming the accounts it kept because another
 * resource of its stack declares them (rule R10, docs/design.md), with fields `region`, `accountIds` and
 * `declaredBy`; the local deploy reads it to say so in its output.
 */
export const KEPT_ACCOUNTS_LOG_MESSAGE = 'kept accounts another resource declares';

/**
 * The message of the members handler's log line naming the accounts a rollback kept because they
 * were members before the failed deploy (rule R13, docs/design.md), with fields `region` and
 * `accountIds`; the local deploy reads it to say so in its output.
 */
export const KEPT_BEFORE_FAILED_DEPLOY_LOG_MESSAGE = 'kept (a member before the failed deploy)';
