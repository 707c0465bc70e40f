/**
 * The local deploy goes through aws-cdk-lib's real Provider framework runtime, the one synthesized
 * into cdk.out: the waiter polls the framework's isComplete and runs its onTimeout when the polls
 * run out, and the Delete CloudFormation sends after a failed Create is answered by the framework
 * itself, without calling the handler (its CREATE_FAILED marker).
 */
import { Duration } from 'aws-cdk-lib';
import { ADMIN, LocalCloud, localCloud, REGION, synthesize } from './harness';
import { packagedFrameworkRuntime } from '../../local/deploy/provider-framework';

const A = '111111111111';
const B = '222222222222';
const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

/** The RequestType of every event the handler saw, from its log lines. */
function requestTypesSeen(logs: readonly string[]): string[] {
  return logs.flatMap((line) => {
    try {
      const requestType = (JSON.parse(line) as { requestType?: unknown }).requestType;
      return typeof requestType === 'string' ? [requestType] : [];
    } catch {
      return [];
    }
  });
}

describe('the local deploy runs the Provider framework synthesized into cdk.out', () => {
  let cloud: LocalCloud;
  let accepter: NodeJS.Timeout | undefined;
  afterEach(async () => {
    clearInterval(accepter);
    await cloud?.close();
  });

  test('each resource is served by the framework asset of its own cloud assembly', () => {
    const [stack] = synthesize({ members: [{ accountId: A }], waitForAcceptance: Duration.minutes(5) });
    const framework = stack.resources[0].framework;
    expect(framework).toMatch(/\/asset\.[0-9a-f]{64}$/);
    expect(framework).not.toBe(packagedFrameworkRuntime());
  });

  test('a waitForAcceptance deploy polls the framework\'s isComplete until the members accept', async () => {
    cloud = await localCloud({}, { isCompleteIntervalMs: 20 });
    accepter = setInterval(() => {
      for (const member of [A, B]) {
        const [invitation] = cloud.emulator.store.invitationsFor(member, REGION);
        if (invitation) {
          cloud.emulator.store.acceptAdministratorInvitation(member, REGION, ADMIN, invitation.invitationId);
        }
      }
    }, 10);

    const result = await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }, { accountId: B }], waitForAcceptance: Duration.minutes(5) }));

    expect(result.events.map((e) => [e.action, e.ok])).toEqual([['Create', true]]);
    expect(result.events[0].waiterPolls).toBeGreaterThanOrEqual(1);
    expect(result.events[0].data).toMatchObject({ MemberCount: '2', EnabledCount: '2', InvitedCount: '0' });
    expect(cloud.members()).toEqual({ [A]: 'Enabled', [B]: 'Enabled' });
  });

  test('fails when the waiter runs out of polls: the framework\'s onTimeout answers, after exactly that many polls of isComplete', async () => {
    cloud = await localCloud({}, { isCompleteIntervalMs: 10, isCompleteMaxPolls: 3 });

    // Nobody accepts, and the handler's own deadline is far: only the waiter can end the wait.
    const result = await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }], waitForAcceptance: Duration.minutes(30) }));

    expect(result.ok).toBe(false);
    expect(result.events.map((e) => [e.action, e.ok, e.waiterPolls])).toEqual([['Create', false, 3], ['Rollback Delete', true, 1]]);
    expect(result.events[0].error).toBe('Operation timed out');
    // onEvent succeeded, so the physical id is the handler's and CloudFormation's Delete reaches the
    // handler; a Delete of a Create still awaiting acceptance has nothing to do (lib/shared/contract.ts).
    expect(result.events[1].physicalResourceId).toBe('securityhub-members-Admin-MembersFEE56442:awaiting-acceptance');
    expect(requestTypesSeen(result.events[1].logs)).toEqual(['Delete']);
    expect(cloud.members()).toEqual({ [A]: 'Invited' });
    expect(cloud.cfn.resources).toHaveLength(0);
  });

  test('fails when onEvent fails on Create: CloudFormation\'s Delete follows, and the framework answers it without calling the handler', async () => {
    cloud = await localCloud({ uninvitableAccounts: [B] });

    const result = await cloud.cfn.deploy(synthesize({ members: [{ accountId: A }, { accountId: B }] }));

    expect(result.ok).toBe(false);
    expect(result.events.map((e) => [e.action, e.ok, e.physicalResourceId])).toEqual([
      ['Create', false, CREATE_FAILED_MARKER],
      ['Rollback Delete', true, CREATE_FAILED_MARKER],
    ]);
    expect(result.events[0].error).toMatch(new RegExp(`^Adding members failed for 1 account: ${B} in ${REGION}`));
    expect(requestTypesSeen(result.events[0].logs)).toContain('Create');
    // The handler logs every event it gets; it got no Delete, and the hub saw no call for one.
    expect(result.events[1].logs).toEqual([]);
    expect(requestTypesSeen(result.events.flatMap((e) => e.logs))).not.toContain('Delete');
    expect(cloud.members()).toEqual({});
    expect(cloud.cfn.resources).toHaveLength(0);
  });
});
