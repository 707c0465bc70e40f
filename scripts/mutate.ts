/**
 * Mutation check of the handlers: applies, one at a time, deliberate breakages of their source that
 * the rules of docs/design.md forbid, runs the jest tests that should catch each one, and fails
 * when one survives. `npm test` runs it (the CI set), so a rule whose tests stop checking it fails
 * the build.
 *
 *   npm run mutate                    the CI set: every mutant caught by tests of the TypeScript source
 *   npm run mutate -- --all           also the mutants only the bundled handlers' tests catch (slower:
 *                                     the bundles are rebuilt for each, and from the source at the end)
 *   npm run mutate -- NAME...         the named ones
 *   npm run mutate -- --list          the mutants, the rule each breaks and the tests that catch it
 *   npm run mutate -- --check         whether each mutant's text is still in the source, once
 *
 * Before any mutant, every test command the chosen mutants use runs on the unmutated source (the
 * baseline): a test that already fails, or a name filter that matches no test, would read as a
 * caught mutant, so either stops the run. A mutant's text must occur exactly once in its file.
 * The source is restored after every mutant, also on Ctrl-C or a kill.
 *
 * Exit code 0 when every mutant was caught; 1 when the baseline failed, a mutant's text is not in
 * the source exactly once, a mutant survived, or its tests could not run (a mutant that does not
 * compile reads as neither caught nor survived).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/** One deliberate breakage: `find` (which must occur exactly once) is replaced in `file`. */
export interface Mutant {
  /** Its name on the command line and in docs/testing.md. */
  readonly name: string;
  /** What it breaks, with the rule of docs/design.md. */
  readonly breaks: string;
  /** The source file it breaks, from the project root. */
  readonly file: string;
  /** The text it replaces, which must occur exactly once in `file`. */
  readonly find: string;
  /** What it puts there instead. */
  readonly replace: string;
  /** The jest files expected to catch it. */
  readonly tests: readonly string[];
  /** A jest test name filter (`-t`), to keep the run short; the baseline checks it matches a test. */
  readonly testName?: string;
  /** More environment for its jest run. */
  readonly env?: Readonly<Record<string, string>>;
  /** Its tests run the bundles in assets/, rebuilt for it: only with --all or by name, not in CI. */
  readonly bundled?: boolean;
}

