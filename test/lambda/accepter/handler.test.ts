import {
  AcceptAdministratorInvitationCommand,
  AcceptAdministratorInvitationCommandInput,
  AccessDeniedException,
  DisassociateFromAdministratorAccountCommand,
  GetAdministratorAccountCommand,
  InternalException,
  InvalidAccessException,
  InvalidInputException,
  Invitation,
  ListInvitationsCommand,
  ListInvitationsCommandInput,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../lambda/accepter';
import type { CustomResourceEvent } from '../../../lambda/shared/cfn';

const MEMBER = '111111111111';
const ADMIN = '999999999999';
const OLD = '888888888888';
const REGION = 'eu-west-1';
const STACK_ID = `arn:aws:cloudformation:${REGION}:${MEMBER}:stack/Member/0f1e2d3c`;
const PHYSICAL_ID = 'securityhub-invitation-accepter-Member-Accept';
const RESPONSE_URL = 'https://cloudformation-custom-resource-response.example/secret-signature';
const context = { invokedFunctionArn: `arn:aws:lambda:${REGION}:${MEMBER}:function:accepter-handler` };

const hub = mockClient(SecurityHubClient);

/**
 * A minimal model of the member's side of one region: its administrator (GetAdministratorAccount)
 * and its pending invitations (ListInvitations), changed by accepting and disassociating.
 */
let administrator: Invitation | undefined;
let invitations: Invitation[];
/** How many invitations ListInvitations answers per page. */
let pageSize: number;
let logs: jest.SpyInstance[];
let printed: string[];

const pending = (accountId: string, invitationId: string): Invitation => ({ AccountId: accountId, InvitationId: invitationId, MemberStatus: 'Invited' });
const invalidInput = (message: string) => new InvalidInputException({ message, $metadata: {} });

function getAdministrator() {
  return { Administrator: administrator };
}

function listInvitations(input: ListInvitationsCommandInput) {
  const start = Number(input.NextToken ?? 0);
  const end = start + pageSize;
  return { Invitations: invitations.slice(start, end), ...(end < invitations.length ? { NextToken: String(end) } : {}) };
}

function acceptInvitation(input: AcceptAdministratorInvitationCommandInput) {
  if (administrator && /^(enabled|associated)$/i.test(administrator.MemberStatus ?? '')) {
    if (administrator.AccountId === input.AdministratorId && administrator.InvitationId === input.InvitationId) {
      return {};
    }
    throw invalidInput(`Account ${MEMBER} is already associated with administrator account ${administrator.AccountId}`);
  }
  const invitation = invitations.find((i) => i.AccountId === input.AdministratorId && i.InvitationId === input.InvitationId);
  if (!invitation) {
    throw invalidInput(`Account ${MEMBER} has no pending invitation from administrator account ${input.AdministratorId}`);
  }
  invitations = invitations.filter((i) => i !== invitation);
  administrator = { ...invitation, MemberStatus: 'Enabled' };
  return {};
}

function disassociate() {
  if (!administrator || !/^(enabled|associated)$/i.test(administrator.MemberStatus ?? '')) {
    throw invalidInput(`Account ${MEMBER} is not associated with an administrator account`);
  }
  administrator = undefined;
  return {};
}

function useModel(): void {
  hub.reset();
  // Any call the model does not know fails the test loudly.
  hub.onAnyCommand().rejects(new Error('unexpected Security Hub call'));
  hub.on(GetAdministratorAccountCommand).callsFake(getAdministrator);
  hub.on(ListInvitationsCommand).callsFake(listInvitations);
  hub.on(AcceptAdministratorInvitationCommand).callsFake(acceptInvitation);
  hub.on(DisassociateFromAdministratorAccountCommand).callsFake(disassociate);
}

function event(
  requestType: 'Create' | 'Update' | 'Delete',
  properties: Record<string, unknown>,
  extra: Partial<CustomResourceEvent<Record<string, unknown>>> = {},
): CustomResourceEvent<Record<string, unknown>> {
  return {
    RequestType: requestType,
    RequestId: 'request-1',
    StackId: STACK_ID,
    LogicalResourceId: 'Accept',
    ResourceType: 'Custom::SecurityHubInvitationAccepter',
    ResponseURL: RESPONSE_URL,
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:token', ...properties },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: PHYSICAL_ID }),
    ...extra,
  };
}

/** The names of the Security Hub calls made, in order. */
function callSequence(): string[] {
  return hub.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''));
}

