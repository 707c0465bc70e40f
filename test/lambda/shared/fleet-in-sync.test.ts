import { isAccepted, isInSync } from '../../../lambda/shared/fleet/comparison';

// The one reading of "in sync" that the drift command and the scheduled audit share: with invite,
// a declared account is in sync only while it is the administrator's (Invited or Enabled); without,
// while it is a member at all. Whatever the service's spelling of the status.
describe('whether a declared account is in sync', () => {
  test.each<[string | undefined, boolean, boolean]>([
    ['Enabled', true, true],
    ['ASSOCIATED', true, true],
    ['Invited', true, true],
    ['Created', true, false],
    ['Removed', true, false],
    ['Resigned', true, false],
    ['RESIGNED', true, false],
    ['Deleted', true, false],
    ['AccountSuspended', true, false],
    [undefined, true, false],
    ['Created', false, true],
    ['Resigned', false, true],
    ['Removed', false, true],
    ['AccountSuspended', false, true],
    ['Deleted', false, false],
    [undefined, false, false],
  ])('%s with invite %s: %s', (status, invite, expected) => {
    expect(isInSync(status, invite)).toBe(expected);
  });

  test('only Enabled (or the legacy Associated) has accepted', () => {
    expect(['Enabled', 'associated', 'Invited', 'Resigned', undefined].map(isAccepted)).toEqual([true, true, false, false, false]);
  });
});
