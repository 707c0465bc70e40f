/**
 * SecurityHubMembersPlanStep on a synthesized CDK Pipeline: the plan and the approval come before
 * the administrator's stage deploys, the plan reads with the stage's bootstrap lookup role, and
 * each build's role holds exactly what it uses (docs/design.md, "Plan before deploy in pipelines"). The decision itself is
 * table-tested in test/e2e/pipeline/plan-decision.test.ts.
 */
import { App, DefaultStackSynthesizer, IAspect, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CodePipeline, CodePipelineSource, ShellStep } from 'aws-cdk-lib/pipelines';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SecurityHubMembersPlanStep } from '../../lib';
import { buildPlanPipeline, buildspecOf, logicalIdOf } from '../support/plan-step-pipeline';

const build = buildPlanPipeline;
const logicalId = logicalIdOf;

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** The statements of the policy attached to the build role `name` (Plan or AutoApprove). */
function statementsOf(template: Template, name: string): unknown[] {
  const role = logicalId(template, 'AWS::IAM::Role', `PlanMembers${name}Role`);
  const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources)
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]));
  expect(policies).toHaveLength(1);
  return (policies[0].Properties.PolicyDocument as { Statement: unknown[] }).Statement;
}

/** The build commands of the step's build `name`, one a line. */
function commandsOf(template: Template, name: string): string {
  return buildspecOf(template, name).phases.build.commands.join('\n');
}

const LOGS = (build: string) => ({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringContaining(`PlanMembers${build}Logs`), 'Arn'] } });
const ARTIFACTS = [
  { Action: ['s3:GetBucketAcl', 's3:GetBucketLocation'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^PipelineArtifactsBucket/), 'Arn'] } },
  { Action: ['s3:GetObject', 's3:GetObjectVersion'], Effect: 'Allow', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^PipelineArtifactsBucket/), 'Arn'] }, '/*']] } },
  { Action: 'kms:Decrypt', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^PipelineArtifactsBucketEncryptionKey/), 'Arn'] } },
];
const LOOKUP_ROLE = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::999999999999:role/cdk-hnb659fds-lookup-role-999999999999-eu-west-1']] };

