// context.createCallback (API.md §6.5): record a CALLBACK whose id the engine assigns, hand
// `[callbackPromise, callbackId]` to user code, and turn the record's outcome (completed by an
// external system, or timed out by the engine) into a value or a CallbackError subclass.

import { DurablePromise } from "../durable-promise";
import { validDurationSeconds } from "../duration";
import { CallbackError, CallbackExternalError, CallbackTimeoutError } from "../errors";
import { pluginOperationName } from "../plugins/session";
import { deserializeOrFail, publisher, started, whenAwaited, type Scope } from "../scope";
import { passThroughSerdes, type Serdes } from "../serdes";
import { OperationStatus, type CallbackOptions, type Duration, type ErrorObject, type WireOperation } from "../types";

export interface CreateCallbackConfig<TOutput = string> {
  timeout?: Duration;
  heartbeatTimeout?: Duration;
  serdes?: Omit<Serdes<TOutput>, "serialize">;
}

export type CreateCallbackResult<T = string> = [DurablePromise<T>, string];

export function parseCreateCallbackArgs(args: unknown[]): { name: string | undefined; config: CreateCallbackConfig<unknown> } {
  const named = typeof args[0] === "string" || args[0] === undefined;
  const name = named ? (args[0] as string | undefined) : undefined;
  const config = (named ? args[1] : args[0]) as CreateCallbackConfig<unknown> | undefined;
  return { name, config: config ?? {} };
}

export function createCallback(scope: Scope, args: unknown[]): DurablePromise<CreateCallbackResult<unknown>> {
  const { name, config } = parseCreateCallbackArgs(args);
  const stepId = scope.nextStepId();
  return new DurablePromise(started(runCreateCallback(scope, stepId, name, config)));
}

/** Seconds of an optional callback duration; 0 means "no timeout" on the wire, as in the SDK. */
function optionalSeconds(d: Duration | undefined, field: string): number | undefined {
  return d === undefined ? undefined : validDurationSeconds(d, field, 0);
}

async function runCreateCallback(scope: Scope, stepId: string, name: string | undefined, config: CreateCallbackConfig<unknown>): Promise<CreateCallbackResult<unknown>> {
  const inv = scope.invocation;
  const where = name ? ` of callback "${name}"` : "";
  // Bad durations are the caller's mistake: reject before anything is checkpointed.
  const options: CallbackOptions = {
    TimeoutSeconds: optionalSeconds(config.timeout, `timeout${where}`),
    HeartbeatTimeoutSeconds: optionalSeconds(config.heartbeatTimeout, `heartbeatTimeout${where}`),
  };
  // Per-operation serdes, then a configured defaultCallbackDeserializer, then the raw text
  // (API.md §10.3): the context's defaultSerdes deliberately plays no part for callbacks.
  const serdes = config.serdes ?? scope.callbackDeserializer ?? passThroughSerdes;
  let checked;
  try {
    checked = inv.check(stepId, "CALLBACK", "Callback", name);
  } catch (e) {
    return inv.fail(e);
  }
  const { id, operation } = checked;
  const publish = publisher(scope, stepId, id, "CALLBACK", "Callback", name);
  const plugins = inv.plugins;
  const call = { id, name: pluginOperationName(config, name), type: "CALLBACK", subType: "Callback", parentId: scope.parentId };

  if (operation && checked.kind === "replay") {
    scope.replayedFinished();
    publish("replayed");
    if (plugins) await plugins.operationEndedOnReplay(call);
    const callbackId = operation.CallbackDetails?.CallbackId;
    if (!callbackId) throw new CallbackError(`No callback ID found for callback: ${stepId}`);
    // Deserialized when awaited, like a live callback: a result nobody reads is never parsed.
    return [new DurablePromise(() => outcome(scope, operation, serdes, stepId, name)), callbackId];
  }
  scope.enterExecutionMode();
  if (!operation) {
    await inv.enqueue({ Id: id, ParentId: scope.parentId, Name: name, Type: "CALLBACK", SubType: "Callback", Action: "START", CallbackOptions: options });
    publish("started", describeOptions(options));
  }
  if (plugins) await plugins.operationStarted(call, !!operation, "record");
  const callbackId = inv.get(id)?.CallbackDetails?.CallbackId;
  if (!callbackId) throw new CallbackError(`No callback ID found for started callback: ${stepId}`);
  // Waiting starts now, not when the promise is awaited: an open callback counts as idle work
  // (the SDK's IDLE_NOT_AWAITED), so the invocation may suspend while nothing else runs.
  publish("waiting", `callback id ${callbackId}`);
  const waited = inv.waitFor(id, true);
  const closed = plugins
    ? waited.then(async (op) => {
        await plugins.operationEnded(call, false);
        return op;
      })
    : waited;
  closed.catch(() => undefined);
  const promise = new DurablePromise(whenAwaited(scope, stepId, async () => {
    const op = await closed;
    const value = outcome(scope, op, serdes, stepId, name);
    value.then(
      () => publish("succeeded"),
      (e: Error) => publish("failed", e?.message),
    );
    return value;
  }));
  return [promise, callbackId];
}

function describeOptions(o: CallbackOptions): string | undefined {
  const parts = [o.TimeoutSeconds ? `timeout ${o.TimeoutSeconds}s` : "", o.HeartbeatTimeoutSeconds ? `heartbeat ${o.HeartbeatTimeoutSeconds}s` : ""].filter(Boolean);
  return parts.length ? parts.join(", ") : undefined;
}

/** The value of a closed callback record, or the error user code sees (API.md §6.5). */
export async function outcome(
  scope: Scope,
  op: WireOperation,
  serdes: Pick<Serdes<unknown>, "deserialize">,
  stepId: string,
  name: string | undefined,
): Promise<unknown> {
  if (op.Status === OperationStatus.SUCCEEDED) return deserializeOrFail(scope, serdes, op.CallbackDetails?.Result, stepId, name);
  throw callbackFailure(op.Status === OperationStatus.TIMED_OUT, op.CallbackDetails?.Error);
}

/** Any closed status other than SUCCEEDED or TIMED_OUT counts as an external failure, as in the SDK. */
function callbackFailure(timedOut: boolean, error: ErrorObject | undefined): CallbackError {
  if (!error) return timedOut ? new CallbackTimeoutError("Callback timed out") : new CallbackExternalError("Callback failed");
  const cause = new Error(error.ErrorMessage);
  cause.name = error.ErrorType || "Error";
  cause.stack = error.StackTrace?.join("\n");
  return timedOut
    ? new CallbackTimeoutError(error.ErrorMessage || "Callback timed out", cause, error.ErrorData)
    : new CallbackExternalError(error.ErrorMessage || "Callback failed", cause, error.ErrorData);
}
