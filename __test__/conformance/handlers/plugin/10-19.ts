import { withDurableExecution, type DurableInstrumentationPlugin, type InvocationEndInfo, type InvocationInfo } from "@aws/durable-execution-sdk-js";

/**
 * A canonical dump of an info object: every field it has, under its own (camelCase) name;
 * operation maps as `<name>Count`, dates as ISO strings, errors as their message, unset
 * fields omitted.
 */
function dump(info: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(info)) {
    if (value === undefined || value === null) continue;
    if (key === "operations" || key === "updatedOperations") out[`${key}Count`] = Object.keys(value as object).length;
    else if (value instanceof Date) out[key] = value.toISOString();
    else if (value instanceof Error) out[key] = value.message;
    else out[key] = value;
  }
  return out;
}

// Dumps the info of both invocation hooks, adding only `terminal` to the end record.
class ConfPlugin implements DurableInstrumentationPlugin {
  private arn = "";

  private emit(record: Record<string, unknown>): void {
    process.stdout.write(JSON.stringify({ plugin: "CONFPLUGIN", ...record, durableExecutionArn: this.arn }) + "\n");
  }

  async onInvocationStart(info: InvocationInfo): Promise<void> {
    this.arn = info.executionArn;
    this.emit({ hook: "invocation-start", ...dump(info) });
  }

  async onInvocationEnd(info: InvocationEndInfo): Promise<void> {
    this.emit({ hook: "invocation-end", ...dump(info), terminal: info.status === "SUCCEEDED" || info.status === "FAILED" });
  }
}

export const handler = withDurableExecution(
  async (event: string, context) => {
    await context.wait({ seconds: 2 });
    return `done-${event}`;
  },
  { plugins: [new ConfPlugin()] },
);
