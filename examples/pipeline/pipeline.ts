/**
 * A CDK Pipelines app that rolls out Security Hub membership: the administrator's stage first
 * (its SecurityHubMembers sends the invitations), planned before it deploys by
 * SecurityHubMembersPlanStep (a person approves only when members would be removed), then a wave with one stage per member account
 * (each SecurityHubInvitationAccepter accepts its invitation), then a read-only audit,
 * `cdk-securityhub-members drift --wait`, that fails the pipeline unless every member is Enabled.
 * It synthesizes offline: every account and region is given, nothing is looked up.
 */
import { App, Stack, Stage, StageProps } from 'aws-cdk-lib';
import { PipelineType } from 'aws-cdk-lib/aws-codepipeline';
import { AccountPrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { CodeBuildStep, CodePipeline, CodePipelineSource, ShellStep, Wave } from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { MemberAccount, SecurityHubInvitationAccepter, SecurityHubMembers, SecurityHubMembersPlanStep } from 'cdk-securityhub-members';

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
  /**
   * The members that are in the administrator's organization. Security Hub CSPM enables them
   * without an invitation, so they get no accepter stage (there is no invitation to accept).
   * @default - none: every member is invited and gets a stage
   */
  readonly organizationAccounts?: string[];
  /** The CodeStar connection to the repository, and the repository as `owner/name`. */
  readonly connectionArn: string;
  readonly repository: string;
}

/** The role the pipeline's audit assumes in the administrator account (`{account}` is replaced). */
export const AUDIT_ROLE_NAME = 'SecurityHubAudit';

/**
 * The administrator's stage: one stack with one SecurityHubMembers for the whole fleet, and the
 * read-only role the pipeline's drift audit assumes.
 */
export class AdministratorStage extends Stage {
  constructor(scope: Construct, id: string, props: StageProps & { readonly members: MemberAccount[]; readonly auditorAccount: string }) {
    super(scope, id, props);
    const stack = new Stack(this, 'SecurityHubAdministrator');
    // Every pipeline run repairs drift: Removed and Resigned members are invited again ...
    new SecurityHubMembers(stack, 'Members', { members: props.members, reconcileOnEveryDeploy: true });
    // Only the three read actions of the audit, on this account's hub.
    const audit = new Role(stack, 'AuditRole', { roleName: AUDIT_ROLE_NAME, assumedBy: new AccountPrincipal(props.auditorAccount) });
    audit.addToPolicy(new PolicyStatement({
      actions: ['securityhub:DescribeHub', 'securityhub:GetMembers', 'securityhub:ListMembers'],
      resources: [stack.formatArn({ service: 'securityhub', resource: 'hub', resourceName: 'default' })],
    }));
  }
}

/** A member's stage: one stack in the member account that accepts the administrator's invitation. */
export class MemberStage extends Stage {
  constructor(scope: Construct, id: string, props: StageProps & { readonly administratorAccountId: string }) {
    super(scope, id, props);
    const stack = new Stack(this, 'SecurityHubMember');
    // ... and each member stage accepts again, so the drift audit after the wave finds every member Enabled.
    new SecurityHubInvitationAccepter(stack, 'Accept', { administratorAccountId: props.administratorAccountId, reconcileOnEveryDeploy: true });
  }
}

/** The pipeline and its parts, for whatever is added after the member wave. */
export interface SecurityHubPipeline {
  readonly pipeline: CodePipeline;
  readonly administrator: AdministratorStage;
  /** Told, with the accounts, when a commit would remove members; subscribe the security team. */
  readonly removals: Topic;
  /** The wave of member stages; post-deployment steps (`members.addPost(...)`) go here. */
  readonly members: Wave;
}

/** Adds the pipeline stack, its administrator stage and its wave of member stages to `app`. */
export function buildPipeline(app: App, config: PipelineConfig): SecurityHubPipeline {
  const stack = new Stack(app, 'SecurityHubPipeline', { env: { account: config.pipelineAccount, region: config.region } });
  const source = CodePipelineSource.connection(config.repository, 'main', { connectionArn: config.connectionArn });
  const synth = new ShellStep('Synth', { input: source, commands: ['npm ci', 'npx cdk synth'] });
  const pipeline = new CodePipeline(stack, 'Pipeline', {
    pipelineType: PipelineType.V2,
    // The stages deploy to other accounts, which must be able to read the pipeline's artifacts.
    crossAccountKeys: true,
    synth,
  });
  // The administrator's stage first: a member stack deployed before it finds no invitation.
  const administrator = new AdministratorStage(app, 'Administrator', {
    env: { account: config.administratorAccount, region: config.region },
    members: config.members,
    auditorAccount: config.pipelineAccount,
  });
  // Before it deploys, `cdk-securityhub-members plan` on its stacks with the stage's bootstrap
  // lookup role: a change that removes no member goes on by itself, a removal waits for a person.
  const removals = new Topic(stack, 'SecurityHubMembersRemovals', { enforceSSL: true });
  pipeline.addStage(administrator, {
    pre: [new SecurityHubMembersPlanStep('PlanMembers', { stage: administrator, notificationTopic: removals })],
  });
  // Then every invited member at once: accepting touches only the member's own account. An
  // organization account has no invitation to accept, so it gets no stage.
  const organizationAccounts = new Set(config.organizationAccounts ?? []);
  const members = pipeline.addWave('Members');
  for (const { accountId } of config.members.filter((m) => !organizationAccounts.has(m.accountId))) {
    members.addStage(new MemberStage(app, `Member-${accountId}`, {
      env: { account: accountId, region: config.region },
      administratorAccountId: config.administratorAccount,
    }));
  }
  // Last, the audit: exit 0 once every member is Enabled, 2 (failing the pipeline) if one is not
  // within 30 minutes. It reads the assembly this pipeline synthesized, and changes nothing.
  members.addPost(new CodeBuildStep('SecurityHubDrift', {
    input: source,
    additionalInputs: { 'cdk.out': synth },
    commands: [
      'npm ci',
      `npx cdk-securityhub-members drift --app cdk.out --wait 30m --role-arn-template 'arn:aws:iam::{account}:role/${AUDIT_ROLE_NAME}'`,
    ],
    rolePolicyStatements: [new PolicyStatement({
      actions: ['sts:AssumeRole'],
      resources: [`arn:aws:iam::${config.administratorAccount}:role/${AUDIT_ROLE_NAME}`],
    })],
  }));
  return { pipeline, administrator, removals, members };
}
