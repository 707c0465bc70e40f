import { CfnElement, DefaultStackSynthesizer, Stack, Stage, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as cp from 'aws-cdk-lib/aws-codepipeline';
import * as cpa from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  CodePipelineActionFactoryResult,
  ICodePipelineActionFactory,
  IFileSetProducer,
  ProduceActionOptions,
  ShellStep,
  Step,
} from 'aws-cdk-lib/pipelines';
import { Construct, Node } from 'constructs';
import { acknowledge } from './private/compat';

/** Properties of {@link SecurityHubMembersPlanStep}. */
export interface SecurityHubMembersPlanStepProps {
  /** The stage the step comes before: the one that deploys the administrator's stack. */
  readonly stage: Stage;
  /**
   * The files `npm ci` installs the app from, `cdk-securityhub-members` among its
   * devDependencies; the step runs the `plan` of that version.
   * @default - the primary input of the pipeline's synth step (a `ShellStep`'s `input`)
   */
  readonly input?: IFileSetProducer;
  /**
   * A topic told when members would be removed, with the accounts. Nothing is published for a
   * change a person need not approve.
   * @default - no notification; the approval waits in CodePipeline
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Fail the step, instead of waiting for a person's approval, when the plan removes members.
   * @default false
   */
  readonly failOnRemovals?: boolean;
  /**
   * The role `plan` assumes to read each stack's account, with `{account}` and `{region}`
   * replaced.
   * @default - the CDK bootstrap lookup role of the stage's stacks
   * (`arn:<partition>:iam::{account}:role/cdk-<qualifier>-lookup-role-{account}-{region}`, the
   * qualifier taken from their synthesizer), which `cdk diff` uses too
   */
  readonly roleArnTemplate?: string;
  /**
   * The commands that install the app before `plan` runs.
   * @default ['npm ci']
   */
  readonly installCommands?: string[];
}

/** The lookup role of the CDK bootstrap (DefaultStackSynthesizer.DEFAULT_LOOKUP_ROLE_ARN). */
const LOOKUP_ROLE_TEMPLATE = 'arn:${AWS::Partition}:iam::{account}:role/cdk-${Qualifier}-lookup-role-{account}-{region}';
/** Where the decision script lands when the app's `npm ci` installs the package. */
const DECISION_SCRIPT = 'node_modules/cdk-securityhub-members/assets/plan-decision/index.js';
/** How long the auto-approver waits for the approval to start: it starts at the same time. */
const APPROVAL_POLL_ATTEMPTS = 60;

/**
 * A CDK Pipelines step that plans the Security Hub members a stage would change before the stage
 * deploys, and asks a person only when members would be removed, as `ConfirmPermissionsBroadening`
 * asks only when permissions broaden. Add it as a `pre` step of the stage that deploys the
 * administrator's stack: `pipeline.addStage(stage, { pre: [new SecurityHubMembersPlanStep('PlanMembers', { stage })] })`.
 *
 * It adds three actions. `<id>.Plan`, a CodeBuild action, runs `cdk-securityhub-members plan` on
 * the stage's nested assembly with the bootstrap lookup role of each stack's account and region,
 * prints the plan in the build log and decides: no change, or changes that remove no member,
 * approve; removals wait for a person (or fail the step with `failOnRemovals`); a plan that cannot
 * be made fails the step. Then, side by side, `<id>.Approve`, a manual approval whose summary
 * lists the accounts to be removed, and `<id>.AutoApprove`, a CodeBuild action that approves it
 * when the plan removed nothing and otherwise leaves it to a person.
 */
export class SecurityHubMembersPlanStep extends Step implements ICodePipelineActionFactory {
  private readonly props: SecurityHubMembersPlanStepProps;

  constructor(id: string, props: SecurityHubMembersPlanStepProps) {
    super(id);
    this.props = props;
    if (props.input) {
      this.addDependencyFileSet(primaryOutputOf(props.input));
    }
  }