function expectNoMutatingCall(): void {
  expect(hub.commandCalls(AcceptAdministratorInvitationCommand)).toHaveLength(0);
  expect(hub.commandCalls(DisassociateFromAdministratorAccountCommand)).toHaveLength(0);
}

beforeAll(() => {
  process.env.AWS_REGION = REGION;
});

beforeEach(() => {
  administrator = undefined;
  invitations = [];
  pageSize = 50;
  printed = [];
  useModel();
  logs = [
    jest.spyOn(console, 'log').mockImplementation((line: string) => printed.push(line)),
    jest.spyOn(console, 'error').mockImplementation((line: string) => printed.push(line)),
  ];
});

afterEach(() => {
  logs.forEach((spy) => spy.mockRestore());
});

describe('Create', () => {
  test('accepts the pending invitation from the administrator', async () => {
    invitations = [pending(OLD, 'inv-old'), pending(ADMIN, 'inv-admin')];

    const result = await handler(event('Create', { AdministratorAccountId: ADMIN }), context);

    expect(result).toEqual({ PhysicalResourceId: PHYSICAL_ID, Data: { AdministratorAccountId: ADMIN, MemberStatus: 'Enabled' } });
    expect(hub.commandCalls(AcceptAdministratorInvitationCommand).map((c) => c.args[0].input))
      .toEqual([{ AdministratorId: ADMIN, InvitationId: 'inv-admin' }]);
    expect(callSequence()).toEqual(['GetAdministratorAccount', 'ListInvitations', 'AcceptAdministratorInvitation']);
    expect(administrator).toMatchObject({ AccountId: ADMIN, MemberStatus: 'Enabled' });
  });

  test('does nothing when already a member of the administrator', async () => {
    administrator = { AccountId: ADMIN, InvitationId: 'inv-admin', MemberStatus: 'Enabled' };

    const result = await handler(event('Create', { AdministratorAccountId: ADMIN }), context);

    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(callSequence()).toEqual(['GetAdministratorAccount']);
  });

  test('reads the legacy status ASSOCIATED as a member', async () => {
    administrator = { AccountId: ADMIN, InvitationId: 'inv-admin', MemberStatus: 'ASSOCIATED' };

    const result = await handler(event('Create', { AdministratorAccountId: ADMIN }), context);

    expect(result.Data).toEqual({ AdministratorAccountId: ADMIN, MemberStatus: 'Enabled' });
    expectNoMutatingCall();
  });

  test('pages through ListInvitations until it finds the invitation', async () => {
    pageSize = 2;
    invitations = [
      pending('100000000001', 'inv-1'), pending('100000000002', 'inv-2'),
      pending('100000000003', 'inv-3'), pending('100000000004', 'inv-4'),
      pending(ADMIN, 'inv-admin'),
    ];

    await handler(event('Create', { AdministratorAccountId: ADMIN }), context);

    expect(hub.commandCalls(ListInvitationsCommand).map((c) => c.args[0].input)).toEqual([
      { MaxResults: 50 },
      { MaxResults: 50, NextToken: '2' },
      { MaxResults: 50, NextToken: '4' },
    ]);
    expect(hub.commandCalls(AcceptAdministratorInvitationCommand).map((c) => c.args[0].input))
      .toEqual([{ AdministratorId: ADMIN, InvitationId: 'inv-admin' }]);
  });

  test('fails when ListInvitations repeats a NextToken', async () => {
    hub.on(ListInvitationsCommand).resolves({ Invitations: [], NextToken: 'again' });

    await expect(handler(event('Create', { AdministratorAccountId: ADMIN }), context))
      .rejects.toThrow('ListInvitations returned the NextToken "again" twice: expected each page once');
    expectNoMutatingCall();
  });

  test('fails when a member of another administrator, naming both accounts', async () => {
    administrator = { AccountId: OLD, InvitationId: 'inv-old', MemberStatus: 'Enabled' };
    invitations = [pending(ADMIN, 'inv-admin')];

    await expect(handler(event('Create', { AdministratorAccountId: ADMIN }), context)).rejects.toThrow(
      `account ${MEMBER} is already a Security Hub member of administrator ${OLD} in ${REGION}: expected to accept ${ADMIN}; disassociate from ${OLD} first`,
    );
    expect(callSequence()).toEqual(['GetAdministratorAccount']);
  });

  test('fails when there is no invitation from the administrator, saying to deploy its stack first', async () => {
    invitations = [pending(OLD, 'inv-old')];

    const failure = handler(event('Create', { AdministratorAccountId: ADMIN }), context);

    await expect(failure).rejects.toMatchObject({ name: 'AccepterError', kind: 'no-invitation' });
    await expect(failure).rejects.toThrow(
      `no pending Security Hub invitation from administrator ${ADMIN} to account ${MEMBER} in ${REGION}: expected one to accept; `
      + 'deploy the administrator\'s stack (SecurityHubMembers with invite: true) first, then this one',
    );
    expectNoMutatingCall();
  });

  test('ends in the same state without error when run twice', async () => {
    invitations = [pending(ADMIN, 'inv-admin')];

    const first = await handler(event('Create', { AdministratorAccountId: ADMIN }), context);
    const second = await handler(event('Create', { AdministratorAccountId: ADMIN }), context);

    expect(second).toEqual(first);
    expect(hub.commandCalls(AcceptAdministratorInvitationCommand)).toHaveLength(1);
    expect(administrator).toMatchObject({ AccountId: ADMIN, MemberStatus: 'Enabled' });
  });

  test('succeeds when the acceptance was applied but its answer was lost', async () => {
    invitations = [pending(ADMIN, 'inv-admin')];
    hub.on(AcceptAdministratorInvitationCommand).callsFake((input: AcceptAdministratorInvitationCommandInput) => {
      acceptInvitation(input);
      throw new InternalException({ message: 'Internal server error', $metadata: {} });
    });

    const result = await handler(event('Create', { AdministratorAccountId: ADMIN }), context);

    expect(result.PhysicalResourceId).toBe(PHYSICAL_ID);
    expect(callSequence()).toEqual(['GetAdministratorAccount', 'ListInvitations', 'AcceptAdministratorInvitation', 'GetAdministratorAccount']);
  });

  test('fails with the service\'s reason when the acceptance is refused', async () => {
    invitations = [pending(ADMIN, 'inv-admin')];
    hub.on(AcceptAdministratorInvitationCommand).rejects(new AccessDeniedException({ message: 'not allowed', $metadata: {} }));

    await expect(handler(event('Create', { AdministratorAccountId: ADMIN }), context)).rejects.toThrow(
      `accepting the Security Hub invitation from administrator ${ADMIN} in ${REGION} failed: AccessDeniedException: not allowed`,
    );
  });

  test('fails when Security Hub is not enabled in the account, with the service\'s reason', async () => {
    hub.on(GetAdministratorAccountCommand).rejects(new InvalidAccessException({ message: `Account ${MEMBER} is not subscribed to AWS Security Hub`, $metadata: {} }));

    await expect(handler(event('Create', { AdministratorAccountId: ADMIN }), context)).rejects.toThrow('not subscribed to AWS Security Hub');
    expectNoMutatingCall();
  });

  test('fails with the read error before any change when GetAdministratorAccount fails', async () => {
    hub.on(GetAdministratorAccountCommand).rejects(new AccessDeniedException({ message: 'no read', $metadata: {} }));

    await expect(handler(event('Create', { AdministratorAccountId: ADMIN }), context)).rejects.toThrow('no read');
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
    expect(hub.calls()).toHaveLength(0);
  });
});

