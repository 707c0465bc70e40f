/**
 * The decision SecurityHubMembersPlanStep's build makes from `plan`'s exit code and JSON: approve
 * without a person, leave the approval waiting, or fail the step (docs/design.md, "Plan before deploy in pipelines").
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { approvalMessage, APPROVAL_MESSAGE_LIMIT, decide, PlanDocument } from '../../../pipeline/plan-decision/decide';
import { runDecision, shellQuote } from '../../../pipeline/plan-decision/index';
import { requireFreshBundles } from '../../support/fresh-bundles';

// Parts of these tests run the decision bundle the build runs, not its sources.
requireFreshBundles();

/** A plan document as `plan --json` prints it, for one administrator stack in one region. */
function planOf(region: { create?: string[]; invite?: string[]; remove?: { accountId: string; status: string }[] }): PlanDocument {
  const remove = region.remove ?? [];
  const changes = (region.create ?? []).length + (region.invite ?? []).length + remove.length;
  const document = {
    stacks: [{
      stack: 'Administrator-SecurityHubAdministrator',
      account: '999999999999',
      region: 'us-east-1',
      resources: [{
        logicalId: 'Members',
        event: changes === 0 ? 'none' : 'Update',
        regions: [{ region: 'us-east-1', create: region.create ?? [], invite: region.invite ?? [], reinvite: [], remove, keep: [] }],
      }],
    }],
    removes: remove.length,
    changes,
  };
  return document;
}

const NO_CHANGE = planOf({});
const ADDED = planOf({ create: ['222222222222'], invite: ['222222222222'] });
const REMOVED_ENABLED = planOf({ remove: [{ accountId: '111111111111', status: 'Enabled' }] });

describe('decide', () => {
  test.each([
    ['no change (exit 0)', 0, NO_CHANGE, false, 'approve'],
    ['changes that remove nothing (exit 2)', 2, ADDED, false, 'approve'],
    ['removals (exit 3)', 3, REMOVED_ENABLED, false, 'wait'],
    ['removals with failOnRemovals (exit 3)', 3, REMOVED_ENABLED, true, 'fail'],
    ['a plan that could not be made (exit 1)', 1, undefined, false, 'fail'],
    ['a deploy that would fail, plan printed (exit 1)', 1, ADDED, false, 'fail'],
    ['changes that remove nothing with failOnRemovals (exit 2)', 2, ADDED, true, 'approve'],
    ['an exit code plan does not give (exit 4)', 4, NO_CHANGE, false, 'fail'],
    ['exit 0 with no JSON', 0, undefined, false, 'fail'],
    ['exit 2 whose JSON removes a member: no removal without a person', 2, REMOVED_ENABLED, false, 'wait'],
  ])('%s: %s', (_name, exitCode, plan, failOnRemovals, expected) => {
    expect(decide(exitCode, plan, { failOnRemovals }).decision).toBe(expected);
  });

  test('lists the members to be removed, with their status and where they are declared', () => {
    expect(decide(3, REMOVED_ENABLED)).toEqual({
      decision: 'wait',
      removals: [{ stack: 'Administrator-SecurityHubAdministrator', region: 'us-east-1', accountId: '111111111111', status: 'Enabled' }],
      reason: '1 member would be removed: waiting for a person to approve',
    });
  });

  test('fails when the count of removals is more than the members the plan names', () => {
    expect(decide(3, { ...REMOVED_ENABLED, removes: 2 })).toEqual(expect.objectContaining({ decision: 'fail', reason: '2 members would be removed but the plan names 1: expected every removal listed' }));
  });

  test('keeps the approval message within what CodePipeline shows, naming how many are left out', () => {
    const many = planOf({ remove: Array.from({ length: 80 }, (_, i) => ({ accountId: String(100000000000 + i), status: 'Enabled' })) });
    const message = approvalMessage(decide(3, many));
    expect(message.length).toBeLessThanOrEqual(APPROVAL_MESSAGE_LIMIT);
    expect(message).toMatch(/^80 members would be removed: waiting for a person to approve\. Removed: 100000000000 \(Enabled\), .* and \d+ more \(see the build log\)\.$/);
  });
});

