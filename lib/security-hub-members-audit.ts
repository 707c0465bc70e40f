import * as path from 'path';
import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { nodeRuntime } from './private/compat';
import { hubArn, STACK_READ_ACTIONS } from './private/handler-provider';
import {
  AUDIT_METRIC_DIMENSION,
  AUDIT_METRIC_NAMESPACE,
  METRIC_AUDIT_SUCCEEDED,
  METRIC_DECLARED_MEMBERS,
  METRIC_DRIFTED_MEMBERS,
  METRIC_PENDING_MEMBERS,
  METRIC_UNDECLARED_MEMBERS,
} from './shared/contract';
import { SecurityHubMembers } from './security-hub-members';

/** Properties of {@link SecurityHubMembersAudit}. */
export interface SecurityHubMembersAuditProps {
  /**
   * How often the audit runs, in whole minutes, from 5 minutes to 1 day. It is also the period of
   * the metrics and alarms.
   * @default Duration.hours(1)
   */
  readonly schedule?: Duration;
  /**
   * Whether each run re-adds the declared accounts that left (of resources with `invite: true`),
   * as a deploy with `reconcileOnEveryDeploy` does: deleted accounts are created and invited
   * again, Removed and Resigned ones invited again. It never removes anything and never touches an
   * account nobody declared. Off by default: a member that left on purpose would be invited again
   * every period until the declaration changes.
   * @default false
   */
  readonly repair?: boolean;
}

/** CloudWatch evaluates an alarm over at most one day (evaluation periods times period). */
const MAX_ALARM_WINDOW_SECONDS = 86_400;
const MIN_SCHEDULE_MINUTES = 5;
const MAX_SCHEDULE_MINUTES = 24 * 60;

/** Stack -> path of its audit. */
const audits = new WeakMap<Stack, string>();

/**
 * A scheduled audit of the `SecurityHubMembers` of its stack (in the administrator's account): at
 * each run a function compares Security Hub with what the deployed stack declares, publishes the
 * metrics `DeclaredMembers`, `DriftedMembers`, `PendingMembers`, `UndeclaredMembers` and
 * `AuditSucceeded` (namespace `SecurityHubMembers`, dimension `Stack`), puts an EventBridge event
 * (source `cdk-securityhub-members`, detail-type `Security Hub Members Drift`) when a declared
 * member is out of sync, and with `repair` brings such members back. `driftAlarm` and
 * `failureAlarm` have no action: add one, for instance an SNS topic's.
 */
export class SecurityHubMembersAudit extends Construct {
  /** In ALARM when a declared member is out of sync (DriftedMembers at least 1 in one period). */
  readonly driftAlarm: cloudwatch.Alarm;
  /**
   * In ALARM when the audit did not complete (AuditSucceeded below 1, or absent) for two periods in
   * a row, or one period when the schedule is longer than 12 hours (CloudWatch evaluates at most
   * one day): the function failed, lacks a permission, or stopped being scheduled.
   */
  readonly failureAlarm: cloudwatch.Alarm;
  /** The audit function. */
  readonly auditFunction: lambda.IFunction;

  private readonly period: Duration;
  private readonly stackName: string;

