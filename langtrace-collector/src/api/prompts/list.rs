//! `GET /api/public/v2/prompts`: the names with versions matching the filters, sorted by
//! name, `limit` (default 10) per page.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::wire::{PromptMeta, PromptPage};
use crate::api::paging::{PageMeta, PageQuery};
use crate::api::query::{iso_time, Query};
use crate::app::{ApiError, AppState, Authed};
use crate::store::prompts::list::{self, ListFilter};

/// Prompts per page unless `limit` says otherwise (Langfuse's default here).
const DEFAULT_LIMIT: u32 = 10;

/// The query of `GET /api/public/v2/prompts`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    name: Option<String>,
    label: Option<String>,
    tag: Option<String>,
    version: Option<i64>,
    page: Option<u32>,
    limit: Option<u32>,
    #[serde(default, deserialize_with = "iso_time")]
    from_updated_at: Option<i64>,
    #[serde(default, deserialize_with = "iso_time")]
    to_updated_at: Option<i64>,
}

/// `GET /api/public/v2/prompts`.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(query): Query<ListQuery>,
) -> Result<Json<PromptPage>, ApiError> {
    let page = PageQuery { page: query.page, limit: Some(query.limit.unwrap_or(DEFAULT_LIMIT)) }.page()?;
    let filter = ListFilter {
        name: query.name,
        label: query.label,
        tag: query.tag,
        version: query.version,
        from_updated_at: query.from_updated_at,
        to_updated_at: query.to_updated_at,
    };
    let paged = state.read(move |c| Ok(list::page(c, &project.id, &filter, page)?)).await?;
    Ok(Json(PromptPage {
        data: paged.rows.into_iter().map(PromptMeta::from).collect(),
        meta: PageMeta::new(page.page, page.limit, paged.total),
        pagination: PageMeta::new(page.page, page.limit, paged.total),
    }))
}
