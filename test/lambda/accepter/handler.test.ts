import { paginate } from '../../../local/emulator';
import { ADMIN, accepterEvent as event, accepterHarness, AccepterHarness, CONTEXT as context, MEMBER, OLD, PHYSICAL_ID, REGION, RESPONSE_URL } from '../../support/accepter-events';
import { errorAnswer, okAnswer } from '../../support/hub';
import type { CustomResourceEvent } from '../../../lambda/shared/cfn';

const THIRD = '777777777777';
/** What IAM answers a role that lacks `action`, as the service passes it on. */
const denied = (action: string) => `User: arn:aws:sts::${MEMBER}:assumed-role/accepter/session is not authorized to perform: securityhub:${action}`;

let run: AccepterHarness;

const handler: AccepterHarness['handler'] = (e, c) => run.handler(e, c);
const callSequence = () => run.callSequence();
/** A hub and handler that try each call once, so that a failure the emulator answers reaches the hub's own checks. */
const oneAttempt = (state: Parameters<typeof accepterHarness>[0] = {}) => accepterHarness({ ...state, env: { SECURITYHUB_MEMBERS_MAX_ATTEMPTS: '1' } });
const update = (administratorId: string, old: string, extra: Partial<CustomResourceEvent<Record<string, unknown>>> = {}) =>
  event('Update', { AdministratorAccountId: administratorId }, { OldResourceProperties: { AdministratorAccountId: old }, ...extra });

function expectNoMutatingCall(): void {
  expect(run.mutatingCalls()).toEqual([]);
}

/** The member leaves `administrator` on its own (Resigned there), and the administrator invites it again. */
function resignAndReinvite(administrator: string): void {
  run.hub.emulator.store.disassociateFromAdministrator(MEMBER, REGION);
  expect(run.hub.emulator.store.inviteMembers(administrator, REGION, [MEMBER])).toEqual([]);
}

beforeEach(() => {
  run = accepterHarness();
});

