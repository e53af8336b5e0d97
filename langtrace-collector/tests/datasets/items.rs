//! Datasets and their items: upserts, Langfuse's exact shapes, ACTIVE-only lists with
//! exact paging, versions and time travel, deletion, schemas, media references and
//! projects kept apart.

use serde_json::{json, Value};

use crate::client::{create_dataset, dataset_path, delete, encoded, ids, item, try_item};
use crate::support::{cli, Collector};

#[test]
fn datasets_upsert_by_name_with_langfuses_shape() {
    let collector = Collector::start();
    let created =
        create_dataset(&collector, &json!({"name": "qa/golden", "description": "first", "metadata": {"team": "a"}}));
    let keys: Vec<&str> = created.as_object().unwrap().keys().map(String::as_str).collect();
    for key in [
        "id",
        "name",
        "description",
        "metadata",
        "projectId",
        "createdAt",
        "updatedAt",
        "inputSchema",
        "expectedOutputSchema",
    ] {
        assert!(keys.contains(&key), "{key} missing: {created}");
    }
    let project_id = collector.ok("/api/public/projects")["data"][0]["id"].clone();
    assert_eq!(created["projectId"], project_id);
    // The same name again: the same dataset, fields given replaced, others kept.
    let updated = create_dataset(&collector, &json!({"name": "qa/golden", "description": "second"}));
    assert_eq!(updated["id"], created["id"]);
    assert_eq!((updated["description"].as_str(), &updated["metadata"]), (Some("second"), &json!({"team": "a"})));
    let bare = create_dataset(&collector, &json!({"name": "bare"}));
    assert_eq!((&bare["description"], &bare["metadata"]), (&Value::Null, &Value::Null));

    let got = collector.ok(&dataset_path("qa/golden"));
    assert_eq!((&got["id"], &got["description"]), (&created["id"], &json!("second")));
    let list = collector.ok("/api/public/v2/datasets?limit=1");
    assert_eq!(ids(&list), [bare["id"].as_str().unwrap()], "newest first");
    assert_eq!(list["meta"], json!({"page": 1, "limit": 1, "totalItems": 2, "totalPages": 2}));
}