describe('Update', () => {
  test('to another administrator: disassociates from the old one, then accepts the new one', async () => {
    administrator = { AccountId: OLD, InvitationId: 'inv-old', MemberStatus: 'Enabled' };
    invitations = [pending(ADMIN, 'inv-admin')];

    const result = await handler(event('Update', { AdministratorAccountId: ADMIN }, { OldResourceProperties: { AdministratorAccountId: OLD } }), context);

    expect(result).toEqual({ PhysicalResourceId: PHYSICAL_ID, Data: { AdministratorAccountId: ADMIN, MemberStatus: 'Enabled' } });
    expect(callSequence()).toEqual(['GetAdministratorAccount', 'ListInvitations', 'DisassociateFromAdministratorAccount', 'AcceptAdministratorInvitation']);
    expect(administrator).toMatchObject({ AccountId: ADMIN, MemberStatus: 'Enabled' });
  });

  test('to another administrator without its invitation: fails before leaving the old one', async () => {
    administrator = { AccountId: OLD, InvitationId: 'inv-old', MemberStatus: 'Enabled' };

    await expect(handler(event('Update', { AdministratorAccountId: ADMIN }, { OldResourceProperties: { AdministratorAccountId: OLD } }), context))
      .rejects.toThrow(`no pending Security Hub invitation from administrator ${ADMIN}`);
    expectNoMutatingCall();
    expect(administrator).toMatchObject({ AccountId: OLD, MemberStatus: 'Enabled' });
  });

  test('re-run after leaving the old administrator: accepts the new one only', async () => {
    invitations = [pending(ADMIN, 'inv-admin')];

    await handler(event('Update', { AdministratorAccountId: ADMIN }, { OldResourceProperties: { AdministratorAccountId: OLD } }), context);

    expect(callSequence()).toEqual(['GetAdministratorAccount', 'ListInvitations', 'AcceptAdministratorInvitation']);
  });

  test('run twice ends in the same state without error', async () => {
    administrator = { AccountId: OLD, InvitationId: 'inv-old', MemberStatus: 'Enabled' };
    invitations = [pending(ADMIN, 'inv-admin')];
    const update = event('Update', { AdministratorAccountId: ADMIN }, { OldResourceProperties: { AdministratorAccountId: OLD } });

    const first = await handler(update, context);
    const second = await handler(update, context);

    expect(second).toEqual(first);
    expect(hub.commandCalls(DisassociateFromAdministratorAccountCommand)).toHaveLength(1);
    expect(hub.commandCalls(AcceptAdministratorInvitationCommand)).toHaveLength(1);
  });

  test('with the same administrator, already a member: nothing, and the physical id is kept', async () => {
    administrator = { AccountId: ADMIN, InvitationId: 'inv-admin', MemberStatus: 'Enabled' };

    const result = await handler(event('Update', { AdministratorAccountId: ADMIN }, {
      OldResourceProperties: { AdministratorAccountId: ADMIN },
      PhysicalResourceId: 'physical-id-from-create',
    }), context);

    expect(result.PhysicalResourceId).toBe('physical-id-from-create');
    expect(callSequence()).toEqual(['GetAdministratorAccount']);
  });

  test('with the same administrator, no longer a member: heals by accepting a new invitation', async () => {
    administrator = { AccountId: ADMIN, InvitationId: 'inv-first', MemberStatus: 'Resigned' };
    invitations = [pending(ADMIN, 'inv-again')];

    await handler(event('Update', { AdministratorAccountId: ADMIN }, { OldResourceProperties: { AdministratorAccountId: ADMIN } }), context);

    expect(hub.commandCalls(AcceptAdministratorInvitationCommand).map((c) => c.args[0].input))
      .toEqual([{ AdministratorId: ADMIN, InvitationId: 'inv-again' }]);
    expect(hub.commandCalls(DisassociateFromAdministratorAccountCommand)).toHaveLength(0);
  });

  test('from an old value that was never valid: does not fail on it', async () => {
    invitations = [pending(ADMIN, 'inv-admin')];

    const result = await handler(event('Update', { AdministratorAccountId: ADMIN }, { OldResourceProperties: { AdministratorAccountId: 'bad' } }), context);

    expect(result.Data?.AdministratorAccountId).toBe(ADMIN);
  });

  test('fails when a member of a third administrator, naming both accounts', async () => {
    administrator = { AccountId: '777777777777', InvitationId: 'inv-third', MemberStatus: 'Enabled' };
    invitations = [pending(ADMIN, 'inv-admin')];

    await expect(handler(event('Update', { AdministratorAccountId: ADMIN }, { OldResourceProperties: { AdministratorAccountId: OLD } }), context))
      .rejects.toThrow(`already a Security Hub member of administrator 777777777777 in ${REGION}: expected to accept ${ADMIN}; disassociate from 777777777777 first`);
    expectNoMutatingCall();
  });

  test('fails when the new AdministratorAccountId is invalid, before any call', async () => {
    await expect(handler(event('Update', { AdministratorAccountId: '12345' }, { OldResourceProperties: { AdministratorAccountId: OLD } }), context))
      .rejects.toThrow('invalid administrator account id "12345": expected 12 digits');
    expect(hub.calls()).toHaveLength(0);
  });

  test('fails when the event has no PhysicalResourceId', async () => {
    administrator = { AccountId: ADMIN, InvitationId: 'inv-admin', MemberStatus: 'Enabled' };

    await expect(handler(event('Update', { AdministratorAccountId: ADMIN }, { PhysicalResourceId: undefined }), context))
      .rejects.toThrow('Update without a PhysicalResourceId: expected the id returned by Create');
  });
});

