//! The ids an experiment's spans carry: the stable experiment id shared with Langfuse's
//! server and SDKs, and the id of an item that is not a dataset item.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The first 16 hex digits of the SHA-256 of `text`.
fn short_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    hex::encode(&digest[..8])
}

/// The stable id of the run `run_name` over dataset `dataset_id` in `project_id`: the
/// hash of the compact JSON array `["langfuse-experiment-v1", project, dataset, run]`
/// with non-ASCII characters written as they are, as Langfuse computes it, so a rerun
/// under the same name lands in the same experiment.
pub(crate) fn stable_experiment_id(project_id: &str, dataset_id: &str, run_name: &str) -> String {
    let text = serde_json::to_string(&["langfuse-experiment-v1", project_id, dataset_id, run_name])
        .unwrap_or_else(|_| unreachable!("an array of strings serializes"));
    short_hash(&text)
}

/// The id of an item that is not a dataset item: a hash of its input's JSON text.
pub(crate) fn input_item_id(input: &Value) -> String {
    short_hash(&input.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Derived once with Python 3:
    //   hashlib.sha256(json.dumps(["langfuse-experiment-v1", P, D, R],
    //       separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()[:16]
    #[test]
    fn the_stable_id_matches_python_s_formula() {
        assert_eq!(stable_experiment_id("proj-1", "ds-1", "run 1"), "55b97aa3ed704f12");
        assert_eq!(stable_experiment_id("proj-1", "ds-1", "Läuf \"1\" ✓"), "ea81c440201943a8");
    }

    #[test]
    fn input_ids_depend_on_the_input_only() {
        let a = input_item_id(&serde_json::json!({"q": 1}));
        assert_eq!(a.len(), 16);
        assert_eq!(a, input_item_id(&serde_json::json!({"q": 1})));
        assert_ne!(a, input_item_id(&serde_json::json!({"q": 2})));
    }
}
