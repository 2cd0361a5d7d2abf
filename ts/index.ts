// The package root: the handler API of @aws/durable-execution-sdk-js 2.4.0 as implemented on
// the durable-node engine, plus durable-node's own engine API.

export { withDurableExecution } from "./with-durable-execution";
export type { DurableExecutionHandler, DurableLambdaHandler, DurableExecutionConfig } from "./with-durable-execution";
export type { DurableContext } from "./context";
export { DurablePromise } from "./durable-promise";
export type { StepConfig, StepFunc, StepContext } from "./operations/step";
export {
  OperationType,
  OperationStatus,
  OperationAction,
  OperationSubType,
  InvocationStatus,
  StepSemantics,
} from "./types";
export type {
  Duration,
  ErrorObject,
  Operation,
  WireOperation,
  OperationUpdate,
  WireTimestamp,
  ExecutionDetails,
  ContextDetails,
  StepDetails,
  WireStepDetails,
  WaitDetails,
  WireWaitDetails,
  CallbackDetails,
  ChainedInvokeDetails,
  ContextOptions,
  StepOptions,
  WaitOptions,
  CallbackOptions,
  ChainedInvokeOptions,
  CheckpointUpdatedExecutionState,
  CheckpointDurableExecutionRequest,
  CheckpointDurableExecutionResponse,
  GetDurableExecutionStateRequest,
  GetDurableExecutionStateResponse,
  DurableExecutionInvocationInput,
  DurableExecutionInvocationOutput,
} from "./types";
export { createRetryStrategy, createLinearRetryStrategy, retryPresets, JitterStrategy } from "./retry";
export type { RetryDecision, RetryStrategyConfig, LinearRetryStrategyConfig } from "./retry";
export { withRetry } from "./with-retry";
export type { RetryableFunc, WithRetryConfig } from "./with-retry";
export { defaultSerdes, createClassSerdes, createClassSerdesWithDates } from "./serdes";
export type { Serdes, SerdesContext, SerdesConfig, AnySerdes, AnySerdesDeserializer } from "./serdes";
export { createFileSystemSerdes, FileSystemSerdesMode, FileSystemPathEncoding } from "./filesystem-serdes";
export type { FileSystemSerdesConfig } from "./filesystem-serdes";
export { buildPreview, PreviewMode, FieldMatchMode } from "./preview";
export type { PreviewField, PreviewConfig } from "./preview";
export type { DurableLogger, DurableContextLogger, DurableLogData, DurableLoggingContext } from "./logger";
export { refreshLogConfig } from "./verbose-log";
export {
  DurableOperationError,
  StepError,
  CallbackError,
  CallbackExternalError,
  CallbackTimeoutError,
  CallbackSubmitterError,
  InvokeError,
  ChildContextError,
  WaitForConditionError,
  PromiseCombinatorError,
  BatchCompletionError,
  StepInterruptedError,
  DurableExecutionClientError,
  DurableExecutionClientErrorScope,
  isDurableExecutionClientError,
  PluginLoadError,
} from "./errors";
export type { DurableExecutionClientErrorOptions } from "./errors";
export { DurableExecutionInvocationInputWithClient } from "./runtime/client";
export type { DurableExecutionClient } from "./runtime/client";
export { DurableExecutionApiClient } from "./runtime/api-client";

export { SDK_VERSION } from "./version";

// durable-node's own API.
export { DurableEngine, InvocationFailedError, INVOCATION_CHANNEL } from "./engine/durable-engine";
export type { DurableEngineOptions, StartOptions, StartResult, ExecutionRecord, InvocationEvent, RegisterOptions, InvocationInputWithClientClass } from "./engine/durable-engine";
export { onOperation, OPERATION_CHANNEL } from "./observe";
export type { OperationEvent, OperationPhase } from "./observe";
export {
  DurableNodeError,
  InvalidCheckpointError,
  InvalidParameterError,
  PayloadTooLargeError,
  InvalidCheckpointTokenError,
  ExecutionNotFoundError,
  ExecutionAlreadyStartedError,
  ExecutionNotRunningError,
  CallbackNotFoundError,
  CallbackClosedError,
  NonDeterminismError,
  NotADatabaseError,
  DatabaseOpenError,
  StorageError,
  StorageUnavailableError,
  StorageConflictError,
  MigrationSourceBusyError,
  MigrationTargetNotEmptyError,
  EngineClosedError,
} from "./engine-errors";

// Callbacks, chained invokes, polling and block retries.
export { createWaitStrategy } from "./wait-strategy";
export type { WaitStrategyConfig, WaitForConditionDecision, WaitForConditionWaitStrategyFunc } from "./wait-strategy";
export type { CreateCallbackConfig, CreateCallbackResult } from "./operations/callback";
export type { InvokeConfig } from "./operations/invoke";
export type { WaitForConditionCheckFunc, WaitForConditionConfig, WaitForConditionContext } from "./operations/wait-for-condition";
export type { WaitForCallbackConfig, WaitForCallbackContext, WaitForCallbackSubmitterFunc } from "./operations/wait-for-callback";

// Child contexts, batches (map/parallel) and their results.
export type { ChildConfig, ChildFunc } from "./operations/child-context";
export type { MapFunc, MapConfig } from "./operations/map";
export type { ParallelFunc, ParallelConfig, NamedParallelBranch } from "./operations/parallel";
export { BatchItemStatus } from "./operations/batch-result";
export type { BatchItem, BatchResult, CompletionReason } from "./operations/batch-result";
export { NestingType, CompletionOutcome, completeBatch, continueBatch } from "./operations/concurrency";
export type {
  CompletionConfig,
  ThresholdCompletionConfig,
  CustomCompletionConfig,
  CompletionStatus,
  CompletionItemStatus,
  CompletionDecision,
  ConcurrentExecutionItem,
  ConcurrentExecutor,
  ConcurrencyConfig,
} from "./operations/concurrency";

// Instrumentation plugins (experimental, API.md §13).
export { DURABLE_INSTRUMENTATION_PLUGIN_API_VERSION, PluginInvocationStatus, PluginOperationStatus, AttemptEndInfoOutcome } from "./plugins/types";
export type {
  DurableInstrumentationPlugin,
  DurableInstrumentationPluginProvider,
  DurableInstrumentationPluginType,
  InvocationInfo,
  InvocationEndInfo,
  OperationChangeInfo,
  OperationInfo,
  OperationEndInfo,
  AttemptInfo,
  AttemptEndInfo,
} from "./plugins/types";
