// The operations of the Lambda durable-execution REST API (version 2025-12-01, PROTOCOL.md §8)
// and the Invoke equivalent that starts an execution, over a DurableEngine. Each takes the
// decoded path parameters, the query and the raw body, and returns the response; every refusal
// is thrown (engine errors typed, input errors as AwsError) and shaped by the server.

import { listedExecution, type DurableEngine, type ExecutionRecord } from "../engine/durable-engine";
import { ExecutionNotFoundError } from "../engine-errors";
import { EXECUTION_STATUSES, isTerminalStatus } from "../execution-status";
import { call } from "../native";
import { checkpointed } from "../runtime-api/operation-events";
import type { ErrorObject } from "../types";
import { AwsError, invalidParameter } from "./aws-errors";
import {
  CHECKPOINT_REQUEST,
  ERROR_OBJECT,
  PAUSE_REQUEST,
  RESUME_REQUEST,
  checkQuery,
  checkShape,
  epochTimestamps,
  parseJson,
  queryBoolean,
  queryInteger,
  queryTimestamp,
} from "./wire";

export interface ApiRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Resolves when the client has gone away (a synchronous invoke stops waiting). */
  closed: Promise<void>;
}

export interface ApiResponse {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string or Buffer as is. */
  body?: unknown;
}

const STATUSES: readonly string[] = EXECUTION_STATUSES;
const TERMINAL_POLL_MS = [10, 25, 50, 100, 250];

/** `name`, `name:qualifier` or a function ARN (`arn:…:function:name[:qualifier]`) → name. */
export function functionNameOf(value: string): string {
  const fromArn = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(:[^:]+)?$/.exec(value);
  const name = fromArn ? fromArn[1] : value.split(":")[0];
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw invalidParameter(`FunctionName ${JSON.stringify(value)} is not a function name or ARN`);
  return name;
}

function errorObjectBody(body: Buffer, where: string): ErrorObject | undefined {
  const value = parseJson(body, where);
  return value === undefined ? undefined : checkShape<ErrorObject>(value, ERROR_OBJECT, where);
}

/** Removes payloads from history event details (IncludeExecutionData=false). */
function withoutData(event: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event)) {
    if (k.endsWith("Details") && v && typeof v === "object") {
      const details: Record<string, unknown> = {};
      for (const [dk, dv] of Object.entries(v)) {
        details[dk] = ["Input", "Result", "Error", "Reason"].includes(dk) && dv && typeof dv === "object" ? { ...(dv as object), Payload: undefined } : dv;
      }
      out[k] = JSON.parse(JSON.stringify(details));
    } else out[k] = v;
  }
  return out;
}

/**
 * Checkpoint and state are addressed to an invocation's token. Their model declares no
 * ResourceNotFoundException (an SDK would fail the execution on an undeclared 4xx): a token
 * presented for an execution that does not exist is an invalid token.
 */
function asTokenError<T>(arn: string, read: () => T): T {
  try {
    return call(read);
  } catch (e) {
    if (e instanceof ExecutionNotFoundError) throw invalidParameter(`Invalid Checkpoint Token: there is no durable execution ${arn}`);
    throw e;
  }
}

export class DurableApi {
  constructor(private readonly engine: DurableEngine) {}

  getExecution(req: ApiRequest): ApiResponse {
    checkQuery(req.query, ["IncludeExecutionData"], "GetDurableExecution");
    const include = queryBoolean(req.query, "IncludeExecutionData", true);
    const record: Record<string, unknown> = { ...this.engine.describe(req.params.arn), Version: "$LATEST", ExecutionDataIncluded: include };
    if (!include) {
      delete record.InputPayload;
      delete record.Result;
      delete record.Error;
      // PauseDetails.Reason is execution data too (the model: present only with it included).
      if (record.PauseDetails) record.PauseDetails = { ...(record.PauseDetails as object), Reason: undefined };
    }
    return { body: epochTimestamps(JSON.parse(JSON.stringify(record))) };
  }

  /** PauseDurableExecution: 202, empty body (the status changes as the engine processes it). */
  pause(req: ApiRequest): ApiResponse {
    checkQuery(req.query, [], "PauseDurableExecution");
    const body = checkShape<{ ClientToken?: string; Reason?: string; ExecutionTimeoutPaused?: boolean }>(parseJson(req.body, "the request body") ?? {}, PAUSE_REQUEST, "PauseDurableExecutionRequest");
    this.engine.pause(req.params.arn, { clientToken: body.ClientToken, reason: body.Reason, executionTimeoutPaused: body.ExecutionTimeoutPaused });
    return { status: 202, body: {} };
  }

