/**
 * `npm run local -- import`: the bundled `cdk-securityhub-members import` against the local
 * Security Hub, as the sample app's administrator, so that adopting a fleet seeded by hand can be
 * rehearsed: import, paste into cdk.json, deploy, drift.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { emulatorEnv, RunningEmulator } from './emulator';

const ROOT = path.join(__dirname, '..');
/** The bundled command, as the package's `bin` runs it. */
const COMMAND = path.join(ROOT, 'assets', 'cli', 'index.js');
const DEFAULTS = { administratorAccount: '999999999999', region: 'us-east-1' };

/** The administrator and region of the sample app, from cdk.json's context as bin/app.ts reads them. */
export function sampleAdministrator(cdkJsonPath = path.join(ROOT, 'cdk.json')): { account: string; region: string } {
  const context = (JSON.parse(fs.readFileSync(cdkJsonPath, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
  const account = typeof context.administratorAccount === 'string' ? context.administratorAccount : DEFAULTS.administratorAccount;
  const region = typeof context.region === 'string' ? context.region : DEFAULTS.region;
  return { account, region };
}

/**
 * Runs the bundled `cdk-securityhub-members import` as the administrator (the sample app's unless
 * given) against the running local Security Hub, its default region the administrator's. Its arguments (`--regions`,
 * `--format`) are passed on, and its stdout is its own: only the declaration.
 *
 * @returns the command's exit code
 */
export async function localImport(
  emulator: RunningEmulator,
  args: readonly string[],
  options: { readonly command?: string; readonly administrator?: { account: string; region: string } } = {},
): Promise<number> {
  const { account, region } = options.administrator ?? sampleAdministrator();
  const child = spawn(process.execPath, [options.command ?? COMMAND, 'import', ...args], {
    stdio: 'inherit',
    env: { ...process.env, ...emulatorEnv(emulator.url, account, region) },
  });
  // Asynchronous on purpose: the local Security Hub answers the command from this process.
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}
