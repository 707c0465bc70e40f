import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallLog } from './call-log';
import { ServiceError } from './errors';
import { HubStore, MemberRecord, UnprocessedAccount, validateAccountDetails, validateAccountIds, validateRequiredId } from './hub-store';
import { parseIdentity } from './identity';
import { paginate, parseMaxResults } from './pagination';
import { loadStoreFile, saveStoreFile } from './persistence';
import { mulberry32 } from './random';
import { RateLimitConfig, TokenBucketLimiter } from './rate-limit';
import { InProcessRequestHandler } from './request-handler';

/** How to start the emulator, including the faults it injects. */
export interface EmulatorOptions {
  /**
   * The port on 127.0.0.1 to listen on.
   * @default 0 - a free port
   */
  port?: number;
  /**
   * A fixed delay before each answer, in milliseconds.
   * @default 0
   */
  latencyMs?: number;
  /**
   * A token bucket per (account, region); an empty bucket answers 429 LimitExceededException and
   * the call is not applied. The real service allows 10/s, burst 30 (`SERVICE_RATE_LIMIT`).
   * @default false - no rate limit
   */
  rateLimit?: RateLimitConfig | false;
  /**
   * The probability (0 to 1) that a call answers 429 LimitExceededException without being applied,
   * as when other callers use up the account's shared rate limit at random moments.
   * @default 0
   */
  throttleRate?: number;
  /**
   * The probability (0 to 1) that a call answers 500 InternalException without being applied.
   * @default 0
   */
  errorRate?: number;
  /**
   * The probability that a mutating call is applied and then answered 500 InternalException, as
   * when the service did the work but the answer was lost.
   * @default 0
   */
  lostAnswerRate?: number;
  /**
   * The probability that a mutating call is applied and then its connection destroyed without an
   * answer, as on a timeout after the work was done.
   * @default 0
   */
  dropConnectionRate?: number;
  /**
   * The seed of the pseudo-random generator behind every probability above.
   * @default 1
   */
  seed?: number;
  /**
   * Accounts InviteMembers answers in UnprocessedAccounts, as if their email were not verified.
   * @default - none
   */
  uninvitableAccounts?: string[];
  /**
   * After this many applied mutating calls every call answers 500 InternalException, as if the
   * service (or the caller's network) broke halfway through a run.
   * @default - never
   */
  failAfterMutatingCalls?: number;
  /**
   * Whether a hub is enabled on its first use. When false, calls to a hub that EnableSecurityHub
   * did not enable answer 401 InvalidAccessException "Account N is not subscribed to AWS Security Hub".
   * @default true
   */
  autoEnableHubs?: boolean;
  /**
   * A JSON file holding the state: loaded at start if present, written (atomically) after every
   * call that changed the state.
   * @default - state in memory only
   */
  statePath?: string;
  /**
   * The accounts in each administrator's organization, by administrator account id (docs/design.md,
   * "Organization accounts"): CreateMembers makes them Enabled members without an invitation, InviteMembers and
   * DeleteMembers refuse them in UnprocessedAccounts, DisassociateMembers leaves them Removed and
   * CreateMembers enables them again. Replaces the organization of the same administrator kept in
   * the state file; `store.setOrganization` changes it while running.
   * @default - the organizations kept in the state file, or none
   */
  organizations?: Record<string, string[]>;
}

/** Fault settings that can change while the emulator runs. */
export type EmulatorFaults = Partial<Omit<EmulatorOptions, 'port' | 'statePath' | 'organizations'>>;

/**
 * A one-off fault for the next call of an operation, whatever the fault rates say: `throttle`
 * answers 429 LimitExceededException and `error` 500 InternalException without applying the call;
 * `lostAnswer` applies it and answers 500 InternalException; `dropConnection` applies it and
 * answers nothing (over HTTP the connection is destroyed, in process the call fails like a reset
 * socket).
 */
export type OneOffFault = 'throttle' | 'error' | 'lostAnswer' | 'dropConnection';

/** One request as the emulator serves it, whether it came over HTTP or from an in-process client. */
export interface EmulatorRequest {
  /** The HTTP method, e.g. `POST`. */
  readonly method: string;
  /** The path and query string, e.g. `/members?OnlyAssociated=false`. */
  readonly path: string;
  /** The headers; names in any case (the emulator reads `authorization`). */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body as text; undefined when it was larger than the emulator accepts. */
  readonly body: string | undefined;
}

