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
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { afterAll, describe, expect, it } from "vitest";

import { problemsOf as conformanceProblems } from "./conformance/check";
import { type HistoryEvent, type Outcome } from "./conformance/execute";
import { parseLogs } from "./conformance/logs";
import type { Bindings } from "./conformance/matcher";
import { bindVariables, loadRequirements, type Requirement } from "./conformance/requirements";
import { childEnv, REPO_ROOT } from "./helpers/cli";
import { runHalf } from "./helpers/crosscheck-run";
import type { OfficialRunOutcome, OfficialRunRequest } from "./helpers/run-official";

const only = (name: string) => (process.env[name] ? new Set(process.env[name]!.split(",").map((s) => s.trim())) : undefined);
const suites = only("CROSSCHECK_SUITE");
/** The suites of issue 4 §4 by default; CROSSCHECK_SUITE can name any others. */
const SUITES = suites ? [...suites] : ["step", "wait", "callback", "child", "probe"];
const ids = only("CROSSCHECK_ID");
const RUNNER = path.join(REPO_ROOT, "__test__", "helpers", "run-official.ts");

const requirements = loadRequirements().filter(
  (r) => SUITES.includes(r.suite) && (!ids || ids.has(r.id)) && existsSync(r.handlerFile),
);

const work = mkdtempSync(path.join(os.tmpdir(), "official-crosscheck-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * A run's outcome, or why the runner gave up (the handler kept failing its invocations, say: a
 * result that cannot be serialized). Both SDKs must then give up with the same message.
 */
type Run = Partial<Outcome> & { error?: string };

/** The first line of a runner error, execution ARNs left out. */
function runError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0].replace(/arn:aws:lambda:\S+/g, "<arn>").replace(/^\w*Error: /, "");
}

async function runOurs(req: Requirement, bindings: Bindings): Promise<Run> {
  try {
    return await runHalf(req, bindings);
  } catch (e) {
    return { error: runError(e) };
  }
}

