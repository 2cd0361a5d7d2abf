// The verdict on one run of a requirement (shared/spec/CONFORMANCE.md §3-5): every way its
// result, history and log lines differ from what the requirement expects.

import { withCallbackNames, type Outcome } from "./execute";
import { checkLogs, parseLogs } from "./logs";
import { match, matchHistory, substitute, type Bindings } from "./matcher";
import type { Requirement } from "./requirements";

/** The service's Result as the reference runner reads it: JSON, else raw text, null if absent. */
function parsedResult(result: string | undefined): unknown {
  if (result === undefined || result === null) return null;
  try {
    return JSON.parse(result);
  } catch {
    return result;
  }
}

/** Every way the outcome differs from the requirement (empty when it conforms). */
export function problemsOf(req: Requirement, outcome: Outcome, bindings: Bindings): string[] {
  const problems = matchHistory(req.ExpectedExecutionHistory, withCallbackNames(outcome.history), bindings);
  const expected = req.ExpectedResult;
  if (expected) {
    if (outcome.record.Status !== expected.ExecutionStatus) {
      problems.push(`status ${outcome.record.Status}, expected ${expected.ExecutionStatus} (error: ${JSON.stringify(outcome.record.Error)})`);
    } else if (expected.ExecutionStatus === "SUCCEEDED" && "Result" in expected) {
      const mismatch = match(substitute(expected.Result ?? null, bindings), parsedResult(outcome.record.Result), bindings, "Result");
      if (mismatch) problems.push(mismatch);
    }
  }
  if (req.ExpectedLogs?.length) {
    const records = parseLogs(outcome.logLines ?? [], outcome.record.DurableExecutionArn);
    problems.push(...checkLogs(req.ExpectedLogs, records, bindings));
  }
  return problems;
}
