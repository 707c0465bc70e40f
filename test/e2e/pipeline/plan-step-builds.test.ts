/**
 * The commands SecurityHubMembersPlanStep's two builds run, taken from the synthesized buildspecs
 * and run in `sh` as CodeBuild runs them (one shell, stopping at the first command that fails),
 * with the real decision bundle. What lies outside the build is replaced at the PATH: `npx` answers
 * as `plan` does (its table, or its JSON document, and its exit code, the contract of the `plan`
 * command), `aws` records its calls and answers GetPipelineState, and `sleep` returns at once.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BuildSpec, buildPlanPipeline, buildspecOf, PlanPipelineOptions } from '../../support/plan-step-pipeline';
import { requireFreshBundles } from '../../support/fresh-bundles';

// Parts of these tests run the decision bundle the build runs, not its sources.
requireFreshBundles();

const ROOT = path.join(__dirname, '..', '..', '..');

const REMOVES_ENABLED = {
  stacks: [{
    stack: 'Administrator-SecurityHubAdministrator', account: '999999999999', region: 'eu-west-1',
    resources: [{ logicalId: 'Members', event: 'Update', regions: [{ region: 'eu-west-1', create: [], invite: [], reinvite: [], remove: [{ accountId: '111111111111', status: 'Enabled' }], keep: [] }] }],
  }],
  removes: 1,
  changes: 1,
};
const NO_CHANGE = { stacks: [{ stack: 'Administrator-SecurityHubAdministrator', account: '999999999999', region: 'eu-west-1', resources: [] }], removes: 0, changes: 0 };

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-plan-builds-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  // Every call of the fakes is one line of calls.log, its arguments separated by the unit separator (0x1f).
  const log = 'printf "%s\\037" "$(basename "$0")" "$@" >> "$CALLS"; echo >> "$CALLS"';
  fs.writeFileSync(path.join(bin, 'npx'), `#!/bin/sh\n${log}\ncase " $* " in *" --json "*) cat "$PLAN_JSON";; *) echo "+0 invited, ~0 re-invited, -1 removed (1 Enabled), 0 unchanged";; esac\nexit "$PLAN_EXIT"\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'aws'), `#!/bin/sh\n${log}\ncase "$2" in get-pipeline-state) cat "$PIPELINE_STATE";; esac\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'sleep'), '#!/bin/sh\n', { mode: 0o755 });
  // The app's `npm ci` installed the package: its decision bundle is where the build looks.
  fs.mkdirSync(path.join(dir, 'src', 'node_modules'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(dir, 'src', 'node_modules', 'cdk-securityhub-members'));
  fs.mkdirSync(path.join(dir, 'cdk.out', 'assembly-Administrator'), { recursive: true });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

interface BuildRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Each call of npx and aws, as its argument list. */
  readonly calls: string[][];
  /** The exported variables at the end of the build. */
  readonly exported: Record<string, string>;
}