  /** Adds the plan, the approval and the auto-approver to the pipeline stage. */
  produceAction(stage: cp.IStage, options: ProduceActionOptions): CodePipelineActionFactoryResult {
    const pipeline = options.pipeline.pipeline;
    const pipelineStack = Stack.of(pipeline);
    const { template, roleArns } = lookupRoles(this.props.stage, this.props.roleArnTemplate, pipelineStack.partition);
    const sourceFileSet = this.props.input ? primaryOutputOf(this.props.input) : synthInput(options.pipeline.synth, this.props.stage);
    const source = options.artifacts.toCodePipeline(sourceFileSet);
    const assembly = options.artifacts.toCodePipeline(options.pipeline.cloudAssemblyFileSet);
    const scope = new Construct(options.scope, `SecurityHubMembersPlan-${this.id}`);
    const encryptionKey = pipeline.artifactBucket.encryptionKey;
    const namespace = `SecurityHubMembersPlan-${Node.of(this.props.stage).addr}`;
    const approvalName = `${options.actionName}.Approve`;

    const planRole = buildRole(scope, 'Plan', pipeline.artifactBucket, encryptionKey);
    const planProject = new codebuild.PipelineProject(scope, 'Plan', {
      ...planRole.projectProps,
      description: `Plans the Security Hub members of stage ${this.props.stage.stageName} before it deploys`,
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        env: { 'exported-variables': ['DECISION', 'MESSAGE', 'REMOVALS', 'LINK'] },
        phases: {
          install: { 'runtime-versions': { nodejs: 20 }, 'commands': this.props.installCommands ?? ['npm ci'] },
          build: {
            commands: [
              `app="$CODEBUILD_SRC_DIR_${assembly.artifactName}/${this.props.stage.artifactId}"`,
              `template='${template}'`,
              'export LINK="$(node -pe \'const [, , , region, account, build] = process.env.CODEBUILD_BUILD_ARN.split(":"); const name = build.split("/")[1]; `https://${region}.console.aws.amazon.com/codesuite/codebuild/${account}/projects/${name}/build/${encodeURIComponent(process.env.CODEBUILD_BUILD_ID)}/?region=${region}`\')"',
              // The table for people, then the JSON the decision reads: `plan` prints one or the
              // other, and both only read.
              'npx cdk-securityhub-members plan --app "$app" --role-arn-template "$template" || true',
              'code=0; npx cdk-securityhub-members plan --app "$app" --role-arn-template "$template" --json > plan.json || code=$?',
              'cat plan.json',
              `node ${DECISION_SCRIPT} --exit-code "$code" --plan plan.json --exports-file decision.env --notification-file notification.txt${this.props.failOnRemovals ? ' --fail-on-removals' : ''}`,
              '. ./decision.env',
              ...(this.props.notificationTopic
                ? ['PIPELINE_NAME="${CODEBUILD_INITIATOR#codepipeline/}"', 'if [ "$DECISION" = wait ]; then printf "\\nThe plan: %s\\nThe approval (stage %s, action %s): https://%s.console.aws.amazon.com/codesuite/codepipeline/pipelines/%s/view\\n" "$LINK" "$STAGE_NAME" "$APPROVAL_NAME" "$AWS_REGION" "$PIPELINE_NAME" >> notification.txt; aws sns publish --topic-arn "$NOTIFICATION_ARN" --subject "$NOTIFICATION_SUBJECT" --message file://notification.txt; fi']
                : []),
            ],
          },
        },
      }),
    });
    // Only the lookup roles of the stage's own accounts and regions: read-only roles the CDK
    // bootstrap already made, so the target accounts need nothing new.
    planRole.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: roleArns }));
    this.props.notificationTopic?.grantPublish(planRole.role);

    // The approval is given by a second build that runs beside it, not by the plan's build: the
    // approval's token exists only once the approval has started, which is after the plan's action
    // ends. A build rather than aws-cdk-lib's approve Lambda (which ConfirmPermissionsBroadening
    // uses, from a private module) keeps both roles to what they use, and takes the decision from
    // the plan's exported variable, so this build never reads Security Hub.
    const approverRole = buildRole(scope, 'AutoApprove', pipeline.artifactBucket, encryptionKey);
    const approverProject = new codebuild.PipelineProject(scope, 'AutoApprove', {
      ...approverRole.projectProps,
      description: `Approves stage ${this.props.stage.stageName}'s Security Hub members change when it removes no member`,
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          build: {
            commands: [
              // The pipeline's own name in its action's variables would make the pipeline refer to itself.
              'PIPELINE_NAME="${CODEBUILD_INITIATOR#codepipeline/}"',
              // No `exit` in a buildspec command: CodeBuild runs them in one shell, and its end is not
              // a phase's end. Each command's status is its last one's.
              'echo "The plan decided: $DECISION"',
              `token=; if [ "$DECISION" = approve ]; then for attempt in $(seq ${APPROVAL_POLL_ATTEMPTS}); do set -- $(aws codepipeline get-pipeline-state --name "$PIPELINE_NAME" --query "stageStates[?stageName=='$STAGE_NAME'] | [0].actionStates[?actionName=='$APPROVAL_NAME'] | [0].latestExecution.[status, token]" --output text); if [ "$1" = InProgress ] && [ -n "$2" ] && [ "$2" != None ]; then token="$2"; break; fi; sleep 5; done; fi`,
              'if [ "$DECISION" = approve ] && [ -z "$token" ]; then echo "the approval $APPROVAL_NAME did not start: expected it to run beside this action" >&2; false; fi',
              'if [ "$DECISION" = approve ]; then aws codepipeline put-approval-result --pipeline-name "$PIPELINE_NAME" --stage-name "$STAGE_NAME" --action-name "$APPROVAL_NAME" --token "$token" --result "$(node -pe \'JSON.stringify({ status: "Approved", summary: process.env.MESSAGE.slice(0, 512) })\')"; else echo "Members would be removed ($REMOVALS): the approval waits for a person"; fi',
            ],
          },
        },
      }),
    });
    approverRole.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['codepipeline:GetPipelineState'], resources: [pipeline.pipelineArn] }));
    approverRole.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['codepipeline:PutApprovalResult'],
      resources: [`${pipeline.pipelineArn}/${stage.stageName}/${approvalName}`],
    }));

    const shared = {
      STAGE_NAME: { value: stage.stageName },
      APPROVAL_NAME: { value: approvalName },
    };
    stage.addAction(new cpa.CodeBuildAction({
      actionName: `${options.actionName}.Plan`,
      runOrder: options.runOrder,
      input: source,
      extraInputs: [assembly],
      project: planProject,
      variablesNamespace: namespace,
      environmentVariables: {
        ...shared,
        ...(this.props.notificationTopic
          ? {
            NOTIFICATION_ARN: { value: this.props.notificationTopic.topicArn },
            NOTIFICATION_SUBJECT: { value: `Security Hub members would be removed in ${this.props.stage.stageName}` },
          }
          : {}),
      },
    }));
    stage.addAction(new cpa.ManualApprovalAction({
      actionName: approvalName,
      runOrder: options.runOrder + 1,
      additionalInformation: `#{${namespace}.MESSAGE}`,
      externalEntityLink: `#{${namespace}.LINK}`,
    }));
    stage.addAction(new cpa.CodeBuildAction({
      actionName: `${options.actionName}.AutoApprove`,
      runOrder: options.runOrder + 1,
      input: source,
      project: approverProject,
      environmentVariables: {
        ...shared,
        DECISION: { value: `#{${namespace}.DECISION}` },
        MESSAGE: { value: `#{${namespace}.MESSAGE}` },
        REMOVALS: { value: `#{${namespace}.REMOVALS}` },
      },
    }));
    return { runOrdersConsumed: 2 };
  }
}

