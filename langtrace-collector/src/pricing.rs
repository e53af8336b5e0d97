//! Model prices: when a generation reports usage but no cost, its cost is computed from
//! the first price whose pattern matches the model name, a project's own prices (edited
//! through `/api/public/models`) before the shipped defaults. Prices are USD per token.
//! Matching runs before the writer ([`SharedPrices`], on the threads preparing batches),
//! and patterns are bounded: [`MAX_PATTERN_CHARS`], [`MAX_PATTERN_PROGRAM_BYTES`],
//! [`MAX_PRICES_PER_PROJECT`]; model names longer than [`MAX_PRICED_MODEL_CHARS`] are not
//! priced.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use regex_lite::{Regex, RegexBuilder};
use serde::Serialize;

use crate::store::{prices, Store};

/// Longest match pattern a project may post, in characters.
pub const MAX_PATTERN_CHARS: usize = 256;
/// Largest compiled pattern, in bytes (the regex engine's size limit): matching time
/// grows with it, so a pattern like `(?:.*){100000}z` is refused when posted.
pub const MAX_PATTERN_PROGRAM_BYTES: usize = 64 << 10;
/// Prices a project may define.
pub const MAX_PRICES_PER_PROJECT: usize = 200;
/// Longest model name that is priced, in characters; longer names get no computed cost.
pub const MAX_PRICED_MODEL_CHARS: usize = 256;

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

/// Compiles a pattern the way prices match (anchored, case-insensitive) within
/// [`MAX_PATTERN_CHARS`] and [`MAX_PATTERN_PROGRAM_BYTES`]; the error names the limit.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    if pattern.chars().count() > MAX_PATTERN_CHARS {
        return Err(format!("longer than the limit of {MAX_PATTERN_CHARS} characters"));
    }
    RegexBuilder::new(&format!("^(?:{pattern})$"))
        .case_insensitive(true)
        .size_limit(MAX_PATTERN_PROGRAM_BYTES)
        .build()
        .map_err(|error| format!("{error} (a pattern compiles to at most {MAX_PATTERN_PROGRAM_BYTES} bytes)"))
}

/// Compiled prices per project (its own first, then the defaults), cached and dropped
/// when a project's prices change here, or once older than `refresh` (collectors sharing
/// a database: a change made through another collector).
#[derive(Default)]
pub struct PriceTable {
    compiled_defaults: Vec<(Regex, Price)>,
    projects: HashMap<String, ProjectPrices>,
    refresh: Option<Duration>,
}

/// How long a collector sharing its database keeps a project's prices before reading
/// them again.
pub const SHARED_STORE_REFRESH: Duration = Duration::from_secs(30);

/// Model names remembered per project with the rates they matched; past this many the
/// memory starts again (model names come from traced data, so it must stay bounded).
const REMEMBERED_MODELS: usize = 1024;

/// A project's own compiled prices, and the (input, output) rates each model name seen
/// lately matched: matching every generation against every pattern cost the writer 2%.
struct ProjectPrices {
    own: Vec<(Regex, Price)>,
    matched: HashMap<String, Option<(f64, f64)>>,
    loaded: Instant,
}

impl PriceTable {
    /// The table with the shipped defaults compiled; projects' prices read again once
    /// older than `refresh` (never without).
    pub fn new(refresh: Option<Duration>) -> Self {
        let compiled_defaults =
            defaults().into_iter().filter_map(|p| Some((compile(&p.match_pattern).ok()?, p))).collect();
        Self { compiled_defaults, projects: HashMap::new(), refresh }
    }

    /// Forgets a project's cached prices (after they changed).
    pub fn invalidate(&mut self, project_id: &str) {
        self.projects.remove(project_id);
    }

