import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SecurityHubInvitationAccepter, SecurityHubMembers } from '../../lib';

/** Every IAM statement of the template with a CloudFormation action. */
function cloudFormationStatements(template: Template): { Action: string | string[]; Resource: unknown; Effect: string }[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown; Effect: string }[])
    .filter((s) => [s.Action].flat().some((a) => a.startsWith('cloudformation:')));
}

describe('the handlers\' reads of their own stack', () => {
  test('the members handler may only DescribeStacks and GetTemplate, only on its own stack, once however many instances', () => {
    const stack = new Stack(new App(), 'Admin', { env: { account: '999999999999', region: 'us-east-1' } });
    new SecurityHubMembers(stack, 'Members', { members: [{ accountId: '111111111111' }] });
    new SecurityHubMembers(stack, 'More', { members: [{ accountId: '222222222222' }] });
    expect(cloudFormationStatements(Template.fromStack(stack))).toEqual([{
      Effect: 'Allow',
      Action: ['cloudformation:DescribeStacks', 'cloudformation:GetTemplate'],
      Resource: { Ref: 'AWS::StackId' },
    }]);
  });

  test('the accepter handler reads no stack', () => {
    const stack = new Stack(new App(), 'Member', { env: { account: '111111111111', region: 'us-east-1' } });
    new SecurityHubInvitationAccepter(stack, 'Accept', { administratorAccountId: '999999999999' });
    expect(cloudFormationStatements(Template.fromStack(stack))).toEqual([]);
  });
});
