import { CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import { SecurityHubMembers } from '../../../lib';
import { CloudFormationCall, RunningCloudFormationEndpoint, StackDescription, startCloudFormationEndpoint } from '../../../local/deploy/cloudformation-endpoint';
import { RunningEmulator, startEmulator } from '../../../local/emulator';
import { drift as runCommand, LocalSts, startLocalSts, synth, useEmulator } from '../../support/drift-cli';

/*
 * `cdk-securityhub-members plan` as a pipeline runs it: the SDK pointed at a local Security Hub
 * and a local CloudFormation by the environment. Every run here is read-only: the emulator sees no
 * mutating call, CloudFormation only DescribeStacks and GetTemplate.
 */

const ADMIN = '999999999999';
const REGION = 'us-east-1';
const A = '111111111111';
const B = '222222222222';
const MUTATING = ['CreateMembers', 'InviteMembers', 'DisassociateMembers', 'DeleteMembers'];

function adminApp(members: { accountId: string }[]): string {
  return synth((app) => {
    new SecurityHubMembers(new Stack(app, 'Admin', { env: { account: ADMIN, region: REGION } }), 'Members', { members });
  });
}

function templateOf(outdir: string): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(`${outdir}/Admin.template.json`) as Record<string, unknown>;
}

describe('plan', () => {
  let emulator: RunningEmulator;
  let cfn: RunningCloudFormationEndpoint;
  let stacks: Map<string, StackDescription>;
  let restoreEnv: () => void;
  let sts: LocalSts;

  beforeAll(async () => {
    emulator = await startEmulator();
    cfn = await startCloudFormationEndpoint((name) => stacks.get(name) ?? [...stacks.values()].find((s) => s.stackId === name));
    sts = await startLocalSts();
  });
  afterAll(async () => {
    await cfn.close();
    await emulator.close();
    await sts.close();
  });
  beforeEach(() => {
    stacks = new Map();
    emulator.store.reset();
    emulator.calls.reset();
    cfn.calls.splice(0);
    restoreEnv = useEmulator(emulator.url, ADMIN, REGION, { AWS_ENDPOINT_URL_CLOUDFORMATION: cfn.url, AWS_ENDPOINT_URL_STS: sts.url });
  });
  afterEach(() => restoreEnv());

  /** Runs the command, and checks it stayed read-only: no mutating call, only the two CloudFormation reads. */
  async function runCli(argv: string[]) {
    const result = await runCommand(argv);
    expect(emulator.calls.entries().filter((c) => MUTATING.includes(c.operation))).toEqual([]);
    expect(cfn.calls.filter((c: CloudFormationCall) => c.action !== 'DescribeStacks' && c.action !== 'GetTemplate')).toEqual([]);
    return result;
  }

  function deployed(template: Record<string, unknown>, status = 'UPDATE_COMPLETE', parameters: Record<string, string> = {}): void {
    stacks.set('Admin', {
      stackName: 'Admin',
      stackId: `arn:aws:cloudformation:${REGION}:${ADMIN}:stack/Admin/1b2c`,
      status,
      template,
      parameters,
      creationTime: new Date('2026-01-01T00:00:00Z'),
    });
  }

  test('a first deploy: --json writes only its document, and exit 2 for invitations', async () => {
    emulator.store.seedMember(ADMIN, REGION, { accountId: A, status: 'Enabled' });

    const result = await runCli(['plan', '--app', adminApp([{ accountId: A }, { accountId: B }]), '--json']);

    expect(result.code).toBe(2);
    expect(result.stderr).toEqual([]);
    const document = JSON.parse(result.stdout);
    expect(document).toEqual({
      stacks: [{
        stack: 'Admin', account: ADMIN, region: REGION,
        resources: [{ logicalId: expect.stringMatching(/^Members/), event: 'Create', regions: [{ region: REGION, create: [B], invite: [], reinvite: [], remove: [], keep: [{ accountId: A, reason: 'member Enabled' }] }] }],
      }],
      removes: 0,
      changes: 1,
    });
    // One DescribeStacks per stack; the stack does not exist, so no GetTemplate.
    expect(cfn.calls.map((c) => c.action)).toEqual(['DescribeStacks']);
  });

  test('an unchanged app plans no event and exits 0; the table names each resource and the summary', async () => {
    const app = adminApp([{ accountId: A }]);
    deployed(templateOf(app));

    const result = await runCli(['plan', '--app', app]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Stack Admin \(999999999999, us-east-1\)\n {2}Members\w+: no event \(properties unchanged\)\n {2}\+0 invited, ~0 re-invited, -0 removed \(0 Enabled\), 0 unchanged$/);
    expect(cfn.calls.map((c) => c.action)).toEqual(['DescribeStacks', 'GetTemplate']);
  });

  test('a removal exits 3 and shows each account', async () => {
    emulator.store.seedMember(ADMIN, REGION, { accountId: A, status: 'Enabled' });
    emulator.store.seedMember(ADMIN, REGION, { accountId: B, status: 'Enabled' });
    deployed(templateOf(adminApp([{ accountId: A }, { accountId: B }])));

    const result = await runCli(['plan', '--app', adminApp([{ accountId: A }])]);

    expect(result.code).toBe(3);
    expect(result.stdout).toContain(`    - ${B}  us-east-1  remove (Enabled)`);
    expect(result.stdout).toContain(`    = ${A}  us-east-1  keep: member Enabled`);
    expect(result.stdout).toContain('  +0 invited, ~0 re-invited, -1 removed (1 Enabled), 1 unchanged');
  });

  test('a stack mid-operation is reported, not planned: exit 1 with one line naming it', async () => {
    const app = adminApp([{ accountId: A }]);
    deployed(templateOf(app), 'UPDATE_IN_PROGRESS');

    const result = await runCli(['plan', '--app', app, '--json']);

    expect(result.code).toBe(1);
    expect(result.stderr).toEqual(['cannot plan Admin: the stack is UPDATE_IN_PROGRESS: expected it to be done with its last operation before a deploy (plan again once it is)']);
    expect(JSON.parse(result.stdout).stacks[0]).toMatchObject({ stack: 'Admin', resources: [], unplannable: expect.stringContaining('UPDATE_IN_PROGRESS') });
    expect(emulator.calls.entries()).toEqual([]);
  });

  test('a declaration that is not literal is unplannable: exit 1 with one line naming it, and the document still printed', async () => {
    const app = synth((a) => {
      new SecurityHubMembers(new Stack(a, 'Admin', { env: { account: ADMIN, region: REGION } }), 'Members', { members: [{ accountId: Fn.importValue('SharedAccountId') }] });
    });

    const result = await runCli(['plan', '--app', app, '--json']);

    expect(result.code).toBe(1);
    expect(result.stderr).toHaveLength(1);
    expect(result.stderr[0]).toMatch(/^cannot plan Admin\/Members\w+: .*Fn::ImportValue.*: expected literal values/);
    expect(JSON.parse(result.stdout).stacks[0].resources[0]).toEqual({ logicalId: expect.stringMatching(/^Members/), event: 'Create', unplannable: expect.stringContaining('Fn::ImportValue') });
  });

  test('--role-arn-template reads with the role of the stack\'s account and region', async () => {
    const result = await runCli(['plan', '--app', adminApp([{ accountId: A }]), '--role-arn-template', 'arn:aws:iam::{account}:role/cdk-hnb659fds-lookup-role-{account}-{region}']);

    expect(result.code).toBe(2);
    expect([...new Set(sts.assumed)]).toEqual([`arn:aws:iam::${ADMIN}:role/cdk-hnb659fds-lookup-role-${ADMIN}-${REGION}`]);
    expect(emulator.calls.entries().map((c) => [c.operation, c.account])).toEqual([['GetMembers', ADMIN]]);
  });

  test('a Ref to a parameter takes the deployed value, as cdk deploy keeps it; with neither a value nor a default it is unplannable', async () => {
    const app = synth((a) => {
      const stack = new Stack(a, 'Admin', { env: { account: ADMIN, region: REGION } });
      const account = new CfnParameter(stack, 'MemberAccount', { type: 'String' });
      new SecurityHubMembers(stack, 'Members', { members: [{ accountId: account.valueAsString }] });
    });

    const first = await runCli(['plan', '--app', app, '--json']);
    expect(first.code).toBe(1);
    expect(first.stderr[0]).toMatch(/^cannot plan Admin\/Members\w+: .*MemberAccount/);

    emulator.store.seedMember(ADMIN, REGION, { accountId: A, status: 'Enabled' });
    deployed(templateOf(app), 'UPDATE_COMPLETE', { MemberAccount: A });
    const again = await runCli(['plan', '--app', app, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).stacks[0].resources).toEqual([{ logicalId: expect.stringMatching(/^Members/), event: null }]);
  });
});