  constructor(scope: Construct, id: string, props: SecurityHubMembersAuditProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const schedule = props.schedule ?? Duration.hours(1);
    this.validate(stack, schedule);
    this.period = schedule;
    this.stackName = stack.stackName;
    const repair = props.repair ?? false;

    // Whether there is anything to audit is known only once the whole stack is built.
    this.node.addValidation({
      validate: () => membersOf(stack).length === 0
        ? [`SecurityHubMembersAudit ${this.node.path}: stack ${stack.stackName} has no SecurityHubMembers: expected the audit in the stack that declares the members it watches`]
        : [],
    });

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS });
    // An explicit role with inline statements only: no AWS managed policy (cdk-nag AwsSolutions-IAM4).
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the scheduled Security Hub members audit of cdk-securityhub-members',
    });
    logGroup.grantWrite(role);
    const hubActions = ['securityhub:DescribeHub', 'securityhub:GetMembers', 'securityhub:ListMembers', ...(repair ? ['securityhub:CreateMembers', 'securityhub:InviteMembers'] : [])];
    const policy = new iam.Policy(this, 'Policy', {
      statements: [
        // The hub of each region a SecurityHubMembers of the stack manages, read when the stack is
        // synthesized: a SecurityHubMembers added after the audit counts too.
        new iam.PolicyStatement({
          actions: hubActions,
          resources: Lazy.list({ produce: () => [...new Set(membersOf(stack).flatMap((m) => m._regions))].map((region) => hubArn(this, region)) }),
        }),
        // Only its own stack: the audit never reads another stack's template.
        new iam.PolicyStatement({ actions: STACK_READ_ACTIONS, resources: [stack.stackId] }),
        new iam.PolicyStatement({
          actions: ['events:PutEvents'],
          resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
        }),
      ],
    });
    policy.attachToRole(role);

    const fn = new lambda.Function(this, 'Function', {
      description: 'Scheduled Security Hub members audit of cdk-securityhub-members',
      code: lambda.Code.fromAsset(path.join(__dirname, '..', 'assets', 'audit-handler')),
      handler: 'index.handler',
      runtime: nodeRuntime(),
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // 24 regions of 1,000 members take well under a minute; the rest is room for throttling.
      // Never longer than the shortest schedule, so runs cannot pile up behind each other.
      timeout: Duration.minutes(MIN_SCHEDULE_MINUTES),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // Two runs at once would report and repair the same drift twice.
      reservedConcurrentExecutions: 1,
      // A failed run is retried by the next scheduled one; the failure alarm counts the misses.
      retryAttempts: 0,
      environment: {
        AUDIT_STACK_ID: stack.stackId,
        AUDIT_STACK_NAME: stack.stackName,
        AUDIT_REPAIR: String(repair),
      },
    });
    fn.node.addDependency(policy);
    this.auditFunction = fn;

    new events.Rule(this, 'Schedule', {
      description: `Runs the Security Hub members audit of stack ${stack.stackName} every ${schedule.toHumanString()}`,
      schedule: events.Schedule.rate(schedule),
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 0 })],
    });

    this.driftAlarm = new cloudwatch.Alarm(this, 'DriftAlarm', {
      alarmDescription: `A Security Hub member declared in stack ${stack.stackName} is out of sync (left its administrator, removed, or deleted outside CloudFormation)`,
      metric: this.metricDriftedMembers(),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const failurePeriods = schedule.toSeconds() * 2 <= MAX_ALARM_WINDOW_SECONDS ? 2 : 1;
    this.failureAlarm = new cloudwatch.Alarm(this, 'FailureAlarm', {
      alarmDescription: `The Security Hub members audit of stack ${stack.stackName} did not complete: it failed, lacks a permission, or is no longer scheduled`,
      metric: this.metric(METRIC_AUDIT_SUCCEEDED),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: failurePeriods,
      datapointsToAlarm: failurePeriods,
      // No data means no run completed: that is the failure this alarm is for.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }

  /**
   * Declared account-region pairs, summed over the stack's SecurityHubMembers.
   * @default - statistic Maximum, period the schedule
   */
  metricDeclaredMembers(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC_DECLARED_MEMBERS, props);
  }

  /**
   * Declared account-region pairs out of sync: not a member, Removed, Resigned, Deleted or
   * AccountSuspended where invited (invite true), not a member where not (invite false).
   * @default - statistic Maximum, period the schedule
   */
  metricDriftedMembers(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC_DRIFTED_MEMBERS, props);
  }

  /**
   * Declared account-region pairs invited and not yet Enabled.
   * @default - statistic Maximum, period the schedule
   */
  metricPendingMembers(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC_PENDING_MEMBERS, props);
  }

  /**
   * Members of the administrator's hubs, in the regions audited, that no SecurityHubMembers of the
   * stack declares (never drift, never repaired).
   * @default - statistic Maximum, period the schedule
   */
  metricUndeclaredMembers(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(METRIC_UNDECLARED_MEMBERS, props);
  }

  private metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: AUDIT_METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { [AUDIT_METRIC_DIMENSION]: this.stackName },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: this.period,
      ...props,
    });
  }

  private validate(stack: Stack, schedule: Duration): void {
    const problems: string[] = [];
    if (schedule.isUnresolved()) {
      problems.push(`schedule ${schedule.toString()} is a token: expected a literal duration, whole minutes from ${MIN_SCHEDULE_MINUTES} minutes to 1 day`);
    } else {
      const seconds = schedule.toSeconds({ integral: false });
      if (seconds % 60 !== 0 || seconds < MIN_SCHEDULE_MINUTES * 60 || seconds > MAX_SCHEDULE_MINUTES * 60) {
        problems.push(`invalid schedule ${schedule.toHumanString()} (${seconds} seconds): expected whole minutes from ${MIN_SCHEDULE_MINUTES} minutes to 1 day`);
      }
    }
    const other = audits.get(stack);
    if (other !== undefined && other !== this.node.path) {
      problems.push(`a second SecurityHubMembersAudit in stack ${stack.stackName}, beside ${other}: expected one per stack, each audits every SecurityHubMembers of its stack`);
    } else {
      audits.set(stack, this.node.path);
    }
    if (problems.length > 0) {
      throw new Error(`SecurityHubMembersAudit ${this.node.path}: ${problems.join('; ')}`);
    }
  }
}

/** The `SecurityHubMembers` of `stack` itself (not of a nested stack), read when the app is synthesized. */
function membersOf(stack: Stack): SecurityHubMembers[] {
  return stack.node.findAll().filter((c): c is SecurityHubMembers => c instanceof SecurityHubMembers && Stack.of(c) === stack);
}
