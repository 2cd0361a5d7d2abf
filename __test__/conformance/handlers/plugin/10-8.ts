import {
  withDurableExecution,
  type DurableInstrumentationPlugin,
  type InvocationInfo,
  type OperationChangeInfo,
} from "@aws/durable-execution-sdk-js";

// Logs every step in a change's updated-operations delta, and whether the full map has it too.
class ConfPlugin implements DurableInstrumentationPlugin {
  private arn = "";

  private emit(record: Record<string, unknown>): void {
    process.stdout.write(JSON.stringify({ plugin: "CONFPLUGIN", ...record, durableExecutionArn: this.arn }) + "\n");
  }

  async onInvocationStart(info: InvocationInfo): Promise<void> {
    this.arn = info.executionArn;
  }

  async onOperationChange(info: OperationChangeInfo): Promise<void> {
    for (const [id, operation] of Object.entries(info.updatedOperations)) {
      if (operation.type !== "STEP") continue;
      this.emit({ hook: "operation-change", op: id, status: operation.status, in_full_map: id in info.operations });
    }
  }
}

export const handler = withDurableExecution(
  async (event: string, context) => {
    return context.step(async () => `Hello, ${event}!`);
  },
  { plugins: [new ConfPlugin()] },
);
