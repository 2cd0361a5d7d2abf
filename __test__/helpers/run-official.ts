// The official-SDK half of the cross-check (official-crosscheck.spec.ts), run as
// `node --import tsx __test__/helpers/run-official.ts <request.json> <outcome.json>` in a child
// process. Outside vitest nothing aliases the package name, so the handler file's
// `import ... from "@aws/durable-execution-sdk-js"` resolves, by Node's own rules, to the real
// package in node_modules; the engine is given that package's
// DurableExecutionInvocationInputWithClient, so the official SDK talks to our engine through its
// own injection point (API.md §3.3). The outcome goes to a file: handlers log to stdout.

import { readFileSync, writeFileSync } from "node:fs";
import Module from "node:module";
import path from "node:path";

import { runInProcess } from "../conformance/execute";
import { loadRequirements } from "../conformance/requirements";
import { seedMathRandom } from "./seeded-random";

export interface OfficialRunRequest {
  suite: string;
  id: string;
  /** The requirement's bound Variables, shared with the half run on our SDK. */
  bindings: [string, unknown][];
}

export interface OfficialRunOutcome {
  /** Where the handler file's import of the official name resolved to. */
  sdkPath: string;
  record?: unknown;
  history?: Record<string, unknown>[];
  error?: string;
}

async function main(): Promise<void> {
  const [requestFile, outcomeFile] = process.argv.slice(2);
  const request = JSON.parse(readFileSync(requestFile, "utf8")) as OfficialRunRequest;
  const req = loadRequirements().find((r) => r.suite === request.suite && r.id === request.id);
  if (!req) throw new Error(`no requirement ${request.suite}/${request.id}`);
  // Resolved from the handler file, as its own import is.
  const requireFromHandler = Module.createRequire(req.handlerFile);
  const sdkPath = requireFromHandler.resolve("@aws/durable-execution-sdk-js");
  const outcome: OfficialRunOutcome = { sdkPath: path.relative(process.cwd(), sdkPath) };
  try {
    const official = requireFromHandler("@aws/durable-execution-sdk-js") as { DurableExecutionInvocationInputWithClient: never };
    const restore = seedMathRandom(`${req.suite}/${req.id}`);
    const result = await runInProcess(req, new Map(request.bindings), { inputWithClient: official.DurableExecutionInvocationInputWithClient }).finally(restore);
    outcome.record = result.record;
    outcome.history = result.history;
  } catch (e) {
    outcome.error = e instanceof Error ? (e.stack ?? e.message) : String(e);
  }
  writeFileSync(outcomeFile, JSON.stringify(outcome));
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`run-official: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
