//! A background thread that runs a task at a fixed interval until stopped (dropped) or until
//! the task says it is done. Used for WAL checkpoints and lease renewal.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub(crate) struct Periodic {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Periodic {
    /// Runs `task` every `every` until it returns false or the `Periodic` is dropped.
    pub fn start(name: &str, every: Duration, mut task: impl FnMut() -> bool + Send + 'static) -> Option<Periodic> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::park_timeout(every);
                    if flag.load(Ordering::Relaxed) || !task() {
                        return;
                    }
                }
            })
            .ok()?;
        Some(Periodic { stop, thread: Some(thread) })
    }
}

impl Drop for Periodic {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}