/** Every mutant, in the order they run; the CI set is the ones not `bundled`. */
export const MUTANTS: readonly Mutant[] = [
  {
    name: 'second-invitation',
    breaks: 'an Invited account is invited again (status table, rule R5)',
    file: 'lambda/members/planner.ts',
    find: "    case 'Resigned':\n      return { create: false, invite, skip: false };\n    case 'Invited':\n",
    replace: "    case 'Resigned':\n    case 'Invited':\n      return { create: false, invite, skip: false };\n",
    tests: ['test/lambda/members/planner.test.ts'],
  },
  {
    name: 'blind-invite-retry',
    breaks: 'a failed InviteMembers is retried without re-reading the batch (rule R5)',
    file: 'lambda/members/hub.ts',
    find: 'const notYet = pending.filter((id) => !isInvitedOrEnabled(statuses.get(id)));',
    replace: 'const notYet = [...pending];',
    tests: ['test/lambda/members/handler.test.ts'],
    testName: 'InviteMembers that fails',
  },
  {
    name: 'removals-first',
    breaks: 'removals run before additions, and after a failed addition (rule R2)',
    file: 'lambda/members/reconcile.ts',
    find: '    const additionFailures = (await Promise.all(runs.map((run) => addMembers(run, log)))).flat();',
    replace: '    const early = (await Promise.all(runs.map((run) => removeAccounts(run.hub, run.plan, run.states, run.failed)))).flat();\n' +
      '    const additionFailures = [...early, ...(await Promise.all(runs.map((run) => addMembers(run, log)))).flat()];',
    tests: ['test/lambda/members/handler.test.ts'],
    testName: 'removes last|no removal runs when an addition failed',
  },
  {
    name: 'undo-pre-existing',
    breaks: 'the undo of a failed event also removes accounts that were members before it (rule R3)',
    file: 'lambda/members/reconcile.ts',
    find: 'accountIds: run.plan.create.map((m) => m.accountId) })',
    replace: 'accountIds: [...run.plan.create.map((m) => m.accountId), ...run.plan.invite, ...run.plan.unchanged] })',
    tests: ['test/lambda/members/handler.test.ts'],
    testName: 'the undo never removes an account that was a member before',
  },
  {
    name: 'delete-without-disassociate',
    breaks: 'an Invited or Enabled account is deleted without DisassociateMembers first (removal table)',
    file: 'lambda/members/planner.ts',
    find: "      return 'disassociate-and-delete';\n    case 'NotMember':",
    replace: "      return 'delete';\n    case 'NotMember':",
    tests: ['test/lambda/members/planner.test.ts'],
  },
  {
    name: 'already-a-member-fails',
    breaks: 'CreateMembers answering "already a member" fails the event (rules R5 and R7)',
    file: 'lambda/members/hub.ts',
    find: '(status) => normalizeStatus(status) !== \'NotMember\')).failures;',
    replace: '() => false)).failures;',
    tests: ['test/lambda/members/handler.test.ts'],
    testName: '"already a member" from CreateMembers is success',
  },
  {
    name: 'not-a-member-fails',
    breaks: 'a retried DisassociateMembers answering "not a member" fails the removal (rules R5 and R6)',
    file: 'lambda/members/hub.ts',
    find: '          .filter((id) => isInvitedOrEnabled(statuses.get(id)))\n',
    replace: '          .filter(() => true)\n',
    tests: ['test/lambda/members/handler.test.ts'],
    testName: 'a DisassociateMembers error for members that are in fact disassociated is success',
  },
  {
    name: 'undeclared-touched',
    breaks: 'an account outside the old and new declarations is read and removed (rule R1)',
    file: 'lambda/members/planner.ts',
    find: '  return [...new Set([...target.declared.map((m) => m.accountId), ...target.previous])];',
    replace: "  return [...new Set([...target.declared.map((m) => m.accountId), ...target.previous, '777777777777'])];",
    tests: ['test/lambda/members/read-scope.test.ts'],
  },
  {
    name: 'undeclared-touched-bundled',
    breaks: 'the same, caught end to end: the lifecycle property checks every call of the bundled handler (rule R1)',
    file: 'lambda/members/planner.ts',
    find: '  return [...new Set([...target.declared.map((m) => m.accountId), ...target.previous])];',
    replace: "  return [...new Set([...target.declared.map((m) => m.accountId), ...target.previous, '777777777777'])];",
    // 20 lifecycles suffice: every one of them reads the accounts.
    tests: ['test/e2e/faults-property.test.ts'],
    testName: 'the lifecycle under random faults',
    env: { LIFECYCLE_RUNS: '20' },
    bundled: true,
  },
  {
    name: 'accept-other-administrator',
    breaks: 'the member side accepts an invitation from an administrator it does not declare (member side)',
    file: 'lambda/accepter/planner.ts',
    find: '    invitation.administratorId === administratorId\n',
    replace: '    invitation.administratorId !== undefined\n',
    tests: ['test/lambda/accepter/planner.test.ts'],
    testName: 'pendingInvitationFrom',
  },
  {
    name: 'delete-leaves-other-administrator',
    breaks: 'a Delete of the member side disassociates from an administrator it did not declare (member side)',
    file: 'lambda/accepter/planner.ts',
    find: '    return administrator !== undefined && current === administrator\n',
    replace: '    return administrator !== undefined && current !== undefined\n',
    tests: ['test/lambda/accepter/handler.test.ts'],
    testName: 'Delete leaves another administrator alone',
  },
  {
    name: 'audit-resigned-in-sync',
    breaks: 'the drift comparison counts a Resigned member as in sync, so the audit and drift miss it (scheduled audit)',
    file: 'lambda/shared/fleet/comparison.ts',
    find: "  return invite ? state === 'Invited' || state === 'Enabled' : state !== 'NotMember';",
    replace: "  return invite ? state === 'Invited' || state === 'Enabled' || state === 'Resigned' : state !== 'NotMember';",
    // Also caught by test/e2e/cli/drift.test.ts -t 'out of sync when it is Resigned', at ten times the cost.
    tests: ['test/lambda/shared/fleet-in-sync.test.ts'],
  },
  {
    name: 'audit-drift-count-off-by-one',
    breaks: 'the audit\'s DriftedMembers metric is one short, so one drifted member raises no alarm and no event (scheduled audit)',
    file: 'lambda/audit/report.ts',
    find: '    [METRIC_DRIFTED_MEMBERS]: members.filter((m) => !m.inSync).length,',
    replace: '    [METRIC_DRIFTED_MEMBERS]: Math.max(0, members.filter((m) => !m.inSync).length - 1),',
    tests: ['test/lambda/audit/report.test.ts'],
    testName: 'metrics count',
  },
  {
    name: 'audit-repair-removes',
    breaks: 'the audit\'s repair plans the drifted accounts as removed instead of re-added (scheduled audit: repair only adds)',
    file: 'lambda/audit/index.ts',
    find: '        return { region: r.region, declared: members, previous: members.map((m) => m.accountId) };',
    replace: '        return { region: r.region, declared: [], previous: members.map((m) => m.accountId) };',
    tests: ['test/e2e/audit/bundled.test.ts'],
    testName: 'repair',
    bundled: true,
  },
  {
    name: 'sibling-claim-ignored',
    breaks: 'a removal takes out an account another SecurityHubMembers of the stack declares (rule R10)',
    file: 'lambda/members/ownership.ts',
    find: '      if (by.length > 0) {\n',
    replace: '      if (by.length > 1) {\n',
    tests: ['test/lambda/members/across-deploys.test.ts'],
    testName: 'an account another resource declares is kept',
  },
  {
    name: 'own-logical-id-inverted',
    breaks: 'the resource with the event\'s own logical id counts as a sibling outside a cleanup phase, and not in one (rule R10)',
    file: 'lambda/members/ownership.ts',
    find: '    .filter((reading) => reading.logicalId !== ownLogicalId || countOwnLogicalId)\n',
    replace: '    .filter((reading) => reading.logicalId !== ownLogicalId || !countOwnLogicalId)\n',
    tests: ['test/lambda/members/across-deploys.test.ts'],
    testName: 'same logical id',
  },
  {
    name: 'rollback-start-exclusive',
    breaks: 'a member added at the failed deploy\'s start time is kept by its rollback (rule R13: at or after)',
    file: 'lambda/members/rollback.ts',
    find: 'at.getTime() >= start.getTime();',
    replace: 'at.getTime() > start.getTime();',
    tests: ['test/lambda/members/rollback.test.ts'],
    testName: 'the pure decision',
  },
  {
    name: 'rollback-keeps-nothing',
    breaks: 'a rollback removes the members that were there before the failed deploy (rule R13)',
    file: 'lambda/members/rollback.ts',
    find: '    const keep = new Set(plan.delete.filter((id) => !addedByFailedDeploy(members[i]?.get(id), start)));',
    replace: '    const keep = new Set(plan.delete.filter(() => false));',
    tests: ['test/lambda/members/rollback.test.ts'],
  },
  {
    name: 'pacer-no-drain',
    breaks: 'after a throttle the pacer spends its saved-up burst into the account\'s shared limit (rate limits)',
    file: 'lambda/shared/client.ts',
    find: '          pacer.drain();\n',
    replace: '',
    tests: ['test/e2e/lambda/client-pacer.test.ts'],
  },
  {
    name: 'budget-no-reserve',
    breaks: 'the handler starts changes until Lambda\'s timeout, leaving no time to undo them (time budget)',
    file: 'lambda/shared/time-budget.ts',
    find: '    const reserve = Math.min(RESERVE_MS, remaining / 2);\n',
    replace: '    const reserve = 0;\n',
    tests: ['test/lambda/shared/time-budget.test.ts'],
  },
  {
    name: 'budget-whole-invocation-reserve',
    breaks: 'a short invocation keeps all its time for the undo and starts nothing (time budget: at most half)',
    file: 'lambda/shared/time-budget.ts',
    find: '    const reserve = Math.min(RESERVE_MS, remaining / 2);\n',
    replace: '    const reserve = Math.min(RESERVE_MS, remaining);\n',
    tests: ['test/lambda/shared/time-budget.test.ts'],
  },
  {
    name: 'budget-check-inverted',
    breaks: 'the budget stops changes while there is time and allows them once it is spent (time budget)',
    file: 'lambda/shared/time-budget.ts',
    find: '    if (this.stopAt !== undefined && this.now() >= this.stopAt) {\n',
    replace: '    if (this.stopAt !== undefined && this.now() < this.stopAt) {\n',
    tests: ['test/lambda/shared/time-budget.test.ts'],
  },
  {
    name: 'budget-never-checked',
    breaks: 'the members handler starts a change after its time budget is spent (time budget)',
    file: 'lambda/members/hub.ts',
    find: '      this.budget.check();\n      const out = await this.clients.client.send(new CreateMembersCommand(',
    replace: '      const out = await this.clients.client.send(new CreateMembersCommand(',
    tests: ['test/lambda/members/handler.test.ts'],
    testName: 'with no time left it starts no change',
  },
];

