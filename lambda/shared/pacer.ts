/** Clock and timer, replaceable in tests. */
export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: PacerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A client-side token bucket: `take()` resolves when a request may be sent, so that a burst of
 * work goes out at the service's documented rate instead of provoking throttling. The SDK's
 * adaptive retry only slows down after the first throttle; this keeps the first ones from
 * happening. Waiters are served in arrival order.
 */
export class Pacer {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly clock: PacerClock = realClock,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) {
      throw new RangeError(`invalid pacing ${ratePerSecond}/s burst ${burst}: expected a positive rate and a burst of at least 1`);
    }
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Forgets the tokens saved up, as after a throttle: the service's bucket is empty too. */
  drain(): void {
    this.tokens = 0;
    this.last = this.clock.now();
  }

  /** Resolves when one request may be sent. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn;
    return turn;
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000));
    }
  }
}
