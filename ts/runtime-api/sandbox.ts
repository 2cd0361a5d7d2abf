// One sandbox: a runtime process started by durable-node and the Runtime API endpoint it alone
// talks to (server.ts). Owns the process's life as Lambda does: initialisation (until its first
// `next`, or the init error it reports), one invocation at a time, the function timeout
// (`Sandbox.Timedout`, the process is killed) and crashes (`Runtime.ExitError`). A dead sandbox
// is never reused; the pool (pool.ts) starts another. A process may also talk to its parent on
// a side channel (Node's IPC, for durable-node's own SDK: runtime-api/node-function.ts), and an
// invocation may be ended from outside (its execution was stopped): the process is killed.

import { spawn, type ChildProcess } from "node:child_process";

import { RuntimeApiServer, type RuntimeErrorReport, type RuntimeInvocation } from "./server";

/** How to start the runtime process; AWS_LAMBDA_RUNTIME_API is added to `env`. */
export interface RuntimeCommand {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Opens an IPC channel (advanced serialization): each message the process sends is handed
   * here with a function that answers it. */
  channel?: (message: unknown, reply: (answer: unknown) => void) => void;
}

export interface SandboxOptions {
  runtime: RuntimeCommand;
  /** Initialisation must end (first `next`) within this time (Lambda: 10 s). */
  initTimeoutMs: number;
  /** Each line the process writes, with its pid. */
  onOutput?: (line: string, stream: "stdout" | "stderr", pid: number | undefined) => void;
}

/** An error named by its Lambda error type (`Runtime.ExitError`, `Sandbox.Timedout`, …). */
export class LambdaError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly stackTrace?: string[],
  ) {
    super(message);
    this.name = errorType;
  }
}

/** The runtime could not initialise: it reported an init error, exited, or could not start. */
export class RuntimeInitError extends LambdaError {}

export type InvokeOutcome = { kind: "response"; body: Buffer } | { kind: "error"; report: RuntimeErrorReport };

type State = "starting" | "idle" | "busy" | "dead";
const KEPT_LINES = 20;
/** What V8 writes before it aborts on a full heap. */
const OUT_OF_MEMORY = /JavaScript heap out of memory|Allocation failed - process out of memory/;

/** Lambda's words for how a process ended. */
function exitDescription(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `signal: ${signal === "SIGKILL" ? "killed" : signal.toLowerCase().replace(/^sig/, "")}`;
  return `exit status ${code ?? "unknown"}`;
}

