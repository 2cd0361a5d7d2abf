// Running the durable-node command as a user would: a real child process of this Node binary
// running bin/durable-node.js from the repository root (which needs a current dist/).

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = path.join(REPO_ROOT, "bin", "durable-node.js");
export const ORDER_HANDLER = path.join(REPO_ROOT, "examples", "order-processing.ts");
export const ORDER_INPUT = { orderId: "o-1", customerId: "c-1", amount: 12.5 };

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall-clock time from spawn to exit. */
  ms: number;
}

export interface CliOptions {
  cwd?: string;
  /** Added to (or, when undefined, removed from) the environment of the child. */
  env?: Record<string, string | undefined>;
  /** Run the child as this user and group (a test running as root drops its privileges). */
  user?: { uid: number; gid: number };
}

/** The test runner's environment without the example services' knobs, plus `extra`. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DURABLE_CRASH_AFTER;
  delete env.DURABLE_LEDGER;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** A running CLI process whose output is collected as it arrives. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  readonly exited: Promise<CliResult>;
  private readonly listeners = new Set<() => void>();

  constructor(args: string[], options: CliOptions = {}) {
    const started = Date.now();
    this.child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: childEnv(options.env),
      stdio: ["ignore", "pipe", "pipe"],
      ...options.user,
    });
    this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
      for (const l of this.listeners) l();
    });
    this.child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve, reject) => {
      this.child.on("error", reject);
      this.child.on("close", (code, signal) => {
        for (const l of this.listeners) l();
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr, ms: Date.now() - started });
      });
    });
  }

  /** Resolves when a line of stdout matches; rejects on exit or after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
      let done = false;
      const check = () => {
        if (done) return;
        const line = this.stdout.split("\n").find((l) => pattern.test(l));
        if (line !== undefined) finish(() => resolve(line));
        else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          finish(() => reject(new Error(`process exited before printing ${pattern}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`)));
        }
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        done = true;
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }
}

/** Runs `durable-node <args>` to the end; a run that outlives `timeoutMs` is killed and fails the test. */
export async function runCli(args: string[], options: CliOptions & { timeoutMs?: number } = {}): Promise<CliResult> {
  const proc = new CliProcess(args, options);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      proc.child.kill("SIGKILL");
      reject(new Error(`durable-node ${args.join(" ")} did not finish within ${options.timeoutMs ?? 45_000} ms\nstdout:\n${proc.stdout}\nstderr:\n${proc.stderr}`));
    }, options.timeoutMs ?? 45_000);
  });
  try {
    return await Promise.race([proc.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Non-empty lines of a text. */
export function lines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "");
}

/** The execution record printed by --json on the last line of stdout. */
export function lastJson(stdout: string): Record<string, any> {
  const all = lines(stdout);
  const last = all[all.length - 1];
  if (last === undefined) throw new Error("stdout is empty");
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`the last line of stdout is not JSON: ${last}\nstdout:\n${stdout}`);
  }
}

/** Arguments of `durable-node run` for the tutorial's order handler. */
export function orderArgs(db: string, name: string, ...extra: string[]): string[] {
  return ["run", ORDER_HANDLER, "--input", JSON.stringify(ORDER_INPUT), "--name", name, "--db", db, "--json", ...extra];
}

function tsSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return tsSources(full);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [full] : [];
  });
}

/**
 * Throws a clear error when dist/ is missing or older than ts/ (the CLI runs the compiled code).
 * A source without output yet (a new file nothing compiled imports) does not count.
 */
export function requireCurrentDist(): void {
  const hint = "run `npx tsc -p tsconfig.build.json` (or npm run build) first";
  for (const entry of ["dist/index.js", "dist/cli/main.js"]) {
    if (!existsSync(path.join(REPO_ROOT, entry))) throw new Error(`${entry} is missing: ${hint}`);
  }
  const src = path.join(REPO_ROOT, "ts");
  for (const file of tsSources(src)) {
    const out = path.join(REPO_ROOT, "dist", path.relative(src, file)).replace(/\.ts$/, ".js");
    if (existsSync(out) && statSync(out).mtimeMs < statSync(file).mtimeMs) {
      throw new Error(`${path.relative(REPO_ROOT, out)} is older than ${path.relative(REPO_ROOT, file)}: ${hint}`);
    }
  }
}
