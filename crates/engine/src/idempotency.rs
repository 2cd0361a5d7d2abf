//! ClientToken idempotency of `CheckpointDurableExecution` (PROTOCOL.md §5.1): an AWS client
//! resends a request with the same ClientToken after a network error or a 5xx. Within 15
//! minutes, a request repeating a ClientToken for the same execution with the same checkpoint
//! token and updates gets the first answer again, instead of a refusal of its (by then
//! consumed) checkpoint token. A plain cache: the facade consults it around `checkpoint`.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

use crate::checkpoint::CheckpointOutcome;
use crate::model::OperationUpdate;

const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Answers kept at most (oldest dropped first).
const CAPACITY: usize = 10_000;

struct Answer {
    digest: u64,
    at_ms: i64,
    outcome: CheckpointOutcome,
}

/// Recent answers by execution ARN and ClientToken.
#[derive(Default)]
pub(crate) struct Answers {
    by_key: HashMap<String, Answer>,
    order: VecDeque<String>,
}

impl Answers {
    pub fn get(&self, key: &str, digest: u64, now_ms: i64) -> Option<CheckpointOutcome> {
        self.by_key
            .get(key)
            .filter(|a| a.digest == digest && now_ms - a.at_ms < WINDOW_MS)
            .map(|a| a.outcome.clone())
    }

    pub fn remember(&mut self, key: String, digest: u64, now_ms: i64, outcome: CheckpointOutcome) {
        if self.by_key.insert(key.clone(), Answer { digest, at_ms: now_ms, outcome }).is_none() {
            self.order.push_back(key);
        }
        while let Some(oldest) = self.order.front() {
            let expired = self.by_key.get(oldest).is_none_or(|a| now_ms - a.at_ms >= WINDOW_MS);
            if self.order.len() <= CAPACITY && !expired {
                break;
            }
            let oldest = self.order.pop_front().expect("front exists");
            self.by_key.remove(&oldest);
        }
    }
}

/// Identifies a request: its checkpoint token and updates.
pub(crate) fn digest(token: &str, updates: &[OperationUpdate]) -> u64 {
    let mut hasher = DefaultHasher::new();
    token.hash(&mut hasher);
    // Updates hold floats (no Hash): their JSON form identifies them.
    serde_json::to_string(updates).unwrap_or_default().hash(&mut hasher);
    hasher.finish()
}
