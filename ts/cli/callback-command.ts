// `durable-node callback succeed|fail|heartbeat <callbackId>`: what an external system does to
// a waiting execution (SendDurableExecutionCallbackSuccess/Failure/Heartbeat), from any process
// that can open the database. The engine driving the execution notices the change on its next
// poll of the file and invokes the handler again.

import type { Command } from "commander";

import { DB_HELP } from "./database";

import type { ErrorObject } from "../types";
import { UsageError } from "./usage-error";

interface CallbackEngine {
  sendCallbackSuccess(callbackId: string, payload?: string): void;
  sendCallbackFailure(callbackId: string, error?: ErrorObject): void;
  sendCallbackHeartbeat(callbackId: string): void;
  close(): void;
}

type Open = (db: string | undefined) => CallbackEngine;

const ERROR_FIELDS = ["ErrorType", "ErrorMessage", "ErrorData", "StackTrace"];

/** The payload is sent as the exact text given; it only has to be JSON. */
export function parsePayload(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--payload is not valid JSON: ${(e as Error).message}`);
  }
  return text;
}

/** --error is an ErrorObject; unknown or mistyped fields are refused rather than dropped. */
export function parseErrorObject(text: string | undefined): ErrorObject | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--error is not valid JSON: ${(e as Error).message}`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new UsageError(`--error must be a JSON object such as {"ErrorType":"Rejected","ErrorMessage":"not approved"}`);
  }
  const unknown = Object.keys(value).filter((k) => !ERROR_FIELDS.includes(k));
  if (unknown.length > 0) throw new UsageError(`--error has unknown field(s) ${unknown.join(", ")}; expected ${ERROR_FIELDS.join(", ")}`);
  const o = value as Record<string, unknown>;
  for (const field of ["ErrorType", "ErrorMessage", "ErrorData"]) {
    if (o[field] !== undefined && typeof o[field] !== "string") {
      throw new UsageError(`--error ${field} must be a string${field === "ErrorData" ? " (JSON-encode structured data)" : ""}`);
    }
  }
  if (o.StackTrace !== undefined && (!Array.isArray(o.StackTrace) || o.StackTrace.some((l) => typeof l !== "string"))) {
    throw new UsageError("--error StackTrace must be an array of strings");
  }
  return o as ErrorObject;
}

/** Opens the database, applies one completion, closes it; engine refusals propagate typed. */
function withEngine(open: Open, db: string | undefined, fn: (engine: CallbackEngine) => void): void {
  const engine = open(db);
  try {
    fn(engine);
  } finally {
    engine.close();
  }
}

export function registerCallbackCommand(program: Command, open: Open, out: (line: string) => void): void {
  const callback = program.command("callback").description("complete, fail or heartbeat a callback an execution is waiting for");
  callback
    .command("succeed")
    .description("complete a callback with a result (SendDurableExecutionCallbackSuccess)")
    .argument("<callbackId>", "the callback id handed to the submitter / returned by createCallback")
    .option("--payload <json>", "result as JSON text, passed to the handler exactly as given")
    .option("--db <path|url>", DB_HELP)
    .action((callbackId: string, options: { payload?: string; db?: string }) => {
      const payload = parsePayload(options.payload);
      withEngine(open, options.db, (engine) => engine.sendCallbackSuccess(callbackId, payload));
      out(`callback ${callbackId} succeeded`);
    });
  callback
    .command("fail")
    .description("fail a callback (SendDurableExecutionCallbackFailure)")
    .argument("<callbackId>", "the callback id")
    .option("--error <json>", 'error object, e.g. {"ErrorType":"Rejected","ErrorMessage":"not approved"}')
    .option("--db <path|url>", DB_HELP)
    .action((callbackId: string, options: { error?: string; db?: string }) => {
      const error = parseErrorObject(options.error);
      withEngine(open, options.db, (engine) => engine.sendCallbackFailure(callbackId, error));
      out(`callback ${callbackId} failed`);
    });
  callback
    .command("heartbeat")
    .description("keep a callback with a heartbeat timeout open (SendDurableExecutionCallbackHeartbeat)")
    .argument("<callbackId>", "the callback id")
    .option("--db <path|url>", DB_HELP)
    .action((callbackId: string, options: { db?: string }) => {
      withEngine(open, options.db, (engine) => engine.sendCallbackHeartbeat(callbackId));
      out(`callback ${callbackId} heartbeat recorded`);
    });
}
