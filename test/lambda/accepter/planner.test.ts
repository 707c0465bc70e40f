import {
  AccepterPlan,
  AccepterSituation,
  associatedAdministrator,
  InvitationSummary,
  needsInvitations,
  pendingInvitationFrom,
  planAccepter,
} from '../../../lambda/accepter/planner';

const MEMBER = '111111111111';
const ADMIN = '999999999999';
const OLD = '888888888888';
const OTHER = '777777777777';
const REGION = 'eu-west-1';

const invitation = (administratorId: string, invitationId: string, extra: Partial<InvitationSummary> = {}): InvitationSummary =>
  ({ administratorId, invitationId, memberStatus: 'Invited', ...extra });
const disassociate = (administratorId: string) => ({ call: 'DisassociateFromAdministratorAccount', administratorId });
const accept = (administratorId: string, invitationId: string) => ({ call: 'AcceptAdministratorInvitation', administratorId, invitationId });

describe('associatedAdministrator', () => {
  test.each([
    [{ administratorId: ADMIN, memberStatus: 'Enabled' }, ADMIN],
    [{ administratorId: ADMIN, memberStatus: 'associated' }, ADMIN],
    [{ administratorId: ADMIN, memberStatus: 'Resigned' }, undefined],
    [{ administratorId: ADMIN }, undefined],
    [{ memberStatus: 'Enabled' }, undefined],
    [{}, undefined],
  ])('%j is %s', (current, expected) => {
    expect(associatedAdministrator(current)).toBe(expected);
  });
});

describe('pendingInvitationFrom', () => {
  test.each<[string, InvitationSummary[], string | undefined]>([
    ['no invitations', [], undefined],
    ['only from another administrator', [invitation(OTHER, 'i-other')], undefined],
    ['from the administrator', [invitation(OTHER, 'i-other'), invitation(ADMIN, 'i-admin')], 'i-admin'],
    ['status in another case', [invitation(ADMIN, 'i-admin', { memberStatus: 'INVITED' })], 'i-admin'],
    ['status not reported', [{ administratorId: ADMIN, invitationId: 'i-admin' }], 'i-admin'],
    ['no longer pending', [invitation(ADMIN, 'i-admin', { memberStatus: 'Resigned' })], undefined],
    ['no invitation id', [{ administratorId: ADMIN, memberStatus: 'Invited' }], undefined],
    ['the most recent of several', [
      invitation(ADMIN, 'i-old', { invitedAt: new Date('2024-01-01T00:00:00Z') }),
      invitation(ADMIN, 'i-new', { invitedAt: new Date('2025-01-01T00:00:00Z') }),
    ], 'i-new'],
  ])('%s', (_name, invitations, expected) => {
    expect(pendingInvitationFrom(invitations, ADMIN)?.invitationId).toBe(expected);
  });
});

type Expected = { steps: unknown[] } | { failure: string; kind: string };

