//! Composition: a prompt may include another text prompt with a reference
//! `@@@langfusePrompt:name=X|label=L@@@` or `...|version=N@@@` anywhere in its text (in a
//! chat prompt, in a message's content). References are found in the stored JSON text,
//! resolved when the prompt is read (a label reference follows the label when it
//! moves) and checked when it is created: the child must exist and be a text prompt, no
//! prompt may include itself through any chain, and chains are at most [`MAX_DEPTH`]
//! references deep.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use rusqlite::Connection;
use serde_json::{json, Value};

use crate::store::prompts::{self, Selector};

/// References followed below a prompt at most.
pub const MAX_DEPTH: usize = 5;

static REFERENCE: LazyLock<regex_lite::Regex> =
    LazyLock::new(|| regex_lite::Regex::new("@@@langfusePrompt:(.*?)@@@").expect("a valid pattern"));

/// A reference found in a prompt's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The whole tag, as it appears in the JSON text.
    pub tag: String,
    /// The child's name.
    pub name: String,
    /// Which of its versions.
    pub selector: Selector,
}

/// The references in `json_text` (a prompt's stored JSON text); a tag that is not exactly
/// `name=X|version=N` or `name=X|label=L` is ignored, as Langfuse ignores it.
pub fn references(json_text: &str) -> Vec<Reference> {
    let mut found: Vec<Reference> = Vec::new();
    for captures in REFERENCE.captures_iter(json_text) {
        let (Some(tag), Some(inner)) = (captures.get(0), captures.get(1)) else { continue };
        let mut parts = inner.as_str().split('|');
        let (Some(name), Some(which), None) = (parts.next(), parts.next(), parts.next()) else { continue };
        let Some(name) = name.strip_prefix("name=") else { continue };
        let selector = if let Some(version) = which.strip_prefix("version=") {
            match version.parse() {
                Ok(version) => Selector::Version(version),
                Err(_) => continue,
            }
        } else if let Some(label) = which.strip_prefix("label=") {
            Selector::Label(label.to_owned())
        } else {
            continue;
        };
        let reference = Reference { tag: tag.as_str().to_owned(), name: name.to_owned(), selector };
        if !found.contains(&reference) {
            found.push(reference);
        }
    }
    found
}

/// A prompt to resolve: stored, or about to be.
#[derive(Debug, Clone, Copy)]
pub struct Node<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Its version.
    pub version: i64,
    /// Its JSON text.
    pub prompt: &'a str,
}

/// Why a prompt cannot be resolved.
#[derive(Debug, thiserror::Error)]
pub enum Unresolvable {
    /// A reference is broken (the message says how).
    #[error("{0}")]
    Refused(String),
    /// The store failed.
    #[error(transparent)]
    Database(#[from] rusqlite::Error),
}

/// A resolved prompt: its JSON text with every reference replaced, and the graph of what
/// was included (`None` without references).
#[derive(Debug, Clone)]
pub struct Resolution {
    /// The resolved JSON text.
    pub prompt: String,
    /// `{root: {id, name, version}, dependencies: {parentId: [{id, name, version}]}}`.
    pub graph: Option<Value>,
}

/// Resolves `root` of `project_id`, reading children through `connection`.
pub fn resolve(connection: &Connection, project_id: &str, root: Node<'_>) -> Result<Resolution, Unresolvable> {
    let mut dependencies = BTreeMap::new();
    let mut chain = vec![root.name.to_owned()];
    let prompt = resolve_node(connection, project_id, root, &mut chain, &mut dependencies)?;
    let graph = (!dependencies.is_empty()).then(|| {
        json!({
            "root": {"id": root.id, "name": root.name, "version": root.version},
            "dependencies": dependencies,
        })
    });
    Ok(Resolution { prompt, graph })
}

/// `node`'s JSON text with its references replaced; `chain` holds the names from the
/// root to `node`.
fn resolve_node(
    connection: &Connection,
    project_id: &str,
    node: Node<'_>,
    chain: &mut Vec<String>,
    dependencies: &mut BTreeMap<String, Vec<Value>>,
) -> Result<String, Unresolvable> {
    let references = references(node.prompt);
    let mut text = node.prompt.to_owned();
    if references.is_empty() {
        return Ok(text);
    }
    if chain.len() > MAX_DEPTH {
        return Err(Unresolvable::Refused(format!(
            "Maximum nesting depth exceeded: prompts include each other at most {MAX_DEPTH} levels deep"
        )));
    }
    for reference in references {
        if chain.contains(&reference.name) {
            return Err(Unresolvable::Refused(format!(
                "Circular dependency detected: {} -> {}",
                chain.join(" -> "),
                reference.name
            )));
        }
        let child = prompts::find(connection, project_id, &reference.name, &reference.selector)?
            .ok_or_else(|| Unresolvable::Refused(format!("Prompt dependency not found: {}", describe(&reference))))?;
        if child.prompt_type != "text" {
            return Err(Unresolvable::Refused(format!(
                "Prompt dependency {} is a {} prompt: only text prompts can be included",
                describe(&reference),
                child.prompt_type
            )));
        }
        chain.push(child.name.clone());
        let child_node = Node { id: &child.id, name: &child.name, version: child.version, prompt: &child.prompt };
        let resolved = resolve_node(connection, project_id, child_node, chain, dependencies)?;
        chain.pop();
        // The child's resolved text goes into the parent's JSON text escaped, without the
        // quotes around it.
        let child_text = serde_json::from_str::<String>(&resolved).unwrap_or(resolved);
        let escaped = serde_json::to_string(&child_text).unwrap_or_default();
        text = text.replace(&reference.tag, &escaped[1..escaped.len() - 1]);
        dependencies
            .entry(node.id.to_owned())
            .or_default()
            .push(json!({"id": child.id, "name": child.name, "version": child.version}));
    }
    Ok(text)
}

/// `'X' with label 'L'` / `'X' with version N`.
pub fn describe(reference: &Reference) -> String {
    match &reference.selector {
        Selector::Label(label) => format!("'{}' with label '{label}'", reference.name),
        Selector::Version(version) => format!("'{}' with version {version}", reference.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_need_exactly_a_name_and_a_version_or_label() {
        let text = r#""A @@@langfusePrompt:name=tone|label=production@@@ B @@@langfusePrompt:name=x|version=2@@@
            @@@langfusePrompt:name=y@@@ @@@langfusePrompt:name=y|label=a|version=1@@@ @@@langfusePrompt:label=a|name=y@@@
            @@@langfusePrompt:name=z|version=two@@@""#;
        let found = references(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!((found[0].name.as_str(), &found[0].selector), ("tone", &Selector::Label("production".into())));
        assert_eq!((found[1].name.as_str(), &found[1].selector), ("x", &Selector::Version(2)));
    }
}
