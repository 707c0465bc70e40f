/** The command line of `npm run local`: its commands, their options, and the usage text. */
import * as path from 'path';

/** One command of `npm run local`. */
export interface LocalCommand {
  /** The command's name, as typed. */
  readonly name: string;
  /** Its arguments as the usage shows them. */
  readonly synopsis: string;
  /** What it does, for the usage. */
  readonly summary: string;
  /** Whether it takes operands: stack names (deploy, destroy), or member account ids (resign, remove). */
  readonly takesStacks: boolean;
  /** Whether every argument after the command is handed on as it is, to the command it runs (drift). */
  readonly passesOn?: boolean;
  /** The options it accepts besides `--help`. */
  readonly options: ReadonlyArray<'verbose' | 'context' | 'failAfter'>;
}

/** Every command, in the order the usage lists them. */
export const LOCAL_COMMANDS: readonly LocalCommand[] = [
  {
    name: 'deploy',
    synopsis: 'deploy [STACK ...]',
    summary: 'synthesize bin/app.ts and deploy its stacks to the local Security Hub, in dependency order (the '
      + 'administrator\'s stack, then the member stacks), each as its own account; or only the named stacks. '
      + 'Bundles the Lambda handlers first when their sources changed',
    takesStacks: true,
    options: ['verbose', 'context', 'failAfter'],
  },
  {
    name: 'destroy',
    synopsis: 'destroy [STACK ...]',
    summary: 'delete what deploy created, the last deployed stack first, or only the named stacks '
      + '(resources with removalPolicy RETAIN are left as they are)',
    takesStacks: true,
    options: ['verbose'],
  },
  {
    name: 'status',
    synopsis: 'status',
    summary: 'print every member\'s status, per administrator and region',
    takesStacks: false,
    options: [],
  },
  {
    name: 'drift',
    synopsis: 'drift [FLAG ...]',
    summary: 'run `cdk-securityhub-members drift` (the bundled command) on the deployed app as its administrator; '
      + 'its flags are passed on, e.g. --json or --wait 2m',
    takesStacks: false,
    passesOn: true,
    options: [],
  },
  {
    name: 'resign',
    synopsis: 'resign ACCOUNT_ID ...',
    summary: 'make the member account leave its administrator, as the member would (status Resigned): drift to see with drift',
    takesStacks: true,
    options: [],
  },
  {
    name: 'remove',
    synopsis: 'remove ACCOUNT_ID ...',
    summary: 'make the administrator disassociate the member account, as in the console (status Removed): drift to see with drift',
    takesStacks: true,
    options: [],
  },
  {
    name: 'reset',
    synopsis: 'reset',
    summary: 'delete the local state (the local Security Hub, the deployed stacks, the synthesized app) to start over',
    takesStacks: false,
    options: [],
  },
  {
    name: 'help',
    synopsis: 'help',
    summary: 'show this text',
    takesStacks: false,
    options: [],
  },
];

/** What the command line asks for. */
export interface LocalArgs {
  /** The command, or `help` when none was given or `--help` was. */
  readonly command: string;
  /** The stack names given (deploy and destroy), or the account ids (resign and remove). */
  readonly stacks: readonly string[];
  /** The arguments handed on as they are (drift). */
  readonly rest?: readonly string[];
  /** Context for `cdk synth`, as `--context KEY=VALUE` pairs ready to pass on. */
  readonly context: readonly string[];
  /** Whether to print the handlers' log lines. */
  readonly verbose: boolean;
  /** deploy: make the deploy fail right after this resource succeeded (`--fail-after`). */
  readonly failAfter?: string;
}

/** A command line that can't be run; the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Reads the arguments after `npm run local --`.
 *
 * @throws UsageError naming an unknown command, an unknown option, an option the command does not
 * take, a malformed `-c`, or stack names given to a command that takes none
 */