describe('SecurityHubMembersPlanStep', () => {
  test('puts the plan, then the approval beside its auto-approver, before the administrator stage\'s first deploy action', () => {
    const { template } = build();
    const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline') as Resources);
    const stage = (pipeline.Properties.Stages as { Name: string; Actions: { Name: string; RunOrder: number; ActionTypeId: { Category: string; Provider: string } }[] }[])
      .find((s) => s.Name === 'Administrator')!;
    const order = stage.Actions.map((a) => [a.Name, a.RunOrder, a.ActionTypeId.Provider]).sort((a, b) => (a[1] as number) - (b[1] as number));
    expect(order.slice(0, 3)).toEqual([
      ['PlanMembers.Plan', 1, 'CodeBuild'],
      ['PlanMembers.Approve', 2, 'Manual'],
      ['PlanMembers.AutoApprove', 2, 'CodeBuild'],
    ]);
    const firstDeploy = Math.min(...stage.Actions.filter((a) => a.ActionTypeId.Category === 'Deploy').map((a) => a.RunOrder));
    expect(firstDeploy).toBeGreaterThan(2);
    // The approval shows the plan's summary (the accounts to be removed) and links to its build.
    const approve = stage.Actions.find((a) => a.Name === 'PlanMembers.Approve') as unknown as { Configuration: Record<string, string> };
    expect(approve.Configuration).toEqual({
      CustomData: expect.stringMatching(/^#\{SecurityHubMembersPlan-[0-9a-f]+\.MESSAGE\}$/),
      ExternalEntityLink: expect.stringMatching(/^#\{SecurityHubMembersPlan-[0-9a-f]+\.LINK\}$/),
    });
  });

  test('runs the package\'s plan on the stage\'s nested assembly with the lookup role of its account and region, then the decision', () => {
    const { template } = build();
    const commands = commandsOf(template, 'Plan');
    expect(commands).toContain('app="$CODEBUILD_SRC_DIR_Synth_Output/assembly-Administrator"');
    expect(commands).toContain('template=\'arn:<AWS::Partition>:iam::{account}:role/cdk-hnb659fds-lookup-role-{account}-{region}\'');
    expect(commands).toContain('code=0; npx cdk-securityhub-members plan --app "$app" --role-arn-template "$template" --json > plan.json || code=$?');
    expect(commands).toContain('node node_modules/cdk-securityhub-members/assets/plan-decision/index.js --exit-code "$code" --plan plan.json --exports-file decision.env --notification-file notification.txt\n');
    expect(commands).not.toContain('sns publish');
    // The role `plan` assumes is that template for the stage's one account and region.
    expect(statementsOf(template, 'Plan')).toContainEqual({ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: LOOKUP_ROLE });
    // `plan` and the decision script come from the app's own devDependencies.
    expect(buildspecOf(template, 'Plan').phases.install).toEqual({ 'runtime-versions': { nodejs: 20 }, 'commands': ['npm ci'] });
  });

  test('takes the qualifier from the stage\'s synthesizer', () => {
    const { template } = build({ synthesizer: new DefaultStackSynthesizer({ qualifier: 'fleet1' }) });
    expect(commandsOf(template, 'Plan')).toContain('template=\'arn:<AWS::Partition>:iam::{account}:role/cdk-fleet1-lookup-role-{account}-{region}\'');
    expect(statementsOf(template, 'Plan')).toContainEqual({
      Action: 'sts:AssumeRole', Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::999999999999:role/cdk-fleet1-lookup-role-999999999999-eu-west-1']] },
    });
  });

  test('assumes the role the roleArnTemplate prop names instead, for the stage\'s account and region', () => {
    const { template } = build({ roleArnTemplate: 'arn:aws:iam::{account}:role/SecurityHubPlan-{region}' });
    expect(commandsOf(template, 'Plan')).toContain('template=\'arn:aws:iam::{account}:role/SecurityHubPlan-{region}\'');
    expect(statementsOf(template, 'Plan')).toContainEqual({ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: 'arn:aws:iam::999999999999:role/SecurityHubPlan-eu-west-1' });
  });

  test('passes --fail-on-removals to the decision when the pipeline fails instead of waiting', () => {
    expect(commandsOf(build({ failOnRemovals: true }).template, 'Plan')).toContain('--notification-file notification.txt --fail-on-removals');
  });

  test('approves only when the plan decided so, from the plan\'s exported decision', () => {
    const commands = commandsOf(build().template, 'AutoApprove');
    expect(commands).toContain('if [ "$DECISION" = approve ]; then aws codepipeline put-approval-result --pipeline-name "$PIPELINE_NAME" --stage-name "$STAGE_NAME" --action-name "$APPROVAL_NAME" --token "$token"');
    expect(commands).toContain('; else echo "Members would be removed ($REMOVALS): the approval waits for a person"; fi');
  });

  test('gives each build\'s role exactly the statements it uses', () => {
    const { template } = build();
    expect(statementsOf(template, 'Plan')).toEqual([
      LOGS('Plan'),
      ...ARTIFACTS,
      { Action: 'sts:AssumeRole', Effect: 'Allow', Resource: LOOKUP_ROLE },
    ]);
    const pipelineArn = ['arn:', { Ref: 'AWS::Partition' }, ':codepipeline:us-east-1:000000000000:', { Ref: expect.stringMatching(/^Pipeline9/) }];
    expect(statementsOf(template, 'AutoApprove')).toEqual([
      LOGS('AutoApprove'),
      ...ARTIFACTS,
      { Action: 'codepipeline:GetPipelineState', Effect: 'Allow', Resource: { 'Fn::Join': ['', pipelineArn] } },
      { Action: 'codepipeline:PutApprovalResult', Effect: 'Allow', Resource: { 'Fn::Join': ['', [...pipelineArn, '/Administrator/PlanMembers.Approve']] } },
    ]);
    // Both roles are for CodeBuild only, and have no other policy.
    template.resourcePropertiesCountIs('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' } }] }, ManagedPolicyArns: Match.absent() }, 5);
  });

  test('publishes to the notification topic only from the plan build, and only when it waits', () => {
    const { template } = build({ topic: true });
    const topic = logicalId(template, 'AWS::SNS::Topic', 'Removals');
    expect(statementsOf(template, 'Plan')).toEqual([
      LOGS('Plan'),
      ...ARTIFACTS,
      { Action: 'sts:AssumeRole', Effect: 'Allow', Resource: LOOKUP_ROLE },
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: topic } },
    ]);
    expect(commandsOf(template, 'Plan')).toContain('if [ "$DECISION" = wait ]; then');
    expect(commandsOf(template, 'Plan')).toContain('aws sns publish --topic-arn "$NOTIFICATION_ARN" --subject "$NOTIFICATION_SUBJECT" --message file://notification.txt; fi');
    expect(JSON.stringify(statementsOf(template, 'AutoApprove'))).not.toContain('sns:');
  });

  test('fails when the stage\'s stacks have no account and region to read', () => {
    const app = new App();
    const stack = new Stack(app, 'Pipeline', { env: { account: '000000000000', region: 'us-east-1' } });
    const pipeline = new CodePipeline(stack, 'Pipeline', { synth: new ShellStep('Synth', { input: CodePipelineSource.gitHub('my-org/fleet', 'main'), commands: ['npx cdk synth'] }) });
    const stage = new Stage(app, 'Administrator');
    new Stack(stage, 'SecurityHubAdministrator');
    pipeline.addStage(stage, { pre: [new SecurityHubMembersPlanStep('PlanMembers', { stage })] });
    expect(() => pipeline.buildPipeline()).toThrow('stack Administrator-SecurityHubAdministrator of stage Administrator has no explicit account and region: expected env on the stage or stack, the plan reads that account');
  });

  test('passes cdk-nag AwsSolutions: the step adds no finding it does not acknowledge', () => {
    const { app, stack } = build({ topic: true });
    const all = findings(app, stack);
    // The pack ran: CDK Pipelines' own resources have findings (the example acknowledges them).
    expect(all).toContainEqual(expect.stringMatching(/^AwsSolutions-IAM5.* at .*Pipeline\/Pipeline\/Role\/DefaultPolicy\/Resource/));
    expect(all.filter((f) => f.includes('SecurityHubMembersPlan'))).toEqual([]);
  });
});

/**
 * The AwsSolutions findings in `stack` that nothing acknowledges, as `Rule at path`, from cdk-nag 3
 * (latest aws-cdk-lib) or cdk-nag 2 (the floor), as test/lib/cdk-nag.test.ts reads them.
 */
function findings(root: App, stack: Stack): string[] {
  if ('validateScope' in AwsSolutionsChecks.prototype) {
    return new AwsSolutionsChecks(root).validateScope(stack).violations
      .map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
  }
  const pack = new (AwsSolutionsChecks as unknown as new (props: { reports: boolean }) => IAspect)({ reports: false });
  const nodes = stack.node.findAll();
  nodes.forEach((node) => pack.visit(node));
  return nodes.flatMap((node) => node.node.metadata
    .filter((m) => m.type === 'aws:cdk:error' || m.type === 'aws:cdk:warning')
    .map((m) => /^(AwsSolutions-\S+?): /.exec(String(m.data)))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => `${match[1]} at ${node.node.path}`));
}
