//! Bad input answered with precise 4xx: unknown datasets, an item id of another dataset,
//! `version` without `datasetName`, bad statuses, ids and paging.

use serde_json::json;

use crate::client::{create_dataset, dataset_path, item, try_item};
use crate::support::Collector;

#[test]
fn bad_dataset_and_item_requests_get_precise_errors() {
    let collector = Collector::start();
    assert_eq!(collector.get(&dataset_path("nope")), (404, json!({"message": "Dataset not found"})));
    assert_eq!(
        try_item(&collector, &json!({"datasetName": "nope", "input": 1})),
        (404, json!({"message": "Dataset not found"}))
    );
    assert_eq!(collector.get("/api/public/dataset-items?datasetName=nope").0, 404);
    create_dataset(&collector, &json!({"name": "a"}));
    create_dataset(&collector, &json!({"name": "b"}));
    item(&collector, &json!({"datasetName": "a", "id": "shared-id"}));
    let (status, refused) = try_item(&collector, &json!({"datasetName": "b", "id": "shared-id"}));
    assert_eq!(status, 409, "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("another dataset"), "{refused}");
    assert_eq!(collector.ok("/api/public/dataset-items/shared-id")["datasetName"], "a");

    let (status, refused) = collector.get("/api/public/dataset-items?version=2024-01-01T00:00:00Z");
    assert_eq!((status, refused["message"].as_str()), (400, Some("version requires datasetName")));
    assert_eq!(collector.get("/api/public/dataset-items?datasetName=a&version=yesterday").0, 400);
    assert_eq!(collector.get("/api/public/dataset-items?page=0").0, 400);
    assert_eq!(collector.get("/api/public/dataset-items?limit=101").0, 400);
    assert_eq!(collector.get("/api/public/v2/datasets?limit=0").0, 400);
    assert_eq!(try_item(&collector, &json!({"datasetName": "a", "status": "DELETED"})).0, 400);
    assert_eq!(try_item(&collector, &json!({"datasetName": "a", "id": "x".repeat(256)})).0, 400);
    assert_eq!(try_item(&collector, &json!({"input": 1})).0, 400, "datasetName is required");
    assert_eq!(collector.post_json("/api/public/v2/datasets", &json!({"name": "  "})).0, 400);
    assert_eq!(collector.post_json("/api/public/v2/datasets", &json!({"description": "no name"})).0, 400);
}

#[test]
fn bad_run_item_and_experiment_requests_get_precise_errors() {
    let collector = Collector::start();
    create_dataset(&collector, &json!({"name": "a"}));
    item(&collector, &json!({"datasetName": "a", "id": "i1"}));
    let post = |body: serde_json::Value| collector.post_json("/api/public/dataset-run-items", &body);
    let (status, refused) = post(json!({"runName": "r", "datasetItemId": "i1"}));
    assert_eq!((status, refused["message"].as_str()), (400, Some("traceId or observationId is required")));
    assert_eq!(
        post(json!({"runName": "r", "datasetItemId": "nope", "traceId": "t"})),
        (404, json!({"message": "Dataset item not found"}))
    );
    assert_eq!(
        post(json!({"runName": "r", "datasetItemId": "i1", "observationId": "unknown"})),
        (404, json!({"message": "Observation not found"}))
    );
    assert_eq!(post(json!({"runName": " ", "datasetItemId": "i1", "traceId": "t"})).0, 400);
    assert_eq!(post(json!({"runName": "r", "datasetItemId": "i1", "traceId": "t", "datasetVersion": "soon"})).0, 400);
    assert_eq!(post(json!({"datasetItemId": "i1", "traceId": "t"})).0, 400, "runName is required");

    assert_eq!(collector.get("/api/public/datasets/nope/runs"), (404, json!({"message": "Dataset not found"})));
    assert_eq!(collector.get("/api/public/datasets/a/runs/nope"), (404, json!({"message": "Dataset run not found"})));
    assert_eq!(collector.get("/api/public/datasets/nope").0, 404);
    assert_eq!(collector.get("/api/public/dataset-run-items?runName=r").0, 400, "datasetId is required");
    assert_eq!(collector.get("/api/public/dataset-run-items?datasetId=x&runName=r").0, 404);

    let (status, refused) = collector.get("/api/public/experiments");
    assert_eq!((status, refused["message"].as_str()), (400, Some("fromStartTime is required")));
    let from = "fromStartTime=2023-01-01T00:00:00Z";
    for query in ["limit=101", "limit=0", "cursor=%%%", "fields=everything", "toStartTime=later"] {
        assert_eq!(collector.get(&format!("/api/public/experiments?{from}&{query}")).0, 400, "{query}");
        assert_eq!(collector.get(&format!("/api/public/experiment-items?{from}&{query}")).0, 400, "{query}");
    }
    assert_eq!(collector.get("/api/public/experiment-items").0, 400);
}
