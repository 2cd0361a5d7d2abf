import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const failing = withDurableExecution(async () => {
  throw new Error("target function failed");
});

export const functions = { failing };

export const handler = withDurableExecution(async (_event: unknown, context) => {
  let message: string;
  try {
    await context.invoke("failing");
    message = "unexpected success";
  } catch (error) {
    message = `caught: ${(error as Error).message}`;
  }
  await context.wait({ seconds: 1 });
  return message;
});
