import { App, CfnParameter, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SecurityHubInvitationAccepter } from '../../lib';
import { HANDLER_RUNTIME } from './cdk-version';

const RESOURCE_TYPE = 'Custom::SecurityHubInvitationAccepter';
const ACTIONS = [
  'securityhub:ListInvitations',
  'securityhub:AcceptAdministratorInvitation',
  'securityhub:GetAdministratorAccount',
  'securityhub:DisassociateFromAdministratorAccount',
];

function memberStack(): Stack {
  return new Stack(new App(), 'Member', { env: { account: '111111111111', region: 'eu-west-1' } });
}

function hubArnOf(account: string, region: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:securityhub:${region}:${account}:hub/default`]] };
}

/** Every Security Hub action in every IAM policy of the template, with its resources. */
function securityHubStatements(template: Template): { actions: string[]; resource: unknown }[] {
  const statements: { actions: string[]; resource: unknown }[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      const actions: string[] = [statement.Action].flat();
      if (actions.some((a) => a.startsWith('securityhub:'))) {
        statements.push({ actions, resource: statement.Resource });
      }
    }
  }
  return statements;
}

describe('SecurityHubInvitationAccepter', () => {
  test('declares the custom resource with the administrator account id', () => {
    const stack = memberStack();
    const accepter = new SecurityHubInvitationAccepter(stack, 'Accept', { administratorAccountId: '999999999999' });

    const template = Template.fromStack(stack);
    template.resourceCountIs(RESOURCE_TYPE, 1);
    template.hasResourceProperties(RESOURCE_TYPE, {
      ServiceToken: Match.anyValue(),
      AdministratorAccountId: '999999999999',
    });
    const [resource] = Object.values(template.findResources(RESOURCE_TYPE));
    expect(Object.keys(resource.Properties).sort()).toEqual(['AdministratorAccountId', 'ServiceToken']);
    expect(accepter.administratorAccountId).toBe('999999999999');
  });

  test('grants exactly the member-side actions on the hub of the stack\'s region', () => {
    const stack = memberStack();
    new SecurityHubInvitationAccepter(stack, 'Accept', { administratorAccountId: '999999999999' });

    const template = Template.fromStack(stack);
    expect(securityHubStatements(template)).toEqual([
      { actions: ACTIONS, resource: hubArnOf('111111111111', 'eu-west-1') },
    ]);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Effect: 'Allow', Action: ACTIONS, Resource: hubArnOf('111111111111', 'eu-west-1') }],
      },
      Roles: [{ Ref: Match.stringLikeRegexp('^SecurityHubInvitationAccepterProviderRole') }],
    });
  });

  test('waits for its IAM policy before the custom resource runs', () => {
    const stack = memberStack();
    new SecurityHubInvitationAccepter(stack, 'Accept', { administratorAccountId: '999999999999' });

    const template = Template.fromStack(stack);
    const policyIds = Object.keys(template.findResources('AWS::IAM::Policy', {
      Properties: { PolicyDocument: { Statement: [Match.objectLike({ Action: ACTIONS })] } },
    }));
    expect(policyIds).toHaveLength(1);
    template.hasResource(RESOURCE_TYPE, { DependsOn: Match.arrayWith([policyIds[0]]) });
  });

  test('runs the handler on the newest Node.js of aws-cdk-lib (24, or 22 at the floor) and arm64 with JSON logs', () => {
    const stack = memberStack();
    new SecurityHubInvitationAccepter(stack, 'Accept', { administratorAccountId: '999999999999' });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: HANDLER_RUNTIME,
      Architectures: ['arm64'],
      LoggingConfig: { LogFormat: 'JSON' },
    });
  });

  test('fails when two accepters are declared in one stack', () => {
    const stack = memberStack();
    new SecurityHubInvitationAccepter(stack, 'First', { administratorAccountId: '999999999999' });
    expect(() => new SecurityHubInvitationAccepter(stack, 'Second', { administratorAccountId: '888888888888' }))
      .toThrow('SecurityHubInvitationAccepter Member/Second: a second SecurityHubInvitationAccepter in stack Member, beside Member/First: expected one per stack, a member account has one administrator per region');
  });

  test('allows one accepter in each of two stacks of one app', () => {
    const app = new App();
    const first = new Stack(app, 'East', { env: { account: '111111111111', region: 'us-east-1' } });
    const second = new Stack(app, 'West', { env: { account: '111111111111', region: 'us-west-2' } });
    new SecurityHubInvitationAccepter(first, 'Accept', { administratorAccountId: '999999999999' });
    new SecurityHubInvitationAccepter(second, 'Accept', { administratorAccountId: '999999999999' });

    Template.fromStack(first).resourceCountIs(RESOURCE_TYPE, 1);
    Template.fromStack(second).resourceCountIs(RESOURCE_TYPE, 1);
  });

  test('deletes by default: DeletionPolicy Delete', () => {
    const stack = memberStack();
    new SecurityHubInvitationAccepter(stack, 'Accept', { administratorAccountId: '999999999999' });

    Template.fromStack(stack).hasResource(RESOURCE_TYPE, { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('sets DeletionPolicy and UpdateReplacePolicy Retain with RETAIN', () => {
    const stack = memberStack();
    new SecurityHubInvitationAccepter(stack, 'Accept', { administratorAccountId: '999999999999', removalPolicy: RemovalPolicy.RETAIN });

    Template.fromStack(stack).hasResource(RESOURCE_TYPE, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test.each([RemovalPolicy.SNAPSHOT, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE])('fails when removalPolicy is %s', (removalPolicy) => {
    const stack = memberStack();
    expect(() => new SecurityHubInvitationAccepter(stack, 'Accept', { administratorAccountId: '999999999999', removalPolicy }))
      .toThrow(`SecurityHubInvitationAccepter Member/Accept: invalid removalPolicy "${removalPolicy}": expected RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, a custom resource has no snapshot`);
  });

  test('fails when the administrator account id is not 12 digits', () => {
    const stack = memberStack();
    expect(() => new SecurityHubInvitationAccepter(stack, 'Accept', { administratorAccountId: '123' }))
      .toThrow('SecurityHubInvitationAccepter Member/Accept: invalid administrator account id "123": expected 12 digits');
  });

  test('fails when the administrator account id has letters', () => {
    const stack = memberStack();
    expect(() => new SecurityHubInvitationAccepter(stack, 'Accept', { administratorAccountId: '99999999999x' }))
      .toThrow('invalid administrator account id "99999999999x": expected 12 digits');
  });

  test('fails when the administrator is the stack\'s own account', () => {
    const stack = memberStack();
    expect(() => new SecurityHubInvitationAccepter(stack, 'Accept', { administratorAccountId: '111111111111' }))
      .toThrow('administrator account id "111111111111" is the member account itself: expected another account, an account cannot be its own administrator');
  });

  test('accepts any 12-digit administrator when the stack\'s account is not known', () => {
    const stack = new Stack(new App(), 'Agnostic');
    new SecurityHubInvitationAccepter(stack, 'Accept', { administratorAccountId: '111111111111' });

    Template.fromStack(stack).hasResourceProperties(RESOURCE_TYPE, { AdministratorAccountId: '111111111111' });
  });

  test('passes an unresolved token through to the handler unchecked', () => {
    const stack = memberStack();
    const administrator = new CfnParameter(stack, 'AdministratorId', { type: 'String' });
    new SecurityHubInvitationAccepter(stack, 'Accept', { administratorAccountId: administrator.valueAsString });

    Template.fromStack(stack).hasResourceProperties(RESOURCE_TYPE, { AdministratorAccountId: { Ref: 'AdministratorId' } });
  });

  test('fails when the stack\'s region is not a region name', () => {
    const stack = new Stack(new App(), 'Member', { env: { account: '111111111111', region: 'moon-1' } });
    expect(() => new SecurityHubInvitationAccepter(stack, 'Accept', { administratorAccountId: '999999999999' }))
      .toThrow('SecurityHubInvitationAccepter Member/Accept: invalid stack region "moon-1": expected a region name such as "us-east-1"');
  });

  describe('reconcileOnEveryDeploy', () => {
    const reconcileToken = (stack: Stack): unknown => Object.values(Template.fromStack(stack).findResources(RESOURCE_TYPE))[0].Properties.ReconcileToken;
    const synthAccepter = (reconcileOnEveryDeploy?: boolean): Stack => {
      const stack = memberStack();
      new SecurityHubInvitationAccepter(stack, 'Accept', { administratorAccountId: '999999999999', ...(reconcileOnEveryDeploy === undefined ? {} : { reconcileOnEveryDeploy }) });
      return stack;
    };

    test('adds a ReconcileToken that changes at every synth, so every deploy sends an Update', () => {
      const first = reconcileToken(synthAccepter(true));
      const second = reconcileToken(synthAccepter(true));
      expect(first).toEqual(expect.any(String));
      expect(second).toEqual(expect.any(String));
      expect(second).not.toEqual(first);
    });

    test('is off by default: two synths give identical templates, without a ReconcileToken', () => {
      const first = synthAccepter();
      const second = synthAccepter(false);
      expect(reconcileToken(first)).toBeUndefined();
      expect(Template.fromStack(second).toJSON()).toEqual(Template.fromStack(first).toJSON());
    });
  });
});
