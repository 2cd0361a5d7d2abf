import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  return await context.runInChildContext("child_step_and_wait", async (child) => {
    const value = await child.step("inner_step", async () => event);
    await child.wait("inner_wait", { seconds: 1 });
    return value;
  });
});
