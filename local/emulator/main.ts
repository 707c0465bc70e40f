import { SERVICE_RATE_LIMIT } from './rate-limit';
import { isAccountId } from '../../lib/shared/validation';
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

/**
 * Reads the command line of `npm run emulator`.
 *
 * @param argv the arguments after the script name
 * @throws Error naming the bad argument
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const options: EmulatorOptions = { port: 4566 };
  let help = false;
  const args = [...argv];
  const value = (flag: string): string => {
    const next = args.shift();
    if (next === undefined || next.startsWith('--')) {
      throw new Error(`${flag} needs a value`);
    }
    return next;
  };
  const number = (flag: string, min: number, max = Infinity): number => {
    const raw = value(flag);
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new Error(`invalid ${flag} "${raw}": expected a number from ${min}${max === Infinity ? ' up' : ` to ${max}`}`);
    }
    return n;
  };
  while (args.length > 0) {
    const arg = args.shift()!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (inline !== undefined) {
      args.unshift(inline);
    }
    switch (flag) {
      case '--port':
        options.port = number(flag, 0, 65535);
        break;
      case '--state':
        options.statePath = value(flag);
        break;
      case '--rate-limit': {
        const next = args[0];
        if (next !== undefined && !next.startsWith('--')) {
          const match = /^(\d+(?:\.\d+)?)\/(\d+)$/.exec(args.shift()!);
          if (!match || Number(match[2]) < 1) {
            throw new Error(`invalid --rate-limit "${next}": expected RATE/BURST, e.g. 10/30`);
          }
          options.rateLimit = { ratePerSecond: Number(match[1]), burst: Number(match[2]) };
        } else {
          options.rateLimit = { ...SERVICE_RATE_LIMIT };
        }
        break;
      }
      case '--latency-ms':
        options.latencyMs = number(flag, 0);
        break;
      case '--throttle-rate':
        options.throttleRate = number(flag, 0, 1);
        break;
      case '--error-rate':
        options.errorRate = number(flag, 0, 1);
        break;
      case '--lost-answer-rate':
        options.lostAnswerRate = number(flag, 0, 1);
        break;
      case '--drop-connection-rate':
        options.dropConnectionRate = number(flag, 0, 1);
        break;
      case '--seed':
        options.seed = number(flag, 0);
        break;
      case '--uninvitable':
        options.uninvitableAccounts = value(flag).split(',').map((id) => id.trim()).filter((id) => id !== '');
        break;
      case '--organization': {
        const raw = value(flag);
        const [administrator, list, ...rest] = raw.replace(/\s+/g, '').split('=');
        const accounts = list?.split(',') ?? [];
        if (rest.length > 0 || !isAccountId(administrator) || accounts.length === 0 || !accounts.every(isAccountId)) {
          throw new Error(`invalid --organization "${raw}": expected ADMIN=ID,ID... with 12-digit account ids`);
        }
        options.organizations = { ...options.organizations, [administrator]: accounts };
        break;
      }
      case '--no-auto-enable':
        options.autoEnableHubs = false;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new Error(`unknown argument "${arg}"`);
    }
  }
  return { options, help };
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
  }, (err: Error) => {
    console.error(`error: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  });
}
