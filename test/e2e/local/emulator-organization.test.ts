/**
 * The local Security Hub's organization accounts (docs/design.md, "Organization accounts"): Enabled by CreateMembers
 * without an invitation, refused by InviteMembers and DeleteMembers, Removed after
 * DisassociateMembers, Enabled again by CreateMembers.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateMembersCommand,
  DeleteMembersCommand,
  DisassociateFromAdministratorAccountCommand,
  DisassociateMembersCommand,
  GetAdministratorAccountCommand,
  GetMembersCommand,
  InviteMembersCommand,
  ListInvitationsCommand,
} from '@aws-sdk/client-securityhub';
import { emulatorClient, HubStore, PROCESSING_RESULTS, RunningEmulator, startEmulator } from '../../../local/emulator';
import { parseCliArgs, startBanner } from '../../../local/emulator/main';
import { failure } from '../../support/emulator';

const ADMIN = '999999999999';
const ORG = '111111111111';
const OUTSIDE = '222222222222';
const OTHER_ADMIN = '888888888888';
const REGION = 'us-east-1';

describe('HubStore with an organization', () => {
  const store = () => new HubStore({ organizations: { [ADMIN]: [ORG] } });

  test('CreateMembers makes an organization account an Enabled member at once, without an invitation', () => {
    const hub = store();
    expect(hub.createMembers(ADMIN, REGION, [{ accountId: ORG, email: 'org@example.com' }, { accountId: OUTSIDE }])).toEqual([]);
    expect(hub.getMember(ADMIN, REGION, ORG)).toEqual(expect.objectContaining({ memberStatus: 'Enabled', email: 'org@example.com', administratorId: ADMIN }));
    expect(hub.getMember(ADMIN, REGION, ORG)?.invitedAt).toBeUndefined();
    expect(hub.getMember(ADMIN, REGION, OUTSIDE)?.memberStatus).toBe('Created');
    expect(hub.invitationsFor(ORG, REGION)).toEqual([]);
    expect(hub.invitationCount(ADMIN, REGION, ORG)).toBe(0);
    expect(hub.administratorOf(ORG, REGION)).toBe(ADMIN);
  });

  test('InviteMembers refuses an organization account in every status and leaves it as it was', () => {
    const hub = store();
    hub.createMembers(ADMIN, REGION, [{ accountId: ORG }, { accountId: OUTSIDE }]);
    expect(hub.inviteMembers(ADMIN, REGION, [ORG, OUTSIDE])).toEqual([{ accountId: ORG, processingResult: PROCESSING_RESULTS.organizationInvite }]);
    hub.disassociateMembers(ADMIN, REGION, [ORG]);
    expect(hub.inviteMembers(ADMIN, REGION, [ORG])).toEqual([{ accountId: ORG, processingResult: PROCESSING_RESULTS.organizationInvite }]);
    expect(hub.getMember(ADMIN, REGION, ORG)?.memberStatus).toBe('Removed');
    expect(hub.getMember(ADMIN, REGION, OUTSIDE)?.memberStatus).toBe('Invited');
    expect(hub.invitationCount(ADMIN, REGION, ORG)).toBe(0);
  });

  test('DisassociateMembers leaves it Removed, DeleteMembers refuses it, CreateMembers enables it again', () => {
    const hub = store();
    hub.createMembers(ADMIN, REGION, [{ accountId: ORG }]);
    expect(hub.deleteMembers(ADMIN, REGION, [ORG])).toEqual([{ accountId: ORG, processingResult: PROCESSING_RESULTS.organizationDelete }]);
    hub.disassociateMembers(ADMIN, REGION, [ORG]);
    expect(hub.getMember(ADMIN, REGION, ORG)?.memberStatus).toBe('Removed');
    expect(hub.administratorOf(ORG, REGION)).toBeUndefined();
    expect(hub.deleteMembers(ADMIN, REGION, [ORG])).toEqual([{ accountId: ORG, processingResult: PROCESSING_RESULTS.organizationDelete }]);
    expect(hub.getMember(ADMIN, REGION, ORG)?.memberStatus).toBe('Removed');
    expect(hub.createMembers(ADMIN, REGION, [{ accountId: ORG }])).toEqual([]);
    expect(hub.getMember(ADMIN, REGION, ORG)?.memberStatus).toBe('Enabled');
    expect(hub.createMembers(ADMIN, REGION, [{ accountId: ORG }])).toEqual([{ accountId: ORG, processingResult: PROCESSING_RESULTS.alreadyMember }]);
  });

  test('an account is in one administrator\'s organization only: another administrator invites it as usual', () => {
    const hub = store();
    hub.createMembers(OTHER_ADMIN, REGION, [{ accountId: ORG }]);
    expect(hub.getMember(OTHER_ADMIN, REGION, ORG)?.memberStatus).toBe('Created');
    expect(hub.inviteMembers(OTHER_ADMIN, REGION, [ORG])).toEqual([]);
    expect(hub.deleteMembers(OTHER_ADMIN, REGION, [ORG])).toEqual([{ accountId: ORG, processingResult: PROCESSING_RESULTS.disassociateFirst }]);
  });

  test('an organization account does not count against the invitation quota', () => {
    const hub = new HubStore({ memberQuota: 1, organizations: { [ADMIN]: [ORG] } });
    expect(hub.createMembers(ADMIN, REGION, [{ accountId: ORG }, { accountId: OUTSIDE }])).toEqual([]);
    expect(hub.createMembers(ADMIN, REGION, [{ accountId: '333333333333' }])).toEqual([
      { accountId: '333333333333', processingResult: PROCESSING_RESULTS.quota(1) },
    ]);
  });

  test('the organization is kept with the state, and options replace it per administrator', () => {
    const hub = store();
    hub.setOrganization(OTHER_ADMIN, [OUTSIDE]);
    const json = JSON.parse(JSON.stringify(hub.toJSON()));
    expect(json.organizations).toEqual({ [OTHER_ADMIN]: [OUTSIDE], [ADMIN]: [ORG] });
    const copy = HubStore.fromJSON(json, { organizations: { [ADMIN]: [OUTSIDE] } });
    expect(copy.organizationList()).toEqual({ [ADMIN]: [OUTSIDE], [OTHER_ADMIN]: [OUTSIDE] });
    expect(new HubStore().toJSON()).not.toHaveProperty('organizations');
  });

  test('reset forgets the members but not the organization', () => {
    const hub = store();
    hub.createMembers(ADMIN, REGION, [{ accountId: ORG }]);
    hub.reset();
    expect(hub.listMembers(ADMIN, REGION)).toEqual([]);
    expect(hub.isOrganizationAccount(ADMIN, ORG)).toBe(true);
  });

  test.each([
    [['12345'], /invalid organization account id "12345": expected 12 digits/],
    [[ADMIN], /lists the administrator itself/],
  ])('fails when an organization names %p', (accounts, message) => {
    expect(() => new HubStore({ organizations: { [ADMIN]: accounts } })).toThrow(message);
  });
});

describe('the emulator with an organization, over HTTP', () => {
  let emu: RunningEmulator;
  let dir: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'emulator-org-'));
    emu = await startEmulator({ organizations: { [ADMIN]: [ORG] }, statePath: join(dir, 'state.json') });
  });

  afterEach(async () => {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('answers each refusal in UnprocessedAccounts with a ProcessingResult, and persists the organization', async () => {
    const admin = emulatorClient(emu.url, ADMIN, REGION, { maxAttempts: 1 });
    expect((await admin.send(new CreateMembersCommand({ AccountDetails: [{ AccountId: ORG }, { AccountId: OUTSIDE }] }))).UnprocessedAccounts).toEqual([]);
    const invited = await admin.send(new InviteMembersCommand({ AccountIds: [ORG, OUTSIDE] }));
    expect(invited.UnprocessedAccounts).toEqual([{ AccountId: ORG, ProcessingResult: PROCESSING_RESULTS.organizationInvite }]);
    const got = await admin.send(new GetMembersCommand({ AccountIds: [ORG, OUTSIDE] }));
    expect(got.Members?.map((m) => [m.AccountId, m.MemberStatus])).toEqual([[ORG, 'Enabled'], [OUTSIDE, 'Invited']]);

    await admin.send(new DisassociateMembersCommand({ AccountIds: [ORG, OUTSIDE] }));
    const deleted = await admin.send(new DeleteMembersCommand({ AccountIds: [ORG, OUTSIDE] }));
    expect(deleted.UnprocessedAccounts).toEqual([{ AccountId: ORG, ProcessingResult: PROCESSING_RESULTS.organizationDelete }]);
    expect(emu.store.listMembers(ADMIN, REGION).map((m) => [m.accountId, m.memberStatus])).toEqual([[ORG, 'Removed']]);
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).organizations).toEqual({ [ADMIN]: [ORG] });
  });

  test('the organization account sees its administrator, has no invitation, and cannot leave by itself', async () => {
    emu.store.createMembers(ADMIN, REGION, [{ accountId: ORG }]);
    const member = emulatorClient(emu.url, ORG, REGION, { maxAttempts: 1 });
    expect((await member.send(new ListInvitationsCommand({}))).Invitations).toEqual([]);
    expect((await member.send(new GetAdministratorAccountCommand({}))).Administrator).toEqual(expect.objectContaining({ AccountId: ADMIN, MemberStatus: 'Enabled' }));
    const error = await failure(member.send(new DisassociateFromAdministratorAccountCommand({})));
    expect(error.name).toBe('InvalidInputException');
    expect(error.message).toBe(PROCESSING_RESULTS.organizationLeave);
    expect(emu.store.getMember(ADMIN, REGION, ORG)?.memberStatus).toBe('Enabled');
  });
});

describe('--organization', () => {
  test('reads one organization per administrator, repeated for more', () => {
    const { options } = parseCliArgs(['--organization', `${ADMIN}=${ORG},${OUTSIDE}`, `--organization=${OTHER_ADMIN}=${ORG}`]);
    expect(options.organizations).toEqual({ [ADMIN]: [ORG, OUTSIDE], [OTHER_ADMIN]: [ORG] });
    expect(startBanner('http://127.0.0.1:1', options)).toContain(`Organizations (administrator: accounts): ${ADMIN}: ${ORG}, ${OUTSIDE}; ${OTHER_ADMIN}: ${ORG}`);
  });

  test.each([[`${ADMIN}`], [`${ADMIN}=`], [`${ADMIN}=123`], [`x=${ORG}`]])('fails on %p', (value) => {
    expect(() => parseCliArgs(['--organization', value])).toThrow(`invalid --organization "${value}": expected ADMIN=ID,ID... with 12-digit account ids`);
  });
});
