//! Model prices: when a generation reports usage but no cost, its cost is computed from
//! the first price whose pattern matches the model name, a project's own prices (edited
//! through `/api/public/models`) before the shipped defaults. Prices are USD per token.

use std::collections::{BTreeMap, HashMap};

use regex_lite::Regex;
use serde::Serialize;

/// One price entry.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Price {
    /// Database id (`None` for shipped defaults).
    pub id: Option<i64>,
    /// Display name.
    pub model_name: String,
    /// Regular expression matched against the whole model name, case-insensitively.
    pub match_pattern: String,
    /// USD per input token.
    pub input_price: f64,
    /// USD per output token.
    pub output_price: f64,
}

/// Shipped defaults (USD per million tokens, input / output), most specific first.
const DEFAULTS: &[(&str, &str, f64, f64)] = &[
    ("gpt-4o-mini", r"gpt-4o-mini(-\d{4}-\d{2}-\d{2})?", 0.15, 0.60),
    ("gpt-4o", r"gpt-4o(-\d{4}-\d{2}-\d{2})?", 2.50, 10.00),
    ("gpt-4.1-nano", r"gpt-4\.1-nano(-.*)?", 0.10, 0.40),
    ("gpt-4.1-mini", r"gpt-4\.1-mini(-.*)?", 0.40, 1.60),
    ("gpt-4.1", r"gpt-4\.1(-\d{4}-\d{2}-\d{2})?", 2.00, 8.00),
    ("gpt-4-turbo", r"gpt-4-turbo(-.*)?", 10.00, 30.00),
    ("gpt-3.5-turbo", r"gpt-3\.5-turbo(-.*)?", 0.50, 1.50),
    ("o3-mini", r"o3-mini(-.*)?", 1.10, 4.40),
    ("o1", r"o1(-\d{4}-\d{2}-\d{2})?", 15.00, 60.00),
    ("text-embedding-3-small", r"text-embedding-3-small", 0.02, 0.0),
    ("text-embedding-3-large", r"text-embedding-3-large", 0.13, 0.0),
    ("text-embedding-ada-002", r"text-embedding-ada-002", 0.10, 0.0),
    ("claude-3-haiku", r"claude-3-haiku(-.*)?", 0.25, 1.25),
    ("claude-3-5-haiku", r"claude-3-5-haiku(-.*)?|claude-haiku-3-5(-.*)?", 0.80, 4.00),
    ("claude-sonnet", r"claude-3-5-sonnet(-.*)?|claude-3-7-sonnet(-.*)?|claude-sonnet-4(-.*)?", 3.00, 15.00),
    ("claude-opus", r"claude-3-opus(-.*)?|claude-opus-4(-.*)?", 15.00, 75.00),
    ("gemini-1.5-flash", r"gemini-1\.5-flash(-.*)?", 0.075, 0.30),
    ("gemini-1.5-pro", r"gemini-1\.5-pro(-.*)?", 1.25, 5.00),
    ("gemini-2.0-flash", r"gemini-2\.0-flash(-.*)?", 0.10, 0.40),
];

/// The shipped defaults.
pub fn defaults() -> Vec<Price> {
    DEFAULTS
        .iter()
        .map(|&(name, pattern, input, output)| Price {
            id: None,
            model_name: name.to_owned(),
            match_pattern: pattern.to_owned(),
            input_price: input / 1e6,
            output_price: output / 1e6,
        })
        .collect()
}

/// Compiles a pattern the way prices match: anchored, case-insensitive.
pub fn compile(pattern: &str) -> Result<Regex, regex_lite::Error> {
    Regex::new(&format!("(?i)^(?:{pattern})$"))
}

/// Compiled prices per project (its own first, then the defaults), cached by the writer
/// and dropped when a project's prices change.
#[derive(Default)]
pub struct PriceTable {
    compiled_defaults: Vec<(Regex, Price)>,
    projects: HashMap<String, ProjectPrices>,
}

/// Model names remembered per project with the rates they matched; past this many the
/// memory starts again (model names come from traced data, so it must stay bounded).
const REMEMBERED_MODELS: usize = 1024;

/// A project's own compiled prices, and the (input, output) rates each model name seen
/// lately matched: matching every generation against every pattern cost the writer 2%.
struct ProjectPrices {
    own: Vec<(Regex, Price)>,
    matched: HashMap<String, Option<(f64, f64)>>,
}

impl PriceTable {
    /// The table with the shipped defaults compiled.
    pub fn new() -> Self {
        let compiled_defaults =
            defaults().into_iter().filter_map(|p| Some((compile(&p.match_pattern).ok()?, p))).collect();
        Self { compiled_defaults, projects: HashMap::new() }
    }

    /// Forgets a project's cached prices (after they changed).
    pub fn invalidate(&mut self, project_id: &str) {
        self.projects.remove(project_id);
    }

    /// The cost of `usage` on `model`, or `None` when no price matches.
    pub fn cost(
        &mut self,
        project_id: &str,
        model: &str,
        usage: &BTreeMap<String, u64>,
        load: impl FnOnce() -> Vec<Price>,
    ) -> Option<BTreeMap<String, f64>> {
        let project = self.projects.entry(project_id.to_owned()).or_insert_with(|| ProjectPrices {
            own: load().into_iter().filter_map(|p| Some((compile(&p.match_pattern).ok()?, p))).collect(),
            matched: HashMap::new(),
        });
        let (input_price, output_price) = match project.matched.get(model) {
            Some(rates) => *rates,
            None => {
                let rates = project
                    .own
                    .iter()
                    .chain(self.compiled_defaults.iter())
                    .find(|(regex, _)| regex.is_match(model))
                    .map(|(_, price)| (price.input_price, price.output_price));
                if project.matched.len() >= REMEMBERED_MODELS {
                    project.matched.clear();
                }
                project.matched.insert(model.to_owned(), rates);
                rates
            }
        }?;
        let input = usage.get("input").copied().unwrap_or(0) as f64 * input_price;
        let output = usage.get("output").copied().unwrap_or(0) as f64 * output_price;
        Some([("input".to_owned(), input), ("output".to_owned(), output), ("total".to_owned(), input + output)].into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_specific_default_wins_and_project_prices_override() {
        let mut table = PriceTable::new();
        let usage: BTreeMap<String, u64> = [("input".to_owned(), 1_000_000), ("output".to_owned(), 1_000_000)].into();
        let mini = table.cost("p", "gpt-4o-mini-2024-07-18", &usage, Vec::new).unwrap();
        assert!((mini["total"] - 0.75).abs() < 1e-9, "{mini:?}");
        let full = table.cost("p", "GPT-4o", &usage, Vec::new).unwrap();
        assert!((full["total"] - 12.5).abs() < 1e-9);
        assert!(table.cost("p", "my-local-llama", &usage, Vec::new).is_none());
        // Answered again from the per-project memory: the same figures, and no match stays none.
        assert_eq!(table.cost("p", "gpt-4o-mini-2024-07-18", &usage, Vec::new).unwrap(), mini);
        assert!(table.cost("p", "my-local-llama", &usage, Vec::new).is_none());

        let own = Price {
            id: Some(1),
            model_name: "llama".into(),
            match_pattern: "my-local-llama".into(),
            input_price: 1e-6,
            output_price: 2e-6,
        };
        assert!(table.cost("q", "my-local-llama", &usage, Vec::new).is_none());
        table.invalidate("q");
        let cost = table.cost("q", "my-local-llama", &usage, || vec![own]).unwrap();
        assert!((cost["total"] - 3.0).abs() < 1e-9, "a price added after a miss applies once invalidated");
    }
}
