//! Accepted connections, for both listeners: each holds one place under the connection
//! cap for as long as it is open (at the cap, accepting waits and new connections queue
//! in the kernel's accept queue in arrival order), and is closed when no byte moves
//! either way for the idle timeout.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};
use tonic::transport::server::{Connected, TcpConnectInfo};

/// How long to wait after an accept error other than the client's (out of file
/// descriptors, say) before accepting again.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_secs(1);

/// How often, at most, the log says that the cap is reached.
const CAP_WARNING_INTERVAL: Duration = Duration::from_secs(60);

/// The places for connections, shared by both listeners.
#[derive(Clone)]
pub struct ConnectionCap {
    places: Arc<Semaphore>,
    max: u32,
    last_warning: Arc<Mutex<Option<Instant>>>,
}

impl ConnectionCap {
    /// Room for `max` connections at once.
    pub fn new(max: u32) -> Self {
        Self { places: Arc::new(Semaphore::new(max as usize)), max, last_warning: Arc::default() }
    }

    /// A place for the next connection, waiting while all are taken (and saying so in
    /// the log, at most once a minute).
    async fn place(&self) -> OwnedSemaphorePermit {
        if let Ok(place) = Arc::clone(&self.places).try_acquire_owned() {
            return place;
        }
        self.warn_full();
        // The semaphore is never closed.
        Arc::clone(&self.places).acquire_owned().await.expect("the connection places are never closed")
    }

    fn warn_full(&self) {
        let mut last = self.last_warning.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if last.is_none_or(|at| at.elapsed() >= CAP_WARNING_INTERVAL) {
            *last = Some(Instant::now());
            tracing::warn!(
                max_connections = self.max,
                "connection cap reached (--max-connections / LANGTRACE_MAX_CONNECTIONS): new connections wait"
            );
        }
    }
}

/// A listening socket whose connections take a place under the cap.
pub struct Listener {
    listener: TcpListener,
    cap: ConnectionCap,
    idle_timeout: Duration,
}

impl Listener {
    /// Accepts from `listener`, each connection taking a place of `cap` and closed after
    /// `idle_timeout` without a byte moving.
    pub fn new(listener: TcpListener, cap: ConnectionCap, idle_timeout: Duration) -> Self {
        Self { listener, cap, idle_timeout }
    }

    /// The next connection, once it has a place. Errors of a client that left before
    /// being accepted are skipped; other errors (out of file descriptors) are logged and
    /// accepting pauses a moment.
    pub async fn accept(&self) -> Connection {
        let place = self.cap.place().await;
        loop {
            match self.listener.accept().await {
                Ok((stream, _)) => {
                    // Answers are written whole; no reason to hold small ones back.
                    let _ = stream.set_nodelay(true);
                    return Connection::new(stream, place, self.idle_timeout);
                }
                Err(error) if is_client_error(&error) => continue,
                Err(error) => {
                    tracing::error!(%error, "cannot accept a connection");
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                }
            }
        }
    }
}

/// An accept error caused by the client (it left first), not by the server.
fn is_client_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}

/// An accepted TCP connection: holds its place under the cap until dropped, and fails
/// its pending read or write once no byte has moved either way for the idle timeout.
pub struct Connection {
    stream: TcpStream,
    idle_timeout: Duration,
    idle: Pin<Box<Sleep>>,
    _place: OwnedSemaphorePermit,
}

impl Connection {
    fn new(stream: TcpStream, place: OwnedSemaphorePermit, idle_timeout: Duration) -> Self {
        let idle = Box::pin(tokio::time::sleep(idle_timeout));
        Self { stream, idle_timeout, idle, _place: place }
    }

    /// `polled`, with the idle clock restarted when it is ready, or the idle timeout's
    /// error when it is pending and the clock ran out.
    fn watch<T>(&mut self, cx: &mut Context<'_>, polled: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match polled {
            Poll::Ready(result) => {
                self.idle.as_mut().reset(Instant::now() + self.idle_timeout);
                Poll::Ready(result)
            }
            Poll::Pending => self.idle.as_mut().poll(cx).map(|()| {
                Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no byte moved for {:?} (--idle-timeout)", self.idle_timeout),
                ))
            }),
        }
    }
}

impl AsyncRead for Connection {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_read(cx, buf);
        this.watch(cx, polled)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.watch(cx, polled)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.watch(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_flush(cx);
        this.watch(cx, polled)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

impl Connected for Connection {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> TcpConnectInfo {
        self.stream.connect_info()
    }
}
