import type { EventReport } from '../../local/deploy/cloudformation';
import { describeEvent, keptAccounts, phaseLine } from '../../local/deploy/report';

const KEPT_LINE = JSON.stringify({
  level: 'INFO',
  message: 'kept accounts another resource declares',
  region: 'us-east-1',
  accountIds: ['111111111111', '222222222222'],
  declaredBy: ['Fleet1A2B3C4D'],
});

function report(overrides: Partial<EventReport>): EventReport {
  return {
    stack: 'SecurityHubAdministrator',
    account: '999999999999',
    region: 'us-east-1',
    logicalId: 'MembersFEE56442',
    path: 'SecurityHubAdministrator/Members/Resource/Default',
    type: 'Custom::SecurityHubMembers',
    action: 'Delete',
    ok: true,
    properties: { Members: [{ AccountId: '111111111111' }, { AccountId: '222222222222' }] },
    logs: [],
    durationMs: 1200,
    ...overrides,
  };
}

describe('the local deploy\'s report of kept accounts', () => {
  test('reads the handler\'s kept-accounts lines and skips every other line', () => {
    const logs = [
      '{"level":"INFO","message":"removed","region":"us-east-1","accountIds":["333333333333"]}',
      'not json, but mentions kept accounts another resource declares',
      KEPT_LINE,
    ];
    expect(keptAccounts(logs)).toEqual([{ region: 'us-east-1', accountIds: ['111111111111', '222222222222'], declaredBy: ['Fleet1A2B3C4D'] }]);
  });

  test('prints one line per region with the accounts, who declares them, the region and the administrator', () => {
    const lines = describeEvent(report({ kept: [{ region: 'us-east-1', accountIds: ['111111111111', '222222222222'], declaredBy: ['Fleet'] }] }), [], {});
    expect(lines).toContain('    kept (declared by Fleet)           111111111111, 222222222222  [us-east-1, administrator 999999999999]');
  });

  test('says that a cleanup Delete that failed is skipped, and names the phases a person should notice', () => {
    const lines = describeEvent(report({ ok: false, error: 'could not read stack', phase: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' }), [], {});
    expect(lines).toContain('    a cleanup Delete that keeps failing is skipped: the stack completes and no longer manages it');
    expect(phaseLine('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')).toContain('deleting replaced and removed resources');
    expect(phaseLine('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS')).toContain('deleting what the failed update created');
    expect(phaseLine('UPDATE_IN_PROGRESS')).toBeUndefined();
  });
});

describe('the local deploy\'s report of accounts a rollback kept (rule R13)', () => {
  const line = JSON.stringify({ level: 'INFO', message: 'kept (a member before the failed deploy)', region: 'us-east-1', accountIds: ['111111111111'], stackStatus: 'ROLLBACK_IN_PROGRESS' });

  test('reads the handler\'s line as kept before the failed deploy, declared by no other resource', () => {
    expect(keptAccounts(['not json', line])).toEqual([{ region: 'us-east-1', accountIds: ['111111111111'], declaredBy: [], beforeFailedDeploy: true }]);
  });

  test('says "kept (a member before the failed deploy)" with the accounts', () => {
    const lines = describeEvent(report({ action: 'Rollback Delete', kept: keptAccounts([line]) }), [], {});
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}kept \(a member before the failed deploy\) +111111111111 {2}\[us-east-1, administrator 999999999999\]$/));
  });
});
