//! Users (traces sharing a `userId`): `GET /api/public/users` (first/last seen, traces,
//! tokens, cost) and `GET /api/public/users/{id}` (totals, traces and sessions).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::paging::{ListPage, PageQuery};
use super::query::{comma_list, iso_time, Query};
use super::traces::Trace;
use super::wire::iso;
use crate::api::path::PathParams;
use crate::app::{ApiError, AppState, Authed};
use crate::store::filter::Page;
use crate::store::traces::{self, GroupColumn, Oldest};
use crate::store::users::{self, UserFilter, UserRow};

/// Sessions of one user answered at most.
const MAX_SESSIONS: u32 = 1000;

/// The query of `GET /api/public/users`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserQuery {
    #[serde(default, deserialize_with = "iso_time")]
    from_timestamp: Option<i64>,
    #[serde(default, deserialize_with = "iso_time")]
    to_timestamp: Option<i64>,
    #[serde(default, deserialize_with = "comma_list")]
    environment: Vec<String>,
}

/// A user's totals.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    id: String,
    first_seen: String,
    last_seen: String,
    trace_count: i64,
    total_tokens: i64,
    total_cost: f64,
    session_count: i64,
    error_count: i64,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            first_seen: iso(row.first_seen),
            last_seen: iso(row.last_seen),
            id: row.id,
            trace_count: row.trace_count,
            total_tokens: row.total_tokens,
            total_cost: row.total_cost,
            session_count: row.session_count,
            error_count: row.error_count,
        }
    }
}

/// `GET /api/public/users`: most recently seen first.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(paging): Query<PageQuery>,
    Query(query): Query<UserQuery>,
) -> Result<Json<ListPage<User>>, ApiError> {
    let page = paging.page()?;
    let filter = UserFilter { from: query.from_timestamp, to: query.to_timestamp, environments: query.environment };
    let paged = state.read(move |c| Ok(users::page(c, &project.id, &filter, page)?)).await?;
    Ok(Json(ListPage::of(page, paged, User::from)))
}

/// Traces of one user answered at most (the newest).
pub const MAX_TRACES: u32 = 100;

/// A user with their session ids and newest traces (at most [`MAX_TRACES`], input and
/// output as previews).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDetail {
    #[serde(flatten)]
    user: User,
    session_ids: Vec<String>,
    traces: Vec<Trace>,
}

/// `GET /api/public/users/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(id): PathParams<String>,
) -> Result<Json<UserDetail>, ApiError> {
    let first_page = Page { page: 1, limit: MAX_TRACES };
    state
        .read(move |connection| {
            let user =
                users::get(connection, &project.id, &id)?.ok_or_else(|| ApiError::NotFound(format!("user {id}")))?;
            let traces = traces::with(connection, &project.id, GroupColumn::User, &id, Oldest::Last, first_page)?;
            let session_ids = users::sessions(connection, &project.id, &id, MAX_SESSIONS)?;
            Ok(Json(UserDetail {
                user: user.into(),
                session_ids,
                traces: traces.into_iter().map(Trace::from).collect(),
            }))
        })
        .await
}
