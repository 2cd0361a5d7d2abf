//! What a `postgres://` URL means to the engine: parsing it into a client configuration with
//! the engine's connection defaults (timeouts that bound how long a cut network can hold a
//! worker), showing it with the password redacted, and classifying client errors into the
//! engine's typed ones (unavailable and conflict are retried by `Core::write`; others are not).

use std::str::FromStr;
use std::time::Duration;

use tokio_postgres::error::SqlState;

use crate::error::EngineError;

/// Whether a `--db` value names a PostgreSQL database rather than a SQLite file.
pub fn is_postgres_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// The URL as it may be shown: the password (if any) replaced by `***`.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else { return url.to_string() };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else { return url.to_string() };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else { return url.to_string() };
    format!("{}{}:***{}", &url[..scheme_end + 3], &userinfo[..colon], &rest[at..])
}

/// What the engine takes from a URL: the client's configuration and the schema its tables
/// live in (`?schema=NAME`, durable-node's own parameter; default: the server's search path).
#[derive(Debug)]
pub struct Target {
    pub config: tokio_postgres::Config,
    pub schema: Option<String>,
}

/// Takes `schema=` out of the query string (the client refuses parameters it does not know).
fn split_schema(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else { return (url.to_string(), None) };
    let mut schema = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.strip_prefix("schema=") {
            Some(value) => {
                schema = Some(value.to_string());
                false
            }
            None => true,
        })
        .collect();
    let url = if rest.is_empty() { base.to_string() } else { format!("{base}?{}", rest.join("&")) };
    (url, schema)
}

/// A schema name the engine accepts (it is written into SQL as an identifier).
fn valid_schema(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 63
}

/// Parses `url` and fills in what the engine relies on when the URL does not say: a connect
/// timeout, TCP keepalives and a TCP user timeout (so a query on a cut link fails within
/// seconds instead of the kernel's minutes), and the application name the server shows.
pub fn client_config(url: &str) -> Result<Target, EngineError> {
    let shown = redact(url);
    let (url, schema) = split_schema(url);
    if let Some(name) = schema.as_deref().filter(|n| !valid_schema(n)) {
        return Err(EngineError::DatabaseOpen { path: shown, reason: format!("schema {name:?} must be 1 to 63 of a-z, 0-9 and _, not starting with a digit") });
    }
    let mut config = tokio_postgres::Config::from_str(&url)
        .map_err(|e| EngineError::DatabaseOpen { path: shown.clone(), reason: format!("malformed PostgreSQL URL: {e}") })?;
    if config.get_hosts().is_empty() {
        return Err(EngineError::DatabaseOpen { path: shown, reason: "malformed PostgreSQL URL: it names no host".into() });
    }
    if config.get_dbname().is_none() {
        return Err(EngineError::DatabaseOpen { path: shown, reason: "the URL names no database (postgres://user@host:5432/DATABASE)".into() });
    }
    if config.get_application_name().is_none() {
        config.application_name("durable-node");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(5));
    }
    if config.get_tcp_user_timeout().is_none() {
        config.tcp_user_timeout(Duration::from_secs(10));
    }
    config.keepalives(true);
    config.keepalives_idle(Duration::from_secs(5));
    config.keepalives_interval(Duration::from_secs(2));
    config.keepalives_retries(3);
    if let Some(name) = &schema {
        // Every connection resolves table names in the schema (a startup parameter, so no
        // statement is needed per transaction).
        let options = format!("{} -c search_path={name}", config.get_options().unwrap_or("")).trim().to_string();
        config.options(&options);
    }
    Ok(Target { config, schema })
}

/// The message of a client error, with the server's own text and SQLSTATE when it has them.
pub fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} (SQLSTATE {})", db.message(), db.code().code());
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Errors another attempt of the same transaction may not meet: lost races.
fn is_conflict(code: &SqlState) -> bool {
    [SqlState::T_R_SERIALIZATION_FAILURE, SqlState::T_R_DEADLOCK_DETECTED, SqlState::UNIQUE_VIOLATION, SqlState::LOCK_NOT_AVAILABLE]
        .contains(code)
}

/// Errors that mean the server or the way to it is gone for now.
fn is_unavailable(code: &SqlState) -> bool {
    let class = &code.code()[..2];
    // 08: connection exceptions; 57P0x: shutdown, crash, cannot connect now; 57014: a
    // statement timed out (a stalled link or server); 53: out of resources (too many
    // connections).
    class == "08" || class == "53" || code.code().starts_with("57P") || *code == SqlState::QUERY_CANCELED
        || *code == SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT
}

/// Maps a client error to the engine's typed errors.
pub fn classify(e: &tokio_postgres::Error) -> EngineError {
    let reason = describe(e);
    match e.code() {
        Some(code) if is_conflict(code) => EngineError::StorageConflict { reason },
        Some(code) if is_unavailable(code) => EngineError::StorageUnavailable { reason },
        Some(_) => EngineError::Storage(reason),
        // No SQLSTATE: the socket, TLS or the protocol failed.
        None => EngineError::StorageUnavailable { reason },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(redact("postgres://bob:s3cr3t@db:5432/app"), "postgres://bob:***@db:5432/app");
        assert_eq!(redact("postgresql://bob:p@ss@db/app?x=1"), "postgresql://bob:***@db/app?x=1");
        assert_eq!(redact("postgres://bob@db/app"), "postgres://bob@db/app");
        assert_eq!(redact("postgres://db/app"), "postgres://db/app");
    }

    #[test]
    fn a_malformed_url_is_one_clear_error_without_the_password() {
        let e = client_config("postgres://bob:s3cr3t@db:notaport/app").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("malformed PostgreSQL URL"), "{text}");
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(client_config("postgres://bob@db:5432").unwrap_err().to_string().contains("names no database"));
        assert!(is_postgres_url("postgresql://x/y") && !is_postgres_url("./x.db"));
        assert!(client_config("postgres://db/app?schema=Bad-Name").unwrap_err().to_string().contains("schema"));
    }

    #[test]
    fn the_schema_parameter_is_the_engines() {
        let target = client_config("postgres://db/app?connect_timeout=3&schema=tenant_1").unwrap();
        assert_eq!(target.schema.as_deref(), Some("tenant_1"));
        assert_eq!(target.config.get_options(), Some("-c search_path=tenant_1"));
        assert_eq!(target.config.get_connect_timeout(), Some(&Duration::from_secs(3)));
    }
}
