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

let executionArn = "";

function emit(record: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify({ ...record, durableExecutionArn: executionArn }) + "\n");
}

// Registered first: every hook logs, then fails (some synchronously, some by rejecting).
class FaultyPlugin implements DurableInstrumentationPlugin {
  onInvocationStart(info: InvocationInfo): Promise<void> {
    executionArn = info.executionArn;
    emit({ plugin: "CONFPLUGIN-FAULTY", hook: "invocation-start" });
    throw new Error("faulty plugin: invocation-start");
  }

  onOperationStart(info: OperationInfo): Promise<void> {
    if (info.type !== "STEP") return Promise.resolve();
    emit({ plugin: "CONFPLUGIN-FAULTY", hook: "operation-start" });
    throw new Error("faulty plugin: operation-start");
  }

  async onOperationAttemptStart(info: AttemptInfo): Promise<void> {
    if (info.type !== "STEP") return;
    emit({ plugin: "CONFPLUGIN-FAULTY", hook: "attempt-start" });
    throw new Error("faulty plugin: attempt-start");
  }

  onOperationAttemptEnd(info: AttemptEndInfo): Promise<void> {
    if (info.type !== "STEP") return Promise.resolve();
    emit({ plugin: "CONFPLUGIN-FAULTY", hook: "attempt-end" });
    throw new Error("faulty plugin: attempt-end");
  }

  async onOperationEnd(info: OperationEndInfo): Promise<void> {
    if (info.type !== "STEP") return;
    emit({ plugin: "CONFPLUGIN-FAULTY", hook: "operation-end" });
    throw new Error("faulty plugin: operation-end");
  }

  onInvocationEnd(_info: InvocationEndInfo): Promise<void> {
    emit({ plugin: "CONFPLUGIN-FAULTY", hook: "invocation-end" });
    throw new Error("faulty plugin: invocation-end");
  }
}

// Registered second: logs the same lifecycle normally.
class HealthyPlugin implements DurableInstrumentationPlugin {
  async onInvocationStart(info: InvocationInfo): Promise<void> {
    executionArn = info.executionArn;
    emit({ plugin: "CONFPLUGIN-HEALTHY", hook: "invocation-start", first: info.isFirstInvocation });
  }

  async onOperationStart(info: OperationInfo): Promise<void> {
    if (info.type !== "STEP") return;
    emit({ plugin: "CONFPLUGIN-HEALTHY", hook: "operation-start", op: info.id });
  }

  async onOperationAttemptStart(info: AttemptInfo): Promise<void> {
    if (info.type !== "STEP") return;
    emit({ plugin: "CONFPLUGIN-HEALTHY", hook: "attempt-start", op: info.id });
  }

  async onOperationAttemptEnd(info: AttemptEndInfo): Promise<void> {
    if (info.type !== "STEP") return;
    emit({ plugin: "CONFPLUGIN-HEALTHY", hook: "attempt-end", op: info.id, outcome: info.outcome });
  }

  async onOperationEnd(info: OperationEndInfo): Promise<void> {
    if (info.type !== "STEP") return;
    emit({ plugin: "CONFPLUGIN-HEALTHY", hook: "operation-end", op: info.id, status: info.status });
  }

  async onInvocationEnd(info: InvocationEndInfo): Promise<void> {
    emit({ plugin: "CONFPLUGIN-HEALTHY", hook: "invocation-end", status: info.status });
  }
}

export const handler = withDurableExecution(
  async (event: string, context) => {
    return context.step(async () => `Hello, ${event}!`);
  },
  { plugins: [new FaultyPlugin(), new HealthyPlugin()] },
);