/**
 * The emulator's answer to one request: a status with headers and a JSON body, or no answer at
 * all (`dropped`: a dropped connection, or the emulator was closed while the call waited).
 */
export type EmulatorResponse =
  | { readonly dropped: false; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string }
  | { readonly dropped: true };

/** An emulator without a socket: the SDK reaches it through {@link Emulator.requestHandler}. */
export interface Emulator {
  /** The service's state, for tests and tooling to read or seed directly. */
  readonly store: HubStore;
  /** Every request received, over HTTP and in process alike. */
  readonly calls: CallLog;
  /**
   * A smithy `HttpHandler` serving every request in process, with no HTTP: give it to a client as
   * `new SecurityHubClient({ region, credentials, requestHandler })`. The SDK's own serializers,
   * signer, retries and deserializers still run.
   */
  readonly requestHandler: InProcessRequestHandler;
  /**
   * Changes fault injection while running; fields not given keep their value. Giving
   * `failAfterMutatingCalls` (even `undefined`) restarts its count, giving `seed` restarts the
   * random sequence, and giving `rateLimit` refills every bucket.
   */
  setFaults(faults: EmulatorFaults): void;
  /**
   * Makes the next call of `operation` (from any account) fail with `fault`, after the identity
   * and rate-limit checks; calls queue up in order when given several times.
   */
  injectNext(operation: string, fault: OneOffFault): void;
  /** Serves one request: identity, rate limit, faults, the operation, latency, call log. */
  serve(request: EmulatorRequest): Promise<EmulatorResponse>;
  /** Stops serving: calls waiting for their latency end without an answer. */
  close(): Promise<void>;
}

/** A started emulator: an {@link Emulator} that also listens on 127.0.0.1. */
export interface RunningEmulator extends Emulator {
  /** The endpoint to give the SDK, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Stops listening, drops open connections, and stops serving in-process calls. */
  close(): Promise<void>;
}

/** The operations that change state: only these count for failAfterMutatingCalls and lose answers. */
export const MUTATING_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateMembers',
  'InviteMembers',
  'DisassociateMembers',
  'DeleteMembers',
  'AcceptAdministratorInvitation',
  'DeclineInvitations',
  'DisassociateFromAdministratorAccount',
  'EnableSecurityHub',
  'AcceptInvitation',
  'DisassociateFromMasterAccount',
  'DeleteInvitations',
  'DisableSecurityHub',
]);

/**
 * Method and path of each operation the emulator serves, as the SDK's serializers send them. The
 * emulator's `--help` and its UnknownOperationException message list the operations from here.
 */
export const ROUTES: Readonly<Record<string, string>> = {
  'POST /members': 'CreateMembers',
  'POST /members/invite': 'InviteMembers',
  'POST /members/get': 'GetMembers',
  'GET /members': 'ListMembers',
  'POST /members/disassociate': 'DisassociateMembers',
  'POST /members/delete': 'DeleteMembers',
  'GET /invitations': 'ListInvitations',
  'POST /administrator': 'AcceptAdministratorInvitation',
  'POST /invitations/decline': 'DeclineInvitations',
  'POST /administrator/disassociate': 'DisassociateFromAdministratorAccount',
  'GET /administrator': 'GetAdministratorAccount',
  'POST /accounts': 'EnableSecurityHub',
  'GET /accounts': 'DescribeHub',
  'DELETE /accounts': 'DisableSecurityHub',
  'POST /invitations/delete': 'DeleteInvitations',
  'GET /invitations/count': 'GetInvitationsCount',
  // The names the service used before "administrator"; still in the SDK, and still what the
  // console calls, the user guide says.
  'POST /master': 'AcceptInvitation',
  'GET /master': 'GetMasterAccount',
  'POST /master/disassociate': 'DisassociateFromMasterAccount',
};

interface Faults {
  latencyMs: number;
  rateLimit: RateLimitConfig | false;
  throttleRate: number;
  errorRate: number;
  lostAnswerRate: number;
  dropConnectionRate: number;
  seed: number;
  uninvitableAccounts: string[];
  failAfterMutatingCalls: number | undefined;
  autoEnableHubs: boolean;
}

interface Outcome {
  status: number;
  body?: unknown;
  errorType?: string;
  drop?: boolean;
  applied: boolean;
}

