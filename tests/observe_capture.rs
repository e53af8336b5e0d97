//! What `#[observe]` captures: the arguments by name and the return value,
//! through `Serialize`, else `Debug`, else a placeholder, chosen per type
//! (for a generic, by its bounds in the fn); a value that fails to serialize
//! never fails the call.

mod common;

use common::{add, only, record, Opaque};
use langtrace::{observe, Level, ObservationType};
use serde_json::json;

/// Captured through `Serialize`.
#[derive(serde::Serialize, Clone)]
struct Serializable {
    id: u32,
}

/// Captured through `Debug`.
#[derive(Debug)]
struct DebugOnly {
    id: u32,
}

#[test]
fn sync_fn_records_named_arguments_and_return_value() {
    let observations = record(|| assert_eq!(add(1, 2), 3));

    let obs = only(&observations, "add");
    assert_eq!(obs.observation_type, ObservationType::Span);
    assert_eq!(obs.input_value(), Some(json!({"a": 1, "b": 2})));
    assert_eq!(obs.output_value(), Some(json!(3)));
    assert_eq!(obs.level, Level::Default);
    assert_eq!(obs.status_message, None);
    assert_eq!(obs.parent_id, None);
}

#[observe]
fn describe(serializable: Serializable, debug_only: DebugOnly, opaque: Opaque, (left, right): (u8, u8)) -> usize {
    let _ = (serializable, opaque);
    debug_only.id as usize + usize::from(left) + usize::from(right)
}

#[test]
fn arguments_fall_back_from_serialize_to_debug_to_placeholder() {
    let observations = record(|| {
        describe(Serializable { id: 1 }, DebugOnly { id: 2 }, Opaque, (3, 4));
    });

    let input = only(&observations, "describe").input_value().unwrap();
    assert_eq!(input["serializable"], json!({"id": 1}));
    assert_eq!(input["debug_only"], json!("DebugOnly { id: 2 }"));
    let placeholder = input["opaque"].as_str().unwrap();
    assert!(placeholder.starts_with("<unserializable") && placeholder.contains("Opaque"), "{placeholder}");
    assert_eq!(input["left"], json!(3));
    assert_eq!(input["right"], json!(4));
}

#[observe]
fn log_line(line: &str) {
    let _ = line;
}

#[test]
fn unit_fn_records_no_output() {
    let observations = record(|| log_line("hello"));

    let obs = only(&observations, "log_line");
    assert_eq!(obs.input_value(), Some(json!({"line": "hello"})));
    assert_eq!(obs.output_value(), None);
}

#[observe]
fn echo_serializable<T: serde::Serialize>(value: T) -> T {
    value
}

#[observe]
fn echo_anything<T>(value: T) -> T {
    value
}

#[test]
fn generic_capture_follows_the_bounds_of_the_fn() {
    let observations = record(|| {
        echo_serializable(Serializable { id: 5 });
        echo_anything(Serializable { id: 6 });
    });

    let bounded = only(&observations, "echo_serializable");
    assert_eq!(bounded.input_value(), Some(json!({"value": {"id": 5}})));
    assert_eq!(bounded.output_value(), Some(json!({"id": 5})));
    let unbounded = only(&observations, "echo_anything");
    let output = unbounded.output_value().unwrap();
    let placeholder = output.as_str().unwrap();
    assert!(placeholder.starts_with("<unserializable"), "{placeholder}");
}

#[test]
fn a_panicking_serialize_is_recorded_as_unserializable_and_the_call_goes_on() {
    struct Explosive;
    impl serde::Serialize for Explosive {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            panic!("serialize bug")
        }
    }
    #[observe]
    fn handle(payload: Explosive, n: u32) -> u32 {
        let _ = payload;
        n + 1
    }
    let observations = record(|| assert_eq!(handle(Explosive, 1), 2));
    let input = only(&observations, "handle").input_value().unwrap();
    assert_eq!(input["payload"], json!("<unserializable: it panicked>"));
    assert_eq!(input["n"], json!(1));
}

#[test]
fn an_argument_whose_serialize_updates_the_observation_does_not_deadlock() {
    struct Chatty(u32);
    impl serde::Serialize for Chatty {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            langtrace::current_observation().set_metadata("serialized", true);
            serializer.serialize_u32(self.0)
        }
    }
    #[observe]
    fn handle(value: Chatty) -> u32 {
        value.0
    }
    let observations = record(|| assert_eq!(handle(Chatty(7)), 7));
    let observation = only(&observations, "handle");
    assert_eq!(observation.input_value(), Some(json!({"value": 7})));
    assert_eq!(observation.metadata["serialized"], json!(true));
}
