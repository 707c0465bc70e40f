/**
 * examples/pipeline synthesizes offline (no credentials, no lookups): the pipeline stack, the
 * administrator's stage and one member stage per account, deployed in that order.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildPipeline } from '../../examples/pipeline/pipeline';

describe('the CDK Pipelines example', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-pipeline-'));
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('deploys the administrator\'s stage, then a wave of member stages, with cross-account keys', () => {
    const app = new App({ outdir });
    buildPipeline(app, {
      pipelineAccount: '000000000000',
      administratorAccount: '999999999999',
      region: 'us-east-1',
      members: [{ accountId: '111111111111', email: 'security@example.com' }, { accountId: '222222222222' }],
      connectionArn: 'arn:aws:codeconnections:us-east-1:000000000000:connection/00000000-0000-0000-0000-000000000000',
      repository: 'my-org/security-hub-fleet',
    });
    const assembly = app.synth();

    const pipelineStack = assembly.getStackByName('SecurityHubPipeline');
    const resources = Object.values(pipelineStack.template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>);
    expect(resources.map((r) => r.Type)).toContain('AWS::KMS::Key');
    const [codePipeline] = resources.filter((r) => r.Type === 'AWS::CodePipeline::Pipeline');
    const stages = (codePipeline.Properties.Stages as { Name: string; Actions: { Name: string }[] }[]);
    expect(stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Administrator', 'Members']);
    // The administrator's stage is planned first; a person approves only removals.
    const administratorActions = (stages.find((s) => s.Name === 'Administrator')!.Actions as unknown as { Name: string; RunOrder: number; ActionTypeId: { Category: string } }[]);
    const firstDeploy = Math.min(...administratorActions.filter((a) => a.ActionTypeId.Category === 'Deploy').map((a) => a.RunOrder));
    expect(administratorActions.filter((a) => a.RunOrder < firstDeploy).map((a) => a.Name).sort()).toEqual(['PlanMembers.Approve', 'PlanMembers.AutoApprove', 'PlanMembers.Plan']);
    const plan = resources.find((r) => r.Type === 'AWS::CodeBuild::Project' && JSON.stringify(r.Properties.Source).includes('cdk-securityhub-members plan'));
    expect(JSON.stringify(plan?.Properties.Source)).toContain('assembly-Administrator');
    expect(JSON.stringify(plan?.Properties.Source)).toContain(':iam::{account}:role/cdk-hnb659fds-lookup-role-{account}-{region}');
    expect(JSON.stringify(plan?.Properties.Source)).toContain('aws sns publish');
    const members = stages.find((s) => s.Name === 'Members')!.Actions.map((a) => a.Name).join(' ');
    expect(members).toContain('Member-111111111111');
    expect(members).toContain('Member-222222222222');
    expect(members).toContain('SecurityHubDrift');
    const audit = resources.find((r) => r.Type === 'AWS::CodeBuild::Project' && JSON.stringify(r.Properties.Source).includes('cdk-securityhub-members drift'));
    expect(JSON.stringify(audit?.Properties.Source)).toContain("drift --app cdk.out --wait 30m --role-arn-template 'arn:aws:iam::{account}:role/SecurityHubAudit'");

    const stageStack = (stage: string): { account: string; types: string[] } => {
      const [stack] = assembly.getNestedAssembly(`assembly-${stage}`).stacks;
      return { account: stack.environment.account, types: Object.values(stack.template.Resources as Record<string, { Type: string }>).map((r) => r.Type) };
    };
    expect(stageStack('Administrator')).toEqual({ account: '999999999999', types: expect.arrayContaining(['Custom::SecurityHubMembers', 'AWS::IAM::Role']) });
    const [administrator] = assembly.getNestedAssembly('assembly-Administrator').stacks;
    const policies = Object.values(administrator.template.Resources as Record<string, { Type: string; Properties: { PolicyDocument?: { Statement: { Action: unknown }[] } } }>)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .map((r) => r.Properties.PolicyDocument!.Statement.map((st) => st.Action));
    // The audit role may only read.
    expect(policies).toContainEqual([['securityhub:DescribeHub', 'securityhub:GetMembers', 'securityhub:ListMembers']]);
    for (const account of ['111111111111', '222222222222']) {
      expect(stageStack(`Member-${account}`)).toEqual({ account, types: expect.arrayContaining(['Custom::SecurityHubInvitationAccepter']) });
    }
    // Both sides repair on every run (reconcileOnEveryDeploy): re-invited members end Enabled before the drift audit.
    const tokenOf = (stage: string, type: string): unknown => {
      const [stack] = assembly.getNestedAssembly(`assembly-${stage}`).stacks;
      return Object.values(stack.template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>).find((r) => r.Type === type)?.Properties.ReconcileToken;
    };
    expect(tokenOf('Administrator', 'Custom::SecurityHubMembers')).toEqual(expect.any(String));
    expect(tokenOf('Member-111111111111', 'Custom::SecurityHubInvitationAccepter')).toEqual(expect.any(String));
  });

  test('gives an organization account no accepter stage: it has no invitation to accept', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(outdir, 'org-')) });
    buildPipeline(app, {
      pipelineAccount: '000000000000',
      administratorAccount: '999999999999',
      region: 'us-east-1',
      members: [{ accountId: '111111111111' }, { accountId: '333333333333' }],
      organizationAccounts: ['333333333333'],
      connectionArn: 'arn:aws:codeconnections:us-east-1:000000000000:connection/00000000-0000-0000-0000-000000000000',
      repository: 'my-org/security-hub-fleet',
    });
    const assembly = app.synth();

    const stageNames = assembly.nestedAssemblies.map((n) => n.directoryName).sort();
    expect(stageNames).toEqual(['assembly-Administrator', 'assembly-Member-111111111111']);
    const accepterAccounts = assembly.nestedAssemblies.flatMap((n) => n.nestedAssembly.stacks)
      .filter((st) => Object.values(st.template.Resources as Record<string, { Type: string }>).some((r) => r.Type === 'Custom::SecurityHubInvitationAccepter'))
      .map((st) => st.environment.account);
    expect(accepterAccounts).toEqual(['111111111111']);
    // It is still declared by the administrator, so the drift audit checks it too.
    const [administrator] = assembly.getNestedAssembly('assembly-Administrator').stacks;
    const declared = Object.values(administrator.template.Resources as Record<string, { Type: string; Properties: { Members?: { AccountId: string }[] } }>)
      .filter((r) => r.Type === 'Custom::SecurityHubMembers').flatMap((r) => r.Properties.Members!.map((m) => m.AccountId));
    expect(declared).toEqual(['111111111111', '333333333333']);
  });

  test('adds no cdk-nag AwsSolutions finding to the pipeline stack with its plan step', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(outdir, 'nag-')) });
    const { pipeline } = buildPipeline(app, {
      pipelineAccount: '000000000000',
      administratorAccount: '999999999999',
      region: 'us-east-1',
      members: [{ accountId: '111111111111' }],
      connectionArn: 'arn:aws:codeconnections:us-east-1:000000000000:connection/00000000-0000-0000-0000-000000000000',
      repository: 'my-org/security-hub-fleet',
    });
    pipeline.buildPipeline();
    const violations = new AwsSolutionsChecks(app).validateScope(app.node.findChild('SecurityHubPipeline')).violations
      .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
    // The check ran: CDK Pipelines' own roles draw findings, which are the pipeline owner's to
    // accept. The plan step's builds, roles, log groups and the removals topic draw none.
    expect(violations).toContainEqual(expect.stringMatching(/^AwsSolutions-IAM5.* at SecurityHubPipeline\/Pipeline\/UpdatePipeline\//));
    expect(violations.filter((v) => /SecurityHubMembersPlan|SecurityHubMembersRemovals/.test(v))).toEqual([]);
  });
});