#[test]
fn items_upsert_list_active_page_exactly_and_travel_in_time() {
    let collector = Collector::start();
    let dataset = create_dataset(&collector, &json!({"name": "qa"}));
    let first = item(
        &collector,
        &json!({"datasetName": "qa", "id": "item-1", "input": {"q": "2+2"}, "expectedOutput": "4",
                "metadata": {"source": "hand"}, "sourceTraceId": "trace-9", "sourceObservationId": "obs-9"}),
    );
    assert_eq!(first["datasetId"], dataset["id"]);
    assert_eq!((first["datasetName"].as_str(), first["status"].as_str()), (Some("qa"), Some("ACTIVE")));
    assert_eq!((&first["sourceTraceId"], &first["sourceObservationId"]), (&json!("trace-9"), &json!("obs-9")));
    assert_eq!(first["mediaReferences"], json!([]));
    // A bare item still carries every key the SDK requires.
    let bare = item(&collector, &json!({"datasetName": "qa"}));
    for key in ["input", "expectedOutput", "metadata", "mediaReferences", "createdAt", "updatedAt", "datasetId"] {
        assert!(bare.get(key).is_some(), "{key} missing: {bare}");
    }
    assert_eq!(bare["input"], Value::Null);

    // Upsert by id: fields left out keep their values.
    let before_update = collector.ok("/api/public/dataset-items?datasetName=qa")["data"].clone();
    let updated = item(&collector, &json!({"datasetName": "qa", "id": "item-1", "expectedOutput": "four"}));
    assert_eq!((&updated["input"], &updated["expectedOutput"]), (&json!({"q": "2+2"}), &json!("four")));
    assert_eq!((&updated["metadata"], &updated["sourceTraceId"]), (&json!({"source": "hand"}), &json!("trace-9")));
    assert_eq!(updated["createdAt"], first["createdAt"]);
    assert!(updated["updatedAt"].as_str() >= first["updatedAt"].as_str());

    // Archived: hidden from lists, still readable by id.
    item(&collector, &json!({"datasetName": "qa", "id": "item-1", "status": "ARCHIVED"}));
    assert_eq!(ids(&collector.ok("/api/public/dataset-items?datasetName=qa")), [bare["id"].as_str().unwrap()]);
    assert_eq!(collector.ok("/api/public/dataset-items/item-1")["status"], "ARCHIVED");

    // As of a version: the set (and values) valid then.
    let version = first["updatedAt"].as_str().unwrap();
    let then = collector.ok(&format!("/api/public/dataset-items?datasetName=qa&version={}", encoded(version)));
    assert_eq!(ids(&then), ["item-1"], "only item-1 existed then");
    assert_eq!(then["data"][0]["expectedOutput"], "4");
    let before = before_update.as_array().unwrap();
    assert_eq!(before.len(), 2);

    // Filters by source.
    item(&collector, &json!({"datasetName": "qa", "id": "item-1", "status": "ACTIVE"}));
    assert_eq!(ids(&collector.ok("/api/public/dataset-items?sourceTraceId=trace-9")), ["item-1"]);
    assert_eq!(ids(&collector.ok("/api/public/dataset-items?sourceObservationId=obs-9")), ["item-1"]);

    // Deleted: gone from lists and by id, still there as of an earlier time.
    assert_eq!(
        delete(&collector, "/api/public/dataset-items/item-1"),
        (200, json!({"message": "Dataset item successfully deleted"}))
    );
    assert_eq!(collector.get("/api/public/dataset-items/item-1").0, 404);
    assert_eq!(delete(&collector, "/api/public/dataset-items/item-1").0, 404);
    assert_eq!(
        ids(&collector.ok(&format!("/api/public/dataset-items?datasetName=qa&version={}", encoded(version)))),
        ["item-1"]
    );

    // Paging: 53 items over pages of 50 and 3, totalPages exact.
    for n in 0..51 {
        item(&collector, &json!({"datasetName": "qa", "id": format!("bulk-{n:02}"), "input": n}));
    }
    let page1 = collector.ok("/api/public/dataset-items?datasetName=qa");
    assert_eq!(page1["meta"], json!({"page": 1, "limit": 50, "totalItems": 52, "totalPages": 2}));
    let page2 = collector.ok("/api/public/dataset-items?datasetName=qa&page=2");
    let mut all = ids(&page1);
    all.extend(ids(&page2));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 52, "every item once over the two pages");
}

#[test]
fn schemas_refuse_items_that_do_not_match() {
    let collector = Collector::start();
    let schema = json!({"type": "object", "required": ["question"], "properties": {"question": {"type": "string"}}});
    let dataset = create_dataset(
        &collector,
        &json!({"name": "typed", "inputSchema": schema, "expectedOutputSchema": {"type": "string"}}),
    );
    assert_eq!(dataset["inputSchema"], schema);
    item(
        &collector,
        &json!({"datasetName": "typed", "id": "ok", "input": {"question": "why?"}, "expectedOutput": "because"}),
    );
    let (status, refused) = try_item(&collector, &json!({"datasetName": "typed", "input": {"question": 7}}));
    assert_eq!(status, 400, "{refused}");
    let message = refused["message"].as_str().unwrap();
    assert!(message.starts_with("Dataset item validation failed: input"), "{message}");
    let (status, refused) = try_item(&collector, &json!({"datasetName": "typed", "id": "ok", "expectedOutput": 42}));
    assert_eq!(status, 400, "an update is checked too: {refused}");
    assert_eq!(collector.ok("/api/public/dataset-items/ok")["expectedOutput"], "because", "the refused update left it");
    let (status, refused) =
        collector.post_json("/api/public/v2/datasets", &json!({"name": "x", "inputSchema": {"type": 12}}));
    assert_eq!(status, 400, "{refused}");
    assert!(refused["message"].as_str().unwrap().starts_with("inputSchema is not a valid JSON Schema"), "{refused}");
}