describe('Create', () => {
  test('accepts the pending invitation from the administrator', async () => {
    run.invitedBy(OLD);
    run.invitedBy(ADMIN);

    const result = await handler(event('Create', { AdministratorAccountId: ADMIN }), context);

    expect(result).toEqual({ PhysicalResourceId: PHYSICAL_ID, Data: { AdministratorAccountId: ADMIN, MemberStatus: 'Enabled' } });
    expect(run.hub.requests('AcceptAdministratorInvitation')).toEqual([{ AdministratorId: ADMIN, InvitationId: run.invitationId(ADMIN) }]);
    expect(callSequence()).toEqual(['GetAdministratorAccount', 'ListInvitations', 'AcceptAdministratorInvitation']);
    expect(run.administrator()).toBe(ADMIN);
    expect(run.statusAt(ADMIN)).toBe('Enabled');
    expect(run.statusAt(OLD)).toBe('Invited');
  });

  test('does nothing when already a member of the administrator', async () => {
    run.memberOf(ADMIN);

    const result = await handler(event('Create', { AdministratorAccountId: ADMIN }), context);

    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(callSequence()).toEqual(['GetAdministratorAccount']);
  });

  test('reads the legacy status ASSOCIATED as a member', async () => {
    run.memberOf(ADMIN, 'ASSOCIATED');

    const result = await handler(event('Create', { AdministratorAccountId: ADMIN }), context);

    expect(result.Data).toEqual({ AdministratorAccountId: ADMIN, MemberStatus: 'Enabled' });
    expectNoMutatingCall();
  });

  test('pages through ListInvitations until it finds the invitation', async () => {
    // 100 other administrators sort before ADMIN: its invitation is on the third page of 50.
    for (let i = 1; i <= 100; i++) {
      run.invitedBy(String(100000000000 + i));
    }
    run.invitedBy(ADMIN);
    const page = (token?: string) => paginate('ListInvitations', run.invitations(), (inv) => inv.accountId, 50, token).nextToken;
    const second = page();
    const third = page(second);

    await handler(event('Create', { AdministratorAccountId: ADMIN }), context);

    expect(run.hub.queries('ListInvitations')).toEqual([
      { MaxResults: '50' },
      { MaxResults: '50', NextToken: second },
      { MaxResults: '50', NextToken: third },
    ]);
    expect(run.hub.requests('AcceptAdministratorInvitation')).toEqual([{ AdministratorId: ADMIN, InvitationId: run.invitationId(ADMIN) }]);
  });

  test('fails when ListInvitations repeats a NextToken', async () => {
    // A service defect the emulator does not have: answered instead of it.
    const again = async () => okAnswer({ Invitations: [], NextToken: 'again' });
    run.hub.interceptNext('ListInvitations', again);
    run.hub.interceptNext('ListInvitations', again);

    await expect(handler(event('Create', { AdministratorAccountId: ADMIN }), context))
      .rejects.toThrow('ListInvitations returned the NextToken "again" twice: expected each page once');
    expectNoMutatingCall();
  });

  test('fails when a member of another administrator, naming both accounts', async () => {
    run.memberOf(OLD);
    run.invitedBy(ADMIN);

    await expect(handler(event('Create', { AdministratorAccountId: ADMIN }), context)).rejects.toThrow(
      `account ${MEMBER} is already a Security Hub member of administrator ${OLD} in ${REGION}: expected to accept ${ADMIN}; disassociate from ${OLD} first`,
    );
    expect(callSequence()).toEqual(['GetAdministratorAccount']);
  });

  test('fails when there is no invitation from the administrator, saying to deploy its stack first', async () => {
    run.invitedBy(OLD);

    const failure = handler(event('Create', { AdministratorAccountId: ADMIN }), context);

    await expect(failure).rejects.toMatchObject({ name: 'AccepterError', kind: 'no-invitation' });
    await expect(failure).rejects.toThrow(
      `no pending Security Hub invitation from administrator ${ADMIN} to account ${MEMBER} in ${REGION}: expected one to accept; `
      + 'deploy the administrator\'s stack (SecurityHubMembers with invite: true) first, then this one',
    );
    expectNoMutatingCall();
  });

  test('fails when the administrator only created the member without inviting it', async () => {
    run.hub.seed({ [MEMBER]: 'Created' });

    await expect(handler(event('Create', { AdministratorAccountId: ADMIN }), context))
      .rejects.toMatchObject({ name: 'AccepterError', kind: 'no-invitation' });
    expectNoMutatingCall();
  });

  test('ends in the same state without error when run twice', async () => {
    run.invitedBy(ADMIN);

    const first = await handler(event('Create', { AdministratorAccountId: ADMIN }), context);
    const second = await handler(event('Create', { AdministratorAccountId: ADMIN }), context);

    expect(second).toEqual(first);
    expect(run.hub.requests('AcceptAdministratorInvitation')).toHaveLength(1);
    expect(run.administrator()).toBe(ADMIN);
  });

  test('succeeds when the acceptance was applied but its answer was lost', async () => {
    run = oneAttempt();
    run.invitedBy(ADMIN);
    run.hub.failNext('AcceptAdministratorInvitation', 'lostAnswer');

    const result = await handler(event('Create', { AdministratorAccountId: ADMIN }), context);

    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(callSequence()).toEqual(['GetAdministratorAccount', 'ListInvitations', 'AcceptAdministratorInvitation', 'GetAdministratorAccount']);
    expect(run.administrator()).toBe(ADMIN);
  });

  test('succeeds when the SDK retries an acceptance that was applied but whose answer was lost', async () => {
    run.invitedBy(ADMIN);
    run.hub.failNext('AcceptAdministratorInvitation', 'lostAnswer');

    await handler(event('Create', { AdministratorAccountId: ADMIN }), context);

    // The service accepts the same invitation again without an error, so no re-read is needed.
    expect(callSequence()).toEqual(['GetAdministratorAccount', 'ListInvitations', 'AcceptAdministratorInvitation', 'AcceptAdministratorInvitation']);
    expect(run.administrator()).toBe(ADMIN);
  });

  test('fails with the service\'s reason when the acceptance is refused', async () => {
    run.invitedBy(ADMIN);
    run.hub.interceptNext('AcceptAdministratorInvitation', async () => errorAnswer(403, 'AccessDeniedException', denied('AcceptAdministratorInvitation')));

    await expect(handler(event('Create', { AdministratorAccountId: ADMIN }), context)).rejects.toThrow(
      `accepting the Security Hub invitation from administrator ${ADMIN} in ${REGION} failed: AccessDeniedException: ${denied('AcceptAdministratorInvitation')}`,
    );
    expect(run.administrator()).toBeUndefined();
    expect(run.statusAt(ADMIN)).toBe('Invited');
  });

  test('fails when Security Hub is not enabled in the account, with the service\'s reason', async () => {
    run = accepterHarness({ state: { faults: { autoEnableHubs: false } } });
    run.invitedBy(ADMIN);

    await expect(handler(event('Create', { AdministratorAccountId: ADMIN }), context))
      .rejects.toThrow(`Account ${MEMBER} is not subscribed to AWS Security Hub`);
    expectNoMutatingCall();
  });

  test('fails with the read error before any change when GetAdministratorAccount fails', async () => {
    run.invitedBy(ADMIN);
    run.hub.interceptNext('GetAdministratorAccount', async () => errorAnswer(403, 'AccessDeniedException', denied('GetAdministratorAccount')));

    await expect(handler(event('Create', { AdministratorAccountId: ADMIN }), context)).rejects.toThrow(denied('GetAdministratorAccount'));
    expectNoMutatingCall();
  });

  test.each([
    ['123', 'invalid administrator account id "123": expected 12 digits'],
    ['99999999999a', 'invalid administrator account id "99999999999a": expected 12 digits'],
    [undefined, 'invalid administrator account id undefined: expected 12 digits'],
    [MEMBER, `administrator account id "${MEMBER}" is the member account itself: expected another account, an account cannot be its own administrator`],
  ])('fails when AdministratorAccountId is %s, before any call', async (value, message) => {
    const properties = value === undefined ? {} : { AdministratorAccountId: value };

    await expect(handler(event('Create', properties), context)).rejects.toThrow(message);
    expect(callSequence()).toEqual([]);
  });
});

