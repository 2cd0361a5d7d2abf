//! Checkpoint tokens: `<execution id>.<epoch>.<sequence>.<mac>`, where the epoch is the
//! invocation number and the mac a keyed BLAKE3 hash (128 bits) of the rest under a random
//! key of this engine. A token cannot be guessed or derived from an earlier one, it is bound to
//! its execution and invocation, and only the engine that issued it accepts it.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenClaims {
    pub exec_id: i64,
    pub epoch: i64,
    pub seq: i64,
}

pub struct TokenKey {
    key: [u8; 32],
}

impl TokenKey {
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("the OS random generator is available");
        TokenKey { key }
    }

    fn mac(&self, body: &str) -> String {
        let hash = blake3::keyed_hash(&self.key, body.as_bytes());
        hex::encode(&hash.as_bytes()[..16])
    }

    pub fn issue(&self, c: TokenClaims) -> String {
        let body = format!("{}.{}.{}", c.exec_id, c.epoch, c.seq);
        let mac = self.mac(&body);
        format!("{body}.{mac}")
    }

    /// The claims of a token this key issued; `None` for anything else.
    pub fn verify(&self, token: &str) -> Option<TokenClaims> {
        let (body, mac) = token.rsplit_once('.')?;
        let mut parts = body.split('.').map(|p| p.parse::<i64>().ok());
        let claims = match (parts.next()??, parts.next()??, parts.next()??, parts.next()) {
            (exec_id, epoch, seq, None) => TokenClaims { exec_id, epoch, seq },
            _ => return None,
        };
        let expected = self.mac(body);
        // Constant time, so a forger learns nothing from how fast a guess is refused.
        let same = expected.len() == mac.len() && expected.bytes().zip(mac.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        same.then_some(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_under_their_key_and_unchanged() {
        let key = TokenKey::random();
        let claims = TokenClaims { exec_id: 3, epoch: 2, seq: 7 };
        let token = key.issue(claims);
        assert_eq!(key.verify(&token), Some(claims));
        assert_eq!(TokenKey::random().verify(&token), None);
        let forged = token.replacen("3.2.7", "3.2.8", 1);
        assert_eq!(key.verify(&forged), None);
        assert_eq!(key.verify("3.2.7"), None);
        assert_eq!(key.verify("garbage"), None);
    }
}
