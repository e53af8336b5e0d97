//! The Rust prompt client (`langtrace::prompts`) against a real `langtrace serve`: the
//! matrix the Python SDK test runs (create text and chat with a placeholder, tags and a
//! folder name; get by default, label and version; compile; move `production`; a
//! composed prompt; the server stopped while the cache serves; a fallback; a generation
//! linked to its prompt), plus two creates at once and the strict compile.

mod support;

use std::sync::Barrier;
use std::time::Duration;

use langtrace::otlp::OtlpSink;
use langtrace::prompts::{ChatMessage, CompileError, Compiled, Error, NewPrompt, Prompt, Prompts, Versions};
use langtrace::tracing_subscriber::layer::SubscriberExt;
use langtrace::{current_observation, observe};
use serde_json::{json, Value};
use support::{Collector, PUBLIC_KEY, SECRET_KEY};

/// A client of the collector's initial project, with a cache of its own.
fn client(collector: &Collector) -> Prompts {
    Prompts::builder()
        .public_key(PUBLIC_KEY)
        .secret_key(SECRET_KEY)
        .base_url(collector.base_url.clone())
        .build()
        .expect("prompt client")
}

fn text(prompt: &Prompt) -> &str {
    &prompt.as_text().expect("a text prompt").prompt
}

#[test]
fn create_fetch_compile_and_promote() {
    let collector = Collector::start();
    let prompts = client(&collector);

    let v1 = prompts
        .create(
            NewPrompt::text("greeting", "Hello {{name}}, welcome to {{place}}.")
                .labels(["production"])
                .tags(["onboarding"])
                .config(json!({"model": "gpt-4o-mini", "temperature": 0.2}))
                .commit_message("first"),
        )
        .send_blocking()
        .unwrap();
    assert_eq!((v1.version(), v1.labels()), (1, &["production".to_owned(), "latest".to_owned()][..]));
    let v2 = prompts
        .create(NewPrompt::text("greeting", "Hi {{name}}! This is {{place}}.").labels(["staging"]))
        .send_blocking()
        .unwrap();
    assert_eq!(v2.version(), 2);
    assert_eq!(v2.tags(), ["onboarding"], "tags omitted on create are the latest version's");

    // Default (production), label, version, latest.
    let default = prompts.get("greeting").fetch_blocking().unwrap();
    assert_eq!((default.version(), default.config()["model"].as_str()), (1, Some("gpt-4o-mini")));
    assert_eq!(prompts.get("greeting").label("staging").fetch_blocking().unwrap().version(), 2);
    assert_eq!(prompts.get("greeting").version(1).fetch_blocking().unwrap().version(), 1);
    assert_eq!(prompts.get("greeting").label("latest").fetch_blocking().unwrap().version(), 2);
    assert_eq!(
        prompts.get("greeting").fetch_blocking().unwrap().as_text().unwrap().commit_message.as_deref(),
        Some("first")
    );

    // Compile: given variables filled, unknown ones kept.
    let compiled = default.compile(&json!({"name": "Ada"}));
    assert_eq!(compiled, Compiled::Text("Hello Ada, welcome to {{place}}.".into()));

    // Promote v2: this client's cache is dropped by the write, a new client asks anew.
    let promoted = prompts.update_labels("greeting", 2, ["production"]).send_blocking().unwrap();
    assert!(promoted.labels().contains(&"production".to_owned()));
    assert_eq!(prompts.get("greeting").fetch_blocking().unwrap().version(), 2);
    assert_eq!(client(&collector).get("greeting").fetch_blocking().unwrap().version(), 2);
    assert!(!prompts.get("greeting").version(1).fetch_blocking().unwrap().labels().contains(&"production".into()));

    // The async entry point, on a runtime the application owns.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let fetched = runtime.block_on(prompts.get("greeting").version(1).cache_ttl(Duration::ZERO).fetch()).unwrap();
    assert_eq!(text(&fetched), "Hello {{name}}, welcome to {{place}}.");
}

