//! The stable experiment id Langfuse's SDKs and server agree on: the first 16 hex digits
//! of the SHA-256 of the compact JSON array `["langfuse-experiment-v1", projectId,
//! datasetId, runName]`, non-ASCII characters written as they are (Python's
//! `json.dumps(..., separators=(",", ":"), ensure_ascii=False)`). A run item and the
//! spans of the same run land on the same experiment through it.

use sha2::{Digest, Sha256};

/// The version tag the formula starts with.
const TAG: &str = "langfuse-experiment-v1";

/// The experiment id of run `run_name` over dataset `dataset_id` in project `project_id`.
pub fn stable_experiment_id(project_id: &str, dataset_id: &str, run_name: &str) -> String {
    // serde_json writes arrays compactly, keeps non-ASCII text as UTF-8 and escapes what
    // Python's `json.dumps` escapes the same way (quotes, backslashes, control characters).
    let text = serde_json::json!([TAG, project_id, dataset_id, run_name]).to_string();
    hex::encode(Sha256::digest(text.as_bytes()))[..16].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values derived once with Python 3:
    /// `hashlib.sha256(json.dumps(["langfuse-experiment-v1", p, d, r], separators=(",", ":"),
    /// ensure_ascii=False).encode()).hexdigest()[:16]`; the compat test checks the same
    /// formula against the Python SDK's own run.
    #[test]
    fn ids_match_pythons_formula() {
        let cases = [
            ("p1", "d1", "run a", "5d2b8689ccd103b3"),
            ("proj", "ds", "Lauf für Tests – 实验 🚀", "a918ff8660ec9552"),
            ("p", "d", "quote \" back\\ slash\nnew\u{1}", "325c5a8da36b3cc5"),
        ];
        for (project, dataset, run, expected) in cases {
            assert_eq!(stable_experiment_id(project, dataset, run), expected, "{run:?}");
        }
    }
}
