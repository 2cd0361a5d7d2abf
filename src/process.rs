//! The runtime processes durable-node starts (ts/runtime-api/node-runtime.ts) ask the kernel to
//! end them with their parent: a runtime busy in a step — or in an endless loop, where no
//! JavaScript timer runs — must not outlive a killed worker and run on beside the invocation
//! the next worker starts. An operating-system call, nothing of the engine.

use napi_derive::napi;

/// Linux: SIGKILL this process when the thread that started it exits (`PR_SET_PDEATHSIG`).
/// Answers whether the kernel agreed (false on other systems).
#[napi]
pub fn die_with_parent() -> bool {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: prctl with PR_SET_PDEATHSIG takes a signal number and touches no memory.
        unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) == 0 }
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}
