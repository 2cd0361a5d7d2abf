// createWaitStrategy (API.md §9): the polling policy of waitForCondition — stop when the state
// says so, otherwise back off exponentially with jitter, and give up after maxAttempts.

import { durationSeconds } from "./duration";
import { JitterStrategy, applyJitter } from "./retry";
import type { Duration } from "./types";

export type WaitForConditionDecision = { shouldContinue: true; delay: Duration } | { shouldContinue: false };

export type WaitForConditionWaitStrategyFunc<T> = (state: T, attempt: number) => WaitForConditionDecision;

export interface WaitStrategyConfig<T> {
  maxAttempts?: number;
  initialDelay?: Duration;
  maxDelay?: Duration;
  backoffRate?: number;
  jitter?: JitterStrategy;
  shouldContinuePolling: (result: T) => boolean;
  /** Accepted for compatibility; the SDK 2.4.0 ignores it, and so does durable-node. */
  timeoutSeconds?: number;
}

export const createWaitStrategy = <T>(config: WaitStrategyConfig<T>): ((result: T, attemptsMade: number) => WaitForConditionDecision) => {
  // Explicit `undefined` values override the defaults, as with the SDK's object spread.
  const c = { maxAttempts: 60, initialDelay: { seconds: 5 }, maxDelay: { seconds: 300 }, backoffRate: 1.5, jitter: JitterStrategy.FULL, ...config };
  return (result, attemptsMade) => {
    if (!c.shouldContinuePolling(result)) return { shouldContinue: false };
    // Throwing (rather than answering "stop") makes the waitForCondition fail: the condition
    // was never met, which is not a result.
    if (attemptsMade >= c.maxAttempts) throw new Error(`waitForCondition exceeded maximum attempts (${c.maxAttempts})`);
    const base = Math.min(durationSeconds(c.initialDelay) * c.backoffRate ** (attemptsMade - 1), durationSeconds(c.maxDelay));
    return { shouldContinue: true, delay: { seconds: Math.max(1, Math.round(applyJitter(base, c.jitter))) } };
  };
};
