//! JSON Lines: each row's API object on one line.

use super::{Encoder, Item};

/// The JSON Lines encoder.
pub struct Jsonl;

impl Encoder for Jsonl {
    fn item(&mut self, item: &Item, out: &mut Vec<u8>) {
        // Writing a `Value` into a `Vec` cannot fail.
        serde_json::to_writer(&mut *out, &item.value).expect("JSON into memory");
        out.push(b'\n');
    }
}
