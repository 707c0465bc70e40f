/**
 * The command line of `npm run local`: its commands, their options, and the usage text, read with
 * Node's `util.parseArgs` as the drift command's is (cli/args.ts). Adding an option is one entry
 * in {@link LOCAL_OPTIONS} and its name in the commands that take it; adding a command is one
 * entry in {@link LOCAL_COMMANDS} (and its case in local/cli.ts).
 */
import * as path from 'path';
import { parseArgs } from 'node:util';
import { argsProblem } from '../cli/parse-args';

/** One option of `npm run local`. */
interface LocalOption {
  readonly type: 'boolean' | 'string';
  readonly short?: string;
  /** Whether it may be given more than once, each value kept. */
  readonly multiple?: boolean;
  /** The value's placeholder in the usage, for an option that takes one. */
  readonly value?: string;
  /** What it does, for the usage. */
  readonly summary: string;
}

/** Every option, in the order the usage lists them; `help` and `version` apply to every command. */
export const LOCAL_OPTIONS = {
  verbose: { type: 'boolean', short: 'v', summary: 'print the handlers\' log lines under each event' },
  context: {
    type: 'string', short: 'c', multiple: true, value: 'KEY=VALUE',
    summary: 'context for cdk synth, as with cdk; e.g. -c memberStacks=false leaves the member stacks out (deploy only the administrator\'s)',
  },
  'fail-after': {
    type: 'string', value: 'RESOURCE',
    summary: 'fail the deploy right after RESOURCE (a logical id or construct path) succeeded, and watch CloudFormation\'s rollback keep the members that were there before',
  },
  'plan-only': {
    type: 'boolean',
    summary: 'print the plan (what the deploy would do to each member, as `plan` does) and stop there: nothing is deployed',
  },
  help: { type: 'boolean', short: 'h', summary: 'show this text' },
  version: { type: 'boolean', summary: 'print the package\'s version' },
} as const satisfies Record<string, LocalOption>;

/** The name of an option, as `--NAME`. */
export type LocalOptionName = keyof typeof LOCAL_OPTIONS;

/** The options every command takes. */
const GLOBAL_OPTIONS: readonly LocalOptionName[] = ['help', 'version'];

/** One command of `npm run local`. */
export interface LocalCommand {
  /** The command's name, as typed. */
  readonly name: string;
  /** Its arguments as the usage shows them. */
  readonly synopsis: string;
  /** What it does, for the usage. */
  readonly summary: string;
  /**
   * What its operands are: stack names (deploy, destroy), member account ids (resign, remove), at
   * least one of them when `required`; none when absent.
   */
  readonly operands?: { readonly kind: 'stack names' | 'account ids'; readonly required?: boolean };
  /** What only the clone's `npm run local` adds, appended to the summary in its usage alone. */
  readonly cloneNote?: string;
  /** Whether every argument after the command is handed on as it is, to the command it runs (drift). */
  readonly passesOn?: boolean;
  /** The options it accepts besides `--help` and `--version`. */
  readonly options: readonly LocalOptionName[];
}

