// Public types of the handler API and the wire shapes of the protocol (API.md §3-§14,
// PROTOCOL.md §3-§5). Type-only: no runtime code.

export const OperationType = {
  CALLBACK: "CALLBACK",
  CHAINED_INVOKE: "CHAINED_INVOKE",
  CONTEXT: "CONTEXT",
  EXECUTION: "EXECUTION",
  STEP: "STEP",
  WAIT: "WAIT",
} as const;
export type OperationType = (typeof OperationType)[keyof typeof OperationType];

export const OperationStatus = {
  CANCELLED: "CANCELLED",
  FAILED: "FAILED",
  PENDING: "PENDING",
  READY: "READY",
  STARTED: "STARTED",
  STOPPED: "STOPPED",
  SUCCEEDED: "SUCCEEDED",
  TIMED_OUT: "TIMED_OUT",
} as const;
export type OperationStatus = (typeof OperationStatus)[keyof typeof OperationStatus];

export const OperationAction = {
  CANCEL: "CANCEL",
  FAIL: "FAIL",
  RETRY: "RETRY",
  START: "START",
  SUCCEED: "SUCCEED",
} as const;
export type OperationAction = (typeof OperationAction)[keyof typeof OperationAction];

export enum OperationSubType {
  STEP = "Step",
  WAIT = "Wait",
  CALLBACK = "Callback",
  RUN_IN_CHILD_CONTEXT = "RunInChildContext",
  MAP = "Map",
  MAP_ITERATION = "MapIteration",
  PARALLEL = "Parallel",
  PARALLEL_BRANCH = "ParallelBranch",
  WAIT_FOR_CALLBACK = "WaitForCallback",
  WAIT_FOR_CONDITION = "WaitForCondition",
  CHAINED_INVOKE = "ChainedInvoke",
}

export enum InvocationStatus {
  SUCCEEDED = "SUCCEEDED",
  FAILED = "FAILED",
  PENDING = "PENDING",
}

export enum StepSemantics {
  AtMostOncePerRetry = "AT_MOST_ONCE_PER_RETRY",
  AtLeastOncePerRetry = "AT_LEAST_ONCE_PER_RETRY",
}

export interface ErrorObject {
  ErrorMessage?: string;
  ErrorType?: string;
  ErrorData?: string;
  StackTrace?: string[];
}

/** ISO-8601 text, a Date (AWS clients), or epoch milliseconds (the service's events, and the
 * records the engine hands the SDK). */
export type WireTimestamp = Date | string | number;

export interface ExecutionDetails { InputPayload?: string }
export interface ContextDetails { ReplayChildren?: boolean; Result?: string; Error?: ErrorObject }
export interface StepDetails { Attempt?: number; NextAttemptTimestamp?: Date; Result?: string; Error?: ErrorObject }
export interface WireStepDetails extends Omit<StepDetails, "NextAttemptTimestamp"> { NextAttemptTimestamp?: WireTimestamp }
export interface WaitDetails { ScheduledEndTimestamp?: Date }
export interface WireWaitDetails { ScheduledEndTimestamp?: WireTimestamp }
export interface CallbackDetails { CallbackId?: string; Result?: string; Error?: ErrorObject }
export interface ChainedInvokeDetails { Result?: string; Error?: ErrorObject }

interface OperationBase {
  Id: string;
  ParentId?: string;
  Name?: string;
  Type: OperationType | string;
  SubType?: string;
  Status: OperationStatus | string;
  ExecutionDetails?: ExecutionDetails;
  ContextDetails?: ContextDetails;
  CallbackDetails?: CallbackDetails;
  ChainedInvokeDetails?: ChainedInvokeDetails;
}

export interface Operation extends OperationBase {
  StartTimestamp?: Date;
  EndTimestamp?: Date;
  StepDetails?: StepDetails;
  WaitDetails?: WaitDetails;
}

export interface WireOperation extends OperationBase {
  StartTimestamp?: WireTimestamp;
  EndTimestamp?: WireTimestamp;
  StepDetails?: WireStepDetails;
  WaitDetails?: WireWaitDetails;
}

export interface ContextOptions { ReplayChildren?: boolean }
export interface StepOptions { NextAttemptDelaySeconds?: number }
export interface WaitOptions { WaitSeconds?: number }
export interface CallbackOptions { TimeoutSeconds?: number; HeartbeatTimeoutSeconds?: number }
export interface ChainedInvokeOptions { FunctionName: string; TenantId?: string }

export interface OperationUpdate {
  Id: string;
  ParentId?: string;
  Name?: string;
  Type: OperationType | string;
  SubType?: string;
  Action: OperationAction | string;
  Payload?: string;
  Error?: ErrorObject;
  ContextOptions?: ContextOptions;
  StepOptions?: StepOptions;
  WaitOptions?: WaitOptions;
  CallbackOptions?: CallbackOptions;
  ChainedInvokeOptions?: ChainedInvokeOptions;
}

export interface CheckpointUpdatedExecutionState { Operations?: WireOperation[]; NextMarker?: string }
export interface CheckpointDurableExecutionRequest {
  DurableExecutionArn: string;
  CheckpointToken: string;
  Updates?: OperationUpdate[];
  ClientToken?: string;
}
export interface CheckpointDurableExecutionResponse {
  CheckpointToken?: string;
  NewExecutionState?: CheckpointUpdatedExecutionState;
}
export interface GetDurableExecutionStateRequest {
  DurableExecutionArn: string;
  CheckpointToken: string;
  Marker?: string;
  MaxItems?: number;
}
export interface GetDurableExecutionStateResponse { Operations?: WireOperation[]; NextMarker?: string }

export interface DurableExecutionInvocationInput {
  DurableExecutionArn: string;
  CheckpointToken: string;
  UpdatedOperationIds?: string[];
  InitialExecutionState: { Operations: WireOperation[]; NextMarker?: string | undefined };
}

export type DurableExecutionInvocationOutput =
  | { Status: InvocationStatus.SUCCEEDED | "SUCCEEDED"; Result?: string }
  | { Status: InvocationStatus.FAILED | "FAILED"; Error: ErrorObject }
  | { Status: InvocationStatus.PENDING | "PENDING" };

export type Duration =
  | { days: number; hours?: number; minutes?: number; seconds?: number }
  | { hours: number; minutes?: number; seconds?: number }
  | { minutes: number; seconds?: number }
  | { seconds: number };

/** The parts of the AWS Lambda `Context` that handlers read. */
export interface LambdaContext {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  tenantId?: string;
  getRemainingTimeInMillis(): number;
  done(error?: Error, result?: unknown): void;
  fail(error: Error | string): void;
  succeed(messageOrObject: unknown): void;
  [key: string]: unknown;
}
