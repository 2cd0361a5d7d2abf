// The in-process transport: the two data-plane operations as direct calls into the engine
// (microseconds, no serialization of the history).

import { call, type NativeEngine } from "../native";
import type { DurableExecutionClient } from "../runtime/client";
import type {
  CheckpointDurableExecutionRequest,
  CheckpointDurableExecutionResponse,
  GetDurableExecutionStateRequest,
  GetDurableExecutionStateResponse,
} from "../types";

export class InProcessClient implements DurableExecutionClient {
  constructor(private readonly engine: NativeEngine) {}

  checkpoint(params: CheckpointDurableExecutionRequest): Promise<CheckpointDurableExecutionResponse> {
    try {
      return Promise.resolve(call(() => this.engine.checkpoint(params.DurableExecutionArn, params.CheckpointToken, (params.Updates ?? []) as never)));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  getExecutionState(params: GetDurableExecutionStateRequest): Promise<GetDurableExecutionStateResponse> {
    try {
      return Promise.resolve(
        call(() => this.engine.getExecutionState(params.DurableExecutionArn, params.CheckpointToken, params.Marker, params.MaxItems)),
      );
    } catch (e) {
      return Promise.reject(e);
    }
  }
}
