//! The demo agent's input guard: invisible text removed, known jailbreak phrases
//! rejected, secrets and PII replaced before the agent (and the trace) sees them. Each
//! scanner run is a guardrail observation under the chat turn, at WARNING when it found
//! something, with its risk as a `guard.<scanner>` score, so the dashboard's guardrail
//! panel, the traces page's guardrail filter and the scores have data.
//!
//! Some demo users paste an API key: the script writes [`API_KEY_MARK`] and the key is
//! assembled here at run time, so no key-like literal sits in the repository.

use std::sync::LazyLock;

use langtrace::current_observation;
use langtrace::guard::scanners::{BanSubstrings, InvisibleText, Pii, Secrets, Vault};
use langtrace::guard::{Guard, Scanner};

/// Where a demo question pastes an API key.
pub(super) const API_KEY_MARK: &str = "<api-key>";

/// The scanners, built once (the jailbreak automaton and the rule tables are shared).
static SCANNERS: LazyLock<[std::sync::Arc<dyn Scanner>; 3]> = LazyLock::new(|| {
    [InvisibleText::new().shared(), BanSubstrings::jailbreak_phrases().shared(), Secrets::new().shared()]
});

/// Screens a question inside the current chat turn: returns the text the agent may see
/// and records it as the turn's input in place of the raw question.
pub(super) fn screen(question: &str) -> String {
    let pasted = question.replace(API_KEY_MARK, &demo_api_key());
    let guard =
        Guard::new().record_scores(true).input(SCANNERS.iter().cloned().chain([Pii::new(Vault::new()).shared()]));
    let text = match guard.scan_input(&pasted) {
        Ok(scanned) => scanned.text,
        Err(blocked) => format!("(question withheld: {blocked})"),
    };
    current_observation().set_input(&text);
    text
}

/// A key-shaped value in the format of a GitHub token: 36 characters walked through the
/// alphabet, so its entropy is that of a real one.
fn demo_api_key() -> String {
    let alphabet: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
    "ghp_".chars().chain((0..36).map(|i| alphabet[(i * 17 + 5) % alphabet.len()])).collect()
}
