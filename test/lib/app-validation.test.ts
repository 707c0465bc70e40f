import { App, Aws, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { MemberAccount, SecurityHubInvitationAccepter, SecurityHubMembers } from '../../lib';

const ADMIN = '999999999999';
const OTHER_ADMIN = '888888888888';

function ids(count: number, from: number): MemberAccount[] {
  return Array.from({ length: count }, (_, i) => ({ accountId: String(from + i) }));
}

function adminStack(app: App, id: string, account = ADMIN, region = 'us-east-1'): Stack {
  return new Stack(app, id, { env: { account, region } });
}

describe('validation across the app', () => {
  test('fails when two stacks of one administrator and region declare the same account, naming both paths', () => {
    const app = new App();
    new SecurityHubMembers(adminStack(app, 'AdminA'), 'Members', { members: [{ accountId: '111111111111' }, { accountId: '222222222222' }] });
    expect(() => new SecurityHubMembers(adminStack(app, 'AdminB'), 'Members', { members: [{ accountId: '222222222222' }, { accountId: '333333333333' }] }))
      .toThrow('SecurityHubMembers AdminB/Members: account id "222222222222" is already declared by AdminA/Members in region us-east-1: '
        + 'expected each account in one SecurityHubMembers per administrator account and region, in any stack of the app');
  });

  test('fails when a second stack manages a region the first declares through regions', () => {
    const app = new App();
    new SecurityHubMembers(adminStack(app, 'AdminA'), 'Members', { members: ids(1, 111111111111), regions: ['us-east-1', 'eu-west-1'] });
    expect(() => new SecurityHubMembers(adminStack(app, 'AdminB', ADMIN, 'eu-west-1'), 'Members', { members: ids(1, 111111111111) }))
      .toThrow('account id "111111111111" is already declared by AdminA/Members in region eu-west-1');
  });

  test('allows the same account for two administrators, or in two regions of one administrator', () => {
    const app = new App();
    new SecurityHubMembers(adminStack(app, 'AdminA'), 'Members', { members: ids(2, 111111111111) });
    new SecurityHubMembers(adminStack(app, 'OtherAdmin', OTHER_ADMIN), 'Members', { members: ids(2, 111111111111) });
    const west = adminStack(app, 'West', ADMIN, 'us-west-2');
    new SecurityHubMembers(west, 'Members', { members: ids(2, 111111111111) });
    Template.fromStack(west).resourceCountIs('Custom::SecurityHubMembers', 1);
  });

  test('allows the same account in environment-agnostic stacks, whose account and region are unknown', () => {
    const app = new App();
    new SecurityHubMembers(new Stack(app, 'AgnosticA'), 'Members', { members: ids(2, 111111111111) });
    const b = new Stack(app, 'AgnosticB');
    new SecurityHubMembers(b, 'Members', { members: ids(2, 111111111111) });
    Template.fromStack(b).resourceCountIs('Custom::SecurityHubMembers', 1);
  });

  test('fails when two instances of one environment-agnostic stack declare the same account', () => {
    const stack = new Stack(new App(), 'Agnostic');
    new SecurityHubMembers(stack, 'First', { members: ids(1, 111111111111) });
    expect(() => new SecurityHubMembers(stack, 'Second', { members: ids(1, 111111111111) }))
      .toThrow('SecurityHubMembers Agnostic/Second: account id "111111111111" is already declared by Agnostic/First in the stack\'s region');
  });

  test('fails when two stacks of one administrator and region declare 1,200 accounts together', () => {
    const app = new App();
    new SecurityHubMembers(adminStack(app, 'AdminA'), 'Members', { members: ids(600, 100000000000) });
    expect(() => new SecurityHubMembers(adminStack(app, 'AdminB'), 'Members', { members: ids(600, 200000000000) }))
      .toThrow('SecurityHubMembers AdminB/Members: too many members for administrator 999999999999 in region us-east-1 (1200, with AdminA/Members): '
        + 'expected at most 1000 across the app');
  });

  test('fails when two instances of one stack declare 1,200 accounts together', () => {
    const stack = adminStack(new App(), 'Admin');
    new SecurityHubMembers(stack, 'First', { members: ids(600, 100000000000) });
    expect(() => new SecurityHubMembers(stack, 'Second', { members: ids(600, 200000000000) }))
      .toThrow('too many members for administrator 999999999999 in region us-east-1 (1200, with Admin/First)');
  });

  test('allows 1,000 accounts across two stacks', () => {
    const app = new App();
    new SecurityHubMembers(adminStack(app, 'AdminA'), 'Members', { members: ids(500, 100000000000) });
    const b = adminStack(app, 'AdminB');
    new SecurityHubMembers(b, 'Members', { members: ids(500, 200000000000) });
    Template.fromStack(b).resourceCountIs('Custom::SecurityHubMembers', 1);
  });

  describe('accepters', () => {
    function memberStack(app: App, account = '111111111111', region = 'eu-west-1'): Stack {
      return new Stack(app, `Member${account}${region}`, { env: { account, region } });
    }

    test('warns about an accepter that no SecurityHubMembers of the app invites', () => {
      const app = new App();
      new SecurityHubMembers(adminStack(app, 'Admin', ADMIN, 'eu-west-1'), 'Members', { members: ids(1, 222222222222) });
      const member = memberStack(app);
      new SecurityHubInvitationAccepter(member, 'Accept', { administratorAccountId: ADMIN });
      Annotations.fromStack(member).hasWarning('/Member111111111111eu-west-1/Accept', Match.stringLikeRegexp(
        '^no SecurityHubMembers of this app declares account 111111111111 for administrator 999999999999 in region eu-west-1: '
        + 'expected one that does, unless the administrator\'s stack is in another app; without an invitation the deploy fails with "no invitation"'));
    });

    test('warns about an accepter in a region the administrator does not manage, even when declared after it', () => {
      const app = new App();
      const member = memberStack(app, '111111111111', 'eu-central-1');
      new SecurityHubInvitationAccepter(member, 'Accept', { administratorAccountId: ADMIN });
      new SecurityHubMembers(adminStack(app, 'Admin', ADMIN, 'eu-west-1'), 'Members', { members: ids(1, 111111111111) });
      Annotations.fromStack(member).hasWarning('*', Match.stringLikeRegexp('in region eu-central-1: expected one that does'));
    });

    test('does not warn when the administrator of the app invites the accepter, in any stack order', () => {
      const app = new App();
      const member = memberStack(app);
      new SecurityHubInvitationAccepter(member, 'Accept', { administratorAccountId: ADMIN });
      new SecurityHubMembers(adminStack(app, 'Admin', ADMIN, 'us-east-1'), 'Members', { members: ids(1, 111111111111), regions: ['us-east-1', 'eu-west-1'] });
      Annotations.fromStack(member).hasNoWarning('*', Match.anyValue());
    });

    test('does not warn when an environment-agnostic administrator stack may invite it', () => {
      const app = new App();
      new SecurityHubMembers(new Stack(app, 'Agnostic'), 'Members', { members: ids(1, 111111111111) });
      const member = memberStack(app);
      new SecurityHubInvitationAccepter(member, 'Accept', { administratorAccountId: ADMIN });
      Annotations.fromStack(member).hasNoWarning('*', Match.anyValue());
    });

    test('does not warn about an accepter in an environment-agnostic stack', () => {
      const app = new App();
      const member = new Stack(app, 'Member');
      new SecurityHubInvitationAccepter(member, 'Accept', { administratorAccountId: ADMIN });
      Annotations.fromStack(member).hasNoWarning('*', Match.anyValue());
    });

    test('warns once per accepter, however many accepters the app holds', () => {
      const app = new App();
      const first = memberStack(app, '111111111111');
      const second = memberStack(app, '222222222222');
      new SecurityHubInvitationAccepter(first, 'Accept', { administratorAccountId: ADMIN });
      new SecurityHubInvitationAccepter(second, 'Accept', { administratorAccountId: ADMIN });
      expect(Annotations.fromStack(first).findWarning('*', Match.stringLikeRegexp('no SecurityHubMembers'))).toHaveLength(1);
      expect(Annotations.fromStack(second).findWarning('*', Match.stringLikeRegexp('no SecurityHubMembers'))).toHaveLength(1);
    });
  });

  describe('regions', () => {
    test('warns about a well-formed region aws-cdk-lib does not know, naming the closest known one', () => {
      const stack = adminStack(new App(), 'Admin');
      new SecurityHubMembers(stack, 'Members', { members: ids(1, 111111111111), regions: ['us-east-1', 'eu-wset-1'] });
      Annotations.fromStack(stack).hasWarning('/Admin/Members', Match.stringLikeRegexp(
        '^unknown region "eu-wset-1": expected a region aws-cdk-lib knows, such as "eu-west-1" \\(the closest\\)'));
      Annotations.fromStack(stack).hasNoWarning('/Admin/Members', Match.stringLikeRegexp('"us-east-1"'));
    });

    test('warns about eu-west-7, naming a close known region', () => {
      const stack = adminStack(new App(), 'Admin');
      new SecurityHubMembers(stack, 'Members', { members: ids(1, 111111111111), regions: ['eu-west-7'] });
      Annotations.fromStack(stack).hasWarning('/Admin/Members', Match.stringLikeRegexp('^unknown region "eu-west-7": .* such as "eu-west-1"'));
    });

    test('warns about an unknown stack region of an accepter', () => {
      const stack = new Stack(new App(), 'Member', { env: { account: '111111111111', region: 'eu-wset-1' } });
      new SecurityHubInvitationAccepter(stack, 'Accept', { administratorAccountId: ADMIN });
      Annotations.fromStack(stack).hasWarning('/Member/Accept', Match.stringLikeRegexp('^unknown region "eu-wset-1": .* such as "eu-west-1"'));
    });

    test('does not warn about a token region', () => {
      const stack = new Stack(new App(), 'Admin');
      new SecurityHubMembers(stack, 'Members', { members: ids(1, 111111111111), regions: [Aws.REGION] });
      Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('unknown region'));
    });

    test('fails when a region is malformed, as before', () => {
      const stack = adminStack(new App(), 'Admin');
      expect(() => new SecurityHubMembers(stack, 'Members', { members: ids(1, 111111111111), regions: ['EU-WEST-1'] }))
        .toThrow('invalid region "EU-WEST-1": expected a region name such as "us-east-1"');
    });
  });

  describe('member objects', () => {
    test('fails when a member has an unknown key, naming it and the keys expected', () => {
      const members = JSON.parse('[{"accountId": "111111111111", "emial": "ops@example.com"}]') as MemberAccount[];
      expect(() => new SecurityHubMembers(adminStack(new App(), 'Admin'), 'Members', { members }))
        .toThrow('SecurityHubMembers Admin/Members: unknown key "emial" for account "111111111111": expected only "accountId" and an optional "email"');
    });

    test('fails when accountId is misspelt, naming the key rather than an undefined id', () => {
      const members = JSON.parse('[{"acountId": "111111111111"}]') as MemberAccount[];
      expect(() => new SecurityHubMembers(adminStack(new App(), 'Admin'), 'Members', { members }))
        .toThrow(/^SecurityHubMembers Admin\/Members: unknown key "acountId" for member 1: expected only "accountId" and an optional "email"$/);
    });

    test('fails when an account id is a number, saying a string was expected', () => {
      const members = JSON.parse('[{"accountId": 111111111111}]') as MemberAccount[];
      expect(() => new SecurityHubMembers(adminStack(new App(), 'Admin'), 'Members', { members }))
        .toThrow('SecurityHubMembers Admin/Members: invalid account id 111111111111: expected a string of 12 digits, got a number');
    });

    test('fails when an email is a number, saying a string was expected', () => {
      const members = JSON.parse('[{"accountId": "111111111111", "email": 5}]') as MemberAccount[];
      expect(() => new SecurityHubMembers(adminStack(new App(), 'Admin'), 'Members', { members }))
        .toThrow('invalid email for account "111111111111": expected a string, got a number');
    });

    test('fails when a member is a bare account id rather than an object', () => {
      const members = JSON.parse('["111111111111"]') as MemberAccount[];
      expect(() => new SecurityHubMembers(adminStack(new App(), 'Admin'), 'Members', { members }))
        .toThrow('invalid member 1 "111111111111": expected an object such as {"accountId": "111111111111"}');
    });
  });
});
