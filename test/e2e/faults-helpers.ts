/**
 * Helpers of the fault tests: a "lab" is one synthesized app, its bundled members handler from
 * cdk.out, and one local Security Hub, with CloudFormation events sent to the handler directly.
 *
 * One lab per test file (or describe) and `reset()` between runs, not one per run: inside a loaded
 * handler the SDK keeps the endpoint, credentials and tuning it resolved first, so a lab's handler
 * must keep talking to the same emulator with the same environment. Each lab synthesizes into its
 * own folder, so jest loads its own copy of the bundle: its own SDK clients, pacer and retry state.
 */
import { MAX_MEMBERS } from '../../lib/shared/contract';
import type { MemberAccount } from '../../lib';
import type { HandlerRef } from '../../local/deploy/assembly';
import { asCloudFormationSends } from '../../local/deploy/cloudformation';
import { StackDescription, startCloudFormationEndpoint } from '../../local/deploy/cloudformation-endpoint';
import { LocalLambda } from '../../local/deploy/invoke';
import {
  CallLog,
  CallRecord,
  EmulatorOptions,
  HubStore,
  MemberRecord,
  MemberStatus,
  MUTATING_OPERATIONS,
  RunningEmulator,
  SeedMemberInput,
  startEmulator,
} from '../../local/emulator';
import { ADMIN, FAST, REGION, synthesize } from './harness';

export { ADMIN, FAST, REGION };

