// What a step's failure looks like after it is caught, and in the history, for each kind of
// thrown value.
import { retryPresets, withDurableExecution } from "@aws/durable-execution-sdk-js";

class CustomError extends Error {
  code = "E_CUSTOM";
  constructor(message: string) {
    super(message);
    this.name = "CustomError";
  }
}

const throwers: Record<string, () => unknown> = {
  error: () => new Error("plain"),
  typeError: () => new TypeError("typed"),
  custom: () => new CustomError("custom"),
  withCause: () => new Error("outer", { cause: new Error("inner") }),
  string: () => "a string",
  object: () => ({ code: 42, message: "object message" }),
  nullValue: () => null,
  undefinedValue: () => undefined,
  number: () => 7,
  emptyMessage: () => new Error(""),
};

function describe(e: unknown) {
  const err = e as Record<string, unknown> & Error;
  return {
    isError: e instanceof Error,
    name: err?.name,
    message: err?.message,
    constructor: (e as object)?.constructor?.name,
    errorType: err?.errorType,
    errorData: err?.errorData,
    cause: err?.cause instanceof Error ? { name: err.cause.name, message: err.cause.message, constructor: err.cause.constructor.name } : err?.cause,
  };
}

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const seen: Record<string, unknown> = {};
  for (const [name, make] of Object.entries(throwers)) {
    try {
      await context.step(name, async () => {
        throw make();
      }, { retryStrategy: retryPresets.noRetry });
    } catch (e) {
      seen[name] = describe(e);
    }
  }
  return seen;
});
