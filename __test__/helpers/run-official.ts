// The official-SDK half of the cross-check (official-crosscheck.spec.ts), run as
// `node --import tsx __test__/helpers/run-official.ts <request.json> <outcome.json>` in a child
// process. Outside vitest nothing aliases the package name, so the handler file's
// `import ... from "@aws/durable-execution-sdk-js"` resolves, by Node's own rules, to the real
// package in node_modules; the engine is given that package's
// DurableExecutionInvocationInputWithClient, so the official SDK talks to our engine through its
// own injection point (API.md §3.3). The outcome, with the lines the run wrote, goes to a file.

import { readFileSync, writeFileSync } from "node:fs";
import Module from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

import type { Requirement } from "../conformance/requirements";
import { runHalf } from "./crosscheck-run";

export interface OfficialRunRequest {
  /** A conformance requirement, or a probe's stand-in for one. */
  requirement: Requirement;
  /** The requirement's bound Variables, shared with the half run on our SDK. */
  bindings: [string, unknown][];
}

export interface OfficialRunOutcome {
  /** Where the handler file's import of the official name resolved to. */
  sdkPath: string;
  record?: unknown;
  history?: Record<string, unknown>[];
  logLines?: string[];
  error?: string;
}

async function main(): Promise<void> {
  const [requestFile, outcomeFile] = process.argv.slice(2);
  const request = JSON.parse(readFileSync(requestFile, "utf8")) as OfficialRunRequest;
  const req = request.requirement;
  // Resolved from the handler file, as its own import is.
  const requireFromHandler = Module.createRequire(req.handlerFile);
  const sdkPath = requireFromHandler.resolve("@aws/durable-execution-sdk-js");
  const outcome: OfficialRunOutcome = { sdkPath: path.relative(process.cwd(), sdkPath) };
  try {
    const official = requireFromHandler("@aws/durable-execution-sdk-js") as {
      DurableExecutionInvocationInputWithClient: never;
      withDurableExecution: (...args: unknown[]) => unknown;
    };
    // The official handlers carry no mark; those the file makes (its `functions` for chained
    // invokes among them) are recognized by wrapping the exported factory before it loads.
    const made = new WeakSet<object>();
    const withDurableExecution = official.withDurableExecution;
    official.withDurableExecution = (...args: unknown[]) => {
      const handler = withDurableExecution(...args) as object;
      made.add(handler);
      return handler;
    };
    // The handler really is the official SDK's: durable-node's withDurableExecution marks its
    // handlers, the official one does not.
    const mod = (await import(pathToFileURL(req.handlerFile).href)) as { handler?: Record<symbol, unknown> };
    if (typeof mod.handler !== "function" || mod.handler[Symbol.for("durable-node.handler")] || !made.has(mod.handler)) {
      throw new Error(`${req.handlerFile} did not load with the official SDK`);
    }
    const result = await runHalf(req, new Map(request.bindings), {
      inputWithClient: official.DurableExecutionInvocationInputWithClient,
      isForeignDurable: (f) => typeof f === "function" && made.has(f),
    });
    outcome.record = result.record;
    outcome.history = result.history;
    outcome.logLines = result.logLines;
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
