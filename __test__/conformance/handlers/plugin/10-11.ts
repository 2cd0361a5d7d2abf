import { withDurableExecution, type DurableInstrumentationPlugin, type InvocationInfo, type OperationEndInfo } from "@aws/durable-execution-sdk-js";

// Logs every operation that ends, with its parent id.
class ConfPlugin implements DurableInstrumentationPlugin {
  private arn = "";

  private emit(record: Record<string, unknown>): void {
    process.stdout.write(JSON.stringify({ plugin: "CONFPLUGIN", ...record, durableExecutionArn: this.arn }) + "\n");
  }

  async onInvocationStart(info: InvocationInfo): Promise<void> {
    this.arn = info.executionArn;
  }

  async onOperationEnd(info: OperationEndInfo): Promise<void> {
    this.emit({ hook: "operation-end", op: info.id, parent: info.parentId ?? "NONE", status: info.status });
  }
}

export const handler = withDurableExecution(
  async (event: string, context) => {
    return context.runInChildContext(async (child) => child.step(async () => `Hello, ${event}!`));
  },
  { plugins: [new ConfPlugin()] },
);
