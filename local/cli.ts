/**
 * `npm run local -- deploy | destroy | status | drift | resign | remove | reset`: deploys the sample app's Security Hub
 * resources against the local Security Hub, running the bundled handlers from cdk.out as
 * CloudFormation and the Provider framework would. No AWS account is needed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseOrganizationAccounts } from '../bin/sample-app';
import { MEMBERS_RESOURCE_TYPE } from '../lib/shared/contract';
import { localUsage, parseLocalArgs, UsageError } from './cli-args';
import { LocalStack, readAssembly } from './deploy/assembly';
import { checkFailAfter, EventReport, LocalCloudFormation, namesResource, readLocalState } from './deploy/cloudformation';
import { changes, describeEvent, MemberSnapshot, phaseLine, resourceName, snapshot } from './deploy/report';
import { localDrift, localRemove, localResign } from './drift';
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

function synthesize(contextArgs: string[]): void {
  const cdk = path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
  const result = spawnSync(process.execPath, [cdk, 'synth', '--quiet', '--output', CDK_OUT, ...contextArgs], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    // The construct's own message is what matters; the stack trace below it is noise here.
    const message = /^(?:\w*Error): (.+)$/m.exec(output)?.[1];
    throw new SynthError(message ?? (output.trim() || `cdk synth exited with ${result.status}`));
  }
}

class SynthError extends Error {}

/**
 * The sample app's organization (context key `organizationAccounts`, from `-c` or cdk.json) for
 * each administrator that declares members: the local Security Hub plays that organization.
 */
function organizations(stacks: readonly LocalStack[], contextArgs: readonly string[]): Record<string, string[]> {
  const given = contextArgs.map((arg) => /^organizationAccounts=(.*)$/s.exec(arg)?.[1]).filter((v) => v !== undefined).pop();
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const accounts = parseOrganizationAccounts(given ?? cdkJson.context?.organizationAccounts);
  const administrators = stacks.filter((s) => s.resources.some((r) => r.type === MEMBERS_RESOURCE_TYPE)).map((s) => s.account);
  return Object.fromEntries(administrators.map((administrator) => [administrator, accounts]));
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

/** The names of the stacks with deployed resources, in the order they were first deployed. */
function deployedStacks(cfn: LocalCloudFormation): string[] {
  return [...new Set(cfn.resources.map((r) => r.stack))];
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
  let args;
  try {
    args = parseLocalArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  const { command, verbose } = args;
  const contextArgs = [...args.context];
  const stackNames = [...args.stacks];
  switch (command) {
    case 'help':
      console.log(USAGE);
      return 0;
    case 'reset':
      return reset();
    case 'deploy': {
      const started = Date.now();
      checkStateFiles();
      // Only deploy runs the handlers, so only deploy needs them bundled, and only when they changed.
      ensureBundles(ROOT, (line) => console.log(line));
      console.log('Synthesizing bin/app.ts ...');
      synthesize(contextArgs);
      const synthesized = readAssembly(CDK_OUT, { account: '999999999999', region: 'us-east-1' });
      const unknown = stackNames.filter((name) => !synthesized.some((s) => s.name === name));
      if (unknown.length > 0) {
        console.log(`Not in the app: ${unknown.join(', ')}. Expected one of: ${synthesized.map((s) => s.name).join(', ')}`);
        return 2;
      }
      // Like `cdk deploy STACK`, naming stacks deploys only those, without the stacks they depend on.
      const stacks = synthesized.filter((s) => stackNames.length === 0 || stackNames.includes(s.name));
      const failAfter = args.failAfter;
      if (failAfter !== undefined) {
        try {
          checkFailAfter(stacks, failAfter);
        } catch (error) {
          console.log((error as Error).message);
          return 2;
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
        // `cdk deploy` never deletes a stack that left the app (a member taken out of cdk.json).
        const gone = deployedStacks(cfn).filter((name) => !synthesized.some((s) => s.name === name));
        if (gone.length > 0) {
          console.log(`\nNo longer in the app, still deployed (as \`cdk deploy\` would leave them): ${gone.join(', ')}`);
          console.log(`Delete ${gone.length === 1 ? 'it' : 'them'} with: npm run local -- destroy ${gone.join(' ')}`);
        }
        console.log(`\nDeployed in ${seconds} s. See every member with: npm run local -- status`);
        return 0;
      }, { organizations: organizations(stacks, contextArgs) });
    }
    case 'destroy':
      checkStateFiles();
      return withHub(async (emulator) => {
        const { cfn, printSkipped } = cloudFormation(emulator, verbose);
        const deployed = deployedStacks(cfn);
        const unknown = stackNames.filter((name) => !deployed.includes(name));
        if (unknown.length > 0) {
          console.log(`Not deployed locally: ${unknown.join(', ')}. Expected one of: ${deployed.join(', ') || '(none)'}`);
          return 2;
        }
        if (deployed.length === 0) {
          console.log('Nothing is deployed locally.');
          return 0;
        }
        // The member stacks were deployed after the administrator's, so their accepters go first.
        const targets = deployed.reverse().filter((name) => stackNames.length === 0 || stackNames.includes(name));
        console.log(`Destroying ${targets.length} stack${targets.length === 1 ? '' : 's'} in the local Security Hub, the last deployed first`);
        for (const name of targets) {
          const result = await cfn.destroy([name]);
          printSkipped(result.events);
          if (!result.ok) {
            console.log('\nDestroy failed (see above); the remaining resources are still recorded.');
            return 1;
          }
        }
        console.log('\nDestroyed.');
        return 0;
      });
    case 'status':
      // Reading the state file is enough: no server, no build.
      printStatus(loadStoreFile(HUB_STATE));
      return 0;
    case 'drift':
      // The command is bundled with the handlers, from the same shared sources.
      checkStateFiles();
      ensureBundles(ROOT, (line) => console.log(line));
      return withHub((emulator) => localDrift(emulator, CDK_OUT, args.rest ?? []));
    case 'resign':
      checkStateFiles();
      return withHub((emulator) => localResign(emulator, stackNames));
    case 'remove':
      checkStateFiles();
      return withHub((emulator) => localRemove(emulator, stackNames));
    default:
      throw new Error(`command "${command}" is in the usage but has no implementation`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof SynthError) {
      console.error(`\ncdk synth failed; nothing was deployed and the local Security Hub is unchanged:\n${error.message}`);
    } else if (error instanceof StateFileError) {
      // One line, whatever the parser's message holds (it may quote the file, newlines included).
      const problem = error.message.split(error.path).join(path.relative(process.cwd(), error.path)).replace(/\s+/g, ' ').trim();
      console.error(`error: ${problem}. The file was left as it is: repair it, or start over with \`npm run local -- reset\`, which deletes the local state`);
    } else {
      console.error(error instanceof Error ? error.stack : error);
    }
    process.exitCode = 1;
  },
);
