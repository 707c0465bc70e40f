import { Token } from 'aws-cdk-lib';
import { editDistance, unknownRegionWarning } from '../../lib/private/regions';

describe('unknownRegionWarning', () => {
  test('names the closest known region for a typo', () => {
    expect(unknownRegionWarning('eu-wset-1')).toBe('unknown region "eu-wset-1": expected a region aws-cdk-lib knows, such as "eu-west-1" (the closest); '
      + 'ignore this if "eu-wset-1" is newer than your aws-cdk-lib');
    expect(unknownRegionWarning('us-eats-1')).toContain('such as "us-east-1"');
  });

  test('says nothing about a known region, a token, or a malformed name, which is an error elsewhere', () => {
    expect(unknownRegionWarning('us-east-1')).toBeUndefined();
    expect(unknownRegionWarning(Token.asString({ Ref: 'AWS::Region' }))).toBeUndefined();
    expect(unknownRegionWarning('EU-WEST-1')).toBeUndefined();
  });

  test('warns about a region newer than the list, which may well be right', () => {
    expect(unknownRegionWarning('ap-southeast-5', ['ap-southeast-1', 'us-east-1'])).toBe('unknown region "ap-southeast-5": expected a region aws-cdk-lib knows, '
      + 'such as "ap-southeast-1" (the closest); ignore this if "ap-southeast-5" is newer than your aws-cdk-lib');
  });
});

describe('editDistance', () => {
  test.each([
    ['', '', 0],
    ['eu-west-1', 'eu-west-1', 0],
    ['eu-wset-1', 'eu-west-1', 2],
    ['eu-west-7', 'eu-west-1', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('%j to %j is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});