  /** ResumeDurableExecution: 202, empty body. */
  resume(req: ApiRequest): ApiResponse {
    checkQuery(req.query, [], "ResumeDurableExecution");
    const body = checkShape<{ ClientToken?: string; Reason?: string }>(parseJson(req.body, "the request body") ?? {}, RESUME_REQUEST, "ResumeDurableExecutionRequest");
    this.engine.resume(req.params.arn, { clientToken: body.ClientToken, reason: body.Reason });
    return { status: 202, body: {} };
  }

  /**
   * DeleteDurableExecution: 202 with DeletionRequestTimestamp. The execution shows DELETING
   * until its data is removed by the next scheduler pass of any engine on the storage (the
   * worker's, woken by the request).
   */
  delete(req: ApiRequest): ApiResponse {
    checkQuery(req.query, [], "DeleteDurableExecution");
    const at = this.engine.delete(req.params.arn);
    return { status: 202, body: { DeletionRequestTimestamp: at / 1000 } };
  }

  history(req: ApiRequest): ApiResponse {
    checkQuery(req.query, ["IncludeExecutionData", "MaxItems", "Marker", "ReverseOrder"], "GetDurableExecutionHistory");
    const include = queryBoolean(req.query, "IncludeExecutionData", true);
    const maxItems = queryInteger(req.query, "MaxItems", 100, 1, 1000);
    const reverse = queryBoolean(req.query, "ReverseOrder", false);
    // Marker = the last event id of the previous page (the engine's keyset page).
    const page = this.engine.historyPage(req.params.arn, { marker: req.query.get("Marker") ?? undefined, limit: maxItems, reverse });
    const events = include ? page.events : page.events.map(withoutData);
    return { body: epochTimestamps({ Events: events, NextMarker: page.nextMarker ?? undefined }) };
  }

  state(req: ApiRequest): ApiResponse {
    checkQuery(req.query, ["CheckpointToken", "Marker", "MaxItems"], "GetDurableExecutionState");
    const token = req.query.get("CheckpointToken");
    if (!token) throw invalidParameter("CheckpointToken is required");
    const maxItems = queryInteger(req.query, "MaxItems", 100, 1, 1000);
    const state = asTokenError(req.params.arn, () => this.engine.native.getExecutionState(req.params.arn, token, req.query.get("Marker") ?? undefined, maxItems));
    return { body: epochTimestamps(state) };
  }

  /**
   * CheckpointDurableExecution. A request repeating a ClientToken (the AWS clients' retry) gets
   * the first answer again: the engine keeps recent answers (crates/engine/src/idempotency.rs).
   */
  checkpoint(req: ApiRequest): ApiResponse {
    checkQuery(req.query, [], "CheckpointDurableExecution");
    const body = checkShape<{ CheckpointToken: string; Updates?: unknown[]; ClientToken?: string }>(
      parseJson(req.body, "the request body") ?? {},
      CHECKPOINT_REQUEST,
      "CheckpointDurableExecutionRequest",
    );
    const answer = asTokenError(req.params.arn, () =>
      this.engine.native.checkpoint(req.params.arn, body.CheckpointToken, (body.Updates ?? []) as never, body.ClientToken),
    );
    // Progress lines for handlers running in a runtime process (nothing for other executions).
    checkpointed(req.params.arn, body.Updates as never, answer as never);
    return { body: epochTimestamps(answer) };
  }

  stop(req: ApiRequest): ApiResponse {
    checkQuery(req.query, [], "StopDurableExecution");
    const error = errorObjectBody(req.body, "the stop error");
    const at = this.engine.stop(req.params.arn, error);
    return { body: { StopTimestamp: at / 1000 } };
  }

