// durable-node/testing: a drop-in for @aws/durable-execution-sdk-js-testing 1.1.4's local runner.

export { LocalDurableTestRunner } from "./runner";
export type { LocalDurableTestRunnerParameters, LocalDurableTestRunnerSetupParameters, InvokeRequest, CallbackAnswer } from "./runner";
export { DurableOperation, WaitingOperationStatus } from "./operation";
export type { ContextDetails, StepDetails, CallbackDetails, ChainedInvokeDetails, WaitResultDetails, TestResultError } from "./operation";
export { TestResult } from "./result";
export type { Invocation } from "./result";
export { OperationStatus, OperationType } from "../types";
export type { Operation, WireOperation } from "../types";

export const ExecutionStatus = {
  RUNNING: "RUNNING",
  SUCCEEDED: "SUCCEEDED",
  FAILED: "FAILED",
  TIMED_OUT: "TIMED_OUT",
  STOPPED: "STOPPED",
} as const;
export type ExecutionStatus = (typeof ExecutionStatus)[keyof typeof ExecutionStatus];

export const InvocationType = { DryRun: "DryRun", Event: "Event", RequestResponse: "RequestResponse" } as const;
export type InvocationType = (typeof InvocationType)[keyof typeof InvocationType];
