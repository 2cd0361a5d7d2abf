// Which invocation logs what: the default logger is silent while code replays, and the SDK
// decides when replay ends (after each kind of finished operation, in the root and in a child).
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const callbackActions = [
  { CallbackName: "cb", Operation: "success", Payload: "ok", Delay: 2 },
  { CallbackName: "wfc", Operation: "success", Payload: "ok" },
];

export const handler = withDurableExecution(async (_event: unknown, context) => {
  context.logger.info("start");
  await context.step("a", async () => 1);
  context.logger.info("after step a");
  await context.wait("w1", { seconds: 1 });
  context.logger.info("after wait w1");
  await context.step("b", async () => 2);
  context.logger.info("after step b");
  const [cb] = await context.createCallback("cb");
  context.logger.info("after createCallback");
  await cb;
  context.logger.info("after callback");
  await context.runInChildContext("child", async (c) => {
    c.logger.info("child start");
    await c.wait({ seconds: 1 });
    c.logger.info("child after wait");
    await c.step(async () => 3);
    c.logger.info("child after step");
  });
  context.logger.info("after child");
  await context.waitForCallback("wfc", async () => undefined);
  context.logger.info("after wfc");
  await context.step("c", async () => 4);
  context.logger.info("after step c");
  await context.wait({ seconds: 1 });
  context.logger.info("end");
  return "done";
});
