//! Flat indexed attributes gathered into a JSON tree for [`super::read`]: OpenInference's
//! `llm.input_messages.0.message.contents.1.message_content.image.image.url` and
//! OpenLLMetry's `gen_ai.prompt.0.tool_calls.1.name`. Numeric segments make arrays (in
//! index order, however sparse: nothing is allocated per missing index); OpenInference's
//! wrapper segments (`message`, `message_content`, `tool_call`, `tool`) are dropped, so both
//! conventions give the shape the reader knows.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// Segments OpenInference puts between an index and the fields it indexes.
const WRAPPERS: [&str; 4] = ["message", "message_content", "tool_call", "tool"];

/// A node while gathering: fields by name, or items by index.
#[derive(Default)]
enum Node {
    #[default]
    Empty,
    Leaf(Value),
    Fields(BTreeMap<String, Node>),
    Items(BTreeMap<u64, Node>),
}

/// The tree of `entries` (keys with their common prefix removed), or `None` when there
/// are none.
pub fn gather<'a>(entries: impl IntoIterator<Item = (&'a str, &'a Value)>) -> Option<Value> {
    let mut root = Node::Empty;
    for (key, value) in entries {
        let mut node = &mut root;
        let segments: Vec<&str> = key.split('.').collect();
        for (at, segment) in segments.iter().enumerate() {
            let is_last = at + 1 == segments.len();
            if !is_last && WRAPPERS.contains(segment) && at > 0 && segments[at - 1].parse::<u64>().is_ok() {
                continue;
            }
            node = node.child(segment);
        }
        *node = Node::Leaf(value.clone());
    }
    root.into_value()
}

impl Node {
    /// The child at `segment`, turning an empty node into fields or items; a name under
    /// items turns them into fields (their indexes becoming names).
    fn child(&mut self, segment: &str) -> &mut Node {
        let index = segment.parse::<u64>().ok();
        match self {
            Node::Empty | Node::Leaf(_) => {
                *self = match index {
                    Some(_) => Node::Items(BTreeMap::new()),
                    None => Node::Fields(BTreeMap::new()),
                }
            }
            Node::Items(_) if index.is_none() => *self = Node::Fields(std::mem::take(self).into_fields()),
            Node::Items(_) | Node::Fields(_) => {}
        }
        match (self, index) {
            (Node::Items(items), Some(index)) => items.entry(index).or_default(),
            (Node::Fields(fields), _) => fields.entry(segment.to_owned()).or_default(),
            _ => unreachable!("made fields or items above"),
        }
    }

    fn into_fields(self) -> BTreeMap<String, Node> {
        match self {
            Node::Items(items) => items.into_iter().map(|(i, node)| (i.to_string(), node)).collect(),
            Node::Fields(fields) => fields,
            Node::Empty | Node::Leaf(_) => BTreeMap::new(),
        }
    }

    fn into_value(self) -> Option<Value> {
        match self {
            Node::Empty => None,
            Node::Leaf(value) => Some(value),
            Node::Fields(fields) => Some(Value::Object(
                fields.into_iter().filter_map(|(k, n)| Some((k, n.into_value()?))).collect::<Map<_, _>>(),
            )),
            Node::Items(items) => Some(Value::Array(items.into_values().filter_map(Node::into_value).collect())),
        }
    }
}
