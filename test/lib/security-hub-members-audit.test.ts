import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SecurityHubMembers, SecurityHubMembersAudit, SecurityHubMembersAuditProps } from '../../lib';
import { HANDLER_RUNTIME } from './cdk-version';

const ADMIN = '999999999999';
const REGION = 'us-east-1';

function adminStack(): { app: App; stack: Stack } {
  const app = new App();
  return { app, stack: new Stack(app, 'Admin', { env: { account: ADMIN, region: REGION } }) };
}

/** A stack with members in its own region and in two more, and an audit. */
function audited(props: SecurityHubMembersAuditProps = {}): { stack: Stack; audit: SecurityHubMembersAudit; template: Template } {
  const { stack } = adminStack();
  // The audit may come first: the members it watches are read when the stack is synthesized.
  const audit = new SecurityHubMembersAudit(stack, 'Audit', props);
  new SecurityHubMembers(stack, 'Members', { members: [{ accountId: '111111111111' }] });
  new SecurityHubMembers(stack, 'Global', { members: [{ accountId: '222222222222' }], regions: ['eu-west-1', REGION, 'ap-south-1'] });
  return { stack, audit, template: Template.fromStack(stack) };
}

function hubArnOf(region: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:securityhub:${region}:${ADMIN}:hub/default`]] };
}

/** The statements of the audit's own policy, Sid-less, as written. */
function auditStatements(template: Template): unknown[] {
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^AuditRole') }] } });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
}

const LOG_WRITE = {
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Effect: 'Allow',
  Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditLogs'), 'Arn'] },
};

function expectedStatements(hubActions: string[]): unknown[] {
  return [
    LOG_WRITE,
    { Action: hubActions, Effect: 'Allow', Resource: [hubArnOf(REGION), hubArnOf('eu-west-1'), hubArnOf('ap-south-1')] },
    { Action: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'], Effect: 'Allow', Resource: { Ref: 'AWS::StackId' } },
    {
      Action: 'events:PutEvents',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${REGION}:${ADMIN}:event-bus/default`]] },
    },
  ];
}

