import { withDurableExecution } from "@aws/durable-execution-sdk-js";
import { customerService, paymentService, inventoryService } from "./services";

export const handler = withDurableExecution(async (event, context) => {
  const orderId = event.orderId;

  // Step 1: Validate the order. The result is checkpointed.
  const validation = await context.step("validate-order", async () => {
    // Assume customerService is an imported module
    return await customerService.validate(event.customerId);
  });

  if (!validation.isValid) {
    return { status: "rejected", reason: "Invalid Customer" };
  }

  // Step 2: Process Payment.
  // If the function fails after this, payment is not charged twice.
  const payment = await context.step("process-payment", async () => {
    return await paymentService.charge(orderId, event.amount);
  });

  // Step 3: Wait.
  // Execution suspends here. You are NOT billed for these 10 seconds.
  await context.wait({ seconds: 10 });

  // Step 4: Confirm Order
  await context.step("confirm-order", async () => {
    return await inventoryService.confirm(orderId);
  });

  return { status: "completed", orderId };
});
