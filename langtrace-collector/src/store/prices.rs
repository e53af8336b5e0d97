//! A project's own model prices (matched before the shipped defaults).

use super::now_ns;
use crate::pricing::Price;
use crate::store::db::{self, params, Connection, Row, Transaction};

fn read(row: &Row<'_>) -> db::Result<Price> {
    Ok(Price {
        id: row.get("id")?,
        model_name: row.get("model_name")?,
        match_pattern: row.get("match_pattern")?,
        input_price: row.get("input_price")?,
        output_price: row.get("output_price")?,
    })
}

/// A project's prices, newest first.
pub fn of_project(connection: &Connection, project_id: &str) -> db::Result<Vec<Price>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, model_name, match_pattern, input_price, output_price FROM model_prices
         WHERE project_id = ?1 ORDER BY id DESC",
    )?;
    let rows = statement.query_map([project_id], read)?;
    rows.collect()
}

/// How many prices a project has.
pub fn count(connection: &Connection, project_id: &str) -> db::Result<usize> {
    let count: i64 =
        connection
            .query_row("SELECT COUNT(*) FROM model_prices WHERE project_id = ?1", [project_id], |row| row.get(0))?;
    Ok(usize::try_from(count).unwrap_or(usize::MAX))
}

/// Stores a price (its `id` is ignored) and returns it with its new id.
pub fn insert(tx: &Transaction<'_>, project_id: &str, price: &Price) -> db::Result<Price> {
    let id = tx.query_row(
        "INSERT INTO model_prices (project_id, model_name, match_pattern, input_price, output_price, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
        params![project_id, price.model_name, price.match_pattern, price.input_price, price.output_price, now_ns()],
        |row| row.get(0),
    )?;
    Ok(Price { id: Some(id), ..price.clone() })
}

/// Deletes a price; the rows removed.
pub fn delete(tx: &Transaction<'_>, project_id: &str, id: i64) -> db::Result<usize> {
    tx.execute("DELETE FROM model_prices WHERE project_id = ?1 AND id = ?2", params![project_id, id])
}
