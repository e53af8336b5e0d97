//! Prompt management against a real `langtrace serve`: Langfuse's routes, shapes, status
//! codes and label rules, composition, the label history, concurrent creates, project
//! isolation, bad input, and generations linked to prompt versions. One module per
//! concern; `client` holds the requests they share.

mod support;

#[path = "prompts/bad_input.rs"]
mod bad_input;
#[path = "prompts/client.rs"]
mod client;
#[path = "prompts/compose.rs"]
mod compose;
#[path = "prompts/linking.rs"]
mod linking;
#[path = "prompts/versions.rs"]
mod versions;
