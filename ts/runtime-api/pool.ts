// A warm pool of runtime processes for one function: as on Lambda, a process (sandbox.ts) runs
// one invocation at a time and is reused for the next; the pool starts up to `size` of them
// (the worker's concurrency) on demand and keeps them warm. `warm()` starts the first one at
// once so that a function that cannot initialise is refused before any execution is touched.
// A process that crashed or timed out is dropped; when it was the last, a fresh one starts at
// once for the next invocation.

import { LambdaError, Sandbox, type InvokeOutcome, type RuntimeCommand } from "./sandbox";
import type { RuntimeInvocation } from "./server";

export interface PoolOptions {
  functionName: string;
  /** How each process is started (called per process: the environment may be set late). */
  runtime: () => RuntimeCommand;
  /** Most processes at once (each runs one invocation at a time). */
  size: number;
  /** The function timeout (ms). */
  timeoutMs: number;
  /** Initialisation limit per process (ms; Lambda: 10 s). */
  initTimeoutMs?: number;
  /** Each line a process writes. */
  onOutput?: (line: string, stream: "stdout" | "stderr", pid: number | undefined) => void;
  /** Processes started and ended, for the log. */
  onLifecycle?: (message: string, fields: Record<string, unknown>) => void;
}

export class RuntimePool {
  private readonly idle: Sandbox[] = [];
  private readonly live = new Set<Sandbox>();
  private starting = 0;
  private readonly waiters: Array<() => void> = [];
  private closed = false;

  constructor(readonly options: PoolOptions) {}

  /** Processes alive now (idle or busy). */
  get size(): number {
    return this.live.size;
  }

  /** Pids of the live processes. */
  get pids(): number[] {
    return [...this.live].map((s) => s.pid).filter((p): p is number => p !== undefined);
  }

  /** Starts one process if none is alive; rejects with its RuntimeInitError if it cannot initialise. */
  async warm(): Promise<void> {
    if (this.live.size > 0) return;
    this.release(await this.spawn());
  }

  /**
   * Runs one invocation on a warm process (starting one when none is free). Aborting `signal`
   * ends it: its process is killed and the invocation fails with the abort reason (a
   * LambdaError, else `Runtime.ExitError`).
   */
  async invoke(invocation: Omit<RuntimeInvocation, "deadlineMs">, signal?: AbortSignal): Promise<InvokeOutcome> {
    const sandbox = await this.acquire();
    const abort = () => {
      const reason: unknown = signal?.reason;
      sandbox.abort(reason instanceof LambdaError ? reason : new LambdaError("Runtime.ExitError", `RequestId: ${invocation.requestId} Error: the invocation was ended: ${(reason as Error)?.message ?? reason}`));
    };
    try {
      const running = sandbox.invoke({ ...invocation, deadlineMs: Date.now() + this.options.timeoutMs }, this.options.timeoutMs);
      if (signal?.aborted) abort();
      else signal?.addEventListener("abort", abort, { once: true });
      return await running;
    } finally {
      signal?.removeEventListener("abort", abort);
      this.release(sandbox);
    }
  }

  private async acquire(): Promise<Sandbox> {
    for (;;) {
      if (this.closed) throw new Error(`the runtime pool of ${this.options.functionName} is closed`);
      const idle = this.idle.pop();
      if (idle?.alive) return idle;
      if (idle) continue;
      if (this.live.size + this.starting < this.options.size) return this.spawn();
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private async spawn(): Promise<Sandbox> {
    this.starting++;
    let sandbox: Sandbox;
    // Output arrives from the start, before start() answers with the sandbox.
    const started: { pid?: number } = {};
    try {
      sandbox = await Sandbox.start({
        runtime: this.options.runtime(),
        initTimeoutMs: this.options.initTimeoutMs ?? 10_000,
        onOutput: this.options.onOutput && ((line, stream, pid) => this.options.onOutput!(line, stream, pid ?? started.pid)),
      });
    } finally {
      this.starting--;
    }
    started.pid = sandbox.pid;
    this.live.add(sandbox);
    this.options.onLifecycle?.(`runtime process ${sandbox.pid} of ${this.options.functionName} ready`, { functionName: this.options.functionName, pid: sandbox.pid });
    sandbox.onDeath = () => {
      this.live.delete(sandbox);
      const i = this.idle.indexOf(sandbox);
      if (i >= 0) this.idle.splice(i, 1);
      if (!this.closed) {
        this.options.onLifecycle?.(`runtime process ${sandbox.pid} of ${this.options.functionName} exited`, { functionName: this.options.functionName, pid: sandbox.pid });
        // The function's last process died (a crash, a timeout): its next invocation — the
        // engine's retry — finds a warm one rather than paying a cold start. Once: a process
        // that cannot start is reported by the invocation that needs it.
        if (this.live.size + this.starting === 0) this.spawn().then((s) => this.release(s), () => undefined);
      }
      this.waiters.shift()?.();
    };
    if (this.closed) {
      await sandbox.close();
      throw new Error(`the runtime pool of ${this.options.functionName} is closed`);
    }
    return sandbox;
  }

  private release(sandbox: Sandbox): void {
    if (sandbox.alive && !this.closed) this.idle.push(sandbox);
    this.waiters.shift()?.();
  }

  /** Stops every process (SIGTERM, SIGKILL after `graceMs`). */
  async close(graceMs = 1000): Promise<void> {
    this.closed = true;
    for (const wake of this.waiters.splice(0)) wake();
    await Promise.all([...this.live].map((s) => s.close(graceMs)));
  }
}
