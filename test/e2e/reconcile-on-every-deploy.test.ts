import { AcceptAdministratorInvitationCommand, DeleteMembersCommand, DisassociateFromAdministratorAccountCommand, DisassociateMembersCommand, ListInvitationsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { emulatorClient } from '../../local/emulator/client';
import { ADMIN, AdminDeclaration, LocalCloud, localCloud, REGION, synthesize } from './harness';

const DELETED = '111111111111';
const RESIGNED = '222222222222';
const KEPT = '333333333333';
const UNDECLARED = '444444444444';

describe('reconcileOnEveryDeploy, through the local deploy of the bundled handler', () => {
  let cloud: LocalCloud;
  const clients: SecurityHubClient[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((client) => client.destroy());
    await cloud?.close();
  });

  /** A Security Hub client of `account`, as someone working outside CloudFormation would use. */
  function asAccount(account: string): SecurityHubClient {
    const client = emulatorClient(cloud.emulator.url, account, REGION);
    clients.push(client);
    return client;
  }

  /** Drift made through the service's API: one member deleted by the administrator, one resigned by the member. */
  async function drift(): Promise<void> {
    await asAccount(ADMIN).send(new DisassociateMembersCommand({ AccountIds: [DELETED] }));
    await asAccount(ADMIN).send(new DeleteMembersCommand({ AccountIds: [DELETED] }));
    const member = asAccount(RESIGNED);
    const { Invitations } = await member.send(new ListInvitationsCommand({}));
    const invitation = Invitations!.find((i) => i.AccountId === ADMIN)!;
    await member.send(new AcceptAdministratorInvitationCommand({ AdministratorId: ADMIN, InvitationId: invitation.InvitationId }));
    await member.send(new DisassociateFromAdministratorAccountCommand({}));
  }

  const declaration = (reconcileOnEveryDeploy: boolean): AdminDeclaration => ({
    members: [{ accountId: DELETED, email: 'deleted@example.com' }, { accountId: RESIGNED }, { accountId: KEPT }],
    reconcileOnEveryDeploy,
  });

  test('a deploy with the unchanged declaration repairs a deleted and a Resigned member, and removes nothing', async () => {
    cloud = await localCloud();
    cloud.emulator.store.seedMember(ADMIN, REGION, { accountId: UNDECLARED, status: 'Enabled' });
    const first = await cloud.cfn.deploy(synthesize(declaration(true)));
    expect(first.ok).toBe(true);
    const physicalId = first.events[0].physicalResourceId;
    await drift();
    expect(cloud.members()).toEqual({ [RESIGNED]: 'Resigned', [KEPT]: 'Invited', [UNDECLARED]: 'Enabled' });

    cloud.emulator.calls.reset();
    const again = await cloud.cfn.deploy(synthesize(declaration(true)));

    expect(again.events.map((e) => [e.action, e.ok])).toEqual([['Update', true]]);
    expect(again.events[0].physicalResourceId).toBe(physicalId);
    expect(again.events[0].oldProperties?.ReconcileToken).not.toEqual(again.events[0].properties.ReconcileToken);
    expect(cloud.members()).toEqual({ [DELETED]: 'Invited', [RESIGNED]: 'Invited', [KEPT]: 'Invited', [UNDECLARED]: 'Enabled' });
    expect(cloud.emulator.store.getMember(ADMIN, REGION, DELETED)?.email).toBe('deleted@example.com');
    const calls = cloud.emulator.calls.entries({ account: ADMIN });
    const named = (operation: string): string[] => calls.filter((c) => c.operation === operation).flatMap((c) => c.accountIds ?? []).sort();
    expect(named('CreateMembers')).toEqual([DELETED]);
    expect(named('InviteMembers')).toEqual([DELETED, RESIGNED]);
    expect(named('DisassociateMembers')).toEqual([]);
    expect(named('DeleteMembers')).toEqual([]);
    expect(cloud.emulator.calls.countsByOperation({ account: ADMIN })).toEqual({ GetMembers: 1, CreateMembers: 1, InviteMembers: 1 });
    expect(cloud.emulator.store.duplicateInvitations()).toBe(0);
  });

  test('without it, the same drift stays: the unchanged declaration sends no event', async () => {
    cloud = await localCloud();
    await cloud.cfn.deploy(synthesize(declaration(false)));
    await drift();

    cloud.emulator.calls.reset();
    const again = await cloud.cfn.deploy(synthesize(declaration(false)));

    expect(again.events.map((e) => e.action)).toEqual(['Unchanged']);
    expect(cloud.emulator.calls.total()).toBe(0);
    expect(cloud.members()).toEqual({ [RESIGNED]: 'Resigned', [KEPT]: 'Invited' });
  });

  test('with the member stacks: a Resigned member is re-invited by the administrator\'s stack and accepts in its own, ending Enabled', async () => {
    cloud = await localCloud();
    const declared = { members: [{ accountId: RESIGNED }, { accountId: KEPT }], reconcileOnEveryDeploy: true };
    const first = await cloud.cfn.deploy(synthesize(declared, { memberStacks: [RESIGNED, KEPT] }));
    expect(first.ok).toBe(true);
    expect(cloud.members()).toEqual({ [RESIGNED]: 'Enabled', [KEPT]: 'Enabled' });
    // The member leaves its administrator (npm run local -- resign).
    await asAccount(RESIGNED).send(new DisassociateFromAdministratorAccountCommand({}));
    expect(cloud.members()[RESIGNED]).toBe('Resigned');

    cloud.emulator.calls.reset();
    const again = await cloud.cfn.deploy(synthesize(declared, { memberStacks: [RESIGNED, KEPT] }));

    expect(again.ok).toBe(true);
    expect(again.events.map((e) => [e.stack, e.action])).toEqual([['Admin', 'Update'], [`Member${RESIGNED}`, 'Update'], [`Member${KEPT}`, 'Update']]);
    expect(cloud.members()).toEqual({ [RESIGNED]: 'Enabled', [KEPT]: 'Enabled' });
    // The member that stayed is left alone: one read, no acceptance.
    expect(cloud.emulator.calls.countsByOperation({ account: KEPT })).toEqual({ GetAdministratorAccount: 1 });
    expect(cloud.emulator.calls.countsByOperation({ account: RESIGNED })).toEqual({ GetAdministratorAccount: 1, ListInvitations: 1, AcceptAdministratorInvitation: 1 });
  });
});