/** Every command, in the order the usage lists them. */
export const LOCAL_COMMANDS: readonly LocalCommand[] = [
  {
    name: 'deploy',
    synopsis: 'deploy [STACK ...]',
    summary: 'deploy the app\'s stacks to the local Security Hub, in dependency order (the '
      + 'administrator\'s stack, then the member stacks), each as its own account; or only the named stacks',
    cloneNote: 'synthesizes bin/app.ts first, bundling the Lambda handlers when their sources changed',
    operands: { kind: 'stack names' },
    options: ['verbose', 'context', 'fail-after', 'plan-only'],
  },
  {
    name: 'plan',
    synopsis: 'plan [STACK ...]',
    summary: 'print what deploy would do to each member, account by account and region by region, against the local state, '
      + 'and change nothing (as `cdk-securityhub-members plan` does against AWS); exit 0 no change, 2 changes, '
      + '3 removals, 1 a deploy that would fail',
    cloneNote: 'synthesizes bin/app.ts first, as deploy does; deploy prints the same plan before it deploys',
    operands: { kind: 'stack names' },
    options: ['context'],
  },
  {
    name: 'destroy',
    synopsis: 'destroy [STACK ...]',
    summary: 'delete what deploy created, the last deployed stack first, or only the named stacks '
      + '(resources with removalPolicy RETAIN are left as they are); a stack is named by its name, or '
      + 'as ACCOUNT/REGION/NAME when stacks of that name are deployed in several accounts or regions',
    operands: { kind: 'stack names' },
    options: ['verbose'],
  },
  {
    name: 'status',
    synopsis: 'status',
    summary: 'print every member\'s status, per administrator and region',
    options: [],
  },
  {
    name: 'drift',
    synopsis: 'drift [FLAG ...]',
    summary: 'run `cdk-securityhub-members drift` (the bundled command) on the deployed app as its administrator; '
      + 'its flags are passed on, e.g. --json or --wait 2m',
    cloneNote: 'use `npm run --silent local -- drift --json` for JSON alone',
    passesOn: true,
    options: [],
  },
  {
    name: 'import',
    synopsis: 'import [FLAG ...]',
    summary: 'run `cdk-securityhub-members import` (the bundled command) as the app\'s administrator: prints '
      + 'the local Security Hub\'s members as a members list to declare; its flags are passed on, e.g. '
      + '--regions us-east-1,eu-west-1 or --format ts',
    cloneNote: 'the administrator is cdk.json\'s administratorAccount; use `npm run --silent local -- import` for the list alone',
    passesOn: true,
    options: [],
  },
  {
    name: 'audit',
    synopsis: 'audit [--repair]',
    summary: 'run the SecurityHubMembersAudit function of each deployed stack that has one, once, as its schedule would; '
      + 'prints the metric values, the drift event it put and, with --repair, the accounts it brought back',
    passesOn: true,
    options: [],
  },
  {
    name: 'resign',
    synopsis: 'resign ACCOUNT_ID ...',
    summary: 'make the member account leave its administrator, as the member would (status Resigned): drift to see with drift',
    operands: { kind: 'account ids', required: true },
    options: [],
  },
  {
    name: 'remove',
    synopsis: 'remove ACCOUNT_ID ...',
    summary: 'make the administrator disassociate the member account, as in the console (status Removed): drift to see with drift',
    operands: { kind: 'account ids', required: true },
    options: [],
  },
  {
    name: 'reset',
    synopsis: 'reset',
    summary: 'delete the local state (the local Security Hub, the deployed stacks, the synthesized app) to start over',
    options: [],
  },
  {
    name: 'help',
    synopsis: 'help',
    summary: 'show this text',
    options: [],
  },
];

/** The values of the options given; an option not given is absent. */
export type LocalOptionValues = {
  readonly [K in LocalOptionName]?: (typeof LOCAL_OPTIONS)[K] extends { multiple: true } ? readonly string[]
    : (typeof LOCAL_OPTIONS)[K]['type'] extends 'string' ? string : boolean;
};

/** What the command line asks for. */
export interface LocalArgs {
  /** The command, `help` when none was given or `--help` was, `version` for `--version`. */
  readonly command: string;
  /** The stack names given (deploy and destroy), or the account ids (resign and remove). */
  readonly operands: readonly string[];
  /** The arguments handed on as they are (drift). */
  readonly rest?: readonly string[];
  /** The options given. */
  readonly options: LocalOptionValues;
}

/** A command line that can't be run; the CLI prints its message as one line and exits 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const PARSE_OPTIONS = Object.fromEntries(Object.entries(LOCAL_OPTIONS).map(([name, o]) => [name, {
  type: o.type,
  ...('short' in o ? { short: o.short } : {}),
  ...('multiple' in o ? { multiple: o.multiple } : {}),
}])) as Record<LocalOptionName, { type: 'boolean' | 'string'; short?: string; multiple?: boolean }>;

/**
 * Reads the arguments after `npm run local --`.
 *
 * @throws UsageError naming an unknown command, an unknown option, an option the command does not
 * take, a malformed `-c`, operands given to a command that takes none, or missing ones
 */
