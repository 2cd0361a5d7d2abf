//! Who holds an invocation, and when another engine may take it over. An owner is a random id
//! per engine; its host identity is the machine's boot id plus its PID namespace, so a pid is
//! only interpreted where it means something. Takeover rule (the one place it is decided):
//! a foreign lease may be taken when it has expired, or — as a fast path — when its holder is
//! provably on this host, in this PID namespace and boot, and its process no longer exists.

use crate::ids;
use crate::storage::Lease;

#[derive(Debug, Clone)]
pub struct Identity {
    pub owner: String,
    pub host: String,
    pub pid: i64,
}

impl Identity {
    pub fn new(host: Option<String>) -> Self {
        Identity { owner: ids::random_id(), host: host.unwrap_or_else(host_id), pid: std::process::id() as i64 }
    }

    /// A fresh lease held by this engine.
    pub fn lease(&self, now: i64, lease_ms: i64) -> Lease {
        Lease {
            owner: self.owner.clone(),
            host: Some(self.host.clone()),
            pid: Some(self.pid),
            expires_ms: now + lease_ms,
            started_ms: now,
            request_id: ids::random_id(),
        }
    }

    /// Whether `lease`, held by someone else, may be taken over now.
    pub fn may_take_over(&self, lease: &Lease, now: i64) -> bool {
        if lease.owner == self.owner {
            return false;
        }
        if lease.expires_ms < now {
            return true;
        }
        let same_host = lease.host.as_deref() == Some(self.host.as_str());
        same_host && lease.pid.is_some_and(|pid| pid != self.pid && !process_alive(pid))
    }
}

/// `boot_id/pid-namespace`, or a random id where either cannot be read (then no pid is ever
/// trusted across engines).
fn host_id() -> String {
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok().map(|b| b.trim().to_string());
    let pid_ns = std::fs::read_link("/proc/self/ns/pid").ok().map(|p| p.to_string_lossy().to_string());
    match (boot, pid_ns) {
        (Some(b), Some(ns)) if !b.is_empty() => format!("{b}/{ns}"),
        _ => format!("unknown-{}", ids::random_id()),
    }
}

fn process_alive(pid: i64) -> bool {
    #[cfg(unix)]
    {
        // Signal 0 checks existence; EPERM still means the process exists.
        let rc = unsafe { libc::kill(pid as libc::pid_t, 0) };
        rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dead_pid() -> i64 {
        // A child that has exited and been reaped: its pid names no process.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id() as i64;
        child.wait().unwrap();
        pid
    }

    #[test]
    fn a_dead_pid_counts_only_on_the_same_host() {
        let me = Identity::new(Some("host-a".into()));
        let other = Identity::new(Some("host-a".into()));
        let mut lease = other.lease(0, 60_000);
        lease.pid = Some(dead_pid());
        assert!(me.may_take_over(&lease, 1_000), "same host, dead process");
        lease.host = Some("host-b".into());
        assert!(!me.may_take_over(&lease, 1_000), "another host's pid means nothing here");
        assert!(me.may_take_over(&lease, 60_001), "an expired lease is taken anywhere");
        assert!(!me.may_take_over(&me.lease(0, 10), 1_000), "never one's own");
    }
}
