/**
 * Mixed fleets (docs/design.md, "Organization accounts"): organization accounts, which CreateMembers enables without
 * an invitation and which InviteMembers and DeleteMembers refuse, declared next to invited ones.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { PROCESSING_RESULTS } from '../../../local/emulator';
import { okAnswer } from '../../support/hub';
import { accounts, CONTEXT, membersEvent as event, membersHarness, MembersHarness, PHYSICAL_ID } from '../../support/members-events';
import { emptyStack, wireStack } from '../../support/stack-model';

const ORG = '111111111111';
const OUTSIDE = '222222222222';
const UNINVITABLE = PROCESSING_RESULTS.uninvitable.replace(/\.$/, '');

// The stack declares no other SecurityHubMembers: rule R10 keeps nothing (across-deploys.test.ts covers it).
const cfn = mockClient(CloudFormationClient);
let run: MembersHarness;

beforeEach(() => {
  run = membersHarness({ organization: [ORG] });
  wireStack(cfn, emptyStack);
});

describe('InviteMembers refusals are checked by a re-read', () => {
  test('an organization account, Enabled by CreateMembers, whose invitation is refused: the event succeeds', async () => {
    const result = await run.handler(event('Create', { Members: accounts(ORG, OUTSIDE) }), CONTEXT);
    expect(run.idsOf('InviteMembers')).toEqual([[ORG, OUTSIDE]]);
    expect(run.hub.statuses()).toEqual({ [ORG]: 'Enabled', [OUTSIDE]: 'Invited' });
    expect(result.Data).toEqual({ MemberCount: '2', EnabledCount: '1', InvitedCount: '1' });
    expect(run.hub.calls('DeleteMembers')).toHaveLength(0);
  });

  test('an account another tool invited between the read and InviteMembers is done, whatever the text', async () => {
    run = membersHarness({ members: { [OUTSIDE]: 'Created' } });
    // The invitation is applied, but the answer lists the account with a text the handler does not know.
    run.hub.interceptNext('InviteMembers', async (request, serve) => {
      await serve(request);
      return okAnswer({ UnprocessedAccounts: [{ AccountId: OUTSIDE, ProcessingResult: 'Some text the handler does not know' }] });
    });
    await expect(run.handler(event('Create', { Members: accounts(OUTSIDE) }), CONTEXT)).resolves.toMatchObject({ Data: { InvitedCount: '1' } });
    expect(run.hub.statuses()[OUTSIDE]).toBe('Invited');
    expect(run.hub.calls('InviteMembers')).toHaveLength(1);
  });

  test('an account the re-read shows Created: the event fails naming the account and the reason, and rolls back', async () => {
    run = membersHarness({ organization: [ORG], uninvitable: [OUTSIDE] });
    await expect(run.handler(event('Create', { Members: accounts(ORG, OUTSIDE) }), CONTEXT)).rejects.toThrow(
      `Adding members failed for 1 account: ${OUTSIDE} in us-east-1: ${UNINVITABLE}. Undone: removed the 2 members`,
    );
    // The organization account this Create added is disassociated; the service keeps it as Removed.
    expect(run.hub.statuses()).toEqual({ [ORG]: 'Removed' });
    expect(run.idsOf('DisassociateMembers')).toEqual([[ORG]]);
  });
});

describe('re-adding', () => {
  test('a Removed organization account that InviteMembers refuses is re-added with CreateMembers, then read again', async () => {
    run.hub.seed({ [ORG]: 'Removed' });
    const result = await run.handler(event('Update', { Members: accounts(ORG, OUTSIDE) }, { Members: accounts(OUTSIDE) }), CONTEXT);
    expect(run.idsOf('InviteMembers')).toEqual([[ORG, OUTSIDE]]);
    expect(run.idsOf('CreateMembers')).toEqual([[OUTSIDE], [ORG]]);
    expect(run.hub.statuses()).toEqual({ [ORG]: 'Enabled', [OUTSIDE]: 'Invited' });
    expect(result.Data).toEqual({ MemberCount: '2', EnabledCount: '1', InvitedCount: '1' });
  });

  test('a Removed account that stays Removed after the CreateMembers fails with the invitation\'s reason', async () => {
    run = membersHarness({ members: { [OUTSIDE]: 'Removed' }, uninvitable: [OUTSIDE] });
    await expect(run.handler(event('Create', { Members: accounts(OUTSIDE) }), CONTEXT)).rejects.toThrow(
      `Adding members failed for 1 account: ${OUTSIDE} in us-east-1: ${UNINVITABLE}.`,
    );
    expect(run.idsOf('CreateMembers')).toEqual([[OUTSIDE]]);
    // It existed before the event: the rollback leaves it alone.
    expect(run.hub.statuses()[OUTSIDE]).toBe('Removed');
  });
});

describe('removal', () => {
  test('Delete: DeleteMembers refuses the disassociated organization account, the Delete succeeds and the log names it', async () => {
    run.hub.seed({ [ORG]: 'Enabled', [OUTSIDE]: 'Enabled' });
    await expect(run.handler(event('Delete', { Members: accounts(ORG, OUTSIDE) }), CONTEXT)).resolves.toEqual({ PhysicalResourceId: PHYSICAL_ID });
    expect(run.idsOf('DisassociateMembers')).toEqual([[ORG, OUTSIDE]]);
    expect(run.idsOf('DeleteMembers')).toEqual([[ORG, OUTSIDE]]);
    expect(run.hub.statuses()).toEqual({ [ORG]: 'Removed' });
    expect(run.records()).toContainEqual(expect.objectContaining({
      level: 'WARN', region: 'us-east-1', reason: PROCESSING_RESULTS.organizationDelete, accountIds: [ORG],
      message: expect.stringContaining('count as removed'),
    }));
  });

  test('Delete again, with the organization account already Removed: still succeeds', async () => {
    run.hub.seed({ [ORG]: 'Removed' });
    await expect(run.handler(event('Delete', { Members: accounts(ORG) }), CONTEXT)).resolves.toBeDefined();
    expect(run.hub.calls('DisassociateMembers')).toHaveLength(0);
    expect(run.idsOf('DeleteMembers')).toEqual([[ORG]]);
  });

  test('Delete: DeleteMembers refuses an organization account that is still associated: the Delete fails', async () => {
    run.hub.seed({ [ORG]: 'Enabled' });
    // The disassociation answers success without taking effect.
    run.hub.interceptNext('DisassociateMembers', async () => okAnswer({}));
    await expect(run.handler(event('Delete', { Members: accounts(ORG) }), CONTEXT)).rejects.toThrow(
      `Removing members failed for 1 account: ${ORG} in us-east-1: ${PROCESSING_RESULTS.organizationDelete.replace(/\.$/, '')}.`,
    );
    expect(run.hub.statuses()).toEqual({ [ORG]: 'Enabled' });
  });

  test('Update: dropping an organization account disassociates it and succeeds', async () => {
    run.hub.seed({ [ORG]: 'Enabled', [OUTSIDE]: 'Invited' });
    await run.handler(event('Update', { Members: accounts(OUTSIDE) }, { Members: accounts(ORG, OUTSIDE) }), CONTEXT);
    expect(run.hub.statuses()).toEqual({ [ORG]: 'Removed', [OUTSIDE]: 'Invited' });
    expect(run.idsOf('DeleteMembers')).toEqual([[ORG]]);
  });
});

describe('waitForAcceptance with a mixed fleet', () => {
  const waiting = { Members: accounts(ORG, OUTSIDE), WaitForAcceptanceSeconds: '60' };
  const future = () => new Date(Date.now() + 60_000).toISOString();

  test('counts the organization account as accepted and completes once the invited account accepts', async () => {
    const created = await run.handler(event('Create', waiting), CONTEXT);
    const poll = () => run.isComplete({ ...event('Create', waiting), PhysicalResourceId: created.PhysicalResourceId, Data: { WaitDeadline: future() } }, CONTEXT);
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    run.hub.seed({ [OUTSIDE]: 'Enabled' });
    await expect(poll()).resolves.toEqual({
      IsComplete: true,
      PhysicalResourceId: PHYSICAL_ID,
      Data: { MemberCount: '2', EnabledCount: '2', InvitedCount: '0' },
    });
  });
});
