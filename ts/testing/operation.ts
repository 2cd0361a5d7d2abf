// DurableOperation: a live handle on one operation of the runner's execution, found by name and
// index, by position, or by id; it can be taken before run() and fills in as data arrives.
// Error messages are those of the official runner, so tests asserting on them pass unchanged.

import type { ErrorObject, Operation } from "../types";
import { OperationStatus, OperationSubType, OperationType } from "../types";
import type {
  CallbackDetails,
  ChainedInvokeDetails,
  ContextDetails,
  DurableOperation,
  HistoryEvent,
  SendDurableExecutionCallbackResponse,
  StepDetails,
  TestResultError,
  WaitResultDetails,
} from "./types";
import { WaitingOperationStatus } from "./types";
import type { ExecutionView } from "./view";

export { WaitingOperationStatus };

export type Selector = { name: string; index: number } | { index: number } | { id: string };

/** Where a handle finds its execution: the runner's current one, or a finished run's. */
export interface ViewSource {
  current(): ExecutionView | undefined;
  /** Resolves with the execution once the runner has one (handles may be taken before run()). */
  started(): Promise<ExecutionView>;
}

export function fixedSource(view: ExecutionView): ViewSource {
  return { current: () => view, started: async () => view };
}

const COMPLETED: string[] = [OperationStatus.CANCELLED, OperationStatus.FAILED, OperationStatus.STOPPED, OperationStatus.SUCCEEDED, OperationStatus.TIMED_OUT];

export function toTestError(e: ErrorObject | undefined): TestResultError | undefined {
  if (!e) return undefined;
  return { errorMessage: e.ErrorMessage, errorType: e.ErrorType, errorData: e.ErrorData, stackTrace: e.StackTrace ? [...e.StackTrace] : undefined };
}

