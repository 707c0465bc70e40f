import { parseArgs } from 'node:util';
import { SERVICE_RATE_LIMIT } from './rate-limit';
import { isAccountId } from '../../lib/shared/validation';
import { argsProblem } from '../../cli/parse-args';
import { EmulatorOptions, ROUTES, RunningEmulator, startEmulator } from './server';

/** The usage text of `npm run emulator`, ending with the operations it serves (from {@link ROUTES}). */
export const USAGE = `Usage: npm run emulator -- [options]

Runs a local AWS Security Hub (member operations) on 127.0.0.1.

Options:
  --port N                   port to listen on (default 4566; 0 = a free port)
  --state PATH               keep the state in this JSON file (default: memory only)
  --rate-limit [R/B]         throttle like the service: R requests/s, burst B per account and region (default 10/30)
  --latency-ms N             delay every answer by N ms
  --throttle-rate P          answer 429 LimitExceededException to a share P (0-1) of calls, without applying them
  --error-rate P             answer 500 InternalException to a share P (0-1) of calls, without applying them
  --lost-answer-rate P       apply a share P of mutating calls, then answer 500 InternalException
  --drop-connection-rate P   apply a share P of mutating calls, then drop the connection
  --seed N                   seed of the random faults (default 1)
  --uninvitable ID[,ID...]   accounts InviteMembers cannot invite
  --organization ADMIN=ID[,ID...]
                             accounts in ADMIN's organization: Enabled by CreateMembers without an
                             invitation, never invited or deleted (repeat for more administrators)
  --no-auto-enable           refuse calls to hubs not enabled by EnableSecurityHub
  --help                     show this text

Operations served (method and path as the AWS SDK sends them):
${operationList()}`;

/** One line per served operation, sorted by name, from the routing table itself. */
function operationList(): string {
  const routes = Object.entries(ROUTES).map(([route, name]) => ({ name, route }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const width = Math.max(...routes.map((r) => r.name.length));
  return routes.map((r) => `  ${r.name.padEnd(width)}  ${r.route}`).join('\n');
}

/** What the command line asks for. */
export interface CliArgs {
  /** The emulator's options. */
  readonly options: EmulatorOptions;
  /** Whether to print the usage and stop. */
  readonly help: boolean;
}

/** A command line that can't be run; `npm run emulator` prints its message as one line and exits 1. */
export class EmulatorUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmulatorUsageError';
  }
}

/** Every option, as `util.parseArgs` reads them, with the value's placeholder for the error messages. */
const CLI_OPTIONS = {
  'port': { type: 'string', value: 'N' },
  'state': { type: 'string', value: 'PATH' },
  'rate-limit': { type: 'string', value: 'R/B' },
  'latency-ms': { type: 'string', value: 'N' },
  'throttle-rate': { type: 'string', value: 'P' },
  'error-rate': { type: 'string', value: 'P' },
  'lost-answer-rate': { type: 'string', value: 'P' },
  'drop-connection-rate': { type: 'string', value: 'P' },
  'seed': { type: 'string', value: 'N' },
  'uninvitable': { type: 'string', value: 'ID[,ID...]' },
  'organization': { type: 'string', value: 'ADMIN=ID[,ID...]', multiple: true },
  'no-auto-enable': { type: 'boolean' },
  'help': { type: 'boolean', short: 'h' },
} as const;

type CliOptionName = keyof typeof CLI_OPTIONS;

const PARSE_OPTIONS = Object.fromEntries(Object.entries(CLI_OPTIONS).map(([name, o]) => [name, {
  type: o.type,
  ...('short' in o ? { short: o.short } : {}),
  ...('multiple' in o ? { multiple: o.multiple } : {}),
}])) as Record<CliOptionName, { type: 'boolean' | 'string'; short?: string; multiple?: boolean }>;

/** What `util.parseArgs` read: a string (or strings) per value option, a boolean per flag. */
type CliValues = { [K in CliOptionName]?: (typeof CLI_OPTIONS)[K] extends { multiple: true } ? string[]
  : (typeof CLI_OPTIONS)[K] extends { type: 'boolean' } ? boolean : string };

