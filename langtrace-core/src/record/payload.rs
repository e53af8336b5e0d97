//! [`Payload`]: an input or output, kept as the JSON text it was captured as.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

/// An input or output: JSON text as it was captured (forwarded as is, never re-parsed
/// unless masking or media extraction needs the structure), or a JSON value.
/// Serializes as the JSON it holds; compares by value.
#[derive(Clone)]
pub struct Payload(PayloadRepr);

#[derive(Clone)]
enum PayloadRepr {
    Value(Value),
    /// Always valid JSON text.
    Json(JsonText),
}

/// JSON text, kept inline when short (most captured arguments and results are): no
/// allocation per payload on the pipeline's thread.
#[derive(Clone)]
enum JsonText {
    Inline { len: u8, bytes: [u8; JsonText::INLINE] },
    Heap(Box<str>),
}

impl JsonText {
    const INLINE: usize = 46;

    fn new(text: &str) -> Self {
        if text.len() <= Self::INLINE {
            let mut bytes = [0; Self::INLINE];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            JsonText::Inline { len: text.len() as u8, bytes }
        } else {
            JsonText::Heap(text.into())
        }
    }

    fn from_string(text: String) -> Self {
        if text.len() <= Self::INLINE {
            Self::new(&text)
        } else {
            JsonText::Heap(text.into_boxed_str())
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            JsonText::Inline { len, bytes } => &bytes[..usize::from(*len)],
            JsonText::Heap(text) => text.as_bytes(),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            // The bytes were copied from a `&str` at a character boundary.
            JsonText::Inline { len, bytes } => std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or(""),
            JsonText::Heap(text) => text,
        }
    }
}

/// Bytes of `value` written as compact JSON (as `serde_json::to_string` writes it),
/// counted without allocating the text.
pub fn json_len(value: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing a `Value` to a sink that never fails cannot fail.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

impl Payload {
    /// Wraps JSON text, checking that it is valid JSON; long text is kept without a copy.
    pub fn from_json(text: String) -> Result<Self, serde_json::Error> {
        serde_json::from_str::<&RawValue>(&text)?;
        Ok(Self(PayloadRepr::Json(JsonText::from_string(text))))
    }

    /// Wraps text known to be valid JSON (written by `serde_json`).
    pub(crate) fn from_valid_json(text: &str) -> Self {
        Self(PayloadRepr::Json(JsonText::new(text)))
    }

    /// The JSON value (parsed when held as text).
    pub fn to_value(&self) -> Value {
        match &self.0 {
            PayloadRepr::Value(value) => value.clone(),
            PayloadRepr::Json(text) => serde_json::from_str(text.as_str()).unwrap_or(Value::Null),
        }
    }

    /// The JSON value, without copying when held as a value.
    pub fn into_value(self) -> Value {
        match self.0 {
            PayloadRepr::Value(value) => value,
            json => Self(json).to_value(),
        }
    }

    /// The JSON text, moved out when held as long text.
    pub fn into_json(self) -> String {
        match self.0 {
            PayloadRepr::Json(JsonText::Heap(text)) => text.into_string(),
            _ => self.json().into_owned(),
        }
    }

    /// Bytes of [`Payload::json`], counted without writing the text out.
    pub fn json_len(&self) -> usize {
        match &self.0 {
            PayloadRepr::Value(value) => json_len(value),
            PayloadRepr::Json(text) => text.as_bytes().len(),
        }
    }

    /// The JSON text.
    pub fn json(&self) -> Cow<'_, str> {
        match &self.0 {
            PayloadRepr::Value(value) => Cow::Owned(value.to_string()),
            PayloadRepr::Json(text) => Cow::Borrowed(text.as_str()),
        }
    }

    /// The text of a JSON string payload (what Langfuse sends "as-is"), `None` otherwise.
    pub fn as_plain_string(&self) -> Option<Cow<'_, str>> {
        match &self.0 {
            PayloadRepr::Value(Value::String(text)) => Some(Cow::Borrowed(text)),
            PayloadRepr::Value(_) => None,
            PayloadRepr::Json(text) => serde_json::from_str::<Cow<'_, str>>(text.as_str()).ok(),
        }
    }

    /// The JSON text's bytes when the payload is text (not yet parsed).
    pub(crate) fn text_bytes(&self) -> Option<&[u8]> {
        match &self.0 {
            PayloadRepr::Json(text) => Some(text.as_bytes()),
            PayloadRepr::Value(_) => None,
        }
    }
}

impl From<Value> for Payload {
    fn from(value: Value) -> Self {
        Self(PayloadRepr::Value(value))
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (PayloadRepr::Json(a), PayloadRepr::Json(b)) if a.as_str() == b.as_str() => true,
            _ => self.to_value() == other.to_value(),
        }
    }
}

impl PartialEq<Value> for Payload {
    fn eq(&self, other: &Value) -> bool {
        match &self.0 {
            PayloadRepr::Value(value) => value == other,
            PayloadRepr::Json(_) => self.to_value() == *other,
        }
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.json())
    }
}

impl Serialize for Payload {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            PayloadRepr::Value(value) => value.serialize(serializer),
            PayloadRepr::Json(text) => match serde_json::from_str::<&RawValue>(text.as_str()) {
                Ok(raw) => raw.serialize(serializer),
                Err(_) => serializer.serialize_str(text.as_str()),
            },
        }
    }
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Payload::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_len_is_the_length_of_the_written_text() {
        let values = [
            serde_json::json!({"text": "é\"\n\u{1}", "n": [1, -2.5, 1e300], "b": null}),
            serde_json::json!("plain"),
            serde_json::json!(0.1),
        ];
        for value in values {
            assert_eq!(json_len(&value), value.to_string().len(), "{value}");
            let payload = Payload::from(value.clone());
            assert_eq!(payload.json_len(), payload.json().len());
        }
        let sent = "{ \"a\" : 1 }";
        assert_eq!(Payload::from_json(sent.to_owned()).unwrap().json_len(), sent.len());
    }

    #[test]
    fn json_payloads_give_their_text_back_as_it_came_in() {
        let long = format!("{{\"question\": \"{}\"}}", "q".repeat(100));
        for text in ["{\"a\": 1}".to_owned(), long] {
            let payload = Payload::from_json(text.clone()).unwrap();
            assert_eq!(payload.json(), text.as_str());
            assert_eq!(payload.into_json(), text);
        }
        assert!(Payload::from_json("{not json".to_owned()).is_err());
        assert_eq!(Payload::from(serde_json::json!({"b": [1, 2]})).into_json(), r#"{"b":[1,2]}"#);
    }
}
