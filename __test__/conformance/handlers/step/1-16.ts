import { withDurableExecution } from "@aws/durable-execution-sdk-js";

class TransientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransientError";
  }
}

const noRetryOnTransientError = (error: Error) =>
  error instanceof TransientError ? { shouldRetry: false } : { shouldRetry: true, delay: { seconds: 1 } };

export const handler = withDurableExecution(async (_event: unknown, context) => {
  return await context.step(
    async () => {
      throw new TransientError("transient failure that is not retried");
    },
    { retryStrategy: noRetryOnTransientError },
  );
});
