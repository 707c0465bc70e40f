import {
  CreateMembersCommand,
  DeleteMembersCommand,
  GetMembersCommand,
  InviteMembersCommand,
  ListMembersCommand,
  SecurityHubClient,
  paginateListMembers,
} from '@aws-sdk/client-securityhub';
import { Emulator, EmulatorOptions, RunningEmulator, createEmulator, emulatorClient, startEmulator } from '../../../local/emulator';
import { ids } from '../../support/emulator';

const ADMIN = '111111111111';
const MEMBER = '222222222222';
const ORGANIZATION_ACCOUNT = '333333333333';
const UNINVITABLE = '444444444444';
const STRANGER = '999999999999';
const REGION = 'eu-west-1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const OPTIONS: EmulatorOptions = {
  organizations: { [ADMIN]: [ORGANIZATION_ACCOUNT] },
  uninvitableAccounts: [UNINVITABLE],
};

/** What a call answered, without what differs between any two runs (request ids, timestamps). */
type Answer = { ok: unknown } | { error: { name: string; message: string; status?: number; code?: string } };

async function answer(call: Promise<unknown>): Promise<Answer> {
  try {
    return { ok: stable(await call) };
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number }; code?: string };
    return { error: { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, ...(e.code ? { code: e.code } : {}) } };
  }
}

function stable(value: unknown): unknown {
  if (value instanceof Date) {
    return 'DATE';
  }
  if (Array.isArray(value)) {
    return value.map(stable);
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value)
      .filter(([key]) => key !== 'requestId' && key !== 'extendedRequestId' && key !== 'cfId' && key !== 'totalRetryDelay')
      .map(([key, v]) => [key, stable(v)]));
  }
  return value;
}

/** The same calls, in the same order, against `emulator` through `client`. */
async function conversation(emulator: Emulator, client: SecurityHubClient): Promise<Answer[]> {
  const answers: Answer[] = [];
  const others = ids(5, 500000000000);
  answers.push(await answer(client.send(new CreateMembersCommand({
    AccountDetails: [MEMBER, ORGANIZATION_ACCOUNT, UNINVITABLE, ...others].map((AccountId) => ({ AccountId })),
  }))));
  answers.push(await answer(client.send(new InviteMembersCommand({ AccountIds: [MEMBER, ORGANIZATION_ACCOUNT, UNINVITABLE] }))));
  answers.push(await answer(client.send(new GetMembersCommand({ AccountIds: [MEMBER, ORGANIZATION_ACCOUNT, STRANGER] }))));
  answers.push(await answer(client.send(new DeleteMembersCommand({ AccountIds: [ORGANIZATION_ACCOUNT] }))));
  answers.push(await answer(client.send(new GetMembersCommand({ AccountIds: ids(51, 600000000000) }))));
  answers.push(await answer(client.send(new GetMembersCommand({ AccountIds: [] }))));
  const pages: unknown[] = [];
  for await (const page of paginateListMembers({ client, pageSize: 3 }, { OnlyAssociated: false })) {
    pages.push(stable(page));
  }
  answers.push({ ok: pages });
  answers.push(await answer(client.send(new ListMembersCommand({ NextToken: 'not-a-token' }))));
  emulator.injectNext('InviteMembers', 'lostAnswer');
  answers.push(await answer(client.send(new InviteMembersCommand({ AccountIds: [others[0]] }))));
  emulator.injectNext('InviteMembers', 'dropConnection');
  answers.push(await answer(client.send(new InviteMembersCommand({ AccountIds: [others[1]] }))));
  emulator.setFaults({ rateLimit: { ratePerSecond: 0, burst: 2 } });
  for (let i = 0; i < 3; i++) {
    answers.push(await answer(client.send(new GetMembersCommand({ AccountIds: [MEMBER] }))));
  }
  return answers;
}

