//! The HTTP listener (OTLP/HTTP, the API, the UI): HTTP/1.1 through hyper with its timer
//! set, so a request head must arrive within the header-read timeout (from the moment
//! the connection is ready for one, which also ends idle keep-alive connections), over
//! connections taken from a [`Listener`] (cap and idle timeout). Stopping stops
//! accepting, lets each connection finish its request in flight, then returns.

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tonic::transport::server::Connected;
use tower_service::Service;

use super::connection::Listener;
use super::eviction::HeadWait;

/// Serves `router` on `listener` until `stop` resolves, then waits for the connections
/// to finish. Each request carries its client's address (`ConnectInfo<SocketAddr>`, for
/// the failed-authentication limit).
pub async fn serve(listener: Listener, router: Router, header_read_timeout: Duration, stop: impl Future<Output = ()>) {
    let mut with_client = router.into_make_service_with_connect_info::<SocketAddr>();
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(header_read_timeout).keep_alive(true);
    let connections = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let connection = tokio::select! {
            connection = listener.accept() => connection,
            () = &mut stop => break,
        };
        let client = connection.connect_info().remote_addr().unwrap_or((Ipv4Addr::UNSPECIFIED, 0).into());
        let Ok(routes) = with_client.call(client).await;
        let head_wait = connection.head_wait();
        // Busy (not evictable at the cap) from a request's head to its answer.
        let service = service_fn(move |request| {
            let busy = head_wait.as_ref().map(HeadWait::busy);
            let answer = routes.clone().call(request);
            async move {
                let answer = answer.await;
                drop(busy);
                answer
            }
        });
        let serving = connections.watch(builder.serve_connection(TokioIo::new(connection), service));
        tokio::spawn(async move {
            if let Err(error) = serving.await {
                tracing::debug!(%error, "HTTP connection ended with an error");
            }
        });
    }
    drop(listener);
    connections.shutdown().await;
}
