import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const result = await context.step(async () => "computed");
  await context.wait({ seconds: 2 });
  return result;
});
