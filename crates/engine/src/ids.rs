//! Identifiers: the hashed operation id the SDK puts on the wire, execution ARNs, and the
//! unguessable callback ids and tokens the engine hands out.

use md5::{Digest, Md5};

/// The wire id of a step id: the first 16 hex characters of its MD5 digest (API.md §4.2).
pub fn hash_step_id(step_id: &str) -> String {
    let digest = Md5::digest(step_id.as_bytes());
    hex::encode(&digest[..8])
}

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "000000000000";

pub fn function_arn(function_name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}:$LATEST")
}

/// `arn:aws:lambda:<region>:<account>:function:<fn>:$LATEST/durable-execution/<name>/<id>`,
/// the shape the SDK's filesystem serdes parses.
pub fn execution_arn(function_name: &str, execution_name: &str, invocation_id: &str) -> String {
    format!("{}/durable-execution/{execution_name}/{invocation_id}", function_arn(function_name))
}

/// A random v4 UUID: 122 random bits from the OS generator.
pub fn random_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A small random number (jitter for retries).
pub fn random_u16() -> u16 {
    let b = uuid::Uuid::new_v4().into_bytes();
    u16::from_le_bytes([b[0], b[1]])
}

/// Callback ids carry two UUIDs (244 random bits); they are looked up, never parsed.
pub fn callback_id() -> String {
    format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_match_the_sdk() {
        assert_eq!(hash_step_id("1"), "c4ca4238a0b92382");
        assert_eq!(hash_step_id("2"), "c81e728d9d4c2f63");
        assert_eq!(hash_step_id("1-1"), "ea66c06c1e1c05fa");
        assert_eq!(hash_step_id("2-2"), "3c46a0407be60a1f");
    }

    #[test]
    fn callback_ids_are_distinct_and_long() {
        let a = callback_id();
        assert_eq!(a.len(), 64);
        assert_ne!(a, callback_id());
    }
}
