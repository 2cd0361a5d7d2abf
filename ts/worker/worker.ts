// The worker: owns the executions of its registered functions on one database. A fixed number
// of loops each await the engine's next invocation (`nextTask`: new executions, fired waits,
// retries and callback timeouts, completed callbacks and chained invokes, invocations recovered
// from crashed processes) and run it. The engine decides what runs when; this only runs it.
// Leases are the engine's: it renews those it holds every third of the lease length.

import { InvalidCheckpointTokenError } from "../engine-errors";
import { InvocationFailedError, type DurableEngine } from "../engine/durable-engine";
import type { InvocationTask } from "../native";
import { executionLabel, type WorkerLog } from "./log";

export interface WorkerOptions {
  /** Invocations run at the same time (default 8). */
  concurrency?: number;
  /** How long shutdown waits for running invocations before releasing them (ms, default 10 s). */
  shutdownGraceMs?: number;
}

const SHUTDOWN_ERROR = {
  ErrorType: "Runtime.WorkerShutdown",
  ErrorMessage: "The worker shut down before the invocation finished; the execution is invoked again.",
};

export class Worker {
  private readonly running = new Map<string, { task: InvocationTask; done: Promise<void> }>();
  private loops: Promise<void>[] = [];
  private stopping: Promise<void> | undefined;
  private slotFreed: (() => void) | undefined;
  private readonly concurrency: number;

  constructor(
    private readonly engine: DurableEngine,
    private readonly log: WorkerLog,
    private readonly options: WorkerOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 8);
  }

  get functions(): string[] {
    return this.engine.functionNames();
  }

  /** Invocations running now. */
  get inFlight(): number {
    return this.running.size;
  }

  start(): void {
    this.loops.push(this.dispatch(this.functions));
  }

  /**
   * One waiter claims as many due invocations as there are free slots (one transaction), so
   * a worker running a thousand executions does not have a thousand waiters woken by every
   * change. Ends, once stopping, when the invocations it started have finished.
   */
  private async dispatch(functions: string[]): Promise<void> {
    while (!this.stopping) {
      const free = this.concurrency - this.running.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      let tasks: InvocationTask[];
      try {
        tasks = await this.engine.nextTasks(functions, free);
      } catch (e) {
        if (this.stopping) break;
        this.log.event("error", `could not get the next invocation: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (tasks.length === 0) break;
      for (const task of tasks) {
        const key = `${task.DurableExecutionArn}#${task.invocationNumber}`;
        const done = this.run(task).finally(() => {
          this.running.delete(key);
          const wake = this.slotFreed;
          this.slotFreed = undefined;
          wake?.();
        });
        this.running.set(key, { task, done });
      }
    }
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Runs one invocation; every outcome is logged, none escapes. */
  private async run(task: InvocationTask): Promise<void> {
    const label = executionLabel(task.DurableExecutionArn);
    try {
      await this.engine.invoke(task);
    } catch (e) {
      if (e instanceof InvocationFailedError) {
        this.log.event("warn", `[${label}] invocation ${task.invocationNumber} threw; the execution is invoked again after the retry delay`, {
          executionArn: task.DurableExecutionArn,
        });
      } else if (e instanceof InvalidCheckpointTokenError) {
        // The invocation was taken over (lease expired) or released: its end is not ours to record.
        this.log.event("warn", `[${label}] invocation ${task.invocationNumber} no longer held by this worker: ${e.message}`, {
          executionArn: task.DurableExecutionArn,
        });
      } else {
        this.log.event("error", `[${label}] invocation ${task.invocationNumber} could not be recorded: ${(e as Error)?.message ?? e}`, {
          executionArn: task.DurableExecutionArn,
        });
      }
    }
  }

  /**
   * Graceful shutdown: hand out no more invocations, let running ones finish for up to the
   * grace period, then release those still running (they end with an error and are invoked
   * again by any worker on the file).
   */
  shutdown(): Promise<void> {
    this.stopping ??= this.drain();
    return this.stopping;
  }

  private async drain(): Promise<void> {
    this.engine.stopTasks();
    if (this.running.size > 0) this.log.event("info", `shutting down: waiting for ${this.running.size} running invocation(s)`);
    const grace = this.options.shutdownGraceMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), grace)));
    const finished = await Promise.race([Promise.all(this.loops).then(() => "done" as const), timedOut]);
    clearTimeout(timer);
    if (finished === "timeout") {
      for (const { task } of this.running.values()) {
        try {
          this.engine.releaseInvocation(task, SHUTDOWN_ERROR);
          this.log.event("warn", `[${executionLabel(task.DurableExecutionArn)}] invocation ${task.invocationNumber} released unfinished`, {
            executionArn: task.DurableExecutionArn,
          });
        } catch (e) {
          this.log.event("error", `could not release ${task.DurableExecutionArn}: ${(e as Error).message}`);
        }
      }
    }
  }
}
