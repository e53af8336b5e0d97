//! How `#[observe]` records failures: an `Err` output sets level ERROR with
//! the error's message, a panic (in the fn or in a poll of its future) does
//! too and then keeps unwinding.

mod common;

use std::panic::{self, AssertUnwindSafe};

use common::{only, record};
use langtrace::{observe, Level};
use serde_json::json;

#[observe]
fn parse_number(text: &str) -> Result<u32, std::num::ParseIntError> {
    let number = text.trim().parse()?;
    Ok(number)
}

#[test]
fn ok_value_is_the_output() {
    let observations = record(|| {
        parse_number(" 7 ").unwrap();
    });

    let obs = only(&observations, "parse_number");
    assert_eq!(obs.output_value(), Some(json!(7)));
    assert_eq!(obs.level, Level::Default);
    assert_eq!(obs.status_message, None);
}

#[test]
fn err_sets_level_error_and_display_message() {
    let observations = record(|| {
        parse_number("seven").unwrap_err();
    });

    let obs = only(&observations, "parse_number");
    assert_eq!(obs.level, Level::Error);
    assert_eq!(obs.status_message.as_deref(), Some("invalid digit found in string"));
    assert_eq!(obs.output_value(), None);
}

#[observe]
fn explode(reason: &str) -> u32 {
    panic!("exploded: {reason}")
}

#[test]
fn panic_is_recorded_and_propagates() {
    let mut outcome = None;
    let observations = record(|| outcome = Some(panic::catch_unwind(|| explode("on purpose"))));

    let payload = outcome.unwrap().unwrap_err();
    assert_eq!(payload.downcast_ref::<String>().map(String::as_str), Some("exploded: on purpose"));
    let obs = only(&observations, "explode");
    assert_eq!(obs.level, Level::Error);
    let message = obs.status_message.as_deref().unwrap();
    assert!(message.contains("exploded: on purpose"), "{message}");
}

#[observe]
async fn explode_later(reason: &str) {
    tokio::task::yield_now().await;
    panic!("exploded later: {reason}")
}

#[test]
fn panic_in_a_future_is_recorded_and_propagates() {
    let mut outcome = None;
    let observations = record(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        outcome = Some(panic::catch_unwind(AssertUnwindSafe(|| {
            runtime.block_on(explode_later("on purpose"));
        })));
    });

    assert!(outcome.unwrap().is_err());
    let obs = only(&observations, "explode_later");
    assert_eq!(obs.level, Level::Error);
    let message = obs.status_message.as_deref().unwrap();
    assert!(message.contains("exploded later: on purpose"), "{message}");
}
