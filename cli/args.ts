/** The command line of `cdk-securityhub-members`. */
import { parseArgs } from 'node:util';
import { validateRegions } from '../lib/shared/validation';
import { CommandError } from './errors';
import { argsProblem } from './parse-args';

/** The command's name, as installed by the package's `bin` entry. */
export const COMMAND = 'cdk-securityhub-members';

/**
 * The command that rehearses a synthesized app against a local Security Hub; everything after it
 * is the local command line's (local/cli-args.ts), not this parser's.
 */
export const LOCAL_COMMAND = 'local';

/** The usage text of `--help`. */
export const USAGE = `Usage: ${COMMAND} drift [--app DIR] [--json] [--wait DURATION] [--role-arn-template ARN]
       ${COMMAND} plan [--app DIR] [--json] [--role-arn-template ARN]
       ${COMMAND} import [--regions r1,r2] [--format json|ts]
       ${COMMAND} ${LOCAL_COMMAND} <deploy|destroy|status|drift|audit|...> [--app DIR]
       ${COMMAND} --version

drift tells whether Security Hub matches the SecurityHubMembers declarations of a synthesized CDK
app, without changing anything (read-only calls: DescribeHub, GetMembers, ListMembers).

plan shows what the next cdk deploy of the synthesized app does to the fleet, account by account
and region by region: the events CloudFormation would send, and the handler's own decision for
each (create and invite, invite again, remove, keep and why), or the refusal the deploy would hit.
Read-only (DescribeStacks, GetTemplate, GetMembers).

import prints the members of the caller's Security Hub as a members list to declare, sorted by
account id: JSON for cdk.json, or TypeScript with --format ts. Members a deploy would change
(Removed, Resigned, Deleted; Created; missing in some regions) are named on stderr. Read-only
(ListMembers, GetMembers).

local rehearses the synthesized app (--app, default cdk.out) against a local Security Hub in this
process, with no AWS account: deploy runs the app's handlers from cdk.out, status lists the
members, destroy removes them. Its state is kept in .cdk-securityhub-members beside the app
folder. \`${COMMAND} ${LOCAL_COMMAND} --help\` lists its commands.

Options of drift:
  --app DIR                  the cloud assembly to read (default cdk.out); CDK Pipelines stages included
  --json                     print one JSON document on stdout and nothing else
  --wait DURATION            poll until every invited member is Enabled, e.g. 90s, 30m, 1h30m;
                             when the time runs out, report the drift and exit 2
  --role-arn-template ARN    read each administrator account with a role assumed in it,
                             e.g. arn:aws:iam::{account}:role/SecurityHubAudit

Options of plan:
  --app DIR                  the cloud assembly to plan (default cdk.out)
  --json                     print one JSON document on stdout and nothing else
  --role-arn-template ARN    read each stack's account with a role assumed in it, {account} and
                             {region} replaced, e.g. the CDK bootstrap's lookup role:
                             arn:aws:iam::{account}:role/cdk-hnb659fds-lookup-role-{account}-{region}

Options of import:
  --regions r1,r2            the regions to read, the first one's emails first (default: the SDK's
                             default region, AWS_REGION or the profile's)
  --format json|ts           json (default): a members list for cdk.json; ts: a TypeScript array

  --version                  print the package's version
  --help                     show this text

Exit codes of drift: 0 every declared account is in sync, 2 drift, 1 error (bad input, unreadable
declaration, refused credentials). Of plan: 0 no change, 2 changes that remove nothing, 3 changes
that remove at least one member, 1 an error or a deploy that would fail (the plan still printed).
Of import: 0 the fleet was read, 1 error.`;

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
  }
  | {
    readonly command: 'plan';
    /** The cloud assembly directory. */
    readonly app: string;
    readonly json: boolean;
    /** An IAM role ARN with `{account}` (and optionally `{region}`) in it. */
    readonly roleArnTemplate?: string;
  }
  | {
    readonly command: 'import';
    /** The regions to read, in the order given; undefined: the SDK's default region. */
    readonly regions?: readonly string[];
    /** `json`: a members list for cdk.json; `ts`: a TypeScript array. */
    readonly format: ImportFormat;
  };

/** The output formats of `import`. */
export const IMPORT_FORMATS = ['json', 'ts'] as const;

/** An output format of `import`. */
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

