// One invocation's view for plugins (API.md §13.1, §13.3): builds the info objects handed to
// hooks from the operation records (back-filled from the call for records not created yet),
// remembers which ids the service reported as updated, and offers the entry points the
// operations call at their lifecycle points. Hook time counts as running work, so an
// invocation never suspends while a hook is being awaited.

import { DurableOperationError } from "../errors";
import type { Invocation } from "../runtime/invocation";
import type { DurableExecutionInvocationOutput, ErrorObject, WireOperation } from "../types";
import type { PluginRunner } from "./runner";
import {
  AttemptEndInfoOutcome,
  PluginOperationStatus,
  type AttemptEndInfo,
  type AttemptInfo,
  type InvocationEndInfo,
  type InvocationInfo,
  type OperationInfo,
} from "./types";

/**
 * A name only plugins see (never checkpointed), set on an operation's config by operations
 * built from others: waitForCallback names its callback "<name>-callback" and its submitter
 * step "<name>-submitter", as the SDK does.
 */
export const PLUGIN_OPERATION_NAME = Symbol("durable-node.pluginOperationName");

/** The name hooks report for an operation called with `config`. */
export function pluginOperationName(config: unknown, name: string | undefined): string | undefined {
  return (config as { [PLUGIN_OPERATION_NAME]?: string } | undefined)?.[PLUGIN_OPERATION_NAME] ?? name;
}

/** What an operation knows about itself when it calls a hook. */
export interface OperationCall {
  id: string;
  name?: string;
  type: string;
  subType?: string;
  parentId?: string;
}

type Details = { Result?: string; Error?: ErrorObject };

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(typeof value === "string" ? value : String(value));
}

/** The order of OperationInfo fields, as the SDK builds them. */
const INFO_KEYS = ["id", "name", "type", "subType", "parentId", "status", "startTimestamp", "endTimestamp", "result", "error", "attempt", "isReplay"] as const;

/** Sets `key` only when there is a value, so that dumps of the info show no empty fields. */
function put<K extends keyof OperationInfo>(info: OperationInfo, key: K, value: OperationInfo[K] | undefined): void {
  if (value !== undefined) info[key] = value;
}

/** The info for what the call itself knows: identity only. */
export function callInfo(call: OperationCall, isReplay: boolean, status?: PluginOperationStatus): OperationInfo {
  const info = { id: call.id } as OperationInfo;
  put(info, "name", call.name);
  info.type = call.type;
  put(info, "subType", call.subType);
  put(info, "parentId", call.parentId);
  put(info, "status", status);
  info.isReplay = isReplay;
  return info;
}

/** The info for an operation record; fields a missing record lacks come from the call. */
export function operationInfo(record: WireOperation | null | undefined, call: Partial<OperationCall>, isReplay: boolean): OperationInfo {
  const r = record as (WireOperation & Record<string, Details | undefined>) | null | undefined;
  const details: Details | undefined = r?.StepDetails ?? r?.CallbackDetails ?? r?.ChainedInvokeDetails ?? r?.ContextDetails;
  const info = { id: r?.Id ?? call.id ?? "" } as OperationInfo;
  put(info, "name", r?.Name ?? call.name);
  info.type = r?.Type ?? call.type ?? "";
  put(info, "subType", r?.SubType ?? call.subType);
  put(info, "parentId", r?.ParentId ?? call.parentId);
  put(info, "status", r?.Status as PluginOperationStatus | undefined);
  put(info, "startTimestamp", toDate(r?.StartTimestamp));
  put(info, "endTimestamp", toDate(r?.EndTimestamp));
  put(info, "result", details?.Result);
  put(info, "error", details?.Error ? DurableOperationError.fromErrorObject(details.Error) : undefined);
  put(info, "attempt", r?.StepDetails?.Attempt);
  info.isReplay = isReplay;
  return info;
}

/**
 * An attempt's info: the record as it is now, numbered `attempt`, started when the record says
 * or else at `began`; with `ended`, an end info whose error is the attempt's own.
 */
