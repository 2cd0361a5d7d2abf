//! Pipelining on PostgreSQL: the writes of a transaction whose answer nobody reads (an insert,
//! an update by primary key, a savepoint) are queued instead of sent, and go out together with
//! the next statement that needs an answer (a read, a counted write, COMMIT) in one flight; the
//! flight's history events as one multi-row insert (`EventRows`).
//!
//! Why: on this engine's machines a round trip costs far more than the statement (two thread
//! hand-offs and two socket wake-ups, ~150–300 µs under load, against ~20 µs of server work), and
//! a checkpoint is mostly writes. Queued writes are sent in the order they were made, before the
//! statement that flushes them, so what the transaction reads always includes them.
//!
//! A queued write that fails has aborted the transaction on the server. Its error is returned by
//! the statement that flushed it and the transaction is poisoned: everything after, COMMIT
//! included, fails, so a rollback to a savepoint can never hide a lost write behind a success.

use deadpool_postgres::ClientWrapper;
use futures_util::future::{join, join_all, try_join_all};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Error, Row};

/// An owned parameter of a queued write.
pub(super) type Param = Box<dyn ToSql + Sync + Send>;

/// Owned parameters for `PgStorage::defer`, from values of any `ToSql` types.
macro_rules! owned {
    ($($p:expr),* $(,)?) => { vec![$(Box::new($p) as $crate::storage::postgres_pipeline::Param),*] };
}
pub(super) use owned;

/// A write waiting for the next flush.
pub(super) struct Deferred {
    pub sql: &'static str,
    pub params: Vec<Param>,
}

/// The statement that flushes the queue, and whose answer the caller wants.
pub(super) enum Last<'a> {
    Query(&'a str, &'a [&'a (dyn ToSql + Sync)]),
    Execute(&'a str, &'a [&'a (dyn ToSql + Sync)]),
    /// A simple-protocol batch (BEGIN, COMMIT, ROLLBACK TO SAVEPOINT).
    Batch(&'a str),
}

pub(super) enum Answer {
    Rows(Vec<Row>),
    Count(u64),
    Done,
}

/// Which part of a flight failed.
pub(super) enum Failure {
    /// A queued write: the transaction is aborted.
    Queued(Error),
    /// The statement that flushed the queue.
    Last(Error),
}

fn refs(params: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect()
}

/// Sends `queued` then `last` in one flight and answers `last`. Statements are prepared first
/// (all at once; once cached, without a round trip), so that every execute is sent, in order,
/// on the first poll of the join.
pub(super) async fn send(client: &ClientWrapper, queued: &[Deferred], last: Last<'_>) -> Result<Answer, Failure> {
    let last_sql = match &last {
        Last::Query(sql, _) | Last::Execute(sql, _) => Some(*sql),
        Last::Batch(_) => None,
    };
    let prepares = queued.iter().map(|d| d.sql).chain(last_sql).map(|sql| client.prepare_cached(sql));
    let mut statements = try_join_all(prepares).await.map_err(Failure::Queued)?;
    let last_statement = last_sql.and_then(|_| statements.pop());
    let params: Vec<Vec<&(dyn ToSql + Sync)>> = queued.iter().map(|d| refs(&d.params)).collect();
    let writes = join_all(statements.iter().zip(&params).map(|(st, p)| client.execute(st, p)));
    let answer = async {
        match (last, last_statement) {
            (Last::Query(_, p), Some(st)) => client.query(&st, p).await.map(Answer::Rows),
            (Last::Execute(_, p), Some(st)) => client.execute(&st, p).await.map(Answer::Count),
            (Last::Batch(sql), _) => client.batch_execute(sql).await.map(|()| Answer::Done),
            _ => unreachable!("a query or execute always has its statement"),
        }
    };
    let (written, answered) = join(writes, answer).await;
    if let Some(e) = written.into_iter().find_map(|w| w.err()) {
        return Err(Failure::Queued(e));
    }
    answered.map_err(Failure::Last)
}

/// History events a transaction appended and has not sent: they go out as one multi-row
/// INSERT per flight (or per stretch between savepoints) rather than one statement each, since
/// a step appends one or two and an execution a dozen. Nothing reads events inside a write
/// transaction without sending the queue first, and no other table refers to them, so sending
/// them after the other writes of their stretch changes nothing another statement sees.
#[derive(Default)]
pub(super) struct EventRows {
    exec_ids: Vec<i64>,
    event_ids: Vec<i64>,
    types: Vec<String>,
    timestamps: Vec<i64>,
    bodies: Vec<String>,
}

const INSERT_EVENT: &str = "INSERT INTO events (exec_id, event_id, event_type, ts_ms, body) VALUES ($1, $2, $3, $4, $5)";
const INSERT_EVENTS: &str = "INSERT INTO events (exec_id, event_id, event_type, ts_ms, body)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::text[])";

impl EventRows {
    pub fn push(&mut self, exec_id: i64, event_id: i64, event_type: &str, ts_ms: i64, body: String) {
        self.exec_ids.push(exec_id);
        self.event_ids.push(event_id);
        self.types.push(event_type.to_string());
        self.timestamps.push(ts_ms);
        self.bodies.push(body);
    }

    pub fn len(&self) -> usize {
        self.exec_ids.len()
    }

    pub fn truncate(&mut self, len: usize) {
        self.exec_ids.truncate(len);
        self.event_ids.truncate(len);
        self.types.truncate(len);
        self.timestamps.truncate(len);
        self.bodies.truncate(len);
    }

    /// The write that inserts rows `from..to` (none when the stretch is empty).
    pub fn write(&self, from: usize, to: usize) -> Option<Deferred> {
        match to.saturating_sub(from) {
            0 => None,
            1 => Some(Deferred {
                sql: INSERT_EVENT,
                params: owned![self.exec_ids[from], self.event_ids[from], self.types[from].clone(), self.timestamps[from], self.bodies[from].clone()],
            }),
            _ => Some(Deferred {
                sql: INSERT_EVENTS,
                params: owned![
                    self.exec_ids[from..to].to_vec(),
                    self.event_ids[from..to].to_vec(),
                    self.types[from..to].to_vec(),
                    self.timestamps[from..to].to_vec(),
                    self.bodies[from..to].to_vec()
                ],
            }),
        }
    }
}