export function parseLocalArgs(argv: readonly string[]): LocalArgs {
  const args = [...argv];
  const first = args.shift();
  if (first === undefined || first === '--help' || first === '-h') {
    return { command: 'help', stacks: [], context: [], verbose: false };
  }
  const command = LOCAL_COMMANDS.find((c) => c.name === first);
  if (!command) {
    throw new UsageError(first.startsWith('-')
      ? `unknown option "${first}" before the command: expected a command first (${commandNames()})`
      : `unknown command "${first}": expected one of ${commandNames()}`);
  }
  if (command.passesOn) {
    // The command it runs reads them, and names what it does not know.
    return args.some((a) => a === '--help' || a === '-h') && args.length === 1
      ? { command: 'help', stacks: [], context: [], verbose: false }
      : { command: command.name, stacks: [], context: [], verbose: false, rest: args };
  }
  const stacks: string[] = [];
  const context: string[] = [];
  let verbose = false;
  let failAfter: string | undefined;
  let help = false;
  const allow = (option: 'verbose' | 'context' | 'failAfter', flag: string): void => {
    if (!command.options.includes(option)) {
      throw new UsageError(`option "${flag}" does not apply to ${command.name}`);
    }
  };
  while (args.length > 0) {
    const arg = args.shift()!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    if (flag === '--help' || flag === '-h') {
      help = true;
    } else if (flag === '--verbose' || flag === '-v') {
      allow('verbose', flag);
      verbose = true;
    } else if (flag === '--context' || flag === '-c') {
      allow('context', flag);
      const pair = inline ?? args.shift();
      if (pair === undefined || !/^[^=\s]+=/.test(pair)) {
        throw new UsageError(`option "${flag}" needs KEY=VALUE, got ${pair === undefined ? 'nothing' : `"${pair}"`}: for example -c memberStacks=false`);
      }
      context.push('--context', pair);
    } else if (flag === '--fail-after') {
      allow('failAfter', flag);
      const name = inline ?? args.shift();
      if (name === undefined || name === '' || name.startsWith('-')) {
        throw new UsageError(`option "${flag}" needs a resource's logical id or construct path, got ${name === undefined ? 'nothing' : `"${name}"`}: for example --fail-after Members`);
      }
      failAfter = name;
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option "${arg}" for ${command.name}: expected ${optionNames(command)}`);
    } else if (command.takesStacks) {
      stacks.push(arg);
    } else {
      throw new UsageError(`${command.name} takes no stack names or other arguments, got "${arg}"`);
    }
  }
  return help
    ? { command: 'help', stacks: [], context: [], verbose: false }
    : { command: command.name, stacks, context, verbose, ...(failAfter !== undefined ? { failAfter } : {}) };
}

/**
 * The usage text.
 *
 * @param stateDir where the local state is kept, shown relative to the working directory
 */
export function localUsage(stateDir: string): string {
  const width = Math.max(...LOCAL_COMMANDS.map((c) => c.synopsis.length));
  const commands = LOCAL_COMMANDS.map((c) => `  ${c.synopsis.padEnd(width)}  ${wrap(c.summary, 100 - width - 4).join(`\n  ${' '.repeat(width)}  `)}`);
  return [
    'Usage: npm run local -- <command> [options]',
    '',
    'Commands:',
    ...commands,
    '',
    'Options:',
    '  -v, --verbose            (deploy, destroy) print the handlers\' log lines under each event',
    '  -c, --context KEY=VALUE  (deploy) context for cdk synth, as with cdk; e.g. -c memberStacks=false leaves',
    '                           the member stacks out (deploy only the administrator\'s)',
    '  --fail-after RESOURCE    (deploy) fail the deploy right after RESOURCE (logical id or construct path)',
    '                           succeeded, and watch CloudFormation\'s rollback keep the members that were there before',
    '  -h, --help               show this text',
    '',
    `State is kept in ${path.relative(process.cwd(), stateDir) || '.'} (set SECURITYHUB_LOCAL_DIR to move it).`,
  ].join('\n');
}

function commandNames(): string {
  return LOCAL_COMMANDS.map((c) => c.name).join(', ');
}

function optionNames(command: LocalCommand): string {
  const names = command.options.map((o) => (o === 'verbose' ? '--verbose' : o === 'context' ? '-c KEY=VALUE' : '--fail-after RESOURCE'));
  return [...names, '--help'].join(', ');
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