/** What the members handler returns on success. */
export interface HandlerResult {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** One event sent to the handler and what came of it. */
export interface SentEvent {
  readonly ok: boolean;
  readonly result?: HandlerResult;
  readonly error?: Error;
  /** Everything the handler printed. */
  readonly logs: string[];
  /** The event as sent, ResponseURL included. */
  readonly event: Record<string, unknown>;
}

/** Options of {@link startLab}. */
export interface LabOptions {
  /** The emulator's settings and faults at start. */
  readonly emulator?: EmulatorOptions;
  /**
   * The handler's environment, fixed for the lab's life (the handler reads its tuning once).
   * @default FAST - no client-side pacing
   */
  readonly environment?: Record<string, string>;
}

/** A synthesized app's bundled members handler and the emulator it talks to. */
export interface Lab {
  readonly emulator: RunningEmulator;
  readonly store: HubStore;
  readonly calls: CallLog;
  /** The bundled onEvent handler in cdk.out. */
  readonly handler: HandlerRef;
  /** The resource's synthesized properties (Invite, Regions) without Members. */
  readonly template: Record<string, unknown>;
  /** Resource properties for a declaration, as the construct would synthesize them. */
  properties(members: readonly MemberAccount[]): Record<string, unknown>;
  /** Sends raw properties in an event; CloudFormation's string conversion is applied. */
  send(requestType: 'Create' | 'Update' | 'Delete', properties: Record<string, unknown>, oldProperties?: Record<string, unknown>): Promise<SentEvent>;
  create(members: readonly MemberAccount[]): Promise<SentEvent>;
  /** An Update from `previous` to `members`; a rollback Update is the same call with both swapped. */
  update(previous: readonly MemberAccount[], members: readonly MemberAccount[]): Promise<SentEvent>;
  delete(members: readonly MemberAccount[]): Promise<SentEvent>;
  /** Forgets the emulator's state and call log, and turns every fault off. */
  reset(): void;
  close(): Promise<void>;
}

/** The resource's ids in the events; the physical id is whatever Create returned, as in CloudFormation. */
const LOGICAL_ID = 'MembersFaults';
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ADMIN}:stack/Admin/00000000-fault-test`;

const NO_FAULTS: EmulatorOptions = {
  latencyMs: 0,
  rateLimit: false,
  throttleRate: 0,
  errorRate: 0,
  lostAnswerRate: 0,
  dropConnectionRate: 0,
  uninvitableAccounts: [],
  failAfterMutatingCalls: undefined,
  seed: 1,
};

let eventCounter = 0;

/** A presigned-looking ResponseURL, unique per event, so a test can look for it in the logs. */
export function responseUrl(): string {
  eventCounter++;
  const token = `faults${eventCounter}x${Math.random().toString(36).slice(2, 10)}`;
  return `https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/${encodeURIComponent(STACK_ID)}%7C${LOGICAL_ID}%7C${token}`
    + `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20250101T000000Z&X-Amz-Expires=7200&X-Amz-Credential=AKIAEXAMPLE%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=sig${token}`;
}

/** Synthesizes an app, starts an emulator, and binds the two. */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const [stack] = synthesize({ members: [{ accountId: '100000000000' }] });
  const resource = stack.resources.find((r) => r.type === 'Custom::SecurityHubMembers');
  if (!resource) {
    throw new Error('the synthesized app has no Custom::SecurityHubMembers');
  }
  const template = Object.fromEntries(Object.entries(resource.properties).filter(([key]) => key !== 'Members'));
  const emulator = await startEmulator(options.emulator);
  // The lab's stack holds this one resource: before removing, the handler reads it (rule R10) and
  // finds no other resource, so every removal goes ahead; a Delete is the stack's deletion.
  let stackView: StackDescription | undefined;
  const cloudFormation = await startCloudFormationEndpoint((nameOrId) => (nameOrId === STACK_ID || nameOrId === 'Admin' ? stackView : undefined));
  const environment = options.environment ?? FAST;
  // The lab's own Lambda: its containers stay warm from one event to the next, as in one deploy.
  const lambda = new LocalLambda();
  let physicalId: string | undefined;

  const properties = (members: readonly MemberAccount[]): Record<string, unknown> => ({
    // The lab's updates replace whole fleets on purpose, to put faults under many calls: the limit
    // is raised as a deliberate change would (test/lambda/members/max-removals.test.ts tests it).
    MaxRemovalsPerDeploy: MAX_MEMBERS,
    ...template,
    Members: members.map((m) => ({ AccountId: m.accountId, ...(m.email !== undefined ? { Email: m.email } : {}) })),
  });

  const send = async (requestType: 'Create' | 'Update' | 'Delete', props: Record<string, unknown>, oldProps?: Record<string, unknown>): Promise<SentEvent> => {
    const serviceToken = `arn:aws:lambda:${REGION}:${ADMIN}:function:Admin-provider-framework-onEvent`;
    const event = {
      RequestType: requestType,
      ServiceToken: serviceToken,
      ResponseURL: responseUrl(),
      StackId: STACK_ID,
      RequestId: `request-${eventCounter}`,
      LogicalResourceId: LOGICAL_ID,
      ResourceType: 'Custom::SecurityHubMembers',
      ...(requestType !== 'Create' ? { PhysicalResourceId: physicalId ?? `${LOGICAL_ID}-never-created` } : {}),
      ResourceProperties: { ServiceToken: serviceToken, ...(asCloudFormationSends(props) as object) },
      ...(oldProps ? { OldResourceProperties: { ServiceToken: serviceToken, ...(asCloudFormationSends(oldProps) as object) } } : {}),
    };
    stackView = {
      stackName: 'Admin',
      stackId: STACK_ID,
      status: requestType === 'Delete' ? 'DELETE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS',
      template: { Resources: { [LOGICAL_ID]: { Type: 'Custom::SecurityHubMembers', Properties: event.ResourceProperties } } },
      parameters: {},
      creationTime: new Date('2026-01-01T00:00:00Z'),
    };
    const outcome = await lambda.invoke<HandlerResult>(resource.onEvent, event, { account: ADMIN, region: REGION, endpoint: emulator.url, cloudFormationEndpoint: cloudFormation.url, environment });
    if (!outcome.error && requestType === 'Create' && outcome.result) {
      physicalId = outcome.result.PhysicalResourceId;
    }
    return { ok: !outcome.error, result: outcome.result, error: outcome.error, logs: outcome.logs, event };
  };

  return {
    emulator,
    store: emulator.store,
    calls: emulator.calls,
    handler: resource.onEvent,
    template,
    properties,
    send,
    create: (members) => send('Create', properties(members)),
    update: (previous, members) => send('Update', properties(members), properties(previous)),
    delete: (members) => send('Delete', properties(members)),
    reset: () => {
      emulator.store.reset();
      emulator.calls.reset();
      emulator.setFaults(NO_FAULTS);
    },
    close: async () => {
      await cloudFormation.close();
      await emulator.close();
    },
  };
}

/** `count` distinct account ids from `start`, as members without an email. */
export function members(count: number, start = 100000000000): MemberAccount[] {
  return Array.from({ length: count }, (_, i) => ({ accountId: String(start + i) }));
}

/** The administrator's members by account id, each a copy of the emulator's record. */
export function snapshot(store: HubStore): Map<string, MemberRecord> {
  return new Map(store.listMembers(ADMIN, REGION).map((m) => [m.accountId, m]));
}

/** Status by account id: the shape most assertions compare. */
export function statuses(store: HubStore): Record<string, MemberStatus> {
  return Object.fromEntries(store.listMembers(ADMIN, REGION).map((m) => [m.accountId, m.memberStatus]));
}

/** The calls that could change state (whether or not they were applied). */
export function mutatingCalls(calls: CallLog): CallRecord[] {
  return calls.entries().filter((c) => MUTATING_OPERATIONS.has(c.operation));
}

/** Every account id named by any call in the log. */
export function touchedAccounts(calls: CallLog): Set<string> {
  return new Set(calls.entries().flatMap((c) => c.accountIds ?? []));
}

/** Mutating calls that were applied but whose answer was a 500 or a dropped connection. */
export function lostAnswers(calls: CallLog, operation?: string): CallRecord[] {
  return mutatingCalls(calls).filter((c) => c.applied && c.httpStatus !== 200 && (operation === undefined || c.operation === operation));
}

/** Seeds the members the declarations never name, one in every status (and legacy spellings). */
export const UNDECLARED: readonly SeedMemberInput[] = [
  { accountId: '300000000001', status: 'Created', email: 'undeclared-created@example.org' },
  { accountId: '300000000002', status: 'Invited' },
  { accountId: '300000000003', status: 'Enabled', email: 'undeclared-enabled@example.org' },
  { accountId: '300000000004', status: 'Removed' },
  { accountId: '300000000005', status: 'Resigned' },
  { accountId: '300000000006', status: 'AccountSuspended' },
  { accountId: '300000000007', status: 'Enabled', reportedStatus: 'ASSOCIATED' },
  { accountId: '300000000008', status: 'Invited', reportedStatus: 'INVITED' },
];

/** Puts {@link UNDECLARED} into the store and returns their records, to compare later. */
export function seedUndeclared(store: HubStore): Map<string, MemberRecord> {
  return new Map(UNDECLARED.map((input) => [input.accountId, store.seedMember(ADMIN, REGION, input)]));
}