export function parseLocalArgs(argv: readonly string[]): LocalArgs {
  const passOn = LOCAL_COMMANDS.find((c) => c.passesOn && c.name === argv[0]);
  if (passOn) {
    // The command it runs reads them, and names what it does not know.
    const rest = argv.slice(1);
    return rest.length === 1 && (rest[0] === '--help' || rest[0] === '-h')
      ? { command: 'help', operands: [], options: {} }
      : { command: passOn.name, operands: [], rest, options: {} };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: PARSE_OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw new UsageError(describeParseError(error as Error, argv));
  }
  const options = parsed.values as LocalOptionValues;
  const [name, ...operands] = parsed.positionals;
  if (options.version && !options.help) {
    return { command: 'version', operands: [], options: {} };
  }
  if (options.help || name === undefined || name === 'help') {
    return { command: 'help', operands: [], options: {} };
  }
  const command = LOCAL_COMMANDS.find((c) => c.name === name);
  if (!command) {
    throw new UsageError(`unknown command "${name}": expected one of ${LOCAL_COMMANDS.map((c) => c.name).join(', ')}`);
  }
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') {
      continue;
    }
    if (!GLOBAL_OPTIONS.includes(token.name as LocalOptionName) && !command.options.includes(token.name as LocalOptionName)) {
      throw new UsageError(`option "${token.rawName}" does not apply to ${command.name}: expected ${optionNames(command)}`);
    }
    if (token.name === 'context' && !/^[^=\s]+=/.test(token.value ?? '')) {
      throw new UsageError(`option "${token.rawName}" needs KEY=VALUE, got "${token.value}": for example -c memberStacks=false`);
    }
  }
  if (!command.operands && operands.length > 0) {
    throw new UsageError(`${command.name} takes no stack names or other arguments, got "${operands[0]}"`);
  }
  if (command.operands?.required && operands.length === 0) {
    throw new UsageError(`${command.name} needs ${command.operands.kind}: expected ${command.synopsis}`);
  }
  return { command: command.name, operands, options };
}

/** The options only the installed command takes, each given before or after the command. */
export const INSTALLED_OPTIONS = {
  app: { value: 'DIR', summary: 'the synthesized app to rehearse, the folder cdk synth wrote' },
  organization: {
    value: 'ID,ID...',
    summary: 'the member accounts the local Security Hub plays as the administrator\'s organization (enabled, no invitation), '
      + 'as the sample app\'s organizationAccounts context does',
  },
} as const;

/** The app the installed command reads when `--app` is not given: where `cdk synth` writes. */
export const DEFAULT_APP = 'cdk.out';

/** What the installed command's own options say, and the arguments left for the local command line. */
export interface InstalledArgs {
  /** The app folder: the last `--app` given, as a repeated flag is read; {@link DEFAULT_APP} when none. */
  readonly app: string;
  /** The accounts given with `--organization`, as given; undefined when not given. */
  readonly organization?: string;
  /** The other arguments, in their order. */
  readonly rest: string[];
}

/**
 * Takes the installed command's own options (`--app DIR`, `--organization IDS`, or `--NAME=VALUE`)
 * out of its arguments, wherever they stand, so that every command, those that pass their
 * arguments on included, reads the same app.
 *
 * @throws UsageError when such an option has no value
 */
export function takeInstalledOptions(argv: readonly string[]): InstalledArgs {
  const values: Partial<Record<keyof typeof INSTALLED_OPTIONS, string>> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = (Object.keys(INSTALLED_OPTIONS) as (keyof typeof INSTALLED_OPTIONS)[])
      .find((n) => argv[i] === `--${n}` || argv[i].startsWith(`--${n}=`));
    if (name === undefined) {
      rest.push(argv[i]);
      continue;
    }
    const inline = argv[i].startsWith(`--${name}=`);
    const value = inline ? argv[i].slice(name.length + 3) : argv[i + 1];
    if (value === undefined || value === '' || (!inline && value.startsWith('-'))) {
      throw new UsageError(`option "--${name}" needs ${INSTALLED_OPTIONS[name].value}, got ${value === undefined || value === '' ? 'nothing' : `"${value}"`}: ${INSTALLED_OPTIONS[name].summary}`);
    }
    values[name] = value;
    i += inline ? 0 : 1;
  }
  return { app: values.app ?? DEFAULT_APP, ...(values.organization !== undefined ? { organization: values.organization } : {}), rest };
}

/** The context pairs given with `-c`, as `cdk synth` takes them: `--context KEY=VALUE ...`. */
export function synthContextArgs(args: LocalArgs): string[] {
  return (args.options.context ?? []).flatMap((pair) => ['--context', pair]);
}

/** The value given with `-c KEY=...` for `key`, the last one when given twice (as cdk takes it); undefined when not given. */
export function contextValue(args: LocalArgs, key: string): string | undefined {
  const pair = [...(args.options.context ?? [])].reverse().find((p) => p.startsWith(`${key}=`));
  return pair?.slice(key.length + 1);
}

