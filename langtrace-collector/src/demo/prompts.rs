//! The demo agent's prompts, kept in the collector's prompt management and used through
//! the `langtrace::prompts` client, as an application would: the agent's system prompt
//! (chat, with a `history` placeholder) and its planning prompt (text, composed: it
//! includes the guidelines prompt by label), two versions each. Version 1 starts in
//! `production`, version 2 in `staging`; staging runs version 2 first, then the roll-out
//! of release 1.1.0 moves `production` to it ([`move_production`]).

use langtrace::prompts::{ChatMessage, ChatPrompt, GetPrompt, NewPrompt, Prompt, Prompts, TextPrompt};
use serde_json::json;
use std::sync::Arc;

/// The system prompt of the answering call.
pub(super) const SYSTEM: &str = "support-agent/system";
/// The prompt of the planning call; it includes [`GUIDELINES`].
pub(super) const PLANNER: &str = "support-agent/planner";
/// House rules, included by the planner through a composition tag.
pub(super) const GUIDELINES: &str = "support-agent/guidelines";

/// The prompts one deployment's agent runs with.
pub(super) struct AgentPrompts {
    /// The answering call's messages.
    pub system: Arc<ChatPrompt>,
    /// The planning call's text (the guidelines resolved in it).
    pub planner: Arc<TextPrompt>,
}

/// The versions the demo creates, in order: (prompt, labels, commit message).
fn versions() -> Vec<(NewPrompt, &'static str)> {
    let system = |rules: &str| {
        [
            ChatMessage::message("system", format!("You are the support assistant of {{{{product}}}}. {rules}")),
            ChatMessage::placeholder("history"),
            ChatMessage::message("user", "{{question}}\n\nFindings:\n{{findings}}"),
        ]
    };
    let planner = |limit: &str| {
        format!(
            "@@@langfusePrompt:name={GUIDELINES}|label=production@@@\n\nPlan the steps that answer the customer's \
             question. Tools: {{{{tools}}}}.{limit}\nQuestion: {{{{question}}}}"
        )
    };
    let config = |temperature: f64| json!({"model": "gpt-4o-mini", "temperature": temperature});
    vec![
        (
            NewPrompt::text(GUIDELINES, "Be friendly and precise. Never ask for passwords or API keys.")
                .labels(["production"])
                .tags(["support-agent"]),
            "house rules",
        ),
        (
            NewPrompt::chat(SYSTEM, system("Answer from the findings only."))
                .labels(["production"])
                .tags(["support-agent"])
                .config(config(0.7)),
            "first system prompt",
        ),
        (
            NewPrompt::text(PLANNER, planner("")).labels(["production"]).tags(["support-agent"]).config(config(0.0)),
            "first planner: the guidelines, the tools, the question",
        ),
        (
            NewPrompt::chat(
                SYSTEM,
                system("Answer from the findings only, in at most three sentences, and name the article you used."),
            )
            .labels(["staging"])
            .config(config(0.4)),
            "shorter answers that cite their article",
        ),
        (
            NewPrompt::text(
                PLANNER,
                planner(" Use at most {{max_steps}} steps; search the docs for how-to questions."),
            )
            .labels(["staging"])
            .config(config(0.0)),
            "cap the plan's steps",
        ),
    ]
}

/// Creates the demo's prompts unless the data directory has them from an earlier run.
pub(super) async fn publish(prompts: &Prompts) -> Result<(), String> {
    let present = prompts.get(SYSTEM).label("latest").cache_ttl(std::time::Duration::ZERO).fetch().await;
    if present.is_ok() {
        return Ok(());
    }
    for (prompt, message) in versions() {
        prompts.create(prompt.commit_message(message)).send().await.map_err(|e| format!("creating a prompt: {e}"))?;
    }
    Ok(())
}

/// Puts `production` on `version` of the system and planner prompts (the roll-out, or
/// back to version 1 when an earlier run of the demo promoted version 2).
pub(super) async fn move_production(prompts: &Prompts, version: u32) -> Result<(), String> {
    for name in [SYSTEM, PLANNER] {
        let current = prompts.get(name).cache_ttl(std::time::Duration::ZERO).fetch().await;
        if current.as_ref().map(Prompt::version).ok() != Some(version) {
            prompts
                .update_labels(name, version, ["production"])
                .send()
                .await
                .map_err(|e| format!("moving production of {name}: {e}"))?;
        }
    }
    Ok(())
}

/// The system and planner prompts that carry `label`.
pub(super) async fn fetch(prompts: &Prompts, label: &str) -> Result<AgentPrompts, String> {
    fetch_with(|name| prompts.get(name).label(label), label).await
}

/// Version `version` of the system and planner prompts (the experiments compare them).
pub(super) async fn fetch_version(prompts: &Prompts, version: u32) -> Result<AgentPrompts, String> {
    fetch_with(|name| prompts.get(name).version(version), &format!("version {version}")).await
}

/// The system and planner prompts `request` asks for (`which` says which, in errors).
async fn fetch_with<'a>(request: impl Fn(&'static str) -> GetPrompt<'a>, which: &str) -> Result<AgentPrompts, String> {
    let get = |name: &'static str| {
        let request = request(name);
        async move { request.fetch().await.map_err(|e| format!("fetching {name} ({which}): {e}")) }
    };
    let (system, planner) = (get(SYSTEM).await?, get(PLANNER).await?);
    match (system, planner) {
        (Prompt::Chat(system), Prompt::Text(planner)) => Ok(AgentPrompts { system, planner }),
        _ => Err(format!("{SYSTEM} is a chat prompt and {PLANNER} a text prompt")),
    }
}
