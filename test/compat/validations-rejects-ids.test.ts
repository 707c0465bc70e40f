/**
 * aws-cdk-lib versions between the floor and 2.269 have `Validations` but reject rule ids that
 * carry `::` inside a finding's brackets (InvalidValidationId), which every IAM5 finding id does.
 * The constructs must still synthesize there, with their findings acknowledged for cdk-nag 3
 * (which reads Validations' metadata) and cdk-nag 2 (which reads `cdk_nag` template metadata).
 * Only the latest aws-cdk-lib has a `Validations` to make reject the ids, so this runs there only.
 */
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SecurityHubMembers } from '../../lib';

describe('an aws-cdk-lib whose Validations rejects finding ids', () => {
  let stack: Stack;
  let root: App;

  beforeAll(() => {
    const original = Validations.prototype.acknowledge;
    const acknowledge = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (this: Validations, ...rules) {
      if (rules.some((rule) => /\[.*::.*\]/.test(rule.id))) {
        throw new Error(`Invalid validation rule ID '${rules[0].id}'`);
      }
      original.apply(this, rules);
    });
    root = new App();
    stack = new Stack(root, 'Admin', { env: { account: '999999999999', region: 'us-east-1' } });
    new SecurityHubMembers(stack, 'Members', { members: [{ accountId: '111111111111' }] });
    acknowledge.mockRestore();
  });

  test('still synthesizes, and cdk-nag 3 finds nothing unacknowledged', () => {
    expect(Template.fromStack(stack).resourceCountIs('Custom::SecurityHubMembers', 1)).toBeUndefined();
    expect(new AwsSolutionsChecks(root).validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
  });

  test('writes the suppressions cdk-nag 2 reads into the template, the finding as applies_to', () => {
    const policy = stack.node.findChild('Members').node.findChild('Policy').node.defaultChild as CfnResource;
    expect(policy.getMetadata('cdk_nag')).toEqual({
      rules_to_suppress: [{
        id: 'AwsSolutions-IAM5',
        reason: expect.stringContaining('member actions'),
        applies_to: ['Resource::arn:<AWS::Partition>:securityhub:*:999999999999:hub/default'],
      }],
    });
  });
});
