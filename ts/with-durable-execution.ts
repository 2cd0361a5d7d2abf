// withDurableExecution (API.md §3): turns a durable handler into the Lambda handler the service
// (here: the durable-node engine) invokes, running one invocation per call and answering
// SUCCEEDED, FAILED or PENDING.

import { DurableContextImpl, type DurableContext } from "./context";
import { UnrecoverableError, errorObject, isDurableExecutionClientError } from "./errors";
import { operationsWithDates } from "./invocation-timestamps";
import { DefaultLogger, type DurableLogger } from "./logger";
import { explicitPlugins, loadConfiguredPlugins } from "./plugins/loader";
import { PluginRunner } from "./plugins/runner";
import { PluginSession } from "./plugins/session";
import type { DurableInstrumentationPlugin } from "./plugins/types";
import { DurableExecutionApiClient, loadLambdaModule, type LambdaClientLike } from "./runtime/api-client";
import { DurableExecutionInvocationInputWithClient, updatedOperationIdsOf, type DurableExecutionClient } from "./runtime/client";
import { native } from "./native";
import { InProcessClient } from "./engine/in-process-client";
import { Invocation, type Termination } from "./runtime/invocation";
import {
  InvocationStatus,
  type OperationUpdate,
  type DurableExecutionInvocationInput,
  type DurableExecutionInvocationOutput,
  type LambdaContext,
  type WireOperation,
} from "./types";
import { verboseLog } from "./verbose-log";

export type DurableExecutionHandler<TEvent = any, TResult = any, TLogger extends DurableLogger = DurableLogger> = (
  event: TEvent,
  context: DurableContext<TLogger>,
) => Promise<TResult>;

export type DurableLambdaHandler = (event: DurableExecutionInvocationInput, context: LambdaContext) => Promise<DurableExecutionInvocationOutput>;

export interface DurableExecutionConfig {
  /**
   * @deprecated A `LambdaClient` (from @aws-sdk/client-lambda) for the default transport; same as
   * `durableExecutionClient: new DurableExecutionApiClient(client)`.
   */
  client?: LambdaClientLike;
  /** The transport; default `new DurableExecutionApiClient(client)` (needs @aws-sdk/client-lambda installed). */
  durableExecutionClient?: DurableExecutionClient;
  /** Experimental instrumentation plugins (API.md §13), called in this order. */
  plugins?: DurableInstrumentationPlugin[];
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
  // Plugin loading starts now (API.md §3.5 step 3); a failure is answered by every invocation.
  const runnerPromise = loadConfiguredPlugins(explicitPlugins(config?.plugins)).then((plugins) => new PluginRunner(plugins));
  runnerPromise.catch(() => undefined);
  const lambdaHandler: DurableLambdaHandler = async (event, lambdaContext) => {
    if (!event?.DurableExecutionArn || !event?.CheckpointToken) {
      throw new Error(
        "Unexpected payload provided to start the durable execution.\nCheck your resource configurations to confirm the durability is set.",
      );
    }
    if (config?.client && config?.durableExecutionClient) {
      return {
        Status: InvocationStatus.FAILED,
        Error: {
          ErrorType: "Error",
          ErrorMessage:
            "Both `client` and `durableExecutionClient` are configured, and they contradict each other: `client` is a LambdaClient for the default Lambda transport, " +
            "`durableExecutionClient` replaces that transport. Configure only `durableExecutionClient`; to use your LambdaClient with the Lambda transport, pass " +
            "`durableExecutionClient: new DurableExecutionApiClient(lambdaClient)`.",
        },
      };
    }
    let runner: PluginRunner;
    try {
      runner = await runnerPromise;
    } catch (error) {
      return { Status: InvocationStatus.FAILED, Error: errorObject(error) };
    }
    const client = transportFor(event, config);
    // The default transport needs @aws-sdk/client-lambda: a missing package is thrown (naming
    // it) before the handler runs, not at its first checkpoint.
    if (client instanceof DurableExecutionApiClient) await loadLambdaModule();
    verboseLog("Invocation starts", () => ({ DurableExecutionArn: event.DurableExecutionArn, Operations: event.InitialExecutionState?.Operations?.length, NextMarker: event.InitialExecutionState?.NextMarker }));
    let operations: WireOperation[];
    try {
      // In process the state machine reads every record from the engine itself; the first page
      // (the execution's input, whether anything is recorded) is all this layer needs, unless
      // plugins are told about every operation.
      operations = client instanceof InProcessClient && runner.isEmpty ? firstPage(event) : await loadState(client, event);
    } catch (error) {
      // API.md §3.5: a transport error the execution cannot recover from fails it; others are retried.
      if (failsExecutionAtInit(error)) return { Status: InvocationStatus.FAILED, Error: errorObject(error) };
      throw error;
    }
    const invocation = new Invocation(event.DurableExecutionArn, event.CheckpointToken, client, operations);
    const input = JSON.parse(operations[0]?.ExecutionDetails?.InputPayload ?? "{}");
    const requestId = lambdaContext?.awsRequestId ?? "";
    const session = runner.isEmpty
      ? undefined
      : new PluginSession(runner, invocation, { requestId, input, operations, updatedOperationIds: updatedOperationIdsOf(event), isFirstInvocation: operations.length <= 1 });
    invocation.plugins = session;
    await session?.invocationStarted();
    const depthError = childOperationsDepthError(config?.pluginsConfig?.childOperationsDepth);
    if (depthError) {
      invocation.terminate({ kind: "execution-error", error: depthError });
      await session?.invocationEnded("FAILED", { error: depthError });
      return { Status: InvocationStatus.FAILED, Error: errorObject(depthError) };
    }
    invocation.childOperationsDepth = config?.pluginsConfig?.childOperationsDepth ?? 0;
    const root = new DurableContextImpl(
      { invocation, lambdaContext, requestId, tenantId: lambdaContext?.tenantId },
      "",
      undefined,
      operations.length > 1,
      runner.has("enrichLogContext") ? new DefaultLogger(() => runner.enrichLogContext()) : undefined,
    );
    let outcome: Outcome | undefined;
    const run = async (): Promise<DurableExecutionInvocationOutput> => {
      outcome = await Promise.race([
        Promise.resolve()
          .then(() => handler(input, root as unknown as DurableContext<TLogger>))
          .then(
            (value) => ({ kind: "returned" as const, value }),
            (error) => ({ kind: "threw" as const, error }),
          ),
        invocation.termination,
      ]);
      const output = await finish(invocation, outcome);
      verboseLog("Invocation ends", () => ({ DurableExecutionArn: event.DurableExecutionArn, Status: output.Status }));
      return output;
    };
    if (!session) return run();
    let output: DurableExecutionInvocationOutput;
    try {
      output = await session.wrapInvocation(run);
    } catch (error) {
      // Thrown to the service, which invokes again (API.md §13.3: RETRYING).
      await session.invocationEnded("RETRYING", { error });
      throw error;
    }
    await session.invocationEnded(output.Status, await outcomeForPlugins(invocation, outcome, output));
    return output;
  };
  (lambdaHandler as unknown as Record<symbol, boolean>)[DURABLE_HANDLER] = true;
  return lambdaHandler;
}