describe('the emulator in process', () => {
  let http: RunningEmulator;
  let inProcess: Emulator;

  beforeEach(async () => {
    http = await startEmulator(OPTIONS);
    inProcess = createEmulator(OPTIONS);
  });

  afterEach(async () => {
    await http.close();
    await inProcess.close();
  });

  const inProcessClient = (emulator: Emulator, account = ADMIN): SecurityHubClient => new SecurityHubClient({
    region: REGION,
    credentials: { accessKeyId: account, secretAccessKey: 'local' },
    requestHandler: emulator.requestHandler,
    maxAttempts: 1,
  });

  test('answers every call as the HTTP emulator does: results, error names, messages and statuses', async () => {
    const overHttp = await conversation(http, emulatorClient(http.url, ADMIN, REGION, { maxAttempts: 1 }));
    const direct = await conversation(inProcess, inProcessClient(inProcess));

    // Under jest the SDK wraps the Node handler's reset error, made in another realm, as "AWS SDK
    // error wrapper for TimeoutError: socket hang up"; the in-process one is the unwrapped error.
    const DROPPED = 9;
    expect(overHttp[DROPPED]).toEqual({ error: { name: 'Error', message: 'AWS SDK error wrapper for TimeoutError: socket hang up', status: undefined } });
    expect(direct[DROPPED]).toEqual({ error: { name: 'TimeoutError', message: 'socket hang up', status: undefined, code: 'ECONNRESET' } });
    expect(direct.filter((_, i) => i !== DROPPED)).toEqual(overHttp.filter((_, i) => i !== DROPPED));
    // The conversation covers what it says it does, so the comparison above is not vacuous.
    const errors = overHttp.flatMap((a) => ('error' in a ? [`${a.error.name} ${a.error.status} ${a.error.code ?? ''}`.trim()] : []));
    expect(errors).toEqual([
      'InvalidInputException 400',
      'InvalidInputException 400',
      'InvalidInputException 400',
      'InternalException 500',
      'Error undefined',
      'LimitExceededException 429',
    ]);
    expect(JSON.stringify(overHttp[3])).toContain('belongs to the organization of the current account');
    expect(JSON.stringify(overHttp[2])).toContain(STRANGER);
    expect((overHttp[6] as { ok: unknown[] }).ok.length).toBe(3);
  });

  test('logs in-process calls as it logs HTTP calls, and shares one state between the two paths', async () => {
    await conversation(http, emulatorClient(http.url, ADMIN, REGION, { maxAttempts: 1 }));
    await conversation(inProcess, inProcessClient(inProcess));

    const logged = (emulator: Emulator): unknown[] => emulator.calls.entries().map(({ at: _at, ...call }) => call);
    expect(logged(inProcess)).toEqual(logged(http));
    expect(inProcess.calls.countsByOperation({ account: ADMIN, region: REGION })).toEqual({
      CreateMembers: 1, InviteMembers: 3, GetMembers: 6, DeleteMembers: 1, ListMembers: 4,
    });
    expect(inProcess.calls.entries({ operation: 'InviteMembers' }).map((c) => [c.httpStatus, c.applied])).toEqual([
      [200, true], [500, true], [0, true],
    ]);

    // The HTTP emulator's requestHandler reaches the same store and call log.
    http.setFaults({ rateLimit: false });
    const viaHandler = inProcessClient(http);
    const members = await viaHandler.send(new GetMembersCommand({ AccountIds: [MEMBER] }));
    expect(members.Members?.[0]?.MemberStatus).toBe('Invited');
    expect(http.calls.entries().at(-1)).toMatchObject({ operation: 'GetMembers', account: ADMIN, region: REGION, accountIds: [MEMBER] });
  });

  test('reads the account from the access key id and refuses a request without one, as over HTTP', async () => {
    const other = inProcessClient(inProcess, 'AKID555555555555');
    await other.send(new CreateMembersCommand({ AccountDetails: [{ AccountId: MEMBER }] }));
    expect(inProcess.store.getMember('555555555555', REGION, MEMBER)?.memberStatus).toBe('Created');

    const anonymous = inProcessClient(inProcess, 'AKIDNOACCOUNT');
    const refused = await answer(anonymous.send(new GetMembersCommand({ AccountIds: [MEMBER] })));
    const refusedOverHttp = await answer(emulatorClient(http.url, 'AKIDNOACCOUNT', REGION, { maxAttempts: 1 })
      .send(new GetMembersCommand({ AccountIds: [MEMBER] })));
    expect(refused).toEqual(refusedOverHttp);
    expect(refused).toMatchObject({ error: { name: 'UnrecognizedClientException', status: 403 } });
  });

  test('refuses a body larger than it accepts, as over HTTP', async () => {
    const huge = new CreateMembersCommand({ AccountDetails: [{ AccountId: MEMBER, Email: `${'x'.repeat(1024 * 1024)}@example.com` }] });

    const direct = await answer(inProcessClient(inProcess).send(huge));
    expect(direct).toEqual(await answer(emulatorClient(http.url, ADMIN, REGION, { maxAttempts: 1 }).send(huge)));
    expect(direct).toEqual({ error: { name: 'InvalidInputException', message: 'The request body is larger than 1048576 bytes.', status: 400 } });
    expect(inProcess.store.getMember(ADMIN, REGION, MEMBER)).toBeUndefined();
  });

  test('retries a dropped in-process call as the SDK retries a reset socket', async () => {
    const retrying = new SecurityHubClient({
      region: REGION,
      credentials: { accessKeyId: ADMIN, secretAccessKey: 'local' },
      requestHandler: inProcess.requestHandler,
      maxAttempts: 2,
    });
    inProcess.injectNext('GetMembers', 'dropConnection');
    const result = await retrying.send(new GetMembersCommand({ AccountIds: [MEMBER] }));

    expect(result.$metadata.attempts).toBe(2);
    expect(inProcess.calls.entries({ operation: 'GetMembers' }).map((c) => c.httpStatus)).toEqual([0, 200]);
  });

  test('ends a call waiting for its latency when closed, without an answer', async () => {
    const slow = createEmulator({ latencyMs: 60_000 });
    const pending = answer(inProcessClient(slow).send(new GetMembersCommand({ AccountIds: [MEMBER] })));
    setTimeout(() => void slow.close(), 50);

    expect(await pending).toMatchObject({ error: { code: 'ECONNRESET' } });
    expect(slow.calls.total()).toBe(0);
  });

  test('refuses to inject a fault into an operation it does not serve', () => {
    expect(() => inProcess.injectNext('GetFindings', 'error')).toThrow(/cannot inject a fault into "GetFindings"/);
  });
});
