//! Multimodal: a generation whose input holds an image as a base64 data URI, and the same
//! image attached explicitly with `langtrace::Media`.
//!
//! Before records reach any sink, every `data:<mime>;base64,...` string in an input,
//! output or metadata value is replaced by a Langfuse media reference
//! (`@@@langfuseMedia:type=image/png|id=...|source=base64_data_uri@@@`) and its bytes
//! travel next to the record for upload, so traces stay small and the image shows up in
//! Langfuse's UI. A `Media` built from bytes (or read from a file) becomes the same kind
//! of reference, with `source=bytes` (or `source=file`).
//!
//! The console tree does not print inputs, so the records also go to a `MemorySink`
//! and the example prints the recorded input and media after a flush.
//!
//! Run it with `cargo run --example multimodal`.

use std::time::Duration;

use base64::Engine;
use langtrace::{current_observation, observe, ConsoleSink, Media, MemorySink, Usage};
use serde_json::{json, Value};

/// A 1x1 PNG image, base64-encoded.
const PIXEL_PNG_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// A mock vision model: deterministic, no network.
#[observe(as_type = generation, model = "gpt-4o")]
fn describe_image(messages: &Value) -> String {
    current_observation().set_usage(Usage::tokens(85, 9));
    // The same image attached explicitly, from its bytes (the content type is validated).
    let bytes = base64::engine::general_purpose::STANDARD.decode(PIXEL_PNG_BASE64).expect("valid base64");
    let image = Media::from_bytes("image/png", bytes).expect("a valid content type");
    current_observation().set_metadata("thumbnail", image);
    let parts = messages[0]["content"].as_array().map_or(0, Vec::len);
    format!("A single blue pixel ({parts} message parts read).")
}

fn main() {
    let memory = MemorySink::new();
    let guard =
        langtrace::builder().sink(ConsoleSink::new()).sink(memory.clone()).init().expect("valid langtrace settings");

    // An OpenAI-style chat message with a text part and an image part.
    let messages = json!([{
        "role": "user",
        "content": [
            { "type": "text", "text": "What is in this image?" },
            { "type": "image_url", "image_url": { "url": format!("data:image/png;base64,{PIXEL_PNG_BASE64}") } },
        ],
    }]);
    println!("model says: {}", describe_image(&messages));

    guard.flush(Duration::from_secs(5)).expect("records reach the sinks");
    let generation = memory.observation("describe_image").expect("describe_image was recorded");
    let input = generation.input_value().unwrap_or_default();
    println!("the data URI in the input was replaced by a media reference:");
    println!("  {}", input["messages"][0]["content"][1]["image_url"]["url"]);
    println!("the explicit Media in the metadata too (identical bytes, identical id):");
    println!("  {}", generation.metadata["thumbnail"]);
    for media in &generation.media {
        println!(
            "  media {}: {}, {} bytes, from field {:?} (an exporter uploads it separately)",
            media.media_id,
            media.content_type,
            media.bytes.len(),
            media.field
        );
    }
}
