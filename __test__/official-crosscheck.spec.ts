// Cross-check against the official SDK (issue 4 §4): each conformance handler of the step,
// wait, callback and child suites runs on our engine twice, once built with durable-node's SDK
// and once with the real @aws/durable-execution-sdk-js 2.4.0 (the devDependency), with the same
// input, bound Variables and callback actions (__test__/conformance/execute.ts). The two
// histories must be equal once what legitimately differs is normalized (timestamps, ARNs and
// UUIDs, callback ids, request ids, stack traces), and each must match the requirement.
//
// How the official half gets the real package: vitest.config.mts aliases the official name to
// ts/index.ts for every module vitest loads, so that half cannot run in this process. It runs
// in a child process, `node --import tsx __test__/helpers/run-official.ts`: outside vitest
// nothing aliases the name and Node resolves it from the handler file to
// node_modules/@aws/durable-execution-sdk-js (checked below). The child registers the handler on
// an engine with `{ inputWithClient: <official DurableExecutionInvocationInputWithClient> }`,
// the SDK's own transport injection point (API.md §3.3), and writes the execution and history
// to a file. The half on our SDK runs here, as conformance.spec.ts runs it.
//
// The log records each run writes for its execution (both default loggers write JSON lines to
// stdout/stderr, captured in process) must be equal too, and match ExpectedLogs where given.
//
// Left out: handlers that call process.exit (they crash the process; the conformance runner
// runs them through the CLI, which maps the official name to durable-node, so there is no
// official half).
//
// CROSSCHECK_SUITE=<suite>[,...] or CROSSCHECK_ID=<id>[,...] narrow the run.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { withCallbackNames, type HistoryEvent, type Outcome } from "./conformance/execute";
import { checkLogs, parseLogs } from "./conformance/logs";
import { match, matchHistory, substitute, type Bindings } from "./conformance/matcher";
import { bindVariables, loadRequirements, type Requirement } from "./conformance/requirements";
import { childEnv, REPO_ROOT } from "./helpers/cli";
import { runHalf } from "./helpers/crosscheck-run";
import type { OfficialRunOutcome, OfficialRunRequest } from "./helpers/run-official";

const only = (name: string) => (process.env[name] ? new Set(process.env[name]!.split(",").map((s) => s.trim())) : undefined);
const suites = only("CROSSCHECK_SUITE");
/** The suites of issue 4 §4 by default; CROSSCHECK_SUITE can name any others. */
const SUITES = suites ? [...suites] : ["step", "wait", "callback", "child"];
const ids = only("CROSSCHECK_ID");
const RUNNER = path.join(REPO_ROOT, "__test__", "helpers", "run-official.ts");

const requirements = loadRequirements().filter(
  (r) => SUITES.includes(r.suite) && (!ids || ids.has(r.id)) && existsSync(r.handlerFile),
);

