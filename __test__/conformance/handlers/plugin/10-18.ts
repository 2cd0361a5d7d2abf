import {
  withDurableExecution,
  type DurableInstrumentationPlugin,
  type InvocationInfo,
  type OperationEndInfo,
  type OperationInfo,
} from "@aws/durable-execution-sdk-js";

const TERMINAL = new Set(["SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED", "CANCELLED"]);

// Logs wait starts (with the replay flag and whether the wait is still open) and wait ends.
class ConfPlugin implements DurableInstrumentationPlugin {
  private arn = "";

  private emit(record: Record<string, unknown>): void {
    process.stdout.write(JSON.stringify({ plugin: "CONFPLUGIN", ...record, durableExecutionArn: this.arn }) + "\n");
  }

  async onInvocationStart(info: InvocationInfo): Promise<void> {
    this.arn = info.executionArn;
  }

  async onOperationStart(info: OperationInfo): Promise<void> {
    if (info.type.toUpperCase() !== "WAIT") return;
    const pending = !TERMINAL.has(String(info.status)) && info.endTimestamp === undefined;
    this.emit({ hook: "operation-start", type: "WAIT", name: info.name, replay: info.isReplay, pending });
  }

  async onOperationEnd(info: OperationEndInfo): Promise<void> {
    if (info.type.toUpperCase() !== "WAIT") return;
    this.emit({ hook: "operation-end", type: "WAIT", name: info.name, status: info.status });
  }
}

export const handler = withDurableExecution(
  async (_event: unknown, context) => {
    const result = await context.parallel(
      "waits",
      [
        async (branch) => {
          await branch.wait("short", { seconds: 2 });
          return "short-done";
        },
        async (branch) => {
          await branch.wait("long", { seconds: 8 });
          return "long-done";
        },
      ],
      { maxConcurrency: 2 },
    );
    return result.getResults();
  },
  { plugins: [new ConfPlugin()] },
);
