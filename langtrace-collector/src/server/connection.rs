//! Accepted connections, for both listeners: each holds one place under the connection
//! cap for as long as it is open, and is closed when no byte moves either way for the
//! idle timeout. At the cap, a new connection makes room by closing the HTTP connection
//! that has waited longest for a request head ([`super::eviction`]); when none waits,
//! it waits for a place (and later ones in the kernel's accept queue, in arrival order).

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

use super::eviction::{Evictable, HeadWait};

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
    evictable: Evictable,
}

impl ConnectionCap {
    /// Room for `max` connections at once.
    pub fn new(max: u32) -> Self {
        let places = Arc::new(Semaphore::new(max as usize));
        Self { places, max, last_warning: Arc::default(), evictable: Evictable::new() }
    }

    /// A place for a connection just accepted: a free one, else the place of the HTTP
    /// connection that has waited longest for a request head (closed for it), else the
    /// next one to come free (the log says so, at most once a minute).
    async fn place(&self) -> OwnedSemaphorePermit {
        if let Ok(place) = Arc::clone(&self.places).try_acquire_owned() {
            return place;
        }
        if !self.evictable.evict_longest_waiting() {
            self.warn_full();
        }
        // The semaphore is never closed.
        Arc::clone(&self.places).acquire_owned().await.expect("the connection places are never closed")
    }

    fn warn_full(&self) {
        let mut last = self.last_warning.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if last.is_none_or(|at| at.elapsed() >= CAP_WARNING_INTERVAL) {
            *last = Some(Instant::now());
            tracing::warn!(
                max_connections = self.max,
                "connection cap reached (--max-connections / LANGTRACE_MAX_CONNECTIONS) with every connection busy: new connections wait"
            );
        }
    }
}

/// Whether a listener's connections may be closed to make room at the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eviction {
    /// While they wait for a request head (HTTP/1.1).
    WhileWaitingForHead,
    /// Never (gRPC: HTTP/2 connections are long-lived by design).
    Never,
}

/// A listening socket whose connections take a place under the cap.
pub struct Listener {
    listener: TcpListener,
    cap: ConnectionCap,
    idle_timeout: Duration,
    eviction: Eviction,
}

impl Listener {
    /// Accepts from `listener`, each connection taking a place of `cap`, closed after
    /// `idle_timeout` without a byte moving, and evictable as `eviction` says.
    pub fn new(listener: TcpListener, cap: ConnectionCap, idle_timeout: Duration, eviction: Eviction) -> Self {
        Self { listener, cap, idle_timeout, eviction }
    }

    /// The next connection, once it has a place. Errors of a client that left before
    /// being accepted are skipped; other errors (out of file descriptors) are logged and
    /// accepting pauses a moment.
    pub async fn accept(&self) -> Connection {
        loop {
            match self.listener.accept().await {
                Ok((stream, _)) => {
                    // Answers are written whole; no reason to hold small ones back.
                    let _ = stream.set_nodelay(true);
                    let place = self.cap.place().await;
                    let head_wait =
                        (self.eviction == Eviction::WhileWaitingForHead).then(|| self.cap.evictable.register());
                    return Connection { head_wait, ..Connection::new(stream, place, self.idle_timeout) };
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
    /// For an evictable connection: whether it waits for a request head.
    head_wait: Option<Arc<HeadWait>>,
    _place: OwnedSemaphorePermit,
}

impl Connection {
    fn new(stream: TcpStream, place: OwnedSemaphorePermit, idle_timeout: Duration) -> Self {
        let idle = Box::pin(tokio::time::sleep(idle_timeout));
        Self { stream, idle_timeout, idle, head_wait: None, _place: place }
    }

    /// What the HTTP server marks busy while a request of this connection is in flight
    /// (`None` on a listener that never evicts).
    pub fn head_wait(&self) -> Option<Arc<HeadWait>> {
        self.head_wait.clone()
    }

    /// The error of an evicted connection's reads and writes, if it was evicted.
    fn evicted(&self, cx: &Context<'_>) -> Option<io::Error> {
        let evicted = self.head_wait.as_ref().is_some_and(|wait| wait.evicted(cx.waker()));
        evicted.then(|| io::Error::new(io::ErrorKind::ConnectionAborted, "closed to make room at --max-connections"))
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
        if let Some(error) = this.evicted(cx) {
            return Poll::Ready(Err(error));
        }
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
