/**
 * The accepter handler's unit tests' shared fixtures: the CloudFormation events it receives, and
 * the handler wired to an in-process Security Hub (the emulator's store, through
 * {@link hubFixture}) signing as the member account, as it does in the member's stack, with a log
 * sink the test reads. The administrators' side (their members, hence the member's invitations
 * and administrator) is seeded in the store: the member side is derived from it, so the two sides
 * cannot disagree.
 */
import { AccepterHandlers, createHandler } from '../../lambda/accepter';
import type { CustomResourceEvent } from '../../lambda/shared/cfn';
import type { Environment } from '../../lambda/shared/client';
import type { InvitationRecord, SeedMemberInput } from '../../local/emulator';
import { HubFixture, hubFixture, HubState } from './hub';

/** The member account the handler runs in. */
export const MEMBER = '111111111111';

/** The administrator the resource declares. */
export const ADMIN = '999999999999';

/** The administrator an Update moves away from. */
export const OLD = '888888888888';

/** The region the handler runs in. */
export const REGION = 'eu-west-1';

/** The physical id the handler gives the resource under test. */
export const PHYSICAL_ID = 'securityhub-invitation-accepter-Member-Accept';

/** The presigned response URL: a secret the logs must never print. */
export const RESPONSE_URL = 'https://cloudformation-custom-resource-response.example/secret-signature';

/** The Lambda context: the handler reads the member account from the function's ARN. */
export const CONTEXT = { invokedFunctionArn: `arn:aws:lambda:${REGION}:${MEMBER}:function:accepter-handler` };

const STACK_ID = `arn:aws:cloudformation:${REGION}:${MEMBER}:stack/Member/0f1e2d3c`;

/** The member-side operations that change the account's membership. */
export const MUTATING_OPERATIONS: readonly string[] = ['AcceptAdministratorInvitation', 'DisassociateFromAdministratorAccount'];

/**
 * A `Custom::SecurityHubInvitationAccepter` event as the Provider framework hands it to the
 * handler; an Update or Delete carries the physical id the handler gave the resource unless
 * `extra` says otherwise.
 */
export function accepterEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  properties: Record<string, unknown>,
  extra: Partial<CustomResourceEvent<Record<string, unknown>>> = {},
): CustomResourceEvent<Record<string, unknown>> {
  return {
    RequestType: requestType,
    RequestId: 'request-1',
    StackId: STACK_ID,
    LogicalResourceId: 'Accept',
    ResourceType: 'Custom::SecurityHubInvitationAccepter',
    ResponseURL: RESPONSE_URL,
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:token', ...properties },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: PHYSICAL_ID }),
    ...extra,
  };
}

/**
 * The environment of a unit test's handler: the region, no pacing (the unit tests are not about
 * pacing), and few attempts so a persistent failure is not retried for long.
 */
export const ACCEPTER_ENV: Environment = {
  AWS_REGION: REGION,
  SECURITYHUB_MEMBERS_RATE_PER_SECOND: '100000',
  SECURITYHUB_MEMBERS_BURST: '100000',
  SECURITYHUB_MEMBERS_MAX_ATTEMPTS: '3',
};

/** Settings of {@link accepterHarness}. */
export interface AccepterHarnessOptions {
  /** The hub state to start from (faults such as `autoEnableHubs: false` included). */
  readonly state?: HubState;
  /** Variables added to (or replacing) {@link ACCEPTER_ENV}. */
  readonly env?: Environment;
}

/** The accepter handler over an in-process hub, with the member's view of it and what it logged. */
export interface AccepterHarness extends AccepterHandlers {
  /** The hub the handler calls (its `administrator` is {@link ADMIN}). */
  readonly hub: HubFixture;
  /** Every line the handler logged, oldest first. */
  readonly lines: string[];
  /** The logged lines, parsed. */
  records(): Record<string, unknown>[];
  /** `administrator` invites the member now: the member's invitation from it is pending. */
  invitedBy(administrator: string): void;
  /**
   * The member is now an active member of `administrator`, answered on the wire with
   * `reportedStatus` (e.g. the legacy `ASSOCIATED`) when given.
   */
  memberOf(administrator: string, reportedStatus?: string): void;
  /** The id of the invitation `administrator` sent the member (pending or accepted), if any. */
  invitationId(administrator: string): string | undefined;
  /** The member's invitations as ListInvitations lists them. */
  invitations(): InvitationRecord[];
  /** The member's administrator now, as the service holds it. */
  administrator(): string | undefined;
  /** The member's status at `administrator`, as the administrator sees it. */
  statusAt(administrator: string): string | undefined;
  /** The operations the handler sent, oldest first, intercepted ones included. */
  callSequence(): string[];
  /** The membership-changing requests the handler sent, intercepted ones included. */
  mutatingCalls(): string[];
}

/** Makes the accepter handler, signing as {@link MEMBER}, over a new in-process hub. */
export function accepterHarness(options: AccepterHarnessOptions = {}): AccepterHarness {
  const hub = hubFixture({ administrator: ADMIN, region: REGION, ...options.state });
  const { store } = hub.emulator;
  const lines: string[] = [];
  const handlers = createHandler({
    env: { ...ACCEPTER_ENV, ...options.env },
    requestHandler: hub.requestHandler,
    credentials: hub.credentialsOf(MEMBER),
    log: (line) => lines.push(line),
  });
  const seed = (administrator: string, input: Omit<SeedMemberInput, 'accountId'>): void => {
    store.seedMember(administrator, REGION, { accountId: MEMBER, ...input });
  };
  const callSequence = (): string[] => hub.operations();
  return {
    ...handlers,
    hub,
    lines,
    records: () => lines
      .flatMap((line) => line.split('\n'))
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>),
    invitedBy: (administrator) => seed(administrator, { status: 'Invited' }),
    memberOf: (administrator, reportedStatus) => seed(administrator, { status: 'Enabled', ...(reportedStatus ? { reportedStatus } : {}) }),
    invitationId: (administrator) => store.getMember(administrator, REGION, MEMBER)?.invitationId,
    invitations: () => store.invitationsFor(MEMBER, REGION),
    administrator: () => store.administratorOf(MEMBER, REGION),
    statusAt: (administrator) => store.getMember(administrator, REGION, MEMBER)?.memberStatus,
    callSequence,
    mutatingCalls: () => callSequence().filter((operation) => MUTATING_OPERATIONS.includes(operation)),
  };
}
