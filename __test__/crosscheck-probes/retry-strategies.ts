// Retry strategies: configured, preset and hand-written, each on a step that always fails.
import { createLinearRetryStrategy, createRetryStrategy, JitterStrategy, retryPresets, withDurableExecution } from "@aws/durable-execution-sdk-js";

class Retryable extends Error {}

const strategies: Record<string, unknown> = {
  halfJitter: createRetryStrategy({ maxAttempts: 3, initialDelay: { seconds: 4 }, jitter: JitterStrategy.HALF }),
  noJitterCapped: createRetryStrategy({ maxAttempts: 4, initialDelay: { seconds: 10 }, maxDelay: { seconds: 15 }, backoffRate: 3, jitter: JitterStrategy.NONE }),
  fullJitter: createRetryStrategy({ maxAttempts: 3, initialDelay: { seconds: 20 } }),
  bogusJitter: createRetryStrategy({ maxAttempts: 2, initialDelay: { seconds: 6 }, jitter: "bogus" as JitterStrategy }),
  // Explicit undefined overrides the default (FULL) jitter, as the SDK's object spread does.
  undefinedJitter: createRetryStrategy({ maxAttempts: 2, initialDelay: { seconds: 7 }, jitter: undefined }),
  undefinedJitterLinear: createLinearRetryStrategy({ maxAttempts: 2, initialDelay: { seconds: 9 }, jitter: undefined }),
  byMessage: createRetryStrategy({ maxAttempts: 3, retryableErrors: ["transient"], jitter: JitterStrategy.NONE }),
  byMessageNoMatch: createRetryStrategy({ maxAttempts: 3, retryableErrors: [/^nope/], jitter: JitterStrategy.NONE }),
  byType: createRetryStrategy({ maxAttempts: 3, retryableErrorTypes: [Retryable], jitter: JitterStrategy.NONE }),
  linear: createLinearRetryStrategy({ maxAttempts: 3, initialDelay: { seconds: 2 }, increment: { seconds: 3 }, jitter: JitterStrategy.NONE }),
  presetLinear: retryPresets.linear,
  handWritten: (_e: Error, attempt: number) => (attempt < 3 ? { shouldRetry: true, delay: { minutes: 1, seconds: 30 } } : { shouldRetry: false }),
  noDelay: (_e: Error, attempt: number) => ({ shouldRetry: attempt < 2 }),
};

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const out: Record<string, unknown> = {};
  for (const [name, retryStrategy] of Object.entries(strategies)) {
    try {
      await context.step(name, async () => {
        throw new Retryable(`transient failure in ${name}`);
      }, { retryStrategy: retryStrategy as never });
    } catch (e) {
      out[name] = (e as Error).message;
    }
  }
  return out;
});