/** The event's own client (test runners) wins; then the configured one; then the Lambda API transport. */
function transportFor(event: DurableExecutionInvocationInput, config: DurableExecutionConfig | undefined): DurableExecutionClient {
  if (DurableExecutionInvocationInputWithClient.isInstance(event)) {
    if (config?.durableExecutionClient) verboseLog("The event's durableExecutionClient overrides config.durableExecutionClient");
    return event.durableExecutionClient;
  }
  return config?.durableExecutionClient ?? new DurableExecutionApiClient(config?.client);
}

const KMS_ERRORS = new Set(["KMSAccessDeniedException", "KMSDisabledException", "KMSInvalidStateException", "KMSNotFoundException"]);

/** Reading the state failed for good: an EXECUTION-scoped transport error, or the execution's KMS key is unusable. */
function failsExecutionAtInit(error: unknown): boolean {
  if (isDurableExecutionClientError(error)) return error.scope === "EXECUTION";
  return KMS_ERRORS.has((error as { name?: unknown } | undefined)?.name as string);
}

function firstPage(event: DurableExecutionInvocationInput): WireOperation[] {
  return operationsWithDates([...(event.InitialExecutionState?.Operations ?? [])]);
}

async function loadState(client: DurableExecutionClient, event: DurableExecutionInvocationInput): Promise<WireOperation[]> {
  // The service sends operation timestamps as epoch milliseconds (ts/invocation-timestamps.ts).
  const operations = firstPage(event);
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

/** pluginsConfig.childOperationsDepth must be a non-negative integer or Infinity (API.md §3.2). */
function childOperationsDepthError(depth: unknown): Error | undefined {
  if (depth === undefined || depth === Infinity) return undefined;
  if (typeof depth === "number" && Number.isInteger(depth) && depth >= 0) return undefined;
  const shown = typeof depth === "number" ? String(depth) : JSON.stringify(depth) ?? typeof depth;
  return new Error(`pluginsConfig.childOperationsDepth must be a non-negative integer or Infinity, got ${shown}`);
}

/** The handler's value or the error that failed the execution, for onInvocationEnd. */
async function outcomeForPlugins(invocation: Invocation, outcome: Outcome | undefined, output: DurableExecutionInvocationOutput): Promise<{ result?: unknown; error?: unknown }> {
  if (output.Status === InvocationStatus.SUCCEEDED) return { result: outcome?.kind === "returned" ? outcome.value : undefined };
  if (output.Status !== InvocationStatus.FAILED) return {};
  const termination = invocation.isTerminated ? await invocation.termination : undefined;
  if (termination?.kind === "execution-error") return { error: termination.error };
  if (outcome?.kind === "threw") return { error: outcome.error };
  const error = new Error(output.Error.ErrorMessage);
  if (output.Error.ErrorType) error.name = output.Error.ErrorType;
  return { error };
}

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
      let text: string | undefined;
      try {
        text = JSON.stringify(settled.value);
      } catch (e) {
        invocation.terminate({ kind: "pending" });
        return { Status: InvocationStatus.FAILED, Error: { ErrorType: "TypeError", ErrorMessage: `The handler's result cannot be serialized: ${(e as Error).message}` } };
      }
      if (text !== undefined && Buffer.byteLength(text) > RESPONSE_LIMIT) return checkpointLargeResult(invocation, text);
      invocation.terminate({ kind: "pending" });
      return text === undefined ? { Status: InvocationStatus.SUCCEEDED } : { Status: InvocationStatus.SUCCEEDED, Result: text };
    }
  }
}

/**
 * A result too large for the Lambda response goes to the service as an EXECUTION SUCCEED
 * checkpoint (API.md §3.5), and the invocation answers SUCCEEDED with an empty Result.
 */
async function checkpointLargeResult(invocation: Invocation, payload: string): Promise<DurableExecutionInvocationOutput> {
  const update = { Id: native.hashStepId(`execution-result-${Date.now()}`), Type: "EXECUTION", Action: "SUCCEED", Payload: payload } as OperationUpdate;
  await Promise.race([invocation.enqueue(update), invocation.termination]);
  if (invocation.isTerminated) return finish(invocation, await invocation.termination);
  invocation.terminate({ kind: "pending" });
  return { Status: InvocationStatus.SUCCEEDED, Result: "" };
}
