// The AWS conformance suite (shared/conformance, 171 requirements): each requirement's handler
// (handlers/<suite>/<id>.ts) runs on the engine with the requirement's input and callback
// actions; its result, history and log lines are matched with the suite's rules. Prints a table
// of passes per suite. CONFORMANCE_SUITE=<suite>[,<suite>] or CONFORMANCE_ID=<id>[,<id>] narrow
// the run while working on a suite.

import { existsSync } from "node:fs";

import { afterAll, describe, expect, it } from "vitest";

import { problemsOf } from "./check";
import { needsChildProcess, runInChildProcess, runInProcess } from "./execute";
import { bindVariables, loadRequirements } from "./requirements";

const only = (name: string) => (process.env[name] ? new Set(process.env[name]!.split(",").map((s) => s.trim())) : undefined);
const suites = only("CONFORMANCE_SUITE");
const ids = only("CONFORMANCE_ID");
const requirements = loadRequirements().filter((r) => (!suites || suites.has(r.suite)) && (!ids || ids.has(r.id)));

type Verdict = "PASSED" | "FAILED" | "OPTIONAL_FAILED";
const verdicts = new Map<string, { suite: string; verdict: Verdict }>();

function describeHistory(history: Record<string, unknown>[]): string {
  return history.map((e) => `  ${JSON.stringify(e)}`).join("\n");
}

for (const suite of [...new Set(requirements.map((r) => r.suite))]) {
  describe(`conformance: ${suite}`, () => {
    for (const req of requirements.filter((r) => r.suite === suite)) {
      it(`${req.id} ${req.description}`, async () => {
        verdicts.set(req.id, { suite, verdict: "FAILED" });
        expect(existsSync(req.handlerFile), `handler file ${req.handlerFile} is missing`).toBe(true);
        const bindings = bindVariables(req);
        const outcome = needsChildProcess(req) ? await runInChildProcess(req, bindings) : await runInProcess(req, bindings);
        const problems = problemsOf(req, outcome, bindings);
        if (problems.length > 0 && req.optional) {
          verdicts.set(req.id, { suite, verdict: "OPTIONAL_FAILED" });
          console.warn(`${req.id} (optional) does not conform:\n${problems.join("\n")}`);
          return;
        }
        expect(problems, `${req.id} does not conform:\n${problems.join("\n")}\nhistory:\n${describeHistory(outcome.history)}`).toEqual([]);
        verdicts.set(req.id, { suite, verdict: "PASSED" });
      });
    }
  });
}

afterAll(() => {
  const rows = new Map<string, { passed: number; failed: number; optionalFailed: number; total: number }>();
  for (const req of requirements) {
    const row = rows.get(req.suite) ?? { passed: 0, failed: 0, optionalFailed: 0, total: 0 };
    const verdict = verdicts.get(req.id)?.verdict ?? "FAILED";
    row.total++;
    if (verdict === "PASSED") row.passed++;
    else if (verdict === "OPTIONAL_FAILED") row.optionalFailed++;
    else row.failed++;
    rows.set(req.suite, row);
  }
  const lines = ["suite               passed  failed  optional-failed  total"];
  const sum = { passed: 0, failed: 0, optionalFailed: 0, total: 0 };
  for (const [suite, r] of rows) {
    lines.push(`${suite.padEnd(20)}${String(r.passed).padStart(6)}${String(r.failed).padStart(8)}${String(r.optionalFailed).padStart(17)}${String(r.total).padStart(7)}`);
    for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += r[k];
  }
  lines.push(`${"total".padEnd(20)}${String(sum.passed).padStart(6)}${String(sum.failed).padStart(8)}${String(sum.optionalFailed).padStart(17)}${String(sum.total).padStart(7)}`);
  console.log(`\nAWS conformance requirements\n${lines.join("\n")}\n`);
});
