//! Exports, langtrace's own routes (Langfuse has none): traces and observations with the
//! list routes' filters, and a dataset's items, as JSON Lines or CSV, and generations and
//! dataset items also as OpenAI fine-tuning files. Every export streams: rows are read in keyset-paged batches
//! ([`crate::store::export`]), each batch encoded on a blocking thread and handed to the
//! response through a bounded channel ([`stream`]), so memory stays the same whatever
//! the number of rows. A row a fine-tuning format cannot hold is counted and named in
//! the export's last line ([`report`]), never dropped silently.
//!
//! - [`format`]: the `format` parameter and the encoder it picks;
//! - [`jsonl`], [`csv`], [`openai_sft`], [`openai_dpo`]: the encoders, [`messages`] the
//!   chat messages the OpenAI formats are made of;
//! - [`traces`], [`observations`], [`datasets`]: the routes.

pub mod csv;
pub mod datasets;
pub mod format;
pub mod jsonl;
pub mod messages;
pub mod observations;
pub mod openai_dpo;
pub mod openai_sft;
pub mod report;
pub mod stream;
pub mod traces;

use serde_json::Value;

/// One row of an export: its id (named when it does not fit) and its wire object.
pub struct Item {
    /// The row's id.
    pub id: String,
    /// The object the API answers for it.
    pub value: Value,
}

/// Turns items into bytes of one format.
pub trait Encoder: Send + 'static {
    /// Appends what the export starts with (a CSV header) to `out`.
    fn start(&mut self, _out: &mut Vec<u8>) {}

    /// Appends `item` to `out` (or notes that it does not fit).
    fn item(&mut self, item: &Item, out: &mut Vec<u8>);

    /// Appends what the export ends with (the report of rows that did not fit) to `out`.
    fn finish(&mut self, _out: &mut Vec<u8>) {}
}
