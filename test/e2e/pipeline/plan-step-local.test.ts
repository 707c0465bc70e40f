/**
 * SecurityHubMembersPlanStep's decision end to end: the bundled `plan` command and the bundled
 * decision script, each in its own process as the CodeBuild project runs them, against a stack
 * deployed to the local Security Hub through the local CloudFormation. The plan-step-builds test
 * holds the buildspec to the plan's contract with a stand-in plan; this one holds the real plan and
 * the real decision to each other, for the three changes a pipeline meets: none, an added member,
 * a removed Enabled member.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { emulatorEnv } from '../../../local/emulator';
import { ADMIN, FAST, LocalCloud, localCloud, REGION, synthesize } from '../harness';
import { MUTATING_OPERATIONS } from '../plan-helpers';

const ROOT = path.join(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'assets', 'cli', 'index.js');
const DECISION = path.join(ROOT, 'assets', 'plan-decision', 'index.js');

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';

/** What one process printed, and how it ended. */
interface ProcessRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node args...` without blocking: the local Security Hub and CloudFormation answer from this
 * process, so a synchronous spawn would wait for answers it stops them from giving.
 */
function node(args: string[], env: Record<string, string>, cwd: string, input = ''): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The variables a sourced exports file sets, read back by a shell as the buildspec reads them. */
function sourced(file: string, cwd: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `. "${file}" && printf '%s\\0%s\\0%s' "$DECISION" "$MESSAGE" "$REMOVALS"`], { cwd, env: { PATH: process.env.PATH ?? '' } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`sourcing ${file} exited ${code}`));
        return;
      }
      const [decision, message, removals] = out.split('\0');
      resolve({ DECISION: decision, MESSAGE: message, REMOVALS: removals });
    });
  });
}

describe('the plan step\'s decision against the local Security Hub and CloudFormation', () => {
  let cloud: LocalCloud;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-plan-step-local-'));
    cloud = await localCloud();
    // A is Enabled before the first deploy, so the deploy adopts it; C is invited by the deploy.
    cloud.emulator.store.seedMember(ADMIN, REGION, { accountId: A, status: 'Enabled' });
    const deployed = await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }, { accountId: C }] }));
    if (!deployed.ok) {
      throw new Error(`the local deploy the plans start from failed: ${JSON.stringify(deployed.events.filter((e) => !e.ok))}`);
    }
    env = {
      PATH: process.env.PATH ?? '',
      ...emulatorEnv(cloud.emulator.url, ADMIN, REGION),
      AWS_ENDPOINT_URL_CLOUDFORMATION: await cloud.cfn.cloudFormationEndpoint(),
      // Nothing of the machine's own AWS setup may reach the plan: only the local endpoints answer.
      AWS_CONFIG_FILE: path.join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...FAST,
    };
  });
  afterAll(async () => {
    await cloud?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    cloud.emulator.calls.reset();
    cloud.cfn.cloudFormationCalls.splice(0);
  });

  /**
   * Synthesizes the change, plans it with the bundled CLI, and pipes the plan's stdout into the
   * bundled decision with the plan's exit code, as the build does; then checks the plan read and
   * changed nothing.
   */
  async function planAndDecide(members: string[], decisionFlags: string[] = []) {
    const work = fs.mkdtempSync(path.join(dir, 'build-'));
    const outdir = path.join(work, 'cdk.out');
    synthesize({ members: members.map((accountId) => ({ accountId })) }, { outdir });

    const plan = await node([CLI, 'plan', '--app', outdir, '--json'], env, work);
    const decision = await node([DECISION, '--exit-code', String(plan.code), '--plan', '-', '--exports-file', 'decision.env', '--notification-file', 'notification.txt', ...decisionFlags], { PATH: env.PATH }, work, plan.stdout);

    expect(cloud.emulator.calls.entries().filter((c) => MUTATING_OPERATIONS.includes(c.operation))).toEqual([]);
    expect(new Set(cloud.cfn.cloudFormationCalls.map((c) => c.action))).toEqual(new Set(['DescribeStacks', 'GetTemplate']));
    expect(cloud.members()).toEqual({ [A]: 'Enabled', [C]: 'Invited' });
    const notification = path.join(work, 'notification.txt');
    return {
      reads: cloud.emulator.calls.entries().map((c) => c.operation),
      plan,
      document: JSON.parse(plan.stdout),
      decision,
      exported: await sourced('./decision.env', work),
      notification: fs.existsSync(notification) ? fs.readFileSync(notification, 'utf8') : undefined,
    };
  }

  test('the deploy the plans start from adopted the Enabled member and invited the other', () => {
    expect(cloud.members()).toEqual({ [A]: 'Enabled', [C]: 'Invited' });
  });

  test('no change: plan exits 0 and the approval is given without a person', async () => {
    const run = await planAndDecide([A, C]);

    // An unchanged resource gets no event, so there is nothing to read from Security Hub.
    expect(run.reads).toEqual([]);
    expect(run.plan.stderr).toBe('');
    expect(run.plan.code).toBe(0);
    expect(run.document).toMatchObject({ removes: 0, changes: 0 });
    expect(run.decision.code).toBe(0);
    expect(run.decision.stdout).toMatch(/^Security Hub members plan: approve \(no change to the members/);
    expect(run.exported).toEqual({ DECISION: 'approve', MESSAGE: 'no change to the members: approved without a person.', REMOVALS: '' });
    expect(run.notification).toBeUndefined();
  });

  test('an added member: plan exits 2 and the approval is given without a person', async () => {
    const run = await planAndDecide([A, B, C]);

    expect(run.reads).toContain('GetMembers');
    expect(run.plan.stderr).toBe('');
    expect(run.plan.code).toBe(2);
    expect(run.document.stacks[0].resources[0].regions).toEqual([{ region: REGION, create: [B], invite: [], reinvite: [], remove: [], keep: expect.any(Array) }]);
    expect(run.document).toMatchObject({ removes: 0, changes: 1 });
    expect(run.decision.code).toBe(0);
    expect(run.exported.DECISION).toBe('approve');
    expect(run.exported.REMOVALS).toBe('');
    expect(run.notification).toBeUndefined();
  });

  test('a removed Enabled member: plan exits 3 and the approval waits for a person, naming the account and its status', async () => {
    const run = await planAndDecide([C]);

    expect(run.reads).toContain('GetMembers');
    expect(run.plan.stderr).toBe('');
    expect(run.plan.code).toBe(3);
    expect(run.document.stacks[0].resources[0].regions[0].remove).toEqual([{ accountId: A, status: 'Enabled' }]);
    expect(run.decision.code).toBe(0);
    expect(run.decision.stdout).toContain(`  to be removed: ${A} (Enabled) from Admin in ${REGION}`);
    expect(run.exported).toEqual({
      DECISION: 'wait',
      MESSAGE: `1 member would be removed: waiting for a person to approve. Removed: ${A} (Enabled).`,
      REMOVALS: A,
    });
    expect(run.notification).toContain(`  ${A} (Enabled) from Admin in ${REGION}`);
  });

  test('a removed Enabled member with failOnRemovals: the step fails', async () => {
    const run = await planAndDecide([C], ['--fail-on-removals']);

    expect(run.plan.code).toBe(3);
    expect(run.decision.code).toBe(1);
    expect(run.decision.stdout).toContain(`  to be removed: ${A} (Enabled) from Admin in ${REGION}`);
    expect(run.exported).toEqual({
      DECISION: 'fail',
      MESSAGE: `1 member would be removed and this step fails on removals (failOnRemovals). Removed: ${A} (Enabled).`,
      REMOVALS: A,
    });
    expect(run.notification).toBeUndefined();
  });
});
