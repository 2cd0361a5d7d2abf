// The HTTP API's wire rules: strict checks of JSON bodies and query strings (unknown fields,
// wrong types → InvalidParameterValueException naming the field), timestamps as epoch seconds
// (the REST-JSON default the AWS clients parse). Paging is the engine's (keyset markers).

import { invalidParameter } from "./aws-errors";

/** Field type of a checked object: a primitive, a nested shape, or a list of one. */
export type FieldType = "string" | "number" | "boolean" | "string[]" | Shape | { list: Shape };
export interface Shape {
  [field: string]: { type: FieldType; required?: boolean };
}

export const ERROR_OBJECT: Shape = {
  ErrorMessage: { type: "string" },
  ErrorType: { type: "string" },
  ErrorData: { type: "string" },
  StackTrace: { type: "string[]" },
};

export const OPERATION_UPDATE: Shape = {
  Id: { type: "string", required: true },
  ParentId: { type: "string" },
  Name: { type: "string" },
  Type: { type: "string", required: true },
  SubType: { type: "string" },
  Action: { type: "string", required: true },
  Payload: { type: "string" },
  Error: { type: ERROR_OBJECT },
  ContextOptions: { type: { ReplayChildren: { type: "boolean" } } },
  StepOptions: { type: { NextAttemptDelaySeconds: { type: "number" } } },
  WaitOptions: { type: { WaitSeconds: { type: "number" } } },
  CallbackOptions: { type: { TimeoutSeconds: { type: "number" }, HeartbeatTimeoutSeconds: { type: "number" } } },
  // XAmznTraceId is in the Lambda model (the client may send it); the engine does not use it.
  ChainedInvokeOptions: { type: { FunctionName: { type: "string", required: true }, TenantId: { type: "string" }, XAmznTraceId: { type: "string" } } },
};

/** PauseDurableExecution's body (Reason and ClientToken limits are the engine's). */
export const PAUSE_REQUEST: Shape = {
  ClientToken: { type: "string" },
  Reason: { type: "string" },
  ExecutionTimeoutPaused: { type: "boolean" },
};

export const RESUME_REQUEST: Shape = {
  ClientToken: { type: "string" },
  Reason: { type: "string" },
};

export const CHECKPOINT_REQUEST: Shape = {
  CheckpointToken: { type: "string", required: true },
  Updates: { type: { list: OPERATION_UPDATE } },
  ClientToken: { type: "string" },
};

/** Parses a JSON body; `undefined` for an empty one. */
export function parseJson(body: Buffer, what: string): unknown {
  const text = body.toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw invalidParameter(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Checks `value` against `shape`: no unknown fields, every field of its type. */
export function checkShape<T>(value: unknown, shape: Shape, where: string): T {
  if (!value || typeof value !== "object" || Array.isArray(value)) throw invalidParameter(`${where} must be a JSON object`);
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).filter((k) => !(k in shape));
  if (unknown.length) throw invalidParameter(`${where} has unknown field(s) ${unknown.join(", ")}; expected ${Object.keys(shape).join(", ")}`);
  for (const [field, spec] of Object.entries(shape)) {
    const v = record[field];
    const at = `${where}.${field}`;
    if (v === undefined || v === null) {
      if (spec.required) throw invalidParameter(`${at} is required`);
      delete record[field];
      continue;
    }
    const t = spec.type;
    if (t === "string" || t === "number" || t === "boolean") {
      if (typeof v !== t || (t === "number" && !Number.isFinite(v))) throw invalidParameter(`${at} must be a ${t}`);
    } else if (t === "string[]") {
      if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw invalidParameter(`${at} must be an array of strings`);
    } else if ("list" in t && typeof t.list === "object" && !("type" in t.list)) {
      if (!Array.isArray(v)) throw invalidParameter(`${at} must be an array`);
      v.forEach((item, i) => checkShape(item, t.list as Shape, `${at}[${i}]`));
    } else {
      checkShape(v, t as Shape, at);
    }
  }
  return value as T;
}

/** Query parameters, refusing any the operation does not take. */
export function checkQuery(query: URLSearchParams, allowed: string[], where: string): void {
  const unknown = [...new Set(query.keys())].filter((k) => !allowed.includes(k));
  if (unknown.length) throw invalidParameter(`${where} does not take query parameter(s) ${unknown.join(", ")}`);
}

export function queryBoolean(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const v = query.get(name);
  if (v === null) return fallback;
  if (v !== "true" && v !== "false") throw invalidParameter(`${name} must be true or false, not ${JSON.stringify(v)}`);
  return v === "true";
}

export function queryInteger(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const v = query.get(name);
  if (v === null) return fallback;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw invalidParameter(`${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(v)}`);
  return n;
}

export function queryTimestamp(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  const ms = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  if (!Number.isFinite(ms)) throw invalidParameter(`${name} must be a timestamp, not ${JSON.stringify(v)}`);
  return ms;
}

/** Every `…Timestamp` field holding an ISO-8601 string becomes epoch seconds (recursively). */
export function epochTimestamps<T>(value: T): T {
  if (Array.isArray(value)) return value.map(epochTimestamps) as T;
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.endsWith("Timestamp") && typeof v === "string" && !Number.isNaN(Date.parse(v))) out[k] = Date.parse(v) / 1000;
    else out[k] = epochTimestamps(v);
  }
  return out as T;
}
