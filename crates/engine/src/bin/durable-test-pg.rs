//! The PostgreSQL test harness: `durable-test-pg <command> [args…]` creates a fresh database on
//! the server `DURABLE_NODE_TEST_PG` names (default: the local server), runs the command with
//! `DURABLE_NODE_TEST_PG_DB` set to its URL, drops the database after, and exits with the
//! command's status. Without a reachable server it fails, saying what is missing: the
//! PostgreSQL tests are never skipped silently.

use durable_engine::storage::{postgres_admin, redact};

const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((program, rest)) = args.split_first() else {
        eprintln!("usage: durable-test-pg <command> [args…]");
        std::process::exit(2);
    };
    let server = std::env::var("DURABLE_NODE_TEST_PG").unwrap_or_else(|_| DEFAULT_SERVER.to_string());
    let name = format!("durable_test_{}_{}", std::process::id(), &durable_engine::ids::random_id()[..8]);
    let url = match postgres_admin::create_database(&server, &name) {
        Ok(url) => url,
        Err(e) => {
            eprintln!(
                "durable-test-pg: the PostgreSQL tests need a server where this user may CREATE DATABASE, and {} did not allow it: {e}. \
                 Start PostgreSQL (15 or later) there, or set DURABLE_NODE_TEST_PG to the URL of one.",
                redact(&server)
            );
            std::process::exit(2);
        }
    };
    let status = std::process::Command::new(program)
        .args(rest)
        .env("DURABLE_NODE_TEST_PG_DB", &url)
        .status();
    if let Err(e) = postgres_admin::drop_database(&server, &name) {
        eprintln!("durable-test-pg: could not drop the test database {name}: {e}");
    }
    match status {
        Ok(s) => std::process::exit(s.code().unwrap_or(1)),
        Err(e) => {
            eprintln!("durable-test-pg: cannot run {program}: {e}");
            std::process::exit(2);
        }
    }
}
