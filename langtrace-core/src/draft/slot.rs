//! Captured inputs and outputs on their way to the pipeline. `#[observe]` serializes
//! them as JSON text into a thread-local scratch buffer and keeps the text in the
//! observation's cell: inline when small, else in a buffer. When the observation closes
//! the text travels to the pipeline's thread by value ([`CapturedPayload`]), where it becomes a
//! [`Payload`] of the record, parsed only if masking or media extraction needs it. Memory allocated on one thread and freed on
//! another is what makes allocators slow: recycling keeps the hot path free of both.

use std::cell::RefCell;

use serde_json::Value;

use crate::record::Payload;

/// Payloads up to this size are kept inside the slot itself, next to its flags: no
/// separate buffer whose cache lines would travel between threads.
const INLINE: usize = 48;

/// Where captured JSON text is written.
pub type JsonBuffer = Vec<u8>;

thread_local! {
    /// Where this thread serializes before copying into a slot: always warm in its cache.
    static SCRATCH: RefCell<JsonBuffer> = const { RefCell::new(Vec::new()) };
}

/// Runs `write` into this thread's scratch buffer, then hands the text to `keep`. The
/// caller can serialize without holding a lock and take it only to keep the result.
pub(crate) fn serialize<R>(write: impl FnOnce(&mut JsonBuffer), keep: impl FnOnce(&[u8]) -> R) -> R {
    SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
        Ok(mut scratch) => {
            scratch.clear();
            write(&mut scratch);
            keep(&scratch)
        }
        // Writing this payload serializes a value that captures another one.
        Err(_) => {
            let mut text = Vec::new();
            write(&mut text);
            keep(&text)
        }
    })
}

/// An input or output: a JSON value, or JSON text kept inline or in a reusable buffer.
#[derive(Debug)]
#[repr(C)]
pub(crate) struct PayloadSlot {
    is_text: bool,
    /// Length of the inline text, or `SPILLED` when the text is in `spill`.
    inline_len: u8,
    inline: [u8; INLINE],
    spill: Vec<u8>,
    value: Option<Value>,
}

const SPILLED: u8 = u8::MAX;

impl Default for PayloadSlot {
    fn default() -> Self {
        Self { is_text: false, inline_len: 0, inline: [0; INLINE], spill: Vec::new(), value: None }
    }
}

impl PayloadSlot {
    /// Whether anything was set.
    pub fn is_set(&self) -> bool {
        self.is_text || self.value.is_some()
    }

    /// Sets a value.
    pub fn set(&mut self, value: Value) {
        self.value = Some(value);
        self.is_text = false;
    }

    /// Sets JSON text written by `write`.
    pub fn write(&mut self, write: impl FnOnce(&mut JsonBuffer)) {
        serialize(write, |text| self.set_text(text));
    }

    /// Sets JSON text.
    pub fn set_text(&mut self, text: &[u8]) {
        if text.len() <= INLINE {
            self.inline[..text.len()].copy_from_slice(text);
            self.inline_len = text.len() as u8;
        } else {
            self.spill.clear();
            self.spill.extend_from_slice(text);
            self.inline_len = SPILLED;
        }
        self.is_text = true;
        self.value = None;
    }

    /// Forgets the content, keeping the buffer.
    pub fn discard(&mut self) {
        self.is_text = false;
        self.value = None;
    }

    /// Moves the content out, leaving the slot empty: small text is copied (the slot's
    /// memory stays with the thread that owns it), larger text takes the buffer along.
    pub fn take_captured(&mut self) -> CapturedPayload {
        if !std::mem::take(&mut self.is_text) {
            return self.value.take().map_or(CapturedPayload::None, CapturedPayload::Value);
        }
        match self.inline_len {
            SPILLED => CapturedPayload::Text(std::mem::take(&mut self.spill)),
            len => CapturedPayload::Inline { len, bytes: self.inline },
        }
    }
}

/// A payload moved out of its slot, on its way to the pipeline's thread.
#[derive(Debug)]
pub(crate) enum CapturedPayload {
    None,
    Inline { len: u8, bytes: [u8; INLINE] },
    Text(Vec<u8>),
    Value(Value),
}

impl CapturedPayload {
    /// The payload for the record.
    pub fn into_payload(self) -> Option<Payload> {
        let text = |bytes: &[u8]| match std::str::from_utf8(bytes) {
            // Written by serde_json: valid JSON, hence UTF-8.
            Ok(text) => Payload::from_valid_json(text),
            Err(_) => Payload::from(Value::String(String::from_utf8_lossy(bytes).into_owned())),
        };
        match self {
            CapturedPayload::None => None,
            CapturedPayload::Inline { len, bytes } => Some(text(&bytes[..usize::from(len)])),
            CapturedPayload::Text(bytes) => Some(text(&bytes)),
            CapturedPayload::Value(value) => Some(Payload::from(value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn text_is_forwarded_inline_or_spilled() {
        let mut slot = PayloadSlot::default();
        assert!(!slot.is_set());
        slot.write(|out| out.extend_from_slice(br#"{"a":1}"#));
        assert!(slot.is_set());
        let payload = slot.take_captured().into_payload().unwrap();
        assert_eq!(payload.json(), r#"{"a":1}"#, "text is forwarded as written");
        assert_eq!(payload, json!({"a": 1}));
        assert!(!slot.is_set());
        let long = format!("\"{}\"", "x".repeat(100));
        slot.write(|out| out.extend_from_slice(long.as_bytes()));
        assert!(
            matches!(slot.take_captured(), CapturedPayload::Text(text) if text == long.as_bytes()),
            "long text spills"
        );
        slot.write(|out| out.extend_from_slice(br#""short""#));
        assert!(matches!(slot.take_captured(), CapturedPayload::Inline { len: 7, .. }), "short text stays inline");
        slot.set(json!(2));
        slot.write(|out| out.extend_from_slice(b"3"));
        assert_eq!(slot.take_captured().into_payload().unwrap(), json!(3), "the last write wins");
        assert_eq!(slot.take_captured().into_payload(), None);
    }
}
