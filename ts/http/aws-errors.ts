// Errors of the HTTP API in the AWS shape: the exception name in `x-amzn-ErrorType`, the HTTP
// status the Lambda service model gives it, and a body `{ Type, Message/message }`, so that
// `@aws-sdk/client-lambda` raises its typed exception classes. Engine errors carry their AWS
// name (`awsName`, ts/engine-errors.ts); this is the one place that maps names to statuses.

import { DurableNodeError } from "../engine-errors";

/** HTTP status and message member of each exception the API answers with (Lambda's model). */
const EXCEPTIONS: Record<string, { status: number; messageKey: "Message" | "message"; type: "User" | "Service" }> = {
  InvalidParameterValueException: { status: 400, messageKey: "message", type: "User" },
  InvalidRequestContentException: { status: 400, messageKey: "message", type: "User" },
  CallbackTimeoutException: { status: 400, messageKey: "Message", type: "User" },
  UnrecognizedClientException: { status: 403, messageKey: "Message", type: "User" },
  ResourceNotFoundException: { status: 404, messageKey: "Message", type: "User" },
  UnknownOperationException: { status: 404, messageKey: "Message", type: "User" },
  DurableExecutionAlreadyStartedException: { status: 409, messageKey: "Message", type: "User" },
  ResourceConflictException: { status: 409, messageKey: "message", type: "User" },
  RequestTooLargeException: { status: 413, messageKey: "message", type: "User" },
  UnsupportedMediaTypeException: { status: 415, messageKey: "message", type: "User" },
  ServiceException: { status: 500, messageKey: "Message", type: "Service" },
};

export type AwsExceptionName = keyof typeof EXCEPTIONS;

/** An error answered to the client as the named AWS exception. */
export class AwsError extends Error {
  constructor(
    readonly awsName: AwsExceptionName,
    message: string,
  ) {
    super(message);
    this.name = awsName;
  }

  get status(): number {
    return EXCEPTIONS[this.awsName]?.status ?? 500;
  }

  /** Response headers and body text. */
  response(): { status: number; headers: Record<string, string>; body: string } {
    const spec = EXCEPTIONS[this.awsName] ?? EXCEPTIONS.ServiceException;
    return {
      status: spec.status,
      headers: { "content-type": "application/json", "x-amzn-errortype": this.awsName },
      body: JSON.stringify({ Type: spec.type, [spec.messageKey]: this.message }),
    };
  }
}

export const invalidParameter = (message: string) => new AwsError("InvalidParameterValueException", message);

/**
 * Any error thrown while serving a request, as the exception to answer: AwsError as is, engine
 * errors under their AWS name; anything else is an internal error (`internal` is true — the
 * caller logs it; the client sees no internals).
 */
export function toAwsError(e: unknown): { error: AwsError; internal: boolean } {
  if (e instanceof AwsError) return { error: e, internal: false };
  if (e instanceof DurableNodeError && e.awsName in EXCEPTIONS && e.awsName !== "ServiceException") {
    return { error: new AwsError(e.awsName as AwsExceptionName, e.message), internal: false };
  }
  return { error: new AwsError("ServiceException", "The service encountered an internal error."), internal: true };
}
