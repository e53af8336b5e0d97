//! Page-based lists as Langfuse pages them: `page` (from 1) and `limit` (1-100, default
//! 50), answered `{data, meta: {page, limit, totalItems, totalPages}}`.

use serde::{Deserialize, Serialize};

use crate::app::ApiError;
use crate::store::filter::{Page, Paged};

/// The paging parameters of a list.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// 1-based page (default 1).
    pub page: Option<u32>,
    /// Items per page (default 50, at most 100).
    pub limit: Option<u32>,
}

impl PageQuery {
    /// The validated page.
    pub fn page(&self) -> Result<Page, ApiError> {
        let (page, limit) = (self.page.unwrap_or(1), self.limit.unwrap_or(50));
        if page == 0 {
            return Err(ApiError::BadRequest("page starts at 1".into()));
        }
        if !(1..=100).contains(&limit) {
            return Err(ApiError::BadRequest("limit must be between 1 and 100".into()));
        }
        Ok(Page { page, limit })
    }
}

/// Langfuse's pagination block.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageMeta {
    /// 1-based page.
    pub page: u32,
    /// Items per page.
    pub limit: u32,
    /// Items matching.
    pub total_items: u64,
    /// Pages.
    pub total_pages: u64,
}

impl PageMeta {
    /// The block for `page` of `limit` items out of `total_items`.
    pub fn new(page: u32, limit: u32, total_items: u64) -> Self {
        Self { page, limit, total_items, total_pages: total_items.div_ceil(u64::from(limit.max(1))) }
    }
}

/// One page of a list.
#[derive(Debug, Serialize)]
pub struct ListPage<T> {
    /// The items.
    pub data: Vec<T>,
    /// Where this page is.
    pub meta: PageMeta,
}

impl<T> ListPage<T> {
    /// The page of `paged` rows, each shaped by `wire`.
    pub fn of<R>(page: Page, paged: Paged<R>, wire: impl FnMut(R) -> T) -> Self {
        Self {
            data: paged.rows.into_iter().map(wire).collect(),
            meta: PageMeta::new(page.page, page.limit, paged.total),
        }
    }
}

/// The paging parameters of a cursor-paged list, and the field groups it returns.
#[derive(Debug, Deserialize)]
pub struct CursorQuery {
    /// Items per page.
    pub limit: Option<u32>,
    /// Where the previous page ended (`meta.cursor` of its answer).
    pub cursor: Option<String>,
    /// Field groups, `fields=a,b` or repeated.
    #[serde(default, deserialize_with = "super::query::comma_list")]
    pub fields: Vec<String>,
}

impl CursorQuery {
    /// The validated page size: default 50, at most `max`.
    pub fn limit(&self, max: u32) -> Result<u32, ApiError> {
        let limit = self.limit.unwrap_or(50);
        if !(1..=max).contains(&limit) {
            return Err(ApiError::BadRequest(format!("limit must be between 1 and {max}")));
        }
        Ok(limit)
    }
}