interface OperationRequest {
  readonly account: string;
  readonly region: string;
  readonly body: Record<string, unknown>;
  readonly query: URLSearchParams;
}

interface Caller {
  readonly account: string;
  readonly region: string;
}

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Makes an emulator with no socket, for tests that want the service's behaviour at the speed of a
 * function call: the SDK reaches it through `requestHandler`. The same pipeline serves
 * {@link startEmulator}'s HTTP requests.
 *
 * Each request is taken through: identity, rate limit, one-off faults ({@link Emulator.injectNext}),
 * throttleRate, failAfterMutatingCalls, errorRate, the operation itself, lostAnswerRate and
 * dropConnectionRate (mutating calls only), latency, call log, answer.
 */
export function createEmulator(options: Omit<EmulatorOptions, 'port'> = {}): Emulator {
  const storeOptions = { organizations: options.organizations };
  const store = options.statePath ? loadStoreFile(options.statePath, storeOptions) : new HubStore(storeOptions);
  const calls = new CallLog();
  const faults: Faults = normalizeFaults({}, options);
  let random = mulberry32(faults.seed);
  let limiter = faults.rateLimit ? new TokenBucketLimiter(faults.rateLimit) : undefined;
  let appliedMutations = 0;
  let closed = false;
  const oneOff = new Map<string, OneOffFault[]>();
  // Pending latency waits, resolved early on close so that no in-process call hangs.
  const waits = new Map<NodeJS.Timeout, () => void>();

  const chance = (probability: number): boolean => probability > 0 && random() < probability;

  const delay = (ms: number): Promise<void> => new Promise((resolve) => {
    if (closed) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      waits.delete(timer);
      resolve();
    }, ms);
    waits.set(timer, resolve);
  });

  const takeOneOff = (operation: string): OneOffFault | undefined => {
    const queue = oneOff.get(operation);
    const fault = queue?.shift();
    if (queue && queue.length === 0) {
      oneOff.delete(operation);
    }
    return fault;
  };

  const decide = (operation: string | undefined, method: string, url: URL, caller: Caller, rawBody: string | undefined): Outcome => {
    if (!operation) {
      return errorOutcome(new ServiceError('UnknownOperationException',
        `No Security Hub operation is served at ${method} ${url.pathname}. The emulator serves: ` +
        Object.entries(ROUTES).map(([route, name]) => `${name} (${route})`).join(', ') + '.'));
    }
    if (limiter && !limiter.tryTake(`${caller.account}/${caller.region}`)) {
      return errorOutcome(new ServiceError('LimitExceededException',
        `Rate exceeded for account ${caller.account} in ${caller.region}: at most ${limiter.config.ratePerSecond} requests/s, burst ${limiter.config.burst}.`));
    }
    const injected = takeOneOff(operation);
    if (injected === 'throttle' || chance(faults.throttleRate)) {
      return errorOutcome(new ServiceError('LimitExceededException',
        `Rate exceeded for account ${caller.account} in ${caller.region} (injected${injected ? '' : ' by throttleRate'}; the call was not applied).`));
    }
    if (faults.failAfterMutatingCalls !== undefined && appliedMutations >= faults.failAfterMutatingCalls) {
      return errorOutcome(new ServiceError('InternalException',
        `Internal error (injected: the emulator fails every call after ${faults.failAfterMutatingCalls} mutating calls).`));
    }
    if (injected === 'error' || chance(faults.errorRate)) {
      return errorOutcome(new ServiceError('InternalException', `Internal error (injected${injected ? '' : ' by errorRate'}; the call was not applied).`));
    }
    const mutating = MUTATING_OPERATIONS.has(operation);
    const revision = store.revision;
    let outcome: Outcome;
    try {
      const body = parseBody(rawBody);
      const result = applyOperation(store, faults, operation, { ...caller, body, query: url.searchParams });
      outcome = { status: 200, body: result, applied: mutating };
    } catch (err) {
      outcome = errorOutcome(err);
    }
    if (options.statePath && store.revision !== revision) {
      saveStoreFile(store, options.statePath);
    }
    if (outcome.status === 200 && (mutating || injected)) {
      if (mutating) {
        appliedMutations++;
      }
      if (injected === 'lostAnswer' || (mutating && chance(faults.lostAnswerRate))) {
        return { ...errorOutcome(new ServiceError('InternalException',
          `Internal error (injected${injected ? '' : ' by lostAnswerRate'}: the call was applied but its answer is lost).`)), applied: true };
      }
      if (injected === 'dropConnection' || (mutating && chance(faults.dropConnectionRate))) {
        return { status: 0, drop: true, applied: true };
      }
    }
    return outcome;
  };

  const serveOnce = async (request: EmulatorRequest): Promise<EmulatorResponse> => {
    if (closed) {
      return { dropped: true };
    }
    const url = new URL(request.path || '/', 'http://127.0.0.1');
    const method = request.method || 'GET';
    const operation = ROUTES[`${method} ${url.pathname}`];
    const identity = parseIdentity(header(request.headers, 'authorization'));
    let outcome: Outcome;
    let account = '';
    let region = '';
    if (!identity.ok) {
      outcome = errorOutcome(new ServiceError('UnrecognizedClientException', identity.message));
    } else {
      ({ account, region } = identity.identity);
      // The same limit as the HTTP server's, for a body that came in process.
      const body = request.body !== undefined && Buffer.byteLength(request.body) > MAX_BODY_BYTES ? undefined : request.body;
      outcome = decide(operation, method, url, identity.identity, body);
    }
    if (faults.latencyMs > 0) {
      await delay(faults.latencyMs);
    }
    if (closed) {
      return { dropped: true };
    }
    calls.record({
      operation: operation ?? 'Unknown',
      account,
      region,
      httpStatus: outcome.status,
      ...(outcome.errorType ? { errorType: outcome.errorType } : {}),
      ...requestedIds(request.body),
      applied: outcome.applied,
      at: new Date().toISOString(),
    });
    return outcome.drop ? { dropped: true } : toResponse(outcome);
  };

  const serve = async (request: EmulatorRequest): Promise<EmulatorResponse> => {
    try {
      return await serveOnce(request);
    } catch (err) {
      return toResponse(errorOutcome(err));
    }
  };

  return {
    store,
    calls,
    requestHandler: new InProcessRequestHandler(serve),
    serve,
    setFaults(changes: EmulatorFaults): void {
      Object.assign(faults, normalizeFaults(faults, changes));
      if ('seed' in changes) {
        random = mulberry32(faults.seed);
      }
      if ('rateLimit' in changes) {
        limiter = faults.rateLimit ? new TokenBucketLimiter(faults.rateLimit) : undefined;
      }
      if ('failAfterMutatingCalls' in changes) {
        appliedMutations = 0;
      }
    },
    injectNext(operation: string, fault: OneOffFault): void {
      if (!Object.values(ROUTES).includes(operation)) {
        throw new Error(`cannot inject a fault into "${operation}": the emulator serves ${[...new Set(Object.values(ROUTES))].join(', ')}`);
      }
      oneOff.set(operation, [...(oneOff.get(operation) ?? []), fault]);
    },
    close(): Promise<void> {
      closed = true;
      for (const [timer, resolve] of waits) {
        clearTimeout(timer);
        resolve();
      }
      waits.clear();
      return Promise.resolve();
    },
  };
}

