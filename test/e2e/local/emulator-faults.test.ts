import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AcceptAdministratorInvitationCommand,
  CreateMembersCommand,
  DeleteMembersCommand,
  GetAdministratorAccountCommand,
  GetMembersCommand,
  InviteMembersCommand,
  ListInvitationsCommand,
  ListMembersCommand,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import {
  EmulatorOptions,
  RunningEmulator,
  SERVICE_RATE_LIMIT,
  emulatorClient,
  emulatorEnv,
  mulberry32,
  startEmulator,
} from '../../../local/emulator';
import { failure, ids } from '../../support/emulator';
import { USAGE, parseCliArgs, runCli } from '../../../local/emulator/main';

const A = '111111111111';
const M = '222222222222';
const B = '333333333333';
const REGION = 'us-east-1';

const running: RunningEmulator[] = [];

async function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emu = await startEmulator(options);
  running.push(emu);
  return emu;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((emu) => emu.close()));
});

function client(emu: RunningEmulator, account = A, region = REGION, maxAttempts = 1): SecurityHubClient {
  return emulatorClient(emu.url, account, region, { maxAttempts });
}

function signed(account = A, region = REGION): string {
  return `AWS4-HMAC-SHA256 Credential=${account}/20240501/${region}/securityhub/aws4_request, SignedHeaders=host, Signature=x`;
}

async function raw(emu: RunningEmulator, method: string, path: string, body?: string, authorization: string | null = signed()):
  Promise<{ status: number; errorType: string | null; json: Record<string, unknown> }> {
  const res = await fetch(`${emu.url}${path}`, { method, body, headers: authorization ? { Authorization: authorization } : {} });
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), json: await res.json() as Record<string, unknown> };
}

describe('the wire', () => {
  test('fails when the request has no usable identity, saying how to set the access key id', async () => {
    const emu = await start();

    const missing = await raw(emu, 'GET', '/members', undefined, null);
    const viaSdk = await failure(client(emu, 'AKIDEXAMPLE').send(new ListMembersCommand({})));

    expect(missing).toEqual({ status: 403, errorType: 'UnrecognizedClientException', json: { Code: 'UnrecognizedClientException', Message: expect.stringMatching(/AWS_ACCESS_KEY_ID/) } });
    expect(viaSdk.name).toBe('UnrecognizedClientException');
    expect(viaSdk.message).toMatch(/"AKIDEXAMPLE" holds no 12-digit account id/);
    expect(viaSdk.$metadata?.httpStatusCode).toBe(403);
    expect(emu.calls.entries().map((call) => [call.account, call.httpStatus])).toEqual([['', 403], ['', 403]]);
  });

  test('fails when no operation has that route', async () => {
    const emu = await start();

    const res = await raw(emu, 'GET', '/findings');

    expect(res.status).toBe(404);
    expect(res.errorType).toBe('UnknownOperationException');
    expect(res.json.Message).toMatch(/No Security Hub operation is served at GET \/findings.*ListMembers \(GET \/members\)/);
    expect(emu.calls.countsByOperation()).toEqual({ Unknown: 1 });
  });

  test.each([
    ['malformed JSON', '{"AccountIds": [', /not valid JSON/],
    ['a JSON array', '[1]', /must be a JSON object/],
    ['ids that are not strings', '{"AccountIds": [1]}', /list of account id strings/],
    ['no AccountIds', '{}', /AccountIds is required/],
  ])('fails with InvalidInputException on %s', async (_name, body, message) => {
    const emu = await start();

    const res = await raw(emu, 'POST', '/members/get', body);

    expect(res.status).toBe(400);
    expect(res.errorType).toBe('InvalidInputException');
    expect(res.json).toEqual({ Code: 'InvalidInputException', Message: expect.stringMatching(message) });
  });

  test('fails when AccountDetails entries are not objects with an AccountId', async () => {
    const emu = await start();

    const res = await raw(emu, 'POST', '/members', '{"AccountDetails": [{"Email": "x@example.com"}]}');

    expect(res.status).toBe(400);
    expect(res.json.Message).toMatch(/must be \{AccountId: string, Email\?: string\}/);
  });

  test('answers an empty JSON object for operations without output', async () => {
    const emu = await start();
    emu.store.seedMember(B, REGION, { accountId: A, status: 'Enabled' });

    const res = await raw(emu, 'POST', '/administrator/disassociate');

    expect(res).toEqual({ status: 200, errorType: null, json: {} });
  });

  test('is reached through AWS_ENDPOINT_URL_SECURITYHUB without an explicit endpoint', async () => {
    const emu = await start();
    const saved = { ...process.env };
    Object.assign(process.env, emulatorEnv(emu.url, A, REGION));
    try {
      await new SecurityHubClient({ maxAttempts: 1 }).send(new CreateMembersCommand({ AccountDetails: [{ AccountId: M }] }));
    } finally {
      for (const key of Object.keys(emulatorEnv(emu.url, A))) {
        if (saved[key] === undefined) {
          delete process.env[key];
        } else {
          process.env[key] = saved[key];
        }
      }
    }

    expect(emu.store.getMember(A, REGION, M)?.memberStatus).toBe('Created');
  });

  test('emulatorClient acts as the given account and region', async () => {
    const emu = await start();

    await emulatorClient(emu.url, B, 'eu-central-1', { maxAttempts: 1 }).send(new CreateMembersCommand({ AccountDetails: [{ AccountId: M }] }));

    expect(emu.store.getMember(B, 'eu-central-1', M)?.memberStatus).toBe('Created');
  });
});

