//! durable-engine: the checkpointing replay engine behind durable-node. It stores executions,
//! operations and history in SQLite, validates every checkpoint, fires timers from its own
//! clock and decides when an execution must be invoked. It has no knowledge of Node or napi.

pub mod apply;
pub mod callbacks;
pub mod checkpoint;
mod checkpointer;
pub mod clock;
pub mod control;
pub mod engine;
pub mod error;
pub mod history;
pub mod ids;
mod idempotency;
pub mod integrity;
pub mod invoke;
pub mod invocation;
pub mod model;
mod queue;
pub mod replay;
pub mod scheduler;
pub mod store;
pub mod timers;
pub mod validate;

pub use checkpoint::{CheckpointOutcome, CheckpointRequest, StatePage};
pub use engine::{Engine, EngineConfig, Started};
pub use error::{EngineError, Result};
pub use invocation::{Task, TaskFilter};
pub use model::*;
pub use replay::Replay;
