//! Sessions (traces sharing a `sessionId`): `GET /api/public/sessions` with totals, and
//! `GET /api/public/sessions/{id}` with its traces in order, a page at a time, their
//! input and output as previews (see [`super::preview`]).

use std::collections::BTreeSet;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::paging::{ListPage, PageMeta, PageQuery};
use super::query::{comma_list, iso_time, Query};
use super::traces::Trace;
use super::wire::{iso, seconds};
use crate::api::path::PathParams;
use crate::app::{ApiError, AppState, Authed};
use crate::store::sessions::{self, SessionFilter, SessionRow};
use crate::store::traces::{self, GroupColumn, Oldest};

/// The query of `GET /api/public/sessions`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionQuery {
    #[serde(default, deserialize_with = "iso_time")]
    from_timestamp: Option<i64>,
    #[serde(default, deserialize_with = "iso_time")]
    to_timestamp: Option<i64>,
    user_id: Option<String>,
    #[serde(default, deserialize_with = "comma_list")]
    environment: Vec<String>,
}

/// A session's totals.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    id: String,
    created_at: String,
    last_trace_at: String,
    duration: f64,
    trace_count: i64,
    total_tokens: i64,
    total_cost: f64,
    /// Sorted, each once.
    user_ids: Vec<String>,
    environment: String,
    project_id: String,
    error_count: i64,
}

impl From<SessionRow> for Session {
    fn from(row: SessionRow) -> Self {
        let users: Vec<Option<String>> = serde_json::from_str(&row.user_ids).unwrap_or_default();
        Session {
            created_at: iso(row.first_start),
            last_trace_at: iso(row.last_end),
            duration: seconds(row.first_start, row.last_end),
            user_ids: users.into_iter().flatten().collect::<BTreeSet<_>>().into_iter().collect(),
            id: row.id,
            trace_count: row.trace_count,
            total_tokens: row.total_tokens,
            total_cost: row.total_cost,
            environment: row.environment,
            project_id: row.project_id,
            error_count: row.error_count,
        }
    }
}

/// `GET /api/public/sessions`: newest activity first.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(paging): Query<PageQuery>,
    Query(query): Query<SessionQuery>,
) -> Result<Json<ListPage<Session>>, ApiError> {
    let page = paging.page()?;
    let filter = SessionFilter {
        from: query.from_timestamp,
        to: query.to_timestamp,
        user_id: query.user_id,
        environments: query.environment,
    };
    let paged = state.read(move |c| Ok(sessions::page(c, &project.id, &filter, page)?)).await?;
    Ok(Json(ListPage::of(page, paged, Session::from)))
}

/// A session with one page of its traces (oldest first; `page` and `limit` as lists
/// take them, `tracesMeta` says where the page is and `tracesTruncated` whether more
/// follow).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionDetail {
    #[serde(flatten)]
    session: Session,
    traces_truncated: bool,
    traces_meta: PageMeta,
    traces: Vec<Trace>,
}

/// `GET /api/public/sessions/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(id): PathParams<String>,
    Query(paging): Query<PageQuery>,
) -> Result<Json<SessionDetail>, ApiError> {
    let page = paging.page()?;
    state
        .read(move |connection| {
            let session = sessions::get(connection, &project.id, &id)?
                .ok_or_else(|| ApiError::NotFound(format!("session {id}")))?;
            let rows = traces::with(connection, &project.id, GroupColumn::Session, &id, Oldest::First, page)?;
            let meta = PageMeta::new(page.page, page.limit, session.trace_count.max(0) as u64);
            Ok(Json(SessionDetail {
                session: session.into(),
                traces_truncated: u64::from(page.page) < meta.total_pages,
                traces_meta: meta,
                traces: rows.into_iter().map(Trace::from).collect(),
            }))
        })
        .await
}
