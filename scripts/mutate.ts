/**
 * Mutation check of the members handler: applies, one at a time, a few deliberate breakages of
 * the handler's source that the lifecycle rules of docs/design.md forbid, rebuilds the bundles,
 * runs the jest files that should catch each one, and reports whether they did. The source is
 * restored after every mutant (also on Ctrl-C), and the bundles are rebuilt from it at the end.
 *
 *   npx tsx scripts/mutate.ts            every mutant
 *   npx tsx scripts/mutate.ts NAME...    the named ones (see --list)
 *   npx tsx scripts/mutate.ts --list     the mutants, with the rule each breaks
 *   npx tsx scripts/mutate.ts --check    whether each mutant's text is still in the source, once
 *
 * Exit code 0 when every mutant run was caught, 1 when one was missed or could not be applied (its
 * text is no longer in the source: update the mutant with the code).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/** One deliberate breakage: `find` (which must occur exactly once) is replaced in `file`. */
interface Mutant {
  readonly name: string;
  /** What it breaks, with the rule of docs/design.md. */
  readonly breaks: string;
  readonly file: string;
  readonly find: string;
  readonly replace: string;
  /** The jest files expected to catch it. */
  readonly tests: readonly string[];
  /** More jest arguments (a test name filter) and environment, to keep the run short. */
  readonly jestArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

const MUTANTS: readonly Mutant[] = [
  {
    name: 'second-invitation',
    breaks: 'an Invited account is invited again (status table, rule R5)',
    file: 'lambda/members/planner.ts',
    find: "    case 'Resigned':\n      return { create: false, invite, skip: false };\n    case 'Invited':\n",
    replace: "    case 'Resigned':\n    case 'Invited':\n      return { create: false, invite, skip: false };\n",
    tests: ['test/lambda/members/planner.test.ts', 'test/lambda/members/handler.test.ts'],
  },
  {
    name: 'blind-invite-retry',
    breaks: 'a failed InviteMembers is retried without re-reading the batch (rule R5)',
    file: 'lambda/members/hub.ts',
    find: 'const notYet = pending.filter((id) => !isInvitedOrEnabled(statuses.get(id)));',
    replace: 'const notYet = [...pending];',
    tests: ['test/lambda/members/handler.test.ts'],
  },
  {
    name: 'removals-first',
    breaks: 'removals run before additions, and after a failed addition (rule R2)',
    file: 'lambda/members/reconcile.ts',
    find: '    const additionFailures = (await Promise.all(runs.map(addMembers))).flat();',
    replace: '    const early = (await Promise.all(runs.map((run) => removeAccounts(run.hub, run.plan, run.states, run.failed)))).flat();\n' +
      '    const additionFailures = [...early, ...(await Promise.all(runs.map(addMembers))).flat()];',
    tests: ['test/lambda/members/handler.test.ts'],
  },
  {
    name: 'undo-pre-existing',
    breaks: 'the undo of a failed event also removes accounts that were members before it (rule R3)',
    file: 'lambda/members/reconcile.ts',
    find: 'accountIds: run.plan.create.map((m) => m.accountId) })',
    replace: 'accountIds: [...run.plan.create.map((m) => m.accountId), ...run.plan.invite, ...run.plan.unchanged] })',
    tests: ['test/lambda/members/handler.test.ts'],
  },
  {
    name: 'delete-without-disassociate',
    breaks: 'an Invited or Enabled account is deleted without DisassociateMembers first (removal table)',
    file: 'lambda/members/planner.ts',
    find: "      return 'disassociate-and-delete';\n    case 'NotMember':",
    replace: "      return 'delete';\n    case 'NotMember':",
    tests: ['test/lambda/members/planner.test.ts', 'test/lambda/members/handler.test.ts'],
  },
  {
    name: 'already-a-member-fails',
    breaks: 'CreateMembers answering "already a member" fails the event (rules R5 and R7)',
    file: 'lambda/members/hub.ts',
    find: '(status) => normalizeStatus(status) !== \'NotMember\')).failures;',
    replace: '() => false)).failures;',
    tests: ['test/lambda/members/handler.test.ts'],
  },
  {
    name: 'not-a-member-fails',
    breaks: 'a retried DisassociateMembers answering "not a member" fails the removal (rules R5 and R6)',
    file: 'lambda/members/hub.ts',
    find: '          .filter((id) => isInvitedOrEnabled(statuses.get(id)))\n',
    replace: '          .filter(() => true)\n',
    tests: ['test/lambda/members/handler.test.ts'],
  },
  {
    name: 'undeclared-touched',
    breaks: 'an account outside the old and new declarations is read and removed (rule R1)',
    file: 'lambda/members/planner.ts',
    find: '  return [...new Set([...target.declared.map((m) => m.accountId), ...target.previous])];',
    replace: "  return [...new Set([...target.declared.map((m) => m.accountId), ...target.previous, '777777777777'])];",
    // The lifecycle property checks every call for an account outside D ∪ P; 20 lifecycles suffice.
    tests: ['test/e2e/faults-property.test.ts'],
    jestArgs: ['-t', 'the lifecycle under random faults'],
    env: { LIFECYCLE_RUNS: '20' },
  },
];

/** Runs a command in the project root; returns whether it exited 0, and its output. */
function run(command: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function bundle(): void {
  const built = run(process.execPath, [path.join('scripts', 'bundle-handlers.mjs')]);
  if (!built.ok) {
    throw new Error(`bundling failed (node scripts/bundle-handlers.mjs): ${built.output.trim()}`);
  }
}

type Verdict = 'caught' | 'MISSED' | 'NOT APPLIED';

/** Applies one mutant, runs its tests, restores the file. */
function check(mutant: Mutant): { verdict: Verdict; detail: string } {
  const file = path.join(ROOT, mutant.file);
  const original = fs.readFileSync(file, 'utf8');
  const occurrences = original.split(mutant.find).length - 1;
  if (occurrences !== 1) {
    return { verdict: 'NOT APPLIED', detail: `its text occurs ${occurrences} times in ${mutant.file}: expected exactly once` };
  }
  restoreOnExit = () => fs.writeFileSync(file, original);
  try {
    fs.writeFileSync(file, original.replace(mutant.find, mutant.replace));
    bundle();
    const jest = run(process.execPath, [path.join('node_modules', 'jest', 'bin', 'jest.js'), '--selectProjects', 'latest', '--silent', ...(mutant.jestArgs ?? []), ...mutant.tests], mutant.env);
    const summary = jest.output.split('\n').find((line) => line.startsWith('Tests:'))?.trim() ?? 'no jest summary';
    return { verdict: jest.ok ? 'MISSED' : 'caught', detail: summary };
  } finally {
    fs.writeFileSync(file, original);
    restoreOnExit = undefined;
  }
}

let restoreOnExit: (() => void) | undefined;

function main(argv: readonly string[]): number {
  if (argv.includes('--list')) {
    MUTANTS.forEach((m) => console.log(`${m.name.padEnd(28)} ${m.breaks}`));
    return 0;
  }
  if (argv.includes('--check')) {
    const stale = MUTANTS.filter((m) => fs.readFileSync(path.join(ROOT, m.file), 'utf8').split(m.find).length !== 2);
    stale.forEach((m) => console.log(`NOT APPLICABLE ${m.name}: its text does not occur exactly once in ${m.file}`));
    console.log(`${MUTANTS.length - stale.length} of ${MUTANTS.length} mutants apply`);
    return stale.length === 0 ? 0 : 1;
  }
  const unknown = argv.filter((name) => !MUTANTS.some((m) => m.name === name));
  if (unknown.length > 0) {
    console.error(`unknown mutant "${unknown[0]}": expected one of ${MUTANTS.map((m) => m.name).join(', ')}`);
    return 1;
  }
  const chosen = argv.length > 0 ? MUTANTS.filter((m) => argv.includes(m.name)) : MUTANTS;
  process.once('SIGINT', () => {
    restoreOnExit?.();
    process.exit(130);
  });
  const results: { mutant: Mutant; verdict: Verdict }[] = [];
  try {
    for (const mutant of chosen) {
      const started = Date.now();
      const { verdict, detail } = check(mutant);
      console.log(`${verdict.padEnd(11)} ${mutant.name.padEnd(28)} ${detail} (${Math.round((Date.now() - started) / 1000)} s; ${mutant.tests.join(', ')})`);
      results.push({ mutant, verdict });
    }
  } finally {
    // The bundles in assets/ are of the restored source again.
    bundle();
  }
  const caught = results.filter((r) => r.verdict === 'caught').length;
  console.log(`${caught} of ${results.length} mutants caught`);
  return caught === results.length ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
