// What an operator meets when something around the engine is wrong (issue 9 §6 and "bad
// input"), each through the real command on real files and sockets: a database the process
// cannot write (refused at start, naming the file and why, and told apart from a file that is
// not a durable-node database), an empty SQLite file of another application, `check` on a page
// so damaged that SQLite's own check stops, a client that disconnects mid-body, and timeouts
// and limits out of range.
//
// Read-only files are made with permissions; since root ignores them, a test running as root
// runs the command as the unprivileged user `nobody` (uid 65534), so the kernel really refuses.

import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { DurableEngine, InvalidParameterError } from "../ts/index";
import { ORDER_HANDLER, requireCurrentDist, runCli, type CliOptions } from "./helpers/cli";
import { tempDirs } from "./helpers/temp";
import { WORKER_CONFIG, eventually, startWorker } from "./helpers/worker";

const tempDir = tempDirs("durable-node-operator-");
const unprivileged: CliOptions = process.getuid?.() === 0 ? { user: { uid: 65534, gid: 65534 } } : {};

beforeAll(() => requireCurrentDist());

/** A valid, current durable-node database in a new directory (made by this process). */
function database(name = "d.db"): { dir: string; db: string } {
  const dir = tempDir();
  const db = path.join(dir, name);
  DurableEngine.open({ path: db }).close();
  return { dir, db };
}

const worker = (db: string) => runCli(["worker", "--db", db, "--config", WORKER_CONFIG, "--port", "0"], unprivileged);
const run = (db: string) => runCli(["run", ORDER_HANDLER, "--input", "{}", "--db", db], unprivileged);