const work = mkdtempSync(path.join(os.tmpdir(), "official-crosscheck-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the requirement's handler built with the official SDK, in a child process (see above). */
async function runOfficial(req: Requirement, bindings: Bindings): Promise<Outcome & { sdkPath: string }> {
  const requestFile = path.join(work, `${req.suite}-${req.id}.request.json`);
  const outcomeFile = path.join(work, `${req.suite}-${req.id}.outcome.json`);
  const request: OfficialRunRequest = { suite: req.suite, id: req.id, bindings: [...bindings] };
  writeFileSync(requestFile, JSON.stringify(request));
  const child = spawn(process.execPath, ["--import", "tsx", RUNNER, requestFile, outcomeFile], {
    cwd: REPO_ROOT,
    env: childEnv(),
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0 || !existsSync(outcomeFile)) throw new Error(`official run of ${req.id} exited with ${code}: ${stderr}`);
  const outcome = JSON.parse(readFileSync(outcomeFile, "utf8")) as OfficialRunOutcome;
  if (outcome.error) throw new Error(`official run of ${req.id} failed: ${outcome.error}`);
  return { record: outcome.record as Outcome["record"], history: outcome.history!, logLines: outcome.logLines, sdkPath: outcome.sdkPath };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * A history with what differs between two runs replaced by placeholders: timestamps; UUIDs
 * (execution ids, names, ARNs, request ids) and callback ids numbered in order of appearance, so
 * that the same value still reads the same everywhere; stack traces.
 */
function normalize(events: HistoryEvent[]): HistoryEvent[] {
  const uuids = new Map<string, string>();
  const callbackIds = new Map<string, string>();
  for (const e of events) {
    const id = (e.CallbackStartedDetails as { CallbackId?: string } | undefined)?.CallbackId;
    if (id && !callbackIds.has(id)) callbackIds.set(id, `<callback-${callbackIds.size + 1}>`);
  }
  const text = (s: string): string => {
    if (ISO_TIME.test(s)) return "<time>";
    for (const [id, placeholder] of callbackIds) s = s.split(id).join(placeholder);
    return s.replace(UUID, (u) => {
      if (!uuids.has(u.toLowerCase())) uuids.set(u.toLowerCase(), `<uuid-${uuids.size + 1}>`);
      return uuids.get(u.toLowerCase())!;
    });
  };
  const walk = (value: unknown, key?: string): unknown => {
    if (key === "StackTrace" && value !== undefined) return "<stack>";
    if (typeof value === "string") return text(value);
    if (Array.isArray(value)) return value.map((v) => walk(v));
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    return value;
  };
  return events.map((e) => walk(e) as HistoryEvent);
}

function parsedResult(result: string | undefined): unknown {
  if (result === undefined || result === null) return null;
  try {
    return JSON.parse(result);
  } catch {
    return result;
  }
}

/** Every way the outcome differs from the requirement (as conformance.spec.ts, logs aside). */
function problemsOf(req: Requirement, outcome: Outcome, bound: Bindings): string[] {
  const bindings: Bindings = new Map(bound);
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
  if (req.ExpectedLogs?.length) problems.push(...checkLogs(req.ExpectedLogs, logRecords(outcome), bindings));
  return problems;
}

/** The log records of the execution among the lines the run wrote. */
function logRecords(outcome: Outcome) {
  return parseLogs(outcome.logLines ?? [], outcome.record.DurableExecutionArn);
}

/** The parts of the execution record that both runs must agree on. */
function summary(outcome: Outcome): unknown {
  const { Status, Result, Error } = outcome.record as { Status: string; Result?: string; Error?: unknown };
  return normalize([{ Status, Result, Error }])[0];
}

function describeHistory(history: HistoryEvent[]): string {
  return history.map((e) => `  ${JSON.stringify(e)}`).join("\n");
}

for (const suite of SUITES) {
  const inSuite = requirements.filter((r) => r.suite === suite);
  if (inSuite.length === 0) continue;
  describe(`official SDK cross-check: ${suite}`, () => {
    for (const req of inSuite) {
      if (/process\.exit\(/.test(readFileSync(req.handlerFile, "utf8"))) {
        it.skip(`${req.id} ${req.description} (left out: the handler calls process.exit)`, () => undefined);
        continue;
      }
      describe(`${req.id} ${req.description}`, () => {
        let runs: Promise<{ ours: Outcome; official: Outcome & { sdkPath: string }; bindings: Bindings }> | undefined;
        const both = () =>
          (runs ??= (async () => {
            // Variables (random strings) are bound once: both halves get the same values.
            const bindings = bindVariables(req);
            const [official, ours] = await Promise.all([runOfficial(req, bindings), runHalf(req, bindings)]);
            return { ours, official, bindings };
          })());

        it("the official SDK's history equals ours", async () => {
          const { ours, official } = await both();
          expect(official.sdkPath).toMatch(/node_modules\/@aws\/durable-execution-sdk-js\//);
          expect(summary(official), "execution status, result and error").toEqual(summary(ours));
          expect(
            normalize(official.history),
            `histories differ\nofficial SDK:\n${describeHistory(official.history)}\nours:\n${describeHistory(ours.history)}`,
          ).toEqual(normalize(ours.history));
        });

        it("the official SDK's log records equal ours", async () => {
          const { ours, official } = await both();
          // As text: the fields' order is part of the line a user sees.
          const records = (o: Outcome) => normalize(logRecords(o).map(({ index: _, ...record }) => record)).map((r) => JSON.stringify(r));
          expect(records(official), "log records differ").toEqual(records(ours));
        });

        for (const half of ["ours", "official"] as const) {
          it(`${half === "ours" ? "our SDK's" : "the official SDK's"} history matches the requirement`, async ({ skip }) => {
            const run = await both();
            const problems = problemsOf(req, run[half], run.bindings);
            if (problems.length > 0 && req.optional) {
              console.warn(`${req.id} (optional) on the ${half} SDK does not conform:\n${problems.join("\n")}`);
              skip();
            }
            expect(problems, `${req.id} does not conform:\n${problems.join("\n")}\nhistory:\n${describeHistory(run[half].history)}`).toEqual([]);
          });
        }
      });
    }
  });
}
