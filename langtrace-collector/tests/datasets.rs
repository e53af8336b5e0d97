//! Datasets and experiments against a real `langtrace serve`: Langfuse's routes, shapes
//! and status codes, item versions and time travel, schemas, media references,
//! experiments arriving as spans and as run items into the same rows, their scores, bad
//! input and project isolation. One module per concern; `client` holds the requests they
//! share.

mod support;

#[path = "datasets/bad_input.rs"]
mod bad_input;
#[path = "datasets/client.rs"]
mod client;
#[path = "datasets/experiments.rs"]
mod experiments;
#[path = "datasets/items.rs"]
mod items;
