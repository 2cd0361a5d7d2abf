import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const echo = withDurableExecution(async (event: unknown) => event);

export const functions = { echo };

interface ComplexInput {
  nested: { key: string; items: number[] };
  source: string;
}

export const handler = withDurableExecution(async (event: ComplexInput, context) => {
  return await context.invoke<ComplexInput, ComplexInput>("echo", event);
});
