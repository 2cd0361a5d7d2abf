import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const echo1 = withDurableExecution(async (event: unknown) => event);
const echo2 = withDurableExecution(async (event: unknown) => event);

export const functions = { echo1, echo2 };

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const first = await context.invoke("first-invoke", "echo1", "first");
  const second = await context.invoke("second-invoke", "echo2", "second");
  return { first, second };
});