describe('rate limit', () => {
  test('answers a burst of 30, then LimitExceededException without applying the call', async () => {
    const emu = await start({ rateLimit: SERVICE_RATE_LIMIT });
    const admin = client(emu);

    const started = Date.now();
    const results = await Promise.allSettled(ids(40).map((id) => admin.send(new CreateMembersCommand({ AccountDetails: [{ AccountId: id }] }))));
    const elapsedMs = Date.now() - started;

    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const throttled = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    // The bucket refills 10/s while the burst is on the wire: one more token per 100 ms it takes.
    expect(ok).toBeGreaterThanOrEqual(30);
    expect(ok).toBeLessThanOrEqual(30 + Math.ceil(elapsedMs / 100));
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.every((r) => r.reason.name === 'LimitExceededException' && r.reason.$metadata.httpStatusCode === 429)).toBe(true);
    expect(emu.store.listMembers(A, REGION)).toHaveLength(ok);
    expect(emu.calls.countsByOperation()).toEqual({ CreateMembers: 40 });
    expect(emu.calls.entries().filter((call) => call.errorType === 'LimitExceededException')).toHaveLength(throttled.length);
  });

  test('keeps one bucket per account and region', async () => {
    const emu = await start({ rateLimit: { ratePerSecond: 0.001, burst: 2 } });

    const a = await Promise.allSettled([1, 2, 3].map(() => client(emu).send(new ListMembersCommand({}))));
    const otherRegion = await client(emu, A, 'eu-west-1').send(new ListMembersCommand({}));
    const otherAccount = await client(emu, B).send(new ListMembersCommand({}));

    expect(a.map((r) => r.status)).toEqual(expect.arrayContaining(['fulfilled', 'fulfilled', 'rejected']));
    expect(otherRegion.Members).toEqual([]);
    expect(otherAccount.Members).toEqual([]);
  });

  test('turns off and on at run time', async () => {
    const emu = await start({ rateLimit: { ratePerSecond: 0.001, burst: 1 } });
    await client(emu).send(new ListMembersCommand({}));
    const throttled = await failure(client(emu).send(new ListMembersCommand({})));

    emu.setFaults({ rateLimit: false });
    await client(emu).send(new ListMembersCommand({}));

    expect(throttled.name).toBe('LimitExceededException');
    expect(emu.calls.entries().map((call) => call.httpStatus)).toEqual([200, 429, 200]);
  });
});

