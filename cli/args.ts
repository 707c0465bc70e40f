/** The command line of `cdk-securityhub-members`. */
import { parseArgs } from 'node:util';
import { CommandError } from './errors';

/** The command's name, as installed by the package's `bin` entry. */
export const COMMAND = 'cdk-securityhub-members';

/** The usage text of `--help`. */
export const USAGE = `Usage: ${COMMAND} drift [--app DIR] [--json] [--wait DURATION] [--role-arn-template ARN]
       ${COMMAND} --version

Tells whether Security Hub matches the SecurityHubMembers declarations of a synthesized CDK app,
without changing anything (read-only calls: DescribeHub, GetMembers, ListMembers).

Options:
  --app DIR                  the cloud assembly to read (default cdk.out); CDK Pipelines stages included
  --json                     print one JSON document on stdout and nothing else
  --wait DURATION            poll until every invited member is Enabled, e.g. 90s, 30m, 1h30m;
                             when the time runs out, report the drift and exit 2
  --role-arn-template ARN    read each administrator account with a role assumed in it,
                             e.g. arn:aws:iam::{account}:role/SecurityHubAudit
  --version                  print the package's version
  --help                     show this text

Exit codes: 0 every declared account is in sync, 2 drift, 1 error (bad input, unreadable
declaration, refused credentials).`;

/** What the command line asks for. */
export type Command =
  | { readonly command: 'help' }
  | { readonly command: 'version' }
  | {
    readonly command: 'drift';
    /** The cloud assembly directory. */
    readonly app: string;
    readonly json: boolean;
    /** How long to wait for invited members to be Enabled, in seconds; undefined: no waiting. */
    readonly waitSeconds?: number;
    /** An IAM role ARN with `{account}` in it. */
    readonly roleArnTemplate?: string;
  };

const OPTIONS = {
  app: { type: 'string' },
  json: { type: 'boolean' },
  wait: { type: 'string' },
  'role-arn-template': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/**
 * Reads the command line.
 *
 * @param argv the arguments after the command's name
 * @throws CommandError naming the unknown command, the unknown flag or the bad value
 */
export function parseCommandLine(argv: readonly string[]): Command {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CommandError(describeParseError(error as Error & { code?: string }));
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') {
    return { command: 'help' };
  }
  if (values.version) {
    return { command: 'version' };
  }
  const [command, ...extra] = positionals;
  if (command === undefined) {
    throw new CommandError(`missing command: expected "${COMMAND} drift" (see --help)`);
  }
  if (command !== 'drift') {
    throw new CommandError(`unknown command "${command}": expected drift`);
  }
  if (extra.length > 0) {
    throw new CommandError(`unexpected argument "${extra[0]}": drift takes only flags (see --help)`);
  }
  const roleArnTemplate = values['role-arn-template'];
  if (roleArnTemplate !== undefined && (!roleArnTemplate.startsWith('arn:') || !roleArnTemplate.includes('{account}'))) {
    throw new CommandError(`invalid --role-arn-template "${roleArnTemplate}": expected an IAM role ARN with {account} in it, e.g. arn:aws:iam::{account}:role/SecurityHubAudit`);
  }
  const app = values.app ?? 'cdk.out';
  if (app === '') {
    throw new CommandError('invalid --app "": expected the directory cdk synth wrote, e.g. cdk.out');
  }
  return {
    command: 'drift',
    app,
    json: values.json === true,
    ...(values.wait !== undefined ? { waitSeconds: parseDuration(values.wait) } : {}),
    ...(roleArnTemplate !== undefined ? { roleArnTemplate } : {}),
  };
}

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/**
 * Seconds in a duration such as `90s`, `30m`, `1h` or `1h30m`.
 *
 * @throws CommandError naming the value
 */
export function parseDuration(raw: string): number {
  const match = DURATION.exec(raw.trim());
  const seconds = match && raw.trim() !== '' ? Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0) : NaN;
  if (!(seconds > 0)) {
    throw new CommandError(`invalid --wait "${raw}": expected a duration such as 90s, 30m or 1h30m`);
  }
  return seconds;
}

/** Node's parseArgs messages, in this command's words, naming the flag. */
function describeParseError(error: Error & { code?: string }): string {
  const flag = /'([^']+)'/.exec(error.message)?.[1]?.split(/[ ,]/)[0] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag "${flag}": expected --app, --json, --wait, --role-arn-template, --version or --help`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(error.message)
        ? `flag "${flag}" needs a value: expected ${flag} VALUE`
        : `flag "${flag}" takes no value: expected ${flag} alone`;
    default:
      return error.message.split('\n')[0];
  }
}
