import { App, CfnParameter, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SecurityHubMembers } from '../../lib';

const members = [{ accountId: '111111111111' }, { accountId: '222222222222' }];

function newStack(): Stack {
  return new Stack(new App(), 'Admin', { env: { account: '999999999999', region: 'us-east-1' } });
}

describe('maxRemovalsPerDeploy', () => {
  test('is the MaxRemovalsPerDeploy property when set', () => {
    const stack = newStack();
    new SecurityHubMembers(stack, 'Members', { members, maxRemovalsPerDeploy: 300 });
    Template.fromStack(stack).hasResourceProperties('Custom::SecurityHubMembers', { MaxRemovalsPerDeploy: 300 });
  });

  test('is absent when not set, so upgrading the library sends deployed resources no Update (the handler defaults to 10)', () => {
    const stack = newStack();
    new SecurityHubMembers(stack, 'Members', { members });
    Template.fromStack(stack).hasResourceProperties('Custom::SecurityHubMembers', { MaxRemovalsPerDeploy: Match.absent() });
  });

  test('0 is allowed: it refuses every removal by Update', () => {
    const stack = newStack();
    new SecurityHubMembers(stack, 'Members', { members, maxRemovalsPerDeploy: 0 });
    Template.fromStack(stack).hasResourceProperties('Custom::SecurityHubMembers', { MaxRemovalsPerDeploy: 0 });
  });

  test.each([-1, 2.5])('synth refuses %p, naming the value', (value) => {
    expect(() => new SecurityHubMembers(newStack(), 'Members', { members, maxRemovalsPerDeploy: value }))
      .toThrow(`SecurityHubMembers Admin/Members: invalid maxRemovalsPerDeploy ${value}: expected a whole number of removals, 0 or more`);
  });

  test('a token is passed through for the handler to check', () => {
    const stack = newStack();
    const limit = new CfnParameter(stack, 'Limit', { type: 'Number' });
    new SecurityHubMembers(stack, 'Members', { members, maxRemovalsPerDeploy: limit.valueAsNumber });
    expect(Token.isUnresolved(limit.valueAsNumber)).toBe(true);
    Template.fromStack(stack).hasResourceProperties('Custom::SecurityHubMembers', { MaxRemovalsPerDeploy: { Ref: 'Limit' } });
  });
});
