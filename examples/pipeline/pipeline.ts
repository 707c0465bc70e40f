/**
 * A CDK Pipelines app that rolls out Security Hub membership: the administrator's stage first
 * (its SecurityHubMembers sends the invitations), then a wave with one stage per member account
 * (each SecurityHubInvitationAccepter accepts its invitation). It synthesizes offline: every
 * account and region is given, nothing is looked up.
 */
import { App, Stack, Stage, StageProps } from 'aws-cdk-lib';
import { PipelineType } from 'aws-cdk-lib/aws-codepipeline';
import { CodePipeline, CodePipelineSource, ShellStep, Wave } from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { MemberAccount, SecurityHubInvitationAccepter, SecurityHubMembers } from 'cdk-securityhub-members';

/** What the pipeline deploys, and where. */
export interface PipelineConfig {
  /** The account of the pipeline itself (often a tooling account, or the administrator's). */
  readonly pipelineAccount: string;
  /** The Security Hub administrator's account. */
  readonly administratorAccount: string;
  /** The region of the pipeline and of Security Hub. */
  readonly region: string;
  /** The member accounts. */
  readonly members: MemberAccount[];
  /** The CodeStar connection to the repository, and the repository as `owner/name`. */
  readonly connectionArn: string;
  readonly repository: string;
}

/** The administrator's stage: one stack with one SecurityHubMembers for the whole fleet. */
export class AdministratorStage extends Stage {
  constructor(scope: Construct, id: string, props: StageProps & { readonly members: MemberAccount[] }) {
    super(scope, id, props);
    const stack = new Stack(this, 'SecurityHubAdministrator');
    new SecurityHubMembers(stack, 'Members', { members: props.members });
  }
}

/** A member's stage: one stack in the member account that accepts the administrator's invitation. */
export class MemberStage extends Stage {
  constructor(scope: Construct, id: string, props: StageProps & { readonly administratorAccountId: string }) {
    super(scope, id, props);
    const stack = new Stack(this, 'SecurityHubMember');
    new SecurityHubInvitationAccepter(stack, 'Accept', { administratorAccountId: props.administratorAccountId });
  }
}

/** The pipeline and its parts, for whatever is added after the member wave. */
export interface SecurityHubPipeline {
  readonly pipeline: CodePipeline;
  readonly administrator: AdministratorStage;
  /** The wave of member stages; post-deployment steps (`members.addPost(...)`) go here. */
  readonly members: Wave;
}

/** Adds the pipeline stack, its administrator stage and its wave of member stages to `app`. */
export function buildPipeline(app: App, config: PipelineConfig): SecurityHubPipeline {
  const stack = new Stack(app, 'SecurityHubPipeline', { env: { account: config.pipelineAccount, region: config.region } });
  const pipeline = new CodePipeline(stack, 'Pipeline', {
    pipelineType: PipelineType.V2,
    // The stages deploy to other accounts, which must be able to read the pipeline's artifacts.
    crossAccountKeys: true,
    synth: new ShellStep('Synth', {
      input: CodePipelineSource.connection(config.repository, 'main', { connectionArn: config.connectionArn }),
      commands: ['npm ci', 'npx cdk synth'],
    }),
  });
  // The administrator's stage first: a member stack deployed before it finds no invitation.
  const administrator = new AdministratorStage(app, 'Administrator', {
    env: { account: config.administratorAccount, region: config.region },
    members: config.members,
  });
  pipeline.addStage(administrator);
  // Then every member at once: accepting touches only the member's own account.
  const members = pipeline.addWave('Members');
  for (const { accountId } of config.members) {
    members.addStage(new MemberStage(app, `Member-${accountId}`, {
      env: { account: accountId, region: config.region },
      administratorAccountId: config.administratorAccount,
    }));
  }
  return { pipeline, administrator, members };
}