export function parseResult(text: string | undefined): any {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class LocalDurableOperation<TResult = any> implements DurableOperation<TResult> {
  constructor(
    private readonly source: ViewSource,
    private readonly selector: Selector,
  ) {}

  private find(view = this.source.current()): Operation | undefined {
    const ops = view?.operations() ?? [];
    const s = this.selector;
    if ("id" in s) return ops.find((o) => o.Id === s.id);
    if ("name" in s) return ops.filter((o) => o.Name === s.name).at(s.index);
    return ops.at(s.index);
  }

  private requireType(type: string, label: string = type): Operation | undefined {
    const op = this.find();
    if (op && op.Type !== type) throw new Error(`Operation type ${op.Type} is not ${label}`);
    return op;
  }

  private children(op: Operation): Operation[] {
    return (this.source.current()?.operations() ?? []).filter((o) => o.ParentId === op.Id);
  }

  getOperationData(): Operation | undefined {
    return this.find();
  }
  getId(): string | undefined {
    return this.find()?.Id;
  }
  getParentId(): string | undefined {
    return this.find()?.ParentId;
  }
  getName(): string | undefined {
    return this.find()?.Name;
  }
  getType(): OperationType | undefined {
    return this.find()?.Type as OperationType | undefined;
  }
  getSubType(): OperationSubType | undefined {
    return this.find()?.SubType as OperationSubType | undefined;
  }
  getStatus(): OperationStatus | undefined {
    return this.find()?.Status as OperationStatus | undefined;
  }
  getStartTimestamp(): Date | undefined {
    return this.find()?.StartTimestamp;
  }
  getEndTimestamp(): Date | undefined {
    return this.find()?.EndTimestamp;
  }
  isWaitForCallback(): boolean {
    const op = this.find();
    return op?.Type === OperationType.CONTEXT && op.SubType === OperationSubType.WAIT_FOR_CALLBACK;
  }
  isCallback(): boolean {
    return this.find()?.Type === OperationType.CALLBACK;
  }

  getEvents(): HistoryEvent[] | undefined {
    const view = this.source.current();
    const op = this.find(view);
    return op && view?.events().filter((e) => e.Id === op.Id);
  }

  getChildOperations(): DurableOperation[] | undefined {
    const op = this.find();
    if (!op) return undefined;
    if (!op.Id) throw new Error("Could not find operation ID");
    return this.children(op).map((c) => new LocalDurableOperation(this.source, { id: c.Id }));
  }

  getStepDetails(): StepDetails<TResult> | undefined {
    const op = this.requireType(OperationType.STEP);
    const d = op?.StepDetails;
    return op && { attempt: d?.Attempt, nextAttemptTimestamp: d?.NextAttemptTimestamp, result: parseResult(d?.Result), error: toTestError(d?.Error) };
  }

  getContextDetails(): ContextDetails<TResult> | undefined {
    const op = this.requireType(OperationType.CONTEXT);
    return op && { result: parseResult(op.ContextDetails?.Result), error: toTestError(op.ContextDetails?.Error) };
  }

  getChainedInvokeDetails(): ChainedInvokeDetails<TResult> | undefined {
    const op = this.requireType(OperationType.CHAINED_INVOKE, "INVOKE");
    if (!op) return undefined;
    const d = op.ChainedInvokeDetails;
    let result: TResult | undefined;
    try {
      result = d?.Result ? JSON.parse(d.Result) : undefined;
    } catch (cause) {
      throw new Error("Could not parse result for invoke details", { cause });
    }
    return { error: toTestError(d?.Error), result };
  }

  /** The CALLBACK record of a CALLBACK operation, or the inner callback of a waitForCallback. */
  private callbackRecord(op: Operation): Operation {
    if (op.Type === OperationType.CALLBACK) return op;
    if (op.Type === OperationType.CONTEXT && op.SubType === OperationSubType.WAIT_FOR_CALLBACK) {
      const callback = this.children(op).find((c) => c.Type === OperationType.CALLBACK);
      if (!callback) throw new Error("Could not find CALLBACK operation in WAIT_FOR_CALLBACK context");
      return callback;
    }
    throw new Error(`Operation with Type ${op.Type} and SubType ${op.SubType} is not a valid callback`);
  }

  getCallbackDetails(): CallbackDetails<TResult> | undefined {
    const op = this.find();
    if (!op) return undefined;
    const d = this.callbackRecord(op).CallbackDetails;
    if (d?.CallbackId === undefined) throw new Error("Could not find callback ID in callback details");
    return { callbackId: d.CallbackId, error: toTestError(d.Error), result: parseResult(d.Result) };
  }

  getWaitDetails(): WaitResultDetails | undefined {
    const op = this.requireType(OperationType.WAIT);
    if (!op) return undefined;
    const started = this.getEvents()?.find((e) => e.EventType === "WaitStarted")?.WaitStartedDetails;
    const end = started?.ScheduledEndTimestamp ?? op.WaitDetails?.ScheduledEndTimestamp;
    return { waitSeconds: started?.Duration, scheduledEndTimestamp: end === undefined ? undefined : new Date(end) };
  }

  /** The callback id to answer, checked synchronously (the official methods throw, not reject). */
  private callbackTarget(): { view: ExecutionView; callbackId: string } {
    const details = this.getCallbackDetails();
    const view = this.source.current();
    if (!details || !view) throw new Error("Could not find callback details");
    return { view, callbackId: details.callbackId };
  }

  sendCallbackSuccess(result?: string): Promise<SendDurableExecutionCallbackResponse> {
    const { view, callbackId } = this.callbackTarget();
    return view.send(() => view.engine.sendCallbackSuccess(callbackId, result === undefined || result === "" ? undefined : result));
  }

  sendCallbackFailure(error?: ErrorObject): Promise<SendDurableExecutionCallbackResponse> {
    const { view, callbackId } = this.callbackTarget();
    return view.send(() => view.engine.sendCallbackFailure(callbackId, error ?? {}));
  }

  sendCallbackHeartbeat(): Promise<SendDurableExecutionCallbackResponse> {
    const { view, callbackId } = this.callbackTarget();
    return view.send(() => view.engine.sendCallbackHeartbeat(callbackId));
  }

  private reached(view: ExecutionView, status: WaitingOperationStatus): boolean {
    const op = this.find(view);
    if (!op) return false;
    if (op.Type === OperationType.CONTEXT && op.SubType === OperationSubType.WAIT_FOR_CALLBACK) {
      // Resolved from its children: STARTED once the inner callback has an id, SUBMITTED once
      // the submitter step (or the callback) completed, COMPLETED once the callback completed.
      const kids = view.operations().filter((o) => o.ParentId === op.Id);
      const callback = kids.find((c) => c.Type === OperationType.CALLBACK);
      const submitter = kids.find((c) => c.Type === OperationType.STEP);
      const done = (o: Operation | undefined) => o !== undefined && COMPLETED.includes(o.Status);
      if (status === WaitingOperationStatus.STARTED) return callback?.CallbackDetails?.CallbackId !== undefined || done(op);
      if (status === WaitingOperationStatus.SUBMITTED) return done(submitter) || done(callback) || done(op);
      return done(callback) || done(op);
    }
    if (status === WaitingOperationStatus.STARTED) return op.Type !== OperationType.CALLBACK || op.CallbackDetails?.CallbackId !== undefined;
    return COMPLETED.includes(op.Status);
  }

  async waitForData(status: WaitingOperationStatus = WaitingOperationStatus.STARTED): Promise<DurableOperation<TResult>> {
    const view = this.source.current() ?? (await this.source.started());
    return view.until(
      () => (this.reached(view, status) ? this : undefined),
      () =>
        new Error(
          `Operation was not found after execution completion. Expected status: ${status}. This typically means the operation was never executed or the test is waiting for the wrong operation.`,
        ),
    );
  }
}
