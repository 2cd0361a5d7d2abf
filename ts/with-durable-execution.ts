// withDurableExecution (API.md §3): turns a durable handler into the Lambda handler the service
// (here: the durable-node engine) invokes, running one invocation per call and answering
// SUCCEEDED, FAILED or PENDING.

import { DurableContextImpl, type DurableContext } from "./context";
import { UnrecoverableError, errorObject } from "./errors";
import type { DurableLogger } from "./logger";
import { DurableExecutionInvocationInputWithClient, type DurableExecutionClient } from "./runtime/client";
import { Invocation, type Termination } from "./runtime/invocation";
import {
  InvocationStatus,
  type DurableExecutionInvocationInput,
  type DurableExecutionInvocationOutput,
  type LambdaContext,
  type WireOperation,
} from "./types";

export type DurableExecutionHandler<TEvent = any, TResult = any, TLogger extends DurableLogger = DurableLogger> = (
  event: TEvent,
  context: DurableContext<TLogger>,
) => Promise<TResult>;

export type DurableLambdaHandler = (event: DurableExecutionInvocationInput, context: LambdaContext) => Promise<DurableExecutionInvocationOutput>;

export interface DurableExecutionConfig {
  /** @deprecated A Lambda client for the default transport (not available in durable-node). */
  client?: unknown;
  durableExecutionClient?: DurableExecutionClient;
  plugins?: unknown[];
  pluginsConfig?: { childOperationsDepth?: number };
}

/** Lambda's synchronous response limit minus the envelope (API.md §15). */
const RESPONSE_LIMIT = 6_291_406;
const PAGE = 1000;

/** Marks handlers made by withDurableExecution, so the engine can refuse plain functions. */
export const DURABLE_HANDLER = Symbol.for("durable-node.handler");

export function withDurableExecution<TEvent = any, TResult = any, TLogger extends DurableLogger = DurableLogger>(
  handler: DurableExecutionHandler<TEvent, TResult, TLogger>,
  config?: DurableExecutionConfig,
): DurableLambdaHandler {
  const lambdaHandler: DurableLambdaHandler = async (event, lambdaContext) => {
    if (!event?.DurableExecutionArn || !event?.CheckpointToken) {
      throw new Error(
        "Unexpected payload provided to start the durable execution.\nCheck your resource configurations to confirm the durability is set.",
      );
    }
    if (config?.client && config?.durableExecutionClient) {
      return {
        Status: InvocationStatus.FAILED,
        Error: { ErrorType: "Error", ErrorMessage: "Configure either client or durableExecutionClient, not both." },
      };
    }
    const client = DurableExecutionInvocationInputWithClient.isInstance(event) ? event.durableExecutionClient : config?.durableExecutionClient;
    if (!client) {
      throw new Error(
        "durable-node has no transport for this invocation: run the handler through durable-node (its CLI, DurableEngine or testing runner) or pass durableExecutionClient.",
      );
    }
    const operations = await loadState(client, event);
    const invocation = new Invocation(event.DurableExecutionArn, event.CheckpointToken, client, operations);
    const input = JSON.parse(operations[0]?.ExecutionDetails?.InputPayload ?? "{}");
    const root = new DurableContextImpl(
      { invocation, lambdaContext, requestId: lambdaContext?.awsRequestId ?? "", tenantId: lambdaContext?.tenantId },
      "",
      undefined,
      operations.length > 1,
    );
    const outcome = await Promise.race([
      Promise.resolve()
        .then(() => handler(input, root as unknown as DurableContext<TLogger>))
        .then(
          (value) => ({ kind: "returned" as const, value }),
          (error) => ({ kind: "threw" as const, error }),
        ),
      invocation.termination,
    ]);
    return finish(invocation, outcome);
  };
  (lambdaHandler as unknown as Record<symbol, boolean>)[DURABLE_HANDLER] = true;
  return lambdaHandler;
}

async function loadState(client: DurableExecutionClient, event: DurableExecutionInvocationInput): Promise<WireOperation[]> {
  const operations = [...(event.InitialExecutionState?.Operations ?? [])];
  let marker = event.InitialExecutionState?.NextMarker;
  while (marker) {
    const page = await client.getExecutionState({
      DurableExecutionArn: event.DurableExecutionArn,
      CheckpointToken: event.CheckpointToken,
      Marker: marker,
      MaxItems: PAGE,
    });
    operations.push(...(page.Operations ?? []));
    marker = page.NextMarker;
  }
  return operations;
}

type Outcome = { kind: "returned"; value: unknown } | { kind: "threw"; error: unknown } | Termination;

async function finish(invocation: Invocation, outcome: Outcome): Promise<DurableExecutionInvocationOutput> {
  if (outcome.kind === "returned" || outcome.kind === "threw") await invocation.drain();
  // A termination decided while draining (e.g. a checkpoint failed) wins over the handler's outcome.
  const settled = invocation.isTerminated ? await invocation.termination : outcome;
  switch (settled.kind) {
    case "pending":
      return { Status: InvocationStatus.PENDING };
    case "invocation-error":
      throw settled.error;
    case "execution-error":
      return { Status: InvocationStatus.FAILED, Error: errorObject(settled.error) };
    case "threw": {
      invocation.terminate({ kind: "execution-error", error: settled.error });
      if (settled.error instanceof UnrecoverableError && settled.error.scope === "INVOCATION") throw settled.error;
      return { Status: InvocationStatus.FAILED, Error: errorObject(settled.error) };
    }
    case "returned": {
      invocation.terminate({ kind: "pending" });
      return succeeded(settled.value);
    }
  }
}

function succeeded(value: unknown): DurableExecutionInvocationOutput {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    return { Status: InvocationStatus.FAILED, Error: { ErrorType: "TypeError", ErrorMessage: `The handler's result cannot be serialized: ${(e as Error).message}` } };
  }
  if (text === undefined) return { Status: InvocationStatus.SUCCEEDED };
  if (Buffer.byteLength(text) > RESPONSE_LIMIT) {
    return { Status: InvocationStatus.FAILED, Error: { ErrorType: "PayloadTooLargeError", ErrorMessage: `The handler's result is ${Buffer.byteLength(text)} bytes, over the ${RESPONSE_LIMIT}-byte response limit` } };
  }
  return { Status: InvocationStatus.SUCCEEDED, Result: text };
}