describe('Update', () => {
  test('to another administrator: disassociates from the old one, then accepts the new one', async () => {
    run.memberOf(OLD);
    run.invitedBy(ADMIN);

    const result = await handler(update(ADMIN, OLD), context);

    expect(result).toEqual({ PhysicalResourceId: PHYSICAL_ID, Data: { AdministratorAccountId: ADMIN, MemberStatus: 'Enabled' } });
    expect(callSequence()).toEqual(['GetAdministratorAccount', 'ListInvitations', 'DisassociateFromAdministratorAccount', 'AcceptAdministratorInvitation']);
    expect(run.administrator()).toBe(ADMIN);
    expect(run.statusAt(OLD)).toBe('Resigned');
  });

  test('to another administrator without its invitation: fails before leaving the old one', async () => {
    run.memberOf(OLD);

    await expect(handler(update(ADMIN, OLD), context)).rejects.toThrow(`no pending Security Hub invitation from administrator ${ADMIN}`);
    expectNoMutatingCall();
    expect(run.administrator()).toBe(OLD);
    expect(run.statusAt(OLD)).toBe('Enabled');
  });

  test('re-run after leaving the old administrator: accepts the new one only', async () => {
    run.invitedBy(ADMIN);

    await handler(update(ADMIN, OLD), context);

    expect(callSequence()).toEqual(['GetAdministratorAccount', 'ListInvitations', 'AcceptAdministratorInvitation']);
  });

  test('run twice ends in the same state without error', async () => {
    run.memberOf(OLD);
    run.invitedBy(ADMIN);

    const first = await handler(update(ADMIN, OLD), context);
    const second = await handler(update(ADMIN, OLD), context);

    expect(second).toEqual(first);
    expect(run.hub.requests('DisassociateFromAdministratorAccount')).toHaveLength(1);
    expect(run.hub.requests('AcceptAdministratorInvitation')).toHaveLength(1);
    expect(run.administrator()).toBe(ADMIN);
  });

  test('with the same administrator, already a member: nothing, and the physical id is kept', async () => {
    run.memberOf(ADMIN);

    const result = await handler(update(ADMIN, ADMIN, { PhysicalResourceId: 'physical-id-from-create' }), context);

    expect(result.PhysicalResourceId).toBe('physical-id-from-create');
    expect(callSequence()).toEqual(['GetAdministratorAccount']);
  });

  test('with the same administrator, no longer a member: heals by accepting a new invitation', async () => {
    run.memberOf(ADMIN);
    const first = run.invitationId(ADMIN);
    resignAndReinvite(ADMIN);
    expect(run.invitationId(ADMIN)).not.toBe(first);

    await handler(update(ADMIN, ADMIN), context);

    expect(run.hub.requests('AcceptAdministratorInvitation')).toEqual([{ AdministratorId: ADMIN, InvitationId: run.invitationId(ADMIN) }]);
    expect(run.hub.requests('DisassociateFromAdministratorAccount')).toHaveLength(0);
    expect(run.administrator()).toBe(ADMIN);
  });

  test('with the same administrator, left by the member and not invited again: fails asking for a new invitation', async () => {
    run.memberOf(ADMIN);
    run.hub.emulator.store.disassociateFromAdministrator(MEMBER, REGION);
    // The service still lists the accepted invitation, now Resigned, and would accept it again;
    // the planner accepts Invited ones only, so the administrator's stack must invite again.
    expect(run.invitations()).toEqual([expect.objectContaining({ accountId: ADMIN, memberStatus: 'Resigned' })]);

    await expect(handler(update(ADMIN, ADMIN), context)).rejects.toMatchObject({ name: 'AccepterError', kind: 'no-invitation' });
    expectNoMutatingCall();
    expect(run.statusAt(ADMIN)).toBe('Resigned');
  });

  test('from an old value that was never valid: does not fail on it', async () => {
    run.invitedBy(ADMIN);

    const result = await handler(update(ADMIN, 'bad'), context);

    expect(result.Data?.AdministratorAccountId).toBe(ADMIN);
    expect(run.administrator()).toBe(ADMIN);
  });

  test('fails when a member of a third administrator, naming both accounts', async () => {
    run.memberOf(THIRD);
    run.invitedBy(ADMIN);

    await expect(handler(update(ADMIN, OLD), context))
      .rejects.toThrow(`already a Security Hub member of administrator ${THIRD} in ${REGION}: expected to accept ${ADMIN}; disassociate from ${THIRD} first`);
    expectNoMutatingCall();
    expect(run.administrator()).toBe(THIRD);
  });

  test('fails when the new AdministratorAccountId is invalid, before any call', async () => {
    await expect(handler(update('12345', OLD), context)).rejects.toThrow('invalid administrator account id "12345": expected 12 digits');
    expect(callSequence()).toEqual([]);
  });

  test('fails when the event has no PhysicalResourceId', async () => {
    run.memberOf(ADMIN);

    await expect(handler(event('Update', { AdministratorAccountId: ADMIN }, { PhysicalResourceId: undefined }), context))
      .rejects.toThrow('Update without a PhysicalResourceId: expected the id returned by Create');
  });
});

