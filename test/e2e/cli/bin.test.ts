/**
 * The package's `bin`: the bundled command, run as `npx cdk-securityhub-members` runs it, in a
 * separate process against the local Security Hub. The AWS SDK is inside the bundle; aws-cdk-lib
 * is the one installed beside it.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { promisify } from 'util';
import { Stack } from 'aws-cdk-lib';
import { SecurityHubMembers } from '../../../lib';
import { emulatorEnv, RunningEmulator, startEmulator } from '../../../local/emulator';
import { synth } from '../../support/drift-cli';
import { requireFreshBundles } from '../../support/fresh-bundles';

// These tests run the bundled command in assets/cli, not the sources.
requireFreshBundles();

const ROOT = path.join(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; version: string };
const BIN = path.join(ROOT, pkg.bin['cdk-securityhub-members']);

/** Runs the command asynchronously: the emulator answers it from this process. */
async function runBin(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the cdk-securityhub-members bin', () => {
  let emulator: RunningEmulator;
  let app: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    app = synth((a) => {
      new SecurityHubMembers(new Stack(a, 'Admin', { env: { account: '999999999999', region: 'us-east-1' } }), 'Members', {
        members: [{ accountId: '111111111111' }, { accountId: '222222222222' }],
      });
    });
  });
  afterAll(() => emulator.close());

  test('is one executable file with a node shebang', () => {
    expect(fs.readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(fs.statSync(BIN).mode & 0o111).not.toBe(0);
  });

  test('prints only the JSON document on stdout and exits 2 on drift', async () => {
    emulator.store.seedMember('999999999999', 'us-east-1', { accountId: '111111111111', status: 'Enabled' });

    const result = await runBin(['drift', '--app', app, '--json'], emulatorEnv(emulator.url, '999999999999'));

    expect(result.stderr).toBe('');
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      inSync: false,
      resources: [expect.objectContaining({
        stack: 'Admin',
        members: [
          { accountId: '111111111111', status: 'Enabled', inSync: true },
          { accountId: '222222222222', status: 'NotAMember', inSync: false },
        ],
      })],
    });
  });

  test('--version prints package.json\'s version alone, exit 0', async () => {
    const result = await runBin(['--version'], {});

    expect(result).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  test('fails on bad input with one line on stderr, no stack trace, exit 1', async () => {
    const result = await runBin(['drift', '--app', path.join(app, 'nowhere')], emulatorEnv(emulator.url, '999999999999'));

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^--app ".*nowhere" is not a cloud assembly/)]);
  });
});
