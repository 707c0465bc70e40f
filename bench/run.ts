/**
 * `npm run bench`: the benchmark of GitHub issue 6. For 10, 100 and 1,000 members, creates,
 * updates (10% churn, and no change) and deletes with the bundled handler and with the
 * one-account-at-a-time approach, against the local Security Hub with the service's rate limit,
 * then the drift command, one scheduled audit over 1,000 members in 24 regions, and a plan over
 * 1,000 members in 1 and in 24 regions, and prints
 * Markdown tables. Progress goes to stderr, so stdout is only the report.
 *
 *   npm run bench -- [--sizes 10,100,1000] [--quick] [--latency-ms 20] [--parallelism 10]
 *                    [--only handler|one-at-a-time] [--env NAME=VALUE ...] [--load-runs 5]
 *                    [--cold] [--repeat 3]
 */
import './env';
import * as fs from 'fs';
import * as path from 'path';
import { MAX_MEMBERS } from '../lib/shared/contract';
import { bundleStats } from './bundle';
import { AUDIT_REGIONS, AuditMeasurement, renderAuditReport, runAudit } from './audit';
import { DriftMeasurement, renderDriftReport, runDrift } from './drift';
import { PlanMeasurement, renderPlanReport, runPlan } from './plan';
import { coldStartOverhead, runHandler, synthesize } from './handler';
import { Approach, Measurement } from './measure';
import { runOneAtATime } from './one-at-a-time';
import { renderReport } from './report';
import { EVENT_LABELS, EVENTS, members, scenarioOf } from './scenario';

const ROOT = path.resolve(__dirname, '..');
const BUNDLE = path.join('assets', 'members-handler', 'index.js');

const USAGE = `usage: npm run bench -- [options]
  --sizes 10,100,1000     fleet sizes to run (1 to ${MAX_MEMBERS}); default 10,100,1000
  --quick                 the same as --sizes 10,100
  --latency-ms N          the emulator's delay before each answer; default 20
  --parallelism N         resources at once for the one-at-a-time approach; default 10 (Terraform's)
  --only APPROACH         run only "handler" or "one-at-a-time"; the drift audit runs with "handler"
  --env NAME=VALUE        extra environment for the handler, e.g. SECURITYHUB_MEMBERS_CONCURRENCY=10 (repeatable)
  --load-runs N           fresh processes to time the bundle's module load in; default 5
  --cold                  time the handler's first invocation instead of warming it up first
  --repeat N              run each handler measurement N times and report the median run; default 3`;

interface Options {
  sizes: number[];
  latencyMs: number;
  parallelism: number;
  approaches: Approach[];
  environment: Record<string, string>;
  loadRuns: number;
  cold: boolean;
  repeat: number;
}

