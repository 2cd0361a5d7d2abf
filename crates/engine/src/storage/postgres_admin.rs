//! Administration that is not the engine's own work: making and dropping whole databases (the
//! test harness gives each run a fresh one) and running raw SQL (tests that must build a
//! database the engine itself would never write). Each call connects on a thread of its own, so
//! it may be made from anywhere, async code included.

use std::str::FromStr;

use tokio_postgres::NoTls;

use super::postgres_url::{classify, redact};
use crate::error::{EngineError, Result};

fn on_own_thread<T: Send + 'static>(work: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    std::thread::spawn(work).join().unwrap_or_else(|_| Err(EngineError::Storage("administration thread panicked".into())))
}

/// Runs `sql` (one or more statements) on the database `url` names.
pub fn execute(url: &str, sql: &str) -> Result<()> {
    let (url, sql) = (url.to_string(), sql.to_string());
    on_own_thread(move || {
        let shown = redact(&url);
        let config = super::postgres_url::client_config(&url)?.config;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| EngineError::Storage(e.to_string()))?;
        runtime.block_on(async move {
            let (client, connection) = config
                .connect(NoTls)
                .await
                .map_err(|e| EngineError::DatabaseOpen { path: shown, reason: super::postgres_url::describe(&e) })?;
            let driver = tokio::spawn(connection);
            let done = client.batch_execute(&sql).await.map_err(|e| classify(&e));
            drop(client);
            let _ = driver.await;
            done
        })
    })
}

/// The URL of database `name` on the server `server_url` points at.
pub fn database_url(server_url: &str, name: &str) -> Result<String> {
    // Checked as a client configuration, then rebuilt with the other database name.
    tokio_postgres::Config::from_str(server_url).map_err(|e| EngineError::DatabaseOpen { path: redact(server_url), reason: e.to_string() })?;
    let (base, query) = server_url.split_once('?').map_or((server_url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[authority_start..].find('/').map(|i| i + authority_start).unwrap_or(base.len());
    let mut url = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    Ok(url)
}

fn check_name(name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 63 || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        return Err(EngineError::parameter("database name", name, "must be 1 to 63 of a-z, 0-9 and _"));
    }
    Ok(())
}

/// Creates database `name` on the server; returns its URL.
pub fn create_database(server_url: &str, name: &str) -> Result<String> {
    check_name(name)?;
    execute(server_url, &format!("CREATE DATABASE {name}"))?;
    database_url(server_url, name)
}

/// Drops database `name`, ending any session still connected to it.
pub fn drop_database(server_url: &str, name: &str) -> Result<()> {
    check_name(name)?;
    execute(server_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
}
