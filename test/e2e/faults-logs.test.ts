/**
 * Logs (docs/design.md, "Security"): over a whole lifecycle with failures, rollbacks and faults, nothing
 * the handler prints, nor the message of an error it throws (the Lambda runtime logs that too),
 * carries a declared email address or the event's ResponseURL.
 */
import type { MemberAccount } from '../../lib';
import { ADMIN, Lab, REGION, SentEvent, members, startLab } from './faults-helpers';

const UNINVITABLE = '100000000042';

/** Emails that are easy to spot, with local parts that appear nowhere else. */
function withEmails(list: MemberAccount[]): MemberAccount[] {
  return list.map((m) => ({ ...m, email: `secops-${m.accountId}@mail-${m.accountId}.example` }));
}

describe('what the handler logs over a lifecycle with failures and rollbacks', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab();
  });
  afterAll(() => lab?.close());

  test('has no email address and no ResponseURL; logs are JSON lines with counts, errors name accounts by id', async () => {
    lab.emulator.setFaults({ errorRate: 0.1, lostAnswerRate: 0.2, seed: 5, uninvitableAccounts: [UNINVITABLE] });
    // Some members the declarations never name, with emails of their own, are in the hub already.
    lab.store.seedMember(ADMIN, REGION, { accountId: '300000000001', status: 'Enabled', email: 'bystander@elsewhere.example' });
    const first = withEmails(members(40));
    const second = withEmails([...members(30, 100000000010), ...members(20, 100000000040)]);
    const third = withEmails(members(30, 100000000050));
    const invalid = [...withEmails(members(2, 100000000090)), { accountId: '100000000099', email: 'not-an-address' }];
    const sent: SentEvent[] = [];

    sent.push(await lab.create(first));
    // Adds the uninvitable account: fails, undoes its creations, and is rolled back.
    sent.push(await lab.update(first, second));
    sent.push(await lab.update(second, first));
    sent.push(await lab.update(first, third));
    // Rejected before any call, naming the account with the bad email.
    sent.push(await lab.update(third, invalid));
    sent.push(await lab.update(invalid, third));
    sent.push(await lab.delete(third));
    // A failed Create, undone by the handler itself.
    sent.push(await lab.create(second));

    expect(sent.map((s) => s.ok)).toEqual([true, false, true, true, false, true, true, false]);
    const logs = sent.flatMap((s) => s.logs);
    const errors = sent.flatMap((s) => (s.error ? [s.error.message, String(s.error.stack)] : []));
    const printed = [...logs, ...errors].join('\n');

    const emails = [...first, ...second, ...third, ...invalid].map((m) => m.email!);
    const secrets = [
      ...emails,
      ...emails.map((e) => e.split('@')[0]),
      'bystander@elsewhere.example',
      ...sent.map((s) => String(s.event.ResponseURL)),
      'cloudformation-custom-resource-response',
      'X-Amz-Signature',
    ];
    expect(secrets.filter((secret) => printed.includes(secret))).toEqual([]);

    // What it does print: one JSON object a line, with a level and counts; errors name accounts by id.
    expect(logs.length).toBeGreaterThan(10);
    for (const line of logs) {
      expect(JSON.parse(line)).toEqual(expect.objectContaining({ level: expect.stringMatching(/^(INFO|WARN|ERROR)$/), message: expect.any(String) }));
    }
    expect(logs.some((line) => JSON.parse(line).level === 'WARN')).toBe(true);
    expect(logs.some((line) => typeof JSON.parse(line).invite === 'number')).toBe(true);
    expect(errors.join('\n')).toContain(UNINVITABLE);
    expect(errors.join('\n')).toContain('invalid email for account "100000000099"');
    expect(lab.store.duplicateInvitations()).toBe(0);
  });
});
