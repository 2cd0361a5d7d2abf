// Where the CLI's database is: `--db` (a SQLite file or a postgres:// URL), else the
// DURABLE_NODE_DB environment variable, else .durable/durable.db. One place decides it for every
// command, so one setting points them all at PostgreSQL.

import path from "node:path";

export const DEFAULT_DB = path.join(".durable", "durable.db");
export const DB_ENV = "DURABLE_NODE_DB";
export const DB_HELP = `SQLite file or postgres://user@host:5432/db URL (default: $${DB_ENV}, else ${DEFAULT_DB})`;

export interface Database {
  /** The file path or URL to open. */
  location: string;
  /** PostgreSQL rather than a SQLite file. */
  isUrl: boolean;
  /** Neither --db nor the environment chose it (only then is its directory created). */
  isDefault: boolean;
}

export function isPostgresUrl(location: string): boolean {
  return location.startsWith("postgres://") || location.startsWith("postgresql://");
}

export function resolveDb(db: string | undefined): Database {
  const chosen = db ?? (process.env[DB_ENV] || undefined);
  const location = chosen ?? DEFAULT_DB;
  return { location, isUrl: isPostgresUrl(location), isDefault: chosen === undefined };
}

/** The location as it may be printed: a URL's password replaced by `***`. */
export function shown(location: string): string {
  return location.replace(/^(postgres(?:ql)?:\/\/[^:/@?]*):[^@/?]*@/, "$1:***@");
}
