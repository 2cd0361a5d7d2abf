import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  return await context.runInChildContext("outer_context", async (outer) => {
    await outer.step("outer_step", async () => event);
    return await outer.runInChildContext("inner_context", async (inner) => {
      return await inner.step("inner_step", async () => event);
    });
  });
});
