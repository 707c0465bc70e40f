import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import type { EmulatorRequest } from '../../../local/emulator';
import { errorAnswer, okAnswer } from '../../support/hub';
import { ADMIN, membersHarness, MembersHarness } from '../../support/members-events';
import { emptyStack, wireStack } from '../../support/stack-model';
import { runThroughFramework } from '../../../local/deploy/provider-framework';

/*
 * Through the aws-cdk-lib Provider framework's own runtime, to the exact body CloudFormation would
 * receive: every answer stays under 4,096 bytes whatever the declaration and whatever fails
 * (rule R11, docs/design.md), and the wait's deadline counts from the start of the event (rule R12).
 */

const LIMIT = 4096;
/** Every commercial region, 2026. */
const COMMERCIAL_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4',
  'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7', 'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-north-1',
  'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1',
  'sa-east-1',
];
// The longest names CloudFormation and Lambda allow, so every id in the body is as long as it gets.
const STACK_NAME = `Security-${'x'.repeat(119)}`;
const STACK_ID = `arn:aws:cloudformation:us-east-1:${ADMIN}:stack/${STACK_NAME}/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
const LOGICAL_ID = `Members${'Y'.repeat(248)}`;
const ON_EVENT_NAME = `${STACK_NAME.slice(0, 40)}-MembersProviderHandler-ABCDEFGHIJKLMNOPQRSTUVW`.slice(0, 64);
const IS_COMPLETE_NAME = `${STACK_NAME.slice(0, 40)}-MembersProviderIsComplete-ABCDEFGHIJKLMNOPQ`.slice(0, 64);

const cfn = mockClient(CloudFormationClient);
let run: MembersHarness;
/** The fake clock's lead over real time: the pacer still sees time pass. */
let offset: number;
const realNow = Date.now.bind(Date);

const setup = {
  onEvent: ((event, context) => run.handler(event, context)) as MembersHarness['handler'] as never,
  isComplete: ((event, context) => run.isComplete(event, context)) as MembersHarness['isComplete'] as never,
  onEventName: ON_EVENT_NAME,
  isCompleteName: IS_COMPLETE_NAME,
  context: (name: string) => ({ functionName: name, invokedFunctionArn: `arn:aws:lambda:us-east-1:${ADMIN}:function:${name}` }),
};

/** Seeds `status` for each of `accountIds` in `region`. */
const seed = (region: string, accountIds: readonly string[], status: 'Enabled') => run.hub.seed(Object.fromEntries(accountIds.map((id) => [id, status])), region);

function cfnEvent(requestType: 'Create' | 'Update' | 'Delete', props: Record<string, unknown>): Record<string, unknown> {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:us-east-1:999999999999:function:framework-onEvent',
    ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws%3Acloudformation/secret?X-Amz-Signature=abc',
    StackId: STACK_ID,
    RequestId: '5f4e3d2c-1b0a-4998-8877-665544332211',
    LogicalResourceId: LOGICAL_ID,
    ResourceType: 'Custom::SecurityHubMembers',
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: `securityhub-members-${STACK_NAME}-${LOGICAL_ID}` }),
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:999999999999:function:framework-onEvent', ...props },
  };
}

const ids = (count: number) => Array.from({ length: count }, (_, i) => String(100000000000 + i));
const members = (accountIds: readonly string[]) => accountIds.map((AccountId) => ({ AccountId, Email: `security+${AccountId}@example.com` }));

beforeEach(() => {
  // No pacing (the harness's default), so 34 regions take no time.
  run = membersHarness({}, { env: { SECURITYHUB_MEMBERS_MAX_ATTEMPTS: '2' } });
  offset = 0;
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
  wireStack(cfn, emptyStack);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('every answer fits in 4,096 bytes', () => {
  const waiting = { Members: members(ids(1000)), Invite: 'true', Regions: COMMERCIAL_REGIONS, WaitForAcceptanceSeconds: '3000' };

  test('1,000 members in every commercial region with waitForAcceptance, one account existing in one region: the timeout', async () => {
    seed('eu-west-1', [ids(1000)[500]], 'Enabled');
    const response = await runThroughFramework(setup, cfnEvent('Create', waiting), (poll) => {
      // The first poll finds every member Invited; the second comes after the deadline.
      if (poll === 2) {
        offset += 3_001_000;
      }
    });
    expect(response.parsed.Status).toBe('FAILED');
    expect(response.bytes).toBeLessThan(LIMIT);
    expect(response.parsed.Reason).toMatch(/^waited 3000 s for every invited member to accept; 1000 accounts are still pending: 100000000000, /);
    expect(response.parsed.Reason).toContain('Undone: removed the 33999 members this deployment created');
    // The one that existed before stayed; everything created went.
    expect(run.hub.statuses('eu-west-1')).toEqual({ [ids(1000)[500]]: 'Enabled' });
    expect(run.hub.statuses('us-east-1')).toEqual({});
  });

  test('the same wait when every member accepts: the record of created accounts is blanked in the final response', async () => {
    seed('eu-west-1', [ids(1000)[500]], 'Enabled');
    const response = await runThroughFramework(setup, cfnEvent('Create', waiting), () => {
      // Every member accepts.
      for (const region of COMMERCIAL_REGIONS) {
        seed(region, ids(1000), 'Enabled');
      }
    });
    expect(response.parsed.Status).toBe('SUCCESS');
    expect(response.bytes).toBeLessThan(LIMIT);
    expect(response.parsed.Data).toMatchObject({ MemberCount: '34000', EnabledCount: '34000', InvitedCount: '0', WaitCreated: '' });
  });

  test('1,000 accounts failing in every commercial region', async () => {
    // A reason per account, the most groups a message can have: every InviteMembers is answered so,
    // unapplied (the emulator has one text for every refusal).
    const refuseEach = async (request: EmulatorRequest) => okAnswer({
      UnprocessedAccounts: (JSON.parse(request.body ?? '{}') as { AccountIds: string[] }).AccountIds.map((id) => ({
        AccountId: id,
        ProcessingResult: `The account ${id} could not be invited: the email address is not verified for this organization and region.`,
      })),
    });
    for (let i = 0; i < COMMERCIAL_REGIONS.length * 20; i++) {
      run.hub.interceptNext('InviteMembers', refuseEach);
    }
    const response = await runThroughFramework(setup, cfnEvent('Create', { Members: members(ids(1000)), Regions: COMMERCIAL_REGIONS }));
    expect(response.parsed.Status).toBe('FAILED');
    expect(response.bytes).toBeLessThan(LIMIT);
    expect(response.parsed.Reason).toMatch(/^Adding members failed for 1000 accounts: 100000000000 in us-east-1: The account 100000000000 could not be invited/);
    expect(response.parsed.Reason).toContain('Every account id is in the handler\'s log.');
    expect(response.parsed.Reason).toContain('Undone: removed the 34000 members');
    expect(run.hub.statuses('us-east-1')).toEqual({});
  });

  test('hundreds of invalid values, each as long as it likes', async () => {
    const bad = Array.from({ length: 400 }, (_, i) => ({ AccountId: `${i}-${'9'.repeat(300)}`, Email: 'nobody' }));
    const regions = Array.from({ length: 300 }, (_, i) => `region-${i}`);
    const response = await runThroughFramework(setup, cfnEvent('Create', { Members: bad, Regions: regions, Invite: 'sometimes' }));
    expect(response.parsed.Status).toBe('FAILED');
    expect(response.bytes).toBeLessThan(LIMIT);
    expect(response.parsed.Reason).toMatch(/^701 problems with the properties: invalid account id "0-9999.*\.\.\..*": expected 12 digits; /);
    expect(response.parsed.Reason).toContain('Every problem is in the handler\'s log.');
    expect(run.hub.calls('GetMembers')).toHaveLength(0);
  });

  test('a failure longer than any budget is cut to fit, and its whole text is logged', async () => {
    // A service error of 10 KB: no list budget is made for that.
    run.hub.interceptNext('GetMembers', async () => errorAnswer(400, 'InternalException', `${'w'.repeat(10_000)} (end)`));
    const response = await runThroughFramework(setup, cfnEvent('Create', { Members: members(ids(3)) }));
    expect(response.parsed.Status).toBe('FAILED');
    expect(response.bytes).toBeLessThan(LIMIT);
    expect(response.parsed.Reason).toMatch(/^Reading the members' statuses in us-east-1 failed, so nothing was changed: InternalException: w+ \.\.\. \(cut to fit the 4,096-byte CloudFormation response; the whole message is in the handler's log\)\n\nLogs: /);
    expect(run.printed()).toContain(`${'w'.repeat(10_000)} (end)`);
  });
});

describe('one clock', () => {
  test('the wait\'s deadline counts from the start of the event, however long onEvent took', async () => {
    const startedAt = Date.now();
    // Every read of the statuses takes ten minutes on the fake clock.
    for (let i = 0; i < 5; i++) {
      run.hub.interceptNext('GetMembers', (request, serve) => {
        offset += 600_000;
        return serve(request);
      });
    }
    const result = await run.handler(cfnEvent('Create', { Members: members(ids(2)), WaitForAcceptanceSeconds: '1800' }) as never, setup.context(ON_EVENT_NAME) as never);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(600_000);
    const deadline = Date.parse(result.Data!.WaitDeadline!);
    expect(deadline).toBeGreaterThanOrEqual(startedAt + 1_800_000);
    expect(deadline).toBeLessThan(startedAt + 1_800_000 + 60_000);
  });
});