describe('an Update with an unchanged declaration (reconcileOnEveryDeploy)', () => {
  const unchanged = (token: string) => event('Update', { AdministratorAccountId: ADMIN, ReconcileToken: token },
    { OldResourceProperties: { AdministratorAccountId: ADMIN, ReconcileToken: 'synth-1' } });

  test('accepts the invitation the administrator sent again (a re-invited Resigned member)', async () => {
    invitations = [pending(ADMIN, 'inv-again')];

    const result = await handler(unchanged('synth-2'), context);

    expect(result).toEqual({ PhysicalResourceId: PHYSICAL_ID, Data: { AdministratorAccountId: ADMIN, MemberStatus: 'Enabled' } });
    expect(callSequence()).toEqual(['GetAdministratorAccount', 'ListInvitations', 'AcceptAdministratorInvitation']);
    expect(administrator).toMatchObject({ AccountId: ADMIN, InvitationId: 'inv-again', MemberStatus: 'Enabled' });
  });

  test('does nothing when already associated with the administrator: one read, no other call', async () => {
    administrator = { AccountId: ADMIN, InvitationId: 'inv-admin', MemberStatus: 'Enabled' };

    await handler(unchanged('synth-2'), context);

    expect(callSequence()).toEqual(['GetAdministratorAccount']);
  });

  test('fails naming both accounts when associated with another administrator, and changes nothing', async () => {
    administrator = { AccountId: OLD, InvitationId: 'inv-old', MemberStatus: 'Enabled' };
    invitations = [pending(ADMIN, 'inv-admin')];

    await expect(handler(unchanged('synth-2'), context)).rejects.toThrow(
      `account ${MEMBER} is already a Security Hub member of administrator ${OLD} in ${REGION}: expected to accept ${ADMIN}`,
    );
    expectNoMutatingCall();
    expect(administrator).toMatchObject({ AccountId: OLD });
  });
});

