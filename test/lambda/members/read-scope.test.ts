import { accountsOf } from '../../../lambda/members/planner';

// Rule R1: the handler reads and touches only the accounts declared now (D) or before (P) in a
// region; every read and change of the reconcile goes through this set.
describe('the accounts a region\'s plan may read or touch', () => {
  test('are the declared and the previously declared accounts, each once, and no other', () => {
    expect(accountsOf({
      region: 'us-east-1',
      declared: [{ accountId: '111111111111' }, { accountId: '222222222222', email: 'b@example.com' }],
      previous: ['222222222222', '333333333333'],
    })).toEqual(['111111111111', '222222222222', '333333333333']);
  });

  test('are none when nothing is declared, now or before', () => {
    expect(accountsOf({ region: 'us-east-1', declared: [], previous: [] })).toEqual([]);
  });

  test('on a Delete are only the accounts declared before', () => {
    expect(accountsOf({ region: 'eu-west-1', declared: [], previous: ['444444444444'] })).toEqual(['444444444444']);
  });
});
