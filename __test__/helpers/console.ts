// The console specs' shared pieces: a worker on the console fixture (__test__/fixtures/console),
// `durable-node start` against its database, and the headless Chromium the browser spec drives
// (Debian's chromium package; its absence fails the spec with the command that installs it).

import { existsSync } from "node:fs";
import path from "node:path";

import { expect } from "vitest";

import { REPO_ROOT, runCli, type CliOptions } from "./cli";
import { WorkerProcess } from "./worker";

export const CONSOLE_CONFIG = path.join(REPO_ROOT, "__test__", "fixtures", "console", "durable.config.json");

export function consoleWorker(db: string, extra: string[] = [], options: CliOptions = {}): Promise<WorkerProcess> {
  return new WorkerProcess(["worker", "--db", db, "--config", CONSOLE_CONFIG, "--port", "0", ...extra], options).ready();
}

export async function startExecution(db: string, fn: string, input: unknown, name?: string): Promise<string> {
  const result = await runCli(["start", fn, "--db", db, "--config", CONSOLE_CONFIG, "--input", JSON.stringify(input), ...(name ? ["--name", name] : [])]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return result.stdout.trim();
}

/** The Chromium binary: $CHROMIUM_PATH, or Debian's /usr/bin/chromium. */
export function chromiumPath(): string {
  const candidate = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(candidate)) {
    throw new Error(`headless Chromium is required for the console's browser spec and is missing at ${candidate}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  }
  return candidate;
}
