import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aws, CfnCondition, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import { SecurityHubMembers } from '../../lib';
import { TemplateEvaluationError } from '../../lambda/shared/template';
import { readAssembly, resolve } from '../../local/deploy/assembly';

const stack = { name: 'Admin', account: '999999999999', region: 'eu-west-1' };

describe('the local deploy\'s property resolution (the exact policy)', () => {
  test('evaluates parameters by their default, conditions on them and pseudo parameters', () => {
    const template = {
      Parameters: { Stage: { Type: 'String', Default: 'prod' }, Fleet: { Type: 'CommaDelimitedList', Default: '111111111111,222222222222' } },
      Conditions: { InProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
    };
    const properties = {
      Members: [{ AccountId: { 'Fn::Select': [1, { Ref: 'Fleet' }] } }],
      Regions: { 'Fn::If': ['InProd', [{ Ref: 'AWS::Region' }, 'us-east-1'], { Ref: 'AWS::NoValue' }] },
      Name: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, { Ref: 'AWS::AccountId' }]] },
    };
    expect(resolve(properties, stack, 'Admin/Members', template)).toEqual({
      Members: [{ AccountId: '222222222222' }],
      Regions: ['eu-west-1', 'us-east-1'],
      Name: 'Admin-999999999999',
    });
  });

  test('fails on a value known only once deployed, naming the resource and the intrinsic', () => {
    const properties = { Members: [{ AccountId: { 'Fn::ImportValue': 'fleet-account' } }] };
    expect(() => resolve(properties, stack, 'Admin/Members', {})).toThrow(TemplateEvaluationError);
    expect(() => resolve(properties, stack, 'Admin/Members', {})).toThrow(/^Admin\/Members: Fn::ImportValue "fleet-account" is known only once deployed, or not supported: expected literal values/);
  });

  test('fails on a parameter without a default, which the local deploy has no value for', () => {
    const template = { Parameters: { Account: { Type: 'String' } } };
    expect(() => resolve({ AccountId: { Ref: 'Account' } }, stack, 'Admin/Members', template)).toThrow(/^Admin\/Members: parameter Account has no known value: expected/);
  });
});

describe('the local deploy\'s resources', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shm-local-assembly-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('a resource whose Condition is false is not deployed, as in CloudFormation', () => {
    const app = new App({ outdir });
    const admin = new Stack(app, 'Admin', { env: { account: '999999999999', region: 'us-east-1' } });
    new SecurityHubMembers(admin, 'Always', { members: [{ accountId: '111111111111' }] });
    const elsewhere = new SecurityHubMembers(admin, 'OnlyInEurope', { members: [{ accountId: '222222222222' }] });
    const inEurope = new CfnCondition(admin, 'InEurope', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') });
    (elsewhere.node.findChild('Resource').node.defaultChild as CfnResource).cfnOptions.condition = inEurope;
    app.synth();

    const [stack] = readAssembly(outdir, { account: '999999999999', region: 'us-east-1' });

    expect(stack.resources.map((r) => [r.logicalId.replace(/[0-9A-F]{8}$/, ''), r.properties.Members])).toEqual([['Always', [{ AccountId: '111111111111' }]]]);
  });
});
