//! Nesting follows the call graph across `.await`, `langtrace::spawn` (tokio) and
//! `langtrace::thread::spawn`, and an `ObservationContext` carried by hand.
//! Uses the global subscriber, since tokio workers and threads are not the test's own.

mod common;

use langtrace::{observe, ObservationContext, ObservationRecord};

fn by_name<'a>(observations: &'a [ObservationRecord], name: &str) -> &'a ObservationRecord {
    observations.iter().find(|o| o.name == name).unwrap_or_else(|| panic!("no {name}"))
}

#[observe]
async fn fetch(id: u32) -> u32 {
    tokio::task::yield_now().await;
    id * 2
}

#[observe]
async fn child_task(id: u32) -> u32 {
    fetch(id).await
}

#[observe]
async fn fan_out_tasks() -> u32 {
    let first = fetch(1).await;
    let handles: Vec<_> = (10..13).map(|i| langtrace::spawn(child_task(i))).collect();
    let mut total = first;
    for handle in handles {
        total += handle.await.unwrap();
    }
    total
}

#[test]
fn children_nest_across_await_and_tokio_spawn() {
    let harness = common::global();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    assert_eq!(runtime.block_on(fan_out_tasks()), 2 + 20 + 22 + 24);
    let observations = harness.observations();
    let root = by_name(&observations, "fan_out_tasks");
    let trace: Vec<_> = observations.iter().filter(|o| o.trace_id == root.trace_id).collect();
    assert_eq!(trace.len(), 1 + 1 + 3 * 2, "root, its fetch, three tasks each with a fetch");
    let tasks: Vec<_> = trace.iter().filter(|o| o.name == "child_task").collect();
    assert_eq!(tasks.len(), 3);
    for task in &tasks {
        assert_eq!(task.parent_id, Some(root.id), "spawned task nests under the spawner");
        let fetches = trace.iter().filter(|o| o.name == "fetch" && o.parent_id == Some(task.id)).count();
        assert_eq!(fetches, 1, "await inside the task nests under the task");
    }
    let direct = trace.iter().filter(|o| o.name == "fetch" && o.parent_id == Some(root.id)).count();
    assert_eq!(direct, 1);
}

#[observe]
fn work_item(n: u64) -> u64 {
    n + 1
}

#[observe]
fn fan_out_threads() -> u64 {
    let spawned: Vec<_> = (0..3).map(|n| langtrace::thread::spawn(move || work_item(n))).collect();
    let context = ObservationContext::current();
    let manual = std::thread::spawn(move || context.in_scope(|| work_item(100)));
    spawned.into_iter().map(|h| h.join().unwrap()).sum::<u64>() + manual.join().unwrap()
}

#[test]
fn children_nest_across_threads() {
    let harness = common::global();
    assert_eq!(fan_out_threads(), 1 + 2 + 3 + 101);
    let observations = harness.observations();
    let root = by_name(&observations, "fan_out_threads");
    let children: Vec<_> =
        observations.iter().filter(|o| o.name == "work_item" && o.trace_id == root.trace_id).collect();
    assert_eq!(children.len(), 4);
    assert!(children.iter().all(|c| c.parent_id == Some(root.id)));
}

#[observe]
fn detached_root() -> u64 {
    std::thread::spawn(|| work_item(7)).join().unwrap()
}

#[test]
fn plain_thread_spawn_starts_a_separate_trace() {
    // Documented behaviour: without the helpers a thread has no parent context.
    let harness = common::global();
    detached_root();
    let observations = harness.observations();
    let root = by_name(&observations, "detached_root");
    let orphan = observations
        .iter()
        .find(|o| o.name == "work_item" && o.input_value() == Some(serde_json::json!({"n": 7})))
        .expect("the thread's observation");
    assert_ne!(orphan.trace_id, root.trace_id);
    assert_eq!(orphan.parent_id, None);
}
