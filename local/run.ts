/**
 * `npm run local -- deploy | destroy | status | drift | import | audit | resign | remove | reset`: deploys the sample app's Security Hub
 * resources against the local Security Hub, running the bundled handlers from cdk.out as
 * CloudFormation and the Provider framework would. No AWS account is needed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { NotACloudAssembly, sameStack, stackKey, StackIdentity } from '../cli/cloud-assembly';
import { VERSION } from '../cli/version';
import { MEMBERS_RESOURCE_TYPE } from '../lib/shared/contract';
import { contextValue, LocalArgs, localUsage, parseLocalArgs, synthContextArgs, UsageError } from './cli-args';
import { ContextValueError, parseMembers, parseOrganizationAccounts } from './context';
import { LocalStack, readAssembly } from './deploy/assembly';
import { checkFailAfter, deployedStacks, EventReport, LocalCloudFormation, namesResource, readLocalState } from './deploy/cloudformation';
import { changes, describeEvent, MemberSnapshot, phaseLine, resourceName, snapshot } from './deploy/report';
import { localAudit } from './audit';
import { localDrift, localRemove, localResign } from './drift';
import { localImport } from './import';
import { EmulatorOptions, HubStore, loadStoreFile, RunningEmulator, startEmulator } from './emulator';
import { ensureBundles } from './handler-bundles';
import { StateFileError } from './state-file';

// The SDK prints a notice about Node.js 20 when a client is built (resign, remove and drift build
// clients here); Lambda runs the bundles on Node.js 22 or later, and the notice would bury the
// command's own lines.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROOT = path.join(__dirname, '..');
const STATE_DIR = path.resolve(process.env.SECURITYHUB_LOCAL_DIR ?? path.join(ROOT, '.local'));
const HUB_STATE = path.join(STATE_DIR, 'securityhub.json');
const STACK_STATE = path.join(STATE_DIR, 'stacks.json');
const CDK_OUT = path.join(STATE_DIR, 'cdk.out');

const ASSETS_COPY = path.join(STATE_DIR, 'assets');
const USAGE = localUsage(STATE_DIR);
/** Where an environment-agnostic stack of the app deploys. */
const DEFAULT_ENVIRONMENT = { account: '999999999999', region: 'us-east-1' };

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

class SynthError extends Error {}

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

/**
 * The sample app's organization (context key `organizationAccounts`) for each administrator that
 * declares members: the local Security Hub plays that organization.
 */
function organizations(stacks: readonly LocalStack[], organizationAccounts: string[]): Record<string, string[]> {
  const administrators = stacks.filter((s) => s.resources.some((r) => r.type === MEMBERS_RESOURCE_TYPE)).map((s) => s.account);
  return Object.fromEntries(administrators.map((administrator) => [administrator, organizationAccounts]));
}

/**
 * The stacks `selectors` name: a stack name, a construct path as `cdk deploy` takes it
 * (`Prod/SecurityHubAdministrator`), or `ACCOUNT/REGION/NAME`; each must name exactly one.
 *
 * @throws UsageError naming the first selector that names no stack, or several (the same name in
 * two accounts or regions), and the stacks there are
 */
function selectStacks<T extends StackIdentity & { hierarchicalId?: string }>(stacks: readonly T[], selectors: readonly string[], where: string): T[] {
  const matches = (selector: string, stack: T): boolean => selector === stack.name || selector === stack.hierarchicalId || selector === stackKey(stack);
  for (const selector of selectors) {
    const found = stacks.filter((stack) => matches(selector, stack));
    if (found.length === 0) {
      throw new UsageError(`stack "${selector}" is not ${where}: expected one of ${stacks.map((s) => stackRef(s, stacks)).join(', ') || '(none)'}`);
    }
    if (found.length > 1) {
      throw new UsageError(`stack "${selector}" names ${found.length} stacks ${where}, in different accounts or regions: expected one of ${found.map(stackKey).join(', ')}`);
    }
  }
  return stacks.filter((stack) => selectors.length === 0 || selectors.some((selector) => matches(selector, stack)));
}

/** How a command line names the stack: its name, or `ACCOUNT/REGION/NAME` when another stack has the same name. */
function stackRef(stack: StackIdentity, among: readonly StackIdentity[]): string {
  return among.some((other) => other.name === stack.name && !sameStack(other, stack)) ? stackKey(stack) : stack.name;
}

/** Stops the local CloudFormation endpoint the current command started, if any. */
let closeCloudFormation: (() => Promise<void>) | undefined;

async function withHub<T>(fn: (emulator: RunningEmulator) => Promise<T>, options: EmulatorOptions = {}): Promise<T> {
  fs.mkdirSync(STATE_DIR, { recursive: true });
  // The service's own rate limit, so local deploys pace themselves as real ones must. Without
  // `organizations` the state file's are kept: a destroy plays the organization the deploy saw.
  const emulator = await startEmulator({ statePath: HUB_STATE, rateLimit: { ratePerSecond: 10, burst: 30 }, ...options });
  try {
    return await fn(emulator);
  } finally {
    await closeCloudFormation?.();
    await emulator.close();
  }
}

