import { StepSemantics, withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  return await context.step(
    async (stepContext) => {
      stepContext.logger.info(`Processing input: ${event}`);
      if (stepContext.attempt === 1) process.exit(1);
      return "succeeded on second attempt";
    },
    {
      semantics: StepSemantics.AtMostOncePerRetry,
      retryStrategy: (_error, attemptsMade) => ({ shouldRetry: attemptsMade < 3, delay: { seconds: 1 } }),
    },
  );
});
