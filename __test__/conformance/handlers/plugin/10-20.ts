import {
  withDurableExecution,
  type DurableInstrumentationPlugin,
  type InvocationInfo,
  type OperationEndInfo,
  type OperationInfo,
} from "@aws/durable-execution-sdk-js";

/**
 * A canonical dump of an operation info: every field it has, under its own (camelCase) name;
 * type/status tokens upper-cased, dates as ISO strings, errors as their message, unset fields
 * omitted.
 */
function dump(info: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(info)) {
    if (value === undefined || value === null) continue;
    if (key === "type" || key === "status") out[key] = String(value).toUpperCase();
    else if (value instanceof Date) out[key] = value.toISOString();
    else if (value instanceof Error) out[key] = value.message;
    else out[key] = value;
  }
  return out;
}

// Dumps the info of step operation-start and operation-end.
class ConfPlugin implements DurableInstrumentationPlugin {
  private arn = "";

  private emit(record: Record<string, unknown>): void {
    process.stdout.write(JSON.stringify({ plugin: "CONFPLUGIN", ...record, durableExecutionArn: this.arn }) + "\n");
  }

  async onInvocationStart(info: InvocationInfo): Promise<void> {
    this.arn = info.executionArn;
  }

  async onOperationStart(info: OperationInfo): Promise<void> {
    if (info.type.toUpperCase() !== "STEP") return;
    this.emit({ hook: "operation-start", ...dump(info) });
  }

  async onOperationEnd(info: OperationEndInfo): Promise<void> {
    if (info.type.toUpperCase() !== "STEP") return;
    this.emit({ hook: "operation-end", ...dump(info) });
  }
}

export const handler = withDurableExecution(
  async (_event: unknown, context) => {
    return context.step("greet", async () => "task-a");
  },
  { plugins: [new ConfPlugin()] },
);