export class Sandbox {
  private state: State = "starting";
  private child: ChildProcess | undefined;
  private readonly server: RuntimeApiServer;
  private readonly recent: string[] = [];
  private initReport: RuntimeErrorReport | undefined;
  private settleInit: ((error?: Error) => void) | undefined;
  private settleInvoke: ((outcome: InvokeOutcome | LambdaError) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timedOut: string | undefined;
  /** Set when the invocation was ended from outside (`abort`): how it is reported. */
  private aborted: LambdaError | undefined;
  private requestId = "";
  readonly exited: Promise<void>;
  private markExited!: () => void;
  /** Called once when the process is gone, whatever the reason. */
  onDeath: (() => void) | undefined;

  private constructor(private readonly options: SandboxOptions) {
    this.exited = new Promise((resolve) => (this.markExited = resolve));
    this.server = new RuntimeApiServer({
      onNext: () => {
        if (this.state === "starting") {
          this.state = "idle";
          this.settleInit?.();
        }
      },
      onResponse: (_id, body) => this.finishInvoke({ kind: "response", body }),
      onError: (_id, report) => this.finishInvoke({ kind: "error", report }),
      onInitError: (report) => {
        // Initialisation failed: the runtime exits next (awslambdaric does); if it does not, it is killed.
        this.initReport = report;
        this.settleInit?.(new RuntimeInitError(report.errorType, report.errorMessage, report.stackTrace));
        setTimeout(() => this.child?.kill("SIGKILL"), 1000).unref();
      },
    });
  }

  /** Starts the process; resolves once it initialised, rejects with RuntimeInitError otherwise. */
  static async start(options: SandboxOptions): Promise<Sandbox> {
    const sandbox = new Sandbox(options);
    await sandbox.boot();
    return sandbox;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return this.state !== "dead";
  }

  /** The last lines the process wrote (for error messages). */
  get output(): string[] {
    return [...this.recent];
  }

  private async boot(): Promise<void> {
    const address = await this.server.listen();
    const { runtime } = this.options;
    const init = new Promise<void>((resolve, reject) => {
      this.settleInit = (error) => {
        this.settleInit = undefined;
        if (error) reject(error);
        else resolve();
      };
    });
    const child = spawn(runtime.command, runtime.args, {
      cwd: runtime.cwd,
      env: { ...runtime.env, AWS_LAMBDA_RUNTIME_API: address },
      stdio: runtime.channel ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
      ...(runtime.channel ? { serialization: "advanced" as const } : {}),
    });
    this.child = child;
    if (runtime.channel) {
      const channel = runtime.channel;
      child.on("message", (message) =>
        channel(message, (answer) => {
          if (child.connected) child.send(answer as never, (e) => e && undefined);
        }),
      );
    }
    for (const stream of ["stdout", "stderr"] as const) {
      let partial = "";
      child[stream]!.setEncoding("utf8").on("data", (chunk: string) => {
        const parts = (partial + chunk).split(/\r?\n/);
        partial = parts.pop() ?? "";
        for (const line of parts) this.line(line, stream);
      });
      child[stream]!.on("end", () => partial && this.line(partial, stream));
    }
    child.once("error", (e: NodeJS.ErrnoException) => {
      this.settleInit?.(new RuntimeInitError("Runtime.InvalidEntrypoint", `cannot start the runtime ${runtime.command}: ${e.code ?? e.message}`));
      void this.die(null, null);
    });
    // The end is "close" (the last lines it wrote are read by then), or shortly after "exit"
    // when a process it started keeps its output open.
    child.once("exit", (code, signal) => {
      const late = setTimeout(() => void this.die(code, signal), 200);
      child.once("close", () => {
        clearTimeout(late);
        void this.die(code, signal);
      });
    });
    const timer = setTimeout(() => {
      this.settleInit?.(new RuntimeInitError("Sandbox.Timedout", `the runtime did not finish initialising within ${this.options.initTimeoutMs} ms${this.tail()}`));
      child.kill("SIGKILL");
    }, this.options.initTimeoutMs);
    try {
      await init;
    } finally {
      clearTimeout(timer);
    }
  }

  private line(text: string, stream: "stdout" | "stderr"): void {
    this.recent.push(text);
    if (this.recent.length > KEPT_LINES) this.recent.shift();
    this.options.onOutput?.(text, stream, this.child?.pid);
  }

  private tail(): string {
    const lines = this.recent.filter((l) => l.trim() !== "").slice(-5);
    return lines.length ? `; it wrote: ${lines.join(" | ")}` : "";
  }

  /**
   * Runs one invocation. Resolves with the runtime's response or reported error; rejects with
   * a LambdaError when the process died (`Runtime.ExitError`) or ran past `timeoutMs`
   * (`Sandbox.Timedout`, the process is killed).
   */
  invoke(invocation: RuntimeInvocation, timeoutMs: number): Promise<InvokeOutcome> {
    if (this.state !== "idle") return Promise.reject(new Error(`sandbox is ${this.state}, not idle`));
    this.state = "busy";
    return new Promise<InvokeOutcome>((resolve, reject) => {
      this.settleInvoke = (outcome) => (outcome instanceof LambdaError ? reject(outcome) : resolve(outcome));
      this.timer = setTimeout(() => {
        this.timedOut = `RequestId: ${invocation.requestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`;
        this.server.abandon();
        this.child?.kill("SIGKILL");
      }, timeoutMs);
      this.requestId = invocation.requestId;
      this.server.deliver(invocation);
    });
  }

  /**
   * Ends the running invocation from outside: the process is killed and the invocation fails
   * with `error` (an idle or dead sandbox is left alone).
   */
  abort(error: LambdaError): void {
    if (this.state !== "busy" || !this.child) return;
    this.aborted = error;
    clearTimeout(this.timer);
    this.server.abandon();
    this.child.kill("SIGKILL");
  }

  private finishInvoke(outcome: InvokeOutcome | LambdaError): void {
    clearTimeout(this.timer);
    const settle = this.settleInvoke;
    this.settleInvoke = undefined;
    if (this.state === "busy") this.state = "idle";
    settle?.(outcome);
  }

  private async die(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    if (this.state === "dead") return;
    const was = this.state;
    this.state = "dead";
    clearTimeout(this.timer);
    this.server.abandon();
    await this.server.close();
    if (was === "starting") {
      const report = this.initReport;
      this.settleInit?.(
        report
          ? new RuntimeInitError(report.errorType, report.errorMessage, report.stackTrace)
          : new RuntimeInitError("Runtime.ExitError", `the runtime exited before its first request (${exitDescription(code, signal)})${this.tail()}`),
      );
    }
    if (this.settleInvoke) {
      const settle = this.settleInvoke;
      this.settleInvoke = undefined;
      const exited = `RequestId: ${this.requestId} Error: Runtime exited with error: ${exitDescription(code, signal)}`;
      settle(
        this.aborted ??
          (this.timedOut
            ? new LambdaError("Sandbox.Timedout", this.timedOut)
            : this.recent.some((l) => OUT_OF_MEMORY.test(l))
              ? new LambdaError("Runtime.OutOfMemory", `${exited} (out of memory)`)
              : new LambdaError("Runtime.ExitError", exited)),
      );
    }
    this.markExited();
    this.onDeath?.();
  }

  /** Stops the process (SIGTERM, then SIGKILL after `graceMs`); resolves when it is gone. */
  async close(graceMs = 1000): Promise<void> {
    if (this.state === "dead" || !this.child) {
      await this.server.close();
      return;
    }
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child?.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
