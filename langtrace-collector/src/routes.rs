//! Every route of the HTTP listener, in one table: OTLP/HTTP ingest, the JSON API under
//! `/api/public`, the media upload URL, and the UI's assets.

use axum::extract::DefaultBodyLimit;
use axum::http::Uri;
use axum::routing::{delete, get, patch, post, put};
use axum::Router;

use crate::api::{comments, share, trace_update};
use crate::api::{
    datasets, export, health, keys, media, metrics, models, observations, observations_v2, prompts, scores, sessions,
    traces, users,
};
use crate::api::{forwarding, prometheus};
use crate::api::{llm_connections, playground};
use crate::api::{retention, trace_delete};
use crate::app::{ApiError, AppState};
use crate::receive;

/// The HTTP routes.
pub fn router(state: AppState) -> Router {
    let limit = state.limits.max_body_bytes;
    Router::new()
        .route("/v1/traces", post(receive::http::export))
        .route("/api/public/otel/v1/traces", post(receive::http::export))
        .route("/api/public/health", get(health::health))
        .route("/api/public/projects", get(health::projects))
        .route("/api/public/environments", get(health::environments))
        .route("/api/public/traces", get(traces::list).delete(trace_delete::many))
        .route("/api/public/traces/{id}", get(traces::detail).delete(trace_delete::one))
        .route("/api/public/observations", get(observations::list))
        .route("/api/public/observations/{id}", get(observations::detail))
        .route("/api/public/v2/observations", get(observations_v2::list))
        .route("/api/public/sessions", get(sessions::list))
        .route("/api/public/sessions/{id}", get(sessions::detail))
        .route("/api/public/users", get(users::list))
        .route("/api/public/users/{id}", get(users::detail))
        .route("/api/public/scores", post(scores::create).get(scores::list))
        .route("/api/public/v2/scores", get(scores::list))
        .route("/api/public/v3/scores", get(scores::list_v3))
        .route("/api/public/ingestion", post(scores::ingestion))
        .route("/api/public/metrics", get(metrics::query))
        .route("/api/public/v2/metrics", get(metrics::query))
        .route("/api/public/media", post(media::create))
        .route("/api/public/media/{id}", get(media::get).patch(media::report))
        .route("/api/public/media/{id}/content", get(media::content))
        .route("/media-upload/{id}/{token}", put(media::upload))
        .route("/api/public/models", get(models::list).post(models::create))
        .route("/api/public/models/{id}", delete(models::delete))
        .route("/api/public/projects/{project_id}/apiKeys", get(keys::list))
        .route("/api/public/projects/{project_id}/apiKeys/{public_key}", delete(keys::revoke))
        .route("/api/public/v2/prompts", get(prompts::list::list).post(prompts::create::create))
        .route("/api/public/v2/prompts/{name}", get(prompts::get::get).delete(prompts::delete::delete))
        .route("/api/public/v2/prompts/{name}/versions/{version}", patch(prompts::labels::update))
        .route("/api/public/v2/prompts/{name}/labels/history", get(prompts::history::history))
        .route("/api/public/v2/prompts/{name}/metrics", get(prompts::metrics::metrics))
        .route("/api/public/traces/{id}", patch(trace_update::update))
        .route("/api/public/comments", post(comments::create).get(comments::list))
        .route("/api/public/comments/{id}", get(comments::get))
        .route("/api/public/share/traces/{id}", get(share::trace))
        .route("/api/public/share/traces/{id}/observations/{observation_id}", get(share::observation))
        .route("/api/public/share/traces/{id}/media/{media_id}", get(share::media))
        .route("/api/public/traces/export", get(export::traces::export))
        .route("/api/public/observations/export", get(export::observations::export))
        .route("/api/public/v2/datasets/{name}/export", get(export::datasets::export))
        .route("/api/public/v2/datasets", get(datasets::sets::list).post(datasets::sets::create))
        .route("/api/public/v2/datasets/{name}", get(datasets::sets::get))
        .route("/api/public/dataset-items", get(datasets::items::list).post(datasets::items::create))
        .route("/api/public/dataset-items/{id}", get(datasets::items::get).delete(datasets::items::delete))
        .route("/api/public/dataset-run-items", get(datasets::run_items::list).post(datasets::run_items::create))
        .route("/api/public/datasets/{name}", get(datasets::sets::get_v1))
        .route("/api/public/datasets/{name}/runs", get(datasets::runs::list))
        .route("/api/public/datasets/{name}/runs/{run}", get(datasets::runs::get).delete(datasets::runs::delete))
        .route("/api/public/experiments", get(datasets::experiments::list))
        .route("/api/public/experiment-items", get(datasets::experiments::items))
        .route("/api/public/projects/{project_id}/retention", get(retention::get).put(retention::put))
        .route("/api/public/llm-connections", get(llm_connections::manage::list).put(llm_connections::manage::upsert))
        .route("/api/public/llm-connections/{id}", delete(llm_connections::manage::delete))
        .route("/api/public/llm-connections/{id}/test", post(llm_connections::check::test))
        .route("/api/playground/chat", post(playground::chat::chat))
        .route("/v1/chat/completions", post(playground::proxy::completions))
        .route("/api/public/forwarding", get(forwarding::status))
        .route("/metrics", get(prometheus::metrics))
        .fallback(no_route)
        .layer(axum::middleware::map_response(crate::app::headers::api_headers))
        .merge(crate::ui::router())
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// Any other path: 404 as the API's JSON error.
async fn no_route(uri: Uri) -> ApiError {
    ApiError::NotFound(format!("route {}", uri.path()))
}
