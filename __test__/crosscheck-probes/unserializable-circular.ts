// A circular step result: both SDKs fail the invocation as unrecoverable, every time.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  return await context.step("circular", async () => {
    const o: Record<string, unknown> = {};
    o.self = o;
    return o;
  });
});
