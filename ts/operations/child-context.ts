// context.runInChildContext (API.md §6.3): a CONTEXT record around a function that gets its own
// DurableContext (own step-id namespace, its operations parented to it). A finished context is
// replayed from its record; an unfinished one, or one whose result was too large to record
// (ReplayChildren), runs its function again. `runChild` is also what map, parallel and the
// promise combinators are built from.

import type { DurableContext, DurableContextImpl } from "../context";
import { DurablePromise } from "../durable-promise";
import { ChildContextError, DurableOperationError, UnrecoverableError, errorObject } from "../errors";
import type { DurableLogger } from "../logger";
import type { OperationCall } from "../plugins/session";
import { runAsActive } from "../runtime/context-tracking";
import { deserializeOrFail, publisher, serializeOrFail, started } from "../scope";
import type { Serdes } from "../serdes";
import { OperationStatus, OperationSubType, type OperationUpdate, type WireOperation } from "../types";

export interface ChildConfig<T> {
  serdes?: Serdes<T>;
  subType?: string;
  summaryGenerator?: (result: T) => string;
  errorMapper?: (originalError: DurableOperationError) => DurableOperationError;
  virtualContext?: boolean;
}

export type ChildFunc<T, Logger extends DurableLogger = DurableLogger> = (context: DurableContext<Logger>) => Promise<T>;

/** Above this many UTF-8 bytes a context records a summary and replays its children (API.md §15). */
export const CHECKPOINT_SIZE_LIMIT = 262_144;

const NEVER = new Promise<never>(() => {});

export interface ChildRequest<T> {
  /** Un-hashed step id of the context, allocated by the caller at call time. */
  stepId: string;
  name: string | undefined;
  fn: (child: DurableContextImpl) => Promise<T> | T;
  config: ChildConfig<T>;
}



export function runInChildContext(parent: DurableContextImpl, args: unknown[]): DurablePromise<any> {
  const named = typeof args[0] === "string" || args[0] === undefined;
  const [name, fn, config] = named ? args : [undefined, ...args];
  if (typeof fn !== "function") {
    throw new TypeError(`runInChildContext requires a function${name ? ` (context "${name}")` : ""}, got ${typeof fn}`);
  }
  const stepId = parent.nextStepId();
  const request = { stepId, name: name as string | undefined, fn: fn as ChildRequest<unknown>["fn"], config: (config ?? {}) as ChildConfig<unknown> };
  return new DurablePromise(started(runChild(parent, request)));
}

/** Runs a child context to its outcome: the (round-tripped) value, or the mapped error. */
export async function runChild<T>(parent: DurableContextImpl, req: ChildRequest<T>): Promise<T> {
  if (req.config.virtualContext) return runVirtual(parent, req);
  const inv = parent.invocation;
  const { stepId, name, config } = req;
  const subType = config.subType ?? OperationSubType.RUN_IN_CHILD_CONTEXT;
  const serdes = config.serdes ?? parent.defaultSerdes;
  let checked;
  try {
    checked = inv.check(stepId, "CONTEXT", subType, name);
  } catch (e) {
    return inv.fail(e);
  }
  const { id, operation: op } = checked;
  const publish = publisher(parent, stepId, id, "CONTEXT", subType, name);
  const call: OperationCall = { id, name, type: "CONTEXT", subType, parentId: parent.parentId };
  // Inside a context that is only being replayed, nothing new may start.
  if (parent.replayOnly && checked.kind !== "replay") return NEVER;

  if (op?.Status === OperationStatus.SUCCEEDED && !op.ContextDetails?.ReplayChildren) {
    publish("replayed");
    return deserializeOrFail(parent, serdes, op.ContextDetails?.Result, stepId, name);
  }
  if (op && op.Status !== OperationStatus.SUCCEEDED && checked.kind === "replay") {
    publish("replayed");
    const recorded = op.ContextDetails?.Error;
    throw mapError(config, recorded ? DurableOperationError.fromErrorObject(recorded) : new ChildContextError("Child context failed"));
  }
  if (op?.Status === OperationStatus.SUCCEEDED) {
    // The result was too large to record: rebuild it by replaying the children, which all have
    // terminal records; nothing in here may checkpoint.
    publish("replayed");
    inv.markFinished(stepId);
    const child = parent.createChild({ prefix: stepId, parentId: id, replaying: true, replayOnly: true, replayRecord: op, operation: { id, name } });
    let value: T;
    try {
      // A replayed body is not a new run: plugins do not wrap it (as in the SDK).
      value = await runBody(child, req.fn);
    } catch (e) {
      if (e instanceof UnrecoverableError) return inv.fail(e);
      throw mapError(config, DurableOperationError.fromErrorObject(errorObject(e)));
    }
    const payload = await serializeOrFail(parent, serdes, value, stepId, name);
    return deserializeOrFail(parent, serdes, payload, stepId, name);
  }

  parent.enterExecutionMode();
  const base: OperationUpdate = { Id: id, ParentId: parent.parentId, Name: name, Type: "CONTEXT", SubType: subType, Action: "START" };
  if (!op) {
    void inv.enqueue(base);
    publish("started");
  } else {
    publish("resumed");
  }
  // Awaited even with no plugin, as the SDK awaits its hook: the body starts a tick after the
  // START is queued, so siblings started together (map items, parallel branches) record their
  // STARTs before anything their bodies do.
  await inv.plugins?.operationStarted(call, !!op, { status: op ? undefined : "STARTED" });
  // Within pluginsConfig.childOperationsDepth the outcome carries ReplayChildren (API.md §3.2).
  const keep: Partial<OperationUpdate> = inv.keepsChildren(id, parent.parentId) ? { ContextOptions: { ReplayChildren: true } } : {};
  const child = parent.createChild({ prefix: stepId, parentId: id, replaying: false, replayOnly: false, operation: { id, name } });
  return finish(parent, child, req, serdes, (update) => void inv.enqueue({ ...base, ...keep, ...update }), publish, call);
}

