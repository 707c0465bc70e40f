import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { EmulatorUsageError, errorLine, parseCliArgs } from '../../../local/emulator/main';

const ROOT = path.join(__dirname, '..', '..', '..');

describe('npm run emulator: command line errors', () => {
  test.each([
    [['--bogus'], 'unknown argument "--bogus": expected one of --port N, --state PATH, --rate-limit R/B,'],
    [['--port=1', 'extra'], 'unknown argument "extra": the emulator takes only options (see --help)'],
    [['--state'], '--state needs a value (PATH)'],
    [['--seed', '--port', '1'], '--seed needs a value (N), got the option "--port"; write --seed=--port for a value that starts with a dash'],
    [['--latency-ms', '-5'], '--latency-ms needs a value (N), got the option "-5"; write --latency-ms=-5 for a value that starts with a dash'],
    [['--latency-ms=-5'], 'invalid --latency-ms "-5": expected a number from 0 up'],
    [['--port', '70000'], 'invalid --port "70000": expected a number from 0 to 65535'],
    [['--throttle-rate', ''], 'invalid --throttle-rate "": expected a number from 0 to 1'],
    [['--no-auto-enable=yes'], '--no-auto-enable takes no value: expected --no-auto-enable alone'],
    [['--help=1'], '--help takes no value: expected --help alone'],
    [['--rate-limit=10/0'], 'invalid --rate-limit "10/0": expected RATE/BURST, e.g. 10/30'],
    [['--organization', '111111111111=1'], 'invalid --organization "111111111111=1": expected ADMIN=ID,ID... with 12-digit account ids'],
  ])('%p: %s', (argv, message) => {
    let error: unknown;
    try {
      parseCliArgs(argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EmulatorUsageError);
    expect((error as Error).message.startsWith(message)).toBe(true);
    expect((error as Error).message).not.toContain('\n');
  });

  test('reads a bare --rate-limit as the service\'s limit, wherever it stands', () => {
    expect(parseCliArgs(['--rate-limit']).options.rateLimit).toEqual({ ratePerSecond: 10, burst: 30 });
    expect(parseCliArgs(['--rate-limit', '-h']).help).toBe(true);
    expect(parseCliArgs(['--rate-limit=2.5/5']).options.rateLimit).toEqual({ ratePerSecond: 2.5, burst: 5 });
  });

  test('prints an error as one line that points at --help', () => {
    expect(errorLine(new EmulatorUsageError('unknown argument "x"'))).toBe('error: unknown argument "x" (npm run emulator -- --help lists the options)');
    expect(errorLine(new Error('listen EADDRINUSE:\naddress already in use 127.0.0.1:4566'))).toBe('error: listen EADDRINUSE: address already in use 127.0.0.1:4566');
  });

  test('exits 1 with one line on stderr, naming the option', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'local/emulator/main.ts', '--error-rate', '2'], {
      cwd: ROOT,
      encoding: 'utf8',
    });

    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('error: invalid --error-rate "2": expected a number from 0 to 1 (npm run emulator -- --help lists the options)\n');
  });
});
