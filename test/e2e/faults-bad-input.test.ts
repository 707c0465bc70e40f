/**
 * Bad input, twice: every invalid declaration fails `cdk synth` naming the value (docs/design.md,
 * "Validation"), and the same values smuggled into the resource properties fail in the bundled
 * handler before any mutating call, leaving the hub exactly as it was (rule R9).
 */
import { App, Stack } from 'aws-cdk-lib';
import { MemberAccount, SecurityHubMembers } from '../../lib';
import { ADMIN, Lab, REGION, members, mutatingCalls, seedUndeclared, startLab, touchedAccounts } from './faults-helpers';

const A = '111111111111';
const B = '222222222222';

interface BadDeclaration {
  readonly what: string;
  readonly members: MemberAccount[];
  /** What both messages must contain. */
  readonly named: string[];
  /** What only the synth message contains: the handler's errors reach logs, so it never repeats an email. */
  readonly synthOnly?: string[];
}

const badId = (what: string, id: string): BadDeclaration => ({
  what,
  members: [{ accountId: A }, { accountId: id }],
  named: [`invalid account id ${JSON.stringify(id)}: expected 12 digits`],
});

const badEmail = (what: string, email: string): BadDeclaration => ({
  what,
  members: [{ accountId: A, email }, { accountId: B }],
  named: [`for account "${A}": expected an address with text on both sides of "@" and no spaces`],
  synthOnly: [`invalid email ${JSON.stringify(email)}`],
});

const CATALOG: BadDeclaration[] = [
  badId('an id of 5 digits', '12345'),
  badId('an id of 13 digits', '1234567890123'),
  badId('an id with a letter', '12345678901a'),
  badId('an id of letters', 'abcdefghijkl'),
  badId('an empty id', ''),
  badId('an id with a leading space', ` ${B}`),
  badId('an id with a trailing newline', `${B}\n`),
  badId('an id with a space inside', '222222 222222'),
  badId('an id of 12 spaces', ' '.repeat(12)),
  badId('an id with a tab inside', '222222\t22222'),
  {
    what: 'a duplicate id',
    members: [{ accountId: A }, { accountId: B }, { accountId: A }],
    named: [`duplicate account id "${A}": expected each account once`],
  },
  {
    what: 'the administrator\'s own account',
    members: [{ accountId: A }, { accountId: ADMIN }],
    named: [`account id "${ADMIN}" is the administrator's own account`],
  },
  badEmail('an email without @', 'security.example.com'),
  badEmail('an email with nothing before @', '@example.com'),
  badEmail('an email with nothing after @', 'security@'),
  badEmail('an email with two @', 'security@corp@example.com'),
  badEmail('an email with a space', 'security team@example.com'),
  badEmail('an empty email', ''),
  badEmail('an email of whitespace', '   '),
  {
    what: 'more than 1,000 members',
    members: members(1001),
    named: ['too many members (1001): expected at most 1000'],
  },
];

describe('invalid declarations fail at synth, naming the value', () => {
  test.each(CATALOG.map((c) => [c.what, c] as const))('fails when the declaration has %s', (_what, bad) => {
    const app = new App();
    const stack = new Stack(app, 'Admin', { env: { account: ADMIN, region: REGION } });
    let message = '';
    try {
      new SecurityHubMembers(stack, 'Members', { members: bad.members });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^SecurityHubMembers Admin\/Members: /);
    for (const part of [...bad.named, ...(bad.synthOnly ?? [])]) {
      expect(message).toContain(part);
    }
  });

  test('fails when two SecurityHubMembers in one stack declare the same account', () => {
    const app = new App();
    const stack = new Stack(app, 'Admin', { env: { account: ADMIN, region: REGION } });
    new SecurityHubMembers(stack, 'Members', { members: [{ accountId: A }] });
    expect(() => new SecurityHubMembers(stack, 'More', { members: [{ accountId: B }, { accountId: A }] }))
      .toThrow(`SecurityHubMembers Admin/More: account id "${A}" is already declared by Admin/Members in region ${REGION}`);
  });
});