/** Runs the requirement's handler built with the official SDK, in a child process (see above). */
async function runOfficial(req: Requirement, bindings: Bindings): Promise<Run & { sdkPath: string }> {
  const requestFile = path.join(work, `${req.suite}-${req.id}.request.json`);
  const outcomeFile = path.join(work, `${req.suite}-${req.id}.outcome.json`);
  const request: OfficialRunRequest = { requirement: req, bindings: [...bindings] };
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
  if (outcome.error) return { error: runError(outcome.error), sdkPath: outcome.sdkPath };
  return { record: outcome.record as Outcome["record"], history: outcome.history!, logLines: outcome.logLines, sdkPath: outcome.sdkPath };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const STACK_FRAMES = /(\n\s+at [^\n]*)+/g;
const STACK_KEYS = new Set(["StackTrace", "stackTrace", "stack"]);

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
    // Payloads are JSON text: normalized inside (a serialized error's stack, say).
    if (/^[[{]/.test(s)) {
      try {
        return JSON.stringify(walk(JSON.parse(s)));
      } catch {
        // Not JSON after all.
      }
    }
    // Stack frames inside messages and serialized errors: the SDKs' own frames differ.
    s = s.replace(STACK_FRAMES, "\n<stack>");
    for (const [id, placeholder] of callbackIds) s = s.split(id).join(placeholder);
    return s.replace(UUID, (u) => {
      if (!uuids.has(u.toLowerCase())) uuids.set(u.toLowerCase(), `<uuid-${uuids.size + 1}>`);
      return uuids.get(u.toLowerCase())!;
    });
  };
  const walk = (value: unknown, key?: string): unknown => {
    if (key !== undefined && STACK_KEYS.has(key) && value !== undefined) return "<stack>";
    if (typeof value === "string") return text(value);
    if (Array.isArray(value)) return value.map((v) => walk(v));
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    return value;
  };
  return events.map((e) => walk(e) as HistoryEvent);
}

/** Every way the outcome differs from the requirement; bindings are copied per half. */
function problemsOf(req: Requirement, outcome: Outcome, bound: Bindings): string[] {
  return conformanceProblems(req, outcome, new Map(bound));
}

/** The log records of the execution among the lines the run wrote. */
function logRecords(outcome: Run) {
  return parseLogs(outcome.logLines ?? [], outcome.record!.DurableExecutionArn);
}

/** The parts of the execution record that both runs must agree on. */
function summary(outcome: Outcome): unknown {
  const { Status, Result, Error } = outcome.record as { Status: string; Result?: string; Error?: unknown };
  return normalize([{ Status, Result, Error }])[0];
}

function describeHistory(history: HistoryEvent[]): string {
  return history.map((e) => `  ${JSON.stringify(e)}`).join("\n");
}

/**
 * Probes (__test__/crosscheck-probes/*.ts): handlers for what the conformance handlers leave out
 * (error and value shapes, retry and wait strategies, serdes, batches, logging). They export
 * `handler`, and optionally `input` and `callbackActions`; with no expected history, only the two
 * SDKs are compared. CROSSCHECK_SUITE=probe runs only them.
 */
const PROBES_DIR = path.join(REPO_ROOT, "__test__", "crosscheck-probes");
const probes: Requirement[] = [];
if ((!suites || suites.has("probe")) && existsSync(PROBES_DIR)) {
  for (const name of readdirSync(PROBES_DIR).filter((f) => f.endsWith(".ts")).sort()) {
    const id = name.replace(/\.ts$/, "");
    if (ids && !ids.has(id)) continue;
    const file = path.join(PROBES_DIR, name);
    const mod = (await import(pathToFileURL(file).href)) as { input?: unknown; callbackActions?: Requirement["CallbackActions"] };
    probes.push({ id, suite: "probe", file, handlerFile: file, description: "", optional: false, Input: mod.input, CallbackActions: mod.callbackActions, ExpectedExecutionHistory: [] });
  }
}

type Check = "history" | "logs" | "official-conforms";

/**
 * Differences known and kept (docs/crosscheck.md): those checks are expected to fail, so that a
 * change on either side shows up.
 */
const KNOWN: Record<string, { checks: Check[]; why: string }> = {
  "plugin/10-19": {
    checks: ["logs", "official-conforms"],
    why: "the official SDK 2.4.0 leaves isFirstInvocation out of the invocation-end hook info",
  },
  "plugin/10-21": {
    checks: ["logs", "official-conforms"],
    why: "the official SDK 2.4.0 leaves endTimestamp out of the attempt-end hook info of a failed attempt",
  },
  "probe/wait-zero": {
    checks: ["history"],
    why: "durable-node refuses a 0-second wait up front; the official SDK sends it, and the engine accepts it",
  },
  "probe/wait-fractional": {
    checks: ["history"],
    why: "durable-node refuses a fractional wait up front; the official SDK sends it, and the engine rounds it up",
  },
};

/** `it`, or `it.fails` naming the reason when the check is a known difference. */
function check(req: Requirement, kind: Check, title: string, fn: Parameters<typeof it>[1]): void {
  const known = KNOWN[`${req.suite}/${req.id}`];
  if (known?.checks.includes(kind)) it.fails(`${title} (known difference: ${known.why})`, fn);
  else it(title, fn);
}

for (const suite of SUITES) {
  const inSuite = suite === "probe" ? probes : requirements.filter((r) => r.suite === suite);
  if (inSuite.length === 0) continue;
  describe(`official SDK cross-check: ${suite}`, () => {
    for (const req of inSuite) {
      // Handlers that crash the process (process.exit: 1-17, 1-18, 3-12) cannot run in this
      // process; the conformance spec runs them through the CLI in child processes instead.
      if (/process\.exit\(/.test(readFileSync(req.handlerFile, "utf8"))) continue;
      describe(`${req.id} ${req.description}`, () => {
        let runs: Promise<{ ours: Run; official: Run & { sdkPath: string }; bindings: Bindings }> | undefined;
        const both = () =>
          (runs ??= (async () => {
            // Variables (random strings) are bound once: both halves get the same values.
            const bindings = bindVariables(req);
            const [official, ours] = await Promise.all([runOfficial(req, bindings), runOurs(req, bindings)]);
            return { ours, official, bindings };
          })());

        check(req, "history", "the official SDK's history equals ours", async () => {
          const { ours: o, official: off } = await both();
          expect(off.sdkPath).toMatch(/node_modules\/@aws\/durable-execution-sdk-js\//);
          expect(off.error, "the runner gave up").toEqual(o.error);
          if (o.error) return;
          const [ours, official] = [o as Outcome, off as Outcome];
          expect(summary(official), "execution status, result and error").toEqual(summary(ours));
          expect(
            normalize(official.history),
            `histories differ\nofficial SDK:\n${describeHistory(official.history)}\nours:\n${describeHistory(ours.history)}`,
          ).toEqual(normalize(ours.history));
        });

        check(req, "logs", "the official SDK's log records equal ours", async () => {
          const { ours, official } = await both();
          if (ours.error || official.error) {
            // A run the runner gave up on has no execution to read logs of: both must have
            // given up the same way (the history check compares the messages too).
            expect(Boolean(official.error), "only one SDK's run was given up").toBe(Boolean(ours.error));
            return;
          }
          // As text: the fields' order is part of the line a user sees.
          const records = (o: Run) => normalize(logRecords(o).map(({ index: _, ...record }) => record)).map((r) => JSON.stringify(r));
          expect(records(official), "log records differ").toEqual(records(ours));
        });

        for (const half of req.suite === "probe" ? [] : (["ours", "official"] as const)) {
          const title = `${half === "ours" ? "our SDK's" : "the official SDK's"} history matches the requirement`;
          const test = half === "official" ? (t: string, fn: Parameters<typeof it>[1]) => check(req, "official-conforms", t, fn) : it;
          test(title, async ({ skip }) => {
            const run = await both();
            expect(run[half].error, "the runner gave up").toBeUndefined();
            const problems = problemsOf(req, run[half] as Outcome, run.bindings);
            if (problems.length > 0 && req.optional) {
              console.warn(`${req.id} (optional) on the ${half} SDK does not conform:\n${problems.join("\n")}`);
              skip();
            }
            expect(problems, `${req.id} does not conform:\n${problems.join("\n")}\nhistory:\n${describeHistory(run[half].history!)}`).toEqual([]);
          });
        }
      });
    }
  });
}
