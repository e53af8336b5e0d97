//! Users and sessions: group traces the way Langfuse's Users and Sessions views do.
//!
//! Every chat turn is its own trace. A [`Scope`] propagates trace attributes (user,
//! session, tags, metadata) to every trace started inside it, synchronously with
//! `in_scope(..)` or across `.await` with `instrument(fut)`. Scopes nest: inner values
//! win, tags and metadata add up. Code inside a trace can add more with
//! `current_trace()`.
//!
//! Run it with `cargo run --example sessions_users`.

use langtrace::{current_observation, current_trace, observe, Scope, Usage};

/// A mock chat model: deterministic, no network.
#[observe(as_type = generation, model = "mock-chat")]
fn reply(message: &str) -> String {
    let words = message.split_whitespace().count() as u64;
    current_observation().set_usage(Usage::tokens(words, 4));
    format!("You said {words} words.")
}

/// One turn of a conversation: the root of one trace.
#[observe(name = "chat-turn")]
fn chat_turn(turn: usize, message: &str) -> String {
    // Trace metadata set from inside the trace, next to the scope's.
    current_trace().set_metadata("turn", turn);
    reply(message)
}

/// The same turn in async code.
#[observe(name = "chat-turn")]
async fn chat_turn_async(turn: usize, message: &str) -> String {
    current_trace().set_metadata("turn", turn);
    reply(message)
}

#[tokio::main]
async fn main() {
    let _guard = langtrace::init().expect("valid langtrace settings");

    // Alice, synchronous code: the outer scope names the user for both of her sessions,
    // the inner scopes name each session and add a tag.
    Scope::new().user_id("alice").tags(["web"]).metadata("plan", "pro").in_scope(|| {
        Scope::new().session_id("alice-session-1").tags(["onboarding"]).in_scope(|| {
            chat_turn(1, "Hello, how do I create an API key?");
            chat_turn(2, "Thanks, and where do I paste it?");
        });
        Scope::new().session_id("alice-session-2").in_scope(|| {
            chat_turn(1, "Can I export my traces?");
        });
    });

    // Bob, async code: `instrument` keeps the scope across every poll of the future.
    let bob = Scope::new().user_id("bob").session_id("bob-session-1").tags(["mobile"]).metadata("app_version", "2.3.1");
    bob.instrument(async {
        chat_turn_async(1, "What does the free tier include?").await;
        chat_turn_async(2, "And the paid one?").await;
    })
    .await;
}
