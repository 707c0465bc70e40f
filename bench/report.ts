/** The Markdown the benchmark prints, ready to paste into the README. */
import { BundleStats, median } from './bundle';
import { Measurement, phasedFloorMs, phasesOf, rateLimitBoundMs } from './measure';
import { EVENT_LABELS } from './scenario';

/** What the report states about how it was run. */
export interface ReportContext {
  readonly latencyMs: number;
  readonly parallelism: number;
  readonly handlerEnvironment: Record<string, string>;
  /** The handler's requests in flight per phase, as its tuning sets it. */
  readonly handlerConcurrency: number;
  readonly bundle: BundleStats;
  /** The first invocation's extra time over a warm one, per run; absent when not measured. */
  readonly coldStartExtraMs: number[];
  /** Whether the handler was timed on its first invocation rather than warmed up. */
  readonly cold: boolean;
  readonly assetMatches: boolean;
}

const OPERATION_ORDER = ['GetMembers', 'CreateMembers', 'InviteMembers', 'DisassociateMembers', 'DeleteMembers'];

const APPROACH_LABELS = { 'handler': 'this library (batched)', 'one-at-a-time': 'one at a time (Terraform)' } as const;

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function bytes(n: number): string {
  return n.toLocaleString('en-US');
}

function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}

function byOperation(counts: Record<string, number>): string {
  const names = Object.keys(counts).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return names.map((name) => `${bytes(counts[name])} ${name}`).join(', ');
}

function rank(operation: string): number {
  const index = OPERATION_ORDER.indexOf(operation);
  return index < 0 ? OPERATION_ORDER.length : index;
}

/** Keeps a message readable in a footnote: a handler error may list a hundred account ids. */
function shorten(message: string): string {
  const collapsed = message.replace(/\b\d{12}(?:, \d{12}){3,}\b/g, (list) => {
    const ids = list.split(', ');
    return `${ids[0]}, ${ids[1]}, …, ${ids[ids.length - 1]} (${ids.length} accounts)`;
  });
  return collapsed.length > 600 ? `${collapsed.slice(0, 600)} …` : collapsed;
}

