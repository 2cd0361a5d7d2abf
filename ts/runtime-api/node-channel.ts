// What a Node runtime process (node-runtime.ts) and its parent (node-function.ts) share: the
// environment that names the handler, and the IPC channel's messages — a data-plane call and
// its answer, an engine error keeping its class across the channel.

import { BY_CODE, DurableNodeError } from "../engine-errors";

export const HANDLER_FILE_ENV = "DURABLE_NODE_HANDLER_FILE";
/** The export that holds the handler: a name, or `functions.<name>` for a file's chained-invoke targets. */
export const HANDLER_EXPORT_ENV = "DURABLE_NODE_HANDLER_EXPORT";
export const PARENT_ENV = "DURABLE_NODE_PARENT_PID";

export interface ChannelRequest {
  id: number;
  op: "checkpoint" | "state";
  params: unknown;
}

export interface ChannelError {
  name: string;
  message: string;
  code?: string;
  fields?: Record<string, string>;
}

export interface ChannelAnswer {
  id: number;
  value?: unknown;
  error?: ChannelError;
}

export function errorInfo(e: unknown): ChannelError {
  if (e instanceof DurableNodeError) return { name: e.name, message: e.message, code: e.code, fields: { ...e.fields } };
  const err = e as Error;
  return { name: err?.name ?? "Error", message: err?.message ?? String(e) };
}

/** An engine error keeps its class (the SDK tells a stale token from a refused update by it). */
export function rebuildError(info: ChannelError): Error {
  const Class = info.code ? BY_CODE[info.code] : undefined;
  if (Class) return new Class(info.message, info.fields);
  const e = new Error(info.message);
  e.name = info.name;
  return e;
}
