import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const LARGE_SIZE = 300 * 1024;

export const handler = withDurableExecution(async (event: string, context) => {
  const large = await context.runInChildContext("large_payload_child", async (child) => {
    // Replay logging on, so a re-execution of the body is visible in the logs.
    child.configureLogger({ modeAware: false });
    child.logger.info(`Building large result for: ${event}`);
    const small = await child.step("small_step", async () => "x");
    return small.repeat(LARGE_SIZE);
  });
  await context.wait({ seconds: 1 });
  return { length: large.length };
});
