//! Listeners reachable from other machines: Basic credentials and traced data cross the
//! network in clear text unless TLS is in front (see `docs/collector.md`, "TLS"), so such
//! a bind is logged as a warning, and `langtrace demo` refuses one with its fixed keys.

use std::net::SocketAddr;

use crate::server::Listening;

/// Whether only this machine can reach `addr`.
pub fn is_loopback(addr: SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// Logs a warning for each listener bound to a non-loopback address.
pub fn warn_if_reachable(listening: &Listening) {
    let listeners = [
        (listening.http_addr, "HTTP (OTLP/HTTP, API, UI)", "--http-addr / LANGTRACE_HTTP_ADDR"),
        (listening.grpc_addr, "OTLP/gRPC", "--grpc-addr / LANGTRACE_GRPC_ADDR"),
    ];
    for (addr, listener, setting) in listeners.into_iter().filter(|(addr, ..)| !is_loopback(*addr)) {
        tracing::warn!(
            %addr,
            "the {listener} listener ({setting}) is reachable from other machines: keys and traces cross the \
             network in clear text unless TLS is in front (docs/collector.md, \"TLS\")"
        );
    }
}