/** A local CloudFormation that prints each event under its stack's name as it happens. */
function cloudFormation(emulator: RunningEmulator, verbose: boolean): { cfn: LocalCloudFormation; printSkipped(events: readonly EventReport[]): void } {
  let before: MemberSnapshot = new Map();
  let lastStack = '';
  let lastPhase: string | undefined;
  const header = (report: { stack: string; account: string; region: string; phase?: string }): void => {
    if (report.stack !== lastStack) {
      console.log(`\n${report.stack}  (account ${report.account}, ${report.region})`);
      lastStack = report.stack;
      lastPhase = undefined;
    }
    const phase = phaseLine(report.phase);
    if (phase && report.phase !== lastPhase) {
      console.log(phase);
    }
    lastPhase = report.phase;
  };
  const cfn = new LocalCloudFormation({
    endpoint: emulator.url,
    statePath: STACK_STATE,
    assetsDir: ASSETS_COPY,
    observer: {
      before: () => {
        before = snapshot(emulator.store);
        emulator.calls.reset();
      },
      after: (report) => {
        header(report);
        const organization = (administrator: string, account: string) => emulator.store.isOrganizationAccount(administrator, account);
        const lines = describeEvent(report, changes(before, snapshot(emulator.store), organization), emulator.calls.countsByOperation());
        console.log(lines.join('\n'));
        if (verbose) {
          report.logs.forEach((line) => console.log(`      | ${line}`));
        }
      },
      failed: (failure) => {
        header(failure);
        console.log(`  FAILED          ${failure.message}`);
      },
    },
  });
  closeCloudFormation = () => cfn.close();
  // The observer hears only the events sent to a handler; these are the resources that needed none.
  const printSkipped = (events: readonly EventReport[]): void => {
    for (const e of events.filter((event) => event.action === 'Unchanged' || event.action === 'Retained')) {
      header(e);
      const what = e.action === 'Unchanged' ? 'no change, no call' : 'left as it is (removalPolicy RETAIN), no call';
      console.log(`  ${e.action.padEnd(15)} ${resourceName(e.path)} (${e.type})  ${what}`);
    }
  };
  return { cfn, printSkipped };
}

