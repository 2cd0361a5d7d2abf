// `durable-node check`: the storage's own integrity check through the engine (SQLite's
// `PRAGMA integrity_check`, no sqlite3 binary needed; on PostgreSQL the engine's row rules) and
// the schema version. Exit status 0 when intact, 1 when problems were found.

import { existsSync } from "node:fs";

import type { Command } from "commander";

import { DB_HELP, resolveDb, shown } from "./database";
import { UsageError } from "./usage-error";

type Open = (db: string | undefined) => { integrityCheck(): string[]; storageInfo(): { backend: string; schemaVersion: number }; close(): void };

export function registerCheckCommand(program: Command, open: Open, out: (line: string) => void, setCode: (code: number) => void): void {
  program
    .command("check")
    .description("check the database (SQLite: PRAGMA integrity_check; PostgreSQL: the engine's row rules) and show its schema version; exit status 1 when damaged")
    .option("--db <path|url>", DB_HELP)
    .option("--json", 'print {"ok": boolean, "problems": [...], "backend": ..., "schemaVersion": ...}')
    .action((options: { db?: string; json?: boolean }) => {
      const db = resolveDb(options.db);
      // Checking must not create an empty database where none was.
      if (!db.isUrl && !existsSync(db.location)) throw new UsageError(`no database at ${db.location}`);
      const engine = open(options.db);
      try {
        const { backend, schemaVersion } = engine.storageInfo();
        const result = engine.integrityCheck();
        const ok = result.length === 1 && result[0] === "ok";
        const where = shown(db.location);
        const what = backend === "postgres" ? "the integrity rules" : "PRAGMA integrity_check";
        if (options.json) out(JSON.stringify({ ok, problems: ok ? [] : result, backend, schemaVersion }));
        else if (ok) out(`ok: ${where} passed ${what} (${backend}, schema version ${schemaVersion})`);
        else for (const line of [`damaged: ${where} failed ${what} (${backend}, schema version ${schemaVersion}):`, ...result.map((l) => `  ${l}`)]) out(line);
        setCode(ok ? 0 : 1);
      } finally {
        engine.close();
      }
    });
}
