import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  const [promise] = await context.createCallback(event);
  const result = await promise;
  await context.wait({ seconds: 2 });
  return result;
});
