import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const echo = withDurableExecution(async (event: unknown) => event);

export const functions = { echo };

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const stepResult = await context.step(async () => "step-result");
  return await context.invoke("echo-step-result", "echo", stepResult);
});
