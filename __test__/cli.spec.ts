// `durable-node run` from the outside: the happy path with --json, exit statuses, the default
// database in the current directory, and bad input (one `error:` line naming the problem,
// exit status ≠ 0, and nothing left in the database that a later run would trip over).

import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { ORDER_HANDLER, ORDER_INPUT, lastJson, lines, orderArgs, requireCurrentDist, runCli, type CliResult } from "./helpers/cli";
import { inspectDb } from "./helpers/engine";
import { ledgerCounts } from "./helpers/ledger";
import { tempDirs } from "./helpers/temp";

const tempDir = tempDirs("durable-node-cli-");
beforeAll(requireCurrentDist);

const IMPORT = `import { withDurableExecution } from "@aws/durable-execution-sdk-js";\n`;

/** Writes `source` to `<fresh dir>/<file>` and returns the directory and the file's path. */
function handlerFile(file: string, source: string): { dir: string; file: string } {
  const dir = tempDir();
  writeFileSync(path.join(dir, file), source);
  return { dir, file: path.join(dir, file) };
}

/** A usage error: exit 2, nothing on stdout, exactly one `error:` line on stderr. */
function expectUsageError(result: CliResult, pattern: RegExp): void {
  expect(result.code, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(2);
  expect(result.stdout).toBe("");
  expect(lines(result.stderr)).toHaveLength(1);
  expect(result.stderr).toMatch(/^error: /);
  expect(result.stderr).toMatch(pattern);
}

describe("durable-node run", () => {
  it("runs the tutorial handler: live progress, exit 0 and the execution record as the last line", async () => {
    const dir = tempDir();
    const ledger = path.join(dir, "ledger.jsonl");
    const result = await runCli(orderArgs(path.join(dir, "cli.db"), "happy", "--skip-time"), { env: { DURABLE_LEDGER: ledger } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/invocation 1 started/);
    expect(result.stdout).toMatch(/▶ step "validate-order"\s+started/);
    expect(result.stdout).toMatch(/invocation 1 suspended \(PENDING\)/);
    expect(result.stdout).toMatch(/↺ step "process-payment"\s+replayed/);
    const record = lastJson(result.stdout);
    expect(record).toMatchObject({ DurableExecutionName: "happy", Status: "SUCCEEDED" });
    expect(JSON.parse(record.Result)).toEqual({ status: "completed", orderId: "o-1" });
    expect(record.DurableExecutionArn).toContain(":function:order-processing:");
    expect(Date.parse(record.EndTimestamp)).toBeGreaterThanOrEqual(Date.parse(record.StartTimestamp));
    expect(ledgerCounts(ledger)).toEqual({ "customer.validate": 1, "payment.charge": 1, "inventory.confirm": 1 });
  });

  it("exits 0 for a handler that returns a rejection (the execution still SUCCEEDED)", async () => {
    const dir = tempDir();
    const args = orderArgs(path.join(dir, "cli.db"), "blocked", "--skip-time");
    args[args.indexOf("--input") + 1] = JSON.stringify({ ...ORDER_INPUT, customerId: "blocked-7" });
    const result = await runCli(args, { env: { DURABLE_LEDGER: path.join(dir, "ledger.jsonl") } });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(lastJson(result.stdout).Result)).toMatchObject({ status: "rejected" });
    expect(ledgerCounts(path.join(dir, "ledger.jsonl"))["payment.charge"]).toBe(0);
  });

  it("creates the default database .durable/durable.db in the current directory", async () => {
    const dir = tempDir();
    const result = await runCli(["run", ORDER_HANDLER, "--input", JSON.stringify(ORDER_INPUT), "--name", "default-db", "--skip-time"], {
      cwd: dir,
      env: { DURABLE_LEDGER: path.join(dir, "ledger.jsonl") },
    });
    expect(result.code, result.stderr).toBe(0);
    const db = path.join(dir, ".durable", "durable.db");
    expect(existsSync(db)).toBe(true);
    expect(inspectDb(db, (engine) => engine.get("default-db").Status)).toBe("SUCCEEDED");
  });

  it("exits 1 with Status FAILED when the handler throws", async () => {
    const { dir, file } = handlerFile(
      "throws.ts",
      IMPORT + `export const handler = withDurableExecution(async () => { throw new RangeError("order total out of range"); });\n`,
    );
    const result = await runCli(["run", file, "--db", path.join(dir, "cli.db"), "--json"]);
    expect(result.code).toBe(1);
    const record = lastJson(result.stdout);
    expect(record.Status).toBe("FAILED");
    expect(record.Error).toMatchObject({ ErrorType: "RangeError", ErrorMessage: "order total out of range" });
  });

  it.each([
    ["in a runtime process", [], /invocation 1 failed: .*Runtime exited with error: exit status 0/],
    ["in process (--no-isolate)", ["--no-isolate"], /invocation 1 failed: .*never settled/],
  ])("exits 1, not 0, for a handler that never settles (%s): each invocation fails with Runtime.ExitError until the engine ends it FAILED", async (_where, flags, first) => {
    const { dir, file } = handlerFile(
      "hangs.ts",
      IMPORT + `export const handler = withDurableExecution(async (_e, ctx) => { await ctx.step("first", async () => 1); return new Promise(() => {}); });\n`,
    );
    const db = path.join(dir, "cli.db");
    const result = await runCli(["run", file, "--db", db, "--name", "hangs", "--skip-time", "--json", ...flags]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(first);
    expect(result.stdout).toContain("the engine invokes it again after its retry delay");
    expect(lastJson(result.stdout)).toMatchObject({ Status: "FAILED", Error: { ErrorType: "Runtime.ExitError" } });
    const history = inspectDb(db, (engine) => engine.history("hangs"));
    const ended = history.filter((e) => e.EventType === "InvocationCompleted");
    expect(ended.length).toBeGreaterThan(1);
    for (const e of ended) expect((e as { InvocationCompletedDetails?: { Error?: { Payload?: { ErrorType?: string } } } }).InvocationCompletedDetails?.Error?.Payload?.ErrorType).toBe("Runtime.ExitError");
    expect(history.filter((e) => e.EventType === "StepSucceeded")).toHaveLength(1);
  }, 60_000);
});

describe("durable-node run refuses bad input", () => {
  it("a handler file that does not exist", async () => {
    const dir = tempDir();
    const db = path.join(dir, "cli.db");
    expectUsageError(await runCli(["run", path.join(dir, "missing.ts"), "--db", db]), /handler file not found: .*missing\.ts/);
    expect(existsSync(db)).toBe(false);
  });

  it("a missing handler argument", async () => {
    expectUsageError(await runCli(["run"]), /handler/);
  });

  it.each([
    ["a TypeScript file", "exports.ts", `export const foo = 1;\nexport function bar() {}\n`],
    ["an ES module file", "exports.mjs", `export const foo = 1;\nexport function bar() {}\n`],
    ["a CommonJS file", "exports.cjs", `exports.foo = 1;\nexports.bar = function bar() {};\n`],
  ])("%s exporting no `handler`: the message lists its exports", async (_kind, name, source) => {
    const { dir, file } = handlerFile(name, source);
    const db = path.join(dir, "cli.db");
    const result = await runCli(["run", file, "--db", db]);
    expectUsageError(result, /exports no handler named "handler"/);
    expect(result.stderr).toMatch(/\bfoo\b/);
    expect(result.stderr).toMatch(/\bbar\b/);
    expect(existsSync(db)).toBe(false);
  });

  it("--export naming a function that is not a durable handler", async () => {
    const { dir, file } = handlerFile(
      "plain.ts",
      IMPORT + `export const handler = withDurableExecution(async () => 1);\nexport const plain = async () => 2;\n`,
    );
    const db = path.join(dir, "cli.db");
    expectUsageError(await runCli(["run", file, "--export", "plain", "--db", db]), /"plain".*not a durable handler.*withDurableExecution/);
    expect(existsSync(db)).toBe(false);
  });

  it("--input that is not JSON", async () => {
    const dir = tempDir();
    const db = path.join(dir, "cli.db");
    expectUsageError(await runCli(["run", ORDER_HANDLER, "--input", "{orderId: o-1}", "--db", db]), /--input is not valid JSON/);
    expect(existsSync(db)).toBe(false);
  });

  it("--db in a directory that does not exist (and is not created)", async () => {
    const dir = tempDir();
    const missing = path.join(dir, "no-such-dir");
    expectUsageError(await runCli(["run", ORDER_HANDLER, "--db", path.join(missing, "x.db")]), /no-such-dir.*does not exist/);
    expect(existsSync(missing)).toBe(false);
  });

  it("--db pointing at a text file: refused, the file's content unchanged", async () => {
    const dir = tempDir();
    const file = path.join(dir, "notes.txt");
    writeFileSync(file, "shopping list\n- milk\n");
    expectUsageError(await runCli(["run", ORDER_HANDLER, "--db", file]), /notes\.txt is not a durable-node database/);
    expect(readFileSync(file, "utf8")).toBe("shopping list\n- milk\n");
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it("--db pointing at a text file: refused, the file's permissions unchanged", async () => {
    const dir = tempDir();
    const file = path.join(dir, "notes.txt");
    writeFileSync(file, "shopping list\n");
    chmodSync(file, 0o644);
    const mode = statSync(file).mode & 0o777;
    expectUsageError(await runCli(["run", ORDER_HANDLER, "--db", file]), /not a durable-node database/);
    expect((statSync(file).mode & 0o777).toString(8)).toBe(mode.toString(8));
  });

  // Another application's database is made with Python's sqlite3 (Node 20 has no SQLite of its
  // own); python3 is part of this project's machines, so its absence fails the test.
  it("--db pointing at another application's SQLite database: refused, the database unchanged", async () => {
    const dir = tempDir();
    const file = path.join(dir, "app.sqlite");
    const made = spawnSync("python3", [
      "-c",
      "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('create table users (id integer primary key, name text)'); c.execute(\"insert into users (name) values ('ann')\"); c.commit()",
      file,
    ]);
    expect(made.status, made.stderr.toString()).toBe(0);
    const before = readFileSync(file);
    expectUsageError(await runCli(["run", ORDER_HANDLER, "--db", file]), /app\.sqlite is not a durable-node database/);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it("an unknown option", async () => {
    expectUsageError(await runCli(["run", ORDER_HANDLER, "--frobnicate"]), /--frobnicate/);
  });

  it("an unknown command", async () => {
    expectUsageError(await runCli(["frobnicate"]), /frobnicate/);
  });
});

describe.each([
  ["a BigInt", `async () => 10n`, /BigInt/],
  ["a cycle", `async () => { const o: any = { id: 1 }; o.self = o; return o; }`, /circular/i],
])("a step result that cannot be serialized: %s", (_kind, body, reason) => {
  const broken = IMPORT + `export const handler = withDurableExecution(async (_e, ctx) => {\n  const v = await ctx.step("make-value", ${body});\n  return { ok: true };\n});\n`;
  const argsFor = (dir: string, file: string) => ["run", file, "--db", path.join(dir, "cli.db"), "--name", "bad-value", "--skip-time", "--json"];

  it("exits 1 with the execution FAILED: its one-line outcome names the step and the reason", async () => {
    const { dir, file } = handlerFile("unserializable.ts", broken);
    const result = await runCli(argsFor(dir, file));
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const output = lines(result.stdout + "\n" + result.stderr);
    const outcome = output.filter((l) => l.startsWith("FAILED "));
    expect(outcome, output.join("\n")).toHaveLength(1);
    expect(outcome[0]).toMatch(/^FAILED SerdesFailedError: /);
    expect(outcome[0]).toMatch(/"make-value"/);
    expect(outcome[0]).toMatch(reason);
    expect(lastJson(result.stdout)).toMatchObject({ Status: "FAILED", Error: { ErrorType: "SerdesFailedError" } });
  });

  it("keeps each explanation on one line (no continuation lines)", async () => {
    const { dir, file } = handlerFile("unserializable.ts", broken);
    const result = await runCli(argsFor(dir, file));
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).not.toMatch(/^\s+(-->|---) /m);
  });

  it("is invoked again by the engine, in the same command, until its retry limit; no step result is recorded", async () => {
    const { dir, file } = handlerFile("unserializable.ts", broken);
    const result = await runCli(argsFor(dir, file));
    expect(result.code).toBe(1);
    const history = inspectDb(path.join(dir, "cli.db"), (engine) => engine.history("bad-value"));
    const ended = history.filter((e) => e.EventType === "InvocationCompleted");
    expect(ended).toHaveLength(6);
    expect(history.some((e) => e.EventType === "StepSucceeded")).toBe(false);
    expect(history.at(-1)?.EventType).toBe("ExecutionFailed");
  });
});
