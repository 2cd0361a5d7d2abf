// waitForCondition that never meets its condition, and one whose check throws.
import { createWaitStrategy, JitterStrategy, withDurableExecution } from "@aws/durable-execution-sdk-js";

function describe(e: unknown) {
  const err = e as Error & { cause?: Error };
  return { name: err.name, message: err.message, constructor: err.constructor?.name, cause: err.cause?.message };
}

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const out: Record<string, unknown> = {};
  try {
    await context.waitForCondition("never", async (n: number) => n + 1, {
      initialState: 0,
      waitStrategy: createWaitStrategy({ shouldContinuePolling: () => true, maxAttempts: 3, initialDelay: { seconds: 1 }, jitter: JitterStrategy.NONE }),
    });
  } catch (e) {
    out.never = describe(e);
  }
  try {
    await context.waitForCondition("throws", async () => {
      throw new TypeError("check blew up");
    }, { initialState: 0, waitStrategy: () => ({ shouldContinue: false }) });
  } catch (e) {
    out.throws = describe(e);
  }
  return out;
});