function attemptInfo(
  record: WireOperation | null,
  call: OperationCall,
  attempt: number,
  began: Date | undefined,
  ended?: { ok: true } | { ok: false; error: unknown },
): AttemptInfo {
  const recorded = operationInfo(record, call, false);
  const info = {} as AttemptInfo;
  for (const key of INFO_KEYS) {
    let value: unknown = recorded[key];
    if (key === "startTimestamp") value = recorded.startTimestamp ?? began;
    else if (key === "attempt") value = attempt;
    else if (ended && key === "endTimestamp") value = recorded.endTimestamp ?? new Date();
    else if (ended && key === "error") value = ended.ok ? undefined : asError(ended.error);
    put(info, key, value as never);
  }
  return info;
}

export interface SessionStart {
  requestId: string;
  input: unknown;
  operations: WireOperation[];
  updatedOperationIds: readonly string[] | undefined;
  isFirstInvocation: boolean;
}

export class PluginSession {
  /** Every record id seen in this invocation, in the order first seen. */
  private readonly known = new Set<string>();
  private readonly loaded = new Map<string, WireOperation>();
  private readonly updated: Set<string>;
  private readonly startInfo: InvocationInfo;
  private readonly executionStart: Date | undefined;

  constructor(
    readonly runner: PluginRunner,
    private readonly invocation: Invocation,
    private readonly start: SessionStart,
  ) {
    for (const op of start.operations) {
      this.known.add(op.Id);
      this.loaded.set(op.Id, op);
    }
    this.updated = new Set((start.updatedOperationIds ?? []).filter((id) => this.loaded.has(id)));
    this.executionStart = toDate(start.operations.find((op) => op.Type === "EXECUTION")?.StartTimestamp);
    const updatedOperations: Record<string, OperationInfo> = {};
    for (const id of this.updated) updatedOperations[id] = operationInfo(this.loaded.get(id), {}, false);
    this.startInfo = { ...this.baseInfo(), isFirstInvocation: start.isFirstInvocation, updatedOperations };
  }

  private record(id: string): WireOperation | null {
    return this.invocation.get(id) ?? this.loaded.get(id) ?? null;
  }

  /** All known operations, as the info map the invocation and change hooks carry. */
  private allOperations(): Record<string, OperationInfo> {
    const all: Record<string, OperationInfo> = {};
    for (const id of this.known) {
      const record = this.record(id);
      if (record) all[id] = operationInfo(record, {}, false);
    }
    return all;
  }

  private baseInfo() {
    const base = {
      requestId: this.start.requestId,
      executionArn: this.invocation.arn,
      executionInput: this.start.input,
      operations: this.allOperations(),
    };
    return this.executionStart ? { ...base, executionStartTimestamp: this.executionStart } : base;
  }

  private dispatch(hook: Parameters<PluginRunner["dispatch"]>[0], info: unknown): Promise<void> {
    return this.invocation.executingWhile(() => this.runner.dispatch(hook, info as never));
  }

  // Invocation hooks.

  invocationStarted(): Promise<void> {
    return this.dispatch("onInvocationStart", this.startInfo);
  }

  wrapInvocation(fn: () => Promise<DurableExecutionInvocationOutput>): Promise<DurableExecutionInvocationOutput> {
    return this.runner.has("wrapInvocation") ? this.runner.wrap("wrapInvocation", this.startInfo, fn) : fn();
  }

  invocationEnded(status: InvocationEndInfo["status"], outcome: { result?: unknown; error?: unknown } = {}): Promise<void> {
    const info: InvocationEndInfo = { ...this.baseInfo(), status, isFirstInvocation: this.start.isFirstInvocation };
    if (outcome.result !== undefined) info.executionResult = outcome.result;
    if (outcome.error !== undefined) info.executionError = asError(outcome.error);
    return this.runner.dispatch("onInvocationEnd", info);
  }

  // Operation hooks.

