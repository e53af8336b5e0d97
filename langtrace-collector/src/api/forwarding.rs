//! Forwarding's status, ours: `GET /api/public/forwarding` answers
//! `{enabled, endpoint, protocol, pendingSpans, deliveredSpans, droppedSpans, lagSeconds,
//! lastSuccessAt, lastError, delivering}` (`delivering`: whether this collector is the
//! one of those sharing a database that delivers). The counts and the lag are the calling
//! key's project's (projects stay apart); the endpoint (without credentials), the last success and the
//! last error are the upstream's, which every project shares. Off: `enabled: false`,
//! the endpoint and protocol `null`, zeros.

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use super::wire::{iso, seconds};
use crate::app::{ApiError, AppState, Authed};
use crate::forward::outbox::{self, Totals};
use crate::store;

/// Forwarding as one project sees it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ForwardingStatus {
    enabled: bool,
    endpoint: Option<String>,
    protocol: Option<&'static str>,
    pending_spans: i64,
    delivered_spans: i64,
    dropped_spans: i64,
    lag_seconds: f64,
    last_success_at: Option<String>,
    last_error: Option<String>,
    delivering: bool,
}

/// The totals of `project_id` and the age in seconds of its oldest pending span (0 when
/// none waits).
pub async fn project_totals(state: &AppState, project_id: String) -> Result<(Totals, f64), ApiError> {
    let totals = state.read(move |connection| Ok(outbox::totals(connection, &project_id)?)).await?;
    let lag = totals.oldest_pending_ns.map_or(0.0, |oldest| seconds(oldest, store::now_ns()).max(0.0));
    Ok((totals, lag))
}

/// `GET /api/public/forwarding`.
pub async fn status(
    State(state): State<AppState>,
    Authed(project): Authed,
) -> Result<Json<ForwardingStatus>, ApiError> {
    let (totals, lag) = project_totals(&state, project.id).await?;
    let forwarding = state.forward.as_deref();
    let seen = forwarding.map(|f| f.seen()).unwrap_or_default();
    Ok(Json(ForwardingStatus {
        enabled: forwarding.is_some(),
        endpoint: forwarding.map(|f| f.config().display_endpoint()),
        protocol: forwarding.map(|f| f.config().protocol()),
        pending_spans: totals.pending_spans,
        delivered_spans: totals.delivered_spans,
        dropped_spans: totals.dropped_spans,
        lag_seconds: lag,
        last_success_at: seen.last_success_ns.map(iso),
        last_error: seen.last_error,
        delivering: seen.delivering,
    }))
}
