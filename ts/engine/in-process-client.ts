// The in-process transport: the two data-plane operations as direct calls into the engine
// (microseconds, no serialization of the history). With group commit on, checkpoints that
// invocations send in the same turn of the event loop go to the engine as one transaction.

import { fromErrorInfo, StorageError } from "../engine-errors";
import { call, type NativeEngine } from "../native";
import { realSetImmediate } from "../real-timers";
import type { DurableExecutionClient } from "../runtime/client";
import type {
  CheckpointDurableExecutionRequest,
  CheckpointDurableExecutionResponse,
  GetDurableExecutionStateRequest,
  GetDurableExecutionStateResponse,
} from "../types";

interface Pending {
  request: CheckpointDurableExecutionRequest;
  resolve: (response: CheckpointDurableExecutionResponse) => void;
  reject: (error: unknown) => void;
}

export class InProcessClient implements DurableExecutionClient {
  private pending: Pending[] = [];

  /**
   * @param groupCommit batch concurrent checkpoints into one commit (one fsync with
   *   synchronous=FULL); costs one event-loop turn of latency per checkpoint, so it pays off
   *   only when many invocations run at once (a worker).
   */
  constructor(
    private readonly engine: NativeEngine,
    private readonly groupCommit = false,
  ) {}

  checkpoint(params: CheckpointDurableExecutionRequest): Promise<CheckpointDurableExecutionResponse> {
    if (this.groupCommit) {
      return new Promise((resolve, reject) => {
        if (this.pending.length === 0) realSetImmediate(() => this.commitGroup());
        this.pending.push({ request: params, resolve, reject });
      });
    }
    try {
      return Promise.resolve(call(() => this.engine.checkpoint(params.DurableExecutionArn, params.CheckpointToken, (params.Updates ?? []) as never)));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private commitGroup(): void {
    const group = this.pending;
    this.pending = [];
    let results;
    try {
      results = call(() =>
        this.engine.checkpointMany(
          group.map(({ request }) => ({
            DurableExecutionArn: request.DurableExecutionArn,
            CheckpointToken: request.CheckpointToken,
            Updates: (request.Updates ?? []) as never,
          })),
        ),
      );
    } catch (e) {
      for (const p of group) p.reject(e);
      return;
    }
    results.forEach((result, i) => {
      if (result.response) group[i].resolve(result.response as CheckpointDurableExecutionResponse);
      else group[i].reject(result.error ? fromErrorInfo(result.error) : new StorageError("checkpoint failed"));
    });
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