describe('errorRate', () => {
  async function pattern(seed: number): Promise<string[]> {
    const emu = await start({ errorRate: 0.5, seed });
    const outcomes: string[] = [];
    for (const id of ids(20)) {
      try {
        await client(emu).send(new CreateMembersCommand({ AccountDetails: [{ AccountId: id }] }));
        outcomes.push('ok');
      } catch (err) {
        outcomes.push((err as Error).name);
      }
    }
    // A failed call was not applied: exactly the successful ones are members.
    expect(emu.store.listMembers(A, REGION).map((m) => m.accountId)).toEqual(ids(20).filter((_, i) => outcomes[i] === 'ok'));
    return outcomes;
  }

  test('fails the same calls for the same seed, with InternalException, without applying them', async () => {
    const first = await pattern(42);
    const second = await pattern(42);
    const other = await pattern(43);

    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['ok', 'InternalException']));
    expect(other).not.toEqual(first);
  });

  test('answers 500 to every call at rate 1, reads included', async () => {
    const emu = await start({ errorRate: 1 });

    const err = await failure(client(emu).send(new ListMembersCommand({})));

    expect(err.name).toBe('InternalException');
    expect(err.$metadata?.httpStatusCode).toBe(500);
  });
});

describe('lost answers and dropped connections', () => {
  test('lostAnswerRate applies a mutating call and still answers 500', async () => {
    const emu = await start({ lostAnswerRate: 1 });

    const err = await failure(client(emu).send(new CreateMembersCommand({ AccountDetails: [{ AccountId: M }] })));
    const read = await client(emu).send(new GetMembersCommand({ AccountIds: [M] }));

    expect(err.name).toBe('InternalException');
    expect(read.Members![0].MemberStatus).toBe('Created');
    expect(emu.calls.entries()[0]).toEqual(expect.objectContaining({ operation: 'CreateMembers', httpStatus: 500, errorType: 'InternalException', applied: true }));
  });

  test('a lost InviteMembers answer retried by the SDK sends a second invitation', async () => {
    const emu = await start();
    await client(emu).send(new CreateMembersCommand({ AccountDetails: [{ AccountId: M }] }));
    // A seed whose first draw loses the answer and whose second does not.
    let seed = 1;
    for (; ; seed++) {
      const draw = mulberry32(seed);
      if (draw() < 0.5 && draw() >= 0.5) {
        break;
      }
    }
    emu.setFaults({ lostAnswerRate: 0.5, seed });

    const out = await client(emu, A, REGION, 2).send(new InviteMembersCommand({ AccountIds: [M] }));

    expect(out.$metadata.attempts).toBe(2);
    expect(out.UnprocessedAccounts).toEqual([]);
    expect(emu.store.duplicateInvitations()).toBe(1);
    expect(emu.store.invitationCount(A, REGION, M)).toBe(2);
  });

  test('dropConnectionRate applies a mutating call and answers nothing', async () => {
    const emu = await start({ dropConnectionRate: 1 });
    emu.store.seedMember(A, REGION, { accountId: M, status: 'Created' });

    const err = await failure(client(emu).send(new InviteMembersCommand({ AccountIds: [M] })));
    const read = await client(emu).send(new ListMembersCommand({ OnlyAssociated: false }));

    expect(err.name).not.toBe('InternalException');
    expect(err.$metadata?.httpStatusCode).toBeUndefined();
    expect(read.Members![0].MemberStatus).toBe('Invited');
    expect(emu.calls.entries()[0]).toEqual(expect.objectContaining({ operation: 'InviteMembers', httpStatus: 0, applied: true }));
  });

  test('never loses the answer of a call that failed or did not mutate', async () => {
    const emu = await start({ lostAnswerRate: 1, dropConnectionRate: 1 });

    const invalid = await failure(client(emu).send(new DeleteMembersCommand({ AccountIds: [] })));
    const list = await client(emu).send(new ListInvitationsCommand({}));

    expect(invalid.name).toBe('InvalidInputException');
    expect(list.Invitations).toEqual([]);
  });
});

