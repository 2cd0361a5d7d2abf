// `durable-node migrate --from DB --to DB`: moves every execution, suspended ones included, from
// one database to another, empty one (a SQLite file to PostgreSQL, or back). The engine does the
// work and decides the rules (crates/engine/src/migrate.rs): a source with live leases and a
// target with executions are refused, and the target gets everything in one transaction or
// nothing. This file only parses the flags and prints what was copied.

import type { Command } from "commander";

import { call, native } from "../native";
import { shown } from "./database";

interface MigrateOptions {
  from: string;
  to: string;
  json?: boolean;
}

export function registerMigrateCommand(program: Command, out: (line: string) => void): void {
  program
    .command("migrate")
    .description("copy every execution (suspended ones included) from one database into another, empty one: a SQLite file to PostgreSQL or back; stop the workers first")
    .requiredOption("--from <path|url>", "the database to copy from (a SQLite file or postgres:// URL); it is only read")
    .requiredOption("--to <path|url>", "the database to copy into: a new or empty SQLite file, or an empty PostgreSQL database or schema")
    .option("--json", "print {executions, running, operations, events, timers}")
    .action((options: MigrateOptions) => {
      const report = call(() => native.migrateStorage(options.from, options.to));
      if (options.json) {
        out(JSON.stringify(report));
        return;
      }
      out(
        `migrated ${report.executions} execution(s) (${report.running} still running), ${report.operations} operation(s), ` +
          `${report.events} history event(s) and ${report.timers} timer(s) from ${shown(options.from)} to ${shown(options.to)}`,
      );
      out(`point the workers at ${shown(options.to)}; ${shown(options.from)} was left as it was`);
    });
}
