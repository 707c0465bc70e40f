/**
 * The Security Hub of the handlers' unit tests: the emulator's own store, in process, seeded with
 * a hub state, so that the unit tests, the local deploy and the end-to-end tests share one model
 * of the service (docs/design.md). A handler made with `createHandler({ requestHandler:
 * hub.requestHandler, credentials: hub.credentials })` talks to it through the SDK's real
 * serializers, with no HTTP.
 */
import { SecurityHubClient, SecurityHubClientConfig } from '@aws-sdk/client-securityhub';
import type { AwsCredentialIdentity } from '@smithy/types';
import {
  CallRecord,
  Emulator,
  EmulatorFaults,
  EmulatorRequest,
  EmulatorResponse,
  InProcessRequestHandler,
  MemberStatus,
  OneOffFault,
  ROUTES,
  SeedMemberInput,
  createEmulator,
} from '../../local/emulator';

/** The administrator account the fixture acts as unless told otherwise. */
export const ADMINISTRATOR = '111111111111';

/** The region the fixture's hub state is seeded in unless told otherwise. */
export const REGION = 'us-east-1';

/** A member to seed: its status, or the whole seed entry (email, timestamps, reported status). */
export type SeedMember = MemberStatus | Omit<SeedMemberInput, 'accountId'>;

/** The hub state a test starts from. */
export interface HubState {
  /** The administrator account; the fixture's credentials act as it. @default ADMINISTRATOR */
  readonly administrator?: string;
  /** The region `members` are seeded in. @default REGION */
  readonly region?: string;
  /** The administrator's members in `region`, by account id. @default - none */
  readonly members?: Readonly<Record<string, SeedMember>>;
  /** Members in other regions: region, then account id. @default - none */
  readonly membersByRegion?: Readonly<Record<string, Readonly<Record<string, SeedMember>>>>;
  /** The accounts of the administrator's organization. @default - none */
  readonly organization?: readonly string[];
  /** Accounts whose invitation InviteMembers refuses (email not verified). @default - none */
  readonly uninvitable?: readonly string[];
  /** Any other fault settings of the emulator (rate limit, latency, ...). @default - none */
  readonly faults?: EmulatorFaults;
}

/** One call the hub received, as a handler's test asserts on it. */
export interface HubCall {
  /** The operation, e.g. `InviteMembers`. */
  readonly operation: string;
  /** The region called. */
  readonly region: string;
  /** The account ids the call named. */
  readonly accountIds: readonly string[];
  /** The HTTP status answered; 0 for a dropped call. */
  readonly httpStatus: number;
}

/** Answers one request instead of the emulator, or after it (`serve` passes it on). */
export type Interceptor = (request: EmulatorRequest, serve: (request: EmulatorRequest) => Promise<EmulatorResponse>) => Promise<EmulatorResponse>;

/** An in-process Security Hub seeded for a test. */
export interface HubFixture {
  /** The emulator behind the fixture: its `store` and `calls` for anything the helpers do not cover. */
  readonly emulator: Emulator;
  /** The administrator account. */
  readonly administrator: string;
  /** The request handler (a smithy `HttpHandler`) to give every SDK client of the code under test. */
  readonly requestHandler: InProcessRequestHandler;
  /** Credentials of the administrator: the emulator reads the account from the access key id. */
  readonly credentials: AwsCredentialIdentity;
  /** Credentials acting as another account, e.g. a member. */
  credentialsOf(account: string): AwsCredentialIdentity;
  /** A client of the administrator's hub in `region`. */
  client(region?: string, overrides?: SecurityHubClientConfig): SecurityHubClient;
  /** Every member's status at the administrator in `region`, by account id. */
  statuses(region?: string): Record<string, string>;
  /**
   * Puts members into the administrator's hub in `region` now, replacing their records: what
   * another tool, or the member accepting, does between two calls of the code under test.
   */
  seed(members: Readonly<Record<string, SeedMember>>, region?: string): void;
  /**
   * Fails the next call of `operation` with one of the emulator's own faults: `throttle` and
   * `error` before applying it, `lostAnswer` and `dropConnection` after. The call log records it.
   */
  failNext(operation: string, fault: OneOffFault): void;
  /**
   * Hands the next call of `operation` to `interceptor` instead of the emulator; the call reaches
   * the store and the call log only if the interceptor passes it on with `serve`.
   */
  interceptNext(operation: string, interceptor: Interceptor): void;
  /**
   * Replaces the accounts whose invitation InviteMembers refuses, from the next call on (the
   * emulator gives every refusal its one text, PROCESSING_RESULTS.uninvitable).
   */
  refuseInvites(accounts: readonly string[]): void;
  /**
   * The JSON bodies of the requests of `operation` that reached the fixture, oldest first, the
   * intercepted ones included: what the code under test sent (e.g. CreateMembers' emails), which
   * the call log does not keep.
   */
  requests(operation: string): Record<string, unknown>[];
  /**
   * The query parameters of the requests of `operation` that reached the fixture, oldest first,
   * the intercepted ones included: what a GET such as ListInvitations sent (MaxResults, NextToken).
   */
  queries(operation: string): Record<string, string>[];
  /**
   * The operation of every request that reached the fixture, oldest first, whoever sent it and
   * whether or not an interceptor answered it.
   */
  operations(): string[];
  /** The calls the administrator made, oldest first; only those of `operation` when given. */
  calls(operation?: string): HubCall[];
  /** The number of calls per operation the administrator made. */
  callCounts(): Record<string, number>;
}

