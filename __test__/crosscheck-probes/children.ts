// Child contexts: nested, named, failing, large results and sub-types.
import { retryPresets, withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const nested = await context.runInChildContext("outer", async (outer) => {
    const a = await outer.step("a", async () => 1);
    const b = await outer.runInChildContext("inner", async (inner) => {
      await inner.wait({ seconds: 2 });
      return (await inner.step(async () => 2)) + a;
    });
    return a + b;
  });
  const anonymous = await context.runInChildContext(async (c) => c.step(async () => "anon"));
  const large = await context.runInChildContext("large", async (c) => {
    const parts: string[] = [];
    for (let i = 0; i < 3; i++) parts.push(await c.step(`part-${i}`, async () => "x".repeat(100_000)));
    return parts.join("").length;
  });
  let failed: unknown;
  try {
    await context.runInChildContext("failing", async (c) => {
      await c.step("boom", async () => {
        throw new TypeError("inner boom");
      }, { retryStrategy: retryPresets.noRetry });
    });
  } catch (e) {
    const err = e as Error & { cause?: Error };
    failed = { name: err.name, message: err.message, cause: err.cause?.message, causeName: err.cause?.name };
  }
  let thrownInChild: unknown;
  try {
    await context.runInChildContext("throws-directly", async () => {
      throw new RangeError("direct");
    });
  } catch (e) {
    thrownInChild = { name: (e as Error).name, message: (e as Error).message };
  }
  return { nested, anonymous, large, failed, thrownInChild };
});