function printStatus(store: HubStore): void {
  const rows: string[][] = [];
  for (const hub of store.hubList()) {
    for (const member of store.listMembers(hub.account, hub.region)) {
      rows.push([hub.account, hub.region, member.accountId, member.memberStatus, member.invitedAt ?? '-']);
    }
  }
  if (rows.length === 0) {
    console.log('The local Security Hub has no members. Run `npm run local -- deploy` to create them.');
    return;
  }
  const header = ['ADMINISTRATOR', 'REGION', 'MEMBER', 'STATUS', 'INVITED AT'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const format = (row: string[]): string => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  console.log(format(header));
  rows.forEach((row) => console.log(format(row)));
}

/**
 * Reads both state files before anything runs, so that a corrupt one stops the command before a
 * synth or a handler, and before anything could write over it.
 *
 * @throws StateFileError naming the file
 */
function checkStateFiles(): void {
  loadStoreFile(HUB_STATE);
  readLocalState(STACK_STATE);
}

/** Deletes the local state this CLI writes, and only that (the folder may be shared). */
function reset(): number {
  const entries = [HUB_STATE, STACK_STATE, ASSETS_COPY, CDK_OUT];
  const removed = entries.filter((entry) => fs.existsSync(entry));
  for (const entry of removed) {
    fs.rmSync(entry, { recursive: true, force: true });
  }
  if (removed.length === 0) {
    console.log(`Nothing to reset: no local state in ${path.relative(process.cwd(), STATE_DIR) || '.'}.`);
  } else {
    console.log(`Deleted ${removed.map((entry) => path.relative(process.cwd(), entry)).join(', ')}. The local Security Hub is empty and nothing is deployed.`);
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const args = parseLocalArgs(argv);
  const { command, operands } = args;
  const verbose = args.options.verbose ?? false;
  switch (command) {
    case 'help':
      console.log(USAGE);
      return 0;
    case 'version':
      console.log(VERSION);
      return 0;
    case 'reset':
      return reset();
    case 'deploy': {
      const started = Date.now();
      checkStateFiles();
      const organizationAccounts = checkSampleContext(args);
      // Only deploy runs the handlers, so only deploy needs them bundled, and only when they changed.
      ensureBundles(ROOT, (line) => console.log(line));
      console.log('Synthesizing bin/app.ts ...');
      synthesize(synthContextArgs(args));
      const synthesized = readAssembly(CDK_OUT, DEFAULT_ENVIRONMENT);
      // Like `cdk deploy STACK`, naming stacks deploys only those, without the stacks they depend on.
      const stacks = selectStacks(synthesized, operands, 'in the app');
      const failAfter = args.options['fail-after'];
      if (failAfter !== undefined) {
        try {
          checkFailAfter(stacks, failAfter);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
      }
      return withHub(async (emulator) => {
        console.log(`Deploying ${stacks.length} stack${stacks.length === 1 ? '' : 's'} to the local Security Hub (state in ${path.relative(process.cwd(), HUB_STATE)})`);
        const { cfn, printSkipped } = cloudFormation(emulator, verbose);
        let ok = true;
        // One stack at a time, as `cdk deploy --all` does, so that a stack needing no call is
        // reported in its place; like it, the deploy stops at the first stack that fails.
        for (const stack of stacks) {
          const fails = failAfter !== undefined && stack.resources.some((r) => namesResource(failAfter, r));
          const result = await cfn.deploy([stack], fails ? { failAfter } : {});
          printSkipped(result.events);
          if (!result.ok) {
            ok = false;
            break;
          }
        }
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        if (!ok) {
          console.log(`\nDeploy failed after ${seconds} s; CloudFormation's rollback was applied (see above).`);
          return 1;
        }
        // `cdk deploy` never deletes a stack that left the app (a member taken out of cdk.json), nor
        // the stack it deployed before to another account or region: to CloudFormation that is another stack.
        const deployed = cfn.deployedStacks;
        const gone = deployed.filter((stack) => !synthesized.some((s) => sameStack(s, stack)));
        if (gone.length > 0) {
          const refs = gone.map((stack) => stackRef(stack, deployed));
          console.log(`\nNo longer in the app, still deployed (as \`cdk deploy\` would leave them): ${gone.map((g) => `${g.name} (account ${g.account}, ${g.region})`).join(', ')}`);
          console.log(`Delete ${gone.length === 1 ? 'it' : 'them'} with: npm run local -- destroy ${refs.join(' ')}`);
        }
        console.log(`\nDeployed in ${seconds} s. See every member with: npm run local -- status`);
        return 0;
      }, { organizations: organizations(stacks, organizationAccounts) });
    }
    case 'destroy': {
      checkStateFiles();
      const deployed = deployedStacks(readLocalState(STACK_STATE));
      const targets = selectStacks(deployed, operands, 'deployed locally');
      if (deployed.length === 0) {
        console.log('Nothing is deployed locally.');
        return 0;
      }
      return withHub(async (emulator) => {
        const { cfn, printSkipped } = cloudFormation(emulator, verbose);
        // The member stacks were deployed after the administrator's, so their accepters go first.
        console.log(`Destroying ${targets.length} stack${targets.length === 1 ? '' : 's'} in the local Security Hub, the last deployed first`);
        for (const target of [...targets].reverse()) {
          const result = await cfn.destroy([target]);
          printSkipped(result.events);
          if (!result.ok) {
            console.log('\nDestroy failed (see above); the remaining resources are still recorded.');
            return 1;
          }
        }
        console.log('\nDestroyed.');
        return 0;
      });
    }
    case 'status':
      // Reading the state file is enough: no server, no build.
      printStatus(loadStoreFile(HUB_STATE));
      return 0;
    case 'drift':
      // The command is bundled with the handlers, from the same shared sources. Its output may be
      // JSON (--json), so this command's own lines go to stderr.
      checkStateFiles();
      ensureBundles(ROOT, (line) => console.error(line));
      return withHub((emulator) => localDrift(emulator, CDK_OUT, args.rest ?? []));
    case 'import':
      // Like drift: the bundled command, and its stdout is the declaration alone.
      checkStateFiles();
      ensureBundles(ROOT, (line) => console.error(line));
      return withHub((emulator) => localImport(emulator, args.rest ?? []));
    case 'audit':
      // The scheduled audit's bundled function, once per deployed stack that has one.
      checkStateFiles();
      ensureBundles(ROOT, (line) => console.log(line));
      return withHub((emulator) => localAudit(emulator, { root: ROOT, stackState: STACK_STATE, cdkOut: CDK_OUT }, args.rest ?? []));
    case 'resign':
      checkStateFiles();
      return withHub((emulator) => localResign(emulator, operands));
    case 'remove':
      checkStateFiles();
      return withHub((emulator) => localRemove(emulator, operands));
    default:
      throw new Error(`command "${command}" is in the usage but has no implementation`);
  }
}

/** The error as one line, naming what is wrong and, for a state file, the way out. */
function errorLine(error: unknown): string {
  if (error instanceof UsageError) {
    return `error: ${error.message}`;
  }
  if (error instanceof SynthError) {
    return `error: cdk synth failed, so nothing was deployed and the local Security Hub is unchanged: ${error.message}`;
  }
  if (error instanceof NotACloudAssembly) {
    return `error: the synthesized app ${error.message}`;
  }
  if (error instanceof StateFileError) {
    const problem = error.message.split(error.path).join(path.relative(process.cwd(), error.path));
    return `error: ${problem}. The file was left as it is: repair it, or start over with \`npm run local -- reset\`, which deletes the local state`;
  }
  return `error: unexpected ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // One line, whatever the message holds (a parser's may quote a file, newlines included), and
    // no stack trace: every error names the option, the account or the file, and what was expected.
    console.error(errorLine(error).replace(/\s+/g, ' ').trim());
    process.exitCode = 1;
  },
);
