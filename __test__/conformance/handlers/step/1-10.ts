import { retryPresets, withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  let caught: string | undefined;
  try {
    await context.step(
      async () => {
        console.log("step executed");
        throw new Error("step failed permanently");
      },
      { retryStrategy: retryPresets.noRetry },
    );
  } catch (error) {
    caught = (error as Error).message;
  }
  await context.wait({ seconds: 1 });
  return { caught };
});
