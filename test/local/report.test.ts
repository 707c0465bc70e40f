import { KEPT_DECLARED_BY_ANOTHER_RESOURCE, KEPT_MEMBER_BEFORE_FAILED_DEPLOY, OUTCOME_KEPT } from '../../lib/shared/contract';
import type { EventReport } from '../../local/deploy/cloudformation';
import { describeEvent, emailKeptLines, KEPT_BEFORE_FAILED_DEPLOY_LABEL, keptAccounts, phaseLine } from '../../local/deploy/report';

const KEPT_LINE = JSON.stringify({
  level: 'INFO',
  message: 'any wording a person reads',
  outcome: OUTCOME_KEPT,
  reason: KEPT_DECLARED_BY_ANOTHER_RESOURCE,
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

  test('says that the Delete after a failed Create touched nothing: the Provider framework answered it', () => {
    const lines = describeEvent(report({ action: 'Rollback Delete', physicalResourceId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED', durationMs: 3 }), [], {});
    expect(lines).toEqual([
      '  Rollback Delete Members (Custom::SecurityHubMembers)  ok in 0.0 s',
      '    nothing to delete: the Create failed, and the Provider framework answered this Delete without the handler',
    ]);
  });

  test('says that a cleanup Delete that failed is skipped, and names the phases a person should notice', () => {
    const lines = describeEvent(report({ ok: false, error: 'could not read stack', phase: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' }), [], {});
    expect(lines).toContain('    a cleanup Delete that keeps failing is skipped: the stack completes and no longer manages it');
    expect(phaseLine('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')).toContain('deleting replaced and removed resources');
    expect(phaseLine('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS')).toContain('deleting what the failed update created');
    expect(phaseLine('UPDATE_IN_PROGRESS')).toBeUndefined();
  });
});

describe('the local deploy\'s report of a changed email', () => {
  const update = (overrides: Partial<EventReport>) => report({
    action: 'Update',
    oldProperties: { Members: [{ AccountId: '111111111111', Email: 'old@example.com' }, { AccountId: '222222222222' }] },
    properties: { Members: [{ AccountId: '111111111111', Email: 'new@example.com' }, { AccountId: '222222222222' }, { AccountId: '333333333333', Email: 'a@example.com' }] },
    ...overrides,
  });

  test('says the stored email is kept, and why, for each account whose email changed', () => {
    const lines = describeEvent(update({}), [], {});
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}email kept +111111111111 {2}\[us-east-1, administrator 999999999999\]$/));
    expect(lines.join('\n')).toContain('Security Hub CSPM keeps the email a member was created with and has no call to change it');
    // A newly declared account is created with its email: nothing is kept.
    expect(lines.join('\n')).not.toMatch(/email kept.*333333333333/);
  });

  test('says nothing when no email changed, on a Create, or when the event failed', () => {
    const same = { Members: [{ AccountId: '111111111111', Email: 'old@example.com' }] };
    expect(emailKeptLines(update({ oldProperties: same, properties: same }))).toEqual([]);
    expect(emailKeptLines(update({ action: 'Create', oldProperties: undefined }))).toEqual([]);
    expect(emailKeptLines(update({ ok: false }))).toEqual([]);
  });

  test('reports an email added to, or dropped from, an existing member', () => {
    expect(emailKeptLines(update({
      oldProperties: { Members: [{ AccountId: '111111111111' }, { AccountId: '222222222222', Email: 'b@example.com' }] },
      properties: { Members: [{ AccountId: '111111111111', Email: 'a@example.com' }, { AccountId: '222222222222' }] },
    }))[0]).toContain('111111111111, 222222222222');
  });
});

describe('the local deploy\'s report of accounts a rollback kept (rule R13)', () => {
  const line = JSON.stringify({ level: 'INFO', message: 'any wording', outcome: OUTCOME_KEPT, reason: KEPT_MEMBER_BEFORE_FAILED_DEPLOY, region: 'us-east-1', accountIds: ['111111111111'], stackStatus: 'ROLLBACK_IN_PROGRESS' });

  test('reads the handler\'s line as kept before the failed deploy, declared by no other resource', () => {
    expect(keptAccounts(['not json', line])).toEqual([{ region: 'us-east-1', accountIds: ['111111111111'], declaredBy: [], beforeFailedDeploy: true }]);
  });

  test('says "kept (a member before the failed deploy)" with the accounts', () => {
    const lines = describeEvent(report({ action: 'Rollback Delete', kept: keptAccounts([line]) }), [], {});
    expect(KEPT_BEFORE_FAILED_DEPLOY_LABEL).toBe('kept (a member before the failed deploy)');
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}kept \(a member before the failed deploy\) +111111111111 {2}\[us-east-1, administrator 999999999999\]$/));
  });

  test('reads the fields, not the message: a line with the wording but no outcome record is not one', () => {
    const worded = JSON.stringify({ level: 'INFO', message: 'kept (a member before the failed deploy)', region: 'us-east-1', accountIds: ['111111111111'] });
    const otherReason = JSON.stringify({ level: 'INFO', message: 'kept', outcome: OUTCOME_KEPT, reason: 'some-future-reason', region: 'us-east-1', accountIds: ['111111111111'] });
    expect(keptAccounts([worded, otherReason])).toEqual([]);
  });
});
