/**
 * A synthesized CDK Pipeline with a SecurityHubMembersPlanStep before its Administrator stage, and
 * readers for what the step's builds run: shared by the construct tests and the tests that run
 * the builds' commands in a shell.
 */
import { App, DefaultStackSynthesizer, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CodePipeline, CodePipelineSource, ShellStep } from 'aws-cdk-lib/pipelines';
import { SecurityHubMembers, SecurityHubMembersPlanStep, SecurityHubMembersPlanStepProps } from '../../lib';

/** What {@link buildPlanPipeline} made. */
export interface PlanPipeline {
  readonly app: App;
  readonly stack: Stack;
  readonly template: Template;
}

/** Options of {@link buildPlanPipeline}: the step's props, a topic, the stage stack's synthesizer. */
export type PlanPipelineOptions = Partial<SecurityHubMembersPlanStepProps> & { readonly topic?: boolean; readonly synthesizer?: DefaultStackSynthesizer };

/** A pipeline in account 000000000000 (us-east-1) whose Administrator stage deploys to 999999999999 (eu-west-1). */
export function buildPlanPipeline(options: PlanPipelineOptions = {}): PlanPipeline {
  const app = new App();
  const stack = new Stack(app, 'Pipeline', { env: { account: '000000000000', region: 'us-east-1' } });
  const source = CodePipelineSource.connection('my-org/security-hub-fleet', 'main', { connectionArn: 'arn:aws:codeconnections:us-east-1:000000000000:connection/00000000-0000-0000-0000-000000000000' });
  const pipeline = new CodePipeline(stack, 'Pipeline', { crossAccountKeys: true, synth: new ShellStep('Synth', { input: source, commands: ['npm ci', 'npx cdk synth'] }) });
  const stage = new Stage(app, 'Administrator', { env: { account: '999999999999', region: 'eu-west-1' } });
  const admin = new Stack(stage, 'SecurityHubAdministrator', { synthesizer: options.synthesizer });
  new SecurityHubMembers(admin, 'Members', { members: [{ accountId: '111111111111' }] });
  const notificationTopic = options.topic ? new sns.Topic(stack, 'Removals', { enforceSSL: true }) : undefined;
  pipeline.addStage(stage, { pre: [new SecurityHubMembersPlanStep('PlanMembers', { stage, notificationTopic, ...options })] });
  pipeline.buildPipeline();
  return { app, stack, template: Template.fromStack(stack) };
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** The logical id of the one resource of `type` whose id contains `part`. */
export function logicalIdOf(template: Template, type: string, part: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.includes(part));
  if (ids.length !== 1) {
    throw new Error(`expected one ${type} whose id contains ${part}, found ${ids.length}`);
  }
  return ids[0];
}

/** A CodeBuild buildspec, as far as the step's builds use it. */
export interface BuildSpec {
  readonly env?: { readonly 'exported-variables'?: string[] };
  readonly phases: { readonly install?: { readonly commands?: string[] }; readonly build: { readonly commands: string[] } };
}

/** The buildspec of the step's build `name` (Plan or AutoApprove), references rendered as `<Ref>`. */
export function buildspecOf(template: Template, name: string): BuildSpec {
  const project = (template.findResources('AWS::CodeBuild::Project') as Resources)[logicalIdOf(template, 'AWS::CodeBuild::Project', `PlanMembers${name}`)];
  const spec = (project.Properties.Source as { BuildSpec: unknown }).BuildSpec;
  const text = typeof spec === 'string' ? spec : (spec as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
    .map((part) => typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`).join('');
  return JSON.parse(text) as BuildSpec;
}
