/**
 * The drift command's figures: for a fleet of N members, all Enabled, how many calls one audit
 * makes and how long it takes against the local Security Hub with the service's rate limit.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { run } from '../cli/main';
import { SecurityHubMembers } from '../lib';
import { emulatorEnv } from '../local/emulator';
import { rateLimitBoundMs } from './measure';
import { ADMIN, members, REGION, startBenchEmulator } from './scenario';

/** One audit of a fleet. */
export interface DriftMeasurement {
  readonly size: number;
  readonly exitCode: number;
  readonly counts: Record<string, number>;
  readonly total: number;
  readonly throttled: number;
  readonly wallMs: number;
  readonly boundMs: number;
}

/** Audits `size` Enabled members in one region with the drift command, in-process. */
export async function runDrift(size: number, latencyMs: number): Promise<DriftMeasurement> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-bench-drift-'));
  const emulator = await startBenchEmulator({ latencyMs });
  const saved = { ...process.env };
  try {
    const declared = members(size);
    const app = new App({ outdir });
    new SecurityHubMembers(new Stack(app, 'Admin', { env: { account: ADMIN, region: REGION } }), 'Members', { members: declared });
    app.synth();
    declared.forEach((m) => emulator.store.seedMember(ADMIN, REGION, { accountId: m.accountId, status: 'Enabled' }));
    Object.assign(process.env, emulatorEnv(emulator.url, ADMIN, REGION));
    const started = Date.now();
    const exitCode = await run(['drift', '--app', outdir, '--json'], {
      stdout: () => undefined,
      stderr: (line) => process.stderr.write(`[bench] drift: ${line}\n`),
      now: () => Date.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    });
    const wallMs = Date.now() - started;
    const entries = emulator.calls.entries({ account: ADMIN });
    const throttled = entries.filter((c) => c.errorType === 'LimitExceededException').length;
    return {
      size,
      exitCode,
      counts: emulator.calls.countsByOperation({ account: ADMIN }),
      total: entries.length,
      throttled,
      wallMs,
      boundMs: rateLimitBoundMs(entries.length - throttled, latencyMs),
    };
  } finally {
    process.env = saved;
    await emulator.close();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The Markdown section of the drift figures. */
export function renderDriftReport(measurements: readonly DriftMeasurement[]): string {
  const n = (value: number): string => value.toLocaleString('en-US');
  const time = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);
  const order = ['DescribeHub', 'GetMembers', 'ListMembers'];
  const rows = measurements.map((m) => `| ${n(m.size)} | ${n(m.total)}: ${order.filter((op) => m.counts[op]).map((op) => `${m.counts[op]} ${op}`).join(', ')} | ${n(m.throttled)} | ${time(m.wallMs)}${m.exitCode === 0 ? '' : ` (exit ${m.exitCode})`} | ${time(m.boundMs)} |`);
  return [
    '#### The drift command (`cdk-securityhub-members drift`)',
    '',
    'One audit of a fleet whose members are all Enabled, in one region, with the handler\'s pacing and retry; '
      + 'the time includes reading the cloud assembly.',
    '',
    '| Members | API calls | Throttled (429) | Wall time | Rate-limit bound |',
    '| --: | --- | --: | --: | --: |',
    ...rows,
  ].join('\n');
}
