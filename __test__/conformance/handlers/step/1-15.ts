import { withDurableExecution } from "@aws/durable-execution-sdk-js";

class TransientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransientError";
  }
}

const retryOnTransient = (error: Error) =>
  error instanceof TransientError ? { shouldRetry: true, delay: { seconds: 1 } } : { shouldRetry: false };

export const handler = withDurableExecution(async (_event: unknown, context) => {
  return await context.step(
    async (stepContext) => {
      if (stepContext.attempt === 1) throw new TransientError("temporary glitch");
      return "recovered";
    },
    { retryStrategy: retryOnTransient },
  );
});
