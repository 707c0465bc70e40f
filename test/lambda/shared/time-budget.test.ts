import { TimeBudget, TimeBudgetError } from '../../../lambda/shared/time-budget';

/** A clock the test moves by hand, so no assertion depends on how fast the machine is. */
function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let at = start;
  return { now: () => at, advance: (ms) => { at += ms; } };
}

describe('the time budget of one invocation', () => {
  test('a long invocation keeps its last 120 s for the undo: changes start until then, and not from then on', () => {
    const time = clock();
    // Lambda's longest timeout, 15 minutes.
    const budget = TimeBudget.fromContext({ getRemainingTimeInMillis: () => 900_000 }, time.now);
    time.advance(779_999);
    expect(() => budget.check()).not.toThrow();
    time.advance(1);
    expect(() => budget.check()).toThrow(TimeBudgetError);
    expect(() => budget.check()).toThrow('less than 120 s were left before the Lambda timeout');
  });

  test('a short invocation keeps half its time, so it can still start changes in the other half', () => {
    const time = clock();
    const budget = TimeBudget.fromContext({ getRemainingTimeInMillis: () => 60_000 }, time.now);
    expect(() => budget.check()).not.toThrow();
    time.advance(29_999);
    expect(() => budget.check()).not.toThrow();
    time.advance(1);
    expect(() => budget.check()).toThrow('less than 30 s were left before the Lambda timeout');
  });

  test('lifted for the undo of a failed event, it no longer stops anything', () => {
    const time = clock();
    const budget = TimeBudget.fromContext({ getRemainingTimeInMillis: () => 300_000 }, time.now);
    time.advance(200_000);
    expect(() => budget.check()).toThrow(TimeBudgetError);
    budget.lift();
    expect(() => budget.check()).not.toThrow();
  });

  test('without a Lambda context, or one that cannot tell the time left, nothing is stopped', () => {
    const time = clock();
    const budgets = [TimeBudget.fromContext(undefined, time.now), TimeBudget.fromContext({}, time.now), TimeBudget.unlimited(time.now)];
    time.advance(24 * 3600_000);
    for (const budget of budgets) {
      expect(() => budget.check()).not.toThrow();
    }
  });
});
