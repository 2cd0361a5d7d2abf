// durable-node/testing: a drop-in for @aws/durable-execution-sdk-js-testing 1.1.4's local runner,
// with the same exported names (API.md §16). CloudDurableTestRunner drives a function deployed
// on AWS, which durable-node does not involve: it is exported so that files importing it load,
// and throws when used.

export { LocalDurableTestRunner } from "./runner";
export type { LocalDurableTestRunnerParameters, LocalDurableTestRunnerSetupParameters } from "./runner";
export { CloudDurableTestRunner } from "./cloud";
export type { CloudDurableTestRunnerConfig, CloudDurableTestRunnerParameters } from "./cloud";
export { WaitingOperationStatus, ExecutionStatus, InvocationType } from "./types";
export type {
  InvokeRequest,
  Invocation,
  DurableTestRunner,
  TestResultError,
  TestResult,
  DurableOperation,
  ContextDetails,
  StepDetails,
  CallbackDetails,
  ChainedInvokeDetails,
  WaitResultDetails,
  // durable-node additions
  CallbackAnswer,
  HistoryEvent,
  HistoryEventType,
  Handler,
  Callback,
  PrintConfig,
  SendDurableExecutionCallbackSuccessResponse,
  SendDurableExecutionCallbackFailureResponse,
  SendDurableExecutionCallbackHeartbeatResponse,
} from "./types";
export { OperationStatus, OperationType } from "../types";
export type { Operation, WireOperation } from "../types";
