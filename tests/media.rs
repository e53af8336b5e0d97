//! Explicit media (`Media::from_bytes`, `Media::from_file`) as or inside inputs, outputs
//! and metadata: the same media references and records as data URIs, with their source;
//! media over the payload limit refused and counted, never a panic.

mod common;

use common::Harness;
use langtrace::{current_observation, observe, Media, MediaField, MediaSource};
use serde_json::json;

#[observe(as_type = generation)]
fn describe(image: &Media) -> String {
    format!("a pixel in {} bytes", image.bytes().len())
}

#[test]
fn explicit_media_become_references_with_their_source() {
    let dir = std::env::temp_dir().join(format!("langtrace-media-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let chart = dir.join("chart.pdf");
    std::fs::write(&chart, b"%PDF-1.7 not really").unwrap();
    let harness = Harness::new();
    let image = Media::from_bytes("image/png", b"\x89PNG pixel".to_vec()).unwrap();
    harness.run(|| {
        describe(&image);
        #[observe]
        fn report(path: &std::path::Path) {
            let chart = Media::from_file(path).unwrap();
            current_observation().set_output(json!({"chart": chart, "pages": 1}));
            current_observation()
                .set_metadata("thumbnail", Media::from_bytes("image/png", b"\x89PNG pixel".to_vec()).unwrap());
        }
        report(&chart);
    });
    std::fs::remove_dir_all(&dir).unwrap();

    let described = harness.observation("describe");
    assert_eq!(described.media.len(), 1);
    let media = &described.media[0];
    assert_eq!(
        (media.source, media.field, media.content_type.as_str()),
        (MediaSource::Bytes, MediaField::Input, "image/png")
    );
    assert_eq!(media.bytes, b"\x89PNG pixel");
    let reference = format!("@@@langfuseMedia:type=image/png|id={}|source=bytes@@@", media.media_id);
    assert_eq!(described.input_value(), Some(json!({"image": reference})));

    let reported = harness.observation("report");
    let file = reported.media.iter().find(|m| m.source == MediaSource::File).expect("the file's media");
    assert_eq!((file.content_type.as_str(), file.field), ("application/pdf", MediaField::Output));
    assert_eq!(file.bytes, b"%PDF-1.7 not really");
    let output = reported.output_value().unwrap();
    assert_eq!(output, json!({"chart": file.reference, "pages": 1}));
    assert!(file.reference.ends_with("|source=file@@@"), "{}", file.reference);
    assert_eq!(reported.metadata["thumbnail"], json!(reference), "identical bytes, identical reference");
    assert_eq!(harness.guard.stats().media_refused, 0);
}

#[test]
fn media_over_the_payload_limit_are_refused_and_counted() {
    let harness = Harness::with(|b| b.max_payload_bytes(1024));
    let large = Media::from_bytes("audio/wav", vec![0u8; 4096]).unwrap();
    let small = Media::from_bytes("image/png", vec![1u8; 16]).unwrap();
    harness.run(|| {
        #[observe]
        fn listen(recording: &Media, cover: &Media) -> usize {
            recording.bytes().len() + cover.bytes().len()
        }
        listen(&large, &small);
    });
    let listened = harness.observation("listen");
    assert_eq!(harness.guard.stats().media_refused, 1);
    assert_eq!(harness.guard.stats().dropped, 0, "the record itself is delivered");
    assert_eq!(listened.media.len(), 1, "only the small media is kept");
    let input = listened.input_value().unwrap();
    assert_eq!(input["recording"], "[media refused: audio/wav, 4096 bytes, over the 1024-byte payload limit]");
    assert_eq!(input["cover"], json!(listened.media[0].reference));
}
