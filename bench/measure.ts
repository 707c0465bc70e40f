/**
 * What one run produced, read from the emulator's call log, and the bounds it is compared to.
 */
import type { RunningEmulator } from '../local/emulator';
import { ADMIN, Scenario } from './scenario';

/** The service's rate limit, as the emulator enforces it. */
export const RATE_PER_SECOND = 10;
export const BURST = 30;

/** The two ways of doing the same event. */
export type Approach = 'handler' | 'one-at-a-time';

/** One (size, event, approach) run. */
export interface Measurement {
  readonly scenario: Scenario;
  readonly approach: Approach;
  readonly wallMs: number;
  /** Every run's wall time when the measurement was repeated; this one is the median run. */
  readonly repeatsMs?: number[];
  /** Requests the emulator received per operation, throttled ones included. */
  readonly counts: Record<string, number>;
  readonly total: number;
  /** Requests answered 429 LimitExceededException: they cost no token. */
  readonly throttled: number;
  /** Operations of the accepted requests in the order they were answered, for the phase floor. */
  readonly sequence: string[];
  /** Errors the approach reported (the handler's error, or one line per failed account). */
  readonly errors: string[];
  /** Differences between the hub's end state and the declaration. */
  readonly stateProblems: string[];
}

/** Reads the calls the administrator made. */
export function callsOf(emulator: RunningEmulator): Pick<Measurement, 'counts' | 'total' | 'throttled' | 'sequence'> {
  const entries = emulator.calls.entries({ account: ADMIN });
  const accepted = entries.filter((c) => c.errorType !== 'LimitExceededException');
  return {
    counts: emulator.calls.countsByOperation({ account: ADMIN }),
    total: entries.length,
    throttled: entries.length - accepted.length,
    sequence: accepted.map((c) => c.operation),
  };
}

/**
 * The least time the rate limit allows for `calls` accepted requests: the bucket starts full
 * (burst 30) and refills at 10/s, so max(0, calls - 30) / 10 s, plus one round trip for the last.
 */
export function rateLimitBoundMs(calls: number, latencyMs: number): number {
  return (Math.max(0, calls - BURST) / RATE_PER_SECOND) * 1000 + latencyMs;
}

/** Consecutive runs of the same operation: the handler's dependent phases, each waiting for the one before. */
export function phasesOf(sequence: readonly string[]): { operation: string; calls: number }[] {
  const phases: { operation: string; calls: number }[] = [];
  for (const operation of sequence) {
    const last = phases[phases.length - 1];
    if (last?.operation === operation) {
      last.calls++;
    } else {
      phases.push({ operation, calls: 1 });
    }
  }
  return phases;
}

/**
 * The least time for phases that must run one after another (read, then create, then invite...),
 * with the same token bucket and latency and at most `concurrency` requests in flight per phase:
 * a simulation of the best schedule. With unbounded concurrency this is the floor any handler
 * that keeps docs/design.md's order can reach; the rate-limit bound ignores that order.
 */
export function phasedFloorMs(phases: readonly number[], latencyMs: number, concurrency = Infinity): number {
  const rate = RATE_PER_SECOND / 1000;
  let tokens = BURST;
  let refilledAt = 0;
  // Requests leave in the order they become ready, so the bucket is only ever asked in time order.
  const take = (ready: number): number => {
    const now = Math.max(ready, refilledAt);
    tokens = Math.min(BURST, tokens + (now - refilledAt) * rate);
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return now;
    }
    const sent = now + (1 - tokens) / rate;
    tokens = 0;
    refilledAt = sent;
    return sent;
  };
  let phaseStart = 0;
  for (const calls of phases) {
    const slots = Array.from({ length: Math.min(calls, concurrency) }, () => phaseStart);
    let phaseEnd = phaseStart;
    for (let i = 0; i < calls; i++) {
      const slot = slots.indexOf(Math.min(...slots));
      const answered = take(slots[slot]) + latencyMs;
      slots[slot] = answered;
      phaseEnd = Math.max(phaseEnd, answered);
    }
    phaseStart = phaseEnd;
  }
  return phaseStart;
}
