import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  return await context.runInChildContext(async (child) => {
    return await child.step(async () => event);
  });
});
