// OpenTelemetry spans from what durable-node already publishes: the invocation channel
// (DurableEngine.invoke) and the operation channel (ts/observe.ts). One span per invocation
// (child of the execution's span), one per operation attempt in that invocation (child of its
// enclosing context's span in the same invocation, or of the invocation), and the execution's
// span when it ends (child of the calling operation's span for a chained invoke). Replayed
// operations start no span. Ids are derived (ids.ts), so the trace carries across invocations,
// processes and chained invokes. With nothing subscribed, the channels cost nothing.

import diagnostics_channel from "node:diagnostics_channel";

import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes, type Context, type Span, type Tracer } from "@opentelemetry/api";

import { INVOCATION_CHANNEL, type DurableEngine, type ExecutionLinks, type InvocationEvent } from "../engine/durable-engine";
import { onOperation, type OperationEvent } from "../observe";
import { executionSpanId, invocationSpanId, operationSpanId, traceIdOf, type PreparedIds } from "./ids";

interface Failure {
  span: Span;
  id: string;
  at: number;
}

interface Running {
  links: ExecutionLinks;
  number: number;
  span: Span;
  context: Context;
  /** Open operation spans by operation id. */
  ops: Map<string, { span: Span; context: Context }>;
  /** Spans of failed attempts, ended once the invocation's checkpoints are in (error type). */
  failures: Failure[];
}

function parentContext(traceId: string, spanId: string): Context {
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
}

/** The attempt a `started` event begins ("attempt 3", "check 2"; the first says nothing). */
function attemptOf(e: OperationEvent): number {
  const m = /^(?:attempt|check) (\d+)/.exec(e.detail ?? "");
  return m ? Number(m[1]) : 1;
}

function recordedErrorType(engine: DurableEngine, arn: string, id: string): string | undefined {
  try {
    const op = engine.operation(arn, id);
    const d = op.StepDetails ?? op.ContextDetails ?? op.CallbackDetails ?? op.ChainedInvokeDetails;
    return d?.Error?.ErrorType ?? undefined;
  } catch {
    return undefined;
  }
}

export class DurableTracer {
  /** By ARN and invocation number (an invocation's end may arrive after the next one began). */
  private readonly running = new Map<string, Running>();
  /** The latest invocation of each execution: its operations' events are that one's. */
  private readonly latest = new Map<string, Running>();
  private readonly stopOps: () => void;
  private readonly onInvocation = (message: unknown) => this.invocation(message as InvocationEvent);

  constructor(
    private readonly engine: DurableEngine,
    private readonly tracer: Tracer,
    private readonly ids: PreparedIds,
  ) {
    diagnostics_channel.subscribe(INVOCATION_CHANNEL, this.onInvocation);
    this.stopOps = onOperation((e) => this.operation(e));
  }

  close(): void {
    diagnostics_channel.unsubscribe(INVOCATION_CHANNEL, this.onInvocation);
    this.stopOps();
  }

