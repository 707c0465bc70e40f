/**
 * The local deploy reads the cloud assembly as the CDK CLI does (nested stages included) and knows
 * a stack as CloudFormation does, by account, region and name (docs/design.md, "Local Security Hub
 * and local deploys"): a stack that moves to another region or account is a new stack, and the
 * old one stays deployed, untouched.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { SecurityHubInvitationAccepter, SecurityHubMembers } from '../../lib';
import { LocalStack, readAssembly } from '../../local/deploy/assembly';
import { LocalCloudFormation } from '../../local/deploy/cloudformation';
import { ADMIN, FAST, LocalCloud, localCloud, REGION } from './harness';

const A = '111111111111';
const B = '222222222222';
const OTHER_REGION = 'eu-west-1';
const OTHER_ADMIN = '888888888888';

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Synthesizes an app built by `build` and reads it as the local deploy does. */
function synth(build: (app: App) => void, context: Record<string, unknown> = {}): LocalStack[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-identity-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true, ...context } });
  build(app);
  app.synth();
  return readAssembly(outdir, { account: ADMIN, region: REGION });
}

/** The administrator's stack `Admin`, declaring `members`, in `account` and `region`. */
function adminApp(members: string[], env: { account: string; region: string }): LocalStack[] {
  return synth((app) => {
    const admin = new Stack(app, 'Admin', { env });
    new SecurityHubMembers(admin, 'Members', { members: members.map((accountId) => ({ accountId })) });
  });
}

function statuses(cloud: LocalCloud, admin: string, region: string): Record<string, string> {
  return Object.fromEntries(cloud.emulator.store.listMembers(admin, region).map((m) => [m.accountId, m.memberStatus]));
}

let cloud: LocalCloud;
afterEach(async () => {
  await cloud?.close();
});

describe('an app with a nested Stage', () => {
  const stagedApp = (app: App): void => {
    const stage = new Stage(app, 'Prod', { env: { account: ADMIN, region: REGION } });
    const admin = new Stack(stage, 'SecurityHubAdministrator');
    new SecurityHubMembers(admin, 'Members', { members: [{ accountId: A }] });
    const member = new Stack(stage, 'SecurityHubMember', { env: { account: A, region: REGION } });
    new SecurityHubInvitationAccepter(member, 'Accept', { administratorAccountId: ADMIN });
    member.addStackDependency(admin);
  };
  let stacks: LocalStack[];
  beforeAll(() => {
    stacks = synth(stagedApp);
  });

  test('its stacks are read with their CloudFormation names, stage paths and environments, dependencies first', () => {
    expect(stacks.map((s) => [s.name, s.hierarchicalId, s.account, s.region])).toEqual([
      ['Prod-SecurityHubAdministrator', 'Prod/SecurityHubAdministrator', ADMIN, REGION],
      ['Prod-SecurityHubMember', 'Prod/SecurityHubMember', A, REGION],
    ]);
  });

  // The CDK CLI records each asset's path relative to the stage's own assembly folder; without
  // that metadata the asset is found by its hash in the root folder, where aws-cdk-lib stages it.
  test.each([
    ['without asset metadata', {}],
    ['with the CDK CLI\'s asset metadata', { 'aws:cdk:enable-asset-metadata': true }],
  ])('its handler bundles are found %s', (_, context) => {
    const read = synth(stagedApp, context);
    const files = read.flatMap((s) => s.resources.flatMap((r) => [r.onEvent.file, ...(r.isComplete ? [r.isComplete.file] : [])]));

    expect(files).toHaveLength(3);
    expect(files.filter((file) => !fs.existsSync(file))).toEqual([]);
  });

  test('deploys locally: the administrator invites and the member stack accepts', async () => {
    cloud = await localCloud();

    const result = await cloud.cfn.deploy(stacks);

    expect(result.events.filter((e) => !e.ok).map((e) => e.error)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.events.map((e) => [e.stack, e.account, e.action])).toEqual([
      ['Prod-SecurityHubAdministrator', ADMIN, 'Create'],
      ['Prod-SecurityHubMember', A, 'Create'],
    ]);
    expect(statuses(cloud, ADMIN, REGION)).toEqual({ [A]: 'Enabled' });
  });
});

