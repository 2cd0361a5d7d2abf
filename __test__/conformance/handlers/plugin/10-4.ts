import {
  withDurableExecution,
  type AttemptEndInfo,
  type AttemptInfo,
  type DurableInstrumentationPlugin,
  type InvocationEndInfo,
  type InvocationInfo,
  type OperationEndInfo,
  type OperationInfo,
} from "@aws/durable-execution-sdk-js";

// Every hook logs, then fails: some throw synchronously, others reject.
class FaultyPlugin implements DurableInstrumentationPlugin {
  private arn = "";

  private emit(hook: string): void {
    process.stdout.write(JSON.stringify({ plugin: "CONFPLUGIN-FAULTY", hook, durableExecutionArn: this.arn }) + "\n");
  }

  onInvocationStart(info: InvocationInfo): Promise<void> {
    this.arn = info.executionArn;
    this.emit("invocation-start");
    throw new Error("faulty plugin: invocation-start");
  }

  async onInvocationEnd(_info: InvocationEndInfo): Promise<void> {
    this.emit("invocation-end");
    throw new Error("faulty plugin: invocation-end");
  }

  onOperationStart(info: OperationInfo): Promise<void> {
    if (info.type !== "STEP") return Promise.resolve();
    this.emit("operation-start");
    throw new Error("faulty plugin: operation-start");
  }

  async onOperationEnd(info: OperationEndInfo): Promise<void> {
    if (info.type !== "STEP") return;
    this.emit("operation-end");
    throw new Error("faulty plugin: operation-end");
  }

  onOperationAttemptStart(info: AttemptInfo): Promise<void> {
    if (info.type !== "STEP") return Promise.resolve();
    this.emit("attempt-start");
    throw new Error("faulty plugin: attempt-start");
  }

  async onOperationAttemptEnd(info: AttemptEndInfo): Promise<void> {
    if (info.type !== "STEP") return;
    this.emit("attempt-end");
    throw new Error("faulty plugin: attempt-end");
  }
}

export const handler = withDurableExecution(
  async (event: string, context) => {
    return context.step(async () => `Hello, ${event}!`);
  },
  { plugins: [new FaultyPlugin()] },
);
