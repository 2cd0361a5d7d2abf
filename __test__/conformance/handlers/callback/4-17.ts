import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: [string, string], context) => {
  const [promiseA] = await context.createCallback(event[0]);
  const a = await promiseA;
  const [promiseB] = await context.createCallback(event[1]);
  const b = await promiseB;
  return { a, b };
});
