//! The PostgreSQL schema, its versioned migrations and its integrity check. The tables are
//! SQLite's, column for column (so `migrate` copies rows as they are). A database is ours when
//! its `durable_node_meta` table says so; one with other tables and no such mark belongs to
//! another application and is refused before anything is written. Creating or migrating runs
//! in one transaction under an advisory lock, so workers starting at once migrate it once.

use tokio_postgres::{Client, GenericClient};

use crate::error::{EngineError, Result};

pub(super) const SCHEMA_VERSION: i64 = 3;
/// The advisory lock key of schema changes ("DNOD").
const MIGRATION_LOCK: i64 = 0x444E_4F44;

/// Version 2: execution timeouts, retention and the control plane (pause, resume, delete).
macro_rules! control_schema { () => { "
CREATE INDEX executions_deadline ON executions(deadline_ms) WHERE deadline_ms IS NOT NULL;
CREATE INDEX executions_purge ON executions(purge_ms) WHERE purge_ms IS NOT NULL;
CREATE TABLE control_tokens (
  exec_id BIGINT NOT NULL,
  client_token TEXT NOT NULL,
  digest TEXT NOT NULL,
  at_ms BIGINT NOT NULL,
  PRIMARY KEY (exec_id, client_token)
);
" }; }

/// Version 3: the queue's indexes hold only what the queue looks for. Every execution row
/// update rewrites every index (its change number changes, so no update is HOT), and a partial
/// index over `inv_active = 1` or over `wake_ms IS NOT NULL` made each claim and each idle pass
/// read the entries of every running invocation (and, with autovacuum behind, their dead ones).
macro_rules! queue_schema { () => { "
DROP INDEX executions_active;
DROP INDEX executions_wake;
CREATE INDEX executions_leases ON executions(inv_lease_ms) WHERE inv_active = 1;
CREATE INDEX executions_due ON executions(wake_ms) WHERE wake_ms IS NOT NULL AND inv_active = 0 AND status = 'RUNNING';
" }; }

const SCHEMA: &str = concat!("
CREATE TABLE durable_node_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE executions (
  id BIGSERIAL PRIMARY KEY,
  arn TEXT NOT NULL UNIQUE,
  function_name TEXT NOT NULL,
  name TEXT NOT NULL,
  exec_op_id TEXT NOT NULL,
  input TEXT,
  status TEXT NOT NULL,
  result TEXT,
  error TEXT,
  start_ms BIGINT NOT NULL,
  end_ms BIGINT,
  timeout_s BIGINT NOT NULL,
  change_seq BIGINT NOT NULL DEFAULT 0,
  wake_ms BIGINT,
  inv_count BIGINT NOT NULL DEFAULT 0,
  inv_active BIGINT NOT NULL DEFAULT 0,
  inv_owner TEXT,
  inv_pid BIGINT,
  inv_lease_ms BIGINT,
  inv_start_ms BIGINT,
  inv_request_id TEXT,
  delivered_seq BIGINT NOT NULL DEFAULT 0,
  failed_invocations BIGINT NOT NULL DEFAULT 0,
  root_arn TEXT NOT NULL,
  parent_exec_id BIGINT,
  parent_op_id TEXT,
  inv_host TEXT,
  change_no BIGINT NOT NULL DEFAULT 0,
  deadline_ms BIGINT,
  purge_ms BIGINT,
  retention_days BIGINT NOT NULL DEFAULT 14,
  pause TEXT,
  UNIQUE (function_name, name)
);
CREATE SEQUENCE executions_change_no;
CREATE INDEX executions_change ON executions(change_no);
CREATE INDEX executions_start ON executions(start_ms, id);
CREATE INDEX executions_function_start ON executions(function_name, start_ms, id);
CREATE INDEX executions_function_status ON executions(function_name, status, start_ms);
CREATE INDEX executions_name_c ON executions((name COLLATE \"C\"));
CREATE INDEX executions_wake ON executions(wake_ms) WHERE wake_ms IS NOT NULL;
CREATE INDEX executions_status ON executions(status, start_ms);
CREATE INDEX executions_active ON executions(inv_active) WHERE inv_active = 1;
CREATE INDEX executions_name ON executions(name);
CREATE TABLE operations (
  exec_id BIGINT NOT NULL,
  id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  change_seq BIGINT NOT NULL,
  parent_id TEXT,
  name TEXT,
  type TEXT NOT NULL,
  sub_type TEXT,
  status TEXT NOT NULL,
  start_ms BIGINT NOT NULL,
  end_ms BIGINT,
  input_payload TEXT,
  result TEXT,
  error TEXT,
  attempt BIGINT,
  next_attempt_ms BIGINT,
  scheduled_end_ms BIGINT,
  replay_children BIGINT,
  callback_id TEXT,
  wait_seconds BIGINT,
  callback_timeout_s BIGINT,
  callback_heartbeat_s BIGINT,
  invoke_function TEXT,
  invoke_tenant TEXT,
  PRIMARY KEY (exec_id, id)
);
CREATE UNIQUE INDEX operations_callback ON operations(callback_id) WHERE callback_id IS NOT NULL;
CREATE TABLE events (
  exec_id BIGINT NOT NULL,
  event_id BIGINT NOT NULL,
  event_type TEXT NOT NULL,
  ts_ms BIGINT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (exec_id, event_id)
);
CREATE TABLE timers (
  exec_id BIGINT NOT NULL,
  op_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  due_ms BIGINT NOT NULL,
  PRIMARY KEY (exec_id, op_id, kind)
);
CREATE INDEX timers_due ON timers(due_ms);
", control_schema!(), queue_schema!());

/// Migrations from version N to N+1, by N.
const MIGRATIONS: &[(i64, &str)] = &[
    // 2: timeouts are enforced and ended executions expire (as SQLite's version 5: a running
    // execution's deadline is its timeout after its start; one that had ended before the upgrade
    // is kept for the default retention from the upgrade on).
    (1, concat!("ALTER TABLE executions ADD COLUMN deadline_ms BIGINT;
      ALTER TABLE executions ADD COLUMN purge_ms BIGINT;
      ALTER TABLE executions ADD COLUMN retention_days BIGINT NOT NULL DEFAULT 14;
      ALTER TABLE executions ADD COLUMN pause TEXT;
      UPDATE executions SET deadline_ms = start_ms + timeout_s * 1000 WHERE status = 'RUNNING';
      UPDATE executions SET purge_ms = greatest(coalesce(end_ms, 0), (extract(epoch FROM now()) * 1000)::bigint) + 14 * 86400000 WHERE status <> 'RUNNING';", control_schema!())),
    (2, queue_schema!()),
];

/// The tables a durable-node database has, for the integrity check.
const TABLES: &[&str] = &["durable_node_meta", "executions", "operations", "events", "timers", "control_tokens"];

/// What the database holds, judged with reads only.
pub(super) enum Found {
    Empty,
    Version(i64),
}

fn not_ours(shown: &str, reason: String) -> EngineError {
    EngineError::NotADatabase { path: shown.to_string(), reason }
}

/// Refuses another application's database and newer versions, without writing.
pub(super) async fn inspect<C: GenericClient + Sync>(client: &C, shown: &str) -> Result<Found> {
    let err = |e: tokio_postgres::Error| super::postgres_url::classify(&e);
    let has_meta: bool = client
        // A scan of the catalog, not to_regclass: a name lookup may answer from this session's
        // cache, which does not yet know of a table another worker created while we waited
        // for the migration lock.
        .query_one("SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'durable_node_meta')", &[])
        .await
        .map_err(err)?
        .get(0);
    if !has_meta {
        let tables: i64 = client
            .query_one("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()", &[])
            .await
            .map_err(err)?
            .get(0);
        if tables > 0 {
            return Err(not_ours(shown, format!("its schema already has {tables} table(s) of another application and no durable_node_meta table")));
        }
        return Ok(Found::Empty);
    }
    let rows = client.query("SELECT key, value FROM durable_node_meta", &[]).await.map_err(err)?;
    let value = |k: &str| rows.iter().find(|r| r.get::<_, String>(0) == k).map(|r| r.get::<_, String>(1));
    if value("application").as_deref() != Some("durable-node") {
        return Err(not_ours(shown, "its durable_node_meta table does not name durable-node".into()));
    }
    let version: i64 = value("schema_version").and_then(|v| v.parse().ok()).unwrap_or(-1);
    let migratable = MIGRATIONS.iter().any(|(from, _)| *from == version);
    if version != SCHEMA_VERSION && !migratable {
        return Err(not_ours(shown, format!("schema version {version}, this engine reads versions up to {SCHEMA_VERSION}")));
    }
    Ok(Found::Version(version))
}

/// Creates the schema or migrates it, in one transaction that holds the migration lock: a
/// second worker starting at the same moment waits, then finds the work done. Only the verdict
/// judged under the lock counts (one made without it may have seen another worker's creation
/// half-way); a refusal writes nothing.
pub(super) async fn prepare(client: &mut Client, shown: &str, found: Found) -> Result<()> {
    if matches!(found, Found::Version(v) if v == SCHEMA_VERSION) {
        return Ok(());
    }
    let err = |e: tokio_postgres::Error| super::postgres_url::classify(&e);
    let tx = client.transaction().await.map_err(err)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(err)?;
    // Judged again under the lock: another worker may have created it meanwhile.
    match inspect(&tx, shown).await? {
        Found::Empty => {
            tx.batch_execute(SCHEMA).await.map_err(err)?;
            tx.execute(
                "INSERT INTO durable_node_meta (key, value) VALUES ('application', 'durable-node'), ('schema_version', $1)",
                &[&SCHEMA_VERSION.to_string()],
            )
            .await
            .map_err(err)?;
        }
        Found::Version(current) => {
            for (from, sql) in MIGRATIONS.iter().filter(|(from, _)| *from >= current) {
                tx.batch_execute(sql).await.map_err(err)?;
                tx.execute("UPDATE durable_node_meta SET value = $1 WHERE key = 'schema_version'", &[&(from + 1).to_string()])
                    .await
                    .map_err(err)?;
            }
        }
    }
    tx.commit().await.map_err(err)
}

/// The schema version recorded in the database.
pub(super) async fn version(client: &Client) -> Result<i64> {
    let row = client
        .query_one("SELECT value FROM durable_node_meta WHERE key = 'schema_version'", &[])
        .await
        .map_err(|e| super::postgres_url::classify(&e))?;
    Ok(row.get::<_, String>(0).parse().unwrap_or(-1))
}

/// Checks what PostgreSQL itself does not: every table is there, every row belongs to an
/// execution, each execution has its EXECUTION operation, its history is numbered 1..n with no
/// gap, and no finished execution keeps a timer. `["ok"]` when all hold.
pub(super) async fn integrity(client: &Client) -> Result<Vec<String>> {
    let err = |e: tokio_postgres::Error| super::postgres_url::classify(&e);
    let mut problems = Vec::new();
    for table in TABLES {
        let present: bool = client.query_one("SELECT to_regclass($1) IS NOT NULL", &[table]).await.map_err(err)?.get(0);
        if !present {
            problems.push(format!("table {table} is missing"));
        }
    }
    if !problems.is_empty() {
        return Ok(problems);
    }
    let checks: &[(&str, &str)] = &[
        ("operation rows of no execution", "SELECT count(*) FROM operations o WHERE NOT EXISTS (SELECT 1 FROM executions e WHERE e.id = o.exec_id)"),
        ("event rows of no execution", "SELECT count(*) FROM events v WHERE NOT EXISTS (SELECT 1 FROM executions e WHERE e.id = v.exec_id)"),
        ("timer rows of no execution", "SELECT count(*) FROM timers t WHERE NOT EXISTS (SELECT 1 FROM executions e WHERE e.id = t.exec_id)"),
        ("executions without their EXECUTION operation", "SELECT count(*) FROM executions e WHERE NOT EXISTS (SELECT 1 FROM operations o WHERE o.exec_id = e.id AND o.type = 'EXECUTION')"),
        // Ids are 1..n: n rows whose largest id is n (no history at all counts too).
        ("executions whose history has gaps", "SELECT count(*) FROM executions e LEFT JOIN (SELECT exec_id, count(*) AS n, max(event_id) AS last, min(event_id) AS first FROM events GROUP BY exec_id) v ON v.exec_id = e.id WHERE v.exec_id IS NULL OR v.n <> v.last OR v.first <> 1"),
        ("finished executions with timers", "SELECT count(*) FROM timers t JOIN executions e ON e.id = t.exec_id WHERE e.status NOT IN ('RUNNING', 'PAUSING', 'PAUSED')"),
    ];
    for (what, sql) in checks {
        let n: i64 = client.query_one(*sql, &[]).await.map_err(err)?.get(0);
        if n > 0 {
            problems.push(format!("{n} {what}"));
        }
    }
    if problems.is_empty() {
        problems.push("ok".to_string());
    }
    Ok(problems)
}