describe('SecurityHubMembersAudit', () => {
  test('runs its function on a rate schedule of one hour by default', () => {
    const { template } = audited();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditFunction'), 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditFunction'), 'Arn'] },
    });
  });

  test('takes the schedule given, in whole minutes', () => {
    audited({ schedule: Duration.minutes(15) }).template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(15 minutes)' });
    audited({ schedule: Duration.days(1) }).template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)' });
  });

  test('its function: reserved concurrency 1, the handlers\' runtime, arm64, JSON logs to its own log group with a retention', () => {
    const { template } = audited();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: HANDLER_RUNTIME,
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: 1,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^AuditLogs') } },
      Environment: { Variables: { AUDIT_STACK_ID: { Ref: 'AWS::StackId' }, AUDIT_STACK_NAME: 'Admin', AUDIT_REPAIR: 'false' } },
      Timeout: 300,
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
    const groups = template.findResources('AWS::Logs::LogGroup');
    const auditGroup = Object.entries(groups).find(([id]) => id.startsWith('AuditLogs'));
    expect(auditGroup?.[1].Properties).toEqual({ RetentionInDays: 90 });
  });

  test('its asset is the bundled audit function', () => {
    const { template } = audited();
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { AUDIT_STACK_NAME: 'Admin' } } } });
    expect(Object.keys(functions)).toHaveLength(1);
    const [fn] = Object.values(functions);
    expect(fn.Metadata?.['aws:asset:path'] ?? fn.Properties.Code.S3Key).toBeDefined();
  });

  test('IAM without repair: exactly the reads on each managed region\'s hub, its own stack, and PutEvents on the default bus', () => {
    const { template } = audited();
    // The exact statements: arrays match exactly, and there are no others.
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^AuditRole') }],
      PolicyDocument: { Statement: expectedStatements(['securityhub:DescribeHub', 'securityhub:GetMembers', 'securityhub:ListMembers']).slice(1) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^AuditRole') }],
      PolicyDocument: { Statement: [LOG_WRITE] },
    });
    expect(auditStatements(template)).toHaveLength(4);
  });

  test('IAM with repair: CreateMembers and InviteMembers too, and nothing that removes', () => {
    const { template } = audited({ repair: true });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^AuditRole') }],
      PolicyDocument: {
        Statement: expectedStatements(['securityhub:DescribeHub', 'securityhub:GetMembers', 'securityhub:ListMembers', 'securityhub:CreateMembers', 'securityhub:InviteMembers']).slice(1),
      },
    });
    expect(auditStatements(template)).toHaveLength(4);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ AUDIT_REPAIR: 'true' }) } });
    const actions = auditStatements(template).flatMap((s) => [(s as { Action: string | string[] }).Action].flat());
    expect(actions.filter((a) => /Disassociate|Delete/.test(a))).toEqual([]);
  });

  test('the role has no managed policy', () => {
    const { template } = audited();
    const roles = template.findResources('AWS::IAM::Role');
    const auditRole = Object.entries(roles).find(([id]) => id.startsWith('AuditRole'));
    expect(auditRole?.[1].Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('the drift alarm: DriftedMembers at least 1 in one period, missing data not breaching', () => {
    const { template } = audited({ schedule: Duration.minutes(30) });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'SecurityHubMembers',
      MetricName: 'DriftedMembers',
      Dimensions: [{ Name: 'Stack', Value: 'Admin' }],
      Statistic: 'Maximum',
      Period: 1800,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  test('the failure alarm: AuditSucceeded below 1 for two periods, missing data breaching', () => {
    const { template } = audited({ schedule: Duration.minutes(30) });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'SecurityHubMembers',
      MetricName: 'AuditSucceeded',
      Dimensions: [{ Name: 'Stack', Value: 'Admin' }],
      Statistic: 'Maximum',
      Period: 1800,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
    });
    // No action by default: routing is the user's choice.
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
  });

  test('the failure alarm evaluates one period when two would exceed the day CloudWatch allows', () => {
    const { template } = audited({ schedule: Duration.hours(13) });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'AuditSucceeded', Period: 46800, EvaluationPeriods: 1, DatapointsToAlarm: 1 });
  });

  test('the metrics: namespace SecurityHubMembers, dimension Stack, statistic Maximum, period the schedule, options applied', () => {
    const { audit } = audited({ schedule: Duration.minutes(10) });
    const metrics: [cloudwatch.Metric, string][] = [
      [audit.metricDeclaredMembers(), 'DeclaredMembers'],
      [audit.metricDriftedMembers(), 'DriftedMembers'],
      [audit.metricPendingMembers(), 'PendingMembers'],
      [audit.metricUndeclaredMembers(), 'UndeclaredMembers'],
    ];
    for (const [metric, name] of metrics) {
      expect(metric.namespace).toBe('SecurityHubMembers');
      expect(metric.metricName).toBe(name);
      expect(metric.dimensions).toEqual({ Stack: 'Admin' });
      expect(metric.statistic).toBe('Maximum');
      expect(metric.period.toSeconds()).toBe(600);
    }
    const custom = audit.metricDriftedMembers({ statistic: 'Average', period: Duration.hours(1), label: 'drift' });
    expect([custom.statistic, custom.period.toSeconds(), custom.label]).toEqual(['Average', 3600, 'drift']);
  });

  test('the alarms use those metrics', () => {
    const { audit } = audited();
    expect(audit.driftAlarm.metric).toBeDefined();
    expect((audit.driftAlarm.metric as cloudwatch.Metric).metricName).toBe('DriftedMembers');
    expect((audit.failureAlarm.metric as cloudwatch.Metric).metricName).toBe('AuditSucceeded');
  });

  describe('synth errors', () => {
    test('a stack with no SecurityHubMembers', () => {
      const { app, stack } = adminStack();
      new SecurityHubMembersAudit(stack, 'Audit');
      expect(() => app.synth()).toThrow(/SecurityHubMembersAudit Admin\/Audit: stack Admin has no SecurityHubMembers: expected the audit in the stack that declares the members it watches/);
    });

    test('two audits in one stack', () => {
      const { stack } = adminStack();
      new SecurityHubMembersAudit(stack, 'Audit');
      expect(() => new SecurityHubMembersAudit(stack, 'Again')).toThrow(
        'SecurityHubMembersAudit Admin/Again: a second SecurityHubMembersAudit in stack Admin, beside Admin/Audit: expected one per stack, each audits every SecurityHubMembers of its stack');
    });

    test.each([
      [Duration.minutes(4), 'invalid schedule 4 minutes (240 seconds): expected whole minutes from 5 minutes to 1 day'],
      [Duration.hours(25), 'invalid schedule 1 day 1 hour (90000 seconds): expected whole minutes from 5 minutes to 1 day'],
      [Duration.seconds(330), 'invalid schedule 5 minutes 30 seconds (330 seconds): expected whole minutes from 5 minutes to 1 day'],
    ])('a schedule of %s', (schedule, message) => {
      const { stack } = adminStack();
      new SecurityHubMembers(stack, 'Members', { members: [{ accountId: '111111111111' }] });
      expect(() => new SecurityHubMembersAudit(stack, 'Audit', { schedule })).toThrow(`SecurityHubMembersAudit Admin/Audit: ${message}`);
    });

    test('the bounds themselves are accepted', () => {
      expect(() => audited({ schedule: Duration.minutes(5) })).not.toThrow();
      expect(() => audited({ schedule: Duration.days(1) })).not.toThrow();
    });
  });
});