/**
 * Reads the command line of `npm run emulator` with `util.parseArgs`, as `npm run local` reads its
 * own (local/cli-args.ts).
 *
 * @param argv the arguments after the script name
 * @throws EmulatorUsageError naming the bad option or argument, in one line
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: withDefaultRateLimit(argv), options: PARSE_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new EmulatorUsageError(describeParseError(error as Error, argv));
  }
  if (parsed.positionals.length > 0) {
    throw new EmulatorUsageError(`unknown argument "${parsed.positionals[0]}": the emulator takes only options (see --help)`);
  }
  const values = parsed.values as CliValues;
  const number = (name: CliOptionName, min: number, max = Infinity): number | undefined => {
    const raw = values[name] as string | undefined;
    if (raw === undefined) {
      return undefined;
    }
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new EmulatorUsageError(`invalid --${name} "${raw}": expected a number from ${min}${max === Infinity ? ' up' : ` to ${max}`}`);
    }
    return n;
  };
  const options: EmulatorOptions = {
    port: number('port', 0, 65535) ?? 4566,
    ...defined('statePath', values.state),
    ...defined('rateLimit', values['rate-limit'] === undefined ? undefined : rateLimit(values['rate-limit'])),
    ...defined('latencyMs', number('latency-ms', 0)),
    ...defined('throttleRate', number('throttle-rate', 0, 1)),
    ...defined('errorRate', number('error-rate', 0, 1)),
    ...defined('lostAnswerRate', number('lost-answer-rate', 0, 1)),
    ...defined('dropConnectionRate', number('drop-connection-rate', 0, 1)),
    ...defined('seed', number('seed', 0)),
    ...defined('uninvitableAccounts', values.uninvitable?.split(',').map((id) => id.trim()).filter((id) => id !== '')),
    ...defined('organizations', values.organization === undefined ? undefined : organizations(values.organization)),
    ...defined('autoEnableHubs', values['no-auto-enable'] ? false : undefined),
  };
  return { options, help: values.help === true };
}

/** `{ [key]: value }`, or nothing when the value is undefined, so absent options stay absent. */
function defined<K extends keyof EmulatorOptions>(key: K, value: EmulatorOptions[K] | undefined): Partial<EmulatorOptions> {
  return value === undefined ? {} : { [key]: value };
}

/**
 * The arguments with a bare `--rate-limit` (no value after it) spelled `--rate-limit=10/30`: its
 * value is optional, which `util.parseArgs` has no way to say.
 */
function withDefaultRateLimit(argv: readonly string[]): string[] {
  return argv.map((arg, i) => {
    const next = argv[i + 1];
    return arg === '--rate-limit' && (next === undefined || next.startsWith('-'))
      ? `--rate-limit=${SERVICE_RATE_LIMIT.ratePerSecond}/${SERVICE_RATE_LIMIT.burst}`
      : arg;
  });
}

function rateLimit(raw: string): { ratePerSecond: number; burst: number } {
  const match = /^(\d+(?:\.\d+)?)\/(\d+)$/.exec(raw);
  if (!match || Number(match[2]) < 1) {
    throw new EmulatorUsageError(`invalid --rate-limit "${raw}": expected RATE/BURST, e.g. 10/30`);
  }
  return { ratePerSecond: Number(match[1]), burst: Number(match[2]) };
}

function organizations(values: readonly string[]): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const raw of values) {
    const [administrator, list, ...rest] = raw.replace(/\s+/g, '').split('=');
    const accounts = list?.split(',') ?? [];
    if (rest.length > 0 || !isAccountId(administrator) || accounts.length === 0 || !accounts.every(isAccountId)) {
      throw new EmulatorUsageError(`invalid --organization "${raw}": expected ADMIN=ID,ID... with 12-digit account ids`);
    }
    result[administrator] = accounts;
  }
  return result;
}

