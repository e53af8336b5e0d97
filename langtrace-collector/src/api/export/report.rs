//! The report of a fine-tuning export, its last line:
//! `{"_langtrace_export":{"exported":M,"skipped":N,"ids":[...],"idsTruncated":false,"reasons":{...}}}`.
//! It counts the rows written and the rows that did not fit, names the first
//! [`MAX_IDS`] of those, and counts them per reason. Its presence also tells a reader the
//! export ran to its end.

use std::collections::BTreeMap;

use serde::Serialize;

use super::messages::Unfit;

/// Ids of rows that did not fit named in the report at most (the count is exact).
pub const MAX_IDS: usize = 1000;

/// Rows written and rows that did not fit, so far.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    exported: u64,
    skipped: u64,
    ids: Vec<String>,
    ids_truncated: bool,
    reasons: BTreeMap<&'static str, u64>,
}

/// The report's line.
#[derive(Serialize)]
struct Line<'a> {
    #[serde(rename = "_langtrace_export")]
    report: &'a Report,
}

impl Report {
    /// Counts a row written.
    pub fn exported(&mut self) {
        self.exported += 1;
    }

    /// Counts row `id`, which does not fit for `reason`.
    pub fn skipped(&mut self, id: &str, reason: Unfit) {
        self.skipped += 1;
        *self.reasons.entry(reason.0).or_default() += 1;
        if self.ids.len() < MAX_IDS {
            self.ids.push(id.to_owned());
        } else {
            self.ids_truncated = true;
        }
    }

    /// Appends the report's line to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        serde_json::to_writer(&mut *out, &Line { report: self }).expect("JSON into memory");
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_exact_and_ids_bounded() {
        let mut report = Report::default();
        report.exported();
        for n in 0..MAX_IDS + 2 {
            report.skipped(&format!("id-{n}"), Unfit(if n % 2 == 0 { "even" } else { "odd" }));
        }
        let mut out = Vec::new();
        report.write(&mut out);
        let line: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let report = &line["_langtrace_export"];
        assert_eq!(report["exported"], 1);
        assert_eq!(report["skipped"], MAX_IDS + 2);
        assert_eq!(report["ids"].as_array().unwrap().len(), MAX_IDS);
        assert_eq!(report["idsTruncated"], true);
        assert_eq!(report["reasons"], serde_json::json!({"even": 501, "odd": 501}));
    }
}
