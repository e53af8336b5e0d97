//! Composition: a prompt may include another text prompt with a reference
//! `@@@langfusePrompt:name=X|label=L@@@` or `...|version=N@@@` anywhere in its text (in a
//! chat prompt, in a message's content). References are found in the stored JSON text,
//! resolved when the prompt is read (a label reference follows the label when it
//! moves) and checked when it is created: the child must exist and be a text prompt, no
//! prompt may include itself through any chain, chains hold at most [`MAX_DEPTH`]
//! prompts, and one resolution includes at most [`MAX_INCLUDES`] prompts.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde_json::{json, Value};

use crate::store::db::{self, Connection};
use crate::store::prompts::{self, Selector};

/// Prompts in one chain of includes at most, the including prompt counted (Langfuse's
/// `MAX_PROMPT_NESTING_DEPTH`: levels 0 to 4).
pub const MAX_DEPTH: usize = 5;
/// Prompts one resolution includes at most, counting repeats: depth alone would let a
/// prompt with many references to prompts with many references cost the writer (at
/// create) and a read exponential work and text.
pub const MAX_INCLUDES: usize = 100;

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
    Database(#[from] db::Error),
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
    let mut resolver = Resolver {
        connection,
        project_id,
        chain: vec![root.name.to_owned()],
        dependencies: BTreeMap::new(),
        includes: 0,
    };
    let prompt = resolver.resolve_node(root)?;
    let graph = (!resolver.dependencies.is_empty()).then(|| {
        json!({
            "root": {"id": root.id, "name": root.name, "version": root.version},
            "dependencies": resolver.dependencies,
        })
    });
    Ok(Resolution { prompt, graph })
}

/// One resolution under way.
struct Resolver<'c> {
    connection: &'c Connection,
    project_id: &'c str,
    /// The names from the root to the prompt being resolved.
    chain: Vec<String>,
    /// Per including prompt's id, the prompts it includes (each once).
    dependencies: BTreeMap<String, Vec<Value>>,
    /// Prompts included so far, repeats counted.
    includes: usize,
}

impl Resolver<'_> {
    /// `node`'s JSON text with its references replaced.
    fn resolve_node(&mut self, node: Node<'_>) -> Result<String, Unresolvable> {
        let references = references(node.prompt);
        let mut text = node.prompt.to_owned();
        if references.is_empty() {
            return Ok(text);
        }
        // The children would be at level `chain.len()` (the root at level 0).
        if self.chain.len() >= MAX_DEPTH {
            return Err(refused(format!(
                "Maximum nesting depth exceeded ({MAX_DEPTH}): a prompt and the prompts it includes, \
                 nested, form chains of at most {MAX_DEPTH} prompts"
            )));
        }
        for reference in references {
            if self.chain.contains(&reference.name) {
                let chain = self.chain.join(" -> ");
                return Err(refused(format!("Circular dependency detected: {chain} -> {}", reference.name)));
            }
            self.includes += 1;
            if self.includes > MAX_INCLUDES {
                return Err(refused(format!(
                    "A prompt includes at most {MAX_INCLUDES} prompts, counting those they include"
                )));
            }
            let child = prompts::find(self.connection, self.project_id, &reference.name, &reference.selector)?
                .ok_or_else(|| {
                    refused(format!("Prompt dependency not found: {}", describe(&reference.name, &reference.selector)))
                })?;
            if child.prompt_type != "text" {
                return Err(refused(format!(
                    "Prompt dependency {} is a {} prompt: only text prompts can be included",
                    describe(&reference.name, &reference.selector),
                    child.prompt_type
                )));
            }
            self.chain.push(child.name.clone());
            let child_node = Node { id: &child.id, name: &child.name, version: child.version, prompt: &child.prompt };
            let resolved = self.resolve_node(child_node)?;
            self.chain.pop();
            // The child's resolved text goes into the parent's JSON text escaped, without
            // the quotes around it.
            let child_text = serde_json::from_str::<String>(&resolved).unwrap_or(resolved);
            let quoted = serde_json::to_string(&child_text).unwrap_or_default();
            let escaped = quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"')).unwrap_or_default();
            text = text.replace(&reference.tag, escaped);
            let included = json!({"id": child.id, "name": child.name, "version": child.version});
            let siblings = self.dependencies.entry(node.id.to_owned()).or_default();
            if !siblings.contains(&included) {
                siblings.push(included);
            }
        }
        Ok(text)
    }
}

fn refused(message: String) -> Unresolvable {
    Unresolvable::Refused(message)
}

/// `'X' with label 'L'` / `'X' with version N`, as Langfuse's messages name a version.
pub fn describe(name: &str, selector: &Selector) -> String {
    match selector {
        Selector::Label(label) => format!("'{name}' with label '{label}'"),
        Selector::Version(version) => format!("'{name}' with version {version}"),
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
