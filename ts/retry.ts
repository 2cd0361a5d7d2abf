// Retry strategies (API.md §8): exponential and linear with jitter, the presets, and the
// decision type steps use.

import { durationSeconds } from "./duration";
import type { Duration } from "./types";

export interface RetryDecision {
  shouldRetry: boolean;
  delay?: Duration;
}

export enum JitterStrategy {
  NONE = "NONE",
  FULL = "FULL",
  HALF = "HALF",
}

interface ErrorFilter {
  retryableErrors?: (string | RegExp)[];
  retryableErrorTypes?: (new () => Error)[];
}

export interface RetryStrategyConfig extends ErrorFilter {
  maxAttempts?: number;
  initialDelay?: Duration;
  maxDelay?: Duration;
  backoffRate?: number;
  jitter?: JitterStrategy;
}

export interface LinearRetryStrategyConfig extends ErrorFilter {
  maxAttempts?: number;
  initialDelay?: Duration;
  increment?: Duration;
  maxDelay?: Duration;
  jitter?: JitterStrategy;
}

export type RetryStrategy = (error: Error, attemptsMade: number) => RetryDecision;

function isRetryable(error: Error, filter: ErrorFilter): boolean {
  const { retryableErrors, retryableErrorTypes } = filter;
  if (!retryableErrors && !retryableErrorTypes) return true;
  const message = error?.message ?? "";
  const byMessage = (retryableErrors ?? []).some((p) => (typeof p === "string" ? message.includes(p) : p.test(message)));
  const byType = (retryableErrorTypes ?? []).some((t) => error instanceof t);
  return byMessage || byType;
}

export function applyJitter(base: number, jitter: JitterStrategy): number {
  switch (jitter) {
    case JitterStrategy.NONE:
      return base;
    case JitterStrategy.HALF:
      return base / 2 + Math.random() * (base / 2);
    case JitterStrategy.FULL:
      return Math.random() * base;
    default:
      // An unknown strategy leaves the delay as it is, as the SDK's retry strategies do.
      return base;
  }
}

function decide(error: Error, attemptsMade: number, maxAttempts: number, filter: ErrorFilter, base: () => number, jitter: JitterStrategy): RetryDecision {
  if (attemptsMade >= maxAttempts) return { shouldRetry: false };
  if (!isRetryable(error, filter)) return { shouldRetry: false };
  const delay = Math.max(1, Math.round(applyJitter(base(), jitter)));
  return { shouldRetry: true, delay: { seconds: delay } };
}

// Explicit `undefined` values in a config override the defaults, as with the SDK's object
// spread: `jitter: undefined` means no jitter, `maxAttempts: undefined` no limit.

export function createRetryStrategy(config: RetryStrategyConfig = {}): RetryStrategy {
  const c = { maxAttempts: 3, initialDelay: { seconds: 5 } as Duration, maxDelay: { minutes: 5 } as Duration, backoffRate: 2, jitter: JitterStrategy.FULL, ...config };
  return (error, attemptsMade) =>
    decide(error, attemptsMade, c.maxAttempts, config, () => Math.min(durationSeconds(c.initialDelay) * Math.pow(c.backoffRate, attemptsMade - 1), durationSeconds(c.maxDelay)), c.jitter);
}

export function createLinearRetryStrategy(config: LinearRetryStrategyConfig = {}): RetryStrategy {
  const c = { maxAttempts: 6, initialDelay: { seconds: 1 } as Duration, increment: { seconds: 1 } as Duration, maxDelay: { minutes: 5 } as Duration, jitter: JitterStrategy.FULL, ...config };
  return (error, attemptsMade) =>
    decide(error, attemptsMade, c.maxAttempts, config, () => Math.min(durationSeconds(c.initialDelay) + durationSeconds(c.increment) * (attemptsMade - 1), durationSeconds(c.maxDelay)), c.jitter);
}

export const retryPresets = {
  default: createRetryStrategy({ maxAttempts: 6, initialDelay: { seconds: 5 }, maxDelay: { seconds: 60 }, backoffRate: 2, jitter: JitterStrategy.FULL }),
  linear: createLinearRetryStrategy({ maxAttempts: 6, initialDelay: { seconds: 1 }, increment: { seconds: 1 }, jitter: JitterStrategy.NONE }),
  noRetry: createRetryStrategy({ maxAttempts: 1 }),
};