describe('failAfterMutatingCalls', () => {
  test('fails every call after that many applied mutating calls, until reset', async () => {
    const emu = await start({ failAfterMutatingCalls: 2 });
    const admin = client(emu);
    await admin.send(new ListMembersCommand({}));
    await failure(admin.send(new DeleteMembersCommand({ AccountIds: [] })));
    await admin.send(new CreateMembersCommand({ AccountDetails: [{ AccountId: '500000000001' }] }));
    await admin.send(new CreateMembersCommand({ AccountDetails: [{ AccountId: '500000000002' }] }));

    const create = await failure(admin.send(new CreateMembersCommand({ AccountDetails: [{ AccountId: '500000000003' }] })));
    const read = await failure(admin.send(new ListMembersCommand({})));

    expect([create.name, read.name]).toEqual(['InternalException', 'InternalException']);
    expect(emu.store.listMembers(A, REGION).map((m) => m.accountId)).toEqual(['500000000001', '500000000002']);

    emu.setFaults({ failAfterMutatingCalls: undefined });
    await admin.send(new CreateMembersCommand({ AccountDetails: [{ AccountId: '500000000003' }] }));
    emu.setFaults({ failAfterMutatingCalls: 1 });
    await admin.send(new CreateMembersCommand({ AccountDetails: [{ AccountId: '500000000004' }] }));
    const afterReset = await failure(admin.send(new CreateMembersCommand({ AccountDetails: [{ AccountId: '500000000005' }] })));

    expect(afterReset.name).toBe('InternalException');
    expect(emu.store.listMembers(A, REGION)).toHaveLength(4);
  });
});

describe('latency', () => {
  test('delays every answer', async () => {
    const emu = await start({ latencyMs: 150 });

    const started = Date.now();
    await client(emu).send(new ListMembersCommand({}));

    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  test('close does not wait for delayed answers', async () => {
    const emu = await start({ latencyMs: 60_000 });
    const pending = failure(client(emu).send(new ListMembersCommand({})));
    // Let the request reach the emulator before closing it.
    while (emu.store.getHub(A, REGION) === undefined) {
      await new Promise((resolve) => setImmediate(resolve));
    }

    await emu.close();

    expect((await pending).name).not.toBe('InternalException');
  });
});

describe('fault settings', () => {
  test('fails when a probability or delay is out of range', async () => {
    const emu = await start();

    expect(() => emu.setFaults({ errorRate: 2 })).toThrow(/invalid errorRate 2/);
    expect(() => emu.setFaults({ latencyMs: -1 })).toThrow(/invalid latencyMs/);
    await expect(startEmulator({ dropConnectionRate: -0.1 })).rejects.toThrow(/invalid dropConnectionRate/);
    await expect(startEmulator({ rateLimit: { ratePerSecond: 1, burst: 0 } })).rejects.toThrow(/invalid rate limit/);
  });
});

describe('persistence', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shub-emu-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('keeps the state across two emulator instances', async () => {
    const statePath = join(dir, 'nested', 'state.json');
    const first = await start({ statePath });
    await client(first).send(new CreateMembersCommand({ AccountDetails: [{ AccountId: M }, { AccountId: B }] }));
    await client(first).send(new InviteMembersCommand({ AccountIds: [M, B] }));
    await client(first).send(new InviteMembersCommand({ AccountIds: [B] }));
    const [invitation] = (await client(first, M).send(new ListInvitationsCommand({}))).Invitations!;
    await client(first, M).send(new AcceptAdministratorInvitationCommand({ AdministratorId: A, InvitationId: invitation.InvitationId }));
    await first.close();

    expect(JSON.parse(readFileSync(statePath, 'utf8')).version).toBe(1);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['state.json']);

    const second = await start({ statePath });
    const members = await client(second).send(new GetMembersCommand({ AccountIds: [M, B] }));
    const administrator = await client(second, M).send(new GetAdministratorAccountCommand({}));
    const pending = await client(second, B).send(new ListInvitationsCommand({}));

    expect(members.Members!.map((m) => [m.AccountId, m.MemberStatus])).toEqual([[M, 'Enabled'], [B, 'Invited']]);
    expect(administrator.Administrator).toEqual(expect.objectContaining({ AccountId: A, InvitationId: invitation.InvitationId }));
    expect(pending.Invitations).toHaveLength(1);
    expect(second.store.duplicateInvitations()).toBe(1);
    expect(second.store.invitationCount(A, REGION, B)).toBe(2);
  });

  test('writes nothing until the state changes', async () => {
    const statePath = join(dir, 'state.json');
    const emu = await start({ statePath, autoEnableHubs: false });

    await failure(client(emu).send(new ListMembersCommand({})));

    expect(existsSync(statePath)).toBe(false);
  });

  test('fails to start when the state file is not an emulator state', async () => {
    const statePath = join(dir, 'state.json');
    writeFileSync(statePath, '{"hello": "world"}');

    await expect(startEmulator({ statePath })).rejects.toThrow(`cannot read emulator state file ${statePath}`);
  });
});

