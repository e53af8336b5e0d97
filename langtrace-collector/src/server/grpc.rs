//! The OTLP/gRPC listener: tonic over HTTP/2, over connections taken from a
//! [`Listener`] (cap and idle timeout). Clients are pinged when quiet for half the idle
//! timeout (so a live client never reaches it, and one that does not answer is closed),
//! a connection carries a bounded number of exports at once and is asked to reconnect
//! after [`MAX_CONNECTION_AGE`], and each export must finish within the body timeout.

use std::future::Future;
use std::time::Duration;

use futures_util::stream;

use super::connection::Listener;
use crate::receive::grpc::GrpcReceiver;

/// Exports one connection carries at once (HTTP/2 `SETTINGS_MAX_CONCURRENT_STREAMS`:
/// clients wait for a stream); admission to the writer is bounded separately.
const MAX_CONCURRENT_STREAMS: u32 = 64;

/// How long a PING may go unanswered before the connection is closed.
const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(20);

/// Age after which a connection is asked to end (GOAWAY) so that its place under the
/// cap comes free for others; clients reconnect.
const MAX_CONNECTION_AGE: Duration = Duration::from_secs(30 * 60);

/// Serves the trace service on `listener` until `stop` resolves, then waits for the
/// connections to finish. `idle_timeout` is the listener's (clients are pinged at half
/// of it); an export must finish within `export_timeout`.
pub async fn serve(
    listener: Listener,
    receiver: GrpcReceiver,
    idle_timeout: Duration,
    export_timeout: Duration,
    stop: impl Future<Output = ()>,
) -> Result<(), tonic::transport::Error> {
    let incoming = stream::unfold(listener, |listener| async move {
        let connection = listener.accept().await;
        Some((Ok::<_, std::io::Error>(connection), listener))
    });
    tonic::transport::Server::builder()
        .timeout(export_timeout)
        .http2_keepalive_interval(Some(idle_timeout / 2))
        .http2_keepalive_timeout(Some(KEEPALIVE_TIMEOUT))
        .max_concurrent_streams(MAX_CONCURRENT_STREAMS)
        .max_connection_age(MAX_CONNECTION_AGE)
        // An export in flight then has its own deadline to finish.
        .max_connection_age_grace(export_timeout)
        .add_service(receiver.into_service())
        .serve_with_incoming_shutdown(incoming, stop)
        .await
}