describe('Delete', () => {
  test('disassociates from the administrator and keeps the physical id', async () => {
    administrator = { AccountId: ADMIN, InvitationId: 'inv-admin', MemberStatus: 'Enabled' };

    const result = await handler(event('Delete', { AdministratorAccountId: ADMIN }, { PhysicalResourceId: 'physical-id-from-create' }), context);

    expect(result).toEqual({ PhysicalResourceId: 'physical-id-from-create' });
    expect(callSequence()).toEqual(['GetAdministratorAccount', 'DisassociateFromAdministratorAccount']);
    expect(administrator).toBeUndefined();
  });

  test('does nothing when not associated', async () => {
    const result = await handler(event('Delete', { AdministratorAccountId: ADMIN }), context);

    expect(result).toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(callSequence()).toEqual(['GetAdministratorAccount']);
  });

  test('leaves another administrator alone', async () => {
    administrator = { AccountId: OLD, InvitationId: 'inv-old', MemberStatus: 'Enabled' };

    await handler(event('Delete', { AdministratorAccountId: ADMIN }), context);

    expectNoMutatingCall();
    expect(administrator).toMatchObject({ AccountId: OLD });
  });

  test('ends in the same state without error when run twice', async () => {
    administrator = { AccountId: ADMIN, InvitationId: 'inv-admin', MemberStatus: 'Associated' };

    await handler(event('Delete', { AdministratorAccountId: ADMIN }), context);
    await handler(event('Delete', { AdministratorAccountId: ADMIN }), context);

    expect(hub.commandCalls(DisassociateFromAdministratorAccountCommand)).toHaveLength(1);
    expect(administrator).toBeUndefined();
  });

  test('succeeds when the disassociation was applied but its answer was lost', async () => {
    administrator = { AccountId: ADMIN, InvitationId: 'inv-admin', MemberStatus: 'Enabled' };
    hub.on(DisassociateFromAdministratorAccountCommand).callsFake(() => {
      disassociate();
      throw new InternalException({ message: 'Internal server error', $metadata: {} });
    });

    await expect(handler(event('Delete', { AdministratorAccountId: ADMIN }), context)).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
  });

  test('fails with the service\'s reason when the disassociation is refused', async () => {
    administrator = { AccountId: ADMIN, InvitationId: 'inv-admin', MemberStatus: 'Enabled' };
    hub.on(DisassociateFromAdministratorAccountCommand).rejects(new AccessDeniedException({ message: 'not allowed', $metadata: {} }));

    await expect(handler(event('Delete', { AdministratorAccountId: ADMIN }), context)).rejects.toThrow(
      `disassociating from Security Hub administrator ${ADMIN} in ${REGION} failed: AccessDeniedException: not allowed`,
    );
  });

  test('fails with the call\'s own reason when the re-read after a refused disassociation fails too', async () => {
    administrator = { AccountId: ADMIN, InvitationId: 'inv-admin', MemberStatus: 'Enabled' };
    hub.on(GetAdministratorAccountCommand)
      .resolvesOnce({ Administrator: administrator })
      .rejects(new InternalException({ message: 'read failed', $metadata: {} }));
    hub.on(DisassociateFromAdministratorAccountCommand).rejects(new AccessDeniedException({ message: 'not allowed', $metadata: {} }));

    await expect(handler(event('Delete', { AdministratorAccountId: ADMIN }), context))
      .rejects.toThrow('failed: AccessDeniedException: not allowed');
  });

  test('succeeds without changes when Security Hub is not enabled in the account', async () => {
    hub.on(GetAdministratorAccountCommand).rejects(new InvalidAccessException({ message: `Account ${MEMBER} is not subscribed to AWS Security Hub`, $metadata: {} }));

    await expect(handler(event('Delete', { AdministratorAccountId: ADMIN }), context)).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expectNoMutatingCall();
  });

  test('fails when the read is denied, naming the reason', async () => {
    hub.on(GetAdministratorAccountCommand).rejects(new AccessDeniedException({ message: 'no read', $metadata: {} }));

    await expect(handler(event('Delete', { AdministratorAccountId: ADMIN }), context)).rejects.toThrow('no read');
  });

  test('fails when InvalidAccessException is a refused permission, not "not subscribed", naming the action and the account', async () => {
    administrator = { AccountId: ADMIN, InvitationId: 'inv-admin', MemberStatus: 'Enabled' };
    hub.on(GetAdministratorAccountCommand).rejects(new InvalidAccessException({
      message: `User: arn:aws:sts::${MEMBER}:assumed-role/accepter is not authorized to perform: securityhub:GetAdministratorAccount`, $metadata: {},
    }));

    await expect(handler(event('Delete', { AdministratorAccountId: ADMIN }), context)).rejects.toThrow(
      `securityhub:GetAdministratorAccount failed for account ${MEMBER} in ${REGION}, so its membership was left as it is: InvalidAccessException: User:`,
    );
    expectNoMutatingCall();
    expect(administrator).toMatchObject({ AccountId: ADMIN, MemberStatus: 'Enabled' });
  });

  test('fails when the disassociation is refused as InvalidAccessException, naming the action and the account', async () => {
    administrator = { AccountId: ADMIN, InvitationId: 'inv-admin', MemberStatus: 'Enabled' };
    hub.on(DisassociateFromAdministratorAccountCommand).rejects(new InvalidAccessException({ message: 'not authorized to perform: securityhub:DisassociateFromAdministratorAccount', $metadata: {} }));

    await expect(handler(event('Delete', { AdministratorAccountId: ADMIN }), context)).rejects.toThrow(
      `securityhub:DisassociateFromAdministratorAccount for account ${MEMBER}: disassociating from Security Hub administrator ${ADMIN} in ${REGION} failed: InvalidAccessException`,
    );
    expect(administrator).toMatchObject({ AccountId: ADMIN, MemberStatus: 'Enabled' });
  });

  test.each([
    ['an invalid id', { AdministratorAccountId: '123' }],
    ['the member\'s own account', { AdministratorAccountId: MEMBER }],
    ['no id at all', {}],
  ])('never blocks a deletion: %s is a success without changes', async (_name, properties) => {
    administrator = { AccountId: ADMIN, InvitationId: 'inv-admin', MemberStatus: 'Enabled' };

    await expect(handler(event('Delete', properties), context)).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(hub.calls()).toHaveLength(0);
  });
});

describe('handler', () => {
  test('fails on an unknown request type', async () => {
    const bad = { ...event('Create', { AdministratorAccountId: ADMIN }), RequestType: 'Replace' } as unknown as CustomResourceEvent;

    await expect(handler(bad, context)).rejects.toThrow('unknown RequestType "Replace": expected Create, Update or Delete');
  });

  test('logs JSON lines with account ids, never the event', async () => {
    administrator = { AccountId: OLD, InvitationId: 'inv-old', MemberStatus: 'Enabled' };
    invitations = [pending(ADMIN, 'inv-admin')];

    await handler(event('Update', { AdministratorAccountId: ADMIN }, { OldResourceProperties: { AdministratorAccountId: OLD } }), context);

    expect(printed.length).toBeGreaterThan(0);
    const lines = printed.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(printed.join('\n')).not.toContain(RESPONSE_URL);
    expect(printed.join('\n')).not.toContain('ServiceToken');
    expect(lines).toContainEqual(expect.objectContaining({
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
