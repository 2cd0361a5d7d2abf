// The CLI on PostgreSQL: one setting (--db URL, or DURABLE_NODE_DB) points every command at it;
// check shows backend and schema version; bad URLs are one line with the password redacted and
// exit 2, writing nothing.

import { describe, expect, it } from "vitest";

import { native } from "../ts/native";
import { lastJson, ORDER_HANDLER, ORDER_INPUT, requireCurrentDist, runCli } from "./helpers/cli";
import { freshPostgresUrl, postgresDatabase } from "./helpers/postgres";

requireCurrentDist();

describe("the CLI on PostgreSQL", () => {
  it("runs, lists and checks through --db and DURABLE_NODE_DB alike", async () => {
    const url = freshPostgresUrl("cli");
    const run = await runCli(["run", ORDER_HANDLER, "--input", JSON.stringify(ORDER_INPUT), "--name", "pg-1", "--db", url, "--skip-time", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(lastJson(run.stdout).Status).toBe("SUCCEEDED");
    const listed = await runCli(["list", "--json"], { env: { DURABLE_NODE_DB: url } });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).DurableExecutions.map((e: { DurableExecutionName: string }) => e.DurableExecutionName)).toEqual(["pg-1"]);
    const check = await runCli(["check", "--db", url, "--json"]);
    expect(check.code, check.stderr).toBe(0);
    expect(JSON.parse(check.stdout)).toEqual({ ok: true, problems: [], backend: "postgres", schemaVersion: 3 });
  });

  it("reports problems the integrity rules find, exit status 1", async () => {
    const url = freshPostgresUrl("cli");
    expect((await runCli(["start", "orders", "--name", "x", "--db", url])).code).toBe(0);
    native.postgresExecute(url, "DELETE FROM operations WHERE type = 'EXECUTION'");
    const check = await runCli(["check", "--db", url]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("1 executions without their EXECUTION operation");
  });

  it("refuses bad URLs with one redacted line, exit 2, nothing written", async () => {
    const base = postgresDatabase();
    const schema = `other_${process.pid}_${Date.now()}`;
    native.postgresExecute(base, `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.invoices (id int)`);
    const other = `${base}${base.includes("?") ? "&" : "?"}schema=${schema}`;
    const cases: [string, RegExp][] = [
      ["postgres://u:hunter2@127.0.0.1:notaport/x", /malformed PostgreSQL URL/],
      ["postgres://u:hunter2@127.0.0.1:1/x", /cannot reach the server/],
      [base.replace("postgres://postgres@", "postgres://no_such_role_dn:hunter2@"), /role "no_such_role_dn" does not exist/],
      [other, /another application/],
    ];
    for (const [url, expected] of cases) {
      const r = await runCli(["list", "--db", url]);
      expect(r.code, `${url}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(expected);
      expect(r.stderr).not.toContain("hunter2");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    // The other application's schema still has only its own table.
    expect(() => native.postgresExecute(other, "DO $$ BEGIN IF (SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()) <> 1 THEN RAISE EXCEPTION 'written'; END IF; END $$")).not.toThrow();
  });
});
