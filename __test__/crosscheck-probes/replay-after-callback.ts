// Replay ends when an awaited callback turns out to have succeeded and nothing is recorded after
// the operations called so far; a failed one leaves replay as it is (the SDK's rules).
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const callbackActions = [
  { CallbackName: "cb", Operation: "success", Payload: "x", Delay: 1 },
  { CallbackName: "cb-fails", Operation: "failure", Payload: { ErrorMessage: "no" }, Delay: 1 },
];

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const [cb] = await context.createCallback("cb");
  await context.step("s", async () => "s");
  context.logger.info("after s");
  await cb;
  context.logger.info("after cb");
  await context.step("t", async () => "t");
  context.logger.info("after t");
  const [fails] = await context.createCallback("cb-fails");
  await context.step("u", async () => "u");
  context.logger.info("after u");
  try {
    await fails;
  } catch {
    context.logger.info("after cb-fails");
  }
  await context.step("v", async () => "v");
  context.logger.info("end");
  return "done";
});
