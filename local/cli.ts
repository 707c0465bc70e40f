/**
 * `npm run local -- deploy | destroy | status`: deploys the sample app's Security Hub resources
 * against the local Security Hub, running the bundled handlers from cdk.out as CloudFormation and
 * the Provider framework would. No AWS account is needed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readAssembly } from './deploy/assembly';
import { EventReport, LocalCloudFormation } from './deploy/cloudformation';
import { changes, describeEvent, MemberSnapshot, resourceName, snapshot } from './deploy/report';
import { HubStore, RunningEmulator, startEmulator } from './emulator';

const ROOT = path.join(__dirname, '..');
const STATE_DIR = path.resolve(process.env.SECURITYHUB_LOCAL_DIR ?? path.join(ROOT, '.local'));
const HUB_STATE = path.join(STATE_DIR, 'securityhub.json');
const STACK_STATE = path.join(STATE_DIR, 'stacks.json');
const CDK_OUT = path.join(STATE_DIR, 'cdk.out');

const USAGE = `Usage: npm run local -- <command> [STACK ...] [--verbose] [-c key=value ...]

Commands:
  deploy    synthesize bin/app.ts and deploy its stacks to the local Security Hub, in dependency
            order (the administrator's stack, then the member stacks), each as its own account,
            or only the named stacks
  destroy   delete what deploy created, the last deployed stack first, or only the named stacks
            (resources with removalPolicy RETAIN are left as they are)
  status    print every member's status, per administrator and region

State is kept in ${path.relative(process.cwd(), STATE_DIR) || '.'} (set SECURITYHUB_LOCAL_DIR to move it).`;

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

async function withHub<T>(fn: (emulator: RunningEmulator) => Promise<T>): Promise<T> {
  fs.mkdirSync(STATE_DIR, { recursive: true });
  // The service's own rate limit, so local deploys pace themselves as real ones must.
  const emulator = await startEmulator({ statePath: HUB_STATE, rateLimit: { ratePerSecond: 10, burst: 30 } });
  try {
    return await fn(emulator);
  } finally {
    await emulator.close();
  }
}

/** A local CloudFormation that prints each event under its stack's name as it happens. */
function cloudFormation(emulator: RunningEmulator, verbose: boolean): { cfn: LocalCloudFormation; printSkipped(events: readonly EventReport[]): void } {
  let before: MemberSnapshot = new Map();
  let lastStack = '';
  const header = (report: { stack: string; account: string; region: string }): void => {
    if (report.stack !== lastStack) {
      console.log(`\n${report.stack}  (account ${report.account}, ${report.region})`);
      lastStack = report.stack;
    }
  };
  const cfn = new LocalCloudFormation({
    endpoint: emulator.url,
    statePath: STACK_STATE,
    assetsDir: path.join(STATE_DIR, 'assets'),
    observer: {
      before: () => {
        before = snapshot(emulator.store);
        emulator.calls.reset();
      },
      after: (report) => {
        header(report);
        const lines = describeEvent(report, changes(before, snapshot(emulator.store)), emulator.calls.countsByOperation());
        console.log(lines.join('\n'));
        if (verbose) {
          report.logs.forEach((line) => console.log(`      | ${line}`));
        }
      },
    },
  });
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

async function main(argv: string[]): Promise<number> {
  const command = argv[0];
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  const contextArgs: string[] = [];
  const stackNames: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    if ((argv[i] === '-c' || argv[i] === '--context') && argv[i + 1]) {
      contextArgs.push('--context', argv[++i]);
    } else if (!argv[i].startsWith('-')) {
      stackNames.push(argv[i]);
    }
  }
  switch (command) {
    case 'deploy': {
      const started = Date.now();
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
      return withHub(async (emulator) => {
        console.log(`Deploying ${stacks.length} stack${stacks.length === 1 ? '' : 's'} to the local Security Hub (state in ${path.relative(process.cwd(), HUB_STATE)})`);
        const { cfn, printSkipped } = cloudFormation(emulator, verbose);
        let ok = true;
        // One stack at a time, as `cdk deploy --all` does, so that a stack needing no call is
        // reported in its place; like it, the deploy stops at the first stack that fails.
        for (const stack of stacks) {
          const result = await cfn.deploy([stack]);
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
      });
    }
    case 'destroy':
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
      return withHub(async (emulator) => {
        printStatus(emulator.store);
        return 0;
      });
    default:
      console.log(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof SynthError) {
      console.error(`\ncdk synth failed; nothing was deployed and the local Security Hub is unchanged:\n${error.message}`);
    } else {
      console.error(error instanceof Error ? error.stack : error);
    }
    process.exitCode = 1;
  },
);
