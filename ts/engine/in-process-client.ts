// The in-process transport: the two data-plane operations as direct calls into the engine
// (microseconds, no serialization of the history), and for durable-node's own SDK the commit
// of an invocation's state machine (runtime/invocation.ts), whose batches and answers stay in
// Rust. With group commit on, what invocations send in the same turn of the event loop goes to
// the engine as one transaction.

import { fromErrorInfo, StorageError } from "../engine-errors";
import { call, callAsync, type NativeEngine, type NativeInvocation } from "../native";
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

type CommitResult = ReturnType<NativeEngine["commitInvocations"]>[number];

interface PendingCommit {
  vm: NativeInvocation;
  max: number;
  poll: boolean;
  resolve: (result: CommitResult) => void;
  reject: (error: unknown) => void;
}

interface PendingEnd {
  end: { arn: string; token: string; output: never };
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * What callers hand in during one turn of the event loop goes to `send` as one group, with one
 * group in flight at a time: what arrives meanwhile waits for it and goes as the next group
 * (the longer a transaction takes, the bigger the group that follows it), while this thread
 * runs other invocations' code. `send` settles every member itself and never throws.
 */
class Groups<T> {
  private pending: T[] = [];
  private sending = false;

  constructor(private readonly send: (group: T[]) => Promise<void> | void) {}

  add(member: T): void {
    if (this.pending.length === 0 && !this.sending) realSetImmediate(() => void this.flush());
    this.pending.push(member);
  }

  private async flush(): Promise<void> {
    const group = this.pending;
    this.pending = [];
    this.sending = true;
    try {
      await this.send(group);
    } finally {
      this.sending = false;
      if (this.pending.length > 0) realSetImmediate(() => void this.flush());
    }
  }
}

export class InProcessClient implements DurableExecutionClient {
  private readonly checkpoints = new Groups<Pending>((group) => this.commitGroup(group));
  private readonly commits = new Groups<PendingCommit>((group) => this.commitInvocations(group));
  private readonly ends = new Groups<PendingEnd>((group) => this.completeGroup(group));
  /** Told when an invocation of this engine becomes busy (user code runs: it cannot end now). */
  readonly busyListeners = new Set<() => void>();

  /**
   * @param groupCommit batch concurrent checkpoints into one commit (one fsync with
   *   synchronous=FULL); costs one event-loop turn of latency per checkpoint, so it pays off
   *   only when many invocations run at once (a worker).
   */
  constructor(
    private readonly engine: NativeEngine,
    private readonly groupCommit = false,
  ) {}

  /** An invocation became busy (its state machine said so): drivers look for work to run beside it. */
  becameBusy(): void {
    for (const listener of this.busyListeners) listener();
  }

  checkpoint(params: CheckpointDurableExecutionRequest): Promise<CheckpointDurableExecutionResponse> {
    if (this.groupCommit) {
      return new Promise((resolve, reject) => this.checkpoints.add({ request: params, resolve, reject }));
    }
    try {
      return Promise.resolve(call(() => this.engine.checkpoint(params.DurableExecutionArn, params.CheckpointToken, (params.Updates ?? []) as never)));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The state machine of an invocation of this engine, committing in process. */
  openInvocation(arn: string, token: string): NativeInvocation {
    return call(() => this.engine.openInvocation(arn, token));
  }

  /** Sends an invocation's next batch; null when it had nothing to send. */
  commit(vm: NativeInvocation, max: number, poll: boolean): Promise<CommitResult> {
    if (!this.groupCommit) {
      try {
        return Promise.resolve(call(() => this.engine.commitInvocations([vm], max, poll))[0]);
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return new Promise((resolve, reject) => this.commits.add({ vm, max, poll, resolve, reject }));
  }

  private async commitInvocations(group: PendingCommit[]): Promise<void> {
    // Every member of a group asks for the same batch size; a poll flag is per member.
    const polls = group.filter((p) => p.poll);
    const rest = group.filter((p) => !p.poll);
    for (const members of [rest, polls]) {
      if (members.length === 0) continue;
      const vms = members.map((p) => p.vm);
      let results: CommitResult[];
      try {
        const sent = await callAsync(() => this.engine.sendInvocations(vms, members[0].max, members[0].poll));
        results = call(() => this.engine.applyCommit(vms, sent));
      } catch (e) {
        for (const p of members) p.reject(e);
        continue;
      }
      members.forEach((p, i) => p.resolve(results[i]));
    }
  }

  private commitGroup(group: Pending[]): void {
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

  /**
   * Records what an invocation answered. With group commit on, the ends of one turn of the
   * event loop share one transaction, as checkpoints do.
   */
  complete(arn: string, token: string, output: never): Promise<void> {
    if (!this.groupCommit) {
      try {
        call(() => this.engine.completeInvocation(arn, token, output));
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return new Promise((resolve, reject) => this.ends.add({ end: { arn, token, output }, resolve, reject }));
  }

  private async completeGroup(group: PendingEnd[]): Promise<void> {
    try {
      const results = await callAsync(() => this.engine.completeInvocations(group.map((p) => p.end)));
      results.forEach((result, i) => {
        if (result.error) group[i].reject(fromErrorInfo(result.error));
        else group[i].resolve();
      });
    } catch (e) {
      for (const p of group) p.reject(e);
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
