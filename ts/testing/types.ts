// Public types of durable-node/testing, with the names and shapes of
// @aws/durable-execution-sdk-js-testing 1.1.4 (API.md §16), so that tests written for the
// official runner type-check unchanged. Type-only apart from the WaitingOperationStatus enum.

import type { ErrorObject, LambdaContext, Operation, OperationStatus, OperationSubType, OperationType } from "../types";

/** The status a `waitForData` call waits for (API.md §16.2). */
export enum WaitingOperationStatus {
  /** Any status: the operation exists (for a callback: its id is known). */
  STARTED = "STARTED",
  /** As COMPLETED, except for a waitForCallback: its submitter step has completed. */
  SUBMITTED = "SUBMITTED",
  /** CANCELLED, FAILED, STOPPED, SUCCEEDED or TIMED_OUT. */
  COMPLETED = "COMPLETED",
}

export const ExecutionStatus = {
  FAILED: "FAILED",
  RUNNING: "RUNNING",
  STOPPED: "STOPPED",
  SUCCEEDED: "SUCCEEDED",
  TIMED_OUT: "TIMED_OUT",
} as const;
export type ExecutionStatus = (typeof ExecutionStatus)[keyof typeof ExecutionStatus];

export const InvocationType = { DryRun: "DryRun", Event: "Event", RequestResponse: "RequestResponse" } as const;
export type InvocationType = (typeof InvocationType)[keyof typeof InvocationType];

export interface TestResultError {
  errorMessage: string | undefined;
  errorType: string | undefined;
  errorData: string | undefined;
  stackTrace: string[] | undefined;
}

export interface ContextDetails<TResult = unknown> {
  readonly result: TResult | undefined;
  readonly error: TestResultError | undefined;
}
export interface StepDetails<TResult = unknown> {
  readonly attempt: number | undefined;
  readonly nextAttemptTimestamp: Date | undefined;
  readonly result: TResult | undefined;
  readonly error: TestResultError | undefined;
}
export interface CallbackDetails<TResult = unknown> {
  readonly callbackId: string;
  readonly error?: TestResultError;
  readonly result?: TResult;
}
export interface ChainedInvokeDetails<TResult = unknown> {
  readonly error?: TestResultError;
  readonly result?: TResult;
}
export interface WaitResultDetails {
  readonly waitSeconds?: number;
  readonly scheduledEndTimestamp?: Date;
}

/** The history event types of GetDurableExecutionHistory (`EventType` of @aws-sdk/client-lambda). */
export type HistoryEventType =
  | "CallbackFailed"
  | "CallbackStarted"
  | "CallbackSucceeded"
  | "CallbackTimedOut"
  | "ChainedInvokeFailed"
  | "ChainedInvokeStarted"
  | "ChainedInvokeStopped"
  | "ChainedInvokeSucceeded"
  | "ChainedInvokeTimedOut"
  | "ContextFailed"
  | "ContextStarted"
  | "ContextSucceeded"
  | "ExecutionFailed"
  | "ExecutionStarted"
  | "ExecutionStopped"
  | "ExecutionSucceeded"
  | "ExecutionTimedOut"
  | "InvocationCompleted"
  | "StepFailed"
  | "StepStarted"
  | "StepSucceeded"
  | "WaitCancelled"
  | "WaitStarted"
  | "WaitSucceeded";

/** A history event in the service's shape (the `Event` of @aws-sdk/client-lambda): timestamps are Dates. */
export interface HistoryEvent {
  EventType?: HistoryEventType;
  SubType?: string;
  EventId?: number;
  Id?: string;
  Name?: string;
  EventTimestamp?: Date;
  ParentId?: string;
  [details: string]: any;
}

/** The (empty) answer of SendDurableExecutionCallbackSuccess/Failure/Heartbeat. */
export interface SendDurableExecutionCallbackResponse {
  $metadata?: Record<string, unknown>;
}
export type SendDurableExecutionCallbackSuccessResponse = SendDurableExecutionCallbackResponse;
export type SendDurableExecutionCallbackFailureResponse = SendDurableExecutionCallbackResponse;
export type SendDurableExecutionCallbackHeartbeatResponse = SendDurableExecutionCallbackResponse;

