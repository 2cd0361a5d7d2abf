// What an operation needs from the context that runs it: the invocation, id allocation, the
// enclosing context's wire id, serdes defaults, logging and replay-mode bookkeeping.

import type { DurableLogData, DurableLogger } from "./logger";
import { publishOperation, type OperationPhase } from "./observe";
import type { Invocation } from "./runtime/invocation";
import type { AnySerdes, AnySerdesDeserializer, SerdesContext } from "./serdes";
import { SerdesFailedError } from "./errors";

export interface Scope {
  readonly invocation: Invocation;
  /** Wire id of the enclosing (non-virtual) child context; undefined at the root. */
  readonly parentId: string | undefined;
  readonly defaultSerdes: AnySerdes;
  readonly callbackDeserializer: AnySerdesDeserializer | undefined;
  readonly baseLogger: DurableLogger;
  nextStepId(): string;
  /** The code reached an operation that is not finished: logs are no longer replays. */
  enterExecutionMode(): void;
  /** A finished wait, callback or invoke was replayed: when nothing is recorded after it, the
   * code that follows runs for the first time (the SDK's checkAndUpdateReplayMode). */
  replayedFinished(): void;
  logData(): DurableLogData;
}

export function serdesContext(scope: Scope, stepId: string): SerdesContext {
  return { entityId: stepId, durableExecutionArn: scope.invocation.arn };
}

export async function serializeOrFail(scope: Scope, serdes: AnySerdes, value: unknown, stepId: string, name: string | undefined): Promise<string | undefined> {
  try {
    return await serdes.serialize(value, serdesContext(scope, stepId));
  } catch (e) {
    return scope.invocation.fail(new SerdesFailedError("Serialization", name, stepId, e));
  }
}

export async function deserializeOrFail(scope: Scope, serdes: Pick<AnySerdes, "deserialize">, data: string | undefined, stepId: string, name: string | undefined): Promise<any> {
  try {
    return await serdes.deserialize(data, serdesContext(scope, stepId));
  } catch (e) {
    return scope.invocation.fail(new SerdesFailedError("Deserialization", name, stepId, e));
  }
}

export function publisher(scope: Scope, stepId: string, id: string, type: string, subType: string, name: string | undefined) {
  return (phase: OperationPhase, detail?: string) =>
    publishOperation(() => ({ executionArn: scope.invocation.arn, stepId, id, parentId: scope.parentId, type, subType, name, phase, detail }));
}

/** Starts an operation's work now and hands it out as a DurablePromise executor. */
/**
 * The executor of a promise user code may hold without awaiting (a wait's, a callback's, an
 * invoke's): the first await tells the invocation, whose suspension only then counts on it.
 */
export function whenAwaited<T>(scope: Scope, stepId: string, deliver: () => Promise<T>): () => Promise<T> {
  return () => {
    scope.invocation.markAwaited(stepId);
    return deliver();
  };
}

export function started<T>(work: Promise<T>): () => Promise<T> {
  // The outcome is delivered when awaited; an operation nobody awaits must not crash the process.
  work.catch(() => undefined);
  return () => work;
}
