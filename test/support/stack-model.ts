/**
 * The handler's own stack as CloudFormation answers DescribeStacks and GetTemplate, for the
 * handler's unit tests: a status, parameter values and a template, changed by each test.
 */
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/** What the stack reports. */
export interface StackModel {
  status: string;
  parameters: Record<string, string>;
  template: unknown;
  /** DescribeStacks' CreationTime. @default new Date(0) */
  creationTime?: Date;
  /** DescribeStacks' LastUpdatedTime; absent before the first update. */
  lastUpdatedTime?: Date;
}

/** A stack being updated whose template declares no other SecurityHubMembers. */
export function emptyStack(): StackModel {
  return { status: 'UPDATE_IN_PROGRESS', parameters: {}, template: { Resources: {} } };
}

/** Answers both reads from `current()`; any other CloudFormation call fails the test. */
export function wireStack(cfn: AwsClientStub<CloudFormationClient>, current: () => StackModel): void {
  cfn.reset();
  cfn.onAnyCommand().rejects(new Error('unexpected CloudFormation command'));
  cfn.on(DescribeStacksCommand).callsFake(({ StackName }: { StackName: string }) => ({
    Stacks: [{
      StackId: StackName,
      StackName: StackName.split('/')[1],
      StackStatus: current().status,
      CreationTime: current().creationTime ?? new Date(0),
      ...(current().lastUpdatedTime ? { LastUpdatedTime: current().lastUpdatedTime } : {}),
      Parameters: Object.entries(current().parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
    }],
  }));
  cfn.on(GetTemplateCommand).callsFake(() => ({ TemplateBody: JSON.stringify(current().template) }));
}

/** A `Custom::SecurityHubMembers` template resource declaring `accountIds`. */
export function membersResource(accountIds: readonly unknown[], extra: Record<string, unknown> = {}, resourceExtra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Type: 'Custom::SecurityHubMembers',
    Properties: { ServiceToken: { 'Fn::GetAtt': ['ProviderframeworkonEvent', 'Arn'] }, Members: accountIds.map((AccountId) => ({ AccountId })), ...extra },
    UpdateReplacePolicy: 'Delete',
    DeletionPolicy: 'Delete',
    ...resourceExtra,
  };
}
