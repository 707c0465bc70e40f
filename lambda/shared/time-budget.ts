/**
 * The Lambda time budget of one invocation: the handler stops starting new changes while there is
 * still time before Lambda's timeout to undo what it did. A handler killed by the timeout cannot
 * undo anything, and the Provider framework ignores the Delete that follows a failed Create, so
 * that time is all there is. Not rule R12's wait deadline, which spans many invocations.
 */
import type { LambdaContext } from './cfn';

/** Time kept for the undo, at most. */
const RESERVE_MS = 120_000;

/** Raised instead of starting a change once the budget is spent. */
export class TimeBudgetError extends Error {
  constructor(reserveSeconds: number) {
    super(`stopped before starting more changes: less than ${reserveSeconds} s were left before the Lambda timeout, kept for undoing this deployment's work`);
    this.name = 'TimeBudgetError';
  }
}

/** The time one invocation may spend starting changes. */
export class TimeBudget {
  /** A budget without a limit: no Lambda context, or an invocation that only reads. */
  static unlimited(now: () => number = () => Date.now()): TimeBudget {
    return new TimeBudget(undefined, 0, now);
  }

  /** The budget of an invocation, from its Lambda context (unlimited without one). */
  static fromContext(context: LambdaContext | undefined, now: () => number = () => Date.now()): TimeBudget {
    const remaining = context?.getRemainingTimeInMillis?.();
    if (remaining === undefined) {
      return TimeBudget.unlimited(now);
    }
    const reserve = Math.min(RESERVE_MS, remaining / 2);
    return new TimeBudget(now() + remaining - reserve, Math.round(reserve / 1000), now);
  }

  private constructor(private stopAt: number | undefined, private readonly reserveSeconds: number, private readonly now: () => number) {}

  /** Lifts the limit: the undo of a failed event may use all the time left. */
  lift(): void {
    this.stopAt = undefined;
  }

  /** Throws a {@link TimeBudgetError} when the budget is spent. */
  check(): void {
    if (this.stopAt !== undefined && this.now() >= this.stopAt) {
      throw new TimeBudgetError(this.reserveSeconds);
    }
  }
}
