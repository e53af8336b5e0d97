//! `GET /api/public/environments`: the environments the project's traces were sent
//! with, for the UI's selector.

use axum::extract::State;
use axum::Json;
use rusqlite::types::Value as Sql;
use serde_json::{json, Value};

use super::{read, ApiError, AppState, Authed};
use crate::store::query;

/// Environments listed at most (a selector, not a report).
const MAX_ENVIRONMENTS: i64 = 200;

/// `GET /api/public/environments`: `{data: [{name}]}`, sorted by name. Each name is one
/// index seek past the previous one, so the cost does not grow with the traces stored.
pub async fn list(State(state): State<AppState>, Authed(project): Authed) -> Result<Json<Value>, ApiError> {
    read(&state, move |connection| {
        let names = query::all(
            connection,
            "WITH RECURSIVE names(name, n) AS (
                SELECT MIN(environment), 1 FROM traces WHERE project_id = ?1
                UNION ALL
                SELECT (SELECT MIN(environment) FROM traces WHERE project_id = ?1 AND environment > names.name), n + 1
                FROM names WHERE names.name IS NOT NULL AND n < ?2
             )
             SELECT name FROM names WHERE name IS NOT NULL",
            vec![Sql::Text(project.id), Sql::Integer(MAX_ENVIRONMENTS)],
            |row| Ok(json!({"name": row.get::<_, String>(0)?})),
        )?;
        Ok(Json(json!({"data": names})))
    })
    .await
}