describe('an Update with an unchanged declaration (reconcileOnEveryDeploy)', () => {
  const unchanged = (token: string) => event('Update', { AdministratorAccountId: ADMIN, ReconcileToken: token },
    { OldResourceProperties: { AdministratorAccountId: ADMIN, ReconcileToken: 'synth-1' } });

  test('accepts the invitation the administrator sent again (a re-invited Resigned member)', async () => {
    run.memberOf(ADMIN);
    resignAndReinvite(ADMIN);
    const again = run.invitationId(ADMIN);

    const result = await handler(unchanged('synth-2'), context);

    expect(result).toEqual({ PhysicalResourceId: PHYSICAL_ID, Data: { AdministratorAccountId: ADMIN, MemberStatus: 'Enabled' } });
    expect(callSequence()).toEqual(['GetAdministratorAccount', 'ListInvitations', 'AcceptAdministratorInvitation']);
    expect(run.administrator()).toBe(ADMIN);
    expect(run.hub.emulator.store.administratorInvitation(MEMBER, REGION)).toMatchObject({ accountId: ADMIN, invitationId: again, memberStatus: 'Enabled' });
  });

  test('does nothing when already associated with the administrator: one read, no other call', async () => {
    run.memberOf(ADMIN);

    await handler(unchanged('synth-2'), context);

    expect(callSequence()).toEqual(['GetAdministratorAccount']);
  });

  test('fails naming both accounts when associated with another administrator, and changes nothing', async () => {
    run.memberOf(OLD);
    run.invitedBy(ADMIN);

    await expect(handler(unchanged('synth-2'), context)).rejects.toThrow(
      `account ${MEMBER} is already a Security Hub member of administrator ${OLD} in ${REGION}: expected to accept ${ADMIN}`,
    );
    expectNoMutatingCall();
    expect(run.administrator()).toBe(OLD);
  });
});

