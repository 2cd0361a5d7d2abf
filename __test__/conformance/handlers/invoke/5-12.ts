import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const echo = withDurableExecution(async (event: unknown) => event);

export const functions = { echo };

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const invokeResult = await context.invoke<string, string>("echo-first", "echo", "invoke-result");
  return await context.step(async () => `processed: ${invokeResult}`);
});
