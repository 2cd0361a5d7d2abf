// Bad input for Python functions, through `run` and the worker: a missing interpreter, one
// without the runtime packages, a missing module or function, a module that fails to import.
// Each is one clear error (exit 2, one line naming the field or file and the reason), and
// nothing is left half-written: no database created by `run`, no execution started, none
// claimed by a worker that refused to start.

import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { REPO_ROOT, lines, requireCurrentDist, runCli } from "./helpers/cli";
import { PY_ENV, PY_FIXTURES, PYTHON, requirePythonEnv } from "./helpers/python";
import { tempDirs } from "./helpers/temp";

const tempDir = tempDirs("durable-node-py-bad-");
const EXAMPLE = path.join(REPO_ROOT, "examples", "order_processing.py");
const fixture = (file: string) => path.join(PY_FIXTURES, file);

/** A Python without awslambdaric or the SDK: a bare virtual environment. */
let barePython: string;

beforeAll(() => {
  requireCurrentDist();
  requirePythonEnv();
  const dir = path.join(tempDir(), "bare-venv");
  const made = spawnSync(PYTHON, ["-m", "venv", "--without-pip", dir], { encoding: "utf8" });
  expect(made.status, made.stderr).toBe(0);
  barePython = path.join(dir, "bin", "python");
});

function expectOneError(result: { code: number | null; stdout: string; stderr: string }, message: RegExp): void {
  expect(result.code, result.stdout + result.stderr).toBe(2);
  expect(lines(result.stderr)).toHaveLength(1);
  expect(result.stderr).toMatch(/^error: /);
  expect(result.stderr).toMatch(message);
}

