//! The demo application: the support agent ([`super::agent`]) run once per deployment of
//! the script ([`super::script`]), each with a subscriber and an exporter of its own
//! (OTLP bridge in Langfuse mode, so images are uploaded as media), shut down with
//! everything delivered before the next one starts. The mock LLM answers from canned
//! rules: no network but the local collector, the same traces every run.

use std::collections::BTreeSet;
use std::time::Duration;

use langtrace::otlp::OtlpSink;
use langtrace::prompts::Prompts;
use langtrace::tracing_subscriber::layer::SubscriberExt;
use langtrace::{LangtraceLayer, Scope, TraceId};

use super::agent::{chat_turn, evaluation_run};
use super::datasets::{self, DatasetSummary};
use super::history::{spread, Backdated, Timeline};
use super::prompts::{self, AgentPrompts};
use super::script::{Deployment, DEPLOYMENTS};
use crate::auth::KeyPair;

/// What the demo app sent.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Traces (chat turns and evaluation runs).
    pub traces: usize,
    /// Observations the collector accepted.
    pub observations: u64,
    /// Images uploaded as media.
    pub images: u64,
    /// Distinct users.
    pub users: usize,
    /// Distinct sessions.
    pub sessions: usize,
    /// Environments, in order of first use.
    pub environments: Vec<String>,
    /// Releases, in order of first use.
    pub releases: Vec<String>,
    /// The dataset made from some of the turns and the experiments run over it.
    pub dataset: DatasetSummary,
}

/// Creates the agent's prompts, then runs every deployment against the collector at
/// `base_url` with `keys`, each with the prompts of its label and delivered completely
/// before the next starts.
pub(crate) fn run(base_url: &str, keys: &KeyPair) -> Result<Summary, String> {
    // I/O for the datasets client, which runs on this runtime (the prompts client has its own).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    let client = Prompts::builder()
        .public_key(keys.public_key.clone())
        .secret_key(keys.secret_key.clone())
        .base_url(base_url)
        .build()
        .map_err(|e| format!("prompt client: {e}"))?;
    runtime.block_on(prompts::publish(&client))?;
    let mut summary = Summary::default();
    let (mut users, mut sessions) = (BTreeSet::new(), BTreeSet::new());
    let mut chat_turns = Vec::new();
    for deployment in DEPLOYMENTS {
        let agent_prompts = runtime.block_on(async {
            prompts::move_production(&client, deployment.production_prompts).await?;
            prompts::fetch(&client, deployment.prompt_label).await
        })?;
        let (observations, images) =
            run_deployment(&runtime, base_url, keys, deployment, &agent_prompts, &mut chat_turns)?;
        summary.observations += observations;
        summary.images += images;
        summary.traces += deployment.conversations.iter().map(|c| c.turns.len()).sum::<usize>() + 1;
        users.extend(deployment.conversations.iter().map(|c| c.user));
        sessions.extend(deployment.conversations.iter().map(|c| c.session));
        for (list, value) in
            [(&mut summary.environments, deployment.environment), (&mut summary.releases, deployment.release)]
        {
            if !list.iter().any(|known| known == value) {
                list.push(value.to_owned());
            }
        }
    }
    (summary.users, summary.sessions) = (users.len(), sessions.len());
    summary.dataset = datasets::build(&runtime, base_url, keys, &client, &chat_turns)?;
    Ok(summary)
}

/// One deployment with its own subscriber and exporter, its traces placed on the demo's
/// week (see [`super::history`]); returns the observations and
/// images the collector accepted, and adds each chat turn's trace id and question to `chat_turns`.
fn run_deployment(
    runtime: &tokio::runtime::Runtime,
    base_url: &str,
    keys: &KeyPair,
    deployment: &Deployment,
    prompts: &AgentPrompts,
    chat_turns: &mut Vec<(TraceId, &'static str)>,
) -> Result<(u64, u64), String> {
    let sink = OtlpSink::builder()
        .env_lookup(|_| None)
        .langfuse(keys.public_key.clone(), keys.secret_key.clone(), base_url)
        .service_name("support-agent")
        .build()
        .map_err(|e| e.to_string())?;
    let counters = sink.counters();
    let timeline = Timeline::default();
    let sink = Backdated::new(sink, timeline.clone());
    let turns: Vec<usize> = deployment.conversations.iter().map(|c| c.turns.len()).collect();
    let (evaluation_ago, conversation_agos) = spread(deployment.days_ago, &turns);
    let (layer, mut guard) = LangtraceLayer::builder()
        .ignore_env()
        .environment(deployment.environment)
        .release(deployment.release)
        .version(format!("support-agent@{}", deployment.release))
        .sink(sink)
        .build()
        .map_err(|e| e.to_string())?;
    let dispatch = langtrace::tracing::Dispatch::new(langtrace::tracing_subscriber::registry().with(layer));
    langtrace::tracing::dispatcher::with_default(&dispatch, || {
        runtime.block_on(async {
            let evaluation = Scope::new().trace_id(timeline.place(evaluation_ago)).tags(["nightly"]);
            evaluation.trace_name("answer-quality-eval").instrument(evaluation_run()).await;
            for (conversation, agos) in deployment.conversations.iter().zip(&conversation_agos) {
                let scope = Scope::new()
                    .user_id(conversation.user)
                    .session_id(conversation.session)
                    .tags(conversation.tags.iter().copied())
                    .trace_name("support-chat");
                scope
                    .instrument(async {
                        for (turn, (question, ago)) in conversation.turns.iter().zip(agos).enumerate() {
                            let trace_id = timeline.place(*ago);
                            chat_turns.push((trace_id, *question));
                            Scope::new().trace_id(trace_id).instrument(chat_turn(question, turn + 1, prompts)).await;
                        }
                    })
                    .await;
            }
        });
    });
    guard.shutdown(Duration::from_secs(30)).map_err(|e| format!("delivery to {base_url}: {e}"))?;
    let stats = guard.stats();
    let get = langtrace::otlp::ExportCounters::get;
    let (failed, media_failed) = (get(&counters.spans_failed), get(&counters.media_failed));
    if stats.dropped + stats.failed + failed + media_failed > 0 {
        return Err(format!(
            "not everything reached {base_url}: {} records dropped, {} failed, {failed} spans and {media_failed} images rejected",
            stats.dropped, stats.failed
        ));
    }
    Ok((get(&counters.spans_exported), get(&counters.media_uploaded) + get(&counters.media_already_stored)))
}
