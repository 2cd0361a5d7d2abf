// `durable-node migrate` as a user runs it, on real databases: executions suspended on a wait
// and a callback by a worker on a SQLite file move into a fresh PostgreSQL database, a worker
// there finishes them (the callback answered by the id it had before the move), and everything
// moves back into a new SQLite file with equal histories. A source a live worker holds, a target
// that is not empty, and bad locations are one line, exit status 2, and write nothing.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { native } from "../ts/native";
import { lastJson, lines, REPO_ROOT, requireCurrentDist, runCli } from "./helpers/cli";
import { DEFAULT_SERVER } from "./helpers/postgres-setup";
import { postgresDatabase } from "./helpers/postgres";
import { tempDirs } from "./helpers/temp";
import { WorkerProcess, eventually } from "./helpers/worker";

const CONFIG = path.join(REPO_ROOT, "__test__", "fixtures", "migrate", "durable.config.json");
const tempDir = tempDirs("durable-node-migrate-");
const server = process.env.DURABLE_NODE_TEST_PG || DEFAULT_SERVER;
const made: string[] = [];

/** A PostgreSQL database of its own for one test (dropped after the spec). */
function freshDatabase(): string {
  postgresDatabase(); // fails the test, saying what is missing, when there is no server
  const name = `durable_migrate_${process.pid}_${made.length}_${Math.random().toString(16).slice(2, 8)}`;
  const url = native.postgresCreateDatabase(server, name);
  made.push(name);
  return url;
}

afterAll(() => {
  for (const name of made) native.postgresDropDatabase(server, name);
});

function worker(db: string, extra: string[] = []): Promise<WorkerProcess> {
  return new WorkerProcess(["worker", "--db", db, "--config", CONFIG, "--no-http", ...extra]).ready();
}

