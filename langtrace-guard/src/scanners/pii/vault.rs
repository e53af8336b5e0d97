//! [`Vault`]: the placeholders of one conversation and the values they stand for.

use std::sync::{Arc, Mutex, PoisonError};

/// Placeholders (`[REDACTED_EMAIL_1]`) and the original values, shared by a
/// [`super::Pii`] scanner (which fills it) and a [`super::Deanonymize`] scanner (which
/// restores the values in the model's answer). Clones share the same entries. Use one
/// vault per conversation: the values of one user must not flow into another's answer.
#[derive(Debug, Clone, Default)]
pub struct Vault {
    entries: Arc<Mutex<Vec<(String, String)>>>,
}

impl Vault {
    /// An empty vault.
    pub fn new() -> Self {
        Self::default()
    }

    /// The placeholder of `value` as entity `entity`: the existing one when the value was
    /// seen before, else the next number for that entity.
    pub fn placeholder(&self, entity: &str, value: &str) -> String {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let prefix = format!("[REDACTED_{entity}_");
        if let Some((placeholder, _)) = entries.iter().find(|(p, v)| v == value && p.starts_with(&prefix)) {
            return placeholder.clone();
        }
        let number = entries.iter().filter(|(p, _)| p.starts_with(&prefix)).count() + 1;
        let placeholder = format!("{prefix}{number}]");
        entries.push((placeholder.clone(), value.to_owned()));
        placeholder
    }

    /// The entries, as (placeholder, original value).
    pub fn entries(&self) -> Vec<(String, String)> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Whether the vault holds no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).is_empty()
    }
}
