// The transport interface an invocation talks to (API.md §3.2): exactly the two data-plane
// operations of the protocol, and the event class that carries a client with the input.

import type {
  CheckpointDurableExecutionRequest,
  CheckpointDurableExecutionResponse,
  DurableExecutionInvocationInput,
  GetDurableExecutionStateRequest,
  GetDurableExecutionStateResponse,
  WireOperation,
} from "../types";

export interface DurableLoggerLike {
  error(...params: any): void;
  warn(...params: any): void;
  info(...params: any): void;
  debug(...params: any): void;
}

export interface DurableExecutionClient {
  getExecutionState(params: GetDurableExecutionStateRequest, logger?: DurableLoggerLike): Promise<GetDurableExecutionStateResponse>;
  checkpoint(params: CheckpointDurableExecutionRequest, logger?: DurableLoggerLike): Promise<CheckpointDurableExecutionResponse>;
}

const TAG = "DurableExecutionInvocationInputWithClient";

/**
 * Where the event keeps `UpdatedOperationIds`: like the SDK's class it does not copy them as a
 * property, but plugins are told which operations changed (API.md §13.1), so they ride along
 * under a symbol, invisible to user code.
 */
export const UPDATED_OPERATION_IDS = Symbol.for("durable-node.updatedOperationIds");

/** The ids the service reports as changed since the previous invocation, however the event carries them. */
export function updatedOperationIdsOf(event: DurableExecutionInvocationInput): string[] | undefined {
  return event.UpdatedOperationIds ?? (event as unknown as Record<symbol, string[] | undefined>)[UPDATED_OPERATION_IDS];
}

/** An invocation input that brings its own transport; it overrides any configured client. */
export class DurableExecutionInvocationInputWithClient implements DurableExecutionInvocationInput {
  readonly DurableExecutionArn: string;
  readonly CheckpointToken: string;
  readonly InitialExecutionState: { Operations: WireOperation[]; NextMarker?: string | undefined };

  constructor(params: DurableExecutionInvocationInput, readonly durableExecutionClient: DurableExecutionClient) {
    this.DurableExecutionArn = params.DurableExecutionArn;
    this.CheckpointToken = params.CheckpointToken;
    this.InitialExecutionState = params.InitialExecutionState;
    if (params.UpdatedOperationIds) Object.defineProperty(this, UPDATED_OPERATION_IDS, { value: [...params.UpdatedOperationIds] });
  }

  get [Symbol.toStringTag](): string {
    return TAG;
  }

  static isInstance(event: unknown): event is DurableExecutionInvocationInputWithClient {
    if (event instanceof DurableExecutionInvocationInputWithClient) return true;
    return (
      !!event &&
      typeof event === "object" &&
      String(event) === `[object ${TAG}]` &&
      "durableExecutionClient" in event &&
      (event as object).constructor?.name === TAG
    );
  }
}
