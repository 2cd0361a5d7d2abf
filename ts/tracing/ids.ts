// Span and trace ids derived from what the engine stores, so that every process that runs an
// invocation of an execution — after a crash, on another worker, in a chained invoke's target —
// names the same parents without storing or passing anything: the trace is the root
// execution's, the execution span is the execution's, an operation attempt's span is that
// attempt's. The OpenTelemetry SDK asks its IdGenerator for ids; this one hands out the id
// prepared for the span being started (random ones otherwise).

import { createHash } from "node:crypto";

import { RandomIdGenerator, type IdGenerator } from "@opentelemetry/sdk-trace";

function digest(parts: (string | number)[], hexChars: number): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, hexChars);
}

export const traceIdOf = (rootArn: string) => digest(["trace", rootArn], 32);
export const executionSpanId = (arn: string) => digest(["execution", arn], 16);
export const invocationSpanId = (arn: string, n: number) => digest(["invocation", arn, n], 16);
/** `key`: a step's attempt number, a context's invocation number, 1 for anything else. */
export const operationSpanId = (arn: string, opId: string, key: string | number) => digest(["operation", arn, opId, key], 16);

export class PreparedIds implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private traceId: string | undefined;
  private spanId: string | undefined;

  /** The ids the next span started gets (its trace id only matters for a root span). */
  prepare(spanId: string, traceId?: string): void {
    this.spanId = spanId;
    this.traceId = traceId;
  }

  generateTraceId(): string {
    const id = this.traceId ?? this.random.generateTraceId();
    this.traceId = undefined;
    return id;
  }

  generateSpanId(): string {
    const id = this.spanId ?? this.random.generateSpanId();
    this.spanId = undefined;
    return id;
  }
}