describe("a database this process cannot write", () => {
  it("a read-only file: worker and run refuse to start, naming the file and the reason", async () => {
    const { dir, db } = database();
    chmodSync(dir, 0o777);
    chmodSync(db, 0o444);
    const before = readFileSync(db);
    for (const result of [await worker(db), await run(db)]) {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.trim()).toBe(`error: cannot open database ${db}: the file is read-only for this process (permission denied); the engine writes every checkpoint to it`);
      expect(result.stdout).not.toMatch(/worker ready|started execution/);
    }
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it("a valid database in a read-only directory is read-only, not 'not a durable-node database'", async () => {
    const { dir, db } = database();
    chmodSync(db, 0o666);
    chmodSync(dir, 0o555);
    try {
      for (const result of [await worker(db), await run(db)]) {
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr).toContain(`cannot open database ${db}: its directory ${dir} is read-only for this process (permission denied)`);
        expect(result.stderr).toContain("d.db-wal and d.db-shm");
        expect(result.stderr).not.toMatch(/not a durable-node database|\n\s+at /);
        expect(result.stdout).not.toMatch(/worker ready/);
      }
      // The engine that made the file emptied its log on close; nobody wrote one since.
      expect(existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0).toBe(0);
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});

// python3 makes the other application's file (Node 20 has no SQLite of its own).
it("an empty SQLite file of another application (user_version set, no tables) is refused and left alone", async () => {
  const file = path.join(tempDir(), "theirs.sqlite");
  const made = spawnSync("python3", ["-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('pragma user_version = 7'); c.commit()", file]);
  expect(made.status, made.stderr.toString()).toBe(0);
  const before = readFileSync(file);
  const result = await runCli(["run", ORDER_HANDLER, "--input", "{}", "--db", file]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`${file} is not a durable-node database: it is an SQLite database of another application (user_version 7`);
  expect(readFileSync(file).equals(before)).toBe(true);
  expect(existsSync(`${file}-wal`)).toBe(false);
});

describe("check on a page so damaged that SQLite's own check stops", () => {
  it("prints its damaged: report naming the table, exit status 1, not a storage error", async () => {
    const { db } = database();
    const engine = DurableEngine.open({ path: db });
    for (let i = 0; i < 300; i++) engine.native.startExecution("f", `e-${i}`, JSON.stringify({ i, pad: "x".repeat(200) }));
    engine.close();
    // Page 2 is the executions table's root: overwritten whole.
    const bytes = readFileSync(db);
    bytes.fill(0xff, 4096, 8192);
    writeFileSync(db, bytes);
    const text = await runCli(["check", "--db", db]);
    expect(text.code, text.stderr).toBe(1);
    expect(text.stderr).toBe("");
    const lines = text.stdout.trim().split("\n");
    expect(lines[0]).toBe(`damaged: ${db} failed PRAGMA integrity_check (sqlite, schema version 4):`);
    expect(lines).toContain("  the check stopped: database disk image is malformed");
    expect(lines).toContain("  table executions: database disk image is malformed");
    const json = await runCli(["check", "--db", db, "--json"]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout.trim());
    expect(report.ok).toBe(false);
    expect(report.problems).toContain("table executions: database disk image is malformed");
  });
});

it("a client disconnecting mid-body is a one-line warning, and the worker serves on", async () => {
  const { db } = database();
  const w = await startWorker(db);
  try {
    const { port } = new URL(w.url);
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(Number(port), "127.0.0.1", () => {
        socket.write("POST /2015-03-31/functions/quick/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"half\":");
        setImmediate(() => {
          socket.destroy();
          resolve();
        });
      });
      socket.on("error", reject);
    });
    const warning = await eventually(() => w.stdout.split("\n").find((l) => /disconnected/.test(l)), 10_000, "the warning");
    expect(warning).toMatch(/ WARN HTTP POST \/2015-03-31\/functions\/quick\/invocations: the client disconnected after \d+ byte\(s\) of the request body, before its end$/);
    const listed = await fetch(`${w.url}/2025-12-01/functions/quick/durable-executions`);
    expect(listed.status).toBe(200);
    expect(w.stdout).not.toMatch(/ ERROR |\n\s+at /);
  } finally {
    await w.stop();
  }
});

describe("timeouts and limits out of range are refused naming the field, the value and the range", () => {
  const flags: Array<[string[], string]> = [
    [["--concurrency", "0"], "invalid --concurrency 0: must be a whole number from 1 to 10000 invocations"],
    [["--concurrency", "100000"], "invalid --concurrency 100000: must be a whole number from 1 to 10000 invocations"],
    [["--shutdown-timeout", "-1"], "invalid --shutdown-timeout -1: must be a whole number from 0 to 3600000 ms"],
    [["--lease-ms", "50"], "invalid --lease-ms 50: must be a whole number from 100 to 86400000 ms"],
    [["--lease-ms", "1.5"], 'invalid --lease-ms "1.5": must be a whole number from 100 to 86400000 ms'],
    [["--port", "65536"], "invalid --port 65536: must be a whole number from 0 to 65535"],
  ];
  for (const [args, message] of flags) {
    it(`worker ${args.join(" ")}`, async () => {
      const db = path.join(tempDir(), "never.db");
      const result = await runCli(["worker", "--db", db, "--config", WORKER_CONFIG, ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(`error: ${message}`);
      expect(existsSync(db)).toBe(false);
    });
  }

  it("console --port", async () => {
    const result = await runCli(["console", "--port", "-5"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe("error: invalid --port -5: must be a whole number from 0 to 65535");
  });

  it("a function's timeout in the config file", async () => {
    const dir = tempDir();
    const config = path.join(dir, "durable.config.json");
    writeFileSync(config, JSON.stringify({ functions: { slowpy: { handler: "./slow.py", timeout: 901 } } }));
    const result = await runCli(["worker", "--db", path.join(dir, "never.db"), "--config", config]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`error: invalid function "slowpy" in ${config}: "timeout" 901: must be a whole number from 1 to 900 seconds`);
  });

  it("engine options", () => {
    const cases: Array<[Record<string, number>, string]> = [
      [{ leaseMs: -1 }, "invalid leaseMs -1: must be a whole number from 100 to 86400000 ms"],
      [{ pageSize: 0 }, "invalid pageSize 0: must be a whole number from 1 to 1000 operations"],
      [{ pollMs: 0 }, "invalid pollMs 0: must be a whole number from 1 to 60000 ms"],
      [{ invocationRetryDelayMs: 300_001 }, "invalid invocationRetryDelayMs 300001: must be a whole number from 0 to 300000 ms"],
      [{ maxFailedInvocations: 1.5 }, "invalid maxFailedInvocations 1.5: must be a whole number from 1 to 1000 invocations"],
      [{ callbackQuietMs: -5 }, "invalid callbackQuietMs -5: must be a whole number from 0 to 3600000 ms"],
      [{ manualClockMs: -1 }, "invalid manualClockMs -1: must be a whole number from 0 to 253402300799999 ms since the epoch"],
    ];
    for (const [options, message] of cases) {
      let thrown: unknown;
      try {
        DurableEngine.open(options).close();
      } catch (e) {
        thrown = e;
      }
      expect(thrown, JSON.stringify(options)).toBeInstanceOf(InvalidParameterError);
      expect((thrown as Error).message).toBe(message);
      expect((thrown as InvalidParameterError).fields.field).toBe(Object.keys(options)[0]);
    }
  });
});