/** No record of its own: its operations are parented to the enclosing context (API.md §6.3). */
async function runVirtual<T>(parent: DurableContextImpl, req: ChildRequest<T>): Promise<T> {
  // The body starts a tick later, as in runChild.
  await undefined;
  const child = parent.createChild({
    prefix: req.stepId,
    parentId: parent.parentId,
    replaying: parent.isReplaying,
    replayOnly: parent.replayOnly,
    operation: parent.operationInfo,
  });
  return finish(parent, child, req, req.config.serdes ?? parent.defaultSerdes, undefined, undefined);
}

async function finish<T>(
  parent: DurableContextImpl,
  child: DurableContextImpl,
  req: ChildRequest<T>,
  serdes: Serdes<T>,
  record: ((update: Partial<OperationUpdate>) => void) | undefined,
  publish: ReturnType<typeof publisher> | undefined,
  /** The context's own record (not for virtual contexts): plugins hear about it (API.md §13.3). */
  call?: OperationCall,
): Promise<T> {
  const inv = parent.invocation;
  const { stepId, name, config } = req;
  let value: T;
  try {
    value = await runBody(child, req.fn, call);
  } catch (e) {
    if (e instanceof UnrecoverableError) return inv.fail(e);
    inv.markFinished(stepId);
    const error = errorObject(e);
    record?.({ Action: "FAIL", Error: error });
    publish?.("failed", error.ErrorMessage);
    const thrown = DurableOperationError.fromErrorObject(error);
    if (call && inv.plugins) await inv.plugins.operationEnded(call, false, { status: "FAILED", error: thrown });
    throw mapError(config, thrown);
  }
  inv.markFinished(stepId);
  const payload = await serializeOrFail(parent, serdes, value, stepId, name);
  if (record) {
    if (payload !== undefined && Buffer.byteLength(payload, "utf8") > CHECKPOINT_SIZE_LIMIT) {
      record({ Action: "SUCCEED", Payload: config.summaryGenerator ? config.summaryGenerator(value) : "", ContextOptions: { ReplayChildren: true } });
    } else {
      record({ Action: "SUCCEED", Payload: payload });
    }
  }
  publish?.("succeeded");
  if (call && inv.plugins) await inv.plugins.operationEnded(call, false, { status: "SUCCEEDED" });
  return deserializeOrFail(parent, serdes, payload, stepId, name);
}

/** Runs the child's function as the active context, inside plugins' wrapChildContextFn when it has a record. */
function runBody<T>(child: DurableContextImpl, fn: ChildRequest<T>["fn"], call?: OperationCall): Promise<T> {
  const plugins = child.invocation.plugins;
  return Promise.resolve(runAsActive(child.invocation, child.prefix, () => (plugins && call ? plugins.childFn(call, false, () => fn(child)) : fn(child))));
}

function mapError(config: Pick<ChildConfig<unknown>, "errorMapper">, reconstructed: DurableOperationError): DurableOperationError {
  if (config.errorMapper) return config.errorMapper(reconstructed);
  if (reconstructed instanceof ChildContextError && reconstructed.cause === undefined) return reconstructed;
  return new ChildContextError(reconstructed.message, reconstructed);
}