/**
 * Starts a local Security Hub on 127.0.0.1 that the unmodified `SecurityHubClient` talks to when its
 * `endpoint` (or `AWS_ENDPOINT_URL_SECURITYHUB`) is the returned `url`; its `requestHandler` serves
 * the same state in process.
 *
 * Each request is taken through the pipeline {@link createEmulator} describes.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = createEmulator(options);
  let closed = false;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const response = await emulator.serve({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: { authorization: req.headers.authorization },
      body: await readBody(req),
    });
    if (response.dropped) {
      res.destroy();
      return;
    }
    res.writeHead(response.status, { ...response.headers, 'Content-Length': Buffer.byteLength(response.body) });
    res.end(response.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        const response = toResponse(errorOutcome(err)) as Extract<EmulatorResponse, { dropped: false }>;
        res.writeHead(response.status, response.headers);
        res.end(response.body);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    ...emulator,
    url: `http://127.0.0.1:${port}`,
    async close(): Promise<void> {
      if (closed) {
        return;
      }
      closed = true;
      await emulator.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets of SDK clients would hold close() open for seconds.
        server.closeAllConnections();
      });
    },
  };
}

/** A header's value by name, whatever the case of the names given. */
function header(headers: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** Merges fault changes over the current settings, filling defaults and checking ranges. */
function normalizeFaults(current: Partial<Faults>, changes: EmulatorFaults): Faults {
  const pick = <K extends keyof EmulatorFaults>(key: K): EmulatorFaults[K] =>
    (key in changes ? changes[key] : current[key as keyof Faults]) as EmulatorFaults[K];
  const faults: Faults = {
    latencyMs: pick('latencyMs') ?? 0,
    rateLimit: pick('rateLimit') ?? false,
    throttleRate: pick('throttleRate') ?? 0,
    errorRate: pick('errorRate') ?? 0,
    lostAnswerRate: pick('lostAnswerRate') ?? 0,
    dropConnectionRate: pick('dropConnectionRate') ?? 0,
    seed: pick('seed') ?? 1,
    uninvitableAccounts: [...(pick('uninvitableAccounts') ?? [])],
    failAfterMutatingCalls: pick('failAfterMutatingCalls'),
    autoEnableHubs: pick('autoEnableHubs') ?? true,
  };
  for (const key of ['throttleRate', 'errorRate', 'lostAnswerRate', 'dropConnectionRate'] as const) {
    if (!(faults[key] >= 0 && faults[key] <= 1)) {
      throw new Error(`invalid ${key} ${faults[key]}: expected a probability from 0 to 1`);
    }
  }
  if (!(faults.latencyMs >= 0)) {
    throw new Error(`invalid latencyMs ${faults.latencyMs}: expected 0 or more milliseconds`);
  }
  if (faults.failAfterMutatingCalls !== undefined && !(faults.failAfterMutatingCalls >= 0)) {
    throw new Error(`invalid failAfterMutatingCalls ${faults.failAfterMutatingCalls}: expected 0 or more calls`);
  }
  if (faults.rateLimit) {
    // Constructing a limiter checks the settings once, here, rather than at the first request.
    new TokenBucketLimiter(faults.rateLimit);
  }
  return faults;
}

/** Runs one operation against the store and shapes its answer as the service does. */
function applyOperation(store: HubStore, faults: Faults, operation: string, req: OperationRequest): Record<string, unknown> {
  const { account, region, body, query } = req;
  if (operation === 'EnableSecurityHub') {
    const generator = optionalString(body, 'ControlFindingGenerator');
    if (generator !== undefined && generator !== 'SECURITY_CONTROL' && generator !== 'STANDARD_CONTROL') {
      throw new ServiceError('InvalidInputException',
        `ControlFindingGenerator must be SECURITY_CONTROL or STANDARD_CONTROL, got "${generator}".`);
    }
    store.enableHub(account, region, { controlFindingGenerator: generator });
    return {};
  }
  // The service checks a request against its model before it does anything, enabling a hub included.
  validateRequest(operation, body);
  if (operation === 'DisableSecurityHub') {
    // Not through requireHub: with auto-enable, that would enable a hub only to disable it.
    store.disableHub(account, region);
    return {};
  }
  store.requireHub(account, region, faults.autoEnableHubs);
  switch (operation) {
    case 'CreateMembers': {
      const details = accountDetails(body);
      return { UnprocessedAccounts: unprocessedToWire(store.createMembers(account, region, details)) };
    }
    case 'InviteMembers':
      return {
        UnprocessedAccounts: unprocessedToWire(store.inviteMembers(account, region, stringList(body, 'AccountIds'), {
          uninvitable: faults.uninvitableAccounts,
        })),
      };
    case 'GetMembers': {
      const { members, unprocessed } = store.getMembers(account, region, stringList(body, 'AccountIds'));
      return { Members: members.map(memberToWire), UnprocessedAccounts: unprocessedToWire(unprocessed) };
    }
    case 'ListMembers': {
      const onlyAssociated = parseBoolean(query.get('OnlyAssociated'), 'OnlyAssociated', true);
      const maxResults = parseMaxResults(query.get('MaxResults'));
      const members = store.listMembers(account, region)
        .filter((member) => !onlyAssociated || member.memberStatus === 'Enabled');
      const page = paginate('ListMembers', members, (member) => member.accountId, maxResults, query.get('NextToken'));
      return { Members: page.items.map(memberToWire), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    }
    case 'DisassociateMembers':
      store.disassociateMembers(account, region, stringList(body, 'AccountIds'));
      return {};
    case 'DeleteMembers':
      return { UnprocessedAccounts: unprocessedToWire(store.deleteMembers(account, region, stringList(body, 'AccountIds'))) };
    case 'ListInvitations': {
      const maxResults = parseMaxResults(query.get('MaxResults'));
      const page = paginate('ListInvitations', store.invitationsFor(account, region), (inv) => inv.accountId, maxResults, query.get('NextToken'));
      return {
        Invitations: page.items.map((inv) => ({
          AccountId: inv.accountId,
          InvitationId: inv.invitationId,
          InvitedAt: inv.invitedAt,
          MemberStatus: inv.memberStatus,
        })),
        ...(page.nextToken ? { NextToken: page.nextToken } : {}),
      };
    }
    case 'AcceptAdministratorInvitation':
      store.acceptAdministratorInvitation(account, region, requiredString(body, 'AdministratorId'), requiredString(body, 'InvitationId'));
      return {};
    case 'AcceptInvitation':
      store.acceptAdministratorInvitation(account, region, requiredString(body, 'MasterId'), requiredString(body, 'InvitationId'));
      return {};
    case 'DeclineInvitations':
      return { UnprocessedAccounts: unprocessedToWire(store.declineInvitations(account, region, stringList(body, 'AccountIds'))) };
    case 'DeleteInvitations':
      return { UnprocessedAccounts: unprocessedToWire(store.deleteInvitations(account, region, stringList(body, 'AccountIds'))) };
    case 'GetInvitationsCount':
      return { InvitationsCount: store.invitationsCount(account, region) };
    case 'DisassociateFromAdministratorAccount':
    case 'DisassociateFromMasterAccount':
      store.disassociateFromAdministrator(account, region);
      return {};
    case 'GetAdministratorAccount':
    case 'GetMasterAccount': {
      const administrator = store.administratorInvitation(account, region);
      if (!administrator) {
        return {};
      }
      const invitation = {
        AccountId: administrator.accountId,
        InvitationId: administrator.invitationId,
        InvitedAt: administrator.invitedAt,
        MemberStatus: administrator.memberStatus,
      };
      return operation === 'GetMasterAccount' ? { Master: invitation } : { Administrator: invitation };
    }
    case 'DescribeHub': {
      const hub = store.describeHub(account, region);
      const asked = query.get('HubArn');
      if (asked && asked !== hub.hubArn) {
        throw new ServiceError('ResourceNotFoundException', `Hub ${asked} not found: account ${account} in ${region} has hub ${hub.hubArn}.`);
      }
      return {
        HubArn: hub.hubArn,
        SubscribedAt: hub.subscribedAt,
        AutoEnableControls: true,
        ControlFindingGenerator: hub.controlFindingGenerator,
      };
    }
    default:
      throw new ServiceError('InternalException', `operation ${operation} has a route but no implementation`);
  }
}

/**
 * Checks the ids and emails of a request against the model's constraints (see
 * {@link validateAccountIds}), so that a bad request fails whole, before any change.
 */
function validateRequest(operation: string, body: Record<string, unknown>): void {
  switch (operation) {
    case 'CreateMembers':
      validateAccountDetails(accountDetails(body));
      break;
    case 'InviteMembers':
    case 'GetMembers':
    case 'DisassociateMembers':
    case 'DeleteMembers':
    case 'DeclineInvitations':
    case 'DeleteInvitations':
      validateAccountIds('AccountIds', stringList(body, 'AccountIds'));
      break;
    case 'AcceptAdministratorInvitation':
      requiredString(body, 'AdministratorId');
      requiredString(body, 'InvitationId');
      break;
    case 'AcceptInvitation':
      requiredString(body, 'MasterId');
      requiredString(body, 'InvitationId');
      break;
    default:
      break;
  }
}

function memberToWire(member: MemberRecord): Record<string, unknown> {
  return {
    AccountId: member.accountId,
    ...(member.email !== undefined ? { Email: member.email } : {}),
    AdministratorId: member.administratorId,
    // Deprecated by the service but still answered; older callers read it.
    MasterId: member.administratorId,
    MemberStatus: member.reportedStatus ?? member.memberStatus,
    ...(member.invitedAt !== undefined ? { InvitedAt: member.invitedAt } : {}),
    UpdatedAt: member.updatedAt,
  };
}

function unprocessedToWire(unprocessed: UnprocessedAccount[]): Array<Record<string, string>> {
  return unprocessed.map((u) => ({ AccountId: u.accountId, ProcessingResult: u.processingResult }));
}

function parseBody(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) {
    throw new ServiceError('InvalidInputException', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  if (raw.trim() === '') {
    return {};
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (err) {
    throw new ServiceError('InvalidInputException', `The request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ServiceError('InvalidInputException', 'The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

function stringList(body: Record<string, unknown>, field: string): string[] {
  const value = body[field];
  if (value === undefined) {
    throw new ServiceError('InvalidInputException', `${field} is required: 1 to 50 account ids.`);
  }
  if (!Array.isArray(value) || !value.every((id) => typeof id === 'string')) {
    throw new ServiceError('InvalidInputException', `${field} must be a list of account id strings.`);
  }
  return value as string[];
}

function accountDetails(body: Record<string, unknown>): Array<{ accountId: string; email?: string }> {
  const value = body.AccountDetails;
  if (value === undefined) {
    throw new ServiceError('InvalidInputException', 'AccountDetails is required: 1 to 50 entries of {AccountId, Email}.');
  }
  if (!Array.isArray(value)) {
    throw new ServiceError('InvalidInputException', 'AccountDetails must be a list of {AccountId, Email} objects.');
  }
  return value.map((entry: unknown) => {
    const detail = entry as { AccountId?: unknown; Email?: unknown } | null;
    if (typeof detail !== 'object' || detail === null || typeof detail.AccountId !== 'string'
      || (detail.Email !== undefined && typeof detail.Email !== 'string')) {
      throw new ServiceError('InvalidInputException', `AccountDetails entry ${JSON.stringify(entry)} must be {AccountId: string, Email?: string}.`);
    }
    return detail.Email !== undefined ? { accountId: detail.AccountId, email: detail.Email } : { accountId: detail.AccountId };
  });
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string') {
    throw new ServiceError('InvalidInputException', `${field} is required and must be a string.`);
  }
  validateRequiredId(field, value);
  return value;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value !== undefined && typeof value !== 'string') {
    throw new ServiceError('InvalidInputException', `${field} must be a string.`);
  }
  return value;
}

function parseBoolean(value: string | null, name: string, fallback: boolean): boolean {
  if (value === null) {
    return fallback;
  }
  if (value !== 'true' && value !== 'false') {
    throw new ServiceError('InvalidInputException', `${name} must be true or false, got "${value}".`);
  }
  return value === 'true';
}

/** The ids a request names, for the call log; read leniently because the request may be invalid. */
function requestedIds(raw: string | undefined): { accountIds?: string[] } {
  let body: { AccountIds?: unknown; AccountDetails?: unknown; AdministratorId?: unknown; MasterId?: unknown };
  try {
    body = raw?.trim() ? JSON.parse(raw) : {};
  } catch {
    return {};
  }
  if (typeof body !== 'object' || body === null) {
    return {};
  }
  if (Array.isArray(body.AccountIds)) {
    return { accountIds: body.AccountIds.filter((id): id is string => typeof id === 'string') };
  }
  if (Array.isArray(body.AccountDetails)) {
    return {
      accountIds: body.AccountDetails
        .map((detail: { AccountId?: unknown } | null) => detail?.AccountId)
        .filter((id): id is string => typeof id === 'string'),
    };
  }
  if (typeof body.AdministratorId === 'string') {
    return { accountIds: [body.AdministratorId] };
  }
  if (typeof body.MasterId === 'string') {
    return { accountIds: [body.MasterId] };
  }
  return {};
}

function errorOutcome(err: unknown): Outcome {
  if (err instanceof ServiceError) {
    return { status: err.httpStatus, errorType: err.type, body: { Code: err.type, Message: err.message }, applied: false };
  }
  const message = `Internal error in the emulator: ${(err as Error)?.message ?? String(err)}`;
  return { status: 500, errorType: 'InternalException', body: { Code: 'InternalException', Message: message }, applied: false };
}

function toResponse(outcome: Outcome): EmulatorResponse {
  return {
    dropped: false,
    status: outcome.status,
    headers: {
      'Content-Type': 'application/json',
      'x-amzn-RequestId': randomUUID(),
      ...(outcome.errorType ? { 'x-amzn-ErrorType': outcome.errorType } : {}),
    },
    body: JSON.stringify(outcome.body ?? {}),
  };
}

/** The request body as text, or undefined when it is larger than the emulator accepts. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
