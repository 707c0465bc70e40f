import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LocalStack } from '../../local/deploy/assembly';
import { LocalCloudFormation } from '../../local/deploy/cloudformation';
import { bundleOutputs, bundleStaleness } from '../../local/handler-bundles';
import { ADMIN, FAST, LocalCloud, localCloud, REGION, synthesize } from './harness';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';

/** The stack of the harness that accepts for `account`. */
const memberStack = (account: string): string => `Member${account}`;

/** The calls the member account made, by operation. */
function memberCalls(cloud: LocalCloud, account: string): Record<string, number> {
  return cloud.emulator.calls.countsByOperation({ account });
}

describe('the administrator and member stacks together, against the local Security Hub', () => {
  let cloud: LocalCloud;
  /** The administrator declares A and B, and each has a member stack that accepts. */
  let bothAccept: LocalStack[];
  // One synthesis for the tests that start from the same app: it is the slow part.
  beforeAll(() => {
    bothAccept = synthesize({ members: [{ accountId: A }, { accountId: B }] }, { memberStacks: [A, B] });
  });
  afterEach(async () => {
    await cloud?.close();
  });

  test('the administrator invites, each member accepts, and the administrator sees them Enabled', async () => {
    cloud = await localCloud();
    const result = await cloud.cfn.deploy(bothAccept);

    expect(result.ok).toBe(true);
    expect(result.events.map((e) => [e.stack, e.account, e.action])).toEqual([
      ['Admin', ADMIN, 'Create'],
      [memberStack(A), A, 'Create'],
      [memberStack(B), B, 'Create'],
    ]);
    expect(result.events[1].data).toEqual({ AdministratorAccountId: ADMIN, MemberStatus: 'Enabled' });
    expect(cloud.members()).toEqual({ [A]: 'Enabled', [B]: 'Enabled' });
    expect(cloud.emulator.store.administratorOf(A, REGION)).toBe(ADMIN);
    expect(cloud.emulator.store.administratorOf(B, REGION)).toBe(ADMIN);
    expect(cloud.emulator.store.invitationsFor(A, REGION)).toHaveLength(0);
    expect(memberCalls(cloud, A)).toEqual({ GetAdministratorAccount: 1, ListInvitations: 1, AcceptAdministratorInvitation: 1 });
    expect(cloud.emulator.store.invitationCount(ADMIN, REGION, A)).toBe(1);
  });

  test('the administrator\'s next Update counts the accepted members as Enabled', async () => {
    cloud = await localCloud();
    await cloud.cfn.deploy(bothAccept);

    // The Data of the first Create was read before anyone accepted; only an event refreshes it.
    const grown = await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }, { accountId: B }, { accountId: C }] }, { memberStacks: [A, B] }));

    expect(grown.events.map((e) => [e.stack, e.action, e.ok])).toEqual([
      ['Admin', 'Update', true],
      [memberStack(A), 'Unchanged', true],
      [memberStack(B), 'Unchanged', true],
    ]);
    expect(grown.events[0].data).toEqual({ MemberCount: '3', EnabledCount: '2', InvitedCount: '1' });
    expect(cloud.members()).toEqual({ [A]: 'Enabled', [B]: 'Enabled', [C]: 'Invited' });
    expect(cloud.emulator.store.duplicateInvitations()).toBe(0);
  });

  test('deleting a member stack leaves the administrator: it sees the member Resigned', async () => {
    cloud = await localCloud();
    await cloud.cfn.deploy(bothAccept);
    cloud.emulator.calls.reset();

    const destroyed = await cloud.cfn.destroy([memberStack(A)]);

    expect(destroyed.ok).toBe(true);
    expect(destroyed.events.map((e) => [e.stack, e.action])).toEqual([[memberStack(A), 'Delete']]);
    expect(cloud.members()).toEqual({ [A]: 'Resigned', [B]: 'Enabled' });
    expect(cloud.emulator.store.administratorOf(A, REGION)).toBeUndefined();
    expect(memberCalls(cloud, A)).toEqual({ GetAdministratorAccount: 1, DisassociateFromAdministratorAccount: 1 });
    expect(cloud.emulator.calls.total({ account: ADMIN })).toBe(0);
  });

  test('destroying everything deletes the accepters first, then the administrator\'s members', async () => {
    cloud = await localCloud();
    await cloud.cfn.deploy(bothAccept);
    cloud.emulator.calls.reset();

    const destroyed = await cloud.cfn.destroy();

    expect(destroyed.ok).toBe(true);
    expect(destroyed.events.map((e) => [e.stack, e.action])).toEqual([
      [memberStack(B), 'Delete'],
      [memberStack(A), 'Delete'],
      ['Admin', 'Delete'],
    ]);
    expect(cloud.members()).toEqual({});
    expect(cloud.emulator.store.administratorOf(A, REGION)).toBeUndefined();
    // The members had resigned by then, so the administrator only deletes them.
    expect(cloud.emulator.calls.countsByOperation({ account: ADMIN })).toEqual({ GetMembers: 1, DeleteMembers: 1 });
    expect(cloud.cfn.resources).toHaveLength(0);
  });

  test('the administrator removes a member that had accepted: disassociate, then delete', async () => {
    cloud = await localCloud();
    await cloud.cfn.deploy(bothAccept);
    cloud.emulator.calls.reset();

    const update = await cloud.cfn.deploy(synthesize({ members: [{ accountId: B }] }, { memberStacks: [B] }));

    expect(update.ok).toBe(true);
    expect(update.events.map((e) => [e.stack, e.action])).toEqual([['Admin', 'Update'], [memberStack(B), 'Unchanged']]);
    expect(cloud.members()).toEqual({ [B]: 'Enabled' });
    expect(cloud.emulator.store.administratorOf(A, REGION)).toBeUndefined();
    const mutations = cloud.emulator.calls.entries({ account: ADMIN }).map((c) => c.operation).filter((op) => op !== 'GetMembers');
    expect(mutations).toEqual(['DisassociateMembers', 'DeleteMembers']);

    // The member's stack left the app but is still deployed, as `cdk deploy` leaves it; deleting it
    // later finds nothing to leave.
    cloud.emulator.calls.reset();
    const leftover = await cloud.cfn.destroy([memberStack(A)]);
    expect(leftover.ok).toBe(true);
    expect(memberCalls(cloud, A)).toEqual({ GetAdministratorAccount: 1 });
  });

  test('the accepter run twice accepts once: the second Create and the second Delete make no mutating call', async () => {
    cloud = await localCloud();
    const stacks = synthesize({ members: [{ accountId: A }] }, { memberStacks: [A] });
    const first = await cloud.cfn.deploy(stacks);
    const member = stacks.filter((s) => s.name === memberStack(A));
    // A second CloudFormation that never heard of the first sends the same Create again, as a
    // retried event would.
    const again = new LocalCloudFormation({ endpoint: cloud.emulator.url, environment: FAST });
    cloud.emulator.calls.reset();

    const second = await again.deploy(member);

    expect(second.events.map((e) => [e.action, e.ok])).toEqual([['Create', true]]);
    expect(second.events[0].physicalResourceId).toBe(first.events[1].physicalResourceId);
    expect(memberCalls(cloud, A)).toEqual({ GetAdministratorAccount: 1 });
    expect(cloud.members()).toEqual({ [A]: 'Enabled' });

    cloud.emulator.calls.reset();
    expect((await again.destroy()).ok).toBe(true);
    await again.close();
    expect((await cloud.cfn.destroy([memberStack(A)])).ok).toBe(true);
    expect(cloud.emulator.calls.countsByOperation({ operation: 'DisassociateFromAdministratorAccount' })).toEqual({ DisassociateFromAdministratorAccount: 1 });
    expect(cloud.members()).toEqual({ [A]: 'Resigned' });
  });

  test.each([
    ['the administrator declares it with invite: false', { members: [{ accountId: A }], invite: false }, { [A]: 'Created' }],
    ['the administrator does not declare it', { members: [{ accountId: B }] }, { [B]: 'Invited' }],
  ])('fails when %s: no invitation to accept', async (_what, declaration, expectedMembers) => {
    cloud = await localCloud();

    const result = await cloud.cfn.deploy(synthesize(declaration, { memberStacks: [A] }));

    expect(result.ok).toBe(false);
    // CloudFormation's rollback deletes the failed resource; the framework answers for the handler (its CREATE_FAILED marker).
    expect(result.events.map((e) => [e.stack, e.action, e.ok])).toEqual([['Admin', 'Create', true], [memberStack(A), 'Create', false], [memberStack(A), 'Rollback Delete', true]]);
    expect(result.events[2].logs).toEqual([]);
    expect(result.events[1].error).toBe(
      `no pending Security Hub invitation from administrator ${ADMIN} to account ${A} in ${REGION}: `
      + 'expected one to accept; deploy the administrator\'s stack (SecurityHubMembers with invite: true) first, then this one');
    expect(cloud.members()).toEqual(expectedMembers);
    expect(cloud.emulator.store.administratorOf(A, REGION)).toBeUndefined();
    expect(memberCalls(cloud, A)).toEqual({ GetAdministratorAccount: 1, ListInvitations: 1 });
    expect(cloud.cfn.resources.map((r) => r.stack)).toEqual(['Admin']);
  });

  test('fails when the member stack is deployed before the administrator\'s, and succeeds once it is', async () => {
    cloud = await localCloud();
    const stacks = synthesize({ members: [{ accountId: A }] }, { memberStacks: [A] });

    const early = await cloud.cfn.deploy(stacks.filter((s) => s.name === memberStack(A)));

    expect(early.ok).toBe(false);
    expect(early.events[0].error).toMatch(new RegExp(`^no pending Security Hub invitation from administrator ${ADMIN} to account ${A} in ${REGION}: .*deploy the administrator's stack .* first`));
    expect(cloud.emulator.store.listMembers(ADMIN, REGION)).toEqual([]);
    expect(cloud.cfn.resources).toHaveLength(0);

    const inOrder = await cloud.cfn.deploy(stacks);
    expect(inOrder.events.map((e) => [e.stack, e.action, e.ok])).toEqual([['Admin', 'Create', true], [memberStack(A), 'Create', true]]);
    expect(cloud.members()).toEqual({ [A]: 'Enabled' });
  });
});

