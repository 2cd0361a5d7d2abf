// TestResult: the outcome of one run() — status, result or error, operations, invocations and
// the history in the service's event shapes. It reads a snapshot taken when the run ended, so
// it stays readable after the runner runs again or is reset.

import type { ExecutionRecord } from "../engine/durable-engine";
import type { OperationStatus } from "../types";
import { LocalDurableOperation, fixedSource, parseResult, toTestError } from "./operation";
import type { DurableOperation, ExecutionStatus, HistoryEvent, Invocation, PrintConfig, TestResult, TestResultError } from "./types";
import type { ExecutionView } from "./view";

export class LocalTestResult<TResult = any> implements TestResult<TResult> {
  constructor(
    private readonly view: ExecutionView,
    private readonly record: ExecutionRecord,
  ) {}

  getStatus(): ExecutionStatus | undefined {
    return this.record.Status as ExecutionStatus | undefined;
  }

  getResult(): TResult | undefined {
    if (this.record.Status !== "SUCCEEDED") {
      const details = this.getError();
      const error = new Error(details.errorMessage?.trim());
      if (details.stackTrace) error.stack = details.stackTrace.join("\n");
      throw error;
    }
    return parseResult(this.record.Result);
  }

  getError(): TestResultError {
    if (this.record.Status === "SUCCEEDED") throw new Error("Cannot get error for succeeded execution");
    return toTestError(this.record.Error) ?? { errorMessage: `Execution failed with status "${this.record.Status}"`, errorType: undefined, errorData: undefined, stackTrace: undefined };
  }

  getOperations(params?: { status: OperationStatus }): DurableOperation[] {
    return this.view
      .operations()
      .filter((o) => !params || o.Status === params.status)
      .map((o) => new LocalDurableOperation(fixedSource(this.view), { id: o.Id }));
  }

  getHistoryEvents(): HistoryEvent[] {
    return this.view.events();
  }

  getInvocations(): Invocation[] {
    return this.view
      .events()
      .filter((e) => e.EventType === "InvocationCompleted")
      .map((e) => {
        const d = e.InvocationCompletedDetails ?? {};
        return { startTimestamp: d.StartTimestamp, endTimestamp: d.EndTimestamp, requestId: d.RequestId, error: toTestError(d.Error?.Payload) };
      });
  }

  print(config: PrintConfig = {}): void {
    const operations = this.view.operations();
    if (operations.length === 0) {
      console.log("No operations found.");
      return;
    }
    const show = (key: keyof PrintConfig) => config[key] ?? true;
    const rows = operations.map((o) => {
      const row: Record<string, unknown> = {};
      if (show("parentId")) row.parentId = o.ParentId ?? "-";
      if (show("name")) row.name = o.Name ?? "-";
      if (show("type")) row.type = o.Type ?? "-";
      if (show("subType")) row.subType = o.SubType ?? "-";
      if (show("status")) row.status = o.Status ?? "-";
      if (show("startTime")) row.startTime = o.StartTimestamp?.toISOString() ?? "-";
      if (show("endTime")) row.endTime = o.EndTimestamp?.toISOString() ?? "-";
      if (show("duration")) row.duration = o.StartTimestamp && o.EndTimestamp ? `${o.EndTimestamp.getTime() - o.StartTimestamp.getTime()}ms` : "-";
      return row;
    });
    console.table(rows);
  }
}
