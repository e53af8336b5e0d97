//! `langtrace serve` in this process: a thread opens the store and starts the writer (at
//! the test's normal priority, outside any runtime, as `main` does), then its own
//! multi-thread Tokio runtime serves and reports the bound addresses. Stopped and joined
//! when dropped. With `LANGTRACE_SERVER_LOG` set (as for the binary, e.g. `error`), its
//! log goes to the test's stderr.

use std::thread::JoinHandle;

use langtrace_collector::cli::ServeArgs;
use langtrace_collector::server::{Listening, Server, StartError};
use tokio::sync::oneshot;

/// A collector served by a thread of this process.
pub struct InProcess {
    /// The addresses its listeners bound.
    pub listening: Listening,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<Result<(), StartError>>>,
}

impl InProcess {
    /// Starts serving `args` and waits until both listeners accept connections; panics
    /// with the server's error if it cannot start.
    pub fn start(args: ServeArgs) -> Self {
        if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("LANGTRACE_SERVER_LOG") {
            let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
        }
        let (listening_tx, listening_rx) = oneshot::channel();
        let (shutdown, stop) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("collector-under-test".into())
            .spawn(move || {
                let server = Server::open(args)?;
                let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
                runtime.block_on(server.run(Some(listening_tx), async move {
                    let _ = stop.await;
                }))
            })
            .expect("a thread for the collector");
        match listening_rx.blocking_recv() {
            Ok(listening) => Self { listening, shutdown: Some(shutdown), thread: Some(thread) },
            Err(_) => match thread.join() {
                Ok(Err(error)) => panic!("the collector did not start: {error}"),
                Ok(Ok(())) => panic!("the collector stopped before listening"),
                Err(panic) => std::panic::resume_unwind(panic),
            },
        }
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        drop(self.shutdown.take());
        if let Some(thread) = self.thread.take() {
            let outcome = thread.join();
            if !std::thread::panicking() {
                outcome.expect("the collector's thread panicked").expect("the collector stopped with an error");
            }
        }
    }
}
