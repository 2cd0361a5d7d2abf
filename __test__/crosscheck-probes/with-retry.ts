// withRetry: a block of durable logic retried, wrapped in a child context or not.
import { withDurableExecution, withRetry } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const wrapped = await withRetry(context, "wrapped", async (ctx, attempt) => {
    const v = await ctx.step(`try-${attempt}`, async () => attempt);
    if (v < 3) throw new Error(`attempt ${attempt} not yet`);
    return v;
  }, { retryStrategy: (_e, n) => ({ shouldRetry: n < 5, delay: { seconds: 2 } }) });
  let failed: unknown;
  try {
    await withRetry(context, async (ctx) => {
      await ctx.step(async () => "x");
      throw new RangeError("always");
    }, { retryStrategy: (_e, n) => ({ shouldRetry: n < 2 }), wrapWithRunInChildContext: false });
  } catch (e) {
    failed = { name: (e as Error).name, message: (e as Error).message };
  }
  let failedWrapped: unknown;
  try {
    await withRetry(context, "wrapped-fails", async () => {
      throw new TypeError("inner");
    }, { retryStrategy: () => ({ shouldRetry: false }) });
  } catch (e) {
    failedWrapped = { name: (e as Error).name, message: (e as Error).message, cause: ((e as Error).cause as Error)?.message };
  }
  return { wrapped, failed, failedWrapped };
});
