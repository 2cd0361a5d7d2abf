// Errors raised by the engine, one class per stable engine code (crates/engine/src/error.rs).
// They cross napi as {code, awsName, message, fields}; `name` is the class name, `awsName` the
// exception the Lambda service would answer with, `fields` what the message names (operation
// id and name, execution ARN, field and limit, …) by camelCase name.

export class DurableNodeError extends Error {
  readonly code: string = "ERR_DURABLE_NODE";
  readonly awsName: string = "ServiceException";
  readonly fields: Readonly<Record<string, string>>;
  constructor(message: string, fields: Record<string, string> = {}) {
    super(message);
    this.name = new.target.name;
    this.fields = fields;
  }
}

function engineError(code: string, awsName: string) {
  return class extends DurableNodeError {
    override readonly code = code;
    override readonly awsName = awsName;
  };
}

/** A checkpoint update was refused; the message names the operation id, action and reason. */
export class InvalidCheckpointError extends engineError("ERR_INVALID_CHECKPOINT", "InvalidParameterValueException") {}
/** A field had a value the engine cannot accept; the message names field, value and limit. */
export class InvalidParameterError extends engineError("ERR_INVALID_PARAMETER", "InvalidParameterValueException") {}
export class PayloadTooLargeError extends engineError("ERR_PAYLOAD_TOO_LARGE", "InvalidParameterValueException") {}
export class InvalidCheckpointTokenError extends engineError("ERR_INVALID_TOKEN", "InvalidParameterValueException") {}
export class ExecutionNotFoundError extends engineError("ERR_EXECUTION_NOT_FOUND", "ResourceNotFoundException") {}
export class ExecutionAlreadyStartedError extends engineError("ERR_EXECUTION_ALREADY_STARTED", "DurableExecutionAlreadyStartedException") {}
/** The execution has ended (stop needs a running one); the message names its status. */
export class ExecutionNotRunningError extends engineError("ERR_EXECUTION_NOT_RUNNING", "InvalidParameterValueException") {}
export class CallbackNotFoundError extends engineError("ERR_CALLBACK_NOT_FOUND", "ResourceNotFoundException") {}
export class CallbackClosedError extends engineError("ERR_CALLBACK_CLOSED", "CallbackTimeoutException") {}
export class NonDeterminismError extends engineError("ERR_NON_DETERMINISTIC", "NonDeterministicExecutionError") {}
export class NotADatabaseError extends engineError("ERR_NOT_A_DATABASE", "ServiceException") {}
export class DatabaseOpenError extends engineError("ERR_DATABASE_OPEN", "ServiceException") {}
export class StorageError extends engineError("ERR_STORAGE", "ServiceException") {}
/** The database server could not be reached within the reconnect budget (down, restarting, cut off). */
export class StorageUnavailableError extends engineError("ERR_STORAGE_UNAVAILABLE", "ServiceException") {}
/** A transaction kept losing to concurrent ones (deadlock, serialization, duplicate key) after retries. */
export class StorageConflictError extends engineError("ERR_STORAGE_CONFLICT", "ServiceException") {}
/** `migrate` found invocations holding a live lease on the source; names one and its worker. */
export class MigrationSourceBusyError extends engineError("ERR_MIGRATION_SOURCE_BUSY", "ServiceException") {}
/** `migrate` writes only into an empty database; names how many executions the target holds. */
export class MigrationTargetNotEmptyError extends engineError("ERR_MIGRATION_TARGET_NOT_EMPTY", "ServiceException") {}
export class EngineClosedError extends engineError("ERR_CLOSED", "ServiceException") {}

/** Every engine code and its class (a test checks it against every Rust variant). */
export const BY_CODE: Record<string, new (message: string, fields?: Record<string, string>) => DurableNodeError> = {
  ERR_INVALID_CHECKPOINT: InvalidCheckpointError,
  ERR_INVALID_PARAMETER: InvalidParameterError,
  ERR_PAYLOAD_TOO_LARGE: PayloadTooLargeError,
  ERR_INVALID_TOKEN: InvalidCheckpointTokenError,
  ERR_EXECUTION_NOT_FOUND: ExecutionNotFoundError,
  ERR_EXECUTION_ALREADY_STARTED: ExecutionAlreadyStartedError,
  ERR_EXECUTION_NOT_RUNNING: ExecutionNotRunningError,
  ERR_CALLBACK_NOT_FOUND: CallbackNotFoundError,
  ERR_CALLBACK_CLOSED: CallbackClosedError,
  ERR_NON_DETERMINISTIC: NonDeterminismError,
  ERR_NOT_A_DATABASE: NotADatabaseError,
  ERR_DATABASE_OPEN: DatabaseOpenError,
  ERR_STORAGE: StorageError,
  ERR_STORAGE_UNAVAILABLE: StorageUnavailableError,
  ERR_STORAGE_CONFLICT: StorageConflictError,
  ERR_MIGRATION_SOURCE_BUSY: MigrationSourceBusyError,
  ERR_MIGRATION_TARGET_NOT_EMPTY: MigrationTargetNotEmptyError,
  ERR_CLOSED: EngineClosedError,
};

/** An engine error as the binding passes it. */
export interface EngineErrorInfo {
  code: string;
  awsName: string;
  message: string;
  fields: Record<string, string>;
}

/** Rebuilds the class of an engine error passed as an object (group-commit answers). */
export function fromErrorInfo(info: EngineErrorInfo): DurableNodeError {
  const Class = BY_CODE[info.code] ?? DurableNodeError;
  return new Class(info.message, info.fields);
}

/** Turns an error thrown by the native addon into its typed class; other values pass through. */
export function fromNativeError(e: unknown): unknown {
  if (!(e instanceof Error) || !e.message.startsWith("{")) return e;
  let info: EngineErrorInfo;
  try {
    info = JSON.parse(e.message) as EngineErrorInfo;
  } catch {
    return e;
  }
  return typeof info?.code === "string" && info.code.startsWith("ERR_") ? fromErrorInfo(info) : e;
}
