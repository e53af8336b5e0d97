//! `GET`, `PUT /api/public/llm-connections` and `DELETE /api/public/llm-connections/{id}`.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::wire::{LlmConnection, UpsertBody};
use crate::api::body::JsonBody;
use crate::api::paging::{ListPage, PageMeta, PageQuery};
use crate::api::path::PathParams;
use crate::api::query::Query;
use crate::app::{ApiError, AppState, Authed};
use crate::store::connections;
use crate::store::write::connections as write;

/// `GET /api/public/llm-connections`: the project's connections by provider name, paged.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(query): Query<PageQuery>,
) -> Result<Json<ListPage<LlmConnection>>, ApiError> {
    let page = query.page()?;
    let paged = state.read(move |c| Ok(connections::list(c, &project.id, page)?)).await?;
    let data = paged.rows.into_iter().map(LlmConnection::from).collect();
    Ok(Json(ListPage { data, meta: PageMeta::new(page.page, page.limit, paged.total) }))
}

/// `PUT /api/public/llm-connections`: creates the connection, or replaces the project's
/// connection of the same provider name (keeping its id).
pub async fn upsert(
    State(state): State<AppState>,
    Authed(project): Authed,
    JsonBody(body): JsonBody<UpsertBody>,
) -> Result<Json<LlmConnection>, ApiError> {
    let secret_box = state.keyring.get().map_err(ApiError::internal)?;
    let new = body.validate(&secret_box)?;
    let row = state.writer.write(move |tx| write::upsert(tx, &project.id, &new)).await?;
    Ok(Json(row.into()))
}

/// `DELETE /api/public/llm-connections/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    let deleted = state.writer.write({
        let id = id.clone();
        move |tx| write::delete(tx, &project.id, &id)
    });
    if !deleted.await? {
        return Err(ApiError::NotFound(format!("LLM connection '{id}'")));
    }
    Ok(Json(json!({"message": "LLM connection deleted"})))
}
