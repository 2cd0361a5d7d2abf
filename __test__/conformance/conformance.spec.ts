// The AWS conformance suite (shared/conformance, 171 requirements): each requirement's handler
// (handlers/<suite>/<id>.ts) runs on the engine with the requirement's input and callback
// actions; its result, history and log lines are matched with the suite's rules. Prints a table
// of passes per suite. The whole suite runs twice: on SQLite, and on PostgreSQL (a schema per
// requirement in the run's database, helpers/postgres-setup.ts). CONFORMANCE_SUITE=<suite>[,<suite>],
// CONFORMANCE_ID=<id>[,<id>] or CONFORMANCE_BACKEND=sqlite|postgres narrow the run while working
// on a suite.

import { existsSync } from "node:fs";

import { afterAll, describe, expect, it } from "vitest";

import { freshPostgresUrl } from "../helpers/postgres";
import { problemsOf } from "./check";
import { needsChildProcess, runInChildProcess, runInProcess } from "./execute";
import { bindVariables, loadRequirements } from "./requirements";

const only = (name: string) => (process.env[name] ? new Set(process.env[name]!.split(",").map((s) => s.trim())) : undefined);
const suites = only("CONFORMANCE_SUITE");
const ids = only("CONFORMANCE_ID");
const requirements = loadRequirements().filter((r) => (!suites || suites.has(r.suite)) && (!ids || ids.has(r.id)));
const backends = (["sqlite", "postgres"] as const).filter((b) => !process.env.CONFORMANCE_BACKEND || process.env.CONFORMANCE_BACKEND === b);

type Verdict = "PASSED" | "FAILED" | "OPTIONAL_FAILED";
/** By backend, then requirement id. */
const verdicts = new Map<string, Map<string, { suite: string; verdict: Verdict }>>(backends.map((b) => [b, new Map()]));

function describeHistory(history: Record<string, unknown>[]): string {
  return history.map((e) => `  ${JSON.stringify(e)}`).join("\n");
}

for (const backend of backends) {
  const verdictsOf = verdicts.get(backend)!;
  for (const suite of [...new Set(requirements.map((r) => r.suite))]) {
    describe(`conformance on ${backend}: ${suite}`, () => {
      for (const req of requirements.filter((r) => r.suite === suite)) {
        it(`${req.id} ${req.description}`, async () => {
          verdictsOf.set(req.id, { suite, verdict: "FAILED" });
          expect(existsSync(req.handlerFile), `handler file ${req.handlerFile} is missing`).toBe(true);
          const bindings = bindVariables(req);
          const url = backend === "postgres" ? freshPostgresUrl("conformance") : undefined;
          const outcome = needsChildProcess(req) ? await runInChildProcess(req, bindings, url) : await runInProcess(req, bindings, { url });
          const problems = problemsOf(req, outcome, bindings);
          if (problems.length > 0 && req.optional) {
            verdictsOf.set(req.id, { suite, verdict: "OPTIONAL_FAILED" });
            console.warn(`${req.id} (optional) does not conform:\n${problems.join("\n")}`);
            return;
          }
          expect(problems, `${req.id} does not conform:\n${problems.join("\n")}\nhistory:\n${describeHistory(outcome.history)}`).toEqual([]);
          verdictsOf.set(req.id, { suite, verdict: "PASSED" });
        });
      }
    });
  }
}

afterAll(() => {
  for (const [backend, verdictsOf] of verdicts) printTable(backend, verdictsOf);
});

function printTable(backend: string, verdictsOf: Map<string, { suite: string; verdict: Verdict }>): void {
  const rows = new Map<string, { passed: number; failed: number; optionalFailed: number; total: number }>();
  for (const req of requirements) {
    const row = rows.get(req.suite) ?? { passed: 0, failed: 0, optionalFailed: 0, total: 0 };
    const verdict = verdictsOf.get(req.id)?.verdict ?? "FAILED";
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
  console.log(`\nAWS conformance requirements on ${backend}\n${lines.join("\n")}\n`);
}
