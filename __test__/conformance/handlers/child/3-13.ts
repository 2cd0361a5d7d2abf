import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  const value = await context.runInChildContext("child_with_wait", async (child) => {
    await child.wait({ seconds: 1 });
    return event;
  });
  return await context.step(async () => value);
});
