/**
 * `npm run local -- deploy | destroy | status`: deploys the sample app's Security Hub resources
 * against the local Security Hub, running the bundled handlers from cdk.out as CloudFormation and
 * the Provider framework would. No AWS account is needed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readAssembly } from './deploy/assembly';
import { LocalCloudFormation } from './deploy/cloudformation';
import { changes, describeEvent, MemberSnapshot, resourceName, snapshot } from './deploy/report';
import { HubStore, RunningEmulator, startEmulator } from './emulator';

const ROOT = path.join(__dirname, '..');
const STATE_DIR = path.resolve(process.env.SECURITYHUB_LOCAL_DIR ?? path.join(ROOT, '.local'));
const HUB_STATE = path.join(STATE_DIR, 'securityhub.json');
const STACK_STATE = path.join(STATE_DIR, 'stacks.json');
const CDK_OUT = path.join(STATE_DIR, 'cdk.out');

const USAGE = `Usage: npm run local -- <command> [--verbose] [-c key=value ...]

Commands:
  deploy    synthesize bin/app.ts and deploy its Security Hub resources to the local Security Hub
  destroy   delete what deploy created (resources with removalPolicy RETAIN are left as they are)
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

function cloudFormation(emulator: RunningEmulator, verbose: boolean): LocalCloudFormation {
  let before: MemberSnapshot = new Map();
  let lastStack = '';
  return new LocalCloudFormation({
    endpoint: emulator.url,
    statePath: STACK_STATE,
    assetsDir: path.join(STATE_DIR, 'assets'),
    observer: {
      before: () => {
        before = snapshot(emulator.store);
        emulator.calls.reset();
      },
      after: (report) => {
        if (report.stack !== lastStack) {
          console.log(`\n${report.stack}  (account ${report.account}, ${report.region})`);
          lastStack = report.stack;
        }
        const lines = describeEvent(report, changes(before, snapshot(emulator.store)), emulator.calls.countsByOperation());
        console.log(lines.join('\n'));
        if (verbose) {
          report.logs.forEach((line) => console.log(`      | ${line}`));
        }
      },
    },
  });
}

function printUnchanged(events: { action: string; stack: string; path: string; type: string }[]): void {
  const unchanged = events.filter((e) => e.action === 'Unchanged' || e.action === 'Retained');
  for (const e of unchanged) {
    console.log(`\n${e.stack}\n  ${e.action.padEnd(15)} ${resourceName(e.path)} (${e.type})  no change, no call`);
  }
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
  argv.forEach((arg, i) => {
    if ((arg === '-c' || arg === '--context') && argv[i + 1]) {
      contextArgs.push('--context', argv[i + 1]);
    }
  });
  switch (command) {
    case 'deploy': {
      const started = Date.now();
      console.log('Synthesizing bin/app.ts ...');
      synthesize(contextArgs);
      const stacks = readAssembly(CDK_OUT, { account: '999999999999', region: 'us-east-1' });
      return withHub(async (emulator) => {
        console.log(`Deploying ${stacks.length} stack${stacks.length === 1 ? '' : 's'} to the local Security Hub (state in ${path.relative(process.cwd(), HUB_STATE)})`);
        const result = await cloudFormation(emulator, verbose).deploy(stacks);
        printUnchanged(result.events);
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        if (!result.ok) {
          console.log(`\nDeploy failed after ${seconds} s; CloudFormation's rollback was applied (see above).`);
          return 1;
        }
        console.log(`\nDeployed in ${seconds} s. See every member with: npm run local -- status`);
        return 0;
      });
    }
    case 'destroy':
      return withHub(async (emulator) => {
        const result = await cloudFormation(emulator, verbose).destroy();
        if (result.events.length === 0) {
          console.log('Nothing is deployed locally.');
        }
        console.log(result.ok ? '\nDestroyed.' : '\nDestroy failed (see above); the remaining resources are still recorded.');
        return result.ok ? 0 : 1;
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