/** What one jest run found. */
interface JestRun {
  readonly passed: number;
  readonly failed: number;
  /** `file › test` of each failed test. */
  readonly failures: string[];
  /** The file and full name of each passed test. */
  readonly passes: { readonly file: string; readonly fullName: string }[];
  /** Suites that could not run (a syntax error, a module that fails to load). */
  readonly suiteErrors: string[];
  readonly output: string;
}

/** Runs the jest files of `mutant` (without coverage, only the latest aws-cdk-lib project). */
async function jest(mutant: Mutant): Promise<JestRun> {
  const outputFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mutate-')), 'jest.json');
  try {
    const args = [
      path.join('node_modules', 'jest', 'bin', 'jest.js'),
      '--selectProjects', 'latest', '--ci', '--coverage=false', '--silent',
      '--json', `--outputFile=${outputFile}`,
      ...(mutant.testName ? ['-t', mutant.testName] : []),
      '--runTestsByPath', ...mutant.tests,
    ];
    const result = await node(args, mutant.env);
    const output = result.output;
    if (!fs.existsSync(outputFile)) {
      return { passed: 0, failed: 0, failures: [], passes: [], suiteErrors: [`jest wrote no results (exit ${result.status})`], output };
    }
    const json = JSON.parse(fs.readFileSync(outputFile, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      testResults: { name: string; status: string; message: string; assertionResults: { fullName: string; status: string }[] }[];
    };
    const relative = (file: string): string => path.relative(ROOT, file);
    return {
      passed: json.numPassedTests,
      failed: json.numFailedTests,
      failures: json.testResults.flatMap((suite) => suite.assertionResults
        .filter((test) => test.status === 'failed')
        .map((test) => `${relative(suite.name)} › ${test.fullName}`)),
      passes: json.testResults.flatMap((suite) => suite.assertionResults
        .filter((test) => test.status === 'passed')
        .map((test) => ({ file: relative(suite.name), fullName: test.fullName }))),
      suiteErrors: json.testResults
        .filter((suite) => suite.status === 'failed' && suite.assertionResults.length === 0)
        .map((suite) => `${relative(suite.name)}: ${suite.message.split('\n').find((line) => line.trim() !== '')?.trim() ?? 'failed to run'}`),
      output,
    };
  } finally {
    fs.rmSync(path.dirname(outputFile), { recursive: true, force: true });
  }
}

/** The child running now: a signal stops it before the source is restored. */
let child: ChildProcess | undefined;

/**
 * Runs a Node.js script in the project root. Not synchronous: a signal must reach its handler
 * while the child runs, so that the source is restored and the run stops at once.
 */
function node(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    let output = '';
    child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.once('error', reject);
    child.once('close', (status) => {
      child = undefined;
      resolve({ status, output });
    });
  });
}

