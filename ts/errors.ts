// The error classes user code sees (API.md §11), the conversion of thrown values to wire error
// objects and back, and the SDK-internal "unrecoverable" errors that end an invocation.

import type { ErrorObject } from "./types";

const DEFAULT_MESSAGES: Record<string, string> = {
  StepError: "Step failed",
  CallbackError: "Callback failed",
  CallbackExternalError: "Callback failed",
  CallbackTimeoutError: "Callback timed out",
  CallbackSubmitterError: "Callback submitter failed",
  InvokeError: "Invoke failed",
  ChildContextError: "Child context failed",
  PromiseCombinatorError: "Promise combinator failed",
  WaitForConditionError: "Wait for condition failed",
};

export abstract class DurableOperationError extends Error {
  abstract readonly errorType: string;
  readonly errorData?: string;
  readonly stackTrace?: string[];
  override cause?: Error;

  constructor(message?: string, cause?: Error, errorData?: string) {
    super(message);
    this.cause = cause;
    this.errorData = errorData;
  }

  /** Rebuilds the error class named by `ErrorType` (any other type becomes a StepError). */
  static fromErrorObject(o: ErrorObject): DurableOperationError {
    const cause = new Error(o.ErrorMessage);
    cause.name = o.ErrorType || "Error";
    if (o.StackTrace) cause.stack = o.StackTrace.join("\n");
    const Known = KNOWN_TYPES[o.ErrorType ?? ""];
    if (Known) return new Known(o.ErrorMessage, cause, o.ErrorData);
    return new StepError(o.ErrorMessage || "Unknown error", cause, o.ErrorData);
  }

  toErrorObject(): ErrorObject {
    return { ErrorType: this.errorType, ErrorMessage: this.message, ErrorData: this.errorData ?? inheritedErrorData(this.cause), StackTrace: undefined };
  }
}

function inheritedErrorData(cause: unknown): string | undefined {
  let current = cause;
  for (let depth = 0; depth < 10 && current; depth++) {
    if (current instanceof DurableOperationError && typeof current.errorData === "string") return current.errorData;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function operationError(errorType: string) {
  const Base = class extends DurableOperationError {
    readonly errorType = errorType;
    constructor(message?: string, cause?: Error, errorData?: string) {
      super(message || DEFAULT_MESSAGES[errorType], cause, errorData);
      this.name = errorType;
    }
  };
  return Base;
}

export class StepError extends operationError("StepError") {}
export class CallbackError extends DurableOperationError {
  readonly errorType: string = "CallbackError";
  constructor(message?: string, cause?: Error, errorData?: string) {
    super(message || DEFAULT_MESSAGES.CallbackError, cause, errorData);
    this.name = "CallbackError";
  }
}
function callbackError(errorType: string) {
  return class extends CallbackError {
    override readonly errorType: string = errorType;
    constructor(message?: string, cause?: Error, errorData?: string) {
      super(message || DEFAULT_MESSAGES[errorType], cause, errorData);
      this.name = errorType;
    }
  };
}
export class CallbackExternalError extends callbackError("CallbackExternalError") {}
export class CallbackTimeoutError extends callbackError("CallbackTimeoutError") {}
export class CallbackSubmitterError extends callbackError("CallbackSubmitterError") {}
export class InvokeError extends operationError("InvokeError") {}
export class ChildContextError extends operationError("ChildContextError") {}
export class PromiseCombinatorError extends operationError("PromiseCombinatorError") {}
export class WaitForConditionError extends operationError("WaitForConditionError") {}

export class BatchCompletionError extends DurableOperationError {
  readonly errorType = "BatchCompletionError";
  constructor(readonly completionReason: string, message?: string, cause?: Error, errorData?: string) {
    super(message || `Batch completed as failed by shouldComplete (${completionReason})`, cause, errorData);
    this.name = "BatchCompletionError";
  }
}

const KNOWN_TYPES: Record<string, new (m?: string, c?: Error, d?: string) => DurableOperationError> = {
  StepError,
  CallbackError,
  CallbackExternalError,
  CallbackTimeoutError,
  CallbackSubmitterError,
  InvokeError,
  ChildContextError,
  WaitForConditionError,
  PromiseCombinatorError,
};

export class StepInterruptedError extends Error {
  constructor(_stepId: string, _stepName?: string) {
    super("The step execution process was initiated but failed to reach completion due to an interruption.");
    this.name = "StepInterruptedError";
  }
}

export const DurableExecutionClientErrorScope = { INVOCATION: "INVOCATION", EXECUTION: "EXECUTION" } as const;
export type DurableExecutionClientErrorScope = (typeof DurableExecutionClientErrorScope)[keyof typeof DurableExecutionClientErrorScope];
export interface DurableExecutionClientErrorOptions { scope?: DurableExecutionClientErrorScope; cause?: unknown }

export class DurableExecutionClientError extends Error {
  readonly isDurableExecutionClientError = true;
  readonly scope: DurableExecutionClientErrorScope;
  constructor(message: string, options?: DurableExecutionClientErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DurableExecutionClientError";
    this.scope = options?.scope ?? DurableExecutionClientErrorScope.INVOCATION;
  }
}

export function isDurableExecutionClientError(error: unknown): error is DurableExecutionClientError {
  return (
    error instanceof Error &&
    (error as { isDurableExecutionClientError?: unknown }).isDurableExecutionClientError === true &&
    Object.values(DurableExecutionClientErrorScope).includes((error as { scope?: never }).scope as never)
  );
}

export class PluginLoadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(`Dynamic plugin configuration failed: ${message}`, options);
    this.name = "PluginLoadError";
  }
}

/** The wire error object of any thrown value (API.md §11.4). Stack traces are never sent. */
export function errorObject(e: unknown): ErrorObject {
  if (e instanceof DurableOperationError) return e.toErrorObject();
  if (e && typeof e === "object" && "message" in e && "name" in e) {
    const err = e as { name: unknown; message: unknown };
    return { ErrorType: String(err.name), ErrorMessage: String(err.message), ErrorData: undefined, StackTrace: undefined };
  }
  return { ErrorMessage: "Unknown error" };
}

/** Errors that end the invocation instead of reaching user code (API.md §11.5). */
export abstract class UnrecoverableError extends Error {
  readonly isUnrecoverable = true;
  abstract readonly scope: "EXECUTION" | "INVOCATION";
}

export class UnrecoverableExecutionError extends UnrecoverableError {
  readonly scope = "EXECUTION" as const;
  constructor(message: string, name = "UnrecoverableExecutionError") {
    super(message.startsWith("[Unrecoverable Execution]") ? message : `[Unrecoverable Execution] ${message}`);
    this.name = name;
  }
}

export class UnrecoverableInvocationError extends UnrecoverableError {
  readonly scope = "INVOCATION" as const;
  constructor(message: string, name = "UnrecoverableInvocationError", options?: ErrorOptions) {
    super(`[Unrecoverable Invocation] ${message}`, options);
    this.name = name;
  }
}

export class NonDeterministicExecutionError extends UnrecoverableExecutionError {
  constructor(message: string) {
    super(message, "NonDeterministicExecutionError");
  }
}

export class SerdesFailedError extends UnrecoverableInvocationError {
  constructor(direction: "Serialization" | "Deserialization", stepName: string | undefined, stepId: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`${direction} failed for step "${stepName ?? stepId}" (${stepId}): ${why}`, "SerdesFailedError", { cause });
  }
}
