/**
 * `cdk-securityhub-members import` end to end: the command run in-process with the SDK pointed at
 * the local Security Hub through the environment, as a user would, on fleets seeded by hand.
 */
import { MUTATING_OPERATIONS, RunningEmulator, startEmulator } from '../../../local/emulator';
import { renderDeclaration } from '../../../cli/import';
import { run } from '../../../cli/main';
import { drift as runCommand, useEmulator } from '../../support/drift-cli';

const ADMIN = '999999999999';
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const D = '444444444444';

let emulator: RunningEmulator;
let restoreEnv: () => void;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.store.reset();
  emulator.calls.reset();
  restoreEnv = useEmulator(emulator.url, ADMIN, 'us-east-1');
});
afterEach(() => {
  restoreEnv();
  expectNoMutatingCall();
});

/** The command only reads: whatever a test does, no call may change the hub (checked after each test). */
function expectNoMutatingCall(): void {
  expect(emulator.calls.entries().filter((c) => MUTATING_OPERATIONS.has(c.operation))).toEqual([]);
}

/** The two-region fleet of the contract's example: a Resigned member, a Created one, one missing in a region. */
function seedFleet(): void {
  emulator.store.seedMember(ADMIN, 'us-east-1', { accountId: A, status: 'Enabled', email: 'a@example.com' });
  emulator.store.seedMember(ADMIN, 'eu-west-1', { accountId: A, status: 'Enabled', email: 'a-eu@example.com' });
  emulator.store.seedMember(ADMIN, 'us-east-1', { accountId: B, status: 'Created' });
  emulator.store.seedMember(ADMIN, 'eu-west-1', { accountId: B, status: 'Invited', email: 'b@example.com' });
  emulator.store.seedMember(ADMIN, 'us-east-1', { accountId: C, status: 'Enabled' });
  emulator.store.seedMember(ADMIN, 'us-east-1', { accountId: D, status: 'Resigned', email: 'd@example.com' });
  emulator.store.seedMember(ADMIN, 'eu-west-1', { accountId: D, status: 'Enabled', reportedStatus: 'Deleted' });
}

test('prints only the JSON declaration on stdout and the members a deploy would change on stderr, exit 0', async () => {
  seedFleet();

  const result = await runCommand(['import', '--regions', 'us-east-1,eu-west-1']);

  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout)).toEqual([
    { accountId: A, email: 'a@example.com' },
    { accountId: B, email: 'b@example.com' },
    { accountId: C },
  ]);
  expect(result.stderr).toEqual([
    `${B} is Created, not invited yet, in us-east-1: a deploy with invite true invites it`,
    `${C} is not a member in eu-west-1: a declaration with that region would invite it there`,
    `left out ${D}: Resigned in us-east-1, Deleted in eu-west-1 (a deploy that declares it would invite it again)`,
  ]);
  const operations = new Set(emulator.calls.entries().map((c) => c.operation));
  expect([...operations].sort()).toEqual(['GetMembers', 'ListMembers']);
});

test('reads the SDK\'s default region when --regions is not given, and prints the TypeScript form with --format ts', async () => {
  seedFleet();

  const result = await runCommand(['import', '--format', 'ts']);

  expect(result.code).toBe(0);
  expect(result.stdout).toBe(renderDeclaration([{ accountId: A, email: 'a@example.com' }, { accountId: B }, { accountId: C }], 'ts').join('\n'));
  expect(emulator.calls.entries().every((c) => c.region === 'us-east-1')).toBe(true);
});

test('follows ListMembers page after page', async () => {
  const ids = Array.from({ length: 120 }, (_, i) => String(100000000000 + i));
  ids.forEach((accountId) => emulator.store.seedMember(ADMIN, 'us-east-1', { accountId, status: 'Enabled' }));

  const result = await runCommand(['import']);

  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout)).toEqual(ids.map((accountId) => ({ accountId })));
  expect(emulator.calls.entries().filter((c) => c.operation === 'ListMembers')).toHaveLength(3);
  expect(emulator.calls.entries().filter((c) => c.operation === 'GetMembers')).toHaveLength(3);
});

test('an empty hub prints an empty list and says that the construct refuses it, exit 0', async () => {
  const result = await runCommand(['import', '--regions', 'eu-west-1']);

  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout)).toEqual([]);
  expect(result.stderr).toEqual(['no member to declare in eu-west-1: the construct refuses an empty members list']);
});

test('fails when the credentials are refused: one line, nothing on stdout', async () => {
  restoreEnv();
  restoreEnv = useEmulator(emulator.url, 'not-an-account');

  const result = await runCommand(['import']);

  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toHaveLength(1);
  expect(result.stderr[0]).toMatch(/^cannot read the members in us-east-1: UnrecognizedClientException: The access key id "not-an-account" [^\n]+$/);
});

test('fails when Security Hub is not enabled in a region: one line naming it, nothing on stdout', async () => {
  const strict = await startEmulator({ autoEnableHubs: false });
  restoreEnv();
  restoreEnv = useEmulator(strict.url, ADMIN);
  try {
    strict.store.enableHub(ADMIN, 'us-east-1');

    const result = await runCommand(['import', '--regions', 'us-east-1,eu-west-1']);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toEqual(['Security Hub is not enabled in eu-west-1 for the caller\'s account: expected the administrator\'s credentials, or --regions without eu-west-1']);
    expect(strict.calls.entries().filter((c) => MUTATING_OPERATIONS.has(c.operation))).toEqual([]);
  } finally {
    await strict.close();
  }
});

test('fails when no region is given and the SDK has no default: one line', async () => {
  const stdout: string[] = [];
  const stderr: string[] = [];

  const code = await run(['import'], {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    now: () => 0,
    sleep: async () => undefined,
    defaultRegion: async () => undefined,
  });

  expect(code).toBe(1);
  expect(stdout).toEqual([]);
  expect(stderr).toEqual(['no region to read: expected --regions r1,r2, or AWS_REGION as for cdk deploy']);
  expect(emulator.calls.total()).toBe(0);
});
