// DurableExecutionApiClient (API.md §3.3): the default transport, calling the Lambda
// GetDurableExecutionState / CheckpointDurableExecution APIs through @aws-sdk/client-lambda —
// against AWS, or against durable-node's worker HTTP API (AWS_ENDPOINT_URL_LAMBDA or a
// LambdaClient with `endpoint`).
//
// @aws-sdk/client-lambda is NOT a dependency of durable-node: handlers run through durable-node
// (CLI, worker, DurableEngine, testing runner) get an in-process transport and never load it.
// It is imported lazily, on first construction of this class, and a missing package is reported
// by name when the transport is used.

import { SDK_NAME, SDK_VERSION } from "../version";
import { verboseLog } from "../verbose-log";
import type {
  CheckpointDurableExecutionRequest,
  CheckpointDurableExecutionResponse,
  GetDurableExecutionStateRequest,
  GetDurableExecutionStateResponse,
} from "../types";
import type { DurableExecutionClient, DurableLoggerLike } from "./client";

export const LAMBDA_PACKAGE = "@aws-sdk/client-lambda";

/**
 * The part of `LambdaClient` (from @aws-sdk/client-lambda) the transport uses; typed
 * structurally so durable-node's typings do not require the package.
 */
export interface LambdaClientLike {
  send(command: any, ...rest: any[]): Promise<any>;
}

/** What the transport needs from the @aws-sdk/client-lambda module. */
interface LambdaModule {
  LambdaClient: new (config: Record<string, unknown>) => LambdaClientLike;
  GetDurableExecutionStateCommand: new (input: Record<string, unknown>) => unknown;
  CheckpointDurableExecutionCommand: new (input: Record<string, unknown>) => unknown;
}

/** The import itself; replaceable by tests (to simulate the package being absent). */
export const lambdaModuleLoader = {
  load: (): Promise<unknown> => import("@aws-sdk/client-lambda"),
};

/** The client this package creates when none is injected: timeouts as the SDK sets them. */
const DEFAULT_CLIENT_CONFIG = {
  customUserAgent: [[SDK_NAME, SDK_VERSION]],
  requestHandler: { connectionTimeout: 5_000, socketTimeout: 50_000, requestTimeout: 55_000, throwOnRequestTimeout: true },
};

let modulePromise: Promise<LambdaModule> | undefined;
let defaultClient: LambdaClientLike | undefined;

function isMissingPackage(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  return (e?.code === "ERR_MODULE_NOT_FOUND" || e?.code === "MODULE_NOT_FOUND") && String(e.message ?? "").includes(LAMBDA_PACKAGE);
}

/** An error naming the package and the ways around it. */
export function missingLambdaPackageError(cause: unknown): Error {
  return new Error(
    `DurableExecutionApiClient (the default transport of withDurableExecution) needs the package "${LAMBDA_PACKAGE}", which is not installed. ` +
      `Install it (npm install ${LAMBDA_PACKAGE}), pass withDurableExecution a durableExecutionClient, ` +
      `or run the handler through durable-node (CLI, worker, DurableEngine or the testing runner), which supplies its own transport.`,
    { cause },
  );
}

/**
 * Loads @aws-sdk/client-lambda once (concurrent callers share the import). A failed load is not
 * memoized, so a later call may succeed; a missing package becomes missingLambdaPackageError.
 */
export function loadLambdaModule(): Promise<LambdaModule> {
  modulePromise ??= lambdaModuleLoader
    .load()
    .then((loaded) => {
      // A dynamic import of a CommonJS module may put its exports under `default`.
      const ns = loaded as Record<string, unknown>;
      const module = ("LambdaClient" in ns ? ns : ns.default) as LambdaModule | undefined;
      if (!module || typeof module.LambdaClient !== "function" || typeof module.CheckpointDurableExecutionCommand !== "function") {
        throw new Error(`The installed "${LAMBDA_PACKAGE}" has no CheckpointDurableExecutionCommand: it predates durable executions, update it.`);
      }
      return module;
    })
    .catch((error: unknown) => {
      modulePromise = undefined;
      throw isMissingPackage(error) ? missingLambdaPackageError(error) : error;
    });
  return modulePromise;
}

export class DurableExecutionApiClient implements DurableExecutionClient {
  private readonly injectedClient: LambdaClientLike | undefined;

  constructor(client?: LambdaClientLike) {
    this.injectedClient = client;
    // Start the import now so it overlaps with initialization; failures surface from the calls.
    void loadLambdaModule().then(
      () => undefined,
      () => undefined,
    );
  }

  private async resolve(): Promise<{ client: LambdaClientLike; module: LambdaModule }> {
    const module = await loadLambdaModule();
    const client = this.injectedClient ?? (defaultClient ??= new module.LambdaClient(DEFAULT_CLIENT_CONFIG));
    return { client, module };
  }

  async getExecutionState(params: GetDurableExecutionStateRequest, logger?: DurableLoggerLike): Promise<GetDurableExecutionStateResponse> {
    // Outside the try: failing to load the package is not a failed request.
    const { client, module } = await this.resolve();
    try {
      return await client.send(
        new module.GetDurableExecutionStateCommand({
          DurableExecutionArn: params.DurableExecutionArn,
          CheckpointToken: params.CheckpointToken,
          Marker: params.Marker,
          MaxItems: params.MaxItems,
        }),
      );
    } catch (error) {
      const requestId = requestIdOf(error);
      verboseLog("GetDurableExecutionState failed", () => ({ error, requestId, DurableExecutionArn: params.DurableExecutionArn, Marker: params.Marker }));
      logger?.error("Failed to get durable execution state", error, { requestId });
      throw error;
    }
  }

  async checkpoint(params: CheckpointDurableExecutionRequest, logger?: DurableLoggerLike): Promise<CheckpointDurableExecutionResponse> {
    const { client, module } = await this.resolve();
    try {
      return await client.send(
        new module.CheckpointDurableExecutionCommand({
          DurableExecutionArn: params.DurableExecutionArn,
          CheckpointToken: params.CheckpointToken,
          ClientToken: params.ClientToken,
          Updates: params.Updates,
        }),
      );
    } catch (error) {
      const requestId = requestIdOf(error);
      verboseLog("CheckpointDurableExecution failed", () => ({ error, requestId, DurableExecutionArn: params.DurableExecutionArn, ClientToken: params.ClientToken }));
      logger?.error("Failed to checkpoint durable execution", error, { requestId });
      throw error;
    }
  }
}

function requestIdOf(error: unknown): string | undefined {
  return (error as { $metadata?: { requestId?: string } } | undefined)?.$metadata?.requestId;
}
