import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const echo = withDurableExecution(async (event: unknown) => event);

export const functions = { echo };

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const result = await context.invoke("echo", { value: "cached" });
  await context.wait({ seconds: 1 });
  return result;
});
