// configureLogger: a custom logger (mode-aware and not) receives what the SDK hands it.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const lines: string[] = [];
const custom = {
  info: (...args: unknown[]) => lines.push(`info ${JSON.stringify(args)}`),
  warn: (...args: unknown[]) => lines.push(`warn ${JSON.stringify(args)}`),
  error: (...args: unknown[]) => lines.push(`error ${JSON.stringify(args)}`),
  debug: (...args: unknown[]) => lines.push(`debug ${JSON.stringify(args)}`),
};

export const handler = withDurableExecution(async (_event: unknown, context) => {
  lines.length = 0;
  context.configureLogger({ customLogger: custom as never, modeAware: false });
  context.logger.info("always", { n: 1 });
  await context.step("s", async (s) => s.logger.warn("in step"));
  await context.wait({ seconds: 1 });
  context.configureLogger({ modeAware: true });
  context.logger.info("aware");
  return await context.step("collected", async () => [...lines]);
});