  list(req: ApiRequest): ApiResponse {
    const allowed = ["Qualifier", "DurableExecutionName", "Statuses", "StartedAfter", "StartedBefore", "ReverseOrder", "Marker", "MaxItems"];
    checkQuery(req.query, allowed, "ListDurableExecutionsByFunction");
    const functionName = functionNameOf(req.params.functionName);
    const statuses = req.query.getAll("Statuses").flatMap((s) => s.split(","));
    const bad = statuses.filter((s) => !STATUSES.includes(s));
    if (bad.length) throw invalidParameter(`Statuses has unknown value(s) ${bad.join(", ")}; expected ${STATUSES.join(", ")}`);
    const after = queryTimestamp(req.query, "StartedAfter");
    const before = queryTimestamp(req.query, "StartedBefore");
    const name = req.query.get("DurableExecutionName");
    const maxItems = queryInteger(req.query, "MaxItems", 100, 1, 1000);
    // Newest first; ReverseOrder=true lists the oldest first. Marker = the engine's keyset
    // marker of the previous page's last row.
    const page = this.engine.listPage({
      functionName,
      statuses,
      name: name ?? undefined,
      startedAfterMs: after,
      startedBeforeMs: before,
      oldestFirst: queryBoolean(req.query, "ReverseOrder", false),
      marker: req.query.get("Marker") ?? undefined,
      limit: maxItems,
    });
    if (page.executions.length === 0 && !this.engine.functionNames().includes(functionName) && this.engine.listPage({ functionName, limit: 1 }).executions.length === 0) {
      throw new AwsError("ResourceNotFoundException", `Function not found: ${functionName}`);
    }
    const DurableExecutions = page.executions.map(listedExecution);
    const NextMarker = page.nextMarker ?? undefined;
    return { body: epochTimestamps({ DurableExecutions, NextMarker }) };
  }

  callbackSuccess(req: ApiRequest): ApiResponse {
    checkQuery(req.query, [], "SendDurableExecutionCallbackSuccess");
    this.engine.sendCallbackSuccess(req.params.callbackId, req.body.length ? req.body.toString("utf8") : undefined);
    return { body: {} };
  }

  callbackFailure(req: ApiRequest): ApiResponse {
    checkQuery(req.query, [], "SendDurableExecutionCallbackFailure");
    this.engine.sendCallbackFailure(req.params.callbackId, errorObjectBody(req.body, "the callback error"));
    return { body: {} };
  }

  callbackHeartbeat(req: ApiRequest): ApiResponse {
    checkQuery(req.query, [], "SendDurableExecutionCallbackHeartbeat");
    this.engine.sendCallbackHeartbeat(req.params.callbackId);
    return { body: {} };
  }

  /**
   * Invoke: starts an execution (DurableExecutionName is the idempotency key). `Event` answers
   * 202 at once; `RequestResponse` (the default) answers when the execution has finished.
   */
  async invoke(req: ApiRequest): Promise<ApiResponse> {
    checkQuery(req.query, ["Qualifier"], "Invoke");
    const functionName = functionNameOf(req.params.functionName);
    if (!this.engine.functionNames().includes(functionName)) {
      throw new AwsError("ResourceNotFoundException", `Function not found: ${functionName} (this worker runs: ${this.engine.functionNames().join(", ")})`);
    }
    const type = header(req, "x-amz-invocation-type") ?? "RequestResponse";
    if (!["RequestResponse", "Event", "DryRun"].includes(type)) throw invalidParameter(`X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, not ${JSON.stringify(type)}`);
    const input = req.body.length ? parseInvokePayload(req.body) : undefined;
    if (type === "DryRun") return { status: 204 };
    const name = header(req, "x-amz-durable-execution-name");
    const { execution } = this.engine.start(functionName, input, { name });
    const headers = { "x-amz-durable-execution-arn": execution.DurableExecutionArn, "x-amz-executed-version": "$LATEST" };
    if (type === "Event") return { status: 202, headers };
    const done = await this.untilFinished(execution.DurableExecutionArn, req.closed);
    if (!done) return { status: 202, headers };
    if (done.Status === "SUCCEEDED") return { status: 200, headers, body: done.Result ?? "null" };
    const error = done.Error ?? {};
    return {
      status: 200,
      headers: { ...headers, "x-amz-function-error": "Unhandled" },
      body: { errorType: error.ErrorType ?? done.Status, errorMessage: error.ErrorMessage ?? `The execution ended ${done.Status}`, ...(error.StackTrace ? { trace: error.StackTrace } : {}) },
    };
  }

  /** The finished execution, or undefined when the client went away first. */
  private async untilFinished(arn: string, closed: Promise<void>): Promise<ExecutionRecord | undefined> {
    let gone = false;
    void closed.then(() => (gone = true));
    for (let i = 0; !gone; i++) {
      try {
        const record = this.engine.get(arn);
        if (isTerminalStatus(record.Status)) return record;
      } catch (e) {
        if (!(e instanceof ExecutionNotFoundError)) throw e;
      }
      await new Promise((r) => setTimeout(r, TERMINAL_POLL_MS[Math.min(i, TERMINAL_POLL_MS.length - 1)]));
    }
    return undefined;
  }
}

function header(req: ApiRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function parseInvokePayload(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw new AwsError("InvalidRequestContentException", `Could not parse request body into json: ${(e as Error).message}`);
  }
}