/** How the usage names the command line, and the app it reads. */
export interface LocalUsageOptions {
  /**
   * The command line as typed before the command.
   * @default 'npm run local --'
   */
  readonly invocation?: string;
  /**
   * The synthesized app the commands read when it is the user's own, given with `--app DIR`; `-c`
   * is then left out, as there is no synth to take it.
   * @default - the clone's: `-c` and no `--app`
   */
  readonly app?: string;
}

/**
 * The usage text.
 *
 * @param stateDir where the local state is kept, shown relative to the working directory
 */
export function localUsage(stateDir: string, usage: LocalUsageOptions = {}): string {
  const invocation = usage.invocation ?? 'npm run local --';
  const width = Math.max(...LOCAL_COMMANDS.map((c) => c.synopsis.length));
  const summary = (c: LocalCommand): string => (usage.app === undefined && c.cloneNote ? `${c.summary} (${c.cloneNote})` : c.summary);
  const commands = LOCAL_COMMANDS.map((c) => `  ${c.synopsis.padEnd(width)}  ${wrap(summary(c), 100 - width - 4).join(`\n  ${' '.repeat(width)}  `)}`);
  const flags = (Object.entries(LOCAL_OPTIONS) as [LocalOptionName, LocalOption][]).filter(([name]) => usage.app === undefined || name !== 'context').map(([name, o]) => {
    const spelled = `${'short' in o && o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`;
    const users = LOCAL_COMMANDS.filter((c) => c.options.includes(name)).map((c) => c.name);
    return [spelled, `${users.length > 0 ? `(${users.join(', ')}) ` : ''}${o.summary}`] as const;
  });
  if (usage.app !== undefined) {
    flags.unshift(
      ['    --app DIR', `(every command) ${INSTALLED_OPTIONS.app.summary} (default ${DEFAULT_APP}; now ${path.relative(process.cwd(), usage.app) || '.'})`],
      [`    --organization ${INSTALLED_OPTIONS.organization.value}`, `(deploy) ${INSTALLED_OPTIONS.organization.summary}`],
    );
  }
  const flagWidth = Math.max(...flags.map(([spelled]) => spelled.length));
  return [
    `Usage: ${invocation} <command> [options]`,
    '',
    'Commands:',
    ...commands,
    '',
    'Options:',
    ...flags.map(([spelled, summary]) => `  ${spelled.padEnd(flagWidth)}  ${wrap(summary, 100 - flagWidth - 4).join(`\n  ${' '.repeat(flagWidth)}  `)}`),
    '',
    `State is kept in ${path.relative(process.cwd(), stateDir) || '.'} (set SECURITYHUB_LOCAL_DIR to move it).`,
  ].join('\n');
}

/** The options a command takes, as the user would type them. */
function optionNames(command: LocalCommand): string {
  return [...command.options, ...GLOBAL_OPTIONS].map((name) => {
    const option: LocalOption = LOCAL_OPTIONS[name];
    return `--${name}${option.value ? ` ${option.value}` : ''}`;
  }).join(', ');
}

/** What parseArgs refused, in this command line's words, naming the option as it was typed. */
function describeParseError(error: Error, argv: readonly string[]): string {
  const command = LOCAL_COMMANDS.find((c) => argv.includes(c.name));
  const problem = argsProblem(argv, PARSE_OPTIONS);
  switch (problem?.kind) {
    case 'unknown':
      return command
        ? `unknown option "${problem.flag}" for ${command.name}: expected ${optionNames(command)}`
        : `unknown option "${problem.flag}": expected a command first (${LOCAL_COMMANDS.map((c) => c.name).join(', ')}), or --help or --version`;
    case 'missing-value': {
      const option: LocalOption | undefined = problem.name in LOCAL_OPTIONS ? LOCAL_OPTIONS[problem.name as LocalOptionName] : undefined;
      return `option "${problem.flag}" needs ${option?.value ?? 'a value'}, got nothing${problem.name === 'context' ? ': for example -c memberStacks=false' : ''}`;
    }
    case 'unexpected-value':
      return `option "${problem.flag}" takes no value: expected ${problem.flag} alone`;
    default:
      return error.message.split('\n')[0];
  }
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return line ? [...lines, line] : lines;
}
