//! Bookmarks: set and cleared with `PATCH /api/public/traces/{id}`, shown as
//! `bookmarked` in list and detail, filtered with `bookmarked=true|false`, kept when more
//! spans of the trace arrive, and private to the project.

use serde_json::{json, Value};

use super::client::{patch_trace, root, send};
use crate::support::otlp::{span, trace_id};
use crate::support::{cli, Collector};

/// The trace ids of a list.
fn ids(list: &Value) -> Vec<&str> {
    list["data"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect()
}

#[test]
fn bookmarks_show_in_lists_and_details_filter_and_survive_more_spans() {
    let collector = Collector::start();
    let keys = collector.authorization();
    let other = cli::create_project(collector.data_dir(), "other").basic();
    for trace in 1..=3 {
        send(&collector, &keys, vec![root(trace, "s", false)]);
    }
    let starred = trace_id(2);
    assert_eq!(collector.ok("/api/public/traces?bookmarked=true")["meta"]["totalItems"], 0);

    let (status, trace) = patch_trace(&collector, &keys, &starred, &json!({"bookmarked": true}));
    assert_eq!((status, trace["bookmarked"].as_bool()), (200, Some(true)), "{trace}");
    assert_eq!(trace["public"], false, "the other flag is kept");
    assert_eq!(ids(&collector.ok("/api/public/traces?bookmarked=true")), [starred.as_str()]);
    let rest = collector.ok("/api/public/traces?bookmarked=false");
    assert_eq!(rest["meta"]["totalItems"], 2);
    assert!(!ids(&rest).contains(&starred.as_str()));
    let all = collector.ok("/api/public/traces");
    let flags: Vec<bool> = all["data"].as_array().unwrap().iter().map(|t| t["bookmarked"].as_bool().unwrap()).collect();
    assert_eq!(flags, [false, true, false], "newest first: trace 3, 2, 1");
    assert_eq!(collector.ok(&format!("/api/public/traces/{starred}"))["bookmarked"], true);

    // More spans of the trace keep the bookmark; another project neither sees nor changes it.
    send(&collector, &keys, vec![span(2, 5).parent(1).at(3, 1)]);
    assert_eq!(collector.ok(&format!("/api/public/traces/{starred}"))["bookmarked"], true);
    assert_eq!(patch_trace(&collector, &other, &starred, &json!({"bookmarked": false})).0, 404);
    assert_eq!(collector.get_as("/api/public/traces?bookmarked=true", &other).1["meta"]["totalItems"], 0);
    assert_eq!(ids(&collector.ok("/api/public/traces?bookmarked=true")), [starred.as_str()]);

    let (status, trace) = patch_trace(&collector, &keys, &starred, &json!({"bookmarked": false}));
    assert_eq!((status, trace["bookmarked"].as_bool()), (200, Some(false)));
    assert_eq!(collector.ok("/api/public/traces?bookmarked=true")["meta"]["totalItems"], 0);
    let (status, answer) = collector.get("/api/public/traces?bookmarked=yes");
    assert_eq!(status, 400, "{answer}");
    assert!(answer["message"].as_str().unwrap().contains("bookmarked"), "{answer}");
}
