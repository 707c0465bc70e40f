/**
 * `cdk-securityhub-members drift` end to end: cloud assemblies synthesized in-process, the command
 * run in-process with the SDK pointed at the local Security Hub through the environment, as a user
 * would, and a fake clock for --wait.
 */
import { createServer } from 'http';
import type { AddressInfo } from 'net';
import { Aws, CfnCondition, CfnParameter, CfnResource, Fn, Stack, Stage } from 'aws-cdk-lib';
import { SecurityHubMembers } from '../../../lib';
import { MUTATING_OPERATIONS, RunningEmulator, startEmulator } from '../../../local/emulator';
import { drift, startLocalSts, synth, useEmulator } from '../../support/drift-cli';

const ADMIN = '999999999999';
const OTHER_ADMIN = '888888888888';
const REGION = 'us-east-1';
const A = '111111111111';
const B = '222222222222';

let emulator: RunningEmulator;
let restoreEnv: () => void;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.store.reset();
  emulator.calls.reset();
  restoreEnv = useEmulator(emulator.url, ADMIN, REGION);
});
afterEach(() => {
  restoreEnv();
  expectNoMutatingCall();
});

/** The command only reads: whatever a test does, no call may change the hub (checked after each test). */
function expectNoMutatingCall(): void {
  expect(emulator.calls.entries().filter((c) => MUTATING_OPERATIONS.has(c.operation))).toEqual([]);
}

interface Declared {
  members: string[];
  invite?: boolean;
  regions?: string[];
}

/** An app whose stack `Admin` (account ADMIN) declares `declared`. */
function adminApp(declared: Declared): string {
  return synth((app) => {
    const stack = new Stack(app, 'Admin', { env: { account: ADMIN, region: REGION } });
    new SecurityHubMembers(stack, 'Members', {
      members: declared.members.map((accountId) => ({ accountId })),
      invite: declared.invite,
      regions: declared.regions,
    });
  });
}

function seed(accountId: string, status: 'Created' | 'Invited' | 'Enabled' | 'Removed' | 'Resigned' | 'AccountSuspended', region = REGION, reportedStatus?: string): void {
  emulator.store.seedMember(ADMIN, region, { accountId, status, ...(reportedStatus ? { reportedStatus } : {}) });
}

function parse(stdout: string): { inSync: boolean; resources: { stack: string; logicalId: string; account: string; region: string; members: { accountId: string; status: string; inSync: boolean }[]; undeclared: string[] }[] } {
  return JSON.parse(stdout);
}

