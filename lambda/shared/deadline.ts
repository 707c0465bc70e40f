/**
 * The handler's own deadline: it stops starting new changes while there is still time before
 * Lambda's timeout to undo what it did. A handler killed by the timeout cannot roll back, and the
 * Provider framework ignores the Delete that follows a failed Create, so that time is all there is.
 */
import type { LambdaContext } from './cfn';

/** Time kept for the rollback, at most. */
const RESERVE_MS = 120_000;

let stopAt: number | undefined;

/** Raised instead of starting a change once the deadline has passed. */
export class DeadlineError extends Error {
  constructor(reserveSeconds: number) {
    super(`stopped before starting more changes: less than ${reserveSeconds} s were left before the Lambda timeout, kept for undoing this deployment's work`);
    this.name = 'DeadlineError';
  }
}

let reserveSeconds = 0;

/** Starts the deadline of one invocation from the Lambda context (none without one). */
export function startDeadline(context: LambdaContext | undefined): void {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (remaining === undefined) {
    stopAt = undefined;
    return;
  }
  const reserve = Math.min(RESERVE_MS, remaining / 2);
  reserveSeconds = Math.round(reserve / 1000);
  stopAt = Date.now() + remaining - reserve;
}

/** Lifts the deadline: the undo of a failed event may use all the time left. */
export function clearDeadline(): void {
  stopAt = undefined;
}

/** Throws a {@link DeadlineError} when the deadline has passed. */
export function checkDeadline(): void {
  if (stopAt !== undefined && Date.now() >= stopAt) {
    throw new DeadlineError(reserveSeconds);
  }
}