describe("durable-node run <file>.py with bad input", () => {
  const cases: Array<[string, () => string[], RegExp]> = [
    ["a missing interpreter", () => [EXAMPLE, "--python", "/nonexistent/bin/python"], /--python: \/nonexistent\/bin\/python not found/],
    [
      "an interpreter without the runtime packages",
      () => [EXAMPLE, "--python", barePython],
      /--python: .*bare-venv\/bin\/python cannot import awslambdaric, aws_durable_execution_sdk_python: install them with `.* -m pip install -r .*python\/requirements\.txt`/,
    ],
    ["a missing module", () => [fixture("no_such_module.py")], /handler file not found: .*no_such_module\.py/],
    ["a missing function", () => [EXAMPLE, "--export", "handler_that_is_not_there"], /order_processing\.py has no function "handler_that_is_not_there" \(Runtime\.HandlerNotFound: Handler 'handler_that_is_not_there' missing on module 'order_processing'\)/],
    ["a module whose import fails", () => [fixture("bad_import.py")], /cannot import bad_import\.py \(Runtime\.ImportModuleError: Unable to import module 'bad_import': No module named 'durable_node_no_such_package'\)/],
    ["a module that raises at import", () => [fixture("raises_at_import.py")], /raises_at_import\.py failed to initialise \(RuntimeError: ORDERS_TABLE is not configured\)/],
    ["a bad --timeout", () => [EXAMPLE, "--timeout", "0"], /invalid --timeout 0: must be a whole number from 1 to 900 seconds/],
    ["--python for a TypeScript handler", () => [path.join(REPO_ROOT, "examples", "order-processing.ts"), "--python", PYTHON], /--python applies to Python handlers \(\.py files\), not .*order-processing\.ts/],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}: one error, no database created`, async () => {
      const db = path.join(tempDir(), "never.db");
      const r = await runCli(["run", ...args(), "--input", '{"orderId":"o-1"}', "--db", db], { env: PY_ENV });
      expectOneError(r, message);
      expect(r.stdout).toBe("");
      expect(existsSync(db), "database file").toBe(false);
      expect(existsSync(`${db}-wal`)).toBe(false);
    });
  }

  it("on an existing database: nothing is added to it", async () => {
    const db = path.join(tempDir(), "existing.db");
    const ok = await runCli(["run", EXAMPLE, "--input", '{"orderId":"o-1"}', "--name", "first", "--db", db, "--skip-time"], { env: PY_ENV });
    expect(ok.code, ok.stderr).toBe(0);
    const bad = await runCli(["run", fixture("bad_import.py"), "--input", '{"orderId":"o-2"}', "--name", "second", "--db", db], { env: PY_ENV });
    expectOneError(bad, /cannot import bad_import\.py/);
    const listed = await runCli(["list", "--db", db, "--json"]);
    expect((JSON.parse(listed.stdout) as { DurableExecutions: Array<{ DurableExecutionName: string }> }).DurableExecutions.map((e) => e.DurableExecutionName)).toEqual(["first"]);
  });
});

describe("durable-node worker with a bad Python function", () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ["a missing interpreter", { handler: EXAMPLE, python: "./no-venv/bin/python" }, /function "orders" in .*: "python": .*no-venv\/bin\/python not found/],
    ["an interpreter without the runtime packages", { handler: EXAMPLE, python: "<bare>" }, /function "orders" in .*: "python": .*cannot import awslambdaric, aws_durable_execution_sdk_python/],
    ["a missing module", { handler: "./missing.py" }, /function "orders" in .*: module not found: .*missing\.py/],
    ["a missing function", { handler: EXAMPLE, export: "nope" }, /function "orders" \(.*order_processing\.py\): order_processing\.py has no function "nope" \(Runtime\.HandlerNotFound/],
    ["a module whose import fails", { handler: fixture("bad_import.py") }, /function "orders" \(.*bad_import\.py\): cannot import bad_import\.py \(Runtime\.ImportModuleError: Unable to import module 'bad_import'/],
    ["an unknown runtime", { handler: EXAMPLE, runtime: "ruby" }, /function "orders" in .*: "runtime" must be "node" or "python", not "ruby"/],
    ["a timeout out of range", { handler: EXAMPLE, timeout: 1000 }, /invalid function "orders" in .*: "timeout" 1000: must be a whole number from 1 to 900 seconds/],
    ["a Python field on a TypeScript function", { handler: path.join(REPO_ROOT, "examples", "order-processing.ts"), python: "python3" }, /"python" applies to "runtime": "python" functions only/],
  ];
  for (const [what, entry, message] of cases) {
    it(`${what}: the worker refuses to start and claims nothing`, async () => {
      const dir = tempDir();
      const db = path.join(dir, "worker.db");
      const config = path.join(dir, "durable.config.json");
      const fixed = entry.python === "<bare>" ? { ...entry, python: barePython } : entry;
      writeFileSync(config, JSON.stringify({ functions: { orders: fixed } }));
      // An execution waiting for a worker: a worker that refuses to start must not touch it.
      const started = await runCli(["start", "orders", "--db", db, "--input", '{"orderId":"o-1"}', "--name", "waiting"]);
      expect(started.code, started.stderr).toBe(0);
      const r = await runCli(["worker", "--db", db, "--config", config, "--port", "0"], { env: PY_ENV });
      expectOneError(r, message);
      expect(r.stdout).not.toMatch(/worker ready/);
      const history = await runCli(["history", "waiting", "--db", db, "--json"]);
      expect((JSON.parse(history.stdout) as { Events: Array<{ EventType: string }> }).Events.map((e) => e.EventType)).toEqual(["ExecutionStarted"]);
    });
  }

  it("--no-http: Python functions checkpoint over the HTTP API", async () => {
    const dir = tempDir();
    const config = path.join(dir, "durable.config.json");
    writeFileSync(config, JSON.stringify({ functions: { orders: { handler: EXAMPLE } } }));
    const r = await runCli(["worker", "--db", path.join(dir, "w.db"), "--config", config, "--no-http"], { env: PY_ENV });
    expectOneError(r, /Python function\(s\) orders checkpoint over this worker's HTTP API: drop --no-http/);
    expect(existsSync(path.join(dir, "w.db"))).toBe(false);
  });
});