/**
 * Makes an in-process Security Hub holding `state`.
 *
 * @example
 * const hub = hubFixture({ members: { '222222222222': 'Enabled' } });
 * const { handler } = createHandler({ requestHandler: hub.requestHandler, credentials: hub.credentials });
 */
export function hubFixture(state: HubState = {}): HubFixture {
  const administrator = state.administrator ?? ADMINISTRATOR;
  const defaultRegion = state.region ?? REGION;
  const emulator = createEmulator({
    ...state.faults,
    uninvitableAccounts: [...(state.uninvitable ?? [])],
    organizations: state.organization ? { [administrator]: [...state.organization] } : undefined,
  });
  const seed = (region: string, members: Readonly<Record<string, SeedMember>>): void => {
    for (const [accountId, member] of Object.entries(members)) {
      emulator.store.seedMember(administrator, region, typeof member === 'string' ? { accountId, status: member } : { ...member, accountId });
    }
  };
  seed(defaultRegion, state.members ?? {});
  for (const [region, members] of Object.entries(state.membersByRegion ?? {})) {
    seed(region, members);
  }

  const interceptors = new Map<string, Interceptor[]>();
  const sent: { operation: string; body: Record<string, unknown>; query: Record<string, string> }[] = [];
  const serve = async (request: EmulatorRequest): Promise<EmulatorResponse> => {
    const url = new URL(request.path, 'http://hub');
    const operation = ROUTES[`${request.method} ${url.pathname}`];
    if (operation !== undefined) {
      sent.push({
        operation,
        body: request.body ? JSON.parse(request.body) as Record<string, unknown> : {},
        query: Object.fromEntries(url.searchParams),
      });
    }
    const interceptor = operation === undefined ? undefined : interceptors.get(operation)?.shift();
    return interceptor ? interceptor(request, emulator.serve) : emulator.serve(request);
  };
  const credentialsOf = (account: string): AwsCredentialIdentity => ({ accessKeyId: account, secretAccessKey: 'local' });
  const requestHandler = new InProcessRequestHandler(serve);
  const own = (): CallRecord[] => emulator.calls.entries({ account: administrator });

  return {
    emulator,
    administrator,
    requestHandler,
    credentials: credentialsOf(administrator),
    credentialsOf,
    client: (region = defaultRegion, overrides = {}) => new SecurityHubClient({
      region,
      credentials: credentialsOf(administrator),
      requestHandler,
      ...overrides,
    }),
    statuses: (region = defaultRegion) => Object.fromEntries(emulator.store.listMembers(administrator, region)
      .map((member) => [member.accountId, member.reportedStatus ?? member.memberStatus])),
    seed: (members, region = defaultRegion) => seed(region, members),
    failNext: (operation, fault) => emulator.injectNext(operation, fault),
    refuseInvites: (accounts) => emulator.setFaults({ uninvitableAccounts: [...accounts] }),
    interceptNext(operation, interceptor): void {
      if (!Object.values(ROUTES).includes(operation)) {
        throw new Error(`cannot intercept "${operation}": the emulator serves ${[...new Set(Object.values(ROUTES))].join(', ')}`);
      }
      interceptors.set(operation, [...(interceptors.get(operation) ?? []), interceptor]);
    },
    requests: (operation) => sent.filter((request) => request.operation === operation).map((request) => request.body),
    queries: (operation) => sent.filter((request) => request.operation === operation).map((request) => request.query),
    operations: () => sent.map((request) => request.operation),
    calls: (operation) => own()
      .filter((call) => operation === undefined || call.operation === operation)
      .map((call) => ({ operation: call.operation, region: call.region, accountIds: call.accountIds ?? [], httpStatus: call.httpStatus })),
    callCounts: () => emulator.calls.countsByOperation({ account: administrator }),
  };
}

/** A successful answer for {@link HubFixture.interceptNext}, with `body` as its JSON. */
export function okAnswer(body: unknown): EmulatorResponse {
  return { dropped: false, status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

/**
 * An answer for {@link HubFixture.interceptNext}: the service's error `type` with `message` and
 * the HTTP status the emulator gives that error.
 */
export function errorAnswer(status: number, type: string, message: string): EmulatorResponse {
  return {
    dropped: false,
    status,
    headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': type },
    body: JSON.stringify({ Code: type, Message: message }),
  };
}
