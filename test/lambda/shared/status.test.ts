import { isEnabledStatus, isInvitedOrEnabled, normalizeStatus } from '../../../lambda/shared/status';

describe('normalizeStatus', () => {
  test.each([
    [undefined, 'NotMember'],
    ['Deleted', 'NotMember'],
    ['Created', 'Created'],
    ['CREATED', 'Created'],
    ['Invited', 'Invited'],
    ['invited', 'Invited'],
    ['Enabled', 'Enabled'],
    ['Associated', 'Enabled'],
    ['ASSOCIATED', 'Enabled'],
    ['Removed', 'Removed'],
    ['Resigned', 'Resigned'],
    ['AccountSuspended', 'Other'],
    ['SomethingNew', 'Other'],
  ])('%s is %s', (raw, expected) => {
    expect(normalizeStatus(raw)).toBe(expected);
  });
});

describe('isEnabledStatus', () => {
  test.each([
    ['Enabled', true],
    ['ENABLED', true],
    ['enabled', true],
    ['Associated', true],
    ['ASSOCIATED', true],
    ['Invited', false],
    ['Created', false],
    ['Removed', false],
    ['Resigned', false],
    ['Deleted', false],
    ['AccountSuspended', false],
    [undefined, false],
  ])('%s is %s', (status, expected) => {
    expect(isEnabledStatus(status)).toBe(expected);
  });
});

describe('isInvitedOrEnabled', () => {
  test.each([
    ['Invited', true],
    ['ENABLED', true],
    ['Associated', true],
    ['Created', false],
    ['Removed', false],
    ['Resigned', false],
    ['Deleted', false],
    ['AccountSuspended', false],
    [undefined, false],
  ])('%s is %s', (status, expected) => {
    expect(isInvitedOrEnabled(status)).toBe(expected);
  });
});
