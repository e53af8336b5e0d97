//! Token counts and costs of a generation, as the context API takes them.

/// Amounts of a generation under Langfuse's keys `input`, `output` and `total`, plus any
/// other key in `details`: token counts ([`Usage`]) or costs in USD ([`Cost`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Details<T> {
    /// Amount for the input (prompt).
    pub input: Option<T>,
    /// Amount for the output (completion).
    pub output: Option<T>,
    /// Total (Langfuse infers input + output when absent).
    pub total: Option<T>,
    /// Other amounts by key, e.g. `cache_read_input_tokens`.
    pub details: Vec<(String, T)>,
}

/// Token counts of a generation.
pub type Usage = Details<u64>;

/// Costs of a generation in USD.
pub type Cost = Details<f64>;

impl<T> Details<T> {
    /// Input and output amounts.
    pub fn of(input: T, output: T) -> Self {
        Self { input: Some(input), output: Some(output), total: None, details: Vec::new() }
    }

    /// Adds another amount.
    pub fn with(mut self, key: impl Into<String>, amount: T) -> Self {
        self.details.push((key.into(), amount));
        self
    }

    /// The amounts by Langfuse key.
    pub(crate) fn entries(self) -> impl Iterator<Item = (String, T)> {
        [("input", self.input), ("output", self.output), ("total", self.total)]
            .into_iter()
            .filter_map(|(key, amount)| Some((key.to_owned(), amount?)))
            .chain(self.details)
    }
}

impl Usage {
    /// Input and output tokens.
    pub fn tokens(input: u64, output: u64) -> Self {
        Self::of(input, output)
    }
}

impl Cost {
    /// Input and output cost in USD.
    pub fn usd(input: f64, output: f64) -> Self {
        Self::of(input, output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_and_cost_entries() {
        let usage: Vec<_> = Usage::tokens(3, 4).with("cache_read_input_tokens", 1).entries().collect();
        assert_eq!(usage, vec![("input".into(), 3), ("output".into(), 4), ("cache_read_input_tokens".into(), 1)]);
        let cost: Vec<_> = Cost { total: Some(0.5), ..Cost::default() }.entries().collect();
        assert_eq!(cost, vec![("total".into(), 0.5)]);
    }
}
