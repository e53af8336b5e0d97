//! The client's one background thread: a single-threaded Tokio runtime that runs every
//! request (the blocking and the async entry points alike) and the background cache
//! refreshes. The application needs no runtime of its own, and the thread ends when the
//! last clone of the client is dropped.

use std::future::Future;

use tokio::runtime::Handle;
use tokio::sync::oneshot;

use crate::error::Error;

/// Handle to the background runtime; dropping it stops the thread.
pub(crate) struct Worker {
    handle: Handle,
    _stop: oneshot::Sender<()>,
}

impl Worker {
    /// Starts the thread.
    pub(crate) fn start() -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Worker(e.to_string()))?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("langtrace-prompts".into())
            .spawn(move || {
                runtime.block_on(async {
                    // Resolves when the sender is dropped with the client.
                    let _ = stopped.await;
                });
            })
            .map_err(|e| Error::Worker(e.to_string()))?;
        Ok(Self { handle, _stop: stop })
    }

    /// Runs `future` in the background, nobody waiting.
    pub(crate) fn spawn(&self, future: impl Future<Output = ()> + Send + 'static) {
        drop(self.handle.spawn(future));
    }

    /// Runs `future` on the thread and blocks the caller until it is done. Safe to call
    /// from inside another runtime (it blocks that runtime's thread meanwhile).
    pub(crate) fn block_on<T: Send + 'static>(
        &self,
        future: impl Future<Output = Result<T, Error>> + Send + 'static,
    ) -> Result<T, Error> {
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        self.spawn(async move {
            let _ = sender.send(future.await);
        });
        receiver.recv().unwrap_or_else(|_| Err(stopped()))
    }

    /// Runs `future` on the thread; the returned future works on any executor.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        future: impl Future<Output = Result<T, Error>> + Send + 'static,
    ) -> Result<T, Error> {
        self.handle.spawn(future).await.unwrap_or_else(|_| Err(stopped()))
    }
}

fn stopped() -> Error {
    Error::Worker("the background thread has stopped".into())
}
