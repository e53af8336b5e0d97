//! Prompt writes, each run inside the single writer's transaction: a new version
//! (numbered `max + 1`, with its references and labels, tags shared by every version),
//! labels moved onto a version (each taken off the version it was on, and recorded in
//! the label history), versions deleted. Validation and the composition checks run
//! before these, in the same transaction (see `api::prompts`).

use crate::store::db::{self, params, OptionalExtension, Transaction};
use crate::store::prompts::history::{self, LabelMove};
use crate::store::prompts::{self, PromptRow, Selector};

/// The label every newest version carries.
pub const LATEST: &str = "latest";

/// A version to store, validated.
#[derive(Debug, Clone)]
pub struct NewVersion {
    /// Id of the new version.
    pub id: String,
    /// Name.
    pub name: String,
    /// `text` or `chat`.
    pub prompt_type: String,
    /// The text or messages, JSON text.
    pub prompt: String,
    /// Config, JSON text.
    pub config: String,
    /// Labels asked for (without `latest`, which is added).
    pub labels: Vec<String>,
    /// Tags, a JSON array of strings; `None` keeps the name's current tags.
    pub tags: Option<String>,
    /// Commit message.
    pub commit_message: Option<String>,
    /// Who creates it.
    pub created_by: String,
    /// The composition references its text makes.
    pub dependencies: Vec<(String, Selector)>,
}

/// Who makes a change, and when (ns).
#[derive(Debug, Clone)]
pub struct Change {
    /// The public key of the request.
    pub public_key: String,
    /// Time of the change.
    pub at: i64,
}

impl Change {
    /// A change by `public_key`, now: made inside the writer's job, so the times of the
    /// changes to a name follow the order they were applied in.
    pub fn now(public_key: &str) -> Self {
        Change { public_key: public_key.to_owned(), at: crate::store::now_ns() }
    }
}

/// The next version number of `name`.
pub fn next_version(tx: &Transaction<'_>, project_id: &str, name: &str) -> db::Result<i64> {
    let newest: Option<i64> = tx
        .prepare_cached("SELECT MAX(version) FROM prompts WHERE project_id = ?1 AND name = ?2")?
        .query_row(params![project_id, name], |row| row.get(0))
        .optional()?
        .flatten();
    Ok(newest.unwrap_or(0) + 1)
}

/// Stores `new` as the next version of its name, with `latest` and its labels moved onto
/// it and its tags written on every version; returns the stored row.
pub fn insert_version(
    tx: &Transaction<'_>,
    project_id: &str,
    new: &NewVersion,
    change: &Change,
) -> db::Result<PromptRow> {
    let version = next_version(tx, project_id, &new.name)?;
    let tags = match &new.tags {
        Some(tags) => {
            tx.prepare_cached("UPDATE prompts SET tags = ?3, updated_at = ?4 WHERE project_id = ?1 AND name = ?2")?
                .execute(params![project_id, new.name, tags, change.at])?;
            tags.clone()
        }
        None => prompts::newest(tx, project_id, &new.name)?.map_or_else(|| "[]".to_owned(), |row| row.tags),
    };
    tx.prepare_cached(
        "INSERT INTO prompts (project_id, id, name, version, type, prompt, config, tags, commit_message, created_by,
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
    )?
    .execute(params![
        project_id,
        new.id,
        new.name,
        version,
        new.prompt_type,
        new.prompt,
        new.config,
        tags,
        new.commit_message,
        new.created_by,
        change.at
    ])?;
    for (child_name, child) in &new.dependencies {
        let (label, child_version) = match child {
            Selector::Label(label) => (Some(label.as_str()), None),
            Selector::Version(version) => (None, Some(*version)),
        };
        tx.prepare_cached(
            "INSERT INTO prompt_dependencies (project_id, parent_id, child_name, child_label, child_version)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![project_id, new.id, child_name, label, child_version])?;
    }
    let mut labels = new.labels.clone();
    labels.push(LATEST.to_owned());
    move_labels(tx, project_id, &new.name, version, &labels, change)?;
    prompts::find(tx, project_id, &new.name, &Selector::Version(version))?.ok_or(db::Error::NoRows)
}

/// Puts each of `labels` on `version` of `name`, taking it off the version it was on
/// (both versions count as updated); every move but `latest`'s is recorded in the label
/// history.
pub fn move_labels(
    tx: &Transaction<'_>,
    project_id: &str,
    name: &str,
    version: i64,
    labels: &[String],
    change: &Change,
) -> db::Result<()> {
    for label in labels {
        let from = prompts::label_version(tx, project_id, name, label)?;
        if from == Some(version) {
            continue;
        }
        tx.prepare_cached("DELETE FROM prompt_labels WHERE project_id = ?1 AND name = ?2 AND label = ?3")?
            .execute(params![project_id, name, label])?;
        tx.prepare_cached(
            "INSERT INTO prompt_labels (project_id, name, label, version, seq) VALUES (?1, ?2, ?3, ?4,
                (SELECT COALESCE(MAX(seq), 0) + 1 FROM prompt_labels WHERE project_id = ?1 AND name = ?2))",
        )?
        .execute(params![project_id, name, label, version])?;
        tx.prepare_cached(
            "UPDATE prompts SET updated_at = ?4 WHERE project_id = ?1 AND name = ?2 AND version IN (?3, ?5)",
        )?
        .execute(params![project_id, name, version, change.at, from.unwrap_or(version)])?;
        if label != LATEST {
            let moved = LabelMove {
                label: label.clone(),
                from_version: from,
                to_version: Some(version),
                public_key: change.public_key.clone(),
                at: change.at,
            };
            history::record(tx, project_id, name, &moved)?;
        }
    }
    Ok(())
}

/// Deletes `versions` of `name` with their labels and references (each label removed is
/// recorded, except `latest`, which moves to the newest version left); the versions
/// deleted.
pub fn delete_versions(
    tx: &Transaction<'_>,
    project_id: &str,
    name: &str,
    versions: &[i64],
    change: &Change,
) -> db::Result<usize> {
    let mut deleted = 0;
    for &version in versions {
        for label in prompts::labels_of(tx, project_id, name, version)? {
            if label != LATEST {
                let removed = LabelMove {
                    label,
                    from_version: Some(version),
                    to_version: None,
                    public_key: change.public_key.clone(),
                    at: change.at,
                };
                history::record(tx, project_id, name, &removed)?;
            }
        }
        tx.prepare_cached("DELETE FROM prompt_labels WHERE project_id = ?1 AND name = ?2 AND version = ?3")?
            .execute(params![project_id, name, version])?;
        tx.prepare_cached(
            "DELETE FROM prompt_dependencies WHERE project_id = ?1 AND parent_id IN
             (SELECT id FROM prompts WHERE project_id = ?1 AND name = ?2 AND version = ?3)",
        )?
        .execute(params![project_id, name, version])?;
        deleted += tx
            .prepare_cached("DELETE FROM prompts WHERE project_id = ?1 AND name = ?2 AND version = ?3")?
            .execute(params![project_id, name, version])?;
    }
    if prompts::label_version(tx, project_id, name, LATEST)?.is_none() {
        if let Some(newest) = prompts::newest(tx, project_id, name)? {
            move_labels(tx, project_id, name, newest.version, &[LATEST.to_owned()], change)?;
        }
    }
    Ok(deleted)
}