describe('a stack whose environment changes between two deploys', () => {
  test('a new region is a new stack: both exist afterwards and nothing is removed in the old region', async () => {
    cloud = await localCloud();
    expect((await cloud.cfn.deploy(adminApp([A, B], { account: ADMIN, region: REGION }))).ok).toBe(true);
    const first = cloud.cfn.stack('Admin', { account: ADMIN, region: REGION })!;

    const moved = await cloud.cfn.deploy(adminApp([A, B], { account: ADMIN, region: OTHER_REGION }));

    expect(moved.ok).toBe(true);
    expect(moved.events.map((e) => [e.stack, e.region, e.action])).toEqual([['Admin', OTHER_REGION, 'Create']]);
    expect(statuses(cloud, ADMIN, REGION)).toEqual({ [A]: 'Invited', [B]: 'Invited' });
    expect(statuses(cloud, ADMIN, OTHER_REGION)).toEqual({ [A]: 'Invited', [B]: 'Invited' });
    expect(cloud.cfn.stack('Admin', { account: ADMIN, region: REGION })).toEqual(first);
    expect(cloud.cfn.stack('Admin', { account: ADMIN, region: OTHER_REGION })?.stackId).toMatch(/^arn:aws:cloudformation:eu-west-1:999999999999:stack\/Admin\//);
    expect(cloud.cfn.deployedStacks).toEqual([
      { name: 'Admin', account: ADMIN, region: REGION },
      { name: 'Admin', account: ADMIN, region: OTHER_REGION },
    ]);
  });

  test('a new account is a new stack: the old administrator keeps its members', async () => {
    cloud = await localCloud();
    await cloud.cfn.deploy(adminApp([A], { account: ADMIN, region: REGION }));

    const moved = await cloud.cfn.deploy(adminApp([A, B], { account: OTHER_ADMIN, region: REGION }));

    expect(moved.events.map((e) => [e.stack, e.account, e.action])).toEqual([['Admin', OTHER_ADMIN, 'Create']]);
    expect(statuses(cloud, ADMIN, REGION)).toEqual({ [A]: 'Invited' });
    expect(statuses(cloud, OTHER_ADMIN, REGION)).toEqual({ [A]: 'Invited', [B]: 'Invited' });
    expect(cloud.cfn.deployedStacks.map((s) => s.account)).toEqual([ADMIN, OTHER_ADMIN]);
  });

  test('destroying one of two stacks of the same name leaves the other deployed', async () => {
    cloud = await localCloud();
    await cloud.cfn.deploy(adminApp([A], { account: ADMIN, region: REGION }));
    await cloud.cfn.deploy(adminApp([A], { account: ADMIN, region: OTHER_REGION }));

    const destroyed = await cloud.cfn.destroy([{ name: 'Admin', account: ADMIN, region: REGION }]);

    expect(destroyed.events.map((e) => [e.stack, e.region, e.action])).toEqual([['Admin', REGION, 'Delete']]);
    expect(statuses(cloud, ADMIN, REGION)).toEqual({});
    expect(statuses(cloud, ADMIN, OTHER_REGION)).toEqual({ [A]: 'Invited' });
    expect(cloud.cfn.deployedStacks).toEqual([{ name: 'Admin', account: ADMIN, region: OTHER_REGION }]);
  });
});

test('a state file written when stacks were known by name alone reads as it is, each stack in its own region', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-identity-state-'));
  outdirs.push(dir);
  const statePath = path.join(dir, 'stacks.json');
  cloud = await localCloud();
  const writer = new LocalCloudFormation({ endpoint: cloud.emulator.url, statePath, environment: FAST });
  await writer.deploy(adminApp([A], { account: ADMIN, region: REGION }));
  await writer.close();
  // The shape the previous version wrote: the same records, in a file without any stack key.
  const written = JSON.parse(fs.readFileSync(statePath, 'utf8')) as { resources: { stack: string; account: string; region: string }[]; stacks: { name: string }[] };
  expect(Object.keys(written)).toEqual(['resources', 'stacks']);
  expect(written.resources.map((r) => [r.stack, r.account, r.region])).toEqual([['Admin', ADMIN, REGION]]);

  const reader = new LocalCloudFormation({ endpoint: cloud.emulator.url, statePath, environment: FAST });
  const moved = await reader.deploy(adminApp([A], { account: ADMIN, region: OTHER_REGION }));
  await reader.close();

  expect(moved.events.map((e) => [e.stack, e.region, e.action])).toEqual([['Admin', OTHER_REGION, 'Create']]);
  expect(statuses(cloud, ADMIN, REGION)).toEqual({ [A]: 'Invited' });
  const after = JSON.parse(fs.readFileSync(statePath, 'utf8')) as { stacks: { name: string; region: string }[] };
  expect(after.stacks.map((s) => [s.name, s.region])).toEqual([['Admin', REGION], ['Admin', OTHER_REGION]]);
});