describe('command line', () => {
  test('reads every option', () => {
    const { options, help } = parseCliArgs([
      '--port', '4567', '--state', '.local/state.json', '--rate-limit', '--latency-ms', '20', '--error-rate=0.1',
      '--lost-answer-rate', '0.2', '--drop-connection-rate', '0.3', '--seed', '9', '--uninvitable', `${M}, ${B}`, '--no-auto-enable',
    ]);

    expect(help).toBe(false);
    expect(options).toEqual({
      port: 4567,
      statePath: '.local/state.json',
      rateLimit: { ratePerSecond: 10, burst: 30 },
      latencyMs: 20,
      errorRate: 0.1,
      lostAnswerRate: 0.2,
      dropConnectionRate: 0.3,
      seed: 9,
      uninvitableAccounts: [M, B],
      autoEnableHubs: false,
    });
    expect(parseCliArgs(['--rate-limit', '5/15']).options.rateLimit).toEqual({ ratePerSecond: 5, burst: 15 });
    expect(parseCliArgs([]).options).toEqual({ port: 4566 });
  });

  test.each([
    [['--bogus'], /unknown argument "--bogus"/],
    [['--port'], /--port needs a value/],
    [['--port', 'abc'], /invalid --port "abc"/],
    [['--error-rate', '2'], /invalid --error-rate "2": expected a number from 0 to 1/],
    [['--rate-limit', 'fast'], /invalid --rate-limit "fast"/],
  ])('fails on %p', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  test('starts the emulator and prints how to point the CLI and SDK at it', async () => {
    const lines: string[] = [];

    const emu = await runCli(['--port', '0', '--rate-limit=5/15'], (line) => lines.push(line));
    running.push(emu!);
    await client(emu!).send(new ListMembersCommand({}));

    expect(lines[0]).toBe(`Security Hub emulator listening on ${emu!.url}`);
    expect(lines).toEqual(expect.arrayContaining([
      `  export AWS_ENDPOINT_URL_SECURITYHUB=${emu!.url}`,
      '  export AWS_ACCESS_KEY_ID=111111111111',
      'Faults: rate limit 5/s burst 15',
    ]));
    expect(emu!.calls.total()).toBe(1);
  });

  test('prints the usage on --help without starting', async () => {
    const lines: string[] = [];

    const emu = await runCli(['--help'], (line) => lines.push(line));

    expect(emu).toBeUndefined();
    expect(lines).toEqual([USAGE]);
  });
});
