import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildSampleApp } from '../../bin/sample-app';
import { SecurityHubInvitationAccepter, SecurityHubMembers } from '../../lib';

/** Both constructs in every shape they synthesize to: one region, several regions, waiting, member side. */
function app(): { app: App; stacks: Stack[] } {
  const root = new App();
  const admin = new Stack(root, 'Admin', { env: { account: '999999999999', region: 'us-east-1' } });
  new SecurityHubMembers(admin, 'Members', { members: [{ accountId: '111111111111', email: 'security@example.com' }] });
  new SecurityHubMembers(admin, 'Global', { members: [{ accountId: '222222222222' }], regions: ['eu-west-1', 'us-west-2'] });
  new SecurityHubMembers(admin, 'Waiting', { members: [{ accountId: '333333333333' }], waitForAcceptance: Duration.minutes(30) });
  const member = new Stack(root, 'Member', { env: { account: '111111111111', region: 'us-east-1' } });
  new SecurityHubInvitationAccepter(member, 'Accept', { administratorAccountId: '999999999999' });
  return { app: root, stacks: [admin, member] };
}

describe('cdk-nag AwsSolutions', () => {
  test('finds nothing unacknowledged in the sample app (bin/), as cdk.json configures it', () => {
    const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
    const root = new App({ context: cdkJson.context });
    const stacks = buildSampleApp(root);
    expect(stacks.map((s) => s.stackName)).toEqual(['SecurityHubAdministrator', 'SecurityHubMember-111111111111', 'SecurityHubMember-222222222222']);
    const pack = new AwsSolutionsChecks(root);
    for (const stack of stacks) {
      expect(pack.validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
    }
  });

  test('finds nothing unacknowledged in any stack', () => {
    const { app: root, stacks } = app();
    const pack = new AwsSolutionsChecks(root);
    for (const stack of stacks) {
      const report = pack.validateScope(stack);
      expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
      expect(report.success).toBe(true);
    }
  });

  test('every acknowledgement carries a reason', () => {
    const { stacks } = app();
    const acknowledged = stacks
      .flatMap((stack) => stack.node.findAll())
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) {
      expect(id).toMatch(/AwsSolutions-/);
      expect(reason.length).toBeGreaterThan(40);
    }
  });

  test('the rule really runs: an unacknowledged finding fails the check', () => {
    const { app: root, stacks } = app();
    // A bare Lambda function with the default role draws IAM4 (AWS managed policy).
    new lambda.Function(stacks[0], 'Bare', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => 1;'),
      timeout: Duration.seconds(3),
    });
    const report = new AwsSolutionsChecks(root).validateScope(stacks[0]);
    expect(report.success).toBe(false);
    expect(report.violations.map((v) => v.ruleName).join(' ')).toContain('AwsSolutions-IAM4');
  });
});
