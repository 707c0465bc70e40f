import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { App, CfnResource, Duration, IAspect, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { buildSampleApp } from '../../bin/sample-app';
import { SecurityHubInvitationAccepter, SecurityHubMembers, SecurityHubMembersAudit } from '../../lib';

/** Every construct in every shape they synthesize to: one region, several regions, waiting, member side. */
function app(): { app: App; stacks: Stack[] } {
  const root = new App();
  const admin = new Stack(root, 'Admin', { env: { account: '999999999999', region: 'us-east-1' } });
  new SecurityHubMembers(admin, 'Members', { members: [{ accountId: '111111111111', email: 'security@example.com' }] });
  new SecurityHubMembers(admin, 'Global', { members: [{ accountId: '222222222222' }], regions: ['eu-west-1', 'us-west-2'] });
  new SecurityHubMembers(admin, 'Waiting', { members: [{ accountId: '333333333333' }], waitForAcceptance: Duration.minutes(30) });
  new SecurityHubMembersAudit(admin, 'Audit', { repair: true });
  const member = new Stack(root, 'Member', { env: { account: '111111111111', region: 'us-east-1' } });
  new SecurityHubInvitationAccepter(member, 'Accept', { administratorAccountId: '999999999999' });
  return { app: root, stacks: [admin, member] };
}

/**
 * The AwsSolutions findings in `stack` that nothing acknowledges, as `Rule[finding] at path`. The
 * tests run with cdk-nag 3 against the latest aws-cdk-lib and with cdk-nag 2 against the floor
 * (jest.config.js), and the two report differently: cdk-nag 3 returns a report from
 * validateScope; cdk-nag 2 is an aspect that adds error and warning annotations.
 */
function findings(root: App, stack: Stack): string[] {
  if ('validateScope' in AwsSolutionsChecks.prototype) {
    return new AwsSolutionsChecks(root).validateScope(stack).violations
      .map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
  }
  // cdk-nag 2's constructor takes only props; reports: false keeps it from writing CSV files.
  const pack = new (AwsSolutionsChecks as unknown as new (props: { reports: boolean }) => IAspect)({ reports: false });
  const nodes = stack.node.findAll();
  nodes.forEach((node) => pack.visit(node));
  return nodes.flatMap((node) => node.node.metadata
    .filter((m) => m.type === 'aws:cdk:error' || m.type === 'aws:cdk:warning')
    .map((m) => /^(AwsSolutions-\S+?): /.exec(String(m.data)))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => `${match[1]} at ${node.node.path}`));
}

/**
 * Every acknowledgement under `scope` as [rule id, reason]: from aws-cdk-lib's Validations
 * metadata where the version has it, and from the `cdk_nag` template metadata cdk-nag 2 reads.
 */
function acknowledgements(scope: IConstruct): [string, string][] {
  const key = (cdk as { Validations?: typeof cdk.Validations }).Validations?.ACKNOWLEDGED_RULES_METADATA_KEY;
  return scope.node.findAll().flatMap((c): [string, string][] => [
    ...c.node.metadata.filter((m) => key !== undefined && m.type === key).flatMap((m) => Object.entries(m.data as Record<string, string>)),
    ...(CfnResource.isCfnResource(c) ? ((c.getMetadata('cdk_nag') as { rules_to_suppress?: { id: string; reason: string }[] } | undefined)?.rules_to_suppress ?? []) : [])
      .map((rule): [string, string] => [rule.id, rule.reason]),
  ]);
}

describe('cdk-nag AwsSolutions', () => {
  test('finds nothing unacknowledged in the sample app (bin/), as cdk.json configures it', () => {
    const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
    const root = new App({ context: cdkJson.context });
    const stacks = buildSampleApp(root);
    expect(stacks.map((s) => s.stackName)).toEqual(['SecurityHubAdministrator', 'SecurityHubMember-111111111111', 'SecurityHubMember-222222222222']);
    for (const stack of stacks) {
      expect(findings(root, stack)).toEqual([]);
    }
  });

  test('finds nothing unacknowledged in any stack', () => {
    const { app: root, stacks } = app();
    for (const stack of stacks) {
      expect(findings(root, stack)).toEqual([]);
    }
  });

  test('every acknowledgement carries a reason', () => {
    const { stacks } = app();
    const acknowledged = stacks.flatMap(acknowledgements);
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
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => 1;'),
      timeout: Duration.seconds(3),
    });
    expect(findings(root, stacks[0]).join(' ')).toContain('AwsSolutions-IAM4');
  });
});
