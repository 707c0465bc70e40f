/**
 * Helpers of the drift command's tests: small apps synthesized in-process into temporary cloud
 * assemblies, the command run in-process against the local Security Hub with a fake clock, and a
 * local STS that answers AssumeRole for --role-arn-template.
 */
import * as fs from 'fs';
import { createServer } from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { run } from '../../cli/main';
import { emulatorEnv } from '../../local/emulator';

const dirs: string[] = [];
afterAll(() => dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Synthesizes the app `build` makes into a temporary directory, and returns that directory. */
export function synth(build: (app: App) => void): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-drift-'));
  dirs.push(outdir);
  const app = new App({ outdir });
  build(app);
  app.synth();
  return outdir;
}

/** What one run of the command printed and returned. */
export interface DriftRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string[];
  /** The fake clock's sleeps, in milliseconds. */
  readonly sleeps: number[];
}

/** Options of {@link drift}. */
export interface DriftRunOptions {
  /** Called after each sleep of `--wait`, with the sleeps so far. */
  readonly onSleep?: (count: number) => void;
}

/** Runs the command in-process with a fake clock: sleeping moves the clock, it does not wait. */
export async function drift(argv: string[], options: DriftRunOptions = {}): Promise<DriftRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const sleeps: number[] = [];
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const code = await run(argv, {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
      options.onSleep?.(sleeps.length);
    },
  });
  return { code, stdout: stdout.join('\n'), stderr, sleeps };
}

/**
 * Points the SDK at the emulator as `account` through the environment, as a user would, and
 * returns a function that restores the environment.
 */
export function useEmulator(url: string, account: string, region = 'us-east-1', extra: Record<string, string> = {}): () => void {
  const vars: Record<string, string> = {
    ...emulatorEnv(url, account, region),
    // No pacing wait in tests: the emulator here has no rate limit.
    SECURITYHUB_MEMBERS_RATE_PER_SECOND: '10000',
    SECURITYHUB_MEMBERS_BURST: '10000',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
  };
}

/** A running local STS. */
export interface LocalSts {
  readonly url: string;
  /** The role ARNs assumed, in order. */
  readonly assumed: string[];
  close(): Promise<void>;
}

/**
 * A local STS whose AssumeRole hands out credentials whose access key id holds the role's account,
 * so the local Security Hub treats the calls signed with them as that account's.
 */
export async function startLocalSts(): Promise<LocalSts> {
  const assumed: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const params = new URLSearchParams(body);
      const roleArn = params.get('RoleArn') ?? '';
      const account = roleArn.split(':')[4] ?? '';
      if (params.get('Action') !== 'AssumeRole' || !/^\d{12}$/.test(account)) {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>bad request ${params.get('Action')} ${roleArn}</Message></Error><RequestId>1</RequestId></ErrorResponse>`);
        return;
      }
      assumed.push(roleArn);
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIA${account}</AccessKeyId><SecretAccessKey>local</SecretAccessKey><SessionToken>local</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
<AssumedRoleUser><AssumedRoleId>AROALOCAL:drift</AssumedRoleId><Arn>arn:aws:sts::${account}:assumed-role/Audit/drift</Arn></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    assumed,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
