import {
  withDurableExecution,
  type DurableInstrumentationPlugin,
  type InvocationInfo,
  type OperationEndInfo,
  type OperationInfo,
} from "@aws/durable-execution-sdk-js";

// Logs start and end of wait operations with their id and type token.
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
    this.emit({ hook: "operation-start", op: info.id, type: info.type.toUpperCase() });
  }

  async onOperationEnd(info: OperationEndInfo): Promise<void> {
    if (info.type.toUpperCase() !== "WAIT") return;
    this.emit({ hook: "operation-end", op: info.id, type: info.type.toUpperCase(), status: info.status });
  }
}

export const handler = withDurableExecution(
  async (_event: unknown, context) => {
    await context.wait({ seconds: 2 });
    return "wait completed";
  },
  { plugins: [new ConfPlugin()] },
);