function table(header: string[], align: ('l' | 'r')[], rows: string[][]): string {
  const rule = align.map((a) => (a === 'r' ? '--:' : '---'));
  return [header, rule, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** Renders the whole report. */
export function renderReport(measurements: readonly Measurement[], context: ReportContext): string {
  const { bundle, latencyMs } = context;
  const tuning = Object.entries(context.handlerEnvironment).map(([k, v]) => `${k}=${v}`).join(', ') || 'defaults';
  const lines: string[] = [];
  const sizes = [...new Set(measurements.map((m) => bytes(m.scenario.size)))];
  const sizeList = sizes.length > 1 ? `${sizes.slice(0, -1).join(', ')} and ${sizes[sizes.length - 1]}` : sizes.join('');
  lines.push(`### Benchmark: ${sizeList} members against the local Security Hub`);
  lines.push('');
  lines.push(`Local Security Hub with the service's rate limit (10 requests/s, burst 30) and ${latencyMs} ms per request; `
    + 'a fresh emulator (full token bucket) and a freshly loaded handler (its own pacer) for every row, '
    + `${context.cold ? 'timed on its first invocation' : 'warmed up with a spare account first, so the time is the event\'s own work'}. Node.js ${process.version}. `
    + `Handler tuning: ${tuning}. One at a time: the AWS SDK's adaptive retry (25 attempts, the provider's default), `
    + `parallelism ${context.parallelism}.`);
  lines.push('');
  lines.push(`Handler bundle \`${bundle.file}\`${context.assetMatches ? ' (byte-identical to the asset in cdk.out)' : ' (differs from the asset in cdk.out!)'}: `
    + `${bytes(bundle.bytes)} bytes, ${bytes(bundle.gzipBytes)} gzipped; module load (require in a fresh process, `
    + `median of ${bundle.loadMs.length}): ${Math.round(bundle.medianLoadMs)} ms`
    + (context.coldStartExtraMs.length > 0
      ? `; the first invocation then takes ${Math.round(median(context.coldStartExtraMs))} ms longer than a warm one (SDK setup and JIT, median of ${context.coldStartExtraMs.length}).`
      : '.'));
  lines.push('');

  const footnotes: string[] = [];
  const rows = measurements.map((m) => {
    const accepted = m.total - m.throttled;
    const bound = rateLimitBoundMs(accepted, latencyMs);
    const problems = [...m.errors, ...m.stateProblems];
    let wall = duration(m.wallMs);
    if (m.repeatsMs && m.repeatsMs.length > 1) {
      wall += ` (${duration(Math.min(...m.repeatsMs))} to ${duration(Math.max(...m.repeatsMs))})`;
    }
    if (problems.length > 0) {
      footnotes.push(`${footnotes.length + 1}. ${m.scenario.size} members, ${EVENT_LABELS[m.scenario.event]}, ${APPROACH_LABELS[m.approach]}: `
        + problems.map(shorten).join('; '));
      wall += ` (failed, see ${footnotes.length})`;
    }
    return [
      bytes(m.scenario.size),
      EVENT_LABELS[m.scenario.event],
      APPROACH_LABELS[m.approach],
      `${bytes(m.total)}: ${byOperation(m.counts)}`,
      bytes(m.throttled),
      wall,
      duration(bound),
      ratio(m.wallMs, bound),
    ];
  });
  lines.push(table(
    ['Members', 'Event', 'Approach', 'API calls', 'Throttled (429)', 'Wall time', 'Rate-limit bound', 'Wall / bound'],
    ['r', 'l', 'l', 'l', 'r', 'r', 'r', 'r'],
    rows,
  ));
  lines.push('');
  const repeats = Math.max(...measurements.map((m) => m.repeatsMs?.length ?? 1));
  if (repeats > 1) {
    lines.push(`The handler's rows are the median of ${repeats} runs, with the fastest and slowest in brackets; one at a time runs once.`);
    lines.push('');
  }
  lines.push(`Rate-limit bound: max(0, accepted calls - 30) / 10 s + one request's latency (${latencyMs} ms); throttled calls take no token and are left out.`);
  if (footnotes.length > 0) {
    lines.push('');
    lines.push(...footnotes);
  }

  const handlerRuns = measurements.filter((m) => m.approach === 'handler');
  if (handlerRuns.length > 0) {
    lines.push('');
    lines.push('#### The handler against its dependent-phase floor');
    lines.push('');
    lines.push('The handler reads before it writes, creates before it invites, and disassociates before it deletes (docs/design.md, "Lifecycle"), '
      + 'so each phase waits for the answers of the one before. The floor is the best schedule of those phases under the same '
      + `token bucket and latency: with any number of requests in flight, and with the handler's ${context.handlerConcurrency}.`);
    lines.push('');
    lines.push(table(
      ['Members', 'Event', 'Phases', 'Floor', `Floor, ${context.handlerConcurrency} in flight`, 'Wall time', 'Wall / floor'],
      ['r', 'l', 'l', 'r', 'r', 'r', 'r'],
      handlerRuns.map((m) => {
        const phases = phasesOf(m.sequence);
        const counts = phases.map((p) => p.calls);
        const floor = phasedFloorMs(counts, latencyMs);
        return [
          bytes(m.scenario.size),
          EVENT_LABELS[m.scenario.event],
          phases.map((p) => `${p.calls} ${p.operation}`).join(' → '),
          duration(floor),
          duration(phasedFloorMs(counts, latencyMs, context.handlerConcurrency)),
          `${duration(m.wallMs)}${m.errors.length + m.stateProblems.length > 0 ? ' (failed)' : ''}`,
          ratio(m.wallMs, floor),
        ];
      }),
    ));
  }
  return lines.join('\n');
}