/**
 * A build's role with only what the build uses: write its own log group, read the pipeline's
 * artifacts (its inputs; it has no outputs), decrypt them. The project gets the role without
 * policy updates, so the report-group, log-group-wildcard and artifact-write grants CodeBuild
 * projects and actions add by default are left out; the caller adds what the build does.
 */
function buildRole(scope: Construct, id: string, bucket: s3.IBucket, key: kms.IKey | undefined) {
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_YEAR });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketAcl', 's3:GetBucketLocation'], resources: [bucket.bucketArn] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [bucket.arnForObjects('*')] }));
  if (key) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn] }));
  }
  const bucketResource = bucket.node.defaultChild;
  const objects = bucketResource instanceof CfnElement ? `<${Stack.of(bucketResource).getLogicalId(bucketResource)}.Arn>/*` : bucket.arnForObjects('*');
  acknowledge(role, `AwsSolutions-IAM5[Resource::${objects}]`, 'CodePipeline names the artifact objects at run time; the build reads only its input artifacts');
  return {
    role,
    projectProps: {
      role: role.withoutPolicyUpdates(),
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
      encryptionKey: key,
      logging: { cloudWatch: { logGroup } },
    } satisfies Partial<codebuild.PipelineProjectProps>,
  };
}

/** A producer's primary output: the files `npm ci` runs in. */
function primaryOutputOf(input: IFileSetProducer) {
  if (!input.primaryOutput) {
    throw new Error('the input of SecurityHubMembersPlanStep produces no files: expected a source or step with a primary output, the app\'s source');
  }
  return input.primaryOutput;
}