/** Each row: a situation, and the calls or the failure the planner must answer with. */
const rows: [string, AccepterSituation, boolean, Expected][] = [
  // Create
  ['Create, not a member: accepts the invitation',
    { requestType: 'Create', memberAccount: MEMBER, region: REGION, administrator: ADMIN, current: {}, invitations: [invitation(ADMIN, 'i-1')] },
    true, { steps: [accept(ADMIN, 'i-1')] }],
  ['Create, already Enabled with the administrator: nothing',
    { requestType: 'Create', memberAccount: MEMBER, region: REGION, administrator: ADMIN, current: { administratorId: ADMIN, memberStatus: 'Enabled' } },
    false, { steps: [] }],
  ['Create, legacy ASSOCIATED with the administrator: nothing',
    { requestType: 'Create', memberAccount: MEMBER, region: REGION, administrator: ADMIN, current: { administratorId: ADMIN, memberStatus: 'ASSOCIATED' } },
    false, { steps: [] }],
  ['Create, Resigned from the administrator and re-invited: accepts',
    { requestType: 'Create', memberAccount: MEMBER, region: REGION, administrator: ADMIN, current: { administratorId: ADMIN, memberStatus: 'Resigned' }, invitations: [invitation(ADMIN, 'i-2')] },
    true, { steps: [accept(ADMIN, 'i-2')] }],
  ['Create, Enabled with another administrator: fails naming both',
    { requestType: 'Create', memberAccount: MEMBER, region: REGION, administrator: ADMIN, current: { administratorId: OTHER, memberStatus: 'Enabled' } },
    false, {
      kind: 'other-administrator',
      failure: `account ${MEMBER} is already a Security Hub member of administrator ${OTHER} in ${REGION}: expected to accept ${ADMIN}; disassociate from ${OTHER} first`,
    }],
  ['Create, Resigned from another administrator: accepts',
    { requestType: 'Create', memberAccount: MEMBER, region: REGION, administrator: ADMIN, current: { administratorId: OTHER, memberStatus: 'Resigned' }, invitations: [invitation(ADMIN, 'i-3')] },
    true, { steps: [accept(ADMIN, 'i-3')] }],
  ['Create, no invitation from the administrator: fails saying to deploy its stack first',
    { requestType: 'Create', memberAccount: MEMBER, region: REGION, administrator: ADMIN, current: {}, invitations: [invitation(OTHER, 'i-other')] },
    true, {
      kind: 'no-invitation',
      failure: `no pending Security Hub invitation from administrator ${ADMIN} to account ${MEMBER} in ${REGION}: expected one to accept; `
        + 'deploy the administrator\'s stack (SecurityHubMembers with invite: true) first, then this one',
    }],
  ['Create, member account unknown: the message says this account',
    { requestType: 'Create', region: REGION, administrator: ADMIN, current: {}, invitations: [] },
    true, { kind: 'no-invitation', failure: `no pending Security Hub invitation from administrator ${ADMIN} to this account in ${REGION}` }],
  // Update
  ['Update to another administrator, associated with the old one: disassociates, then accepts',
    { requestType: 'Update', memberAccount: MEMBER, region: REGION, administrator: ADMIN, previousAdministrator: OLD, current: { administratorId: OLD, memberStatus: 'Enabled' }, invitations: [invitation(ADMIN, 'i-4')] },
    true, { steps: [disassociate(OLD), accept(ADMIN, 'i-4')] }],
  ['Update to another administrator, old one already left: accepts only',
    { requestType: 'Update', memberAccount: MEMBER, region: REGION, administrator: ADMIN, previousAdministrator: OLD, current: { administratorId: OLD, memberStatus: 'Resigned' }, invitations: [invitation(ADMIN, 'i-5')] },
    true, { steps: [accept(ADMIN, 'i-5')] }],
  ['Update to another administrator, already associated with the new one: nothing',
    { requestType: 'Update', memberAccount: MEMBER, region: REGION, administrator: ADMIN, previousAdministrator: OLD, current: { administratorId: ADMIN, memberStatus: 'Enabled' } },
    false, { steps: [] }],
  ['Update to another administrator without its invitation: fails before leaving the old one',
    { requestType: 'Update', memberAccount: MEMBER, region: REGION, administrator: ADMIN, previousAdministrator: OLD, current: { administratorId: OLD, memberStatus: 'Enabled' }, invitations: [] },
    true, { kind: 'no-invitation', failure: `no pending Security Hub invitation from administrator ${ADMIN}` }],
  ['Update, associated with a third administrator: fails naming both',
    { requestType: 'Update', memberAccount: MEMBER, region: REGION, administrator: ADMIN, previousAdministrator: OLD, current: { administratorId: OTHER, memberStatus: 'Enabled' } },
    false, { kind: 'other-administrator', failure: `administrator ${OTHER} in ${REGION}: expected to accept ${ADMIN}; disassociate from ${OTHER} first` }],
  ['Update, same administrator, not associated: heals by accepting',
    { requestType: 'Update', memberAccount: MEMBER, region: REGION, administrator: ADMIN, previousAdministrator: ADMIN, current: {}, invitations: [invitation(ADMIN, 'i-6')] },
    true, { steps: [accept(ADMIN, 'i-6')] }],
  ['Update, same administrator, associated: nothing',
    { requestType: 'Update', memberAccount: MEMBER, region: REGION, administrator: ADMIN, previousAdministrator: ADMIN, current: { administratorId: ADMIN, memberStatus: 'Enabled' } },
    false, { steps: [] }],
  ['Update from an unreadable old id, associated with another administrator: fails',
    { requestType: 'Update', memberAccount: MEMBER, region: REGION, administrator: ADMIN, current: { administratorId: OLD, memberStatus: 'Enabled' } },
    false, { kind: 'other-administrator', failure: `administrator ${OLD}` }],
  // Delete
  ['Delete, associated with the administrator: disassociates',
    { requestType: 'Delete', memberAccount: MEMBER, region: REGION, administrator: ADMIN, current: { administratorId: ADMIN, memberStatus: 'Enabled' } },
    false, { steps: [disassociate(ADMIN)] }],
  ['Delete, legacy Associated with the administrator: disassociates',
    { requestType: 'Delete', memberAccount: MEMBER, region: REGION, administrator: ADMIN, current: { administratorId: ADMIN, memberStatus: 'associated' } },
    false, { steps: [disassociate(ADMIN)] }],
  ['Delete, not associated: nothing',
    { requestType: 'Delete', memberAccount: MEMBER, region: REGION, administrator: ADMIN, current: {} },
    false, { steps: [] }],
  ['Delete, already resigned: nothing',
    { requestType: 'Delete', memberAccount: MEMBER, region: REGION, administrator: ADMIN, current: { administratorId: ADMIN, memberStatus: 'Resigned' } },
    false, { steps: [] }],
  ['Delete, associated with another administrator: leaves it alone',
    { requestType: 'Delete', memberAccount: MEMBER, region: REGION, administrator: ADMIN, current: { administratorId: OTHER, memberStatus: 'Enabled' } },
    false, { steps: [] }],
  ['Delete with an unreadable administrator: nothing',
    { requestType: 'Delete', memberAccount: MEMBER, region: REGION, current: { administratorId: OTHER, memberStatus: 'Enabled' } },
    false, { steps: [] }],
];

describe('planAccepter', () => {
  test.each(rows)('%s', (_name, situation, expectInvitations, expected) => {
    expect(needsInvitations(situation)).toBe(expectInvitations);
    const plan: AccepterPlan = planAccepter(situation);
    const message = expect.stringContaining('failure' in expected ? expected.failure : '');
    const wanted = 'steps' in expected ? { steps: expected.steps } : { failure: { kind: expected.kind, message } };
    expect(plan).toEqual(wanted);
  });

  test('fails when a Create has no administrator', () => {
    expect(() => planAccepter({ requestType: 'Create', region: REGION, current: {} }))
      .toThrow('Create without an administrator: expected the parsed AdministratorAccountId');
  });
});
