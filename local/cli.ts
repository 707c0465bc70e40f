/**
 * `npm run local -- deploy | destroy | status | drift | import | audit | resign | remove | reset`:
 * the installed package's `cdk-securityhub-members local` (local/run.ts) on the clone's sample app.
 * Before a deploy it synthesizes bin/app.ts with the `-c` context given into its state folder, and
 * bundles the Lambda handlers and the command when their sources changed; every other command
 * reads that synthesized app.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { contextValue, LocalArgs, synthContextArgs, UsageError } from './cli-args';
import { ContextValueError, parseMembers, parseOrganizationAccounts } from './context';
import { ensureBundles } from './handler-bundles';
import { sampleAdministrator } from './import';
import { LocalSynthesis, runLocal, SynthError } from './run';

// The SDK prints a notice about Node.js 20 when a client is built (resign, remove and drift build
// clients here); Lambda runs the bundles on Node.js 22 or later, and the notice would bury the
// command's own lines.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROOT = path.join(__dirname, '..');
const STATE_DIR = path.resolve(process.env.SECURITYHUB_LOCAL_DIR ?? path.join(ROOT, '.local'));
const CDK_OUT = path.join(STATE_DIR, 'cdk.out');

function synthesize(contextArgs: string[]): void {
  const cdk = path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
  const result = spawnSync(process.execPath, [cdk, 'synth', '--quiet', '--output', CDK_OUT, ...contextArgs], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    // The construct's own message is what matters; the stack trace below it is noise here.
    // aws-cdk-lib prints its own errors as `«ValidationError» message`, others as `Error: message`.
    const message = /^(?:\w*Error: |\s*«\w+» )(.+)$/m.exec(output)?.[1];
    throw new SynthError(message ?? (output.trim() || `cdk synth exited with ${result.status}`));
  }
}

/** The sample app's context, from `-c` or else cdk.json, as the app reads it. */
function sampleContext(args: LocalArgs, key: string): { value: unknown; name: string } {
  const given = contextValue(args, key);
  if (given !== undefined) {
    return { value: given, name: `-c ${key}` };
  }
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return { value: cdkJson.context?.[key], name: `cdk.json context ${key}` };
}

/**
 * The organization accounts of the sample app's context, after checking the values the app reads
 * as JSON, so that a bad one is named as the option it came from, before a synth.
 *
 * @throws UsageError naming the option and the value
 */
function checkSampleContext(args: LocalArgs): string[] {
  try {
    const members = sampleContext(args, 'members');
    parseMembers(members.value, members.name);
    const organizationAccounts = sampleContext(args, 'organizationAccounts');
    return parseOrganizationAccounts(organizationAccounts.value, organizationAccounts.name);
  } catch (error) {
    throw error instanceof ContextValueError ? new UsageError(error.message) : error;
  }
}

/** Makes the sample app's cloud assembly in the state folder, the handlers bundled from the current sources. */
function synthesizeSampleApp(args: LocalArgs, print: (line: string) => void): LocalSynthesis {
  const organizationAccounts = checkSampleContext(args);
  // Only deploy runs the handlers, so only deploy needs them bundled, and only when they changed.
  ensureBundles(ROOT, print);
  print('Synthesizing bin/app.ts ...');
  synthesize(synthContextArgs(args));
  return { organizationAccounts };
}

runLocal(process.argv.slice(2), {
  appDir: CDK_OUT,
  stateDir: STATE_DIR,
  packageRoot: ROOT,
  invocation: 'npm run local --',
  synthesize: synthesizeSampleApp,
  prepareBundles: (print) => ensureBundles(ROOT, print),
  administrator: () => sampleAdministrator(),
  print: (line) => console.log(line),
  printError: (line) => console.error(line),
}).then((code) => {
  process.exitCode = code;
});