    /// The cost of `usage` on `model`, or `None` when no price matches or the name is
    /// longer than [`MAX_PRICED_MODEL_CHARS`].
    pub fn cost(
        &mut self,
        project_id: &str,
        model: &str,
        usage: &BTreeMap<String, u64>,
        load: impl FnOnce() -> Vec<Price>,
    ) -> Option<BTreeMap<String, f64>> {
        if model.chars().nth(MAX_PRICED_MODEL_CHARS).is_some() {
            return None;
        }
        let stale = |project: &ProjectPrices| self.refresh.is_some_and(|refresh| project.loaded.elapsed() >= refresh);
        if self.projects.get(project_id).is_some_and(stale) {
            self.projects.remove(project_id);
        }
        let project = self.projects.entry(project_id.to_owned()).or_insert_with(|| ProjectPrices {
            own: load().into_iter().filter_map(|p| Some((compile(&p.match_pattern).ok()?, p))).collect(),
            matched: HashMap::new(),
            loaded: Instant::now(),
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

/// The price table shared by the threads that prepare batches: a project's own prices
/// are loaded through a read connection on first use and dropped when they change.
#[derive(Clone)]
pub struct SharedPrices {
    table: Arc<Mutex<PriceTable>>,
    store: Store,
}

impl SharedPrices {
    /// The shipped defaults compiled; projects' prices read from `store` when needed (and
    /// again after [`SHARED_STORE_REFRESH`] when other collectors may change them).
    pub fn new(store: Store) -> Self {
        let refresh = (!store.is_embedded()).then_some(SHARED_STORE_REFRESH);
        Self { table: Arc::new(Mutex::new(PriceTable::new(refresh))), store }
    }

    /// The cost of `usage` on `model` in project `project_id` (see [`PriceTable::cost`]).
    /// A project's prices are loaded with the table locked, so a load cannot outlive the
    /// [`SharedPrices::invalidate`] that follows a change.
    pub fn cost(&self, project_id: &str, model: &str, usage: &BTreeMap<String, u64>) -> Option<BTreeMap<String, f64>> {
        let mut table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        table.cost(project_id, model, usage, || {
            self.store.read(|c| prices::of_project(c, project_id)).unwrap_or_else(|error| {
                tracing::warn!(%error, project_id, "cannot read the project's prices; the defaults apply");
                Vec::new()
            })
        })
    }

    /// Forgets a project's prices after they changed.
    pub fn invalidate(&self, project_id: &str) {
        self.table.lock().unwrap_or_else(PoisonError::into_inner).invalidate(project_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_specific_default_wins_and_project_prices_override() {
        let mut table = PriceTable::new(None);
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
        let long_name = format!("my-local-llama{}", "a".repeat(MAX_PRICED_MODEL_CHARS));
        let any = || vec![Price { match_pattern: ".*".into(), ..Price::clone(&defaults()[0]) }];
        table.invalidate("q");
        assert!(table.cost("q", &long_name, &usage, any).is_none(), "names past the limit are not priced");
    }

    #[test]
    fn prices_are_read_again_once_older_than_the_refresh() {
        let usage: BTreeMap<String, u64> = [("input".to_owned(), 1)].into();
        let own = || {
            vec![Price {
                id: Some(1),
                model_name: "own".into(),
                match_pattern: "own-model".into(),
                input_price: 1.0,
                output_price: 1.0,
            }]
        };
        let mut loads = 0;
        let mut embedded = PriceTable::new(None);
        for _ in 0..2 {
            embedded.cost("p", "own-model", &usage, || {
                loads += 1;
                own()
            });
        }
        assert_eq!(loads, 1, "alone on its database, a collector reads them once");
        let mut shared = PriceTable::new(Some(Duration::ZERO));
        for _ in 0..2 {
            shared.cost("p", "own-model", &usage, || {
                loads += 1;
                own()
            });
        }
        assert_eq!(loads, 3, "sharing it, again once past the refresh");
    }

    #[test]
    fn patterns_past_their_limits_are_refused_naming_the_limit() {
        for price in defaults() {
            assert!(compile(&price.match_pattern).is_ok(), "{}", price.match_pattern);
        }
        let bomb = compile("(?:.*){100000}z").unwrap_err();
        assert!(bomb.contains(&MAX_PATTERN_PROGRAM_BYTES.to_string()), "{bomb}");
        let long = compile(&"a".repeat(MAX_PATTERN_CHARS + 1)).unwrap_err();
        assert!(long.contains(&MAX_PATTERN_CHARS.to_string()), "{long}");
        assert!(compile("gpt-(4|5)").unwrap().is_match("GPT-5"));
    }
}
