import { App, Aws, CfnParameter, Duration, Fn, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { MemberAccount, SecurityHubMembers, SecurityHubMembersProps } from '../../lib';
import { HANDLER_RUNTIME } from './cdk-version';

const ADMIN = '999999999999';

function newStack(account: string | null = ADMIN, region = 'us-east-1'): Stack {
  return new Stack(new App(), 'Admin', account ? { env: { account, region } } : undefined);
}

function synth(props: SecurityHubMembersProps, stack = newStack()): Template {
  new SecurityHubMembers(stack, 'Members', props);
  return Template.fromStack(stack);
}

const members: MemberAccount[] = [
  { accountId: '111111111111', email: 'security+prod@example.com' },
  { accountId: '222222222222' },
];

describe('SecurityHubMembers', () => {
  test('declares a Custom::SecurityHubMembers resource with PascalCase properties', () => {
    const template = synth({ members });
    template.resourceCountIs('Custom::SecurityHubMembers', 1);
    template.hasResourceProperties('Custom::SecurityHubMembers', {
      ServiceToken: Match.anyValue(),
      Members: [
        { AccountId: '111111111111', Email: 'security+prod@example.com' },
        { AccountId: '222222222222' },
      ],
      Invite: true,
      Regions: ['us-east-1'],
    });
  });

  test('passes invite: false through', () => {
    synth({ members, invite: false }).hasResourceProperties('Custom::SecurityHubMembers', { Invite: false });
  });

  test('runs the bundled handler on the newest Node.js of aws-cdk-lib (24, or 22 at the floor), arm64, with JSON logs, an explicit log group and a 10 minute timeout', () => {
    const template = synth({ members });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: HANDLER_RUNTIME,
      Architectures: ['arm64'],
      Timeout: 600,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  test('grants exactly the member actions, on the account\'s hub in any region', () => {
    const template = synth({ members });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: [
            'securityhub:GetMembers',
            'securityhub:CreateMembers',
            'securityhub:InviteMembers',
            'securityhub:DisassociateMembers',
            'securityhub:DeleteMembers',
          ],
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:securityhub:*:${ADMIN}:hub/default`]] },
        }],
      },
    });
    // No statement anywhere grants a Security Hub action on '*'.
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const securityHub = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('securityhub:')));
    expect(securityHub).toHaveLength(1);
    expect(JSON.stringify(securityHub)).not.toContain('"*"');
  });

  test('attaches no AWS managed policy to any role, the Provider framework\'s included', () => {
    const template = synth({ members });
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles.length).toBeGreaterThanOrEqual(3); // the handler's, the framework's, the waiter's
    for (const role of roles) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  test('the Provider framework\'s functions log only fatal errors: their requests carry member emails', () => {
    const template = synth({ members });
    const framework = Object.values(template.findResources('AWS::Lambda::Function'))
      .filter((fn) => String(fn.Properties.Handler).startsWith('framework.'));
    expect(framework).toHaveLength(3);
    for (const fn of framework) {
      expect(fn.Properties.LoggingConfig).toMatchObject({ ApplicationLogLevel: 'FATAL', LogFormat: 'JSON' });
    }
  });

  test('the custom resource depends on its policy', () => {
    const template = synth({ members });
    const [resource] = Object.values(template.findResources('Custom::SecurityHubMembers'));
    const [policyId] = Object.keys(template.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('^MembersPolicy') } }));
    expect(resource.DependsOn).toContain(policyId);
  });

  test('two instances in one stack share one handler and one provider', () => {
    const stack = newStack();
    new SecurityHubMembers(stack, 'Prod', { members: [members[0]] });
    new SecurityHubMembers(stack, 'Dev', { members: [members[1]] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::SecurityHubMembers', 2);
    // The handler, its isComplete, and the framework's onEvent, isComplete and onTimeout functions.
    template.resourceCountIs('AWS::Lambda::Function', 5);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    const tokens = Object.values(template.findResources('Custom::SecurityHubMembers')).map((r) => JSON.stringify(r.Properties.ServiceToken));
    expect(new Set(tokens).size).toBe(1);
  });

  test('removalPolicy RETAIN sets DeletionPolicy and UpdateReplacePolicy to Retain', () => {
    synth({ members, removalPolicy: RemovalPolicy.RETAIN }).hasResource('Custom::SecurityHubMembers', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test.each([RemovalPolicy.SNAPSHOT, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE])('fails when removalPolicy is %s', (removalPolicy) => {
    expect(() => synth({ members, removalPolicy }))
      .toThrow(`SecurityHubMembers Admin/Members: invalid removalPolicy "${removalPolicy}": expected RemovalPolicy.DESTROY or RemovalPolicy.RETAIN, a custom resource has no snapshot`);
  });

  test('removal policy defaults to Delete', () => {
    synth({ members }).hasResource('Custom::SecurityHubMembers', { DeletionPolicy: 'Delete' });
  });

  test('exposes the counts as attribute tokens', () => {
    const stack = newStack();
    const declared = new SecurityHubMembers(stack, 'Members', { members });
    expect(stack.resolve(declared.memberCount)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Members/), 'MemberCount'] });
    expect(stack.resolve(declared.enabledCount)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Members/), 'EnabledCount'] });
    expect(stack.resolve(declared.invitedCount)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Members/), 'InvitedCount'] });
  });

  test('an environment-agnostic stack manages its own region and account through pseudo parameters', () => {
    const template = synth({ members }, newStack(null));
    template.hasResourceProperties('Custom::SecurityHubMembers', { Regions: [{ Ref: 'AWS::Region' }] });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Resource: { 'Fn::Join': ['', Match.arrayWith([':securityhub:*:', { Ref: 'AWS::AccountId' }])] } })] },
    });
  });

  describe('regions', () => {
    test('manages the same members in each region; the policy reaches every region\'s hub, so a dropped region can still be emptied', () => {
      const template = synth({ members, regions: ['us-east-1', 'eu-west-1'] });
      template.hasResourceProperties('Custom::SecurityHubMembers', { Regions: ['us-east-1', 'eu-west-1'] });
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [Match.objectLike({
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:securityhub:*:${ADMIN}:hub/default`]] },
          })],
        },
      });
    });

    test('fails when a region name is malformed', () => {
      expect(() => synth({ members, regions: ['us_east_1'] })).toThrow('invalid region "us_east_1": expected a region name such as "us-east-1"');
    });

    test('fails when a region is listed twice', () => {
      expect(() => synth({ members, regions: ['eu-west-1', 'eu-west-1'] })).toThrow('duplicate region "eu-west-1": expected each region once');
    });

    test('fails when the list of regions is empty', () => {
      expect(() => synth({ members, regions: [] })).toThrow('empty list of regions');
    });
  });

  describe('waitForAcceptance', () => {
    test('polls an isComplete handler through the Provider framework, with the wait as a property', () => {
      const template = synth({ members, waitForAcceptance: Duration.minutes(30) });
      template.hasResourceProperties('Custom::SecurityHubMembers', { WaitForAcceptanceSeconds: 1800 });
      template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.isComplete', Runtime: HANDLER_RUNTIME, Architectures: ['arm64'] });
      template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    });

    test('is off by default, on the same provider, so it can be turned on and off without a new ServiceToken', () => {
      const stack = newStack();
      new SecurityHubMembers(stack, 'Plain', { members: [members[0]] });
      new SecurityHubMembers(stack, 'Waiting', { members: [members[1]], waitForAcceptance: Duration.minutes(10) });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
      const resources = Object.values(template.findResources('Custom::SecurityHubMembers'));
      expect(new Set(resources.map((r) => JSON.stringify(r.Properties.ServiceToken))).size).toBe(1);
      expect(resources.map((r) => r.Properties.WaitForAcceptanceSeconds)).toEqual([undefined, 600]);
    });

    test('gives the custom resource CloudFormation\'s full hour, longer than any allowed wait', () => {
      synth({ members }).hasResourceProperties('Custom::SecurityHubMembers', { ServiceTimeout: '3600' });
    });

    test('fails when the wait is longer than 50 minutes', () => {
      expect(() => synth({ members, waitForAcceptance: Duration.hours(1) })).toThrow('invalid waitForAcceptance 1 hour: expected between 1 second and 50 minutes');
    });

    test('fails when the wait is shorter than a second', () => {
      expect(() => synth({ members, waitForAcceptance: Duration.millis(10) })).toThrow('invalid waitForAcceptance 10 millis');
    });

    test('fails when the wait is not a whole number of seconds, naming it', () => {
      expect(() => synth({ members, waitForAcceptance: Duration.millis(90500) }))
        .toThrow('SecurityHubMembers Admin/Members: invalid waitForAcceptance Duration.millis(90500) (90.5 seconds): expected a whole number of seconds');
    });

    test('accepts a whole number of seconds given in milliseconds', () => {
      synth({ members, waitForAcceptance: Duration.millis(90000) }).hasResourceProperties('Custom::SecurityHubMembers', { WaitForAcceptanceSeconds: 90 });
    });

    test('fails when waitForAcceptance is set with invite: false', () => {
      expect(() => synth({ members, invite: false, waitForAcceptance: Duration.minutes(10) }))
        .toThrow('SecurityHubMembers Admin/Members: waitForAcceptance 10 minutes with invite false: expected invite true or no waitForAcceptance, a member that is never invited never accepts');
    });
  });

  describe('reconcileOnEveryDeploy', () => {
    const reconcileToken = (template: Template): unknown => Object.values(template.findResources('Custom::SecurityHubMembers'))[0].Properties.ReconcileToken;

    test('adds a ReconcileToken that changes at every synth, so every deploy sends an Update', () => {
      const first = reconcileToken(synth({ members, reconcileOnEveryDeploy: true }));
      const second = reconcileToken(synth({ members, reconcileOnEveryDeploy: true }));
      expect(first).toEqual(expect.any(String));
      expect(second).toEqual(expect.any(String));
      expect(second).not.toEqual(first);
    });

    test('is off by default: two synths give identical templates, without a ReconcileToken', () => {
      const first = synth({ members });
      const second = synth({ members, reconcileOnEveryDeploy: false });
      expect(reconcileToken(first)).toBeUndefined();
      expect(second.toJSON()).toEqual(first.toJSON());
    });
  });

  describe('validation', () => {
    test('fails when members is empty, saying how to remove every member on purpose', () => {
      expect(() => synth({ members: [] })).toThrow('SecurityHubMembers Admin/Members: empty members list: expected at least one member; '
        + 'to remove every member on purpose, remove the SecurityHubMembers construct, or destroy the stack');
    });

    test('fails when the stack\'s region is not a region name, like a bad entry in regions', () => {
      expect(() => synth({ members }, newStack(ADMIN, 'moon-1'))).toThrow('SecurityHubMembers Admin/Members: invalid stack region "moon-1": expected a region name such as "us-east-1"');
    });

    test('fails when an account id is not 12 digits', () => {
      expect(() => synth({ members: [{ accountId: '12345' }] })).toThrow('invalid account id "12345": expected 12 digits');
    });

    test('fails when an account id has letters', () => {
      expect(() => synth({ members: [{ accountId: '11111111111a' }] })).toThrow('invalid account id "11111111111a": expected 12 digits');
    });

    test('fails when an account id is empty or padded with whitespace', () => {
      expect(() => synth({ members: [{ accountId: '' }] })).toThrow('invalid account id "": expected 12 digits');
      expect(() => synth({ members: [{ accountId: ' 111111111111' }] })).toThrow('invalid account id " 111111111111": expected 12 digits');
    });

    test('fails when an account is declared twice', () => {
      expect(() => synth({ members: [members[0], { accountId: '111111111111' }] }))
        .toThrow('duplicate account id "111111111111": expected each account once');
    });

    test('fails when the stack\'s own account is declared', () => {
      expect(() => synth({ members: [{ accountId: ADMIN }] }))
        .toThrow(`account id "${ADMIN}" is the administrator's own account`);
    });

    test('fails when an email has no @', () => {
      expect(() => synth({ members: [{ accountId: '111111111111', email: 'security.example.com' }] }))
        .toThrow('invalid email "security.example.com" for account "111111111111": expected an address with text on both sides of "@"');
    });

    test('fails when more than 1,000 members are declared', () => {
      const many = Array.from({ length: 1001 }, (_, i) => ({ accountId: String(100000000000 + i) }));
      expect(() => synth({ members: many })).toThrow('too many members (1001): expected at most 1000');
    });

    test('accepts exactly 1,000 members', () => {
      const many = Array.from({ length: 1000 }, (_, i) => ({ accountId: String(100000000000 + i) }));
      synth({ members: many }).resourceCountIs('Custom::SecurityHubMembers', 1);
    });

    test('fails when two SecurityHubMembers in one stack declare the same account in the same region', () => {
      const stack = newStack();
      new SecurityHubMembers(stack, 'Prod', { members: [members[0]] });
      expect(() => new SecurityHubMembers(stack, 'Again', { members: [members[0]] }))
        .toThrow('account id "111111111111" is already declared by Admin/Prod in region us-east-1');
    });

    // Two stacks of the same administrator and region may not: see app-validation.test.ts.
    test('allows the same account in two administrators\' stacks, or in two regions of one stack', () => {
      const app = new App();
      new SecurityHubMembers(new Stack(app, 'A', { env: { account: ADMIN, region: 'us-east-1' } }), 'M', { members });
      new SecurityHubMembers(new Stack(app, 'B', { env: { account: '888888888888', region: 'us-east-1' } }), 'M', { members });
      const stack = new Stack(new App(), 'C', { env: { account: ADMIN, region: 'us-east-1' } });
      new SecurityHubMembers(stack, 'East', { members, regions: ['us-east-1'] });
      new SecurityHubMembers(stack, 'West', { members, regions: ['us-west-2'] });
      Template.fromStack(stack).resourceCountIs('Custom::SecurityHubMembers', 2);
    });

    test('fails when members is a list token, whose length is unknown at synth', () => {
      const stack = newStack();
      const ids = new CfnParameter(stack, 'MemberIds', { type: 'CommaDelimitedList' });
      const listToken = ids.valueAsList as unknown as MemberAccount[];
      expect(Token.isUnresolved(listToken)).toBe(true);
      expect(() => synth({ members: listToken }, stack))
        .toThrow(`SecurityHubMembers Admin/Members: members ${String(listToken)} is a token whose length is unknown at synth: expected a literal list of members, whose account ids and emails may be tokens`);
    });

    test('fails when members is a lazy value', () => {
      const lazy = Lazy.any({ produce: () => members }) as unknown as MemberAccount[];
      expect(() => synth({ members: lazy })).toThrow(/members \$\{Token\[TOKEN\.\d+\]\} is a token whose length is unknown at synth: expected a literal list/);
    });

    test('reports every problem at once', () => {
      expect(() => synth({ members: [{ accountId: 'x' }, { accountId: 'y' }] }))
        .toThrow(/invalid account id "x".*; invalid account id "y"/);
    });

    test('skips checks on unresolved tokens', () => {
      const stack = newStack();
      const template = synth({
        members: [
          { accountId: Fn.importValue('ProdAccountId'), email: Fn.importValue('ProdEmail') },
          { accountId: Aws.ACCOUNT_ID },
        ],
        regions: [Aws.REGION],
      }, stack);
      template.hasResourceProperties('Custom::SecurityHubMembers', {
        Members: [{ AccountId: { 'Fn::ImportValue': 'ProdAccountId' }, Email: { 'Fn::ImportValue': 'ProdEmail' } }, { AccountId: { Ref: 'AWS::AccountId' } }],
      });
    });
  });

  describe('rateLimit', () => {
    function environments(template: Template): Record<string, string>[] {
      return Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: Match.stringLikeRegexp('^index\\.(handler|isComplete)$') } }))
        .map((fn) => (fn.Properties.Environment?.Variables ?? {}) as Record<string, string>);
    }

    test('sets the pacing variables on the handler and its isComplete function', () => {
      const envs = environments(synth({ members, rateLimit: { ratePerSecond: 50, burst: 100 } }));
      expect(envs).toHaveLength(2);
      for (const env of envs) {
        expect(env).toMatchObject({ SECURITYHUB_MEMBERS_RATE_PER_SECOND: '50', SECURITYHUB_MEMBERS_BURST: '100' });
      }
    });

    test('leaves the burst to the handler\'s default when only the rate is set', () => {
      const envs = environments(synth({ members, rateLimit: { ratePerSecond: 25 } }));
      expect(envs.map((env) => [env.SECURITYHUB_MEMBERS_RATE_PER_SECOND, env.SECURITYHUB_MEMBERS_BURST])).toEqual([['25', undefined], ['25', undefined]]);
    });

    test('sets no pacing variable without it', () => {
      const envs = environments(synth({ members }));
      expect(envs.flatMap((env) => Object.keys(env).filter((key) => key.startsWith('SECURITYHUB_MEMBERS_')))).toEqual([]);
    });

    test('applies to every instance of the stack, which share one handler', () => {
      const stack = newStack();
      new SecurityHubMembers(stack, 'First', { members: [members[0]], rateLimit: { ratePerSecond: 50 } });
      new SecurityHubMembers(stack, 'Second', { members: [members[1]], rateLimit: { ratePerSecond: 50 } });
      new SecurityHubMembers(stack, 'Third', { members: [{ accountId: '333333333333' }] });
      const envs = environments(Template.fromStack(stack));
      expect(envs.map((env) => env.SECURITYHUB_MEMBERS_RATE_PER_SECOND)).toEqual(['50', '50']);
    });

    test('fails when two instances of one stack set different rates, naming both', () => {
      const stack = newStack();
      new SecurityHubMembers(stack, 'First', { members: [members[0]], rateLimit: { ratePerSecond: 50 } });
      expect(() => new SecurityHubMembers(stack, 'Second', { members: [members[1]], rateLimit: { ratePerSecond: 20 } }))
        .toThrow('SecurityHubMembers Admin/Second: rateLimit.ratePerSecond 20 differs from 50, set by Admin/First: '
          + 'expected the same rate limit in every SecurityHubMembers of the stack, which share one handler');
    });

    test('fails when the rate is not positive or the burst not a whole number of at least 1', () => {
      expect(() => synth({ members, rateLimit: { ratePerSecond: 0, burst: 0.5 } }))
        .toThrow('invalid rateLimit.ratePerSecond 0: expected a positive number of requests per second; invalid rateLimit.burst 0.5: expected a whole number of requests, at least 1');
    });
  });
});
