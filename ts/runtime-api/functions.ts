// The worker's functions that run in runtime processes, whatever their language (Python:
// ts/python/worker-functions.ts; JavaScript/TypeScript: ts/worker/node-functions.ts): one warm
// pool per function, registered on the engine as a durable handler invoked with the Lambda
// event (or as a plain function), started once the HTTP API listens (their processes get its
// address) — each function's first process must initialise, or the worker refuses to start,
// naming the function and the reason.

import os from "node:os";

import type { DurableEngine } from "../engine/durable-engine";
import { UsageError } from "../cli/usage-error";
import { durableRuntimeHandler, plainRuntimeHandler } from "./function";
import type { RuntimePool } from "./pool";

export interface RuntimeFunction {
  name: string;
  durable: boolean;
  pool: RuntimePool;
  /** What a failed initialisation means for the user, in one line. */
  initError: (e: unknown) => string;
}

export class RuntimeFunctions {
  private address: { url: string; token?: string } = { url: "" };
  private readonly entries: RuntimeFunction[] = [];

  get names(): string[] {
    return this.entries.map((e) => e.name);
  }

  /** Where the HTTP API is (empty until `start`): a pool's processes read it when they start. */
  readonly endpoint = (): { url: string; token?: string } => this.address;

  add(entry: RuntimeFunction): void {
    this.entries.push(entry);
  }

  /** Registers the functions on the engine; returns their names. */
  register(engine: DurableEngine): string[] {
    for (const e of this.entries) {
      if (e.durable) engine.register(e.name, durableRuntimeHandler(e.pool) as never, { plainInput: true });
      else engine.registerFunction(e.name, plainRuntimeHandler(e.pool));
    }
    return this.names;
  }

  /** Starts one process per function (with the HTTP API's address, if it listens); a function that cannot initialise is a UsageError. */
  async start(url: string, token: string | undefined): Promise<void> {
    this.address = { url, token };
    // As many at once as there are cores: each process has its own initialisation limit, which
    // a crowd of them starting together on a busy machine would spend waiting for a core.
    const queue = [...this.entries];
    const starters = Array.from({ length: Math.min(queue.length, Math.max(1, os.availableParallelism())) }, async () => {
      for (let e = queue.shift(); e; e = queue.shift()) {
        const entry = e;
        await entry.pool.warm().catch((error: unknown) => {
          queue.length = 0;
          throw new UsageError(entry.initError(error));
        });
      }
    });
    const results = await Promise.allSettled(starters);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  /** Pids of the live runtime processes, by function. */
  pids(): Record<string, number[]> {
    return Object.fromEntries(this.entries.map((e) => [e.name, e.pool.pids]));
  }

  async close(): Promise<void> {
    await Promise.all(this.entries.map((e) => e.pool.close()));
  }
}
