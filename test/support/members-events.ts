/**
 * The members handler's unit tests' shared fixtures: the CloudFormation events it receives, the
 * declarations they carry, and the handler wired to an in-process Security Hub (the emulator's
 * store, through {@link hubFixture}) with a log sink the test reads.
 */
import { createHandler, MembersHandlers } from '../../lambda/members';
import type { CustomResourceEvent } from '../../lambda/shared/cfn';
import type { Environment } from '../../lambda/shared/client';
import { HubCall, HubFixture, hubFixture, HubState } from './hub';

/** The administrator account the handler runs in. */
export const ADMIN = '999999999999';

/** The stack every event comes from. */
export const STACK_ID = `arn:aws:cloudformation:us-east-1:${ADMIN}:stack/Admin/0f1e2d3c`;

/** The logical id of the resource under test. */
export const LOGICAL_ID = 'MembersFEE56442';

/** The physical id the handler gives the resource under test. */
export const PHYSICAL_ID = `securityhub-members-Admin-${LOGICAL_ID}`;

/** The Lambda context: the handler reads its own account from the function's ARN. */
export const CONTEXT = { invokedFunctionArn: `arn:aws:lambda:us-east-1:${ADMIN}:function:members-handler` };

/** The presigned response URL: a secret the logs must never print. */
export const RESPONSE_URL = 'https://cloudformation-custom-resource-response.example/secret-presigned-url';

const SERVICE_TOKEN = `arn:aws:lambda:us-east-1:${ADMIN}:function:framework`;

/** The operations that change a hub. */
export const MUTATING_OPERATIONS: readonly string[] = ['CreateMembers', 'InviteMembers', 'DisassociateMembers', 'DeleteMembers'];

/** Where an event differs from the default resource. */
export interface EventOptions {
  /** The resource's logical id. @default LOGICAL_ID */
  readonly logicalId?: string;
}

/**
 * A `Custom::SecurityHubMembers` event as the Provider framework hands it to the handler; an
 * Update or Delete carries the physical id the handler gave the resource.
 */
export function membersEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  props: Record<string, unknown>,
  old?: Record<string, unknown>,
  options: EventOptions = {},
): CustomResourceEvent {
  const logicalId = options.logicalId ?? LOGICAL_ID;
  return {
    RequestType: requestType,
    RequestId: 'req-1',
    StackId: STACK_ID,
    LogicalResourceId: logicalId,
    ResourceType: 'Custom::SecurityHubMembers',
    ResponseURL: RESPONSE_URL,
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: `securityhub-members-Admin-${logicalId}` }),
    ResourceProperties: { ServiceToken: SERVICE_TOKEN, ...props },
    ...(old ? { OldResourceProperties: { ServiceToken: SERVICE_TOKEN, ...old } } : {}),
  };
}

/** A `Members` declaration of these accounts, each with an email. */
export function withEmails(...ids: string[]): { AccountId: string; Email: string }[] {
  return ids.map((id) => ({ AccountId: id, Email: `security+${id}@example.com` }));
}

/** A `Members` declaration of these accounts, without emails. */
export function accounts(...ids: string[]): { AccountId: string }[] {
  return ids.map((id) => ({ AccountId: id }));
}

/** `count` distinct account ids, from `from` on. */
export function manyIds(count: number, from = 100000000000): string[] {
  return Array.from({ length: count }, (_, i) => String(from + i));
}

/**
 * The environment of a unit test's handler: the region, no pacing (the old mocks bypassed the
 * pacer, and the unit tests are not about pacing), and few attempts so a persistent failure is not
 * retried for long.
 */
export const UNIT_ENV: Environment = {
  AWS_REGION: 'us-east-1',
  SECURITYHUB_MEMBERS_RATE_PER_SECOND: '100000',
  SECURITYHUB_MEMBERS_BURST: '100000',
  SECURITYHUB_MEMBERS_MAX_ATTEMPTS: '3',
};

/** Settings of {@link membersHarness}. */
export interface HarnessOptions {
  /** Variables added to (or replacing) {@link UNIT_ENV}. */
  readonly env?: Environment;
  /** The handler's clock. @default Date.now, looked up at each call */
  readonly now?: () => number;
}

/** The members handler over an in-process hub, and what it logged. */
export interface MembersHarness extends MembersHandlers {
  /** The hub the handler calls. */
  readonly hub: HubFixture;
  /** Every line the handler logged, oldest first. */
  readonly lines: string[];
  /** The logged lines, parsed. */
  records(): Record<string, unknown>[];
  /** The logged lines joined, as a log group shows them. */
  printed(): string;
  /** The account ids of each call of `operation`, oldest first; in `region` only when given. */
  idsOf(operation: string, region?: string): (readonly string[])[];
  /** The calls that change a hub, oldest first. */
  mutatingCalls(): HubCall[];
}

/**
 * Makes the members handler over a new in-process hub holding `state` (administrator
 * {@link ADMIN} unless the state says otherwise).
 */
export function membersHarness(state: HubState = {}, options: HarnessOptions = {}): MembersHarness {
  const hub = hubFixture({ administrator: ADMIN, ...state });
  const lines: string[] = [];
  const handlers = createHandler({
    env: { ...UNIT_ENV, ...options.env },
    requestHandler: hub.requestHandler,
    credentials: hub.credentials,
    log: (line) => lines.push(line),
    ...(options.now ? { now: options.now } : {}),
  });
  const records = (): Record<string, unknown>[] => lines
    .flatMap((line) => line.split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    ...handlers,
    hub,
    lines,
    records,
    printed: () => lines.join('\n'),
    idsOf: (operation, region) => hub.calls(operation)
      .filter((call) => region === undefined || call.region === region)
      .map((call) => call.accountIds),
    mutatingCalls: () => hub.calls().filter((call) => MUTATING_OPERATIONS.includes(call.operation)),
  };
}
