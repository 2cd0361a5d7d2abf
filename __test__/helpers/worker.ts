// Worker processes for the worker and HTTP API specs: `durable-node worker` as a real child
// process on a real SQLite file, with the fixture config (__test__/fixtures/worker).

import path from "node:path";

import { CliProcess, REPO_ROOT, type CliOptions } from "./cli";

export const WORKER_CONFIG = path.join(REPO_ROOT, "__test__", "fixtures", "worker", "durable.config.json");

export class WorkerProcess extends CliProcess {
  url = "";

  /** Resolves once the worker logged that it is ready (and, with HTTP, its URL). */
  async ready(timeoutMs = 30_000): Promise<this> {
    await this.waitForLine(/worker ready/, timeoutMs);
    const line = this.stdout.split("\n").find((l) => /listening on http/.test(l));
    if (line) this.url = /(http:\/\/[^\s"]+)/.exec(line)![1];
    return this;
  }

  /** Sends a signal and resolves with the exit. */
  async stop(signal: NodeJS.Signals = "SIGTERM") {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/** Starts `durable-node worker --db <db> --config <fixture> --port 0 <extra>`. */
export function startWorker(db: string, extra: string[] = [], options: CliOptions = {}): Promise<WorkerProcess> {
  return new WorkerProcess(["worker", "--db", db, "--config", WORKER_CONFIG, "--port", "0", ...extra], options).ready();
}

/** Polls `check` until it returns a value other than undefined. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
