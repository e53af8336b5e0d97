//! Model prices, `GET/POST /api/public/models` and `DELETE /api/public/models/{id}`: a
//! project's own prices (matched before the shipped defaults) for computing the cost of
//! generations that report usage without cost.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use rusqlite::params;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{read, ApiError, AppState, Authed, PageMeta};
use crate::pricing::{self, Price};
use crate::store::now_ns;

fn price_json(price: &Price, managed: bool) -> Value {
    json!({
        "id": price.id.map_or_else(|| format!("default-{}", price.model_name), |id| id.to_string()),
        "modelName": price.model_name,
        "matchPattern": price.match_pattern,
        "inputPrice": price.input_price,
        "outputPrice": price.output_price,
        "unit": "TOKENS",
        "isLangfuseManaged": managed,
    })
}

/// `GET /api/public/models`: the project's prices, then the shipped defaults.
pub async fn list(State(state): State<AppState>, Authed(project): Authed) -> Result<Json<Value>, ApiError> {
    read(&state, move |connection| {
        let mut statement = connection.prepare_cached(
            "SELECT id, model_name, match_pattern, input_price, output_price FROM model_prices
             WHERE project_id = ?1 ORDER BY id DESC",
        )?;
        let own: Vec<Price> = statement
            .query_map([&project.id], |row| {
                Ok(Price {
                    id: row.get(0)?,
                    model_name: row.get(1)?,
                    match_pattern: row.get(2)?,
                    input_price: row.get(3)?,
                    output_price: row.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut data: Vec<Value> = own.iter().map(|p| price_json(p, false)).collect();
        data.extend(pricing::defaults().iter().map(|p| price_json(p, true)));
        let total = data.len() as u64;
        Ok(Json(json!({"data": data, "meta": PageMeta::new(1, total.max(1) as u32, total)})))
    })
    .await
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
    Json(body): Json<NewPrice>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    pricing::compile(&body.match_pattern).map_err(|e| ApiError::BadRequest(format!("matchPattern: {e}")))?;
    let valid = |p: f64| p.is_finite() && p >= 0.0;
    if !valid(body.input_price) || !valid(body.output_price) {
        return Err(ApiError::BadRequest("prices must be non-negative numbers".into()));
    }
    let project_id = project.id.clone();
    let (name, pattern, input, output) = (body.model_name, body.match_pattern, body.input_price, body.output_price);
    let created = state
        .writer
        .write(move |tx, writer| {
            tx.execute(
                "INSERT INTO model_prices (project_id, model_name, match_pattern, input_price, output_price, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![project_id, name, pattern, input, output, now_ns()],
            )?;
            writer.prices.invalidate(&project_id);
            Ok(Price {
                id: Some(tx.last_insert_rowid()),
                model_name: name.clone(),
                match_pattern: pattern.clone(),
                input_price: input,
                output_price: output,
            })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(price_json(&created, false))))
}

/// `DELETE /api/public/models/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    Authed(project): Authed,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let removed = state
        .writer
        .write(move |tx, writer| {
            let removed =
                tx.execute("DELETE FROM model_prices WHERE project_id = ?1 AND id = ?2", params![project.id, id])?;
            writer.prices.invalidate(&project.id);
            Ok(removed)
        })
        .await?;
    if removed == 0 {
        return Err(ApiError::NotFound(format!("model {id}")));
    }
    Ok(StatusCode::NO_CONTENT)
}
