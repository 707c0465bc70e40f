/**
 * The decision script SecurityHubMembersPlanStep's CodeBuild project runs after
 * `cdk-securityhub-members plan --json` (bundled into assets/plan-decision/index.js):
 *
 *   node plan-decision.js --exit-code N --plan plan.json|- [--fail-on-removals]
 *     [--exports-file decision.env] [--notification-file notification.txt]
 *
 * It prints the decision and the members to be removed in the build log, writes the variables the
 * buildspec exports to CodePipeline (DECISION, MESSAGE, REMOVALS) as a file the shell sources, and
 * the notification's text when a person is asked. It exits 0 when the stage may go on (approved,
 * or waiting for a person) and 1 when the step must fail.
 */
import * as fs from 'fs';
import { approvalMessage, decide, describeRemovals, PlanDocument } from './decide';

/** What the script touches, replaced in tests. */
export interface DecisionIo {
  /** Reads a file, or standard input for `-`. */
  readonly readFile: (file: string) => string;
  readonly writeFile: (file: string, text: string) => void;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

/**
 * The script's arguments. `--exports-file` is not called `--env-file`: Node.js 20 takes that flag
 * for itself even after the script's name.
 */
interface DecisionArgs {
  readonly exitCode: number;
  readonly plan: string;
  readonly failOnRemovals: boolean;
  readonly exportsFile?: string;
  readonly notificationFile?: string;
}

/** A bad command line: the step fails, since no decision can be made. */
export class DecisionUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecisionUsageError';
  }
}

function parseArgs(argv: string[]): DecisionArgs {
  const values = new Map<string, string>();
  let failOnRemovals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--fail-on-removals') {
      failOnRemovals = true;
    } else if (['--exit-code', '--plan', '--exports-file', '--notification-file'].includes(arg) && i + 1 < argv.length) {
      values.set(arg, argv[++i]);
    } else {
      throw new DecisionUsageError(`unknown argument "${arg}": expected --exit-code N --plan FILE [--fail-on-removals] [--exports-file FILE] [--notification-file FILE]`);
    }
  }
  const exitCode = values.get('--exit-code');
  if (exitCode === undefined || !/^\d+$/.test(exitCode)) {
    throw new DecisionUsageError(`invalid --exit-code "${exitCode ?? ''}": expected the plan's exit code, a whole number`);
  }
  return {
    exitCode: Number(exitCode),
    plan: values.get('--plan') ?? '-',
    failOnRemovals,
    exportsFile: values.get('--exports-file'),
    notificationFile: values.get('--notification-file'),
  };
}

/** Single-quotes a value for a POSIX shell: the file is sourced, so nothing in it may run. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, '\'\\\'\'')}'`;
}

/** Parses the plan's stdout: one JSON document, or undefined when there is none (exit 1 may print none). */
function parsePlan(text: string): PlanDocument | undefined {
  if (text.trim() === '') {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as PlanDocument : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the script; returns its exit code. */
export function runDecision(argv: string[], io: DecisionIo): number {
  let args: DecisionArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    io.stderr(`plan-decision: ${(error as Error).message}`);
    return 1;
  }
  const plan = parsePlan(io.readFile(args.plan));
  const result = decide(args.exitCode, plan, { failOnRemovals: args.failOnRemovals });
  const removals = describeRemovals(result.removals);
  io.stdout(`Security Hub members plan: ${result.decision} (${result.reason})`);
  for (const line of removals) {
    io.stdout(`  to be removed: ${line}`);
  }
  const message = approvalMessage(result);
  if (args.exportsFile !== undefined) {
    io.writeFile(args.exportsFile, [
      `export DECISION=${shellQuote(result.decision)}`,
      `export MESSAGE=${shellQuote(message)}`,
      `export REMOVALS=${shellQuote(result.removals.map((r) => r.accountId).join(','))}`,
      '',
    ].join('\n'));
  }
  if (args.notificationFile !== undefined && result.decision === 'wait') {
    io.writeFile(args.notificationFile, [
      'A deploy of Security Hub members would remove these member accounts:',
      '',
      ...removals.map((line) => `  ${line}`),
      '',
      'Review the plan in the build log, then approve or reject in CodePipeline to go on.',
      '',
    ].join('\n'));
  }
  return result.decision === 'fail' ? 1 : 0;
}

/* istanbul ignore next: the process entry; tests call runDecision */
if (require.main === module) {
  process.exitCode = runDecision(process.argv.slice(2), {
    // Descriptor 0 rather than /dev/stdin, which cannot be opened when stdin is a socket.
    readFile: (file) => fs.readFileSync(file === '-' ? 0 : file, 'utf8'),
    writeFile: (file, text) => fs.writeFileSync(file, text),
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  });
}
