//! A project's own model prices (matched before the shipped defaults).

use rusqlite::{params, Connection, Row, Transaction};

use super::now_ns;
use crate::pricing::Price;

fn read(row: &Row<'_>) -> rusqlite::Result<Price> {
    Ok(Price {
        id: row.get("id")?,
        model_name: row.get("model_name")?,
        match_pattern: row.get("match_pattern")?,
        input_price: row.get("input_price")?,
        output_price: row.get("output_price")?,
    })
}

/// A project's prices, newest first.
pub fn of_project(connection: &Connection, project_id: &str) -> rusqlite::Result<Vec<Price>> {
    let mut statement = connection.prepare_cached(
        "SELECT id, model_name, match_pattern, input_price, output_price FROM model_prices
         WHERE project_id = ?1 ORDER BY id DESC",
    )?;
    let rows = statement.query_map([project_id], read)?;
    rows.collect()
}

/// How many prices a project has.
pub fn count(connection: &Connection, project_id: &str) -> rusqlite::Result<usize> {
    let count: i64 =
        connection
            .query_row("SELECT COUNT(*) FROM model_prices WHERE project_id = ?1", [project_id], |row| row.get(0))?;
    Ok(usize::try_from(count).unwrap_or(usize::MAX))
}

/// Stores a price (its `id` is ignored) and returns it with its new id.
pub fn insert(tx: &Transaction<'_>, project_id: &str, price: &Price) -> rusqlite::Result<Price> {
    tx.execute(
        "INSERT INTO model_prices (project_id, model_name, match_pattern, input_price, output_price, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![project_id, price.model_name, price.match_pattern, price.input_price, price.output_price, now_ns()],
    )?;
    Ok(Price { id: Some(tx.last_insert_rowid()), ..price.clone() })
}

/// Deletes a price; the rows removed.
pub fn delete(tx: &Transaction<'_>, project_id: &str, id: i64) -> rusqlite::Result<usize> {
    tx.execute("DELETE FROM model_prices WHERE project_id = ?1 AND id = ?2", params![project_id, id])
}
