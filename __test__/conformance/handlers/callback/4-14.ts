import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  const [promise] = await context.createCallback(event, { timeout: { seconds: 3 } });
  let message: string;
  try {
    message = await promise;
  } catch (error) {
    message = `callback timed out: ${(error as Error).message}`;
  }
  await context.wait({ seconds: 2 });
  return message;
});
