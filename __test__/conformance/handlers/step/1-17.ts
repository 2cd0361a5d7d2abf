import { StepSemantics, withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  return await context.step(
    "at_most_once_flaky_step",
    async (stepContext) => {
      stepContext.logger.info(`Processing input: ${event}`);
      process.exit(1);
    },
    { semantics: StepSemantics.AtMostOncePerRetry, retryStrategy: () => ({ shouldRetry: false }) },
  );
});
