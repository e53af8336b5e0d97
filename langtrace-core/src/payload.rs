//! Captured inputs and outputs on their way to the pipeline. `#[observe]` writes them
//! as JSON text into a buffer owned by the observation's (recycled) cell, on the
//! application's thread; the pipeline's worker copies the text into the record (as a
//! [`Payload`], parsed only if masking or media extraction needs it) and keeps the
//! buffer for the cell's next use. Memory allocated on one thread and freed on
//! another is what makes allocators slow: recycling keeps the hot path free of both.

use serde_json::Value;
use smallvec::SmallVec;

use crate::record::Payload;

/// Payloads up to this size are written inside the slot itself, next to its flags: no
/// separate buffer whose cache lines would travel between threads.
const INLINE: usize = 48;
/// Capacity reserved when a payload outgrows the slot, so it grows once.
const SPILL_CAPACITY: usize = 256;
/// Buffers larger than this are released rather than kept for reuse.
const MAX_KEPT_CAPACITY: usize = 16 * 1024;

/// Where captured JSON text is written.
pub type JsonBuffer = SmallVec<[u8; INLINE]>;

/// An input or output: a JSON value, or JSON text in a reusable buffer.
#[derive(Debug, Default)]
#[repr(C)]
pub(crate) struct PayloadSlot {
    is_text: bool,
    text: JsonBuffer,
    value: Option<Value>,
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

    /// Sets JSON text written by `write` into the slot's buffer.
    pub fn write(&mut self, write: impl FnOnce(&mut JsonBuffer)) {
        self.text.clear();
        write(&mut self.text);
        if self.text.spilled() && self.text.capacity() < SPILL_CAPACITY {
            self.text.reserve(SPILL_CAPACITY - self.text.len());
        }
        self.is_text = true;
        self.value = None;
    }

    /// Forgets the content, keeping the buffer.
    pub fn discard(&mut self) {
        self.is_text = false;
        self.value = None;
        self.text.clear();
    }

    /// The payload (text that is not valid JSON is kept as a string); leaves the slot
    /// empty with its buffer kept for the next use.
    pub fn take(&mut self) -> Option<Payload> {
        if !std::mem::take(&mut self.is_text) {
            return self.value.take().map(Payload::from);
        }
        // The text was written by serde_json: valid JSON, hence UTF-8.
        let payload = match std::str::from_utf8(&self.text) {
            Ok(text) => Payload::from_valid_json(text.to_owned()),
            Err(_) => Payload::from(Value::String(String::from_utf8_lossy(&self.text).into_owned())),
        };
        self.text.clear();
        if self.text.capacity() > MAX_KEPT_CAPACITY {
            self.text = SmallVec::new();
        }
        Some(payload)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn text_is_forwarded_and_the_buffer_kept() {
        let mut slot = PayloadSlot::default();
        assert!(!slot.is_set());
        slot.write(|out| out.extend_from_slice(br#"{"a":1}"#));
        assert!(slot.is_set());
        let buffer = slot.text.as_ptr(); // inline: the slot's own bytes
        let payload = slot.take().unwrap();
        assert_eq!(payload.json(), r#"{"a":1}"#, "text is forwarded as written");
        assert_eq!(payload, json!({"a": 1}));
        assert!(!slot.is_set());
        slot.write(|out| out.extend_from_slice(br#""text""#));
        assert_eq!(slot.text.as_ptr(), buffer, "the buffer is reused");
        assert_eq!(slot.take().unwrap(), json!("text"));
        slot.set(json!(2));
        slot.write(|out| out.extend_from_slice(b"3"));
        assert_eq!(slot.take().unwrap(), json!(3), "the last write wins");
        assert_eq!(slot.take(), None);
    }
}