describe('npm run local, as a person runs it', () => {
  const root = path.join(__dirname, '..', '..');
  let stateDir: string;
  beforeEach(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-cli-'));
  });
  afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  /** Runs the CLI as `npm run local` does after its build; a non-zero exit throws with the output. */
  function cli(...args: string[]): string {
    return execFileSync(path.join(root, 'node_modules', '.bin', 'tsx'), ['local/cli.ts', ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, SECURITYHUB_LOCAL_DIR: stateDir },
    });
  }

  test('deploy runs the administrator\'s stack then each invited member\'s, status shows every member Enabled, destroy removes both sides', () => {
    const staleBefore = bundleStaleness(root);
    const deployed = cli('deploy');
    expect(deployed).toContain('Deploying 3 stacks');
    // deploy bundles the handlers only when they are out of date, and leaves them up to date.
    expect(deployed.includes('Bundling the Lambda handlers')).toBe(staleBefore !== undefined);
    expect(bundleStaleness(root)).toBeUndefined();
    const bundleTimes = (): number[] => bundleOutputs(root).map((file) => fs.statSync(file).mtimeMs);
    const bundledAt = bundleTimes();
    const order = ['SecurityHubAdministrator  (account 999999999999', `SecurityHubMember-${A}  (account ${A}`, `SecurityHubMember-${B}  (account ${B}`]
      .map((header) => deployed.indexOf(header));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]))).toBe(true);
    expect(deployed).toMatch(new RegExp(`accepted \\(Enabled\\) +${A} +\\[us-east-1, administrator 999999999999\\]`));
    expect(deployed).toMatch(new RegExp(`accepted \\(Enabled\\) +${B} +\\[us-east-1, administrator 999999999999\\]`));
    // cdk.json's organization account: enabled by CreateMembers, with no stack of its own to accept.
    expect(deployed).toMatch(new RegExp(`created \\(organization account, Enabled\\) +${C} +\\[us-east-1, administrator 999999999999\\]`));
    expect(deployed).not.toContain(`SecurityHubMember-${C}`);

    const status = cli('status');
    // A status right after a deploy builds nothing: no bundling, the bundles untouched.
    expect(status).not.toContain('Bundling');
    expect(bundleTimes()).toEqual(bundledAt);
    const rows = status.trim().split('\n').map((line) => line.split(/\s+/));
    expect(rows[0]).toEqual(['ADMINISTRATOR', 'REGION', 'MEMBER', 'STATUS', 'INVITED', 'AT']);
    expect(rows.slice(1).map((row) => row.slice(0, 4))).toEqual([
      ['999999999999', 'us-east-1', A, 'Enabled'],
      ['999999999999', 'us-east-1', B, 'Enabled'],
      ['999999999999', 'us-east-1', C, 'Enabled'],
    ]);

    const destroyed = cli('destroy');
    const deletions = [`SecurityHubMember-${B}`, `SecurityHubMember-${A}`, 'SecurityHubAdministrator'].map((stack) => destroyed.indexOf(`\n${stack}  `));
    expect(deletions.every((at, i) => at >= 0 && (i === 0 || at > deletions[i - 1]))).toBe(true);
    expect(destroyed).toContain('left the administrator (Resigned)');
    expect(destroyed).toMatch(new RegExp(`disassociated \\(organization account, cannot be deleted\\) +${C} +\\[us-east-1`));
    expect(destroyed.trim().endsWith('Destroyed.')).toBe(true);
    // The service keeps an organization account it may not delete, disassociated.
    expect(cli('status').trim().split('\n').slice(1).map((line) => line.split(/\s+/).slice(0, 4))).toEqual([['999999999999', 'us-east-1', C, 'Removed']]);
  });
});