/** The synth step's primary input: the app's source, which `npm ci` installs from. */
function synthInput(synth: IFileSetProducer, stage: Stage) {
  const input = synth instanceof ShellStep ? synth.inputs.find((i) => i.directory === '.') : undefined;
  if (!input) {
    throw new Error(`no source for the plan of stage ${stage.stageName}: the pipeline's synth step has no primary input, expected the input prop`);
  }
  return input.fileSet;
}

/**
 * The role template `plan` gets, and the roles it will assume: one per account and region of the
 * stage's stacks. The qualifier comes from each stack's synthesizer, as `cdk diff` finds it.
 */
function lookupRoles(stage: Stage, override: string | undefined, partition: string): { template: string; roleArns: string[] } {
  const stacks = stage.node.findAll().filter((c): c is Stack => Stack.isStack(c) && Stage.of(c) === stage);
  if (stacks.length === 0) {
    throw new Error(`stage ${stage.stageName} has no stack: expected the stage that deploys the administrator's stack`);
  }
  const templates = new Set<string>();
  const environments = new Set<string>();
  for (const stack of stacks) {
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      throw new Error(`stack ${stack.stackName} of stage ${stage.stageName} has no explicit account and region: expected env on the stage or stack, the plan reads that account`);
    }
    environments.add(`${stack.account}/${stack.region}`);
    templates.add(override ?? stackTemplate(stack));
  }
  if (templates.size > 1) {
    throw new Error(`the stacks of stage ${stage.stageName} use different lookup roles (${[...templates].join(', ')}): expected one, or the roleArnTemplate prop`);
  }
  const template = [...templates][0].replace(/\$\{AWS::Partition\}/g, partition);
  const roleArns = [...environments].sort().map((env) => {
    const [account, region] = env.split('/');
    return template.replace(/\{account\}/g, account).replace(/\{region\}/g, region);
  });
  return { template, roleArns };
}

/** The lookup role of a stack's synthesizer, its account and region put back as placeholders. */
function stackTemplate(stack: Stack): string {
  const synthesizer = stack.synthesizer;
  const bound = synthesizer instanceof DefaultStackSynthesizer ? synthesizer.lookupRole : undefined;
  if (bound === undefined) {
    const qualifier = stack.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    return LOOKUP_ROLE_TEMPLATE.replace('${Qualifier}', qualifier);
  }
  return bound.split(stack.account).join('{account}').split(stack.region).join('{region}');
}