  private start(name: string, spanId: string, parent: Context, attributes: Attributes, startTime?: number, traceId?: string): Span {
    this.ids.prepare(spanId, traceId);
    return this.tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes, startTime }, parent);
  }

  private executionAttributes(arn: string, links: ExecutionLinks): Attributes {
    return { "durable.execution.arn": arn, "durable.execution.name": links.name, "durable.function.name": links.functionName };
  }

  private invocation(e: InvocationEvent): void {
    if (e.phase === "started") {
      let links: ExecutionLinks;
      try {
        links = this.engine.executionLinks(e.executionArn);
      } catch {
        return;
      }
      const traceId = traceIdOf(links.rootArn);
      const spanId = invocationSpanId(e.executionArn, e.number);
      const attributes = { ...this.executionAttributes(e.executionArn, links), "durable.invocation.number": e.number };
      const span = this.start(`invocation ${links.functionName}`, spanId, parentContext(traceId, executionSpanId(e.executionArn)), attributes);
      const run: Running = { links, number: e.number, span, context: parentContext(traceId, spanId), ops: new Map(), failures: [] };
      this.running.set(`${e.executionArn}#${e.number}`, run);
      this.latest.set(e.executionArn, run);
      return;
    }
    const run = this.running.get(`${e.executionArn}#${e.number}`);
    if (!run) return;
    this.running.delete(`${e.executionArn}#${e.number}`);
    if (this.latest.get(e.executionArn) === run) this.latest.delete(e.executionArn);
    const now = Date.now();
    for (const { span } of run.ops.values()) {
      span.setAttribute("durable.operation.status", e.phase === "failed" ? "INTERRUPTED" : "SUSPENDED");
      span.end(now);
    }
    for (const f of run.failures) {
      f.span.setAttribute("error.type", recordedErrorType(this.engine, e.executionArn, f.id) ?? "Error");
      f.span.end(f.at);
    }
    run.span.setAttribute("durable.invocation.status", e.phase === "failed" ? "FAILED" : (e.status ?? "SUCCEEDED"));
    if (e.phase === "failed" || e.errorType) {
      run.span.setAttribute("error.type", e.errorType ?? "Error");
      run.span.setStatus({ code: SpanStatusCode.ERROR, message: e.error });
    }
    run.span.end(now);
    if (e.phase === "completed" && (e.status === "SUCCEEDED" || e.status === "FAILED")) this.executionEnded(e, run.links, now);
  }

  /** The execution's own span, from its start to its end, once it has ended. */
  private executionEnded(e: InvocationEvent, links: ExecutionLinks, now: number): void {
    const traceId = traceIdOf(links.rootArn);
    const parent = links.parentArn && links.parentOperationId ? parentContext(traceId, operationSpanId(links.parentArn, links.parentOperationId, 1)) : ROOT_CONTEXT;
    const attributes = { ...this.executionAttributes(e.executionArn, links), "durable.execution.status": e.status };
    const span = this.start(`execution ${links.functionName}`, executionSpanId(e.executionArn), parent, attributes, links.startMs, traceId);
    if (e.status === "FAILED") span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(now);
  }

  private operation(e: OperationEvent): void {
    const run = this.latest.get(e.executionArn);
    if (!run) return;
    if (e.phase === "started" || e.phase === "resumed") {
      // A context spans invocations: one span per invocation it runs in. A step: one per attempt.
      const key = e.type === "CONTEXT" ? `invocation ${run.number}` : e.type === "STEP" ? attemptOf(e) : 1;
      const parent = (e.parentId && run.ops.get(e.parentId)?.context) || run.context;
      const spanId = operationSpanId(e.executionArn, e.id, key);
      const attributes: Attributes = {
        ...this.executionAttributes(e.executionArn, run.links),
        "durable.invocation.number": run.number,
        "durable.operation.id": e.id,
        "durable.operation.type": e.type,
        "durable.operation.attempt": typeof key === "number" ? key : 1,
      };
      if (e.name !== undefined) attributes["durable.operation.name"] = e.name;
      if (e.subType !== undefined) attributes["durable.operation.subtype"] = e.subType;
      const span = this.start(`${e.type.toLowerCase()} ${e.name ?? e.subType ?? e.id}`, spanId, parent, attributes);
      run.ops.set(e.id, { span, context: parentContext(span.spanContext().traceId, spanId) });
      return;
    }
    const open = run.ops.get(e.id);
    if (!open || e.phase === "replayed") return;
    run.ops.delete(e.id);
    const status = { succeeded: "SUCCEEDED", failed: "FAILED", retrying: "RETRYING", waiting: "WAITING" }[e.phase] ?? e.phase.toUpperCase();
    open.span.setAttribute("durable.operation.status", status);
    if (e.phase === "failed" || e.phase === "retrying") {
      open.span.setStatus({ code: SpanStatusCode.ERROR, message: e.detail });
      run.failures.push({ span: open.span, id: e.id, at: Date.now() });
      return;
    }
    open.span.end();
  }
}