#[test]
fn media_references_are_resolved_from_the_media_store() {
    let collector = Collector::start();
    let (status, announced) = collector.post_json(
        "/api/public/media",
        &json!({"traceId": "t1", "contentType": "image/png", "contentLength": 4,
                "sha256Hash": "iNQmb9TmM40TuEX88olXnSCciXgjuSF9o+Fhk28DFYk=", "field": "input"}),
    );
    assert_eq!(status, 200, "{announced}");
    let media_id = announced["mediaId"].as_str().unwrap();
    let reference = format!("@@@langfuseMedia:type=image/png|id={media_id}|source=bytes@@@");
    create_dataset(&collector, &json!({"name": "pictures"}));
    let stored = item(
        &collector,
        &json!({"datasetName": "pictures", "input": {"image": reference, "caption": "a cat"},
                "metadata": {"unknown": "@@@langfuseMedia:type=image/png|id=nope|source=bytes@@@"}}),
    );
    let references = stored["mediaReferences"].as_array().unwrap();
    assert_eq!(references.len(), 1, "only media the project has: {stored}");
    let found = &references[0];
    assert_eq!((found["field"].as_str(), found["jsonPath"].as_str()), (Some("input"), Some("$['image']")));
    assert_eq!(found["referenceString"], reference);
    assert_eq!(
        (found["media"]["mediaId"].as_str(), found["media"]["contentType"].as_str()),
        (Some(media_id), Some("image/png"))
    );
    assert_eq!(found["media"]["contentLength"], 4);
    assert!(found["media"]["url"].as_str().unwrap().ends_with(&format!("/api/public/media/{media_id}/content")));
    assert!(found["media"]["urlExpiry"].is_string());
}

#[test]
fn another_projects_keys_see_no_datasets() {
    let collector = Collector::start();
    create_dataset(&collector, &json!({"name": "private"}));
    item(&collector, &json!({"datasetName": "private", "id": "secret-item", "input": "secret"}));
    let run_item = json!({"runName": "secret-run", "datasetItemId": "secret-item", "traceId": "t1"});
    assert_eq!(collector.post_json("/api/public/dataset-run-items", &run_item).0, 200);
    let data_dir = collector.stop();
    let other = cli::create_project(data_dir.path(), "team-b");
    let collector = Collector::setup().data_dir(data_dir).process();
    let team_b = crate::support::http::Api::new(collector.base_url.clone(), other);
    assert_eq!(team_b.ok("/api/public/v2/datasets")["data"], json!([]));
    assert_eq!(team_b.get(&dataset_path("private")).0, 404);
    assert_eq!(team_b.ok("/api/public/dataset-items")["data"], json!([]));
    assert_eq!(team_b.get("/api/public/dataset-items/secret-item").0, 404);
    assert_eq!(try_item(&team_b, &json!({"datasetName": "private", "input": 1})).0, 404);
    assert_eq!(delete(&team_b, "/api/public/dataset-items/secret-item").0, 404);
    assert_eq!(team_b.post_json("/api/public/dataset-run-items", &run_item).0, 404);
    let from = "fromStartTime=2023-01-01T00:00:00Z";
    assert_eq!(team_b.ok(&format!("/api/public/experiments?{from}"))["data"], json!([]));
    assert_eq!(team_b.ok(&format!("/api/public/experiment-items?{from}"))["data"], json!([]));
    assert_eq!(team_b.get("/api/public/datasets/private/runs").0, 404);
    // The same names in the other project are its own.
    create_dataset(&team_b, &json!({"name": "private"}));
    let theirs = item(&team_b, &json!({"datasetName": "private", "id": "secret-item", "input": "theirs"}));
    assert_eq!(theirs["input"], "theirs");
    assert_eq!(collector.ok("/api/public/dataset-items/secret-item")["input"], "secret");
}
