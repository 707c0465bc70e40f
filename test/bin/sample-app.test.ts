import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildSampleApp, parseOrganizationAccounts } from '../../bin/sample-app';

const context = {
  administratorAccount: '999999999999',
  region: 'us-east-1',
  members: [{ accountId: '111111111111' }, { accountId: '333333333333' }],
};

describe('the sample app with organization accounts', () => {
  test('declares every member but gives only the invited ones an accepter stack', () => {
    const stacks = buildSampleApp(new App({ context: { ...context, organizationAccounts: ['333333333333'] } }));
    expect(stacks.map((s) => s.stackName)).toEqual(['SecurityHubAdministrator', 'SecurityHubMember-111111111111']);
    Template.fromStack(stacks[0]).hasResourceProperties('Custom::SecurityHubMembers', {
      Members: [{ AccountId: '111111111111' }, { AccountId: '333333333333' }],
    });
  });

  test('without organizationAccounts every member gets an accepter stack', () => {
    expect(buildSampleApp(new App({ context })).map((s) => s.stackName)).toEqual([
      'SecurityHubAdministrator', 'SecurityHubMember-111111111111', 'SecurityHubMember-333333333333',
    ]);
  });

  test.each([
    [['333333333333'], ['333333333333']],
    ['["333333333333","444444444444"]', ['333333333333', '444444444444']],
    ['333333333333, 444444444444', ['333333333333', '444444444444']],
    [undefined, []],
  ])('reads organizationAccounts %p from cdk.json or -c', (raw, expected) => {
    expect(parseOrganizationAccounts(raw)).toEqual(expected);
  });

  test('fails when organizationAccounts is not a list of account ids', () => {
    expect(() => parseOrganizationAccounts({ id: 1 })).toThrow('invalid organizationAccounts {"id":1}: expected a list of account ids');
  });
});