/** A live handle on one operation of a runner's execution (API.md §16.2). */
export interface DurableOperation<TResult = any> {
  waitForData(status?: WaitingOperationStatus): Promise<DurableOperation<TResult>>;
  getContextDetails(): ContextDetails<TResult> | undefined;
  getStepDetails(): StepDetails<TResult> | undefined;
  getChainedInvokeDetails(): ChainedInvokeDetails<TResult> | undefined;
  getCallbackDetails(): CallbackDetails<TResult> | undefined;
  getWaitDetails(): WaitResultDetails | undefined;
  getChildOperations(): DurableOperation[] | undefined;
  getOperationData(): Operation | undefined;
  getEvents(): HistoryEvent[] | undefined;
  getId(): string | undefined;
  getParentId(): string | undefined;
  getName(): string | undefined;
  getType(): OperationType | undefined;
  getSubType(): OperationSubType | undefined;
  isWaitForCallback(): boolean;
  isCallback(): boolean;
  getStatus(): OperationStatus | undefined;
  getStartTimestamp(): Date | undefined;
  getEndTimestamp(): Date | undefined;
  sendCallbackSuccess(result?: string): Promise<SendDurableExecutionCallbackSuccessResponse>;
  sendCallbackFailure(error?: ErrorObject): Promise<SendDurableExecutionCallbackFailureResponse>;
  sendCallbackHeartbeat(): Promise<SendDurableExecutionCallbackHeartbeatResponse>;
}

export interface Invocation {
  startTimestamp: Date | undefined;
  endTimestamp: Date | undefined;
  requestId: string | undefined;
  error: TestResultError | undefined;
}

export interface PrintConfig {
  parentId?: boolean;
  name?: boolean;
  type?: boolean;
  subType?: boolean;
  status?: boolean;
  startTime?: boolean;
  endTime?: boolean;
  duration?: boolean;
}

/** The outcome of one `run()` (API.md §16.3). */
export interface TestResult<TResult = any> {
  getOperations(params?: { status: OperationStatus }): DurableOperation[];
  getInvocations(): Invocation[];
  getStatus(): ExecutionStatus | undefined;
  getResult(): TResult | undefined;
  getError(): TestResultError;
  getHistoryEvents(): HistoryEvent[];
  print(config?: PrintConfig): void;
}

/** Answers a callback as soon as it exists (durable-node extension of `run()`). */
export type CallbackAnswer = (callbackId: string, operation: DurableOperation) => unknown;

export interface InvokeRequest {
  payload?: unknown;
  /**
   * durable-node extension: callbacks answered as they are created, by operation name (a
   * waitForCallback's inner callback by the waitForCallback's name). The function gets the
   * callback id and the callback's handle, and answers with `operation.sendCallbackSuccess(…)`,
   * `sendCallbackFailure(…)` or `sendCallbackHeartbeat()` (or not at all).
   */
  callbacks?: Record<string, CallbackAnswer>;
}

export interface DurableTestRunner<TDurableOperation extends DurableOperation, ResultType> {
  run(params?: InvokeRequest): Promise<TestResult<ResultType>>;
  getOperation(name: string): TDurableOperation;
  getOperationByIndex(index: number): TDurableOperation;
  getOperationByNameAndIndex(name: string, index: number): TDurableOperation;
  getOperationById(id: string): TDurableOperation;
}

/** Node-style callback of a plain Lambda handler. */
export type Callback<TResult = any> = (error?: Error | string | null, result?: TResult) => void;

/** A plain Lambda handler (the `Handler` of aws-lambda): promise or callback style. */
export type Handler<TEvent = any, TResult = any> = (event: TEvent, context: LambdaContext, callback: Callback<TResult>) => void | Promise<TResult>;
