// context.invoke (API.md §6.4): record a CHAINED_INVOKE that makes the engine run another
// registered function (durable or plain) as a linked execution; the caller waits (normally
// suspended) until the engine writes the target's outcome back to the record.

import { DurablePromise } from "../durable-promise";
import { InvokeError } from "../errors";
import { deserializeOrFail, publisher, serializeOrFail, started, whenAwaited, type Scope } from "../scope";
import type { Serdes } from "../serdes";
import { OperationStatus, type WireOperation } from "../types";

export interface InvokeConfig<I, O> {
  payloadSerdes?: Serdes<I>;
  resultSerdes?: Serdes<O>;
  tenantId?: string;
}

interface InvokeRequest {
  stepId: string;
  name: string | undefined;
  funcId: string;
  input: unknown;
  config: InvokeConfig<unknown, unknown>;
}

/** The second argument being a string selects the named form (API.md §6.4), exactly as the SDK. */
function parseInvokeArgs(args: unknown[]): Omit<InvokeRequest, "stepId"> {
  const named = typeof args[1] === "string";
  const [name, funcId, input, config] = named ? args : [undefined, ...args];
  return {
    name: name as string | undefined,
    funcId: funcId as string,
    input,
    config: (config ?? {}) as InvokeConfig<unknown, unknown>,
  };
}

export function invoke(scope: Scope, args: unknown[]): DurablePromise<any> {
  const parsed = parseInvokeArgs(args);
  const stepId = scope.nextStepId();
  // Serdes defaults are those of the context when invoke is called (configureSerdes later
  // does not change an operation already started).
  const resultSerdes = parsed.config.resultSerdes ?? scope.defaultSerdes;
  const closed = started(runInvoke(scope, { stepId, ...parsed }));
  return new DurablePromise(whenAwaited(scope, stepId, async () => invokeOutcome(scope, await closed(), { stepId, ...parsed }, resultSerdes)));
}

/** Phase 1: validate, checkpoint START if needed, and wait for the record to close. */
async function runInvoke(scope: Scope, req: InvokeRequest): Promise<WireOperation> {
  const inv = scope.invocation;
  const { stepId, name, funcId, config } = req;
  if (typeof funcId !== "string" || funcId === "") {
    throw new TypeError(`invoke requires the target function's name or ARN as a non-empty string${name ? ` (invoke "${name}")` : ""}, got ${JSON.stringify(funcId) ?? typeof funcId}`);
  }
  let checked;
  try {
    checked = inv.check(stepId, "CHAINED_INVOKE", "ChainedInvoke", name);
  } catch (e) {
    return inv.fail(e);
  }
  const { id, operation } = checked;
  const publish = publisher(scope, stepId, id, "CHAINED_INVOKE", "ChainedInvoke", name);
  const plugins = inv.plugins;
  const call = { id, name, type: "CHAINED_INVOKE", subType: "ChainedInvoke", parentId: scope.parentId };
  if (operation && checked.kind === "replay") {
    scope.replayedFinished();
    publish("replayed");
    if (plugins) await plugins.operationEndedOnReplay(call);
    return operation;
  }
  scope.enterExecutionMode();
  if (!operation) {
    const payload = await serializeOrFail(scope, config.payloadSerdes ?? scope.defaultSerdes, req.input, stepId, name);
    await inv.enqueue({
      Id: id,
      ParentId: scope.parentId,
      Name: name,
      Type: "CHAINED_INVOKE",
      SubType: "ChainedInvoke",
      Action: "START",
      Payload: payload,
      ChainedInvokeOptions: { FunctionName: funcId, ...(config.tenantId ? { TenantId: config.tenantId } : {}) },
    });
    publish("started", funcId);
  }
  if (plugins) await plugins.operationStarted(call, !!operation, "record");
  // Waiting counts as idle from now on (the SDK's IDLE_NOT_AWAITED), awaited or not.
  publish("waiting", `for ${funcId}`);
  const op = await inv.waitFor(id, true);
  publish(op.Status === OperationStatus.SUCCEEDED ? "succeeded" : "failed", op.ChainedInvokeDetails?.Error?.ErrorMessage);
  if (plugins) await plugins.operationEnded(call, false);
  return op;
}

/** Phase 2: the target's result through the result serdes, or an InvokeError. */
async function invokeOutcome(scope: Scope, op: WireOperation, req: InvokeRequest, resultSerdes: Serdes<unknown>): Promise<unknown> {
  if (op.Status === OperationStatus.SUCCEEDED) {
    return deserializeOrFail(scope, resultSerdes, op.ChainedInvokeDetails?.Result, req.stepId, req.name);
  }
  // FAILED, TIMED_OUT, STOPPED (and CANCELLED): the cause keeps only the message, as in the SDK.
  const error = op.ChainedInvokeDetails?.Error;
  if (!error) throw new InvokeError("Invoke failed");
  throw new InvokeError(error.ErrorMessage || "Invoke failed", error.ErrorMessage ? new Error(error.ErrorMessage) : undefined, error.ErrorData);
}
