import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  const value = await context.runInChildContext("child_step_and_wait", async (child) => {
    const inner = await child.step("inner_step", async () => event);
    await child.wait("inner_wait", { seconds: 1 });
    return inner;
  });
  const outer = await context.step("outer_step", async () => value);
  await context.wait("outer_wait", { seconds: 1 });
  return outer;
});