async function start(db: string, fn: string, input: unknown, name: string): Promise<string> {
  const r = await runCli(["start", fn, "--db", db, "--config", CONFIG, "--input", JSON.stringify(input), "--name", name]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

async function history(db: string, arn: string): Promise<Record<string, any>[]> {
  const r = await runCli(["history", arn, "--db", db, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return lastJson(r.stdout).Events;
}

async function record(db: string, arn: string): Promise<Record<string, any>> {
  return lastJson((await runCli(["get", arn, "--db", db, "--json"])).stdout);
}

function finished(db: string, arn: string): Promise<Record<string, any>> {
  return eventually(async () => {
    const r = await record(db, arn);
    return r.Status === "RUNNING" ? undefined : r;
  }, 30_000, `the end of ${arn}`);
}

function migrate(from: string, to: string) {
  return runCli(["migrate", "--from", from, "--to", to]);
}

beforeAll(() => requireCurrentDist());

describe("durable-node migrate", () => {
  it("moves executions suspended on a wait and a callback to PostgreSQL, finishes them there, and moves them back", async () => {
    const dir = tempDir();
    const file = path.join(dir, "before.db");
    const back = path.join(dir, "after.db");
    const url = freshDatabase();

    const first = await worker(file);
    const nap = await start(file, "nap", { n: 5 }, "nap-1");
    const approval = await start(file, "approval", {}, "approve-1");
    await first.waitForLine(/\[nap\/nap-1\] invocation 1 suspended \(PENDING\)/);
    await first.waitForLine(/\[approval\/approve-1\] invocation 1 suspended \(PENDING\)/);
    expect((await first.stop()).code).toBe(0);
    const before = { nap: await history(file, nap), approval: await history(file, approval) };
    const callbackId = before.approval.find((e) => e.EventType === "CallbackStarted")!.CallbackStartedDetails.CallbackId;
    expect(callbackId).toMatch(/^[0-9a-f]{64}$/);

    const moved = await migrate(file, url);
    expect(moved.code, moved.stderr).toBe(0);
    expect(lines(moved.stdout)[0]).toMatch(/^migrated 2 execution\(s\) \(2 still running\), \d+ operation\(s\), \d+ history event\(s\) and 2 timer\(s\) from /);
    expect({ nap: await history(url, nap), approval: await history(url, approval) }).toEqual(before);

    // The callback is answered on PostgreSQL by the id handed out before the move (before the
    // worker starts: its skipping clock would jump to the callback's deadline when idle); then a
    // worker there fires the wait's timer (virtual clock) and finishes both.
    const sent = await runCli(["callback", "succeed", callbackId, "--payload", '"yes"', "--db", url]);
    expect(sent.code, sent.stderr).toBe(0);
    const second = await worker(url, ["--skip-time"]);
    try {
      const done = { nap: await finished(url, nap), approval: await finished(url, approval) };
      expect(done.nap.Status).toBe("SUCCEEDED");
      expect(JSON.parse(done.nap.Result)).toEqual({ before: 10, after: 11 });
      expect(done.approval.Status).toBe("SUCCEEDED");
      expect(JSON.parse(done.approval.Result)).toEqual({ approved: '"yes"' }) // waitForCallback hands back the payload text as sent;
    } finally {
      expect((await second.stop()).code).toBe(0);
    }
    const after = { nap: await history(url, nap), approval: await history(url, approval) };
    for (const key of ["nap", "approval"] as const) {
      expect(after[key].slice(0, before[key].length), `${key} goes on from its old history`).toEqual(before[key]);
      expect(after[key].length).toBeGreaterThan(before[key].length);
    }
    // The steps before the move were not run again on the target.
    expect(after.nap.filter((e) => e.EventType === "StepSucceeded" && e.Name === "before")).toHaveLength(1);

    const returned = await migrate(url, back);
    expect(returned.code, returned.stderr).toBe(0);
    expect(lines(returned.stdout)[0]).toMatch(/^migrated 2 execution\(s\) \(0 still running\)/);
    expect({ nap: await history(back, nap), approval: await history(back, approval) }).toEqual(after);
    expect((await runCli(["check", "--db", back])).code).toBe(0);

    // The target now holds executions: a second move into it is refused and changes nothing.
    const again = await migrate(file, url);
    expect(again.code).toBe(2);
    expect(lines(again.stderr)).toEqual([expect.stringMatching(/cannot migrate to postgres:\/\/.*: it already holds 2 execution\(s\)/)]);
    expect(await history(url, nap)).toEqual(after.nap);
  });

  it("refuses a source whose worker holds a live lease, naming the worker, and writes nothing", async () => {
    const dir = tempDir();
    const file = path.join(dir, "busy.db");
    const target = path.join(dir, "target.db");
    const release = path.join(dir, "release");
    const live = await worker(file);
    try {
      const arn = await start(file, "busy", { until: release }, "busy-1");
      await live.waitForLine(/\[busy\/busy-1\] invocation 1 started/);
      const refused = await migrate(file, target);
      expect(refused.code).toBe(2);
      expect(lines(refused.stderr)).toHaveLength(1);
      expect(refused.stderr).toContain(`cannot migrate from ${file}: 1 invocation(s) hold a live lease, e.g. ${arn} held by worker`);
      expect(refused.stderr).toContain(`(pid ${live.child.pid} on host `);
      expect(existsSync(target)).toBe(false);
      writeFileSync(release, "");
      expect((await finished(file, arn)).Status).toBe("SUCCEEDED");
    } finally {
      expect((await live.stop()).code).toBe(0);
    }
    // Once the worker is gone the same move goes through.
    const moved = await migrate(file, target);
    expect(moved.code, moved.stderr).toBe(0);
    expect(lines(moved.stdout)[0]).toMatch(/^migrated 1 execution\(s\) \(0 still running\)/);
  });

  it("bad locations: one line naming the problem, password redacted, exit 2, nothing written", async () => {
    const dir = tempDir();
    const file = path.join(dir, "source.db");
    expect((await runCli(["start", "nap", "--db", file, "--config", CONFIG, "--input", '{"n":1}'])).code).toBe(0);
    const base = postgresDatabase();
    const schema = `other_${process.pid}_${Date.now()}`;
    native.postgresExecute(base, `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.invoices (id int)`);
    const other = `${base}${base.includes("?") ? "&" : "?"}schema=${schema}`;
    const notSqlite = path.join(dir, "notes.txt");
    writeFileSync(notSqlite, "not a database\n".repeat(100));
    const missing = path.join(dir, "missing.db");
    const cases: [string, string, RegExp][] = [
      [file, "postgres://u:hunter2@127.0.0.1:notaport/x", /malformed PostgreSQL URL/],
      [file, "postgres://u:hunter2@127.0.0.1:1/x", /cannot reach the server/],
      [file, base.replace("postgres://postgres@", "postgres://no_such_role_dn:hunter2@"), /role "no_such_role_dn" does not exist/],
      [file, other, /another application/],
      [file, notSqlite, /notes\.txt/],
      [missing, "postgres://u:hunter2@127.0.0.1:5432/x", /cannot open database .*missing\.db: no such file/],
      [file, file, /--to .* is the database --from names/],
    ];
    for (const [from, to, expected] of cases) {
      const r = await migrate(from, to);
      expect(r.code, `${to}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(expected);
      expect(r.stderr).not.toContain("hunter2");
      expect(lines(r.stderr)).toHaveLength(1);
    }
    expect(existsSync(missing)).toBe(false);
    expect(readFileSync(notSqlite, "utf8")).toBe("not a database\n".repeat(100));
    expect(() =>
      native.postgresExecute(other, "DO $$ BEGIN IF (SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()) <> 1 THEN RAISE EXCEPTION 'written'; END IF; END $$"),
    ).not.toThrow();
  });
});
