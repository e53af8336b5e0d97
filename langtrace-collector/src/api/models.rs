//! Model prices, `GET/POST /api/public/models` and `DELETE /api/public/models/{id}`: a
//! project's own prices (matched before the shipped defaults) for computing the cost of
//! generations that report usage without cost.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::paging::{ListPage, PageMeta};
use crate::api::body::JsonBody;
use crate::api::path::PathParams;
use crate::app::{ApiError, AppState, Authed};
use crate::pricing::{self, Price};
use crate::store::prices;

/// A price as the API answers it (USD per token).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Model {
    id: String,
    model_name: String,
    match_pattern: String,
    input_price: f64,
    output_price: f64,
    unit: &'static str,
    is_langfuse_managed: bool,
}

impl Model {
    /// A project's own price (`managed: false`) or a shipped default (`true`).
    fn new(price: Price, managed: bool) -> Self {
        Model {
            id: price.id.map_or_else(|| format!("default-{}", price.model_name), |id| id.to_string()),
            model_name: price.model_name,
            match_pattern: price.match_pattern,
            input_price: price.input_price,
            output_price: price.output_price,
            unit: "TOKENS",
            is_langfuse_managed: managed,
        }
    }
}

/// `GET /api/public/models`: the project's prices, then the shipped defaults.
pub async fn list(State(state): State<AppState>, Authed(project): Authed) -> Result<Json<ListPage<Model>>, ApiError> {
    let own = state.read(move |c| Ok(prices::of_project(c, &project.id)?)).await?;
    let mut data: Vec<Model> = own.into_iter().map(|p| Model::new(p, false)).collect();
    data.extend(pricing::defaults().into_iter().map(|p| Model::new(p, true)));
    let total = data.len() as u64;
    Ok(Json(ListPage { data, meta: PageMeta::new(1, total.max(1) as u32, total) }))
}

/// Body of `POST /api/public/models` (USD per token).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewPrice {
    model_name: String,
    match_pattern: String,
    input_price: f64,
    output_price: f64,
}

/// `POST /api/public/models`.
pub async fn create(
    State(state): State<AppState>,
    Authed(project): Authed,
    JsonBody(body): JsonBody<NewPrice>,
) -> Result<(StatusCode, Json<Model>), ApiError> {
    pricing::compile(&body.match_pattern).map_err(|e| ApiError::BadRequest(format!("matchPattern: {e}")))?;
    let valid = |p: f64| p.is_finite() && p >= 0.0;
    if !valid(body.input_price) || !valid(body.output_price) {
        return Err(ApiError::BadRequest("prices must be non-negative numbers".into()));
    }
    let price = Price {
        id: None,
        model_name: body.model_name,
        match_pattern: body.match_pattern,
        input_price: body.input_price,
        output_price: body.output_price,
    };
    let created = state
        .writer
        .write({
            let project_id = project.id.clone();
            move |tx| {
                if prices::count(tx, &project_id)? >= pricing::MAX_PRICES_PER_PROJECT {
                    return Ok(None);
                }
                prices::insert(tx, &project_id, &price).map(Some)
            }
        })
        .await?
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "a project has at most {} prices (the per-project limit); delete one first",
                pricing::MAX_PRICES_PER_PROJECT
            ))
        })?;
    state.prices.invalidate(&project.id);
    Ok((StatusCode::CREATED, Json(Model::new(created, false))))
}

/// `DELETE /api/public/models/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(id): PathParams<i64>,
) -> Result<StatusCode, ApiError> {
    let project_id = project.id.clone();
    let removed = state.writer.write(move |tx| prices::delete(tx, &project_id, id)).await?;
    state.prices.invalidate(&project.id);
    if removed == 0 {
        return Err(ApiError::NotFound(format!("model {id}")));
    }
    Ok(StatusCode::NO_CONTENT)
}
