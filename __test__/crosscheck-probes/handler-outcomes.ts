// A handler that fails with a custom error after a few operations (the execution's error).
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

class OrderError extends Error {
  constructor(message: string, readonly orderId: string) {
    super(message);
    this.name = "OrderError";
  }
}

export const handler = withDurableExecution(async (event: { id: string }, context) => {
  await context.step("validate", async () => event.id);
  await context.wait({ seconds: 1 });
  throw new OrderError(`order ${event.id} rejected`, event.id);
});
export const input = { id: "o-7" };
