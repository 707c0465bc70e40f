import { AuditReport, driftEventDetail, entrySize, MAX_EVENT_ENTRY_BYTES, MAX_LOG_LINE_BYTES, metricsOf, reportLine } from '../../../lambda/audit/report';

function report(members: number, region = 'us-east-1'): AuditReport {
  return {
    stack: 'Admin',
    inSync: false,
    resources: [{
      stack: 'Admin', logicalId: 'Members', account: '999999999999', region,
      members: Array.from({ length: members }, (_, i) => ({ accountId: String(100000000000 + i), status: i % 2 === 0 ? 'Resigned' : 'Enabled', inSync: i % 2 !== 0 })),
      undeclared: ['888888888888'],
    }],
  };
}

describe('the audit report', () => {
  test('metrics count declared pairs, drifted, pending, and each undeclared member once per administrator and region', () => {
    const doc = report(4);
    const twoResources: AuditReport = {
      ...doc,
      resources: [
        ...doc.resources,
        { ...doc.resources[0], logicalId: 'Other', members: [{ accountId: '777777777777', status: 'INVITED', inSync: true }] },
        { ...doc.resources[0], region: 'eu-west-1', members: [], undeclared: ['888888888888'] },
      ],
    };
    expect(metricsOf(twoResources)).toEqual({ DeclaredMembers: 5, DriftedMembers: 2, PendingMembers: 1, UndeclaredMembers: 2 });
  });

  test('the event holds only what is out of sync, and no undeclared list', () => {
    const detail = JSON.parse(driftEventDetail(report(4)));
    expect(detail).toEqual({
      stack: 'Admin',
      inSync: false,
      resources: [{
        stack: 'Admin', logicalId: 'Members', account: '999999999999', region: 'us-east-1',
        members: [{ accountId: '100000000000', status: 'Resigned', inSync: false }, { accountId: '100000000002', status: 'Resigned', inSync: false }],
      }],
    });
  });

  test('a detail over EventBridge\'s 256 KB entry is cut to fit, with the count of members left out', () => {
    // 24 regions of 1,000 drifted members: far over one entry.
    const big: AuditReport = { stack: 'Admin', inSync: false, resources: Array.from({ length: 24 }, (_, r) => ({ ...report(2000, `region-${r}`).resources[0] })) };
    const text = driftEventDetail(big);
    expect(entrySize(text)).toBeLessThanOrEqual(MAX_EVENT_ENTRY_BYTES);
    const detail = JSON.parse(text) as { resources: { members: unknown[] }[]; omittedMembers: number };
    const kept = detail.resources.reduce((sum, r) => sum + r.members.length, 0);
    expect(kept).toBeGreaterThan(1000);
    expect(kept + detail.omittedMembers).toBe(24 * 1000);
  });

  test('a detail cut to a smaller limit fits it and counts what it left out', () => {
    const doc = report(200);
    const limit = entrySize(driftEventDetail(doc)) - 10;
    const cut = JSON.parse(driftEventDetail(doc, limit)) as { resources: { members: unknown[] }[]; omittedMembers: number };
    expect(cut.omittedMembers).toBeGreaterThanOrEqual(1);
    expect(entrySize(driftEventDetail(doc, limit))).toBeLessThanOrEqual(limit);
  });

  test('the report line is the whole report when it fits one log event', () => {
    const doc = report(4);
    expect(JSON.parse(reportLine(doc))).toEqual({ level: 'WARN', message: 'audit report', report: doc });
  });

  test('a report over one log event lists the members out of sync that fit, and counts the others', () => {
    const big: AuditReport = { stack: 'Admin', inSync: false, resources: Array.from({ length: 24 }, (_, r) => ({ ...report(1000, `region-${r}`).resources[0] })) };
    const line = reportLine(big);
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES);
    const parsed = JSON.parse(line) as { report: { summarized: boolean; omittedMembers: number; resources: { members: { inSync: boolean }[]; inSyncMembers: number; undeclaredMembers: number }[] } };
    expect(parsed.report.summarized).toBe(true);
    expect(parsed.report.resources).toHaveLength(24);
    const listed = parsed.report.resources.reduce((sum, r) => sum + r.members.length, 0);
    expect(listed).toBeGreaterThan(1000);
    // Every drifted member is listed or counted, and none in sync is listed.
    expect(listed + parsed.report.omittedMembers).toBe(24 * 500);
    for (const resource of parsed.report.resources) {
      expect(resource.members.every((m) => !m.inSync)).toBe(true);
      expect([resource.inSyncMembers, resource.undeclaredMembers]).toEqual([500, 1]);
    }
  });
});
