import { resolve } from '../../local/deploy/assembly';
import { TemplateEvaluationError } from '../../lib/shared/template';

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
