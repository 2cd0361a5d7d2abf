// The default logger: levels, several arguments, objects, errors, inside steps and children.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: { who: string }, context) => {
  context.logger.info("hello", event.who);
  context.logger.info({ structured: true, n: 1 });
  context.logger.warn("a warning", { detail: [1, 2] });
  context.logger.error("an error", new TypeError("bad type"));
  context.logger.debug("debug line");
  await context.step("logs", async (step) => {
    step.logger.info("in step %s with %d", "fmt", 3);
  });
  await context.runInChildContext("child", async (c) => {
    c.logger.info("in child");
    await c.step(async (s) => s.logger.warn("in child step"));
  });
  await context.wait({ seconds: 1 });
  context.logger.info("after wait");
  return "logged";
});
export const input = { who: "world" };
