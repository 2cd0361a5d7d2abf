// The console's JSON endpoints over DurableEngine: reads (executions page, one execution's
// timeline, one operation whole, a history page, the registered functions) and actions
// (callback success / failure / heartbeat, stop, start, start again with the same input).
// Every read is an engine page (crates/engine/src/inspect.rs); every input is checked here,
// field by field, with the wire rules of the HTTP API (ts/http/wire.ts).

import { EXECUTION_STATUSES } from "../execution-status";
import type { DurableEngine } from "../engine/durable-engine";
import { call } from "../native";
import type { ErrorObject } from "../types";
import { invalidParameter } from "../http/aws-errors";
import { ERROR_OBJECT, checkQuery, checkShape, parseJson, queryInteger, queryTimestamp } from "../http/wire";

/** Payloads longer than this are cut in a timeline; the page fetches the operation for the rest. */
export const PAYLOAD_PREVIEW = 4096;
const STATUSES: readonly string[] = EXECUTION_STATUSES;

export type Json = Record<string, unknown>;

export class ConsoleRoutes {
  constructor(private readonly engine: DurableEngine) {}

  functions(): Json {
    return { functions: this.engine.functionNames().sort() };
  }

  executions(query: URLSearchParams): Json {
    checkQuery(query, ["function", "status", "prefix", "after", "before", "marker", "limit", "order"], "the executions query");
    const statuses = query.getAll("status").flatMap((s) => s.split(",")).filter((s) => s !== "");
    const bad = statuses.filter((s) => !STATUSES.includes(s));
    if (bad.length) throw invalidParameter(`status ${JSON.stringify(bad[0])} is not one of ${STATUSES.join(", ")}`);
    const order = query.get("order") ?? "newest";
    if (order !== "newest" && order !== "oldest") throw invalidParameter(`order must be newest or oldest, not ${JSON.stringify(order)}`);
    const page = this.engine.listPage({
      functionName: query.get("function") || undefined,
      statuses,
      namePrefix: query.get("prefix") || undefined,
      startedAfterMs: queryTimestamp(query, "after"),
      startedBeforeMs: queryTimestamp(query, "before"),
      oldestFirst: order === "oldest",
      marker: query.get("marker") || undefined,
      limit: queryInteger(query, "limit", 50, 1, 500),
    });
    return { executions: page.executions, nextMarker: page.nextMarker ?? null };
  }

  /** The timeline as the engine's JSON text, sent on without being parsed here. */
  execution(arn: string): string {
    return this.engine.timelineJson(arn, PAYLOAD_PREVIEW);
  }

  /** The execution's input and result, whole. */
  payloads(arn: string): Json {
    const e = this.engine.get(arn);
    return { input: e.InputPayload ?? null, result: e.Result ?? null };
  }

  operation(arn: string, id: string): Json {
    return { operation: this.engine.operation(arn, id) };
  }

  history(arn: string, query: URLSearchParams): Json {
    checkQuery(query, ["marker", "limit"], "the history query");
    const page = this.engine.historyPage(arn, { marker: query.get("marker") || undefined, limit: queryInteger(query, "limit", 100, 1, 1000) });
    return { events: page.events, nextMarker: page.nextMarker ?? null };
  }

  callbackSucceed(callbackId: string, body: Buffer): Json {
    const { result } = checkShape<{ result?: string }>(parseJson(body, "the request body") ?? {}, { result: { type: "string" } }, "the callback answer");
    if (result !== undefined) jsonText(result, "result");
    this.engine.sendCallbackSuccess(callbackId, result);
    return { ok: true };
  }

  callbackFail(callbackId: string, body: Buffer): Json {
    const error = checkShape<ErrorObject>(parseJson(body, "the request body") ?? {}, ERROR_OBJECT, "the callback error");
    this.engine.sendCallbackFailure(callbackId, error);
    return { ok: true };
  }

  callbackHeartbeat(callbackId: string): Json {
    this.engine.sendCallbackHeartbeat(callbackId);
    return { ok: true };
  }

  stop(arn: string, body: Buffer): Json {
    const error = checkShape<ErrorObject>(parseJson(body, "the request body") ?? {}, ERROR_OBJECT, "the stop error");
    this.engine.stop(arn, Object.keys(error).length ? error : undefined);
    return { execution: this.engine.get(arn) };
  }

  /** Pause (not invoked until resumed) or resume, with an optional reason; as the API refuses. */
  control(arn: string, action: "pause" | "resume", body: Buffer): Json {
    const { reason } = checkShape<{ reason?: string }>(parseJson(body, "the request body") ?? {}, { reason: { type: "string" } }, `the ${action} request`);
    if (action === "pause") this.engine.pause(arn, { reason: reason || undefined });
    else this.engine.resume(arn, { reason: reason || undefined });
    return { execution: this.engine.get(arn) };
  }

  /** Starts an execution of any function name: a worker on the same database runs it. */
  start(body: Buffer): Json {
    const shape = { functionName: { type: "string" as const, required: true }, name: { type: "string" as const }, input: { type: "string" as const } };
    const req = checkShape<{ functionName: string; name?: string; input?: string }>(parseJson(body, "the request body") ?? {}, shape, "the start request");
    if (req.input !== undefined) jsonText(req.input, "input");
    const started = call(() => this.engine.native.startExecution(req.functionName, req.name || undefined, req.input));
    return { execution: started.execution, created: started.created };
  }

  /** A new execution of the same function with the same input (a new name). */
  restart(arn: string): Json {
    const old = this.engine.get(arn);
    const functionName = old.FunctionArn.split(":function:")[1]?.split(":")[0] ?? "";
    const started = call(() => this.engine.native.startExecution(functionName, undefined, old.InputPayload ?? undefined));
    return { execution: started.execution, created: started.created };
  }
}

/** A payload sent as text must be JSON (the page's editor checks it first; so does this). */
function jsonText(text: string, field: string): void {
  try {
    JSON.parse(text);
  } catch (e) {
    throw invalidParameter(`${field} is not valid JSON (${(e as Error).message}); got ${JSON.stringify(text.slice(0, 40))}${text.length > 40 ? "…" : ""}`);
  }
}