  /**
   * Live (after START) or a non-terminal record met on replay. As in the SDK, steps report
   * their identity as STARTED, contexts their identity (STARTED when live), and waits,
   * callbacks and invokes their record.
   */
  operationStarted(call: OperationCall, isReplay: boolean, shape: "record" | { status?: PluginOperationStatus } = {}): Promise<void> {
    const info =
      shape === "record" ? operationInfo(this.record(call.id), call, isReplay) : callInfo(call, isReplay, "status" in shape ? shape.status : PluginOperationStatus.STARTED);
    return this.dispatch("onOperationStart", info);
  }

  /**
   * Terminal live (`isReplay` false), or with `outcome` when the checkpoint recording it is not
   * back yet (contexts): the record as it is, with that status and error.
   */
  operationEnded(call: OperationCall, isReplay: boolean, outcome?: { status: PluginOperationStatus; error?: unknown }): Promise<void> {
    const recorded = operationInfo(this.record(call.id), call, isReplay);
    if (!outcome) return this.dispatch("onOperationEnd", recorded);
    const info = {} as OperationInfo;
    for (const key of INFO_KEYS) {
      let value: unknown = recorded[key];
      if (key === "status") value = outcome.status;
      else if (key === "error") value = outcome.error === undefined ? undefined : asError(outcome.error);
      put(info, key, value as never);
    }
    return this.dispatch("onOperationEnd", info);
  }

  /** A wait/callback/invoke already terminal on replay: live news if the service just closed it. */
  operationEndedOnReplay(call: OperationCall): Promise<void> {
    return this.operationEnded(call, !this.updated.has(call.id));
  }

  /** The attempt info of a step attempt or waitForCondition check, after onOperationAttemptStart. */
  async attemptStarted(call: OperationCall, attempt: number): Promise<AttemptInfo> {
    const info = attemptInfo(this.record(call.id), call, attempt, new Date());
    await this.dispatch("onOperationAttemptStart", { ...info });
    return info;
  }

  /** The attempt's function inside the plugins' wrapOperationAttemptFn. */
  runAttempt<T>(info: AttemptInfo, fn: () => Promise<T>): Promise<T> {
    return this.runner.has("wrapOperationAttemptFn") ? this.runner.wrap("wrapOperationAttemptFn", { ...info }, fn) : fn();
  }

  /**
   * After the checkpoint that records an attempt's outcome: onOperationAttemptEnd (when the
   * function ran), then onOperationEnd when that outcome ended the operation.
   */
  async attemptEnded(call: OperationCall, started: AttemptInfo | undefined, outcome: { ok: true } | { ok: false; error: unknown }, terminal: boolean): Promise<void> {
    if (!started) {
      if (terminal) await this.operationEnded(call, false);
      return;
    }
    const end = attemptInfo(this.record(call.id), call, started.attempt, started.startTimestamp, outcome) as AttemptEndInfo;
    end.outcome = outcome.ok ? AttemptEndInfoOutcome.SUCCEEDED : AttemptEndInfoOutcome.FAILED;
    await this.dispatch("onOperationAttemptEnd", { ...end });
    if (terminal) await this.dispatch("onOperationEnd", { ...end, isReplay: false });
  }

  /** A child context's function (not one replayed from its record) inside the wrappers. */
  childFn<T>(call: OperationCall, isReplay: boolean, fn: () => T | Promise<T>): T | Promise<T> {
    if (!this.runner.has("wrapChildContextFn")) return fn();
    return this.runner.wrap("wrapChildContextFn", callInfo(call, isReplay), fn);
  }

  /** A checkpoint answer changed the status of `ids` (and carried `records`). */
  async operationsChanged(ids: readonly string[], records: readonly WireOperation[]): Promise<void> {
    for (const op of records) this.known.add(op.Id);
    for (const id of ids) this.known.add(id);
    if (ids.length === 0 || !this.runner.has("onOperationChange")) return;
    const updatedOperations: Record<string, OperationInfo> = {};
    for (const id of ids) {
      const record = this.record(id);
      if (record) updatedOperations[id] = operationInfo(record, {}, false);
    }
    await this.dispatch("onOperationChange", { executionArn: this.invocation.arn, updatedOperations, operations: this.allOperations() });
  }
}