async function bundle(): Promise<void> {
  const built = await node([path.join('scripts', 'bundle-handlers.mjs')]);
  if (built.status !== 0) {
    throw new Error(`bundling failed (node scripts/bundle-handlers.mjs): ${built.output.trim()}`);
  }
}

function describeTests(mutant: Mutant): string {
  return `${mutant.tests.join(', ')}${mutant.testName ? ` -t '${mutant.testName}'` : ''}`;
}

/** How many times the mutant's text occurs in its file: it applies when exactly once. */
export function occurrences(mutant: Mutant): number {
  return fs.readFileSync(path.join(ROOT, mutant.file), 'utf8').split(mutant.find).length - 1;
}

type Verdict = 'caught' | 'SURVIVED' | 'DID NOT RUN';

let restoreOnExit: (() => void) | undefined;

/** Applies one mutant, runs its tests, restores the file. */
async function check(mutant: Mutant): Promise<{ verdict: Verdict; detail: string }> {
  const file = path.join(ROOT, mutant.file);
  const original = fs.readFileSync(file, 'utf8');
  const { atime, mtime } = fs.statSync(file);
  // Back to the same text and the same times: a restored file that looked newer than the bundles
  // built from it would make every suite that runs assets/ report them stale.
  const restore = (): void => {
    fs.writeFileSync(file, original);
    fs.utimesSync(file, atime, mtime);
  };
  restoreOnExit = restore;
  try {
    fs.writeFileSync(file, original.replace(mutant.find, mutant.replace));
    if (mutant.bundled) {
      await bundle();
    }
    const run = await jest(mutant);
    if (run.failed > 0) {
      const more = run.failures.length > 1 ? ` (and ${run.failures.length - 1} more)` : '';
      return { verdict: 'caught', detail: `by ${run.failures[0]}${more}` };
    }
    if (run.suiteErrors.length > 0) {
      return { verdict: 'DID NOT RUN', detail: `its tests could not run: ${run.suiteErrors.join('; ')}` };
    }
    return { verdict: 'SURVIVED', detail: `${run.passed} tests passed: ${describeTests(mutant)}` };
  } finally {
    restore();
    restoreOnExit = undefined;
  }
}

