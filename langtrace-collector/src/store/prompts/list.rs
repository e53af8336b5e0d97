//! The prompt list: names with at least one version matching the filters, sorted by
//! name, page by page; each with its matching versions, their labels, the tags and the
//! newest matching version's config.

use crate::store::db::{self, Connection, Value as Sql};
use crate::store::filter::{self, Filter, Page, Paged};

/// Which versions the list considers.
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    /// Exact name.
    pub name: Option<String>,
    /// Versions carrying this label.
    pub label: Option<String>,
    /// Versions carrying this tag.
    pub tag: Option<String>,
    /// This version number.
    pub version: Option<i64>,
    /// Changed at or after (ns).
    pub from_updated_at: Option<i64>,
    /// Changed before (ns).
    pub to_updated_at: Option<i64>,
}

/// One name of the list.
#[derive(Debug, Clone)]
pub struct PromptSummary {
    /// Name.
    pub name: String,
    /// `text` or `chat`.
    pub prompt_type: String,
    /// Matching versions, ascending.
    pub versions: Vec<i64>,
    /// Labels on the matching versions.
    pub labels: Vec<String>,
    /// Tags, a JSON array of strings.
    pub tags: String,
    /// Latest change of a matching version (ns).
    pub last_updated_at: i64,
    /// Config of the newest matching version, JSON text.
    pub last_config: String,
}

impl ListFilter {
    fn clause(&self, project_id: &str) -> Filter {
        let mut filter = Filter::project("p", project_id);
        filter
            .and_some("p.name = ?", &self.name)
            .and_some(
                "EXISTS (SELECT 1 FROM prompt_labels l WHERE l.project_id = p.project_id AND l.name = p.name
                 AND l.version = p.version AND l.label = ?)",
                &self.label,
            )
            .and_some("EXISTS (SELECT 1 FROM json_each(p.tags) WHERE json_each.value = ?)", &self.tag)
            .and_some("p.version = ?", &self.version)
            .and_some("p.updated_at >= ?", &self.from_updated_at)
            .and_some("p.updated_at < ?", &self.to_updated_at);
        filter
    }
}

/// One page of names matching `list_filter`.
pub fn page(
    connection: &Connection,
    project_id: &str,
    list_filter: &ListFilter,
    page: Page,
) -> db::Result<Paged<PromptSummary>> {
    let clause = list_filter.clause(project_id);
    let names = filter::page(
        connection,
        &clause,
        page,
        (
            "SELECT COUNT(DISTINCT p.name) FROM prompts p WHERE {where}",
            "SELECT DISTINCT p.name FROM prompts p WHERE {where} ORDER BY p.name",
        ),
        |row| row.get::<_, String>(0),
    )?;
    let rows = names.rows.into_iter().map(|name| summary(connection, &clause, name)).collect::<db::Result<Vec<_>>>()?;
    Ok(Paged { rows, total: names.total })
}

/// The summary of `name` over the versions `clause` matches.
fn summary(connection: &Connection, clause: &Filter, name: String) -> db::Result<PromptSummary> {
    let sql = format!(
        "SELECT p.version, p.type, p.tags, p.updated_at, p.config FROM prompts p
         WHERE {} AND p.name = ? ORDER BY p.version",
        clause.sql()
    );
    let versions = filter::all(connection, &sql, clause.params([Sql::Text(name.clone())]), |row| {
        Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?, row.get(3)?, row.get(4)?))
    })?;
    let labels_sql = format!(
        "SELECT l.label FROM prompt_labels l JOIN prompts p
         ON p.project_id = l.project_id AND p.name = l.name AND p.version = l.version
         WHERE {} AND p.name = ? ORDER BY l.version, l.seq",
        clause.sql()
    );
    let labels = filter::all(connection, &labels_sql, clause.params([Sql::Text(name.clone())]), |row| row.get(0))?;
    let newest = versions.last().cloned().unwrap_or_default();
    Ok(PromptSummary {
        prompt_type: newest.1,
        tags: newest.2,
        last_updated_at: versions.iter().map(|v| v.3).max().unwrap_or_default(),
        last_config: newest.4,
        versions: versions.into_iter().map(|v| v.0).collect(),
        labels,
        name,
    })
}