describe('the decision script', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-decision-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs the script in process on a plan document, as the build does after `plan --json > plan.json`. */
  function run(exitCode: number, plan: unknown, extra: string[] = []) {
    const planFile = path.join(dir, 'plan.json');
    fs.writeFileSync(planFile, plan === undefined ? '' : JSON.stringify(plan));
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = runDecision(['--exit-code', String(exitCode), '--plan', planFile, '--exports-file', path.join(dir, 'decision.env'), '--notification-file', path.join(dir, 'notification.txt'), ...extra], {
      readFile: (file) => fs.readFileSync(file, 'utf8'),
      writeFile: (file, text) => fs.writeFileSync(file, text),
      stdout: (line) => stdout.push(line),
      stderr: (line) => stderr.push(line),
    });
    return { code, stdout, stderr };
  }

  /** What the buildspec's shell sees after `. ./decision.env`. */
  function exported(): Record<string, string> {
    const out = execFileSync('sh', ['-c', '. ./decision.env && printf "%s\\n%s\\n%s" "$DECISION" "$REMOVALS" "$MESSAGE"'], { cwd: dir, encoding: 'utf8' });
    const [DECISION, REMOVALS, ...message] = out.split('\n');
    return { DECISION, REMOVALS, MESSAGE: message.join('\n') };
  }

  // The three changes the end-to-end test makes against the local Security Hub and CloudFormation,
  // as `plan --json` reports them.
  test('approves a plan with no change, and publishes nothing', () => {
    expect(run(0, NO_CHANGE)).toEqual({ code: 0, stdout: ['Security Hub members plan: approve (no change to the members: approved without a person)'], stderr: [] });
    expect(exported()).toEqual({ DECISION: 'approve', REMOVALS: '', MESSAGE: 'no change to the members: approved without a person.' });
    expect(fs.existsSync(path.join(dir, 'notification.txt'))).toBe(false);
  });

  test('approves a plan that adds a member', () => {
    expect(run(2, ADDED).code).toBe(0);
    expect(exported()).toEqual({ DECISION: 'approve', REMOVALS: '', MESSAGE: '2 change(s) that remove no member: approved without a person.' });
  });

  test('leaves the approval waiting for a removed Enabled member, and lists it in the log, the approval and the notification', () => {
    const { code, stdout } = run(3, REMOVED_ENABLED);
    expect(code).toBe(0);
    expect(stdout).toEqual([
      'Security Hub members plan: wait (1 member would be removed: waiting for a person to approve)',
      '  to be removed: 111111111111 (Enabled) from Administrator-SecurityHubAdministrator in us-east-1',
    ]);
    expect(exported()).toEqual({ DECISION: 'wait', REMOVALS: '111111111111', MESSAGE: '1 member would be removed: waiting for a person to approve. Removed: 111111111111 (Enabled).' });
    expect(fs.readFileSync(path.join(dir, 'notification.txt'), 'utf8')).toContain('  111111111111 (Enabled) from Administrator-SecurityHubAdministrator in us-east-1\n');
  });

  test('fails when members would be removed and the step fails on removals', () => {
    expect(run(3, REMOVED_ENABLED, ['--fail-on-removals']).code).toBe(1);
    expect(exported().DECISION).toBe('fail');
  });

  test('fails when the plan could not be made', () => {
    const { code, stdout } = run(1, undefined);
    expect(code).toBe(1);
    expect(stdout).toEqual(['Security Hub members plan: fail (the plan could not be made, or the deploy would fail (exit 1): see the reason above)']);
  });

  test('fails when its arguments are wrong', () => {
    expect(run(0, NO_CHANGE, ['--verbose'])).toEqual(expect.objectContaining({ code: 1, stderr: [expect.stringContaining('unknown argument "--verbose"')] }));
  });

  test('quotes values so that sourcing the file runs nothing', () => {
    expect(execFileSync('sh', ['-c', `printf %s ${shellQuote('it\'s $(touch x) `y`')}`], { cwd: dir, encoding: 'utf8' })).toBe('it\'s $(touch x) `y`');
    expect(fs.existsSync(path.join(dir, 'x'))).toBe(false);
  });

  test('as the bundle the build runs: reads the plan from stdin and exits 0, 0, 1 for no change, a removal, a failed plan', () => {
    const bundle = path.join(__dirname, '..', '..', '..', 'assets', 'plan-decision', 'index.js');
    const exec = (exitCode: number, plan: unknown) => spawnSync(process.execPath, [bundle, '--exit-code', String(exitCode), '--plan', '-'], { input: plan === undefined ? '' : JSON.stringify(plan), encoding: 'utf8' });
    const results = [exec(0, NO_CHANGE), exec(3, REMOVED_ENABLED), exec(1, undefined)];
    expect(results.map((r) => r.status)).toEqual([0, 0, 1]);
    expect(results[1].stdout).toContain('to be removed: 111111111111 (Enabled)');
  });
});