describe('the same values sent to the bundled handler fail before any mutating call', () => {
  let lab: Lab;
  const deployed: MemberAccount[] = [{ accountId: A }, { accountId: B }];
  let state: string;

  beforeAll(async () => {
    lab = await startLab();
    seedUndeclared(lab.store);
    expectSucceeded(await lab.create(deployed));
    state = JSON.stringify(lab.store.toJSON());
  });
  afterAll(() => lab?.close());

  test.each(CATALOG.map((c) => [c.what, c] as const))('fails when Create or Update carries %s', async (_what, bad) => {
    lab.calls.reset();
    const created = await lab.create(bad.members);
    const updated = await lab.update(deployed, bad.members);
    for (const sent of [created, updated]) {
      expect(sent.ok).toBe(false);
      expect(sent.error?.name).toBe('ValidationError');
      for (const part of bad.named) {
        expect(sent.error?.message).toContain(part);
      }
      for (const email of bad.members.map((m) => m.email).filter((e): e is string => !!e?.trim())) {
        expect(sent.error?.message).not.toContain(email);
      }
    }
    expect(mutatingCalls(lab.calls)).toEqual([]);
    expect(JSON.stringify(lab.store.toJSON())).toBe(state);
  });

  // Shapes only a hand-written template (or a bug) can send; CloudFormation passes them through.
  test.each<[string, Record<string, unknown>, string]>([
    ['no Members', { Invite: true }, 'invalid Members undefined: expected a list of { AccountId, Email? }'],
    ['Members as a string', { Members: A }, `invalid Members "${A}": expected a list of { AccountId, Email? }`],
    ['a null member', { Members: [{ AccountId: A }, null] }, 'invalid account id undefined: expected 12 digits'],
    ['a member without AccountId', { Members: [{ Email: 'x@example.com' }] }, 'invalid account id undefined: expected 12 digits'],
    ['Invite as "yes"', { Members: [{ AccountId: A }], Invite: 'yes' }, 'invalid Invite "yes": expected true or false'],
    ['Regions as a string', { Members: [{ AccountId: A }], Regions: REGION }, `invalid Regions "${REGION}": expected a list of region names`],
    ['an empty list of Regions', { Members: [{ AccountId: A }], Regions: [] }, 'empty list of regions'],
    ['a malformed region', { Members: [{ AccountId: A }], Regions: [REGION, 'moon-1'] }, 'invalid region "moon-1"'],
  ])('fails when Create carries %s', async (_what, properties, named) => {
    lab.calls.reset();
    const sent = await lab.send('Create', properties);
    expect(sent.ok).toBe(false);
    expect(sent.error?.message).toContain(named);
    expect(mutatingCalls(lab.calls)).toEqual([]);
    expect(JSON.stringify(lab.store.toJSON())).toBe(state);
  });
});

describe('a Delete carrying the same values never touches them', () => {
  test('removes the valid declared account and makes no call about the others', async () => {
    const lab = await startLab();
    try {
      const undeclared = seedUndeclared(lab.store);
      expect((await lab.create([{ accountId: A }])).ok).toBe(true);
      lab.calls.reset();
      // A stack deletion is never blocked by a value rejected when it was new: it removes what
      // could have become a member, and makes no call about the rest (the administrator included).
      const deleted = await lab.send('Delete', {
        Members: [{ AccountId: A }, { AccountId: ADMIN }, { AccountId: '12345' }, { AccountId: ` ${B}` }, { AccountId: A }, null],
      });
      expect(deleted.error).toBeUndefined();
      expect(lab.store.getMember(ADMIN, REGION, A)).toBeUndefined();
      expect([...touchedAccounts(lab.calls)]).toEqual([A]);
      for (const [id, record] of undeclared) {
        expect(lab.store.getMember(ADMIN, REGION, id)).toEqual(record);
      }
    } finally {
      await lab.close();
    }
  });
});

/** The setup's Create of the valid declaration succeeded (checked once, before the table of bad ones). */
function expectSucceeded(result: { ok: boolean }): void {
  expect(result.ok).toBe(true);
}
