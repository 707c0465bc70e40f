/**
 * The scheduled audit end to end, as the local quick start shows it: deploy an app whose
 * administrator stack has an audit, make a member resign, run `audit` (the deployed, bundled
 * function against the local Security Hub, CloudFormation and EventBridge): it reports the drift
 * and puts the event; `audit --repair` invites the member again; the member stack's next deploy
 * (its accepter has reconcileOnEveryDeploy) accepts, and `drift --wait` exits 0.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { SecurityHubInvitationAccepter, SecurityHubMembers, SecurityHubMembersAudit } from '../../lib';
import { localAudit } from '../../local/audit';
import { readAssembly } from '../../local/deploy/assembly';
import { LocalCloudFormation } from '../../local/deploy/cloudformation';
import { localDrift, localResign } from '../../local/drift';
import { RunningEmulator, startEmulator } from '../../local/emulator';
import { ADMIN, FAST, REGION } from './harness';

const ROOT = path.join(__dirname, '..', '..');
const A = '111111111111';
const B = '222222222222';

describe('the scheduled audit, through the local deploy', () => {
  let dir: string;
  let emulator: RunningEmulator;
  let cfn: LocalCloudFormation;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-audit-e2e-'));
    emulator = await startEmulator();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await cfn?.close();
    await emulator.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function synthesize(): string {
    const outdir = path.join(dir, 'cdk.out');
    const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
    const admin = new Stack(app, 'Admin', { env: { account: ADMIN, region: REGION } });
    new SecurityHubMembers(admin, 'Members', { members: [{ accountId: A }, { accountId: B }] });
    new SecurityHubMembersAudit(admin, 'Audit');
    for (const account of [A, B]) {
      const member = new Stack(app, `Member${account}`, { env: { account, region: REGION } });
      member.addStackDependency(admin);
      // Every deploy of the member stack accepts a pending invitation from its administrator.
      new SecurityHubInvitationAccepter(member, 'Accept', { administratorAccountId: ADMIN, reconcileOnEveryDeploy: true });
    }
    app.synth();
    return outdir;
  }

  test('resign, then audit reports the drift and puts the event; audit --repair invites again; the accepter brings it back to Enabled', async () => {
    const cdkOut = synthesize();
    const stackState = path.join(dir, 'stacks.json');
    cfn = new LocalCloudFormation({ endpoint: emulator.url, environment: FAST, statePath: stackState });
    const stacks = readAssembly(cdkOut, { account: ADMIN, region: REGION });
    expect((await cfn.deploy(stacks)).ok).toBe(true);
    const status = (account: string): string | undefined => emulator.store.getMember(ADMIN, REGION, account)?.memberStatus;
    expect([status(A), status(B)]).toEqual(['Enabled', 'Enabled']);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(await localResign(emulator, [A])).toBe(0);
    expect(status(A)).toBe('Resigned');

    const paths = { root: ROOT, stackState, cdkOut };
    const printed: string[] = [];
    expect(await localAudit(emulator, paths, [], (line) => printed.push(line))).toBe(0);
    const output = printed.join('\n');
    expect(output).toContain('Admin  (account 999999999999, us-east-1)  audit Audit');
    expect(output).toContain('metrics (SecurityHubMembers, Stack=Admin): DeclaredMembers 2, DriftedMembers 1, PendingMembers 0, UndeclaredMembers 0, AuditSucceeded 1');
    expect(output).toContain('event put on the default bus: cdk-securityhub-members / Security Hub Members Drift');
    expect(output).toMatch(/"accountId": "111111111111",\s+"status": "Resigned",\s+"inSync": false/);
    expect(output).not.toContain('"accountId": "222222222222"');
    expect(status(A)).toBe('Resigned');

    printed.splice(0);
    expect(await localAudit(emulator, paths, ['--repair'], (line) => printed.push(line))).toBe(0);
    expect(printed.join('\n')).toMatch(/repaired Members\w* in us-east-1: invited 111111111111/);
    expect([status(A), status(B)]).toEqual(['Invited', 'Enabled']);

    // The member's next deploy: with reconcileOnEveryDeploy its accepter gets an Update, which
    // accepts the pending invitation.
    const memberStack = readAssembly(synthesize(), { account: ADMIN, region: REGION }).filter((stack) => stack.name === `Member${A}`);
    const redeploy = await cfn.deploy(memberStack);
    expect(redeploy.ok).toBe(true);
    expect(redeploy.events.map((e) => e.action)).toEqual(['Update']);
    expect(status(A)).toBe('Enabled');

    printed.splice(0);
    expect(await localAudit(emulator, paths, [], (line) => printed.push(line))).toBe(0);
    expect(printed.join('\n')).toContain('DriftedMembers 0, PendingMembers 0');
    expect(await localDrift(emulator, cdkOut, ['--wait', '1m'])).toBe(0);
  });
});