function positiveInteger(flag: string, raw: string | undefined, max = Number.MAX_SAFE_INTEGER, min = 1): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`invalid ${flag} ${JSON.stringify(raw)}: expected an integer from ${min} to ${max}`);
  }
  return value;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { sizes: [10, 100, 1000], latencyMs: 20, parallelism: 10, approaches: ['handler', 'one-at-a-time'], environment: {}, loadRuns: 5, cold: false, repeat: 3 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string | undefined => argv[++i];
    switch (flag) {
      case '--sizes':
        options.sizes = (value() ?? '').split(',').map((s) => positiveInteger('--sizes', s.trim(), MAX_MEMBERS));
        break;
      case '--quick':
        options.sizes = [10, 100];
        break;
      case '--latency-ms':
        options.latencyMs = positiveInteger('--latency-ms', value(), 10_000, 0);
        break;
      case '--parallelism':
        options.parallelism = positiveInteger('--parallelism', value(), 1000);
        break;
      case '--only': {
        const approach = value();
        if (approach !== 'handler' && approach !== 'one-at-a-time') {
          throw new Error(`invalid --only ${JSON.stringify(approach)}: expected handler or one-at-a-time`);
        }
        options.approaches = [approach];
        break;
      }
      case '--env': {
        const [name, ...rest] = (value() ?? '').split('=');
        if (!name || rest.length === 0) {
          throw new Error(`invalid --env ${JSON.stringify(argv[i])}: expected NAME=VALUE`);
        }
        options.environment[name] = rest.join('=');
        break;
      }
      case '--load-runs':
        options.loadRuns = positiveInteger('--load-runs', value(), 100);
        break;
      case '--repeat':
        options.repeat = positiveInteger('--repeat', value(), 100);
        break;
      case '--cold':
        options.cold = true;
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${JSON.stringify(flag)}\n${USAGE}`);
    }
  }
  return options;
}

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  process.chdir(ROOT);
  if (!fs.existsSync(BUNDLE)) {
    throw new Error(`${BUNDLE} is missing: run \`npm run build\` first (npm run bench does)`);
  }
  progress(`bundle: timing ${options.loadRuns} cold loads of ${BUNDLE}`);
  const bundle = bundleStats(BUNDLE, options.loadRuns);
  // The asset a deploy uploads is a copy of the bundle; check it is the one measured.
  const asset = synthesize(members(1)).onEvent.file;
  const assetMatches = bundleStats(asset, 1).sha256 === bundle.sha256;
  const coldStartExtraMs = options.approaches.includes('handler') ? await coldStartOverhead(options.loadRuns) : [];

  const measurements: Measurement[] = [];
  for (const size of options.sizes) {
    for (const event of EVENTS) {
      const scenario = scenarioOf(size, event);
      for (const approach of options.approaches) {
        progress(`${size} members, ${EVENT_LABELS[event]}, ${approach}...`);
        // Only the handler is repeated: one at a time takes minutes per run at 1,000 members.
        const runs: Measurement[] = [];
        for (let run = 0; run < (approach === 'handler' ? options.repeat : 1); run++) {
          const m = approach === 'handler'
            ? await runHandler(scenario, { latencyMs: options.latencyMs, environment: options.environment, cold: options.cold })
            : await runOneAtATime(scenario, { latencyMs: options.latencyMs, parallelism: options.parallelism });
          const failed = m.errors.length + m.stateProblems.length > 0 ? ', FAILED' : '';
          progress(`  ${m.total} calls (${m.throttled} throttled) in ${(m.wallMs / 1000).toFixed(2)} s${failed}`);
          runs.push(m);
        }
        const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
        const median = sorted[Math.floor((sorted.length - 1) / 2)];
        measurements.push(runs.length > 1 ? { ...median, repeatsMs: runs.map((r) => r.wallMs) } : median);
      }
    }
  }
  const concurrency = Number(options.environment.SECURITYHUB_MEMBERS_CONCURRENCY ?? 30);
  // The drift check reads with the handler's clients: its figures sit beside the handler's.
  const audits: DriftMeasurement[] = [];
  if (options.approaches.includes('handler')) {
    for (const size of options.sizes) {
      progress(`${size} members, drift audit...`);
      const audit = await runDrift(size, options.latencyMs);
      progress(`  ${audit.total} calls (${audit.throttled} throttled) in ${(audit.wallMs / 1000).toFixed(2)} s, exit ${audit.exitCode}`);
      audits.push(audit);
    }
  }
  let scheduled: AuditMeasurement | undefined;
  if (options.approaches.includes('handler')) {
    progress(`${MAX_MEMBERS} members in each of ${AUDIT_REGIONS.length} regions, scheduled audit...`);
    scheduled = await runAudit(MAX_MEMBERS, AUDIT_REGIONS, options.latencyMs);
    progress(`  ${(scheduled.wallMs / 1000).toFixed(2)} s, reads ${(scheduled.readsMs / 1000).toFixed(2)} s${scheduled.ok ? '' : `, FAILED: ${scheduled.error}`}`);
  }
  const plans: PlanMeasurement[] = [];
  if (options.approaches.includes('handler')) {
    for (const regions of [[AUDIT_REGIONS[0]], AUDIT_REGIONS]) {
      progress(`${MAX_MEMBERS} members in ${regions.length} region(s), plan...`);
      const plan = await runPlan(MAX_MEMBERS, regions, options.latencyMs);
      progress(`  ${(plan.wallMs / 1000).toFixed(2)} s, reads ${(plan.readsMs / 1000).toFixed(2)} s, ${plan.mutating} mutating calls`);
      plans.push(plan);
    }
  }
  process.stdout.write(`${renderReport(measurements, {
    latencyMs: options.latencyMs,
    parallelism: options.parallelism,
    handlerEnvironment: options.environment,
    handlerConcurrency: concurrency,
    bundle,
    assetMatches,
    coldStartExtraMs,
    cold: options.cold,
  })}\n${audits.length > 0 ? `\n${renderDriftReport(audits)}\n` : ''}${scheduled ? `\n${renderAuditReport(scheduled)}\n` : ''}${plans.length > 0 ? `\n${renderPlanReport(plans)}\n` : ''}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
