// The worker: owns the executions of its registered functions on one database. A fixed number
// of loops each await the engine's next invocation (`nextTask`: new executions, fired waits,
// retries and callback timeouts, completed callbacks and chained invokes, invocations recovered
// from crashed processes) and run it. The engine decides what runs when; this only runs it.
// Leases of long invocations are renewed so they are not taken over while this process lives.

import { InvalidCheckpointTokenError } from "../engine-errors";
import { InvocationFailedError, type DurableEngine } from "../engine/durable-engine";
import type { InvocationTask } from "../native";
import { executionLabel, type WorkerLog } from "./log";

export interface WorkerOptions {
  /** Invocations run at the same time (default 8). */
  concurrency?: number;
  /** How long shutdown waits for running invocations before releasing them (ms, default 10 s). */
  shutdownGraceMs?: number;
  /** Lease renewal interval (ms); should be well under the engine's lease (default 60 s). */
  renewEveryMs?: number;
}

const SHUTDOWN_ERROR = {
  ErrorType: "Runtime.WorkerShutdown",
  ErrorMessage: "The worker shut down before the invocation finished; the execution is invoked again.",
};

export class Worker {
  private readonly running = new Map<string, { task: InvocationTask; done: Promise<void> }>();
  private loops: Promise<void>[] = [];
  private renewTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
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
    const functions = this.functions;
    for (let i = 0; i < this.concurrency; i++) this.loops.push(this.loop(functions));
    const every = this.options.renewEveryMs ?? 60_000;
    this.renewTimer = setInterval(() => {
      try {
        this.engine.renewLeases();
      } catch (e) {
        this.log.event("error", `lease renewal failed: ${(e as Error).message}`);
      }
    }, every);
    this.renewTimer.unref();
  }

  private async loop(functions: string[]): Promise<void> {
    while (!this.stopping) {
      let task: InvocationTask | null;
      try {
        task = await this.engine.nextTask(functions);
      } catch (e) {
        if (this.stopping) return;
        this.log.event("error", `could not get the next invocation: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (!task) return;
      const key = `${task.DurableExecutionArn}#${task.invocationNumber}`;
      const done = this.run(task);
      this.running.set(key, { task, done });
      await done;
      this.running.delete(key);
    }
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
    if (this.renewTimer) clearInterval(this.renewTimer);
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
