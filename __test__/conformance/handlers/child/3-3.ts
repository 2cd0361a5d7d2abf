import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  return await context.runInChildContext("sequential_steps", async (child) => {
    const first = await child.step("first_step", async () => event);
    return await child.step("second_step", async () => first);
  });
});
