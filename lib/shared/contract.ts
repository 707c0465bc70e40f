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
  /**
   * The most (account, region) pairs one Update may disassociate or delete; absent means
   * {@link DEFAULT_MAX_REMOVALS_PER_DEPLOY}. Never applied to a rollback or a Delete.
   */
  readonly MaxRemovalsPerDeploy?: CfnScalar;
}

/** The removal limit of an Update when the declaration sets none. */
export const DEFAULT_MAX_REMOVALS_PER_DEPLOY = 10;

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

/** The `outcome` of a handler's outcome record that names accounts a removal left in place. */
export const OUTCOME_KEPT = 'kept';

/** Why a removal kept accounts: another resource of the stack declares them (rule R10, docs/design.md). */
export const KEPT_DECLARED_BY_ANOTHER_RESOURCE = 'declared-by-another-resource';

/**
 * Why a removal kept accounts: CloudFormation is rolling back a failed deploy that did not add
 * them, so they were members before it (rule R13, docs/design.md).
 */
export const KEPT_MEMBER_BEFORE_FAILED_DEPLOY = 'member-before-failed-deploy';

/** The `outcome` of a handler's outcome record that names accounts a removal took out of the hub. */
export const OUTCOME_REMOVED = 'removed';

/** The `outcome` of a handler's outcome record that names accounts Security Hub refused to change. */
export const OUTCOME_REFUSED = 'refused';

/**
 * The `outcome` of the members handler's log record of an InviteMembers call that failed without a
 * usable answer, after which the handler read the batch's statuses before inviting again (rule R5,
 * docs/design.md): an invitation whose answer was lost is never sent twice.
 */
export const OUTCOME_INVITE_REREAD = 'invite-reread';

/** The reasons of {@link KeptOutcomeRecord}. */
export type KeptReason = typeof KEPT_DECLARED_BY_ANOTHER_RESOURCE | typeof KEPT_MEMBER_BEFORE_FAILED_DEPLOY;

/**
 * The fields of the members handler's log record of accounts it kept, beside `level` and a
 * `message` for people. The local deploy reads these fields, never the message, to say so in its
 * output; both sides type-check against this shape.
 */
export interface KeptOutcomeRecord {
  readonly outcome: typeof OUTCOME_KEPT;
  readonly reason: KeptReason;
  readonly region: string;
  readonly accountIds: string[];
  /** The logical ids of the resources that declare the accounts; only for {@link KEPT_DECLARED_BY_ANOTHER_RESOURCE}. */
  readonly declaredBy?: string[];
}

/** The fields of the log record of an InviteMembers batch read again before it is retried. */
export interface InviteRereadRecord {
  readonly outcome: typeof OUTCOME_INVITE_REREAD;
  readonly region: string;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  /** The error of that attempt. */
  readonly error: string;
  /** Accounts of the batch sent in that attempt. */
  readonly accounts: number;
  /** Accounts the read found still not Invited or Enabled. */
  readonly stillToInvite: number;
}

/** The fields of the log record of accounts a removal took out of one region's hub. */
export interface RemovedOutcomeRecord {
  readonly outcome: typeof OUTCOME_REMOVED;
  readonly region: string;
  readonly accountIds: string[];
}

/**
 * The fields of the log record of accounts Security Hub refused in one region for one reason;
 * the entry of the handler logs one per region and reason of a failed event.
 */
export interface RefusedOutcomeRecord {
  readonly outcome: typeof OUTCOME_REFUSED;
  /** What the handler was doing, e.g. `Adding members`. */
  readonly phase: string;
  readonly region: string;
  readonly accountIds: string[];
  /** The service's reason, as it gave it. */
  readonly serviceReason: string;
}

/** The scheduled audit's CloudWatch namespace (docs/design.md, "Scheduled audit"). */
export const AUDIT_METRIC_NAMESPACE = 'SecurityHubMembers';

/** The one dimension of the audit's metrics; its value is the audited stack's name. */
export const AUDIT_METRIC_DIMENSION = 'Stack';

/** The audit's metric of declared account-region pairs. */
export const METRIC_DECLARED_MEMBERS = 'DeclaredMembers';
/** The audit's metric of declared pairs out of sync. */
export const METRIC_DRIFTED_MEMBERS = 'DriftedMembers';
/** The audit's metric of declared pairs Invited, not yet Enabled. */
export const METRIC_PENDING_MEMBERS = 'PendingMembers';
/** The audit's metric of members no resource declares. */
export const METRIC_UNDECLARED_MEMBERS = 'UndeclaredMembers';
/** The audit's metric put once per completed run; its absence raises the failure alarm. */
export const METRIC_AUDIT_SUCCEEDED = 'AuditSucceeded';

/** The `outcome` of an audit run that compared the stack's declarations with Security Hub. */
export const AUDIT_RUN_AUDITED = 'audited';

/**
 * The `outcome` of an audit run that found the stack mid-operation and compared nothing, leaving
 * it to the next scheduled run; it counts as a completed run.
 */
export const AUDIT_RUN_DEFERRED = 'deferred';

/** The source of the audit's drift event. */
export const DRIFT_EVENT_SOURCE = 'cdk-securityhub-members';

/** The detail-type of the audit's drift event. */
export const DRIFT_EVENT_DETAIL_TYPE = 'Security Hub Members Drift';

/** One declared member of a resource in the audit's report, as `drift --json` prints it. */
export interface AuditReportMember {
  readonly accountId: string;
  readonly status: string;
  readonly inSync: boolean;
}

/** One resource and region of the audit's report. */
export interface AuditReportResource {
  readonly logicalId: string;
  readonly region: string;
  readonly members: AuditReportMember[];
  readonly undeclared: string[];
}

/** What repair did in one region of one resource. */
export interface AuditRepairedResource {
  readonly logicalId: string;
  readonly region: string;
  /** Accounts created again (and invited, for invite true). */
  readonly created: string[];
  /** Accounts invited again. */
  readonly invited: string[];
}

/**
 * The parts of the audit's report line (message `audit report`, field `report`) that readers
 * outside the handler rely on: the local audit command and the tests.
 */
export interface AuditReportShape {
  readonly stack: string;
  readonly inSync: boolean;
  readonly resources: AuditReportResource[];
  readonly repaired?: AuditRepairedResource[];
}
