import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const stepOne = () => "first";
const stepTwo = (previous: string) => `${previous}_second`;

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const result1 = await context.step(async () => stepOne());
  const result2 = await context.step(async () => stepTwo(result1));
  return result2;
});
