import {
  withDurableExecution,
  type DurableInstrumentationPlugin,
  type InvocationInfo,
  type OperationEndInfo,
  type OperationInfo,
} from "@aws/durable-execution-sdk-js";

// Logs start and end of step operations with the operation id the hook received.
class ConfPlugin implements DurableInstrumentationPlugin {
  private arn = "";

  private emit(record: Record<string, unknown>): void {
    process.stdout.write(JSON.stringify({ plugin: "CONFPLUGIN", ...record, durableExecutionArn: this.arn }) + "\n");
  }

  async onInvocationStart(info: InvocationInfo): Promise<void> {
    this.arn = info.executionArn;
  }

  async onOperationStart(info: OperationInfo): Promise<void> {
    if (info.type !== "STEP") return;
    this.emit({ hook: "operation-start", op: info.id });
  }

  async onOperationEnd(info: OperationEndInfo): Promise<void> {
    if (info.type !== "STEP") return;
    this.emit({ hook: "operation-end", op: info.id, status: info.status });
  }
}

export const handler = withDurableExecution(
  async (event: string, context) => {
    return context.step(async () => `Hello, ${event}!`);
  },
  { plugins: [new ConfPlugin()] },
);