/**
 * Runs the tests of `mutants` on the unmutated source, in as few jest runs as their environments
 * and name filters allow (jest's start-up is most of a short run). Returns the problems: a failing
 * test or a suite that cannot run, or a mutant whose files and name filter select no test.
 */
async function baseline(mutants: readonly Mutant[]): Promise<string[]> {
  const groups = new Map<string, Mutant[]>();
  for (const mutant of mutants) {
    // A file some mutant runs whole is run whole for all; the others under the union of the filters.
    const key = JSON.stringify([mutant.env ?? {}, mutant.bundled ?? false, mutant.testName === undefined]);
    groups.set(key, [...(groups.get(key) ?? []), mutant]);
  }
  const problems: string[] = [];
  for (const group of groups.values()) {
    const filters = [...new Set(group.flatMap((m) => (m.testName === undefined ? [] : [m.testName])))];
    const union: Mutant = {
      ...group[0],
      tests: [...new Set(group.flatMap((m) => m.tests))],
      testName: filters.length > 0 ? filters.map((f) => `(?:${f})`).join('|') : undefined,
    };
    const run = await jest(union);
    if (run.failed > 0 || run.suiteErrors.length > 0) {
      problems.push(`${describeTests(union)} fails on the unmutated source: ${[...run.failures, ...run.suiteErrors].join('; ')}`);
      continue;
    }
    for (const mutant of group) {
      // jest matches -t against the full name, case-insensitively.
      const pattern = new RegExp(mutant.testName ?? '', 'i');
      const selected = run.passes.filter((p) => mutant.tests.includes(p.file) && pattern.test(p.fullName));
      if (selected.length === 0) {
        problems.push(`${describeTests(mutant)} (mutant ${mutant.name}) runs no test: is the file or the name filter stale?`);
      }
    }
  }
  return problems;
}

