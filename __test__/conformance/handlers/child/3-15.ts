import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  return await context.runInChildContext("throwing_child", async (): Promise<string> => {
    throw new Error("error thrown directly in child context");
  });
});
