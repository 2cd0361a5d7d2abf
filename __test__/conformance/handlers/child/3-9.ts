import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  const result = await context.runInChildContext(async (child) => {
    return await child.step(async () => event);
  });
  await context.wait({ seconds: 1 });
  return result;
});