/** Runs a build's commands in one shell, as CodeBuild does, then prints its exported variables. */
function runBuild(spec: BuildSpec, env: Record<string, string>): BuildRun {
  const exportedNames = spec.env?.['exported-variables'] ?? [];
  const script = [
    'set -e',
    ...spec.phases.build.commands.map((c) => c.replace(/<AWS::Partition>/g, 'aws')),
    ...exportedNames.map((name) => `printf '%s=%s\\n' ${name} "$${name}" >> exported.txt`),
  ].join('\n');
  const calls = path.join(dir, 'calls.log');
  const result = spawnSync('sh', ['-c', script], {
    cwd: path.join(dir, 'src'),
    encoding: 'utf8',
    env: {
      PATH: `${path.join(dir, 'bin')}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
      CALLS: calls,
      CODEBUILD_SRC_DIR_Synth_Output: path.join(dir, 'cdk.out'),
      CODEBUILD_BUILD_ARN: 'arn:aws:codebuild:us-east-1:000000000000:build/PlanMembersPlan:1234',
      CODEBUILD_BUILD_ID: 'PlanMembersPlan:1234',
      CODEBUILD_INITIATOR: 'codepipeline/SecurityHubPipeline',
      AWS_REGION: 'us-east-1',
      STAGE_NAME: 'Administrator',
      APPROVAL_NAME: 'PlanMembers.Approve',
      ...env,
    },
  });
  const read = (file: string): string => fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    calls: read(calls).split('\n').filter(Boolean).map((line) => line.split('\x1f').slice(0, -1)),
    exported: Object.fromEntries(read(path.join(dir, 'src', 'exported.txt')).split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])),
  };
}

/** Runs the Plan build with `plan` exiting `exitCode` after printing `plan` as its JSON. */
function runPlan(exitCode: number, plan: unknown, options: PlanPipelineOptions = {}): BuildRun {
  fs.writeFileSync(path.join(dir, 'plan.json'), plan === undefined ? '' : JSON.stringify(plan));
  const spec = buildspecOf(buildPlanPipeline(options).template, 'Plan');
  return runBuild(spec, {
    PLAN_JSON: path.join(dir, 'plan.json'),
    PLAN_EXIT: String(exitCode),
    ...(options.topic ? { NOTIFICATION_ARN: 'arn:aws:sns:us-east-1:000000000000:Removals', NOTIFICATION_SUBJECT: 'Security Hub members would be removed in Administrator' } : {}),
  });
}

describe('the Plan build', () => {
  const template = 'arn:aws:iam::{account}:role/cdk-hnb659fds-lookup-role-{account}-{region}';
  const app = () => path.join(dir, 'cdk.out', 'assembly-Administrator');

  test('runs plan on the stage\'s assembly with the lookup role template, and approves a plan with no change', () => {
    const run = runPlan(0, NO_CHANGE, { topic: true });
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([
      ['npx', 'cdk-securityhub-members', 'plan', '--app', app(), '--role-arn-template', template],
      ['npx', 'cdk-securityhub-members', 'plan', '--app', app(), '--role-arn-template', template, '--json'],
    ]);
    expect(run.exported).toEqual({
      DECISION: 'approve',
      MESSAGE: 'no change to the members: approved without a person.',
      REMOVALS: '',
      LINK: 'https://us-east-1.console.aws.amazon.com/codesuite/codebuild/000000000000/projects/PlanMembersPlan/build/PlanMembersPlan%3A1234/?region=us-east-1',
    });
  });

  test('leaves a removal to a person: lists the accounts in the log, the approval\'s summary and the notification', () => {
    const run = runPlan(3, REMOVES_ENABLED, { topic: true });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('-1 removed (1 Enabled)');
    expect(run.stdout).toContain('to be removed: 111111111111 (Enabled) from Administrator-SecurityHubAdministrator in eu-west-1');
    expect(run.exported).toEqual(expect.objectContaining({ DECISION: 'wait', REMOVALS: '111111111111', MESSAGE: '1 member would be removed: waiting for a person to approve. Removed: 111111111111 (Enabled).' }));
    const publish = run.calls.filter((c) => c[0] === 'aws');
    expect(publish).toEqual([['aws', 'sns', 'publish', '--topic-arn', 'arn:aws:sns:us-east-1:000000000000:Removals', '--subject', 'Security Hub members would be removed in Administrator', '--message', 'file://notification.txt']]);
    const notification = fs.readFileSync(path.join(dir, 'src', 'notification.txt'), 'utf8');
    expect(notification).toContain('  111111111111 (Enabled) from Administrator-SecurityHubAdministrator in eu-west-1\n');
    expect(notification).toContain('The approval (stage Administrator, action PlanMembers.Approve): https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/SecurityHubPipeline/view');
  });

  test('fails when members would be removed and the step fails on removals, and publishes nothing', () => {
    const run = runPlan(3, REMOVES_ENABLED, { topic: true, failOnRemovals: true });
    expect(run.status).not.toBe(0);
    expect(run.calls.filter((c) => c[0] === 'aws')).toEqual([]);
  });

  test('fails when the plan cannot be made', () => {
    const run = runPlan(1, undefined, { topic: true });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain('Security Hub members plan: fail');
  });
});

describe('the AutoApprove build', () => {
  /** Runs the AutoApprove build with the Plan's decision and GetPipelineState's answer. */
  function runApprover(decision: string, state: string): BuildRun {
    fs.writeFileSync(path.join(dir, 'state.txt'), state);
    return runBuild(buildspecOf(buildPlanPipeline().template, 'AutoApprove'), {
      DECISION: decision,
      MESSAGE: 'no change to the members: approved without a person.',
      REMOVALS: '',
      PIPELINE_STATE: path.join(dir, 'state.txt'),
    });
  }

  test('approves the waiting approval with its token when the plan decided so', () => {
    const run = runApprover('approve', 'InProgress\ttoken-1234\n');
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([
      ['aws', 'codepipeline', 'get-pipeline-state', '--name', 'SecurityHubPipeline', '--query', 'stageStates[?stageName==\'Administrator\'] | [0].actionStates[?actionName==\'PlanMembers.Approve\'] | [0].latestExecution.[status, token]', '--output', 'text'],
      ['aws', 'codepipeline', 'put-approval-result', '--pipeline-name', 'SecurityHubPipeline', '--stage-name', 'Administrator', '--action-name', 'PlanMembers.Approve', '--token', 'token-1234', '--result', '{"status":"Approved","summary":"no change to the members: approved without a person."}'],
    ]);
  });

  test('leaves the approval to a person when the plan removes members', () => {
    const run = runApprover('wait', 'InProgress\ttoken-1234\n');
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([]);
    expect(run.stdout).toContain('the approval waits for a person');
  });

  test('fails when the approval never starts', () => {
    const run = runApprover('approve', 'None\tNone\n');
    expect(run.status).not.toBe(0);
    expect(run.calls.filter((c) => c[2] === 'get-pipeline-state')).toHaveLength(60);
    expect(run.calls.filter((c) => c[2] === 'put-approval-result')).toEqual([]);
    expect(run.stderr).toContain('the approval PlanMembers.Approve did not start');
  });
});