#[test]
fn chat_prompts_in_folders_expand_placeholders() {
    let collector = Collector::start();
    let prompts = client(&collector);
    let messages = [
        ChatMessage::message("system", "You are {{persona}}."),
        ChatMessage::placeholder("history"),
        ChatMessage::message("user", "{{question}}"),
    ];
    prompts
        .create(NewPrompt::chat("support/answer", messages.clone()).labels(["production"]).tags(["support"]))
        .send_blocking()
        .unwrap();

    // The name's `/` travels percent-encoded in the path.
    let prompt = prompts.get("support/answer").fetch_blocking().unwrap();
    let chat = prompt.as_chat().expect("a chat prompt");
    assert_eq!((chat.name.as_str(), chat.version), ("support/answer", 1));
    assert_eq!(chat.prompt, messages);
    assert_eq!(chat.tags, ["support"]);
    assert_eq!(chat.variables(), ["persona", "question"]);

    let vars = json!({
        "persona": "a pirate",
        "question": "where is the treasure?",
        "history": [{"role": "user", "content": "ahoy"}, {"role": "assistant", "content": "arr"}],
    });
    let compiled = chat.compile(&vars);
    assert_eq!(
        compiled,
        [
            ChatMessage::message("system", "You are a pirate."),
            ChatMessage::message("user", "ahoy"),
            ChatMessage::message("assistant", "arr"),
            ChatMessage::message("user", "where is the treasure?"),
        ]
    );
    let listed = collector.ok("/api/public/v2/prompts?name=support%2Fanswer");
    assert_eq!(listed["data"][0]["type"], "chat");
}

#[test]
fn composed_prompts_arrive_resolved() {
    let collector = Collector::start();
    let prompts = client(&collector);
    prompts.create(NewPrompt::text("tone", "Be brief.").labels(["production"])).send_blocking().unwrap();
    prompts
        .create(
            NewPrompt::text("system", "You help {{user}}. @@@langfusePrompt:name=tone|label=production@@@")
                .labels(["production"]),
        )
        .send_blocking()
        .unwrap();
    let system = prompts.get("system").fetch_blocking().unwrap();
    assert_eq!(text(&system), "You help {{user}}. Be brief.");

    // The child's label moves: a client without the entry cached sees the new text.
    prompts.create(NewPrompt::text("tone", "Be thorough.").labels(["production"])).send_blocking().unwrap();
    let fresh = client(&collector).get("system").fetch_blocking().unwrap();
    assert_eq!(text(&fresh), "You help {{user}}. Be thorough.");
}

#[test]
fn the_cache_serves_after_the_server_stops_and_fallbacks_fill_in() {
    let collector = Collector::start();
    let prompts = client(&collector);
    prompts.create(NewPrompt::text("cached", "from the server").labels(["production"])).send_blocking().unwrap();
    let before = prompts.get("cached").fetch_blocking().unwrap();
    drop(collector.stop());

    // Served from the cache: no request is made.
    let after = prompts.get("cached").fetch_blocking().unwrap();
    assert_eq!((text(&after), after.is_fallback()), (text(&before), false));

    // Nothing cached: the fallback, marked as such, versioned as asked.
    let fallback = prompts.get("never-fetched").version(4).max_retries(0).fallback_text("local {{x}}").fetch_blocking();
    let fallback = fallback.unwrap();
    assert!(fallback.is_fallback());
    assert_eq!((text(&fallback), fallback.version()), ("local {{x}}", 4));
    let chat_fallback = prompts
        .get("never-fetched")
        .label("staging")
        .max_retries(0)
        .fallback_chat([ChatMessage::message("system", "offline")])
        .fetch_blocking()
        .unwrap();
    assert!(chat_fallback.is_fallback() && chat_fallback.labels() == ["staging"]);

    // Nothing cached and no fallback: the transport error.
    let error = prompts.get("never-fetched").max_retries(0).fetch_blocking().unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error}");
}

#[observe(as_type = generation, model = "gpt-4o-mini")]
fn generate(prompt: &Prompt) -> String {
    current_observation().set_prompt(prompt);
    prompt.as_text().map(|p| p.prompt.clone()).unwrap_or_default()
}