async function main(argv: readonly string[]): Promise<number> {
  const flags = argv.filter((a) => a.startsWith('--'));
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknownFlag = flags.find((f) => !['--list', '--check', '--all'].includes(f));
  if (unknownFlag) {
    console.error(`unknown option ${unknownFlag}: expected --list, --check or --all`);
    return 1;
  }
  if (flags.includes('--list')) {
    for (const m of MUTANTS) {
      console.log(`${m.name}${m.bundled ? ' (bundled, not in CI)' : ''}\n  breaks:    ${m.breaks}\n  caught by: ${describeTests(m)}`);
    }
    return 0;
  }
  const unknown = names.filter((name) => !MUTANTS.some((m) => m.name === name));
  if (unknown.length > 0) {
    console.error(`unknown mutant "${unknown[0]}": expected one of ${MUTANTS.map((m) => m.name).join(', ')}`);
    return 1;
  }
  const chosen = names.length > 0
    ? MUTANTS.filter((m) => names.includes(m.name))
    : MUTANTS.filter((m) => flags.includes('--all') || flags.includes('--check') || !m.bundled);
  // A mutant that cannot be applied is an error, not a skip: the code it breaks moved or changed.
  const stale = chosen.filter((m) => occurrences(m) !== 1);
  for (const m of stale) {
    console.error(`NOT APPLICABLE ${m.name}: its text occurs ${occurrences(m)} times in ${m.file}, expected exactly once: update the mutant with the code it breaks`);
  }
  if (flags.includes('--check')) {
    console.log(`${chosen.length - stale.length} of ${chosen.length} mutants apply`);
    return stale.length === 0 ? 0 : 1;
  }
  if (stale.length > 0) {
    return 1;
  }
  const bundled = chosen.some((m) => m.bundled);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      child?.kill(signal);
      restoreOnExit?.();
      if (bundled) {
        console.error('stopped: the bundles in assets/ may be of a mutant; npm run build makes them again');
      }
      process.exit(128 + os.constants.signals[signal]);
    });
  }
  const started = Date.now();
  const seconds = (since: number): string => `${Math.round((Date.now() - since) / 100) / 10} s`;
  if (bundled) {
    // The bundled mutants' baseline runs the bundles of the unmutated source.
    await bundle();
  }
  const problems = await baseline(chosen);
  if (problems.length > 0) {
    problems.forEach((p) => console.error(`BASELINE FAILED ${p}`));
    console.error('no mutant was run: a test that fails without a mutant would read as catching it');
    return 1;
  }
  console.log(`baseline: the tests of ${chosen.length} mutants pass on the unmutated source (${seconds(started)})`);
  const results: Verdict[] = [];
  try {
    for (const mutant of chosen) {
      const at = Date.now();
      const { verdict, detail } = await check(mutant);
      console.log(`${verdict.padEnd(11)} ${mutant.name.padEnd(34)} ${detail} (${seconds(at)})`);
      results.push(verdict);
    }
  } finally {
    if (bundled) {
      // The bundles in assets/ are of the restored source again.
      await bundle();
    }
  }
  const caught = results.filter((v) => v === 'caught').length;
  console.log(`${caught} of ${results.length} mutants caught (${seconds(started)} in all)`);
  return caught === results.length ? 0 : 1;
}

// Run as a script; imported (by the test of the mutant list), it only defines the mutants.
if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }, (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
