//! The media references in a dataset item's `input`, `expectedOutput` and `metadata`:
//! each `@@@langfuseMedia:type=...|id=...|source=...@@@` string found (the whole value of
//! a string) whose media the project has, with where it is (`$['image']`) and how to
//! fetch it. Langfuse's SDKs require the list, empty or not.

use std::sync::LazyLock;

use regex_lite::Regex;
use serde::Serialize;
use serde_json::Value;

use crate::api::media::{content_url, CONTENT_URL_EXPIRY};
use crate::store::db::{self, Connection};
use crate::store::media;

/// A reference string, its media id captured.
static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^@@@langfuseMedia:type=[^|@]+\|id=([^|@]+)\|source=[^|@]+@@@$").expect("a valid pattern")
});

/// One media reference of an item.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaReference {
    field: &'static str,
    reference_string: String,
    json_path: String,
    media: MediaLink,
}

/// The media a reference points at.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaLink {
    media_id: String,
    content_type: String,
    content_length: i64,
    url: String,
    url_expiry: &'static str,
}

/// Every reference string in `value` with its JSON path (`$`, `$['a'][0]`).
fn find(value: &Value, path: &mut String, found: &mut Vec<(String, String, String)>) {
    match value {
        Value::String(text) => {
            if let Some(id) = REFERENCE.captures(text).and_then(|c| c.get(1)) {
                found.push((path.clone(), text.clone(), id.as_str().to_owned()));
            }
        }
        Value::Array(values) => {
            for (index, value) in values.iter().enumerate() {
                let length = path.len();
                path.push_str(&format!("[{index}]"));
                find(value, path, found);
                path.truncate(length);
            }
        }
        Value::Object(map) => {
            for (key, value) in map {
                let length = path.len();
                path.push_str(&format!("['{}']", key.replace('\\', "\\\\").replace('\'', "\\'")));
                find(value, path, found);
                path.truncate(length);
            }
        }
        _ => {}
    }
}

/// The references of `fields` (wire name and value), resolved from the project's media;
/// references to media the project does not have are left out.
pub fn resolve(
    connection: &Connection,
    project_id: &str,
    public_url: &str,
    fields: [(&'static str, &Value); 3],
) -> db::Result<Vec<MediaReference>> {
    let mut references = Vec::new();
    for (field, value) in fields {
        let mut found = Vec::new();
        find(value, &mut "$".to_owned(), &mut found);
        for (json_path, reference_string, media_id) in found {
            let Some(row) = media::get(connection, project_id, &media_id)? else { continue };
            references.push(MediaReference {
                field,
                reference_string,
                json_path,
                media: MediaLink {
                    url: content_url(public_url, &media_id),
                    media_id,
                    content_type: row.content_type,
                    content_length: row.content_length,
                    url_expiry: CONTENT_URL_EXPIRY,
                },
            });
        }
    }
    Ok(references)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reference_strings_are_found_with_their_paths() {
        let reference = "@@@langfuseMedia:type=image/png|id=m1|source=bytes@@@";
        let value = json!({"image": reference, "list": ["x", reference], "it's": reference, "text": format!("see {reference}")});
        let mut found = Vec::new();
        find(&value, &mut "$".to_owned(), &mut found);
        let paths: Vec<&str> = found.iter().map(|(path, _, _)| path.as_str()).collect();
        assert_eq!(paths, ["$['image']", "$['it\\'s']", "$['list'][1]"]);
        assert!(found.iter().all(|(_, text, id)| text == reference && id == "m1"));
        let mut top = Vec::new();
        find(&json!(reference), &mut "$".to_owned(), &mut top);
        assert_eq!(top[0].0, "$");
    }
}
