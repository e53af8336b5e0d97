//! Exports against a real `langtrace serve`: traces and observations with the list
//! filters as JSON Lines and CSV, the score threshold, OpenAI SFT and DPO lines checked
//! field by field against golden files with the rows that do not fit reported, dataset
//! exports (versions, 404), bad input, project isolation, and streaming (rows stored
//! after an export started still reach it). One
//! module per concern; `client` holds what they share.

mod support;

#[path = "export/bad_input.rs"]
mod bad_input;
#[path = "export/client.rs"]
mod client;
#[path = "export/datasets.rs"]
mod datasets;
#[path = "export/fine_tuning.rs"]
mod fine_tuning;
#[path = "export/formats.rs"]
mod formats;
#[path = "export/streaming.rs"]
mod streaming;
