// Instrumentation plugin surface (API.md §13.1, experimental): the hook interface plugins
// implement, the info objects the hooks receive, the status enums and the provider contract
// for plugins loaded from DURABLE_EXECUTION_PLUGINS.

import type { DurableExecutionInvocationOutput } from "../types";

/** Version of the provider contract modules in DURABLE_EXECUTION_PLUGINS must declare. */
export const DURABLE_INSTRUMENTATION_PLUGIN_API_VERSION = 1;

export const PluginInvocationStatus = {
  SUCCEEDED: "SUCCEEDED",
  FAILED: "FAILED",
  PENDING: "PENDING",
  RETRYING: "RETRYING",
} as const;
export type PluginInvocationStatus = (typeof PluginInvocationStatus)[keyof typeof PluginInvocationStatus];

export const PluginOperationStatus = {
  STARTED: "STARTED",
  READY: "READY",
  PENDING: "PENDING",
  SUCCEEDED: "SUCCEEDED",
  FAILED: "FAILED",
  TIMED_OUT: "TIMED_OUT",
  STOPPED: "STOPPED",
  CANCELLED: "CANCELLED",
} as const;
export type PluginOperationStatus = (typeof PluginOperationStatus)[keyof typeof PluginOperationStatus];

export const AttemptEndInfoOutcome = {
  SUCCEEDED: "SUCCEEDED",
  FAILED: "FAILED",
} as const;
export type AttemptEndInfoOutcome = (typeof AttemptEndInfoOutcome)[keyof typeof AttemptEndInfoOutcome];

export interface OperationInfo {
  id: string;
  name?: string;
  type: string;
  subType?: string;
  parentId?: string;
  status?: PluginOperationStatus;
  startTimestamp?: Date;
  endTimestamp?: Date;
  /** The serialized result recorded for the operation. */
  result?: string;
  /** The recorded error, rebuilt as a DurableOperationError. */
  error?: Error;
  /** 1-based attempt number recorded for steps. */
  attempt?: number;
  isReplay: boolean;
}

export interface OperationEndInfo extends OperationInfo {
  error?: Error;
}

export interface AttemptInfo extends OperationInfo {
  attempt: number;
}

export interface AttemptEndInfo extends AttemptInfo {
  outcome: AttemptEndInfoOutcome;
  error?: Error;
}

export interface InvocationBaseInfo {
  requestId: string;
  executionArn: string;
  executionInput: unknown;
  /** Every operation record known to the invocation, keyed by hashed operation id. */
  operations: Record<string, OperationInfo>;
  /** StartTimestamp of the EXECUTION operation. */
  executionStartTimestamp?: Date;
}

export interface InvocationInfo extends InvocationBaseInfo {
  isFirstInvocation: boolean;
  /** Operations changed outside the function since the previous invocation (UpdatedOperationIds). */
  updatedOperations: Record<string, OperationInfo>;
}

export interface InvocationEndInfo extends InvocationBaseInfo {
  status: PluginInvocationStatus;
  executionResult?: unknown;
  executionError?: Error;
  /** durable-node addition (not in the SDK's type): the same flag onInvocationStart received. */
  isFirstInvocation?: boolean;
}

export interface OperationChangeInfo {
  executionArn: string;
  updatedOperations: Record<string, OperationInfo>;
  operations: Record<string, OperationInfo>;
}

export type CustomerFnResult = unknown;
export type CustomerFn = () => CustomerFnResult;

export interface DurableInstrumentationPlugin {
  onInvocationStart?(info: InvocationInfo): Promise<void>;
  wrapInvocation?(info: InvocationInfo, fn: () => Promise<DurableExecutionInvocationOutput>): Promise<DurableExecutionInvocationOutput>;
  onInvocationEnd?(info: InvocationEndInfo): Promise<void>;
  onOperationStart?(info: OperationInfo): Promise<void>;
  wrapChildContextFn?(info: OperationInfo, fn: CustomerFn): CustomerFnResult;
  onOperationEnd?(info: OperationEndInfo): Promise<void>;
  onOperationAttemptStart?(info: AttemptInfo): Promise<void>;
  wrapOperationAttemptFn?(info: AttemptInfo, fn: CustomerFn): CustomerFnResult;
  onOperationAttemptEnd?(info: AttemptEndInfo): Promise<void>;
  onOperationChange?(info: OperationChangeInfo): Promise<void>;
  enrichLogContext?(): Record<string, string | number | boolean> | undefined;
}

export type DurableInstrumentationPluginType<Plugin extends DurableInstrumentationPlugin = DurableInstrumentationPlugin> = abstract new (
  ...args: never[]
) => Plugin;

export interface DurableInstrumentationPluginProvider<Plugin extends DurableInstrumentationPlugin = DurableInstrumentationPlugin> {
  readonly pluginApiVersion: typeof DURABLE_INSTRUMENTATION_PLUGIN_API_VERSION;
  readonly pluginType: DurableInstrumentationPluginType<Plugin>;
  createPlugin(): Plugin;
}