#[test]
fn generations_link_the_fetched_prompt_and_fallbacks_link_nothing() {
    let collector = Collector::start();
    let prompts = client(&collector);
    prompts.create(NewPrompt::text("linked", "v1").labels(["production"])).send_blocking().unwrap();
    prompts.create(NewPrompt::text("linked", "v2").labels(["production"])).send_blocking().unwrap();
    let prompt = prompts.get("linked").fetch_blocking().unwrap();
    let fallback = prompts.get("absent").max_retries(0).fallback_text("fb").fetch_blocking().unwrap();
    assert!(fallback.is_fallback());

    let sink = OtlpSink::builder()
        .env_lookup(|_| None)
        .langfuse(PUBLIC_KEY, SECRET_KEY, collector.base_url.clone())
        .build()
        .expect("exporter");
    let (layer, guard) = langtrace::LangtraceLayer::builder().ignore_env().sink(sink).build().expect("settings");
    let dispatch = langtrace::tracing::Dispatch::new(langtrace::tracing_subscriber::registry().with(layer));
    langtrace::tracing::dispatcher::with_default(&dispatch, || {
        generate(&prompt);
        generate(&fallback);
    });
    guard.flush(Duration::from_secs(30)).expect("flush");

    let listed = collector.ok("/api/public/observations?type=GENERATION&limit=10");
    let generations = listed["data"].as_array().unwrap();
    assert_eq!(generations.len(), 2, "{listed}");
    let by_output = |output: &str| generations.iter().find(|g| g["output"] == output).expect("a generation");
    let linked = by_output("v2");
    assert_eq!((&linked["promptName"], &linked["promptVersion"]), (&json!("linked"), &json!(2)));
    assert!(linked["promptId"].is_string(), "{linked}");
    assert_eq!(by_output("fb")["promptName"], Value::Null);
}

#[test]
fn two_creates_at_once_get_consecutive_versions_and_one_latest() {
    let collector = Collector::start();
    let prompts = client(&collector);
    let barrier = Barrier::new(2);
    let versions: Vec<Prompt> = std::thread::scope(|scope| {
        let create = |body: &'static str| {
            let (prompts, barrier) = (&prompts, &barrier);
            scope.spawn(move || {
                barrier.wait();
                prompts.create(NewPrompt::text("raced", body)).send_blocking().unwrap()
            })
        };
        let handles = [create("a"), create("b")];
        handles.into_iter().map(|handle| handle.join().unwrap()).collect()
    });
    let mut numbers: Vec<u32> = versions.iter().map(Prompt::version).collect();
    numbers.sort();
    assert_eq!(numbers, [1, 2]);
    let fresh = client(&collector);
    let with_latest: Vec<bool> = (1..=2)
        .map(|v| fresh.get("raced").version(v).fetch_blocking().unwrap().labels().contains(&"latest".to_owned()))
        .collect();
    assert_eq!(with_latest, [false, true]);
}

#[test]
fn strict_compile_and_refusals() {
    let collector = Collector::start();
    let prompts = client(&collector);
    prompts.create(NewPrompt::text("strict", "{{a}} and {{b}}").labels(["production"])).send_blocking().unwrap();
    let prompt = prompts.get("strict").fetch_blocking().unwrap();
    let error = prompt.compile_strict(&json!({"a": 1, "c": 3})).unwrap_err();
    assert_eq!(error, CompileError::Variables { missing: vec!["b".into()], unused: vec!["c".into()] });
    assert_eq!(error.to_string(), "missing variables: b; unused variables: c");
    assert_eq!(prompt.compile_strict(&json!({"a": 1, "b": 2})).unwrap(), Compiled::Text("1 and 2".into()));

    // The server's refusals arrive with its status and message.
    match prompts.update_labels("strict", 1, ["latest"]).send_blocking() {
        Err(Error::Api { status: 400, message }) => assert!(message.contains("latest"), "{message}"),
        other => panic!("expected a 400, got {other:?}"),
    }
    match prompts.get("nope").fetch_blocking() {
        Err(Error::NotFound { message }) => {
            assert_eq!(message, "Prompt not found: 'nope' with label 'production'")
        }
        other => panic!("expected a 404, got {other:?}"),
    }

    // Delete one version, then all: reads answer 404.
    prompts.create(NewPrompt::text("strict", "second")).send_blocking().unwrap();
    prompts.delete("strict", Versions::Version(2)).send_blocking().unwrap();
    assert!(matches!(prompts.get("strict").version(2).fetch_blocking(), Err(Error::NotFound { .. })));
    prompts.delete("strict", Versions::All).send_blocking().unwrap();
    assert!(matches!(prompts.get("strict").fetch_blocking(), Err(Error::NotFound { .. })));
    assert!(matches!(prompts.delete("strict", Versions::All).send_blocking(), Err(Error::NotFound { .. })));
}