describe('drift', () => {
  test('exits 0 and prints exactly the JSON document when every declared account is in sync', async () => {
    const app = adminApp({ members: [A, B] });
    seed(A, 'Enabled');
    seed(B, 'Invited');

    const result = await drift(['drift', '--app', app, '--json']);

    expect(result.code).toBe(0);
    expect(result.stderr).toEqual([]);
    const document = parse(result.stdout);
    expect(document).toEqual({
      inSync: true,
      resources: [{
        stack: 'Admin',
        logicalId: expect.stringMatching(/^Members/),
        account: ADMIN,
        region: REGION,
        members: [
          { accountId: A, status: 'Enabled', inSync: true },
          { accountId: B, status: 'Invited', inSync: true },
        ],
        undeclared: [],
      }],
    });
    expect(Object.keys(document.resources[0])).toEqual(['stack', 'logicalId', 'account', 'region', 'members', 'undeclared']);
    expect(emulator.calls.countsByOperation()).toEqual({ DescribeHub: 1, GetMembers: 1, ListMembers: 1 });
  });

  test.each([
    ['missing', undefined, undefined, 'NotAMember'],
    ['Removed', 'Removed', undefined, 'Removed'],
    ['Resigned', 'Resigned', undefined, 'Resigned'],
    ['Deleted', 'Created', 'Deleted', 'Deleted'],
    ['AccountSuspended', 'AccountSuspended', undefined, 'AccountSuspended'],
    ['Created, never invited', 'Created', undefined, 'Created'],
  ] as const)('exits 2 with the account out of sync when it is %s', async (_kind, status, reported, expected) => {
    const app = adminApp({ members: [A, B] });
    seed(A, 'Enabled');
    if (status) {
      seed(B, status, REGION, reported);
    }

    const result = await drift(['drift', '--app', app, '--json']);

    expect(result.code).toBe(2);
    const document = parse(result.stdout);
    expect(document.inSync).toBe(false);
    expect(document.resources[0].members).toEqual([
      { accountId: A, status: 'Enabled', inSync: true },
      { accountId: B, status: expected, inSync: false },
    ]);
    expect(document.resources[0].undeclared).toEqual([]);
  });

  test('with invite false, a member in any status but Deleted is in sync', async () => {
    const app = adminApp({ members: [A, B], invite: false });
    seed(A, 'Created');
    seed(B, 'Resigned');

    const result = await drift(['drift', '--app', app, '--json']);

    expect(result.code).toBe(0);
    expect(parse(result.stdout).resources[0].members.map((m) => m.inSync)).toEqual([true, true]);
  });

  test('reports drift in one region only, one entry per resource and region', async () => {
    const app = adminApp({ members: [A, B], regions: ['us-east-1', 'eu-west-1'] });
    seed(A, 'Enabled');
    seed(B, 'Enabled');
    seed(A, 'Enabled', 'eu-west-1');

    const result = await drift(['drift', '--app', app, '--json']);

    expect(result.code).toBe(2);
    const document = parse(result.stdout);
    expect(document.resources.map((r) => [r.region, r.members.map((m) => `${m.accountId}:${m.status}:${m.inSync}`)])).toEqual([
      ['us-east-1', [`${A}:Enabled:true`, `${B}:Enabled:true`]],
      ['eu-west-1', [`${A}:Enabled:true`, `${B}:NotAMember:false`]],
    ]);
    expect(emulator.calls.countsByOperation({ operation: 'DescribeHub' })).toEqual({ DescribeHub: 2 });
  });

  test('lists members nobody declared without failing, in the JSON and in the table', async () => {
    const app = adminApp({ members: [A] });
    seed(A, 'Enabled');
    seed('333333333333', 'Enabled');
    seed('444444444444', 'Removed');

    const json = await drift(['drift', '--app', app, '--json']);
    const table = await drift(['drift', '--app', app]);

    expect(json.code).toBe(0);
    expect(parse(json.stdout).resources[0].undeclared).toEqual(['333333333333', '444444444444']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Members nobody declared (listed, not a failure): 333333333333 (Enabled), 444444444444 (Removed)');
    expect(table.stdout).toMatch(/In sync: 1 declared account over 1 administrator region\.$/);
  });

  test('prints a table per administrator and region that names each drift', async () => {
    const app = adminApp({ members: [A, B], regions: ['us-east-1', 'eu-west-1'] });
    seed(A, 'Enabled');
    seed(B, 'Resigned');

    const result = await drift(['drift', '--app', app]);

    expect(result.code).toBe(2);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`Administrator ${ADMIN} in us-east-1`);
    expect(lines[1]).toMatch(/^ {2}RESOURCE\s+ACCOUNT\s+STATUS$/);
    expect(lines.find((l) => l.includes(A))).toMatch(/Admin\/Members\w+\s+111111111111\s+Enabled\s+in sync$/);
    expect(lines.find((l) => l.includes(B))).toMatch(/222222222222\s+Resigned\s+drift: Resigned, expected Invited or Enabled$/);
    expect(result.stdout).toContain('Administrator 999999999999 in eu-west-1');
    expect(result.stdout).toMatch(/Drift: 3 of 4 declared accounts over 2 administrator regions not in sync\.$/);
  });

  test('reports every declared account missing where Security Hub is not enabled, without reading members there', async () => {
    const app = adminApp({ members: [A] });
    await emulator.close();
    emulator = await startEmulator({ autoEnableHubs: false });
    restoreEnv();
    restoreEnv = useEmulator(emulator.url, ADMIN, REGION);

    const result = await drift(['drift', '--app', app]);

    expect(result.code).toBe(2);
    expect(result.stdout).toContain(`Administrator ${ADMIN} in us-east-1: Security Hub is not enabled, so no declared account is a member`);
    expect(emulator.calls.countsByOperation()).toEqual({ DescribeHub: 1 });
    await emulator.close();
    emulator = await startEmulator();
  });

  test('fails, not drifts, when DescribeHub is refused for a reason other than "not subscribed"', async () => {
    const app = adminApp({ members: [A] });
    // The same error type the service gives a hub that is not enabled, for a missing permission.
    const denied = createServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'InvalidAccessException' });
      res.end(JSON.stringify({ Code: 'InvalidAccessException', Message: 'User is not authorized to perform: securityhub:DescribeHub' }));
    });
    await new Promise<void>((resolve) => denied.listen(0, '127.0.0.1', resolve));
    restoreEnv();
    restoreEnv = useEmulator(`http://127.0.0.1:${(denied.address() as AddressInfo).port}`, ADMIN, REGION);
    try {
      const result = await drift(['drift', '--app', app]);

      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toEqual([expect.stringMatching(/999999999999.*us-east-1.*not authorized/)]);
    } finally {
      await new Promise((resolve) => denied.close(resolve));
    }
  });

  test('skips the resources of another administrator with a line saying so', async () => {
    const app = synth((a) => {
      new SecurityHubMembers(new Stack(a, 'Admin', { env: { account: ADMIN, region: REGION } }), 'Members', { members: [{ accountId: A }] });
      new SecurityHubMembers(new Stack(a, 'OtherAdmin', { env: { account: OTHER_ADMIN, region: REGION } }), 'Members', { members: [{ accountId: B }] });
    });
    seed(A, 'Enabled');

    const table = await drift(['drift', '--app', app]);
    const json = await drift(['drift', '--app', app, '--json']);

    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`Skipped OtherAdmin/Members\\w+: declared for administrator ${OTHER_ADMIN} in us-east-1, but the credentials are account ${ADMIN}; give --role-arn-template to read other accounts`));
    expect(json.code).toBe(0);
    expect(parse(json.stdout).resources.map((r) => r.stack)).toEqual(['Admin']);
    expect(json.stderr).toEqual([expect.stringMatching(/^skipped OtherAdmin\/Members\w+: declared for administrator 888888888888/)]);
    expect(emulator.calls.entries().every((c) => c.account === ADMIN)).toBe(true);
  });

  test('reads each administrator with a role assumed in its account, given --role-arn-template', async () => {
    const sts = await startLocalSts();
    restoreEnv();
    restoreEnv = useEmulator(emulator.url, '777777777777', REGION, { AWS_ENDPOINT_URL_STS: sts.url });
    try {
      const app = synth((a) => {
        new SecurityHubMembers(new Stack(a, 'Admin', { env: { account: ADMIN, region: REGION } }), 'Members', { members: [{ accountId: A }] });
        new SecurityHubMembers(new Stack(a, 'OtherAdmin', { env: { account: OTHER_ADMIN, region: REGION } }), 'Members', { members: [{ accountId: B }] });
      });
      seed(A, 'Enabled');
      emulator.store.seedMember(OTHER_ADMIN, REGION, { accountId: B, status: 'Removed' });

      const result = await drift(['drift', '--app', app, '--json', '--role-arn-template', 'arn:aws:iam::{account}:role/SecurityHubAudit']);

      expect(result.code).toBe(2);
      expect(parse(result.stdout).resources.map((r) => [r.account, r.members[0].status])).toEqual([[ADMIN, 'Enabled'], [OTHER_ADMIN, 'Removed']]);
      expect(sts.assumed.sort()).toEqual([`arn:aws:iam::${OTHER_ADMIN}:role/SecurityHubAudit`, `arn:aws:iam::${ADMIN}:role/SecurityHubAudit`].sort());
      expect(new Set(emulator.calls.entries().map((c) => c.account))).toEqual(new Set([ADMIN, OTHER_ADMIN]));
    } finally {
      await sts.close();
    }
  });

  test('follows nested assemblies: the stacks of CDK Pipelines stages', async () => {
    const app = synth((a) => {
      const stage = new Stage(a, 'Prod', { env: { account: ADMIN, region: REGION } });
      new SecurityHubMembers(new Stack(stage, 'Admin'), 'Members', { members: [{ accountId: A }] });
    });
    seed(A, 'Invited');

    const result = await drift(['drift', '--app', app, '--json']);

    expect(result.code).toBe(0);
    expect(parse(result.stdout).resources.map((r) => [r.stack, r.account, r.region])).toEqual([['Prod-Admin', ADMIN, REGION]]);
  });

  test('reads what the template evaluates to exactly: Fn::Join of literals, and a Condition decided by the region', async () => {
    const app = synth((a) => {
      const stack = new Stack(a, 'Admin', { env: { account: ADMIN, region: REGION } });
      new SecurityHubMembers(stack, 'Joined', { members: [{ accountId: Fn.join('', ['1111', '11111111']) }] });
      const elsewhere = new SecurityHubMembers(stack, 'OnlyInEurope', { members: [{ accountId: B }] });
      const inEurope = new CfnCondition(stack, 'InEurope', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') });
      (elsewhere.node.findChild('Resource').node.defaultChild as CfnResource).cfnOptions.condition = inEurope;
    });
    seed(A, 'Enabled');

    const result = await drift(['drift', '--app', app, '--json']);

    // The resource whose Condition is false in us-east-1 is not deployed there: it is not audited.
    expect(result.code).toBe(0);
    expect(parse(result.stdout).resources.map((r) => [r.logicalId.replace(/[0-9A-F]{8}$/, ''), r.members])).toEqual([['Joined', [{ accountId: A, status: 'Enabled', inSync: true }]]]);
  });

  test('audits an environment-agnostic stack in the caller\'s account and default region', async () => {
    const app = synth((a) => {
      new SecurityHubMembers(new Stack(a, 'Admin'), 'Members', { members: [{ accountId: A }] });
    });
    emulator.store.seedMember(ADMIN, 'eu-central-1', { accountId: A, status: 'Enabled' });
    restoreEnv();
    restoreEnv = useEmulator(emulator.url, ADMIN, 'eu-central-1');

    const result = await drift(['drift', '--app', app, '--json']);

    expect(result.code).toBe(0);
    expect(parse(result.stdout).resources.map((r) => [r.account, r.region, r.members[0].status])).toEqual([[ADMIN, 'eu-central-1', 'Enabled']]);
  });

  describe('--wait', () => {
    test('exits 0 once every invited member has accepted', async () => {
      const app = adminApp({ members: [A, B] });
      seed(A, 'Enabled');
      seed(B, 'Invited');

      const result = await drift(['drift', '--app', app, '--json', '--wait', '30m'], {
        onSleep: (count) => count === 2 && seed(B, 'Enabled'),
      });

      expect(result.code).toBe(0);
      expect(result.sleeps).toEqual([15_000, 15_000]);
      expect(result.stderr).toEqual([
        'waiting: 1 declared account(s) not Enabled yet, 1800 s left',
        'waiting: 1 declared account(s) not Enabled yet, 1785 s left',
      ]);
      expect(parse(result.stdout).resources[0].members).toEqual([
        { accountId: A, status: 'Enabled', inSync: true },
        { accountId: B, status: 'Enabled', inSync: true },
      ]);
      // Statuses are read at each poll; the hub and the undeclared members once.
      expect(emulator.calls.countsByOperation()).toEqual({ DescribeHub: 1, GetMembers: 3, ListMembers: 1 });
    });

    test('exits 2 at the limit, reporting the members still Invited as drift', async () => {
      const app = adminApp({ members: [A, B] });
      seed(A, 'Enabled');
      seed(B, 'Invited');

      const result = await drift(['drift', '--app', app, '--wait', '40s']);

      expect(result.code).toBe(2);
      expect(result.sleeps).toEqual([15_000, 15_000, 10_000]);
      expect(result.stdout.split('\n').find((l) => l.includes(B))).toMatch(/Invited\s+drift: Invited, expected Enabled$/);
    });

    test('does not wait when nothing is pending', async () => {
      const app = adminApp({ members: [A] });
      seed(A, 'Enabled');

      const result = await drift(['drift', '--app', app, '--wait', '1h']);

      expect(result.code).toBe(0);
      expect(result.sleeps).toEqual([]);
    });
  });

  test('reads 1,000 members in one region with 20 GetMembers calls and the ListMembers pages', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => String(100000000000 + i));
    const app = adminApp({ members: ids });
    ids.forEach((id) => seed(id, 'Enabled'));

    const result = await drift(['drift', '--app', app, '--json']);

    expect(result.code).toBe(0);
    expect(parse(result.stdout).resources[0].members).toHaveLength(1000);
    expect(emulator.calls.countsByOperation()).toEqual({ DescribeHub: 1, GetMembers: 20, ListMembers: 20 });
    expect(emulator.calls.entries({ operation: 'GetMembers' }).every((c) => c.accountIds!.length === 50)).toBe(true);
  });

  describe('bad input: exactly one line on stderr and exit 1', () => {
    test.each([
      [['drift', '--app', '/nonexistent/cdk.out'], /^--app "\/nonexistent\/cdk.out" is not a cloud assembly \(.*\): expected a directory written by cdk synth, with a manifest.json$/],
      [['drift', '--frobnicate'], /^unknown flag "--frobnicate": expected --app, --json, --wait, --role-arn-template, --version or --help$/],
      [['drfit'], /^unknown command "drfit": expected drift or plan or import$/],
      [[], /^missing command: expected "cdk-securityhub-members drift" or "cdk-securityhub-members plan" or "cdk-securityhub-members import" \(see --help\)$/],
      [['drift', '--wait', 'soon'], /^invalid --wait "soon": expected a duration such as 90s, 30m or 1h30m$/],
      [['drift', '--app'], /^flag "--app" needs a value: expected --app VALUE$/],
      [['drift', '--role-arn-template', 'SecurityHubAudit'], /^invalid --role-arn-template "SecurityHubAudit": expected an IAM role ARN with \{account\} in it/],
    ])('%j', async (argv, message) => {
      const result = await drift(argv);

      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toHaveLength(1);
      expect(result.stderr[0]).toMatch(message);
      expect(emulator.calls.total()).toBe(0);
    });

    test('refused credentials, naming the account and the region', async () => {
      const app = adminApp({ members: [A] });
      restoreEnv();
      restoreEnv = useEmulator(emulator.url, 'not-an-account', REGION);

      const result = await drift(['drift', '--app', app]);

      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toEqual([
        expect.stringMatching(/^cannot read Security Hub of account 999999999999 \(stack Admin\) in us-east-1 with the default credentials: UnrecognizedClientException: /),
      ]);
    });

    test('credentials of an account that administers none of the resources', async () => {
      const app = adminApp({ members: [A] });
      restoreEnv();
      restoreEnv = useEmulator(emulator.url, OTHER_ADMIN, REGION);

      const result = await drift(['drift', '--app', app, '--json']);

      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toEqual([
        `every SecurityHubMembers resource belongs to another administrator (declared for administrator ${ADMIN} in us-east-1, but the credentials are account ${OTHER_ADMIN}; give --role-arn-template to read other accounts): expected the administrator's credentials, or --role-arn-template`,
      ]);
    });

    test('an assembly without SecurityHubMembers', async () => {
      const app = synth((a) => {
        new CfnResource(new Stack(a, 'NoMembers'), 'Handle', { type: 'AWS::CloudFormation::WaitConditionHandle' });
      });

      const result = await drift(['drift', '--app', app]);

      expect(result.code).toBe(1);
      expect(result.stderr).toEqual([`--app "${app}" has no Custom::SecurityHubMembers resource: expected the cloud assembly of an app that uses SecurityHubMembers`]);
    });

    test('a resource whose members are not literal is reported as unreadable, never guessed, and the others are audited', async () => {
      const app = synth((a) => {
        const stack = new Stack(a, 'Admin', { env: { account: ADMIN, region: REGION } });
        new SecurityHubMembers(stack, 'Members', { members: [{ accountId: A }] });
        const param = new CfnParameter(stack, 'MemberAccount', { type: 'String' });
        new SecurityHubMembers(stack, 'FromParameter', { members: [{ accountId: param.valueAsString }] });
      });
      seed(A, 'Enabled');

      const json = await drift(['drift', '--app', app, '--json']);
      const table = await drift(['drift', '--app', app]);

      expect(json.code).toBe(1);
      expect(parse(json.stdout)).toEqual({ inSync: false, resources: [expect.objectContaining({ members: [{ accountId: A, status: 'Enabled', inSync: true }] })] });
      expect(json.stderr).toEqual([
        expect.stringMatching(/^cannot audit 1 resource whose declaration is not literal: Admin\/FromParameter\w+ \(Members\[0\]\.AccountId is \{"Ref":"MemberAccount"\}, not a literal account id\): expected literal account ids, Invite and Regions$/),
      ]);
      expect(table.code).toBe(1);
      expect(table.stdout).toMatch(/Unreadable Admin\/FromParameter\w+, not audited: Members\[0\]\.AccountId is \{"Ref":"MemberAccount"\}, not a literal account id/);
      expect(table.stderr).toHaveLength(1);
    });
  });
});