const OPTIONS = {
  app: { type: 'string' },
  json: { type: 'boolean' },
  wait: { type: 'string' },
  'role-arn-template': { type: 'string' },
  regions: { type: 'string' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

type Flag = keyof typeof OPTIONS;

/**
 * Each command and the flags it takes besides --help and --version: a further command is one
 * entry here and one branch in {@link parseCommandLine}.
 */
const COMMAND_FLAGS: Readonly<Record<string, readonly Flag[]>> = {
  drift: ['app', 'json', 'wait', 'role-arn-template'],
  plan: ['app', 'json', 'role-arn-template'],
  import: ['regions', 'format'],
};

/**
 * Reads the command line.
 *
 * @param argv the arguments after the command's name
 * @throws CommandError naming the unknown command, the unknown flag or the bad value
 */
export function parseCommandLine(argv: readonly string[]): Command {
  const parsed = (() => {
    try {
      return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
    } catch (error) {
      throw new CommandError(describeParseError(error as Error, argv));
    }
  })();
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') {
    return { command: 'help' };
  }
  if (values.version) {
    return { command: 'version' };
  }
  const [command, ...extra] = positionals;
  if (command === undefined) {
    throw new CommandError(`missing command: expected ${Object.keys(COMMAND_FLAGS).map((name) => `"${COMMAND} ${name}"`).join(' or ')} (see --help)`);
  }
  const flags = COMMAND_FLAGS[command];
  if (!Object.hasOwn(COMMAND_FLAGS, command)) {
    throw new CommandError(`unknown command "${command}": expected ${Object.keys(COMMAND_FLAGS).join(' or ')}`);
  }
  if (extra.length > 0) {
    throw new CommandError(`unexpected argument "${extra[0]}": ${command} takes only flags (see --help)`);
  }
  for (const token of parsed.tokens) {
    if (token.kind === 'option' && !flags.includes(token.name as Flag) && token.name !== 'help' && token.name !== 'version') {
      throw new CommandError(`flag "${token.rawName}" does not apply to ${command}: expected ${flagList(command)}`);
    }
  }
  if (command === 'import') {
    return parseImport(values);
  }
  const roleArnTemplate = values['role-arn-template'];
  if (roleArnTemplate !== undefined && (!roleArnTemplate.startsWith('arn:') || !roleArnTemplate.includes('{account}'))) {
    throw new CommandError(`invalid --role-arn-template "${roleArnTemplate}": expected an IAM role ARN with {account} in it, e.g. arn:aws:iam::{account}:role/SecurityHubAudit`);
  }
  const app = values.app ?? 'cdk.out';
  if (app === '') {
    throw new CommandError('invalid --app "": expected the directory cdk synth wrote, e.g. cdk.out');
  }
  if (command === 'plan') {
    return { command: 'plan', app, json: values.json === true, ...(roleArnTemplate !== undefined ? { roleArnTemplate } : {}) };
  }
  return {
    command: 'drift',
    app,
    json: values.json === true,
    ...(values.wait !== undefined ? { waitSeconds: parseDuration(values.wait) } : {}),
    ...(roleArnTemplate !== undefined ? { roleArnTemplate } : {}),
  };
}

function parseImport(values: { regions?: string; format?: string }): Command {
  const format = values.format ?? 'json';
  if (!(IMPORT_FORMATS as readonly string[]).includes(format)) {
    throw new CommandError(`invalid --format "${format}": expected ${IMPORT_FORMATS.join(' or ')}`);
  }
  if (values.regions === undefined) {
    return { command: 'import', format: format as ImportFormat };
  }
  // The same check as the construct's `regions`, so that what import reads can be declared as it is.
  const regions = values.regions.split(',').map((region) => region.trim());
  const problems = validateRegions(regions.length === 1 && regions[0] === '' ? [] : regions);
  if (problems.length > 0) {
    throw new CommandError(`invalid --regions "${values.regions}": ${problems[0]}`);
  }
  return { command: 'import', regions, format: format as ImportFormat };
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

/** The flags `command` takes, as the user would type them; every flag when no command was given. */
function flagList(command: string | undefined): string {
  const flags = command !== undefined && Object.hasOwn(COMMAND_FLAGS, command) ? COMMAND_FLAGS[command] : [...new Set(Object.values(COMMAND_FLAGS).flat())];
  return `${flags.map((flag) => `--${flag}`).join(', ')}, --version or --help`;
}

/** What parseArgs refused, in this command's words, naming the flag as it was typed. */
function describeParseError(error: Error, argv: readonly string[]): string {
  const problem = argsProblem(argv, OPTIONS);
  switch (problem?.kind) {
    case 'unknown':
      return `unknown flag "${problem.flag}": expected ${flagList(argv.find((arg) => Object.hasOwn(COMMAND_FLAGS, arg)))}`;
    case 'missing-value':
      return `flag "${problem.flag}" needs a value: expected ${problem.flag} VALUE`;
    case 'unexpected-value':
      return `flag "${problem.flag}" takes no value: expected ${problem.flag} alone`;
    default:
      return error.message.split('\n')[0];
  }
}
