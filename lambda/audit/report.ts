/**
 * What one audit run publishes, computed without I/O: the metric values, the report line and the
 * drift event's detail, cut to fit EventBridge's entry size (docs/design.md, "Scheduled audit").
 */
import {
  AuditRepairedResource,
  AuditReportShape,
  DRIFT_EVENT_DETAIL_TYPE,
  DRIFT_EVENT_SOURCE,
  METRIC_DECLARED_MEMBERS,
  METRIC_DRIFTED_MEMBERS,
  METRIC_PENDING_MEMBERS,
  METRIC_UNDECLARED_MEMBERS,
} from '../../lib/shared/contract';
import { normalizeStatus } from '../shared/status';
import type { DriftDocument, ResourceResult } from '../shared/fleet/comparison';

/** The values of one run's metrics. */
export interface AuditMetrics {
  /** Declared account-region pairs. */
  readonly [METRIC_DECLARED_MEMBERS]: number;
  /** Declared pairs out of sync. */
  readonly [METRIC_DRIFTED_MEMBERS]: number;
  /** Declared pairs Invited, not yet Enabled. */
  readonly [METRIC_PENDING_MEMBERS]: number;
  /** Members of the administrator's hubs that no resource declares, per region. */
  readonly [METRIC_UNDECLARED_MEMBERS]: number;
}

/** The metric values of a report. */
export function metricsOf(document: DriftDocument): AuditMetrics {
  const members = document.resources.flatMap((r) => r.members);
  // Every resource of one administrator and region lists the same undeclared members.
  const undeclared = new Set(document.resources.flatMap((r) => r.undeclared.map((id) => `${r.account}|${r.region}|${id}`)));
  return {
    [METRIC_DECLARED_MEMBERS]: members.length,
    [METRIC_DRIFTED_MEMBERS]: members.filter((m) => !m.inSync).length,
    [METRIC_PENDING_MEMBERS]: members.filter((m) => normalizeStatus(m.status) === 'Invited').length,
    [METRIC_UNDECLARED_MEMBERS]: undeclared.size,
  };
}

/** What repair did in one region of one resource. */
export type RepairedResource = AuditRepairedResource;

/** The one report line of a run: the document of `drift --json`, the stack, and what was repaired. */
export interface AuditReport extends DriftDocument, AuditReportShape {
  readonly resources: ResourceResult[];
}

/** EventBridge's limit on one entry, in bytes. */
export const MAX_EVENT_ENTRY_BYTES = 256 * 1024;

/** A resource of the event: only the declared accounts out of sync. */
export type DriftedResource = Omit<ResourceResult, 'undeclared'>;

/** The event's detail. */
export interface DriftEventDetail {
  readonly stack: string;
  readonly inSync: false;
  readonly resources: DriftedResource[];
  /** Out-of-sync account-region pairs left out to fit the entry; absent when none were. */
  readonly omittedMembers?: number;
  readonly repaired?: RepairedResource[];
}

/**
 * EventBridge's size of an entry: the Time field (14 bytes), Source, DetailType and Detail in
 * UTF-8 (there are no Resources).
 */
export function entrySize(detail: string): number {
  return 14 + Buffer.byteLength(DRIFT_EVENT_SOURCE) + Buffer.byteLength(DRIFT_EVENT_DETAIL_TYPE) + Buffer.byteLength(detail);
}

/**
 * The event's detail (JSON): the report's resources and members out of sync, with what was
 * repaired. When it is over `maxBytes`, members are left out from the end, and the detail says
 * how many.
 */
export function driftEventDetail(report: AuditReport, maxBytes = MAX_EVENT_ENTRY_BYTES): string {
  const resources: DriftedResource[] = report.resources
    .map((r) => ({ stack: r.stack, logicalId: r.logicalId, account: r.account, region: r.region, members: r.members.filter((m) => !m.inSync) }))
    .filter((r) => r.members.length > 0);
  const total = resources.reduce((sum, r) => sum + r.members.length, 0);
  const render = (keep: number): string => {
    let left = keep;
    const kept = resources.map((r) => {
      const members = r.members.slice(0, Math.max(0, left));
      left -= members.length;
      return { ...r, members };
    }).filter((r) => r.members.length > 0);
    const detail: DriftEventDetail = {
      stack: report.stack,
      inSync: false,
      resources: kept,
      ...(keep < total ? { omittedMembers: total - keep } : {}),
      ...(report.repaired && keep === total ? { repaired: report.repaired } : {}),
    };
    return JSON.stringify(detail);
  };
  const full = render(total);
  if (entrySize(full) <= maxBytes) {
    return full;
  }
  // The largest number of members that fits, by bisection: the size grows with the count.
  let low = 0;
  let high = total - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (entrySize(render(middle)) <= maxBytes) {
      low = middle;
    } else {
      high = middle - 1;
    }
  }
  return render(low);
}

/** CloudWatch Logs' limit on one log event, in bytes, less room for Lambda's JSON envelope. */
export const MAX_LOG_LINE_BYTES = 256 * 1024 - 2 * 1024;

/**
 * The report line: the whole report when it fits one CloudWatch Logs event. Otherwise a summary
 * that is never cut in the middle by the log service: per resource only the members out of sync
 * (the first ones, when even those do not fit, with `omittedMembers` counting the rest), and counts
 * of the in-sync (`inSyncMembers`) and undeclared (`undeclaredMembers`) members.
 */
export function reportLine(report: AuditReport, maxBytes = MAX_LOG_LINE_BYTES): string {
  const line = (value: unknown): string => JSON.stringify({ level: report.inSync ? 'INFO' : 'WARN', message: 'audit report', report: value });
  const full = line(report);
  if (Buffer.byteLength(full) <= maxBytes) {
    return full;
  }
  const drifted = report.resources.map((r) => r.members.filter((m) => !m.inSync));
  const total = drifted.reduce((sum, list) => sum + list.length, 0);
  const summary = (keep: number): string => {
    let left = keep;
    const resources = report.resources.map((r, i) => {
      const members = drifted[i].slice(0, Math.max(0, left));
      left -= members.length;
      const { undeclared, ...rest } = r;
      return { ...rest, members, inSyncMembers: r.members.length - drifted[i].length, undeclaredMembers: undeclared.length };
    });
    return line({ ...report, summarized: true, resources, ...(keep < total ? { omittedMembers: total - keep } : {}) });
  };
  let low = 0;
  let high = total;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (Buffer.byteLength(summary(middle)) <= maxBytes) {
      low = middle;
    } else {
      high = middle - 1;
    }
  }
  return summary(low);
}
