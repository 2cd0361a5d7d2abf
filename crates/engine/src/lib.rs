//! durable-engine: the checkpointing replay engine behind durable-node. Read top-down, each
//! layer using only those above it:
//! 1. `model`, `error`, `ids`, `clock`, `config`, `limits`, `history`: the protocol's data and
//!    errors, settings and the ranges of every value a user sets;
//! 2. `storage`: the `Storage` trait and its SQLite implementation;
//! 3. `ops`: one pure state machine per operation type; `request`: whole-request rules;
//! 4. `lease`, `token`, `core`: identity, tokens, the state services share;
//! 5. `lifecycle`: creating, changing, waking and ending executions;
//! 6. `checkpoint`, `invocation`, `timers`, `callbacks`, `control`: the services;
//! 7. `scheduler`: what runs next; `inspect`: reads for people and tools; `stats`: counters;
//! 8. `engine`: the facade; `migrate`: moving a whole store to another.
//! `replay` and `vm` are the SDK side of an invocation: replay matching, and the invocation's
//! state machine, which commits through the facade in process. No knowledge of Node or napi.

pub mod callbacks;
pub mod checkpoint;
mod checkpointer;
pub mod clock;
pub mod config;
pub mod control;
mod core;
pub mod engine;
pub mod error;
pub mod history;
pub mod ids;
mod idempotency;
pub mod limits;
pub mod inspect;
mod inspect_events;
pub mod invocation;
pub mod lease;
pub mod lifecycle;
pub mod migrate;
pub mod model;
pub mod ops;
mod periodic;
pub mod replay;
pub mod request;
pub mod scheduler;
pub mod stats;
pub mod storage;
pub mod timers;
pub mod token;
pub mod vm;

pub use checkpoint::{CheckpointOutcome, CheckpointRequest, StatePage};
pub use config::EngineConfig;
pub use engine::{Engine, Started};
pub use error::{EngineError, Result};
pub use invocation::Task;
pub use model::*;
pub use replay::Replay;
pub use storage::{ExecCursor, ExecQuery, QueueGauges, TaskFilter};
