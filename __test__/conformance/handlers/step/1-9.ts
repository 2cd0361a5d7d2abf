import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const result = await context.step(async () => {
    console.log("step executed");
    return "cached_value";
  });
  await context.wait({ seconds: 1 });
  return result;
});
