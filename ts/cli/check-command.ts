// `durable-node check`: SQLite's `PRAGMA integrity_check` on a database, through the engine (no
// sqlite3 binary needed). Exit status 0 when the file is intact, 1 when SQLite found problems.

import { existsSync } from "node:fs";

import type { Command } from "commander";

import { UsageError } from "./usage-error";

type Open = (db: string | undefined) => { integrityCheck(): string[]; close(): void };

export function registerCheckCommand(program: Command, open: Open, out: (line: string) => void, setCode: (code: number) => void, defaultDb: string): void {
  program
    .command("check")
    .description("check the database file (PRAGMA integrity_check); exit status 1 when it is damaged")
    .option("--db <path>", `SQLite database file (default ${defaultDb})`)
    .option("--json", 'print {"ok": boolean, "problems": [...]}')
    .action((options: { db?: string; json?: boolean }) => {
      const file = options.db ?? defaultDb;
      // Checking must not create an empty database where none was.
      if (!existsSync(file)) throw new UsageError(`no database at ${file}`);
      const engine = open(options.db);
      try {
        const result = engine.integrityCheck();
        const ok = result.length === 1 && result[0] === "ok";
        if (options.json) out(JSON.stringify({ ok, problems: ok ? [] : result }));
        else if (ok) out(`ok: ${file} passed PRAGMA integrity_check`);
        else for (const line of [`damaged: ${file} failed PRAGMA integrity_check:`, ...result.map((l) => `  ${l}`)]) out(line);
        setCode(ok ? 0 : 1);
      } finally {
        engine.close();
      }
    });
}
