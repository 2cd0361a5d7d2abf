// A step result JSON cannot carry: both SDKs fail the invocation as unrecoverable, every time.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  await context.step("ok", async () => 1);
  return await context.step("bigint", async () => BigInt(1) as unknown as number);
});
