//! Masking before the wire: the layer builder's `.mask(...)` takes any
//! `Fn(Value) -> Value`; this module adds ready-made ones built on the recognizers of
//! [`crate::guard`] (cargo feature `guard`), so "nothing sensitive leaves the process"
//! takes one line:
//!
//! ```no_run
//! let _guard = langtrace::builder().layer(|b| b.mask(langtrace::mask::secrets_and_pii())).init();
//! ```
//!
//! They replace, in every string of an input, output or metadata value (object keys
//! are names and are kept), each secret with `[SECRET]` and each PII entity with its
//! kind (`[EMAIL]`, `[CREDIT_CARD]`, ...). What the recognizers do not catch is listed
//! with [`crate::guard::scanners::Secrets`] and [`crate::guard::scanners::Pii`].

pub use langtrace_core::mask::*;
#[cfg(feature = "guard")]
use serde_json::Value;
#[cfg(feature = "guard")]
use std::borrow::Cow;

/// Masks secrets (API keys, tokens, private keys, high-entropy assignments).
#[cfg(feature = "guard")]
pub fn secrets() -> impl Fn(Value) -> Value + Send + Sync + 'static {
    |value| map_strings(value, &|text| langtrace_guard::scanners::secrets::mask_secrets(text))
}

/// Masks PII (e-mails, phone numbers, cards, IBANs, IP addresses, SSNs, UUIDs, Bitcoin
/// addresses, URLs).
#[cfg(feature = "guard")]
pub fn pii() -> impl Fn(Value) -> Value + Send + Sync + 'static {
    |value| map_strings(value, &|text| langtrace_guard::scanners::pii::mask_pii(text))
}

/// Masks secrets, then PII.
#[cfg(feature = "guard")]
pub fn secrets_and_pii() -> impl Fn(Value) -> Value + Send + Sync + 'static {
    |value| {
        map_strings(value, &|text| match langtrace_guard::scanners::secrets::mask_secrets(text) {
            Cow::Borrowed(text) => langtrace_guard::scanners::pii::mask_pii(text),
            Cow::Owned(masked) => Cow::Owned(langtrace_guard::scanners::pii::mask_pii(&masked).into_owned()),
        })
    }
}

/// `value` with `mask` applied to every string in it, recursively.
#[cfg(feature = "guard")]
fn map_strings(value: Value, mask: &dyn Fn(&str) -> Cow<'_, str>) -> Value {
    match value {
        Value::String(text) => match mask(&text) {
            Cow::Borrowed(_) => Value::String(text),
            Cow::Owned(masked) => Value::String(masked),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(|v| map_strings(v, mask)).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, map_strings(v, mask))).collect()),
        other => other,
    }
}

#[cfg(all(test, feature = "guard"))]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn masks_every_string_keeps_keys_and_other_values() {
        // A key-shaped fixture assembled at run time: 24 distinct characters.
        let alphabet: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
        let key: String = "sk_live_".chars().chain((0..24).map(|i| alphabet[(i * 11) % alphabet.len()])).collect();
        let value = json!({
            "to": "dan@example.com",
            "messages": [{ "content": format!("key {key}, card 4111 1111 1111 1111") }],
            "count": 3,
            "dan@example.com": true,
        });
        let masked = secrets_and_pii()(value.clone());
        assert_eq!(
            masked,
            json!({
                "to": "[EMAIL]",
                "messages": [{ "content": "key [SECRET], card [CREDIT_CARD]" }],
                "count": 3,
                "dan@example.com": true,
            })
        );
        assert_eq!(pii()(json!(format!("{key} a@b.io"))), json!(format!("{key} [EMAIL]")));
        assert_eq!(secrets()(json!(format!("{key} a@b.io"))), json!("[SECRET] a@b.io"));
    }
}
