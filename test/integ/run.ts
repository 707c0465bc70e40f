/**
 * `npm run integ`: deploys each integration test (integ.*.ts) to real accounts, checks its
 * assertions, destroys it, and runs its after-destroy hooks, as integ-runner would.
 *
 * Why not integ-runner: its newest release (2.197.10) embeds CDK CLI 2.1115.1, which refuses the
 * cloud assembly of the pinned aws-cdk-lib 2.276.0 ("Maximum schema version supported is 53.x.x,
 * but found 55.0.0"). @aws-cdk/toolkit-lib reads it, so this script drives the same cycle with it
 * and reads the same integ-tests-alpha manifest (integ.json: test cases, hooks).
 *
 *     CDK_INTEG_ADMINISTRATOR_ACCOUNT=... CDK_INTEG_MEMBER_ACCOUNT=... npm run integ [-- integ.retain.ts]
 *
 * It needs the administrator account's credentials (the usual SDK chain), both accounts
 * bootstrapped, the member trusting the administrator, and Security Hub CSPM enabled in both.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { StackSelectionStrategy, Toolkit } from '@aws-cdk/toolkit-lib';

const HERE = __dirname;
const ROOT = path.join(HERE, '..', '..');

/** The integration test files of this folder, or those named on the command line. */
export function integFiles(names: string[], available = fs.readdirSync(HERE)): string[] {
  const all = available.filter((f) => /^integ\..+\.ts$/.test(f)).sort();
  for (const name of names) {
    if (!all.includes(path.basename(name))) {
      throw new Error(`unknown integration test "${name}": expected one of ${all.join(', ')}`);
    }
  }
  return names.length > 0 ? names.map((n) => path.basename(n)) : all;
}

/** The failed assertions among a deployed stack's outputs (integ-tests-alpha's AssertionResults*). */
export function failedAssertions(outputs: Record<string, string>): string[] {
  return Object.entries(outputs)
    .filter(([key]) => key.startsWith('AssertionResults'))
    .filter(([, value]) => {
      try {
        const parsed = JSON.parse(value) as { status?: string };
        return parsed.status !== 'success';
      } catch {
        return true;
      }
    })
    .map(([key, value]) => `${key}: ${value}`);
}

/** The postDestroy commands of an integ-tests-alpha manifest (integ.json). */
export function postDestroyHooks(manifest: { testCases?: Record<string, { hooks?: { postDestroy?: string[] } }> }): string[] {
  return Object.values(manifest.testCases ?? {}).flatMap((c) => c.hooks?.postDestroy ?? []);
}

async function runOne(toolkit: Toolkit, file: string): Promise<string[]> {
  const outdir = path.join(ROOT, '.integ', file.replace(/\.ts$/, '.out'));
  const cx = await toolkit.fromCdkApp(`npx tsx ${path.join('test', 'integ', file)}`, { workingDirectory: ROOT, outdir });
  const stacks = { strategy: StackSelectionStrategy.ALL_STACKS };
  const failures: string[] = [];
  try {
    const deployed = await toolkit.deploy(cx, { stacks });
    for (const stack of deployed.stacks) {
      failures.push(...failedAssertions(stack.outputs).map((f) => `${file}: ${stack.stackName}: ${f}`));
    }
  } catch (e) {
    failures.push(`${file}: deploy failed: ${(e as Error).message}`);
  } finally {
    await toolkit.destroy(cx, { stacks });
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'integ.json'), 'utf8'));
  for (const hook of postDestroyHooks(manifest)) {
    const [command, ...args] = hook.split(' ');
    const result = spawnSync(command, args, { cwd: HERE, stdio: 'inherit' });
    if (result.status !== 0) {
      failures.push(`${file}: after-destroy check failed: ${hook}`);
    }
  }
  return failures;
}

async function main(argv: string[]): Promise<number> {
  for (const name of ['CDK_INTEG_ADMINISTRATOR_ACCOUNT', 'CDK_INTEG_MEMBER_ACCOUNT']) {
    if (!process.env[name]) {
      throw new Error(`${name} is not set: expected the 12-digit account id of a real account (see docs/deploying.md)`);
    }
  }
  const toolkit = new Toolkit();
  const failures: string[] = [];
  for (const file of integFiles(argv)) {
    failures.push(...await runOne(toolkit, file));
  }
  for (const failure of failures) {
    console.error(failure);
  }
  console.log(failures.length === 0 ? 'every integration test passed' : `${failures.length} failure(s)`);
  return failures.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
