//! The listener: one connection per worker, outside the pool, that LISTENs on the engine's
//! channel and calls the engine's wake-up for every notification, so a change committed by any
//! worker or CLI process wakes this one at once (no polling). When the server goes away it
//! reconnects with backoff (50 ms doubling to 2 s) and wakes the engine once after each
//! reconnect, since notifications sent while it was away are lost. Notifications this engine's
//! own storage sent (their payload names the sender) are ignored.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio_postgres::{AsyncMessage, NoTls};

pub(super) struct Listener {
    task: tokio::task::JoinHandle<()>,
}

impl Listener {
    pub fn start(handle: &tokio::runtime::Handle, config: tokio_postgres::Config, channel: String, sender: String, wake: Arc<dyn Fn() + Send + Sync>) -> Listener {
        let task = handle.spawn(async move {
            let mut backoff = Duration::from_millis(50);
            let mut first = true;
            loop {
                if let Ok((client, mut connection)) = config.connect(NoTls).await {
                    // The connection's messages (notifications among them) arrive only while it
                    // is polled: poll it on this task, and LISTEN through the client meanwhile.
                    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                    let sql = format!("LISTEN {channel}");
                    let listening = {
                        let listen = client.batch_execute(&sql);
                        tokio::pin!(listen);
                        loop {
                            tokio::select! {
                                done = &mut listen => break done.is_ok(),
                                message = messages.next() => if !matches!(message, Some(Ok(_))) { break false },
                            }
                        }
                    };
                    if listening {
                        backoff = Duration::from_millis(50);
                        if !first {
                            wake();
                        }
                        first = false;
                        while let Some(Ok(message)) = messages.next().await {
                            if matches!(&message, AsyncMessage::Notification(n) if n.payload() != sender) {
                                wake();
                            }
                        }
                    }
                    drop(client);
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(2));
            }
        });
        Listener { task }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}