/** What parseArgs refused, in this command line's words, naming the option as it was typed. */
function describeParseError(error: Error, argv: readonly string[]): string {
  const known = Object.entries(CLI_OPTIONS).map(([name, o]) => `--${name}${'value' in o ? ` ${o.value}` : ''}`).join(', ');
  const problem = argsProblem(argv, PARSE_OPTIONS);
  switch (problem?.kind) {
    case 'unknown':
      return `unknown argument "${problem.flag}": expected one of ${known}`;
    case 'unexpected-value':
      return `${problem.flag} takes no value: expected ${problem.flag} alone`;
    case 'missing-value': {
      const option = CLI_OPTIONS[problem.name as CliOptionName];
      const value = option && 'value' in option ? option.value : 'a value';
      return problem.next !== undefined
        ? `${problem.flag} needs a value (${value}), got the option "${problem.next}"; write ${problem.flag}=${problem.next} for a value that starts with a dash`
        : `${problem.flag} needs a value (${value})`;
    }
    default:
      return error.message.split('\n')[0];
  }
}

/** The lines printed at start: where the emulator is and how to point the AWS CLI or SDK at it. */
export function startBanner(url: string, options: EmulatorOptions): string[] {
  const faults = [
    options.rateLimit ? `rate limit ${options.rateLimit.ratePerSecond}/s burst ${options.rateLimit.burst}` : undefined,
    options.latencyMs ? `latency ${options.latencyMs} ms` : undefined,
    options.throttleRate ? `throttle rate ${options.throttleRate}` : undefined,
    options.errorRate ? `error rate ${options.errorRate}` : undefined,
    options.lostAnswerRate ? `lost answer rate ${options.lostAnswerRate}` : undefined,
    options.dropConnectionRate ? `drop connection rate ${options.dropConnectionRate}` : undefined,
    options.uninvitableAccounts?.length ? `uninvitable ${options.uninvitableAccounts.join(',')}` : undefined,
    options.autoEnableHubs === false ? 'hubs need EnableSecurityHub' : undefined,
  ].filter((fault): fault is string => fault !== undefined);
  const organizations = Object.entries(options.organizations ?? {}).map(([admin, ids]) => `${admin}: ${ids.join(', ')}`);
  return [
    `Security Hub emulator listening on ${url}`,
    `State: ${options.statePath ?? 'in memory (use --state PATH to keep it)'}`,
    `Faults: ${faults.length > 0 ? faults.join(', ') : 'none'}`,
    ...(organizations.length > 0 ? [`Organizations (administrator: accounts): ${organizations.join('; ')}`] : []),
    '',
    'Point the AWS CLI or SDK at it (the access key id is the 12-digit account you act as, the region is AWS_REGION):',
    `  export AWS_ENDPOINT_URL_SECURITYHUB=${url}`,
    '  export AWS_ACCESS_KEY_ID=111111111111',
    '  export AWS_SECRET_ACCESS_KEY=local',
    '  export AWS_REGION=us-east-1',
    '  aws securityhub list-members --no-only-associated',
    `In code: new SecurityHubClient({ endpoint: '${url}', region, credentials: { accessKeyId: '111111111111', secretAccessKey: 'local' } })`,
    '',
    'Press Ctrl+C to stop.',
  ];
}

/**
 * Starts the emulator as the command line asks and prints the banner; the caller stops it.
 *
 * @returns the running emulator, or undefined when only the usage was asked for
 */
export async function runCli(argv: readonly string[], print: (line: string) => void = console.log): Promise<RunningEmulator | undefined> {
  const { options, help } = parseCliArgs(argv);
  if (help) {
    print(USAGE);
    return undefined;
  }
  const emulator = await startEmulator(options);
  for (const line of startBanner(emulator.url, options)) {
    print(line);
  }
  return emulator;
}

/**
 * The error as one line for `npm run emulator`: what is wrong with the command line, or why the
 * emulator could not start (a port in use, an unreadable state file).
 */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof EmulatorUsageError ? ' (npm run emulator -- --help lists the options)' : '';
  return `error: ${message}${hint}`.replace(/\s+/g, ' ').trim();
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then((emulator) => {
    if (!emulator) {
      return;
    }
    const stop = (): void => {
      emulator.close().then(() => process.exit(0), () => process.exit(1));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }, (err: unknown) => {
    console.error(errorLine(err));
    process.exitCode = 1;
  });
}
