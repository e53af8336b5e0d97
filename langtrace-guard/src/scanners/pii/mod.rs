//! PII without a model: [`Pii`] replaces recognised entities with placeholders kept in a
//! [`Vault`]; [`Deanonymize`] puts the values back into the model's answer.

mod recognizers;
mod vault;

use std::borrow::Cow;

pub use recognizers::{base58check_is_valid, iban_is_valid, luhn_is_valid, ssn_is_valid, Entity};
pub use vault::Vault;

use crate::scan::{Finding, Scan, ScanContext, Scanner};

/// Replaces PII with `[REDACTED_<ENTITY>_<n>]` placeholders (the same value always gets
/// the same placeholder) and keeps the originals in its [`Vault`]. Recognises the
/// [`Entity`] kinds: e-mail addresses, URLs, IBANs (mod-97 and country length), card
/// numbers (Luhn), UUIDs, US SSNs (allocation rules), Bitcoin addresses (base58check),
/// IPv4/IPv6 addresses (parsed by `std::net`) and phone numbers (E.164, NANP, UK,
/// France, Germany).
///
/// Does not catch names, places or organisations (they need a language model: plug one
/// in through [`Scanner`]), other national phone formats without a `+` prefix, Bech32
/// (`bc1...`) or non-Bitcoin crypto addresses, or numbers written in words. A 13 to 19
/// digit number passing Luhn by chance (one in ten) is taken for a card.
#[derive(Debug, Clone)]
pub struct Pii {
    entities: Vec<Entity>,
    vault: Vault,
}

impl Pii {
    /// Recognises every [`Entity`], filling `vault`.
    pub fn new(vault: Vault) -> Self {
        Pii { entities: Entity::ALL.to_vec(), vault }
    }

    /// Recognises only `entities`.
    pub fn entities(mut self, entities: impl IntoIterator<Item = Entity>) -> Self {
        self.entities = entities.into_iter().collect();
        self
    }

    /// The vault it fills.
    pub fn vault(&self) -> &Vault {
        &self.vault
    }
}

impl Scanner for Pii {
    fn name(&self) -> &str {
        "pii"
    }

    fn scan<'t>(&self, text: &'t str, _: &ScanContext<'_>) -> Scan<'t> {
        let findings = recognizers::recognize(text, &self.entities)
            .into_iter()
            .map(|(entity, span)| Finding {
                kind: entity.name().to_owned(),
                replacement: Some(self.vault.placeholder(entity.name(), &text[span.clone()])),
                span,
            })
            .collect();
        Scan::from_findings(text, findings, true)
    }
}

/// The PII of `text` replaced by `[<ENTITY>]` (no vault, no numbering): what the
/// facade's `mask::pii()` records.
pub fn mask_pii(text: &str) -> Cow<'_, str> {
    let found = recognizers::recognize(text, &Entity::ALL);
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    let findings: Vec<Finding> = found
        .into_iter()
        .map(|(entity, span)| Finding {
            kind: entity.name().to_owned(),
            span,
            replacement: Some(format!("[{}]", entity.name())),
        })
        .collect();
    Cow::Owned(crate::scan::apply_replacements(text, &findings))
}

/// Restores the values of a [`Vault`] in the model's answer: each placeholder, written
/// exactly or in another letter case, becomes its original value. Always valid.
#[derive(Debug, Clone)]
pub struct Deanonymize {
    vault: Vault,
}

impl Deanonymize {
    /// Restores from `vault` (the one the input's [`Pii`] filled).
    pub fn new(vault: Vault) -> Self {
        Deanonymize { vault }
    }
}

impl Scanner for Deanonymize {
    fn name(&self) -> &str {
        "deanonymize"
    }

    fn reveals(&self) -> bool {
        true
    }

    fn scan<'t>(&self, text: &'t str, _: &ScanContext<'_>) -> Scan<'t> {
        if !text.contains('[') {
            return Scan::clean(text);
        }
        let lower = text.to_ascii_lowercase();
        let mut findings = Vec::new();
        for (placeholder, value) in self.vault.entries() {
            let needle = placeholder.to_ascii_lowercase();
            for (start, _) in lower.match_indices(&needle) {
                findings.push(Finding {
                    kind: "restored".to_owned(),
                    span: start..start + needle.len(),
                    replacement: Some(value.clone()),
                });
            }
        }
        let findings = crate::scan::non_overlapping(findings);
        let mut scan = Scan::from_findings(text, findings, true);
        (scan.valid, scan.risk) = (true, crate::scan::NO_RISK);
        scan
    }
}

#[cfg(test)]
mod tests;
