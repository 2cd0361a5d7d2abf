import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  const value = await context.runInChildContext("logging_child", async (child) => {
    // Replay logging on, so a re-execution of the body would be visible in the logs.
    child.configureLogger({ modeAware: false });
    child.logger.info(`Child context processing: ${event}`);
    return event;
  });
  await context.wait({ seconds: 1 });
  return value;
});
