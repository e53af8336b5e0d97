//! A score condition on observations (`helpful >= 0.8`): an observation matches when a
//! numeric score of that name on it, or on its trace as a whole, compares as asked.

use crate::store::db::Value as Sql;

/// How a score's value compares with the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `>=`.
    AtLeast,
    /// `>`.
    Above,
    /// `<=`.
    AtMost,
    /// `<`.
    Below,
    /// `=`.
    Equal,
}

impl Comparison {
    /// The SQL operator.
    fn sql(self) -> &'static str {
        match self {
            Comparison::AtLeast => ">=",
            Comparison::Above => ">",
            Comparison::AtMost => "<=",
            Comparison::Below => "<",
            Comparison::Equal => "=",
        }
    }
}

/// Observations with a score named `name` whose numeric value compares with `value`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreThreshold {
    /// The score's name.
    pub name: String,
    /// How its value compares.
    pub comparison: Comparison,
    /// The threshold.
    pub value: f64,
}

impl ScoreThreshold {
    /// The `EXISTS` clause over `observations o`, with its parameters: a score on the
    /// observation (with or without its trace id) or on its trace without an observation.
    pub fn clause(&self) -> (String, [Sql; 2]) {
        let clause = format!(
            "EXISTS (SELECT 1 FROM scores s WHERE s.project_id = o.project_id AND s.name = ? AND s.value {} ?
             AND ((s.trace_id = o.trace_id AND (s.observation_id IS NULL OR s.observation_id = o.id))
                  OR (s.trace_id IS NULL AND s.observation_id = o.id)))",
            self.comparison.sql()
        );
        (clause, [Sql::Text(self.name.clone()), Sql::Real(self.value)])
    }
}
