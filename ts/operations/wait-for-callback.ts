// context.waitForCallback (API.md §6.6): a CONTEXT record (SubType WaitForCallback) around an
// unnamed callback and an unnamed submitter step that hands the callback id to an external
// system, then waits for the callback. The context records the raw callback result; the caller
// gets it deserialized with the callback serdes when it awaits.

import type { DurableContextImpl } from "../context";
import { DurablePromise } from "../durable-promise";
import { CallbackSubmitterError, ChildContextError, type DurableOperationError } from "../errors";
import type { DurableContextLogger, DurableLogger } from "../logger";
import type { RetryDecision } from "../retry";
import { deserializeOrFail } from "../scope";
import { passThroughSerdes, type Serdes } from "../serdes";
import { OperationSubType, type Duration } from "../types";
import { PLUGIN_OPERATION_NAME } from "../plugins/session";
import { createCallback, type CreateCallbackResult } from "./callback";
import { runChild } from "./child-context";
import type { StepContext } from "./step";

export interface WaitForCallbackContext<Logger extends DurableLogger = DurableLogger> {
  logger: DurableContextLogger<Logger>;
}

export type WaitForCallbackSubmitterFunc<Logger extends DurableLogger = DurableLogger> = (callbackId: string, context: WaitForCallbackContext<Logger>) => Promise<void>;

export interface WaitForCallbackConfig<TOutput = string> {
  timeout?: Duration;
  heartbeatTimeout?: Duration;
  /** Retry strategy of the submitter step (the default preset when absent). */
  retryStrategy?: (error: Error, attemptCount: number) => RetryDecision;
  serdes?: Omit<Serdes<TOutput>, "serialize">;
}

/** Callback errors reach the caller as they are; a failed submitter step becomes CallbackSubmitterError. */
function mapWaitForCallbackError(error: DurableOperationError): DurableOperationError {
  if (error.errorType === "CallbackTimeoutError" || error.errorType === "CallbackExternalError" || error.errorType === "CallbackError") return error;
  if (error.errorType === "StepError") return new CallbackSubmitterError(error.message, error);
  return new ChildContextError(error.message, error);
}

export function waitForCallback(scope: DurableContextImpl, args: unknown[]): DurablePromise<any> {
  let name: string | undefined;
  let submitter: WaitForCallbackSubmitterFunc;
  let config: WaitForCallbackConfig<unknown> | undefined;
  if (typeof args[0] === "string" || args[0] === undefined) {
    if (typeof args[1] !== "function") {
      return new DurablePromise(() => Promise.reject(new Error("waitForCallback requires a submitter function when name is provided")));
    }
    [name, submitter, config] = args as [string | undefined, WaitForCallbackSubmitterFunc, WaitForCallbackConfig<unknown> | undefined];
  } else if (typeof args[0] === "function") {
    [submitter, config] = args as [WaitForCallbackSubmitterFunc, WaitForCallbackConfig<unknown> | undefined];
  } else {
    return new DurablePromise(() => Promise.reject(new Error("waitForCallback requires a submitter function")));
  }
  const stepId = scope.nextStepId();
  // With a configured defaultCallbackDeserializer the raw text goes through the context record
  // untouched; otherwise the context's default serdes (JSON) records the raw string.
  const customDeserializer = scope.callbackDeserializer;
  const body = async (child: DurableContextImpl): Promise<unknown> => {
    const [callback, callbackId] = (await createCallback(child, [
      undefined,
      {
        timeout: config?.timeout,
        heartbeatTimeout: config?.heartbeatTimeout,
        serdes: passThroughSerdes,
        [PLUGIN_OPERATION_NAME]: name === undefined ? undefined : `${name}-callback`,
      },
    ])) as CreateCallbackResult<unknown>;
    await child.step(
      undefined,
      async (stepContext: StepContext) => {
        await submitter(callbackId, { logger: stepContext.logger });
      },
      {
        ...(config?.retryStrategy ? { retryStrategy: config.retryStrategy } : {}),
        [PLUGIN_OPERATION_NAME]: name === undefined ? undefined : `${name}-submitter`,
      },
    );
    return await callback;
  };
  const raw = runChild(scope, {
    stepId,
    name,
    fn: body,
    config: {
      subType: OperationSubType.WAIT_FOR_CALLBACK,
      serdes: customDeserializer ? passThroughSerdes : undefined,
      errorMapper: mapWaitForCallbackError,
    },
  });
  raw.catch(() => undefined);
  const deserializer = config?.serdes ?? customDeserializer ?? passThroughSerdes;
  // Deserialized when awaited, as the SDK does.
  return new DurablePromise(async () => deserializeOrFail(scope, deserializer, (await raw) as string | undefined, stepId, name));
}