describe('Delete', () => {
  test('disassociates from the administrator and keeps the physical id', async () => {
    run.memberOf(ADMIN);

    const result = await handler(event('Delete', { AdministratorAccountId: ADMIN }, { PhysicalResourceId: 'physical-id-from-create' }), context);

    expect(result).toEqual({ PhysicalResourceId: 'physical-id-from-create' });
    expect(callSequence()).toEqual(['GetAdministratorAccount', 'DisassociateFromAdministratorAccount']);
    expect(run.administrator()).toBeUndefined();
    expect(run.statusAt(ADMIN)).toBe('Resigned');
  });

  test('does nothing when not associated', async () => {
    const result = await handler(event('Delete', { AdministratorAccountId: ADMIN }), context);

    expect(result).toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(callSequence()).toEqual(['GetAdministratorAccount']);
  });

  test('leaves a pending invitation from the administrator alone', async () => {
    run.invitedBy(ADMIN);

    await handler(event('Delete', { AdministratorAccountId: ADMIN }), context);

    expect(callSequence()).toEqual(['GetAdministratorAccount']);
    expect(run.statusAt(ADMIN)).toBe('Invited');
  });

  test('leaves another administrator alone', async () => {
    run.memberOf(OLD);

    await handler(event('Delete', { AdministratorAccountId: ADMIN }), context);

    expectNoMutatingCall();
    expect(run.administrator()).toBe(OLD);
  });

  test('ends in the same state without error when run twice', async () => {
    run.memberOf(ADMIN, 'Associated');

    await handler(event('Delete', { AdministratorAccountId: ADMIN }), context);
    await handler(event('Delete', { AdministratorAccountId: ADMIN }), context);

    expect(run.hub.requests('DisassociateFromAdministratorAccount')).toHaveLength(1);
    expect(run.administrator()).toBeUndefined();
  });

  test('succeeds when the disassociation was applied but its answer was lost', async () => {
    run = oneAttempt();
    run.memberOf(ADMIN);
    run.hub.failNext('DisassociateFromAdministratorAccount', 'lostAnswer');

    await expect(handler(event('Delete', { AdministratorAccountId: ADMIN }), context)).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(callSequence()).toEqual(['GetAdministratorAccount', 'DisassociateFromAdministratorAccount', 'GetAdministratorAccount']);
    expect(run.administrator()).toBeUndefined();
  });

  test('succeeds when the SDK\'s retry of an applied disassociation is refused as "not associated"', async () => {
    run.memberOf(ADMIN);
    run.hub.failNext('DisassociateFromAdministratorAccount', 'lostAnswer');

    await expect(handler(event('Delete', { AdministratorAccountId: ADMIN }), context)).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    // The retry finds nothing to leave and is refused; the re-read shows the work was done.
    expect(run.hub.emulator.calls.entries({ account: MEMBER }).map((call) => [call.operation, call.httpStatus])).toEqual([
      ['GetAdministratorAccount', 200],
      ['DisassociateFromAdministratorAccount', 500],
      ['DisassociateFromAdministratorAccount', 400],
      ['GetAdministratorAccount', 200],
    ]);
    expect(run.administrator()).toBeUndefined();
  });

  test('fails with the service\'s reason when the disassociation is refused', async () => {
    run.memberOf(ADMIN);
    run.hub.interceptNext('DisassociateFromAdministratorAccount',
      async () => errorAnswer(403, 'AccessDeniedException', denied('DisassociateFromAdministratorAccount')));

    await expect(handler(event('Delete', { AdministratorAccountId: ADMIN }), context)).rejects.toThrow(
      `disassociating from Security Hub administrator ${ADMIN} in ${REGION} failed: AccessDeniedException: ${denied('DisassociateFromAdministratorAccount')}`,
    );
    expect(run.administrator()).toBe(ADMIN);
  });

  test('fails with the call\'s own reason when the re-read after a refused disassociation fails too', async () => {
    run = oneAttempt();
    run.memberOf(ADMIN);
    run.hub.interceptNext('DisassociateFromAdministratorAccount', async () => {
      // The initial read has been answered: only the re-read fails.
      run.hub.failNext('GetAdministratorAccount', 'error');
      return errorAnswer(403, 'AccessDeniedException', denied('DisassociateFromAdministratorAccount'));
    });

    await expect(handler(event('Delete', { AdministratorAccountId: ADMIN }), context))
      .rejects.toThrow(`failed: AccessDeniedException: ${denied('DisassociateFromAdministratorAccount')}`);
    expect(callSequence()).toEqual(['GetAdministratorAccount', 'DisassociateFromAdministratorAccount', 'GetAdministratorAccount']);
    expect(run.records()).toContainEqual(expect.objectContaining({ message: 'call failed and the re-read failed too' }));
  });

  test('succeeds without changes when Security Hub is not enabled in the account', async () => {
    run = accepterHarness({ state: { faults: { autoEnableHubs: false } } });

    await expect(handler(event('Delete', { AdministratorAccountId: ADMIN }), context)).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expectNoMutatingCall();
    expect(run.hub.emulator.store.getHub(MEMBER, REGION)?.enabled ?? false).toBe(false);
  });

  test('fails when the read is denied, naming the reason', async () => {
    run.memberOf(ADMIN);
    run.hub.interceptNext('GetAdministratorAccount', async () => errorAnswer(403, 'AccessDeniedException', denied('GetAdministratorAccount')));

    await expect(handler(event('Delete', { AdministratorAccountId: ADMIN }), context)).rejects.toThrow(denied('GetAdministratorAccount'));
    expect(run.administrator()).toBe(ADMIN);
  });

  test('fails when InvalidAccessException is a refused permission, not "not subscribed", naming the action and the account', async () => {
    run.memberOf(ADMIN);
    run.hub.interceptNext('GetAdministratorAccount', async () => errorAnswer(401, 'InvalidAccessException', denied('GetAdministratorAccount')));

    await expect(handler(event('Delete', { AdministratorAccountId: ADMIN }), context)).rejects.toThrow(
      `securityhub:GetAdministratorAccount failed for account ${MEMBER} in ${REGION}, so its membership was left as it is: InvalidAccessException: User:`,
    );
    expectNoMutatingCall();
    expect(run.administrator()).toBe(ADMIN);
    expect(run.statusAt(ADMIN)).toBe('Enabled');
  });

  test('fails when the disassociation is refused as InvalidAccessException, naming the action and the account', async () => {
    run.memberOf(ADMIN);
    run.hub.interceptNext('DisassociateFromAdministratorAccount',
      async () => errorAnswer(401, 'InvalidAccessException', denied('DisassociateFromAdministratorAccount')));

    await expect(handler(event('Delete', { AdministratorAccountId: ADMIN }), context)).rejects.toThrow(
      `securityhub:DisassociateFromAdministratorAccount for account ${MEMBER}: disassociating from Security Hub administrator ${ADMIN} in ${REGION} failed: InvalidAccessException`,
    );
    expect(run.administrator()).toBe(ADMIN);
    expect(run.statusAt(ADMIN)).toBe('Enabled');
  });

  test.each([
    ['an invalid id', { AdministratorAccountId: '123' }],
    ['the member\'s own account', { AdministratorAccountId: MEMBER }],
    ['no id at all', {}],
  ])('never blocks a deletion: %s is a success without changes', async (_name, properties) => {
    run.memberOf(ADMIN);

    await expect(handler(event('Delete', properties), context)).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(callSequence()).toEqual([]);
    expect(run.administrator()).toBe(ADMIN);
  });
});

describe('handler', () => {
  test('fails on an unknown request type', async () => {
    const bad = { ...event('Create', { AdministratorAccountId: ADMIN }), RequestType: 'Replace' } as unknown as CustomResourceEvent;

    await expect(handler(bad, context)).rejects.toThrow('unknown RequestType "Replace": expected Create, Update or Delete');
  });

  test('logs JSON lines with account ids, never the event', async () => {
    run.memberOf(OLD);
    run.invitedBy(ADMIN);

    await handler(update(ADMIN, OLD), context);

    expect(run.lines.length).toBeGreaterThan(0);
    const printed = run.lines.join('\n');
    expect(printed).not.toContain(RESPONSE_URL);
    expect(printed).not.toContain('ServiceToken');
    expect(run.records()).toContainEqual(expect.objectContaining({
      level: 'INFO',
      message: 'plan',
      memberAccount: MEMBER,
      administratorId: ADMIN,
      previousAdministratorId: OLD,
      currentAdministratorId: OLD,
      steps: [`DisassociateFromAdministratorAccount ${OLD}`, `AcceptAdministratorInvitation ${ADMIN}`],
    }));
  });
});
