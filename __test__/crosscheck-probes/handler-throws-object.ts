// A handler that throws a plain object with a message and extra fields.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async () => {
  throw { message: "object thrown", code: 7 };
});
