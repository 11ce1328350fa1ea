//! The RPC's own bounded pool of threads for work that reads the database or
//! runs the runtime.
//!
//! - It is apart from tokio's blocking pool, which consensus uses to execute
//!   and commit blocks: however many requests arrive, RPC work occupies at most
//!   [`WorkersConfig::threads`] threads, so it cannot delay a vote or a commit.
//! - The queue is bounded ([`WorkersConfig::queue`]): past it a call is refused
//!   at once with `-32000 server busy` instead of waiting without limit.
//! - Each thread has a stack of [`RUNTIME_STACK_BYTES`], large enough for the
//!   runtime at the extrinsic depth limit, so even a recursive type that
//!   slipped past the decoder cannot abort the process by overflowing it.
//! - A panic in a job answers that call with an error; the thread lives on.

use crate::error::{server_error, RpcResult};
use parking_lot::Mutex;
use std::{
    panic::AssertUnwindSafe,
    sync::{mpsc, Arc},
};

/// Stack of each RPC worker thread (virtual memory; pages are touched only if used).
pub const RUNTIME_STACK_BYTES: usize = 64 * 1024 * 1024;

/// Size of the RPC worker pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkersConfig {
    /// Threads serving calls.
    pub threads: usize,
    /// Calls waiting for a thread before new ones are refused.
    pub queue: usize,
}

impl Default for WorkersConfig {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self { threads: (cores * 2).max(4), queue: 4096 }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of threads taking jobs from one bounded queue.
pub(crate) struct Workers {
    queue: mpsc::SyncSender<Job>,
}

impl Workers {
    /// Start `config.threads` threads.
    pub(crate) fn start(config: WorkersConfig) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::sync_channel::<Job>(config.queue.max(1));
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..config.threads.max(1) {
            let rx = rx.clone();
            std::thread::Builder::new().name(format!("rpc-worker-{i}")).stack_size(RUNTIME_STACK_BYTES).spawn(
                move || loop {
                    // Hold the lock only while taking a job.
                    let job = rx.lock().recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                },
            )?;
        }
        Ok(Self { queue: tx })
    }

    /// Run `f` on a worker thread and wait for its answer.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> RpcResult<T> + Send + 'static,
    ) -> RpcResult<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(f))
                .unwrap_or_else(|_| Err(server_error("internal error: the call panicked")));
            let _ = tx.send(outcome);
        });
        self.queue.try_send(job).map_err(|e| match e {
            mpsc::TrySendError::Full(_) => server_error("server busy: too many calls waiting, retry later"),
            mpsc::TrySendError::Disconnected(_) => server_error("server is shutting down"),
        })?;
        rx.await.map_err(|_| server_error("internal error: the call was dropped"))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_refuses_when_full_and_survives_panics() {
        let workers = Workers::start(WorkersConfig { threads: 1, queue: 1 }).expect("threads start");
        assert_eq!(workers.run(|| Ok(2 + 2)).await.expect("answered"), 4);
        let err = workers.run(|| -> RpcResult<()> { panic!("boom") }).await.expect_err("panic is an error");
        assert!(err.message().contains("panicked"));
        // Block the only thread, fill the queue: the next call is refused at once.
        let workers = Arc::new(workers);
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let w = workers.clone();
        let blocked = tokio::spawn(async move {
            w.run(move || {
                let _ = release_rx.recv();
                Ok(())
            })
            .await
        });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let w = workers.clone();
        let queued = tokio::spawn(async move { w.run(|| Ok(())).await });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let refused = workers.run(|| Ok(())).await;
        assert!(refused.expect_err("queue full").message().contains("busy"));
        release_tx.send(()).expect("worker waits");
        queued.await.expect("joined").expect("queued call runs");
        blocked.await.expect("joined").expect("ran");
    }

    #[tokio::test]
    async fn deep_recursion_fits_the_stack() {
        fn depth(n: u32) -> u32 {
            let pad = std::hint::black_box([0u8; 1024]);
            if n == 0 {
                u32::from(pad[0])
            } else {
                depth(n - 1) + u32::from(pad[1])
            }
        }
        // 16,000 frames of more than 1 KiB: far past a default 2 MiB thread stack.
        let workers = Workers::start(WorkersConfig { threads: 1, queue: 1 }).expect("threads start");
        assert_eq!(workers.run(|| Ok(depth(16_000))).await.expect("no overflow"), 0);
    }
}
